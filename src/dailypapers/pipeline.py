"""The driver of a run: plan -> work -> commit. The only module that knows the order of the stages:

    sources (list) -> fetch (documents) -> work (budget, summarize, verify) -> store -> publish

- Plan: the papers are stored, and each paper's stored document and cached summary are looked up.
- Work: a paper without a document is fetched (`fetch_stage`); a paper without a cached summary goes through
  `work.summarize_paper`, which touches no storage. Downloads and summarizer calls have their own
  concurrency limits, so summarizer slots stay busy while other papers download.
- Commit: this coroutine is the archive's only writer: documents and summaries are saved as they arrive
  (a crash loses no finished work), the day's entries are merged in one write transaction, the run is
  recorded, and the publishers write their outputs.
- Concurrent runs (two crons, a backfill beside the daily run) share the archive: before summarizing a paper a
  run takes a lease on its cache key; a run that finds the lease held waits and then takes the summary the
  other run stored, so no paper is paid for twice, and the day merge never drops the other run's entries.

Every paper ends `ok`, `flagged`, `failed: <reason>` or `skipped: <reason>`; nothing is dropped. A re-run of
a finished day makes no summarizer call; a re-run after failures redoes only what is not done.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from dailypapers.errors import DailyPapersError, FetchError, StoreError
from dailypapers.events import (
    PROGRESS_STAGES,
    Events,
    PaperDone,
    ProgressStage,
    Published,
    RunDone,
    RunStarted,
    StageDone,
)
from dailypapers.models import (
    DEFAULT_SOURCE,
    Digest,
    Document,
    Edition,
    Entry,
    Outcome,
    Paper,
    RunReport,
    Stage,
    Summary,
    Usage,
)
from dailypapers.publish.base import PublishContext, Publisher
from dailypapers.store import KeyedEntries, Store
from dailypapers.summarize.base import Summarizer, WarmsUp
from dailypapers.text import clip
from dailypapers.work import CapReached, WorkResult, WorkSpec, cache_key, outcome_of, summarize_paper

FetchDocument = Callable[[Paper], Awaitable[Document]]
MAX_REASON = 200
LEASE_TTL = 900.0  # seconds: longer than any paper's summarize-verify-regenerate (deadlines included)
LEASE_POLL = 0.25  # seconds between looks at a lease another run holds


@dataclass(frozen=True)
class Caps:
    """A run's hard caps on what its summarizer calls cost (`max_cost`, `max_tokens`; the token budget of the
    text one paper's call reads is another thing, `documents.budget`): a call starts only if what is spent,
    what calls in flight may still spend, and its own estimate stay within both."""

    max_cost: float | None = None
    max_tokens: int | None = None

    def allows(self, committed: Usage, estimate: Usage) -> bool:
        total = committed + estimate
        if self.max_cost is not None and (committed.cost >= self.max_cost or total.cost > self.max_cost):
            return False
        return self.max_tokens is None or (
            committed.total_tokens < self.max_tokens and total.total_tokens <= self.max_tokens)


@dataclass(frozen=True)
class Job:
    """One run: an edition's papers (ranked), what the work on each needs, and how the run is bounded."""

    day: dt.date
    papers: tuple[Paper, ...]
    spec: WorkSpec
    source: str = DEFAULT_SOURCE  # the edition's source name (`Source.edition`)
    force: bool = False
    concurrency: int = 4
    caps: Caps = field(default_factory=Caps)
    command: str = "digest"

    @property
    def edition(self) -> Edition:
        return Edition(day=self.day, source=self.source, lang=self.spec.lang)


async def fetch_stage(paper: Paper, fetch: FetchDocument) -> Document | Outcome:
    """A paper's document, or the failed outcome that says why not. One paper's problem, even a library's
    crash, never escapes: the caller's other papers go on."""
    try:
        return await fetch(paper)
    except FetchError as exc:
        return _failed(paper.id, reason(exc), "fetch")
    except DailyPapersError as exc:  # PaperTextError above all
        return _failed(paper.id, reason(exc), "read")
    except Exception as exc:
        return _failed(paper.id, f"unexpected error: {type(exc).__name__}: {exc}", "read")


