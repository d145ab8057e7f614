"""Benchmark (not a test): the cost of meaning search, in one run.

- embedding a 50-paper day with the bundled model (the blind set's first 50 papers: title, abstract, Korean
  summary), target < 30 s on 2 cores: the wall time and the CPU time (the wall time on a machine others share
  is the CPU time over the share of the cores this process got);
- query latency at 100k papers, target p95 < 50 ms: the query's embedding alone, `Store.nearest` (the vector
  scan alone), the word side of a hybrid search alone (`Store.search_ranking`, its 50 best) and `meaning.search`
  in `meaning` and `hybrid` mode (the call behind the CLI and /api/search), each with the query embedded anew
  ("new query") and with its vector kept from before ("asked before"). The
  archive is synthetic (`synthetic_archive`: bench/search.py's generated papers, copied) and its vectors are
  random unit vectors: embedding 100k papers would take days here, and a scan's cost does not depend on what
  the vectors mean;
- the memory of `dailypapers serve` on that archive (its own process, the bundled embedder): resident before
  the first search, and after meaning searches have loaded the vectors and the model.

Each query timing is printed as wall time and as CPU time (this process's, all its threads: a hybrid query's
two sides run on two threads); on a machine others share, the wall time is the CPU time stretched by the share
of the cores the process got, so the CPU figures are the ones that compare across loads.

The nearest-paper scan is also timed the other ways this Python can run it, for comparison: the in-memory
scan by the float32 product alone (without its int8 first step), and with `--sqlite-vec` sqlite-vec through
sqlean-py's SQLite (what archives past `NUMPY_MAX_VECTORS` use; about a second a query at 100k papers).

    python bench/meaning.py [--papers 100000] [--rounds 20] [--db PATH (kept and reused)] [--skip-day]
                            [--sqlite-vec]"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]  # run from a checkout, installed or not

import httpx  # noqa: E402
import numpy as np  # noqa: E402
from bench.search import make_archive  # noqa: E402

from dailypapers.config import Settings  # noqa: E402
from dailypapers.embed.base import normalised, paper_text  # noqa: E402
from dailypapers.embed.bundled import BundledEmbedder  # noqa: E402
from dailypapers.meaning import search  # noqa: E402
from dailypapers.plugins import Registry, plugin_manager  # noqa: E402
from dailypapers.search import SearchDoc, split_compounds  # noqa: E402
from dailypapers.store import Store  # noqa: E402
from dailypapers.store.searchindex import FTS_COLUMNS  # noqa: E402
from dailypapers.store.vectors import Pending  # noqa: E402

DAY_TARGET_S = 30.0
P95_TARGET_MS = 50.0
QUERIES = ("강화학습 보상 모델", "sparse mixture of experts routing", "3D scene reconstruction", "모델 압축 양자화",
           "speech recognition for low-resource languages", "에이전트 평가 벤치마크")
ENGLISH = ("3D scene reconstruction", "sparse mixture of experts routing")
KOREAN = ("강화학습 보상 모델",)


SEED_PAPERS = 2_000  # imported through the real write path; the rest of the archive copies them
DIM = 384


def synthetic_archive(path: Path, papers: int, *, seed_papers: int = SEED_PAPERS) -> str:
    """An archive of `papers` papers in editions (their random vectors are added by `main`), built in seconds
    instead of the half hour that importing 100k papers one day at a time takes here: bench/search.py's
    generator imports `seed_papers` papers through `Store.import_digest` (so their search rows and FTS index are
    what the app writes), then copies them under new ids and later days in one transaction (the same texts
    again: words search sees as many matches as it would over 100k generated papers), with the same FTS
    values. Returns the line that says what is synthetic."""
    make_archive(path, min(papers, seed_papers))
    with Store(path) as store:
        db = store.db.conn
        seed = [dict(zip(("id", "paper_id", "day", "title", "authors", "summaries", "abstract"), row, strict=True))
                for row in db.execute("select id, paper_id, day, title, authors, summaries, abstract "
                                      "from search_docs order by id")]
        fts = [SearchDoc.from_row(row).fts_values() for row in seed]
        columns = [r[1] for r in db.execute("pragma table_info(papers)") if r[1] != "id"]
        days = sorted({row["day"] for row in seed})
        span = (dt.date.fromisoformat(days[-1]) - dt.date.fromisoformat(days[0])).days + 1
        with store.transaction():
            for copy in range(1, -(-papers // len(seed))):
                rows = seed[:papers - copy * len(seed)]
                for row, values in zip(rows, fts, strict=False):
                    day = dt.date.fromisoformat(row["day"]) + dt.timedelta(days=copy * span)
                    pid = f"{row['paper_id']}c{copy}"
                    doc_id = int(day.strftime("%Y%m%d")) * 1_000_000 + row["id"] % 1_000_000
                    db.execute(f"insert into papers (id, {', '.join(columns)}) select ?, {', '.join(columns)} "
                               "from papers where id = ?", [pid, row["paper_id"]])
                    db.execute("insert into search_docs (id, paper_id, day, title, authors, summaries, abstract) "
                               "values (?, ?, ?, ?, ?, ?, ?)", [doc_id, pid, day.isoformat(), row["title"],
                                                                row["authors"], row["summaries"], row["abstract"]])
                    db.execute(f"insert into search_fts(rowid, {FTS_COLUMNS}) values (?, ?, ?, ?, ?, ?)",
                               [doc_id, *values])
    copies = -(-papers // min(papers, seed_papers))
    return (f"synthetic archive: {min(papers, seed_papers)} generated papers imported (bench/search.py), copied "
            f"to {papers} under new ids ({copies} copies of each text); each gets a random unit vector")


def _percentiles(ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return f"p50 {q[49]:.1f} ms  p95 {q[94]:.1f} ms  max {max(ms):.1f} ms"


def _p95(ms: list[float]) -> float:
    return statistics.quantiles(ms, n=100, method="inclusive")[94]


def _status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in MB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return {k: int(fields[k].split()[0]) // 1024 for k in ("VmRSS", "VmHWM")}


def serve_memory(path: Path) -> str:
    """`dailypapers serve` over the archive at `path`: its memory before the first search and after meaning
    searches (the vectors read, the model loaded), and the first and a later search's time."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "DAILYPAPERS_EMBEDDER": "bundled"}
    proc = subprocess.Popen([sys.executable, "-m", "dailypapers", "--db", str(path), "serve", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/api/editions", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("dailypapers serve did not start") from None
                time.sleep(0.2)
        before = _status(proc.pid)
        took = []
        for q in ENGLISH + KOREAN:
            t0 = time.perf_counter()
            reply = httpx.get(base + "/api/search", params={"q": q, "mode": "meaning"}, timeout=120)
            took.append(1000 * (time.perf_counter() - t0))
            assert reply.status_code == 200 and reply.json(), reply.text[:200]
            if q == ENGLISH[-1]:
                english = _status(proc.pid)
        after = _status(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return (f"dailypapers serve: {before['VmRSS']} MB resident before the first search; after {len(ENGLISH)} "
            f"English meaning searches (vectors read, model loaded) {english['VmRSS']} MB; after a Korean one too "
            f"(the Korean analyzer of word search loaded) {after['VmRSS']} MB, peak {after['VmHWM']} MB. Searches "
            f"took {', '.join(f'{ms:.0f}' for ms in took)} ms")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--papers", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--db", type=Path, help="archive to use (generated there if missing, then kept)")
    ap.add_argument("--skip-day", action="store_true", help="do not time the 50-paper day's embedding")
    ap.add_argument("--sqlite-vec", action="store_true", help="time sqlite-vec through sqlean-py too")
    args = ap.parse_args(argv)
    embedder = Registry.load(plugin_manager(entry_points=False)).embedder(Settings(embedder="bundled"))
    assert isinstance(embedder, BundledEmbedder)
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}")

    blind = [json.loads(line) for line in (ROOT / "bench/data/retrieval_blind/papers.jsonl").read_text().splitlines()
             if line.strip()][:50]
    texts = [paper_text(SearchDoc(paper_id=p["id"], day=None, title=p["title"], authors=(), abstract=p["abstract"],
                                  summaries=(("ko", p.get("summary_ko", "")),))) for p in blind]
    embedder.embed(texts[:1])  # the model loaded, as it is once per process
    if not args.skip_day:
        t0, c0 = time.perf_counter(), time.process_time()
        embedder.embed(texts)
        day, cpu = time.perf_counter() - t0, time.process_time() - c0
        cores = min(len(os.sched_getaffinity(0)), 2)  # the target's 2 cores, or fewer where fewer are allowed
        print(f"a 50-paper day embedded in {day:.1f} s, {cpu:.1f} s of CPU (target < {DAY_TARGET_S:.0f} s): "
              f"{'met' if day < DAY_TARGET_S else 'NOT met'}; with {cores} cores to itself {cpu / cores:.1f} s "
              f"({'met' if cpu / cores < DAY_TARGET_S else 'NOT met'} in CPU); load average now "
              f"{os.getloadavg()[0]:.2f}")

    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "meaning.db"
        if not path.exists():
            t0 = time.perf_counter()
            made = synthetic_archive(path, args.papers)
            print(f"{made}: built in {time.perf_counter() - t0:.0f} s")
        else:
            print(f"archive {path} reused (papers without a vector get a random one)")
        with Store(path) as writer:
            have = writer.embedded_count(embedder.model)
            ids = [r[0] for r in writer.db.execute("select paper_id from search_docs")]
            if have < len(ids):
                rng = np.random.default_rng(7)
                for start in range(0, len(ids), 5000):
                    chunk = ids[start:start + 5000]
                    vectors = normalised(rng.standard_normal((len(chunk), DIM)).astype(np.float32))
                    writer.save_embeddings(embedder.model, zip((Pending(pid, "", "random") for pid in chunk),
                                                               vectors, strict=True))
        # read-only, as `dailypapers serve` and `search` open it
        store, other = Store(path, readonly=True), Store(path, readonly=True)
        backend = store.vector_backend()
        print(f"{len(ids)} papers with vectors; nearest papers by {backend}; load average {os.getloadavg()[0]:.2f}")
        query_vectors = embedder.embed(list(QUERIES), query=True)
        t0 = time.perf_counter()
        store.nearest(embedder.model, query_vectors[0], limit=50)
        print(f"first query (vectors read into memory) {1000 * (time.perf_counter() - t0):.0f} ms")
        t0 = time.perf_counter()
        for q in QUERIES:  # what a process loads once: the Korean analyzer (word search), the archive's pages
            search(store, embedder, q, mode="hybrid", limit=20)
        print(f"each query searched once first (the Korean analyzer loaded): {time.perf_counter() - t0:.1f} s")
        # the other ways on other connections, for comparison: the float32 product alone (or numpy, when the
        # archive is past NUMPY_MAX_VECTORS), and sqlite-vec through sqlean-py when asked
        other.use_numpy_scan(int8=False)
        others = {("nearest, numpy float32 only" if backend == "numpy" else "nearest, numpy"): other}
        if args.sqlite_vec:
            third = Store(path, readonly=True)
            if third.use_sqlean_vec():
                others["nearest, sqlean-py + sqlite-vec"] = third
            else:
                third.close()
        nearest_name = "nearest, numpy int8 + exact" if backend == "numpy" else f"nearest, {backend}"
        timings: dict[str, list[float]] = {"query embedded": [], nearest_name: [], "words, 50 best": []}
        for name, s in others.items():
            s.nearest(embedder.model, query_vectors[0], limit=50)
            timings[name] = []
        for mode in ("meaning", "hybrid"):
            timings[f"{mode}, new query"], timings[f"{mode}, asked before"] = [], []

        faulted: dict[str, int] = dict.fromkeys(timings, 0)
        cpu: dict[str, list[float]] = {name: [] for name in timings}

        def timed(name: str, call: Callable[[], object]) -> None:
            # a major fault: a page of the model or the archive read back from disk (this machine's kernel
            # pages out what a process has not touched for a while), which a query then waits for
            f0, t0 = resource.getrusage(resource.RUSAGE_SELF).ru_majflt, time.perf_counter()
            c0 = time.process_time()
            call()
            timings[name].append(1000 * (time.perf_counter() - t0))
            cpu[name].append(1000 * (time.process_time() - c0))
            faulted[name] += resource.getrusage(resource.RUSAGE_SELF).ru_majflt > f0

        for _ in range(args.rounds):  # rounds interleaved: machine drift spreads over every kind alike
            for q, v in zip(QUERIES, query_vectors, strict=True):
                embedder.forget_queries()
                timed("query embedded", lambda q=q: embedder.embed([q], query=True))
                timed(nearest_name, lambda v=v: store.nearest(embedder.model, v, limit=50))
                timed("words, 50 best", lambda q=q: store.search_ranking(split_compounds(q), limit=50, sort="rank"))
                for mode in ("meaning", "hybrid"):
                    embedder.forget_queries()
                    for kind in ("new query", "asked before"):
                        timed(f"{mode}, {kind}", lambda q=q, mode=mode: search(store, embedder, q, mode=mode, limit=20))
        # the other ways apart, after: the float32 product reads 150 MB, and timed between the others it pushed
        # the int8 codes and the model out of the caches, so the next timing paid for reading them back
        for _ in range(args.rounds):
            for v in query_vectors:
                for name, s in others.items():
                    timed(name, lambda v=v, s=s: s.nearest(embedder.model, v, limit=50))
        for s in (store, *others.values()):
            s.close()
        load = os.getloadavg()[0]
        for name, ms in timings.items():
            c = statistics.quantiles(cpu[name], n=100, method="inclusive")
            print(f"{name:<32} at {len(ids)} papers: {_percentiles(ms)} (target p95 < {P95_TARGET_MS:.0f} ms: "
                  f"{'met' if _p95(ms) < P95_TARGET_MS else 'NOT met'}); CPU p50 {c[49]:.1f} ms  p95 {c[94]:.1f} ms "
                  f"({'met' if c[94] < P95_TARGET_MS else 'NOT met'} in CPU); {faulted[name]} of {len(ms)} read "
                  "pages back")
        print(f"load average {load:.2f}")
        print(serve_memory(path) + f"; load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
