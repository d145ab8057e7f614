"""The main job: fetch -> full text -> summarize -> verify -> store -> publish. The only module that knows the order.

Each paper walks through the stages as its own task. Downloads and LLM calls have separate concurrency limits, so
LLM slots stay busy while other papers download. Every paper ends `ok`, `flagged`, `failed: <reason>` or
`skipped: <reason>`; nothing is dropped. Texts and summaries are cached in the store, so a re-run of a finished day
makes no LLM call, and a re-run after failures redoes only what is not done.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dailypapers.errors import DailyPapersError, FetchError, SummarizeError
from dailypapers.models import (
    DEFAULT_LABELS,
    Claim,
    Digest,
    Document,
    Entry,
    Outcome,
    Paper,
    RunReport,
    Status,
    Summary,
    Usage,
)
from dailypapers.store import Store
from dailypapers.summarize.base import Summarizer, cache_key

STAGES = ("fulltext", "summarize", "verify")  # progress bars; a failure names "fetch" when the network failed

FetchDocument = Callable[[Paper], Awaitable[Document]]
PrepareText = Callable[[Document], str]
Verify = Callable[[Summary, Document], list[Claim]]
OnProgress = Callable[[str, str], None]  # (stage, paper_id) when a paper finishes a stage


@dataclass(frozen=True)
class Budget:
    """A hard cap per run: no new LLM call starts once either limit is reached."""

    max_cost: float | None = None
    max_tokens: int | None = None

    def exhausted(self, used: Usage) -> bool:
        if self.max_cost is not None and used.cost >= self.max_cost:
            return True
        return self.max_tokens is not None and used.total_tokens >= self.max_tokens


@dataclass
class Job:
    """What one run needs. The stage callables are injected so each can be swapped (tests, other sources)."""

    day: dt.date
    papers: Sequence[Paper]
    store: Store
    summarizer: Summarizer
    fetch_document: FetchDocument
    prepare_text: PrepareText
    verify: Verify
    lang: str = "ko"
    labels: Sequence[str] = DEFAULT_LABELS
    force: bool = False
    fetch_concurrency: int = 4
    llm_concurrency: int = 4
    budget: Budget = field(default_factory=Budget)
    on_progress: OnProgress | None = None
    command: str = "digest"


@dataclass
class _Run:
    usage: Usage = field(default_factory=Usage)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass(frozen=True)
class PaperResult:
    outcome: Outcome
    summary: Summary | None = None
    key: str | None = None


async def run(job: Job) -> tuple[Digest, RunReport]:
    """Process every paper of the day, store the digest and the run report, and return both."""
    started = dt.datetime.now(dt.UTC)
    state = _Run()
    fetch_slots = asyncio.Semaphore(job.fetch_concurrency)
    llm_slots = asyncio.Semaphore(job.llm_concurrency)
    with job.store.transaction():
        for paper in job.papers:
            job.store.upsert_paper(paper)
    results = await asyncio.gather(*(_one(job, state, p, fetch_slots, llm_slots) for p in job.papers))
    ranked = _merge_day(job.store, job.day, [
        (Entry(paper=p, summary=r.summary), r.key) for p, r in zip(job.papers, results, strict=True)
    ])
    digest = Digest(date=job.day, entries=tuple(e for e, _ in ranked))
    report = RunReport(
        command=job.command,
        day=job.day,
        started_at=started,
        finished_at=dt.datetime.now(dt.UTC),
        outcomes=tuple(r.outcome for r in results),
        usage=state.usage,
    )
    with job.store.transaction():
        job.store.save_digest(digest, [k for _, k in ranked])
    job.store.save_run(report)
    return digest, report


def _merge_day(store: Store, day: dt.date, fresh: list[tuple[Entry, str | None]]) -> list[tuple[Entry, str | None]]:
    """This run's entries over the day already stored: a partial re-run (`--limit 3`) updates those three and
    keeps the rest of the day. Papers with votes rank by votes (ties by id); papers without keep their order."""
    previous = store.get_digest(day)
    if previous is None:
        return fresh
    keys = store.digest_summary_keys(day)
    seen = {e.paper.id for e, _ in fresh}
    combined = fresh + [(e, keys.get(e.paper.id)) for e in previous.entries if e.paper.id not in seen]

    def rank(item: tuple[int, tuple[Entry, str | None]]) -> tuple[int, int, str]:
        index, (entry, _) = item
        votes = entry.paper.upvotes
        return (0, -votes, entry.paper.id) if votes is not None else (1, index, "")

    return [pair for _, pair in sorted(enumerate(combined), key=rank)]


def _progress(job: Job, stage: str, paper_id: str) -> None:
    if job.on_progress is not None:
        job.on_progress(stage, paper_id)


async def _one(
    job: Job, state: _Run, paper: Paper, fetch_slots: asyncio.Semaphore, llm_slots: asyncio.Semaphore
) -> PaperResult:
    def end(status: Status, reason: str, stage: str) -> PaperResult:
        first = STAGES.index(stage) if stage in STAGES else 0  # "fetch" stops before "fulltext" too
        for s in STAGES[first:]:  # a paper that stops early still moves every progress bar to the end
            _progress(job, s, paper.id)
        return PaperResult(Outcome(paper_id=paper.id, status=status, reason=reason, stage=stage))

    # 1. full text: from the store, else fetched
    doc = job.store.get_text(paper.id)
    if doc is None:
        try:
            async with fetch_slots:
                doc = await job.fetch_document(paper)
        except FetchError as exc:
            return end("failed", _reason(exc), "fetch")
        except DailyPapersError as exc:  # PaperTextError above all
            return end("failed", _reason(exc), "fulltext")
        except Exception as exc:  # a bug or an unexpected library error must not take the whole day down
            return end("failed", f"unexpected error: {type(exc).__name__}: {exc}", "fulltext")
        job.store.save_text(doc)
    _progress(job, "fulltext", paper.id)

    # 2. summary: from the cache, else made (and verified, and regenerated once if needed)
    try:
        text = job.prepare_text(doc)
        key = cache_key(paper, text, job.summarizer, job.lang, job.labels)
    except Exception as exc:  # the same promise as above: one paper's bug never takes the day down
        return end("failed", f"unexpected error: {type(exc).__name__}: {exc}", "summarize")
    summary = None if job.force else job.store.get_summary(key)
    if summary is None:
        try:
            summary = await _summarize(job, state, paper, text, doc, llm_slots)
        except _BudgetReached:
            return end("skipped", "budget", "summarize")
        except SummarizeError as exc:
            return end("failed", exc.reason, "summarize")
        except Exception as exc:
            return end("failed", f"unexpected error: {type(exc).__name__}: {exc}", "summarize")
        job.store.save_summary(summary, key)
    else:
        _progress(job, "summarize", paper.id)
    _progress(job, "verify", paper.id)
    if summary.unsupported:
        shown = "; ".join(c.text for c in summary.unsupported[:5])
        return PaperResult(Outcome(paper_id=paper.id, status="flagged", reason=f"unsupported: {shown}",
                                   stage="verify"), summary, key)
    return PaperResult(Outcome(paper_id=paper.id, status="ok"), summary, key)


class _BudgetReached(Exception):
    pass


async def _summarize(
    job: Job, state: _Run, paper: Paper, text: str, doc: Document, llm_slots: asyncio.Semaphore
) -> Summary:
    """Summarize and verify; if a claim is not in the paper, ask once more with those claims named."""
    summary = await _call(job, state, paper, text, llm_slots, feedback=())
    _progress(job, "summarize", paper.id)
    summary = _checked(job, summary, doc)
    unsupported = [c.text for c in summary.unsupported]
    if not unsupported:
        return summary
    try:
        second = _checked(job, await _call(job, state, paper, text, llm_slots, feedback=unsupported), doc)
    except (SummarizeError, _BudgetReached):
        return summary  # the first, flagged summary is still worth showing, marked
    return second if len(second.unsupported) <= len(summary.unsupported) else summary


async def _call(
    job: Job, state: _Run, paper: Paper, text: str, llm_slots: asyncio.Semaphore, feedback: Sequence[str]
) -> Summary:
    async with llm_slots:
        async with state.lock:
            if job.budget.exhausted(state.usage):
                raise _BudgetReached
        try:
            result = await job.summarizer.summarize(paper, text, lang=job.lang, labels=job.labels,
                                                    feedback=feedback)
        except SummarizeError as exc:
            if exc.usage is not None:
                async with state.lock:
                    state.usage = state.usage + exc.usage
            raise
        async with state.lock:
            state.usage = state.usage + result.usage
    return result.summary


def _checked(job: Job, summary: Summary, doc: Document) -> Summary:
    return summary.model_copy(update={"claims": tuple(job.verify(summary, doc))})


def _reason(exc: Exception) -> str:
    msg = getattr(exc, "reason", None) or str(exc)
    return " ".join(str(msg).split())[:200]


def write_atomic(path: Path, text: str) -> None:
    """Write the file whole or not at all: a crash mid-write never leaves half a digest."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def default_out_path(day: dt.date, root: Path | None = None) -> Path:
    return (root or Path.cwd()) / "digests" / f"{day:%Y}" / f"{day:%m}" / f"{day:%d}.md"