async def run(
    job: Job,
    *,
    store: Store,
    summarizer: Summarizer,
    fetch: FetchDocument,
    publishers: Sequence[Publisher] = (),
    publish_context: PublishContext | None = None,
    events: Events | None = None,
) -> tuple[Digest, RunReport]:
    """Process every paper of the day, store the digest and the run report, publish, and return both."""
    events = events or Events()
    started = dt.datetime.now(dt.UTC)
    events.emit(RunStarted(job.command, job.day, job.source, job.spec.lang, job.papers))
    with store.transaction():
        for paper in job.papers:
            store.upsert_paper(paper)
    meter = _RunMeter(job.caps, job.concurrency)
    fetch_slots = asyncio.Semaphore(job.concurrency)
    holder = lease_holder()
    warming = _warm_up(summarizer, store, job.papers)

    async def one(paper: Paper) -> tuple[Outcome, str | None]:
        outcome, key = await _one(job, paper, store, summarizer, fetch, fetch_slots, meter, events, holder)
        events.emit(PaperDone(outcome))
        return outcome, key

    results = await asyncio.gather(*(one(p) for p in job.papers))
    if warming is not None:
        with contextlib.suppress(Exception):  # a failed warm-up showed again as the papers' reasons
            await warming
    fresh = [(Entry(paper=p), key) for p, (_, key) in zip(job.papers, results, strict=True)]
    digest = store.update_digest(job.edition, lambda stored: merge_entries(fresh, stored))
    outputs, problems = publish(digest, publishers, publish_context, events)
    report = RunReport(
        command=job.command,
        day=job.day,
        source=job.source,
        lang=job.spec.lang,
        started_at=started,
        finished_at=dt.datetime.now(dt.UTC),
        outcomes=tuple(o for o, _ in results),
        usage=meter.used,
        outputs=tuple(outputs),
        publish_errors=tuple(problems),
    )
    report = report.model_copy(update={"run_id": store.save_run(report)})
    events.emit(RunDone(report))
    return digest, report


async def _one(
    job: Job, paper: Paper, store: Store, summarizer: Summarizer, fetch: FetchDocument,
    fetch_slots: asyncio.Semaphore, meter: _RunMeter, events: Events, holder: str,
) -> tuple[Outcome, str | None]:
    """One paper through the stages; returns its outcome and the key of the summary its entry shows."""

    def stage(name: ProgressStage) -> None:
        events.emit(StageDone(name, paper.id))

    def stopped(outcome: Outcome) -> tuple[Outcome, None]:
        for name in PROGRESS_STAGES:  # a paper that stops early still moves every progress bar to the end
            stage(name)
        return outcome, None

    # fetch: the stored document, else the network (or a file)
    document = store.get_document(paper.id)
    if document is None:
        async with fetch_slots:
            fetched = await fetch_stage(paper, fetch)
        if isinstance(fetched, Outcome):
            return stopped(fetched)
        document = fetched
        try:
            store.save_document(document)
        except StoreError as exc:
            return stopped(_failed(paper.id, reason(exc), "store"))
    stage("fetch")

    # summarize + verify: the cached summary, else the work step
    key = cache_key(paper, document, job.spec, summarizer)
    cached = None if job.force else store.get_summary(key)
    if cached is None:
        cached = await _take_lease(store, key, holder, force=job.force)
    if cached is not None:
        stage("summarize")
        stage("verify")
        return outcome_of(paper.id, cached), key
    try:
        result: WorkResult = await summarize_paper(paper, document, job.spec, summarizer, meter=meter,
                                                   on_stage=stage)
        if result.summary is None:
            return result.outcome, None
        try:
            store.save_summary(result.summary, key)
        except StoreError as exc:
            return _failed(paper.id, reason(exc), "store"), None
        return result.outcome, key
    finally:
        store.release_lease(key, holder)


