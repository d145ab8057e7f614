"""Benchmark (not a test): the personal ranking (`rank = "interest"`) on the blind set's reader profiles
(bench/data/retrieval_blind/profiles.jsonl, written by someone who had not seen the ranking code; FORMAT.md).

Each profile lists the papers a reader saved (`liked`) and other papers of the set the same reader would want
(`held_out`). The set's papers go into an archive and are embedded as `dailypapers embed` does; for each profile,
every paper of the set but the liked ones is ranked by `interest.rank` (the call behind `rank = "interest"`),
and recall@20 is the share of its held-out papers in the top 20. Printed per profile and on average, for a profile
made of the liked papers' arXiv ids, of the one-line description of the reader as a keyword, and of both; with
what 20 papers drawn at random would find.

    python bench/interest.py [--embedder bundled|use|wordllama] [--db PATH (kept and reused)]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]  # run from a checkout, installed or not

from bench.blind import load_retrieval  # noqa: E402
from bench.retrieval import arguments, embedded_archive, embedder_named  # noqa: E402

from dailypapers.embed.profile import ProfileItem, keyword_items  # noqa: E402
from dailypapers.interest import rank  # noqa: E402
from dailypapers.models import Paper  # noqa: E402

TOP = 20


def main(argv: list[str] | None = None) -> int:
    args = arguments(__doc__.splitlines()[0]).parse_args(argv)
    blind = load_retrieval(args.data)
    profiles = blind.profiles
    embedder = embedder_named(args.embedder)
    papers = [Paper(id=p["id"], title=p["title"], abstract=p["abstract"]) for p in blind.papers]
    with embedded_archive(args.db, blind.papers, embedder) as store:
        print(f"{len(profiles)} profiles over {len(papers)} papers; recall@{TOP} of the held-out papers")
        print(f"{'profile':<8} {'liked':>5} {'held':>4} {'ids':>6} {'about':>6} {'both':>6} {'random':>7}  about")
        sums: dict[str, list[float]] = {"ids": [], "about": [], "both": [], "random": []}
        took: list[float] = []
        for prof in profiles:
            liked, held = set(prof["liked"]), set(prof["held_out"])
            candidates = [p for p in papers if p.id not in liked]
            ids = [ProfileItem(label=pid, paper_id=pid) for pid in prof["liked"]]
            about = keyword_items([prof["about"]])
            row = {}
            for name, items in (("ids", ids), ("about", about), ("both", ids + about)):
                t0 = time.perf_counter()
                chosen, _ = rank(store, embedder, candidates, items, TOP)
                took.append(time.perf_counter() - t0)
                row[name] = len(held & {p.id for p in chosen}) / len(held)
            row["random"] = min(1.0, TOP / len(candidates))
            for name, value in row.items():
                sums[name].append(value)
            print(f"{prof['id']:<8} {len(liked):>5} {len(held):>4} {row['ids']:>6.3f} {row['about']:>6.3f} "
                  f"{row['both']:>6.3f} {row['random']:>7.3f}  {prof['about'][:60]}")
        print(f"{'mean':<8} {'':>5} {'':>4} {statistics.fmean(sums['ids']):>6.3f} "
              f"{statistics.fmean(sums['about']):>6.3f} {statistics.fmean(sums['both']):>6.3f} "
              f"{statistics.fmean(sums['random']):>7.3f}")
        print(f"ranking {len(papers)} papers against a profile: median {statistics.median(took) * 1000:.0f} ms "
              "(vectors stored; the 'about' line embedded each time)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
