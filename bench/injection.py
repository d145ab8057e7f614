"""The prompt-injection detector (`documents.injection.is_instruction`) on the blind set
(bench/data/injection_blind, written by a helper who had not read the detector; format in its FORMAT.md):
precision and recall of "injection" on dev (tuned on) and heldout (reported, never looked at while tuning),
and the detector's time per sentence and per generated paper.

Run: python bench/injection.py [--errors dev]   (--errors lists dev's misses and false alarms, never heldout's)
The headline is heldout.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from bench.blind import load_injection  # noqa: E402
from tests.papergen import make_paper  # noqa: E402

from dailypapers.documents.injection import is_instruction  # noqa: E402

DATA = ROOT / "bench" / "data" / "injection_blind"


def score(rows: list[dict]) -> dict[str, float]:
    tp = fp = fn = tn = 0
    for r in rows:
        said, truth = is_instruction(r["text"]), r["label"] == "injection"
        tp += said and truth
        fp += said and not truth
        fn += truth and not said
        tn += not said and not truth
    return {"n": len(rows), "tp": tp, "fp": fp, "fn": fn, "tn": tn,
            "precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0}


def best_of(rounds: int, run: Callable[[], object]) -> float:
    """The fastest of `rounds` runs, in seconds (the machine is shared: the fastest is the least disturbed)."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str]) -> int:
    sets = load_injection(DATA)
    print(f"{'set':<8} {'n':>4} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>10} {'recall':>7}")
    for name in ("dev", "heldout"):
        s = score(sets[name])
        print(f"{name:<8} {s['n']:>4} {s['tp']:>4} {s['fp']:>4} {s['fn']:>4} {s['precision']:>10.3f} "
              f"{s['recall']:>7.3f}")
    # time: the blind set's sentences (every one looks like an instruction: the rules' worst case), and the
    # paragraphs of generated 20-page papers (what most of a paper costs); the best of 5 rounds each
    every = [r["text"] for rows in sets.values() for r in rows]
    papers = [make_paper(f"2601.{i:05d}", pages=20).text().split("\n\n") for i in range(10)]
    per_sentence = best_of(5, lambda: [is_instruction(t) for t in every]) / len(every)
    print(f"time per look-alike sentence: {per_sentence * 1e6:.1f} µs ({len(every)} sentences)")
    paragraphs = [p for paper in papers for p in paper]
    per_paper = best_of(5, lambda: [is_instruction(p) for p in paragraphs]) / len(papers)
    print(f"time per generated 20-page paper: {per_paper * 1e3:.2f} ms "
          f"({sum(map(len, paragraphs)) // len(papers):,} characters each, paragraph by paragraph)")
    if argv[:2] == ["--errors", "dev"]:
        for r in sets["dev"]:
            said, truth = is_instruction(r["text"]), r["label"] == "injection"
            if said != truth:
                print(f"{'missed' if truth else 'false alarm'} {r['id']}: {r['text']}")
    elif argv:
        print("only dev's errors are listed: heldout is not looked at while tuning")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
