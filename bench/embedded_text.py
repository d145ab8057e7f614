"""Benchmark (not a test): which text of a paper to embed, by meaning search's nDCG@10 on the blind set.

A day's embedding costs its tokens (docs/guides/meaning.md), so the one lever on its time is the text. This embeds
the blind set's 520 papers three ways with the bundled model, once each (the vectors are kept in --cache):

- `full`: what is embedded now (`paper_text`: title, abstract and Korean summary in one passage);
- `ta`: title and abstract only (a quarter fewer tokens on this set);
- `s`: the Korean summary alone (the title where a paper has none);

and prints meaning search's nDCG@10 and recall@10 (the query embedded as `meaning.search` does, ranked by one
product over the 520 vectors) for `full`, `ta`, and the mean of `ta` and w * `s` (two passages a paper, averaged,
for the papers with a summary): the same tokens as `full`, in shorter windows.

    python bench/embedded_text.py [--cache DIR]   (about 200k tokens: tens of minutes on 2 busy cores)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]  # run from a checkout, installed or not

import numpy as np  # noqa: E402
from bench.blind import load_retrieval  # noqa: E402
from bench.retrieval import DATA, K, ndcg, recall  # noqa: E402

from dailypapers.embed.base import normalised, paper_text  # noqa: E402
from dailypapers.embed.bundled import BundledEmbedder  # noqa: E402
from dailypapers.search import SearchDoc, split_compounds  # noqa: E402


def _doc(paper: dict, summary: bool) -> SearchDoc:
    return SearchDoc(paper_id=paper["id"], day=None, title=paper["title"], authors=(), abstract=paper["abstract"],
                     summaries=(("ko", paper.get("summary_ko", "")),) if summary else ())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=Path(".bench-vectors"), help="where the vectors are kept")
    args = ap.parse_args(argv)
    blind = load_retrieval(DATA)
    papers = blind.papers
    ids = [p["id"] for p in papers]
    embedder = BundledEmbedder()
    texts = {"full": [paper_text(_doc(p, True)) for p in papers],
             "ta": [paper_text(_doc(p, False)) for p in papers],
             "s": [p.get("summary_ko") or p["title"] for p in papers]}
    args.cache.mkdir(parents=True, exist_ok=True)
    vectors = {}
    for name, batch in texts.items():
        kept = args.cache / f"{name}.npy"
        if not kept.exists():
            t0 = time.perf_counter()
            np.save(kept, embedder.embed(batch))
            print(f"embedded {name}: {time.perf_counter() - t0:.0f} s; load average {os.getloadavg()[0]:.1f}")
        vectors[name] = np.load(kept)
    queries = blind.queries
    asked = embedder.embed([split_compounds(q["query"]) for q in queries], query=True)
    summarised = np.array([bool(p.get("summary_ko")) for p in papers])[:, None]
    ways = {"full (now)": vectors["full"], "title+abstract": vectors["ta"]}
    for w in (0.3, 0.5, 1.0):
        ways[f"mean(ta, {w}*s)"] = normalised(vectors["ta"] + w * vectors["s"] * summarised)
    print(f"{len(queries)} queries over {len(papers)} papers, meaning search; nDCG@{K} and recall@{K}, mean")
    for name, matrix in ways.items():
        scores: dict[str, list[tuple[float, float]]] = {"all": [], "en": [], "ko": []}
        for q, v in zip(queries, asked, strict=True):
            ranked = [ids[i] for i in np.argsort(-(matrix @ v), kind="stable")[:K]]
            pair = (ndcg(ranked, q["relevant"]), recall(ranked, q["relevant"]))
            scores["all"].append(pair)
            scores[q.get("lang", "en")].append(pair)
        mean = {lang: statistics.fmean(n for n, _ in s) for lang, s in scores.items()}
        print(f"{name:<16} nDCG@{K} {mean['all']:.3f} (en {mean['en']:.3f} / ko {mean['ko']:.3f}); recall@{K} "
              f"{statistics.fmean(r for _, r in scores['all']):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
