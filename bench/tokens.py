"""Input tokens per paper: our budget against the sample system's policy (not a test).

The system that made the sample sent each paper's text blind, up to 100k tokens. We send title and abstract,
then results, introduction, method and conclusion, cut at sentence boundaries, within `max_input_tokens`
(default 3,000), and never the references. On generated 20-page papers (PDF -> text, as in a real run) this
prints the mean input tokens per paper under both policies and their ratio. Target: <= 1/5.

Run: python bench/tokens.py [--papers 20] [--pages 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.papergen import make_paper  # noqa: E402
from tests.pdfgen import make_pdf  # noqa: E402

from dailypapers import documents  # noqa: E402
from dailypapers.config import Settings  # noqa: E402

OLD_CAP = 100_000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--papers", type=int, default=20)
    ap.add_argument("--pages", type=int, default=20)
    args = ap.parse_args()
    budget = Settings().max_input_tokens
    ours, old, pages = [], [], []
    kept_facts = 0
    for i in range(args.papers):
        synth = make_paper(f"2606.{30000 + i}", pages=args.pages)
        doc = documents.extract_pdf(make_pdf(synth), synth.arxiv_id, max_pages=500)
        pages.append(doc.page_count)
        sent = documents.budget(doc, budget)
        ours.append(documents.count_tokens(sent))
        old.append(min(documents.count_tokens(doc.text), OLD_CAP))
        # the budget must keep what a summary needs: the headline result and the model name
        kept_facts += synth.facts["accuracy"] in sent and synth.facts["model"] in sent
    print(f"{args.papers} generated papers, {statistics.mean(pages):.1f} PDF pages on average; "
          f"token counter: {documents.COUNTER}")
    print(f"old policy (whole text, cap {OLD_CAP:,}): mean {statistics.mean(old):,.0f} tokens/paper")
    print(f"our budget (max_input_tokens={budget:,}):   mean {statistics.mean(ours):,.0f} tokens/paper")
    print(f"ratio ours/old = {statistics.mean(ours) / statistics.mean(old):.3f} (target <= 0.200)")
    print(f"papers whose budgeted text still holds the headline result and model name: {kept_facts}/{args.papers}")


if __name__ == "__main__":
    main()
