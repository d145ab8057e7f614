"""Summarizer speed, printed as ratios (not a test).

1. Extractive: papers per second on 8-page synthetic papers (no issue sets a target; for reference).
2. LLM client overhead and concurrency: the stand-in server with a fixed latency model; N papers run
   concurrently through one LLMSummarizer should take about one paper's time, not N.

Run: python bench/summarize.py
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]  # run from a checkout, installed or not

from tests.papergen import make_paper  # noqa: E402
from tests.standins.openai_server import OpenAIStandIn  # noqa: E402

from dailypapers.models import DEFAULT_LABELS, Paper  # noqa: E402
from dailypapers.summarize.extractive import ExtractiveSummarizer  # noqa: E402
from dailypapers.summarize.llm import LLMSummarizer  # noqa: E402

PAPERS = 40
CONCURRENT = 8


async def extractive() -> None:
    synths = [make_paper(f"2504.{i:05d}", pages=8, seed=i) for i in range(PAPERS)]
    items = [(Paper(id=s.arxiv_id, title=s.title, abstract=s.abstract), s.text()) for s in synths]
    summarizer = ExtractiveSummarizer()
    started = time.perf_counter()
    for paper, text in items:
        await summarizer.summarize(paper, text, lang="ko", labels=DEFAULT_LABELS)
    rate = PAPERS / (time.perf_counter() - started)
    print(
        f"extractive: {rate:.1f} papers/s on 8-page papers"
    )


async def llm() -> None:
    synths = [make_paper(f"2504.{i:05d}", pages=8, seed=i) for i in range(CONCURRENT)]
    items = [(Paper(id=s.arxiv_id, title=s.title, abstract=s.abstract), s.text()) for s in synths]
    with OpenAIStandIn(latency_base=0.2, latency_per_token=0.0005) as server:
        summarizer = LLMSummarizer(model="standin", base_url=server.base_url, timeout=10, max_retries=0)
        # warm-up: the first call loads the openai SDK and opens a connection; neither is what we measure
        await summarizer.summarize(*items[0], lang="ko", labels=DEFAULT_LABELS)
        started = time.perf_counter()
        await summarizer.summarize(*items[0], lang="ko", labels=DEFAULT_LABELS)
        one = time.perf_counter() - started
        started = time.perf_counter()
        await asyncio.gather(
            *(summarizer.summarize(p, t, lang="ko", labels=DEFAULT_LABELS) for p, t in items)
        )
        many = time.perf_counter() - started
        await summarizer.aclose()
    print(
        f"llm (stand-in, 0.2 s + 0.5 ms/token): 1 paper {one:.3f} s; {CONCURRENT} concurrent {many:.3f} s; "
        f"concurrency speed-up {CONCURRENT * one / many:.2f}x of {CONCURRENT}x ideal "
        f"(ratio {one * CONCURRENT / many / CONCURRENT:.2f})"
    )


if __name__ == "__main__":
    asyncio.run(extractive())
    asyncio.run(llm())