async def _take_lease(store: Store, key: str, holder: str, *, force: bool) -> Summary | None:
    """Wait until this run may summarize `key`. When another run stored the summary meanwhile (while this one
    waited, or between this run's cache lookup and its lease), that summary is returned and nothing is to be
    done, unless the run is forced to summarize again."""
    while not store.acquire_lease(key, holder, LEASE_TTL, alive=holder_alive):
        await asyncio.sleep(LEASE_POLL)
    done = None if force else store.get_summary(key)
    if done is not None:
        store.release_lease(key, holder)
    return done


def lease_holder() -> str:
    """This run's name on its leases: host, process, and a nonce (two runs in one process differ)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def holder_alive(holder: str) -> bool:
    """Whether a lease holder may still run: on this host, its process exists; elsewhere, trust the expiry."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True


class _RunMeter:
    """The run's summarizer slots and caps: a call starts only with a free slot and room under the caps."""

    def __init__(self, caps: Caps, slots: int) -> None:
        self.caps = caps
        self.used = Usage()
        self._reserved: list[Usage] = []  # the estimates of the calls in flight
        self._slots = asyncio.Semaphore(slots)

    async def acquire(self, estimate: Usage) -> None:
        await self._slots.acquire()
        committed = sum(self._reserved, self.used)
        if not self.caps.allows(committed, estimate):
            self._slots.release()
            raise CapReached
        self._reserved.append(estimate)

    def release(self, estimate: Usage, usage: Usage) -> None:
        self._reserved.remove(estimate)
        self.used = self.used + usage
        self._slots.release()


def _warm_up(summarizer: Summarizer, store: Store, papers: Sequence[Paper]) -> asyncio.Task[None] | None:
    """Let the summarizer get ready (e.g. load its SDK) while documents download, when some must: a re-run of
    a finished day, whose documents are all stored, does not pay for it."""
    if not isinstance(summarizer, WarmsUp) or not papers:
        return None
    if store.stored_documents([p.id for p in papers]) >= {p.id for p in papers}:
        return None
    return asyncio.create_task(summarizer.warm_up())


def merge_entries(fresh: KeyedEntries, stored: KeyedEntries) -> KeyedEntries:
    """This run's entries over the day already stored, ranked.

    A partial re-run (`--limit 3`) updates those three and keeps the rest of the day. A paper this run could
    not summarize keeps the summary it had: a failed or skipped re-run never blanks a published summary.
    Papers with votes rank by votes (ties by id); papers without keep their order, after them."""
    before = {e.paper.id: key for e, key in stored}
    seen = {e.paper.id for e, _ in fresh}
    combined = [(e, key if key is not None else before.get(e.paper.id)) for e, key in fresh]
    combined += [(e, key) for e, key in stored if e.paper.id not in seen]

    def rank(item: tuple[int, tuple[Entry, str | None]]) -> tuple[int, int, str]:
        index, (entry, _) = item
        votes = entry.paper.upvotes
        return (0, -votes, entry.paper.id) if votes is not None else (1, index, "")

    return [pair for _, pair in sorted(enumerate(combined), key=rank)]


def publish(
    digest: Digest, publishers: Sequence[Publisher], ctx: PublishContext | None, events: Events
) -> tuple[list[str], list[str]]:
    """Run every publisher; returns what they wrote and their problems: one that fails is reported and does
    not stop the others."""
    outputs: list[str] = []
    problems: list[str] = []
    if ctx is None:
        return outputs, problems
    for publisher in publishers:
        try:
            written = publisher.publish(digest, ctx)
        except DailyPapersError as exc:
            problems.append(f"{publisher.name}: {reason(exc)}")
            continue
        except Exception as exc:  # a plug-in's bug: the digest is stored, the other outputs still get written
            problems.append(f"{publisher.name}: unexpected error: {type(exc).__name__}: {clip(str(exc), 160)}")
            continue
        for target in written:
            outputs.append(target)
            events.emit(Published(publisher.name, target))
    return outputs, problems


def _failed(paper_id: str, why: str, stage: Stage) -> Outcome:
    return Outcome(paper_id=paper_id, status="failed", reason=clip(why, MAX_REASON), stage=stage)


def reason(exc: Exception) -> str:
    """An exception as one short line: its `reason` when it has one, else its message."""
    return clip(str(getattr(exc, "reason", None) or exc), MAX_REASON)
