"""Backfill benchmark: the local engine against the ray engine (not a test).

`--papers` stand-in papers (default 500) over `--days` weekdays, served by the HF/arXiv stand-in (2-page PDFs,
no politeness delays: the bench measures the engines, not arXiv's pace) and summarized through the stand-in
OpenAI server at `--latency` seconds a call, `--concurrency` summarizer calls in flight. Three set-ups, each on
a fresh archive: `local` (this process), `ray` (a local Ray, `ray.init(num_cpus=2)`) and `cluster` (a simulated
3-node Ray cluster on this machine, `ray.cluster_utils.Cluster`, one CPU a node). All run on the same cores, so
`cluster` shows the engine's overhead across nodes, not a real cluster's speed-up. Per set-up it prints:

- papers/min over the whole backfill (listing, fetching, reading, summarizing, checking, storing, Markdown);
- the driver's CPU: its CPU seconds (this process, threads included) per paper and as a share of one core;
- the writer: the seconds the driver spent in archive writes (`Store` calls that write), per paper, and the
  rate one writer could sustain at that cost (papers/s) — where the single writer becomes the limit.

Run: python bench/backfill.py [--papers 500] [--days 10] [--latency 0.5] [--concurrency 16]
                              [--setups local,ray,cluster]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import functools
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.papergen import make_paper  # noqa: E402
from tests.rayhelp import weekdays  # noqa: E402
from tests.standins.hf_arxiv import HfArxivStandIn  # noqa: E402
from tests.standins.openai_server import OpenAIStandIn  # noqa: E402

from dailypapers.api import arun  # noqa: E402
from dailypapers.config import EditionSetting, Settings  # noqa: E402
from dailypapers.store import Store  # noqa: E402

FIRST = dt.date(2026, 6, 1)
WRITES = ("upsert_papers", "save_document", "save_summary", "acquire_lease", "release_lease", "update_digest",
          "save_run", "save_health")
OBJECT_STORE = 200 * 2**20


class WriterClock:
    """Seconds spent in the archive's writing calls (this process is the only writer)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0
        self._saved: dict[str, Callable[..., Any]] = {}

    def __enter__(self) -> WriterClock:
        for name in WRITES:
            original = getattr(Store, name)
            self._saved[name] = original

            @functools.wraps(original)
            def timed(*args: Any, __original: Callable[..., Any] = original, **kwargs: Any) -> Any:
                t0 = time.perf_counter()
                try:
                    return __original(*args, **kwargs)
                finally:
                    self.seconds += time.perf_counter() - t0
                    self.calls += 1

            setattr(Store, name, timed)
        return self

    def __exit__(self, *exc: object) -> None:
        for name, original in self._saved.items():
            setattr(Store, name, original)


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def one(setup: str, hf: HfArxivStandIn, llm: OpenAIStandIn, days: list[dt.date], papers: int, concurrency: int,
        tmp: Path) -> None:
    import ray

    cluster = None
    if setup == "ray":
        ray.init(num_cpus=2, object_store_memory=OBJECT_STORE, include_dashboard=False, log_to_driver=False)
    elif setup == "cluster":
        from ray.cluster_utils import Cluster

        cluster = Cluster(initialize_head=True, head_node_args={
            "num_cpus": 1, "object_store_memory": OBJECT_STORE // 2, "include_dashboard": False})
        for _ in range(2):
            cluster.add_node(num_cpus=1, object_store_memory=OBJECT_STORE // 2)
        cluster.wait_for_nodes()
        ray.init(address=cluster.address, log_to_driver=False)
    settings = Settings(db=tmp / f"{setup}.db", out_dir=tmp / setup, publishers=["markdown"],
                        llm_base_url=llm.base_url, llm_model="standin-model", embedder="off", concurrency=concurrency,
                        **{**hf.settings_kwargs(), "fulltext_burst": 0, "http_retries": 0})
    calls = llm.calls
    try:
        with WriterClock() as writer:
            c0, t0 = cpu(), time.perf_counter()
            health = asyncio.run(arun(settings, days=days, editions=[EditionSetting(source="hf", lang="en")],
                                      deliver=False, command="backfill", engine="local" if setup == "local" else "ray"))
            wall, driver = time.perf_counter() - t0, cpu() - c0
    finally:
        if setup != "local":
            ray.shutdown()
        if cluster is not None:
            cluster.shutdown()
    done = sum(e.summarized for e in health.editions)
    print(f"{setup:8} {done}/{papers} summarized ({llm.calls - calls} LLM calls) in {wall:.1f} s: "
          f"{60 * done / wall:.0f} papers/min; driver CPU {driver:.1f} s = {1000 * driver / papers:.0f} ms/paper, "
          f"{100 * driver / wall:.0f}% of one core; writer {writer.seconds:.2f} s in {writer.calls} writes = "
          f"{1000 * writer.seconds / papers:.1f} ms/paper, one writer keeps up with "
          f"{papers / writer.seconds:.0f} papers/s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=500)
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--setups", default="local,ray,cluster")
    args = parser.parse_args()
    days = weekdays(FIRST, args.days)
    per_day = -(-args.papers // args.days)
    with HfArxivStandIn() as hf, OpenAIStandIn(latency_base=args.latency) as llm, \
            tempfile.TemporaryDirectory() as tmp:
        made = 0
        for d, day in enumerate(days):
            for i in range(min(per_day, args.papers - made)):
                hf.add_paper(make_paper(f"2606.{10000 + 1000 * d + i:05d}", pages=2), day=day, upvotes=per_day - i)
                made += 1
        print(f"{made} papers over {len(days)} days, LLM latency {args.latency} s, concurrency {args.concurrency}; "
              f"ideal (LLM-bound) {made * args.latency / args.concurrency:.1f} s = "
              f"{60 * args.concurrency / args.latency:.0f} papers/min", flush=True)
        for setup in args.setups.split(","):
            one(setup, hf, llm, days, made, args.concurrency, Path(tmp))


if __name__ == "__main__":
    main()
