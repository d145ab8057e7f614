"""The driver: plan -> work -> commit for one edition (`run`), and the daily loop over days and editions
(`daily`). The only module that knows the order of the stages:

    sources (list) -> fetch (documents) -> work (budget, summarize, verify) -> store -> publish
    daily: each day and edition digested and published -> the site once -> each edition delivered -> health

It sits below the publishers, the notifiers and the plug-in registry: what it needs of them (fetch a document,
publish a digest, deliver an edition) is handed in as a function or a `Daily`, built by `api` from settings.

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
- The fetch-and-store step (`stored_document`) is the same for a digest and for the fetch and verify
  commands (`fetch_documents`).

Every paper ends `ok`, `flagged`, `failed: <reason>` or `skipped: <reason>`; nothing is dropped. A re-run of
a finished day makes no summarizer call; a re-run after failures redoes only what is not done.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from dailypapers.codehash import package_hash
from dailypapers.documents import content_hash
from dailypapers.errors import (
    MAX_REASON,
    DailyPapersError,
    FetchError,
    InputError,
    PublishError,
    StoreError,
    reason,
)
from dailypapers.events import (
    PROGRESS_STAGES,
    Events,
    PaperDone,
    ProgressStage,
    RunDone,
    RunStarted,
    StageDone,
)
from dailypapers.health import ChannelHealth, EditionHealth, HealthReport, edition_health, explain_no_papers
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
    VersionChange,
)
from dailypapers.store import KeyedEntries, Store
from dailypapers.summarize.base import Judges, Summarizer, WarmsUp
from dailypapers.text import clip
from dailypapers.work import (
    GROUNDING_VERSION,
    CapReached,
    Meter,
    OnStage,
    WorkResult,
    WorkSpec,
    cache_key,
    hashed_cache_key,
    legacy_cache_key,
    outcome_of,
    recheck,
    summarize_paper,
)

FetchDocument = Callable[[Paper], Awaitable[Document]]
# the fetch stage of one paper: its document, or the failed outcome that says why not (`fetch_stage`)
FetchStage = Callable[[Paper], Awaitable[Document | Outcome]]
# What publishing a stored digest wrote (paths or URLs) and its problems (`publish.base.publish_all`).
Publish = Callable[[Digest], tuple[Sequence[str], Sequence[str]]]
# told a paper's id and the key of the summary its entry will show, as soon as that summary is stored
Summarized = Callable[[str, str], None]
# the edition's synthesis, given what the run spent so far: returns what its call cost
Synthesize = Callable[[Digest, Usage], Awaitable[Usage]]
LEASE_TTL = 900.0  # seconds: longer than any paper's summarize-verify-regenerate (deadlines included)
LEASE_POLL = 0.25  # seconds between looks at a lease another run holds
AHEAD = 2  # papers under way per summarizer slot: one in the slot, one fetched and waiting for it


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

    def less(self, used: Usage) -> Caps | None:
        """What is left of the caps once `used` is spent (the next edition of a run that shares them); None
        when a cap is reached."""
        if self.max_cost is not None and used.cost >= self.max_cost:
            return None
        if self.max_tokens is not None and used.total_tokens >= self.max_tokens:
            return None
        return Caps(max_cost=None if self.max_cost is None else self.max_cost - used.cost,
                    max_tokens=None if self.max_tokens is None else self.max_tokens - used.total_tokens)


class RunMeter(Meter, Protocol):
    """A run's meter as the driver sees it: what the run's calls have cost so far, and an end."""

    @property
    def used(self) -> Usage: ...

    def close(self) -> None:
        """The run is over: nothing more is metered."""
        ...


class Workers(Protocol):
    """Where the work on a run's papers happens (an engine's, `engines`): the fetch stage and the work step. The
    driver plans, takes leases and alone writes the archive; workers touch no storage and return what they made.
    `LocalWorkers` does it in this process; the ray engine on a cluster."""

    def meter(self, caps: Caps, slots: int) -> RunMeter:
        """The run's summarizer slots and caps (one meter for every worker)."""
        ...

    async def fetch(self, paper: Paper) -> Document | Outcome:
        """The paper's document, fetched and read, or the failed outcome that says why not (`fetch_stage`)."""
        ...

    async def work(self, paper: Paper, document: Document, spec: WorkSpec, meter: RunMeter,
                   on_stage: OnStage) -> WorkResult:
        """`work.summarize_paper` for this paper, metered by `meter`."""
        ...


class LocalWorkers:
    """The work in this process: this run's fetch and summarizer (the `local` engine)."""

    def __init__(self, summarizer: Summarizer, fetch: FetchDocument) -> None:
        self.summarizer, self._fetch = summarizer, fetch

    def meter(self, caps: Caps, slots: int) -> RunMeter:
        return SlotMeter(caps, slots)

    async def fetch(self, paper: Paper) -> Document | Outcome:
        return await fetch_stage(paper, self._fetch)

    async def work(self, paper: Paper, document: Document, spec: WorkSpec, meter: RunMeter,
                   on_stage: OnStage) -> WorkResult:
        return await summarize_paper(paper, document, spec, self.summarizer, meter=meter, on_stage=on_stage)


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
    in_order: bool = False  # `papers` are in the edition's order already (ranked by interest), not by votes

    @property
    def edition(self) -> Edition:
        return Edition(day=self.day, source=self.source, lang=self.spec.lang)


@dataclass(frozen=True)
class Finish:
    """What a run's outputs are made from besides its job, as the layers above know it, for the re-run of a
    finished edition (`run`): `inputs`, the settings and options the publishers and the synthesis follow (any
    text: it is hashed); `settled`, asked once the run has published, whether it left nothing undone beyond
    its papers' outcomes (the synthesis made when one is wanted, the papers embedded)."""

    inputs: str
    settled: Callable[[], bool] = lambda: True


_T = TypeVar("_T")


def run_to_end(main: Coroutine[Any, Any, _T]) -> _T:
    """`asyncio.run(main)`, without formatting what `main` returns. When the loop closes, asyncio puts back the
    interrupt handler, and `signal` turns the one it took off (asyncio's, which holds the main task) into an
    error message it then drops: the repr of the finished task, its result with it. A day's digest, its
    documents, is tens of milliseconds of repr at 50 papers, and ten times that at 500; here the main task
    returns nothing."""
    done: list[_T] = []

    async def keep() -> None:
        done.append(await main)

    asyncio.run(keep())
    return done[0]


def fingerprint(job: Job, summarizer: Summarizer, finish: Finish) -> str:
    """What a run of `job` is given, hashed: the papers as listed (in order, with their votes and versions), the
    edition and the work's spec, the summarizer, the checker's version, the code, and `finish.inputs`. Two
    runs with one fingerprint over one stored edition (`Store.edition_state`) make the same outputs."""
    material = {
        "papers": [p.model_dump(mode="json") for p in job.papers],
        "edition": [job.day.isoformat(), job.source, job.spec.lang, job.in_order],
        "spec": [list(job.spec.labels), job.spec.max_input_tokens],
        "summarizer": [summarizer.name, summarizer.prompt_version,
                       isinstance(summarizer, Judges) and summarizer.judging],
        "grounding": GROUNDING_VERSION,
        "code": package_hash(),  # a finished edition is done only by the code that finished it
        "inputs": finish.inputs,
    }
    blob = json.dumps(material, sort_keys=True, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return hashlib.sha256(blob).hexdigest()


def _file_hash(path: str) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


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


async def stored_document(paper: Paper, store: Store, fetch: FetchStage, slots: asyncio.Semaphore, *,
                          refetch: bool = False) -> Document | Outcome:
    """The one fetch-and-store step: the archive's document (unless `refetch`), else fetched within `slots`
    (`fetch`: `fetch_stage` here, or on an engine's worker) and stored at once; or the failed outcome (fetch,
    read or store) that says why not."""
    found = None if refetch else store.get_document(paper.id)
    if found is not None:
        return found
    async with slots:
        fetched = await fetch(paper)
    if isinstance(fetched, Outcome):
        return fetched
    try:
        store.save_document(fetched)
    except StoreError as exc:
        return _failed(paper.id, reason(exc), "store")
    return fetched


async def fetch_documents(
    papers: Sequence[Paper], store: Store, fetch: FetchDocument, *, concurrency: int, refetch: bool = False,
    events: Events | None = None,
) -> dict[str, Document | Outcome]:
    """The fetch stage alone (the `fetch` and `verify` commands): the papers stored, then each one's document
    through `stored_document`, concurrently; paper id -> its document or why there is none."""
    events = events or Events()
    with store.transaction():
        for paper in papers:
            store.upsert_paper(paper)
    slots = asyncio.Semaphore(concurrency)

    async def one(paper: Paper) -> Document | Outcome:
        found = await stored_document(paper, store, lambda p: fetch_stage(p, fetch), slots, refetch=refetch)
        events.emit(PaperDone(fetch_outcome(paper, found)))
        return found

    results = await asyncio.gather(*(one(p) for p in papers))
    return {p.id: r for p, r in zip(papers, results, strict=True)}


def fetch_outcome(paper: Paper, found: Document | Outcome) -> Outcome:
    """The fetch stage's outcome of a paper: ok when its document is in the archive."""
    return found if isinstance(found, Outcome) else Outcome(paper_id=paper.id, status="ok", stage="fetch")


async def run(
    job: Job,
    *,
    store: Store,
    summarizer: Summarizer,
    fetch: FetchDocument,
    publish: Publish | None = None,
    events: Events | None = None,
    synthesize: Synthesize | None = None,
    workers: Workers | None = None,
    finish: Finish | None = None,
    summarized: Summarized | None = None,
) -> tuple[Digest, RunReport]:
    """Process every paper of the day, store the digest, make its synthesis (`synthesize`, given what the run
    spent so far; it returns what its call cost), publish, store the run report, and return both. `workers`:
    where the fetching and the work step run (default: here, with `summarizer` and `fetch`); this coroutine
    still plans and writes. `summarized` is told each paper's summary key as soon as it is stored (or found
    cached), before the day is merged at the end (`api` embeds the paper then, while the others are summarized).

    With `finish`, a run that leaves the edition finished (every paper ok or flagged, every output written,
    `finish.settled()`) records it (`Store.record_finished`); a later run, unless forced, given the same
    (`fingerprint`), over the same stored edition (`Store.edition_state`), whose output files are as that run
    wrote them, does nothing again: it reads the edition, records a run with the same outcomes and returns, in
    a few queries whatever the number of papers."""
    events = events or Events()
    started = dt.datetime.now(dt.UTC)
    events.emit(RunStarted(job.command, job.day, job.source, job.spec.lang, job.papers))
    given = fingerprint(job, summarizer, finish) if finish is not None else None
    if given is not None and not job.force:
        unchanged = _unchanged(job, store, given)
        if unchanged is not None:
            return _again(job, store, unchanged, started, events)
    store.upsert_papers(job.papers)
    done = _done(job, store, summarizer)
    workers = workers or LocalWorkers(summarizer, fetch)
    meter = workers.meter(job.caps, job.concurrency)
    fetch_slots = asyncio.Semaphore(job.concurrency)
    holder = lease_holder()
    warming = _warm_up(summarizer, [p for p in job.papers if p.id not in done])
    # Papers under way at once (fetched or being fetched, waiting for or in a summarizer slot): enough to keep
    # the slots fed, few enough that a long day holds a bounded number of documents, not all of them.
    under_way = asyncio.Semaphore(AHEAD * job.concurrency)

    async def one(paper: Paper) -> tuple[Outcome, str | None]:
        if paper.id in done:  # its document stored, its summary cached: nothing to read, check or ask
            key, summary = done[paper.id]
            for name in PROGRESS_STAGES:
                events.emit(StageDone(name, paper.id))
            outcome: Outcome = outcome_of(paper.id, summary)
        else:
            async with under_way:
                outcome, key = await _one(job, paper, store, summarizer, workers, fetch_slots, meter, events,
                                          holder)
        if summarized is not None and key is not None:
            summarized(paper.id, key)
        events.emit(PaperDone(outcome))
        return outcome, key

    try:
        results = await asyncio.gather(*(one(p) for p in job.papers))
        used = meter.used
    finally:
        meter.close()
    if warming is not None:
        with contextlib.suppress(Exception):  # a failed warm-up showed again as the papers' reasons
            await warming
    fresh = [(Entry(paper=p), key) for p, (_, key) in zip(job.papers, results, strict=True)]
    digest = store.update_digest(job.edition, lambda stored: merge_entries(fresh, stored, in_order=job.in_order))
    used = used + (await synthesize(digest, used) if synthesize is not None else Usage())
    outputs, problems = publish(digest) if publish is not None else ((), ())
    report = RunReport(
        command=job.command,
        day=job.day,
        source=job.source,
        lang=job.spec.lang,
        started_at=started,
        finished_at=dt.datetime.now(dt.UTC),
        outcomes=tuple(o for o, _ in results),
        usage=used,
        outputs=tuple(outputs),
        publish_errors=tuple(problems),
    )
    report = report.model_copy(update={"run_id": store.save_run(report)})
    if given is not None and finish is not None:
        _record(job, store, given, finish, report)
    events.emit(RunDone(report))
    return digest, report


@dataclass(frozen=True)
class _Finished:
    """A finished edition found unchanged: its digest, its last finishing run's outcomes and outputs."""

    digest: Digest
    outcomes: tuple[Outcome, ...]
    outputs: tuple[str, ...]


def _unchanged(job: Job, store: Store, given: str) -> _Finished | None:
    """The finished edition, when a run of `job` has nothing to do: it was finished given the same, the archive
    holds it as that run left it, and the files that run wrote are unchanged. Else None."""
    edition = job.edition
    finished = store.finished_edition(edition)
    if finished is None or finished["fingerprint"] != given or finished["run_id"] is None:
        return None
    if store.edition_state(edition) != finished["state"]:
        return None
    if any(_file_hash(path) != digest for path, digest in finished["outputs"].items()):
        return None
    before = store.run_outcomes(finished["run_id"])
    outcomes = tuple(before.get(p.id) for p in job.papers)
    if any(o is None or o.status not in ("ok", "flagged") for o in outcomes):
        return None
    digest = store.get_digest(edition)
    if digest is None:
        return None
    return _Finished(digest, tuple(o for o in outcomes if o is not None), tuple(finished["outputs"]))


def _again(job: Job, store: Store, finished: _Finished, started: dt.datetime,
           events: Events) -> tuple[Digest, RunReport]:
    """The run of an unchanged finished edition: its papers' outcomes as they were, no call, nothing written
    but the run's record."""
    for outcome in finished.outcomes:
        for name in PROGRESS_STAGES:
            events.emit(StageDone(name, outcome.paper_id))
        events.emit(PaperDone(outcome))
    report = RunReport(command=job.command, day=job.day, source=job.source, lang=job.spec.lang, started_at=started,
                       finished_at=dt.datetime.now(dt.UTC), outcomes=finished.outcomes,
                       outputs=finished.outputs, unchanged=True)
    report = report.model_copy(update={"run_id": store.save_run(report)})
    events.emit(RunDone(report))
    return finished.digest, report


def _record(job: Job, store: Store, given: str, finish: Finish, report: RunReport) -> None:
    """Record the edition as finished by this run when it is (`run`), else forget any earlier record."""
    hashes = {path: _file_hash(path) for path in report.outputs}
    done = (report.run_id is not None and not report.publish_errors
            and all(o.status in ("ok", "flagged") for o in report.outcomes)
            and all(h is not None for h in hashes.values()) and finish.settled())
    try:
        if done and report.run_id is not None:
            store.record_finished(job.edition, fingerprint=given, run_id=report.run_id,
                                  outputs={p: h for p, h in hashes.items() if h is not None})
        else:
            store.forget_finished(job.edition)
    except StoreError:  # the next run does the work again: nothing is lost but time
        return


async def _one(
    job: Job, paper: Paper, store: Store, summarizer: Summarizer, workers: Workers,
    fetch_slots: asyncio.Semaphore, meter: RunMeter, events: Events, holder: str,
) -> tuple[Outcome, str | None]:
    """One paper through the stages; returns its outcome and the key of the summary its entry shows."""

    def stage(name: ProgressStage) -> None:
        events.emit(StageDone(name, paper.id))

    def stopped(outcome: Outcome) -> tuple[Outcome, None]:
        for name in PROGRESS_STAGES:  # a paper that stops early still moves every progress bar to the end
            stage(name)
        return outcome, None

    if not paper.title.strip():  # listed without its title (a damaged answer): not a paper to publish as is
        return stopped(_failed(paper.id, "the source listed it without a title (a damaged answer?): run again "
                                         "to list it anew", "list"))

    # fetch: the stored document, else the network (or a file)
    document = await stored_document(paper, store, workers.fetch, fetch_slots)
    if isinstance(document, Outcome):
        return stopped(document)
    stage("fetch")

    # summarize + verify: the cached summary, else the work step
    key = cache_key(paper, document, job.spec, summarizer)
    legacy = legacy_cache_key(paper, content_hash(document), job.spec, summarizer)
    cached = None if job.force else _stored(store, key, legacy, document)
    if cached is None:
        try:
            cached = await _take_lease(store, key, holder, force=job.force)
        except StoreError as exc:  # a lease is a write too: on a full disk this paper fails, the run goes on
            stage("summarize")
            stage("verify")
            return _failed(paper.id, reason(exc), "store"), None
    if cached is not None:
        stage("summarize")
        stage("verify")
        return outcome_of(paper.id, cached), key
    try:
        result: WorkResult = await workers.work(paper, document, job.spec, meter, stage)
        if result.summary is None:
            return result.outcome, None
        try:
            store.save_summary(result.summary, key)
        except StoreError as exc:
            return _failed(paper.id, reason(exc), "store"), None
        return result.outcome, key
    finally:
        # a lease left behind (the write failed) is taken over as soon as this process has ended
        with contextlib.suppress(StoreError):
            store.release_lease(key, holder)


def _stored(store: Store, key: str, legacy: str, document: Document) -> Summary | None:
    """The stored summary for `key` (or for the key it had while the grounding version was part of it), with
    its claims from this checker: a summary an older checker checked is checked again here, no LLM call, and
    stored so; None when there is none, or when the new check flags it (it is made again)."""
    found = store.get_summary(key) or store.get_summary(legacy)
    if found is None or found.grounding == GROUNDING_VERSION:
        return found
    again = recheck(found, document)
    if again is not None:
        with contextlib.suppress(StoreError):  # a full disk: the re-checked summary is still this run's
            store.save_summary(again, key)
    return again


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


class SlotMeter:
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

    def close(self) -> None:
        return None


def _done(job: Job, store: Store, summarizer: Summarizer) -> dict[str, tuple[str, Summary]]:
    """The papers this run has nothing to do for (none when forced): their document is stored and a summary is
    cached under the key this run would use. Paper id -> (key, summary), found in two queries without reading
    any document, so a re-run of a finished day costs the same whatever its documents weigh."""
    if job.force:
        return {}
    hashes = store.document_hashes([p.id for p in job.papers])
    keys = {p.id: hashed_cache_key(p, hashes[p.id], job.spec, summarizer) for p in job.papers
            if p.id in hashes and p.title.strip()}
    cached = store.get_summaries(sorted(set(keys.values())))
    # a summary an older checker checked is not done: the paper's own path checks it again (`_stored`)
    return {pid: (key, cached[key]) for pid, key in keys.items()
            if key in cached and cached[key].grounding == GROUNDING_VERSION}


def _warm_up(summarizer: Summarizer, todo: Sequence[Paper]) -> asyncio.Task[None] | None:
    """Let the summarizer get ready (e.g. load its SDK) while documents download, when some paper may need
    it: a re-run of a finished day does not pay for it."""
    if not isinstance(summarizer, WarmsUp) or not todo:
        return None
    return asyncio.create_task(summarizer.warm_up())


def merge_entries(fresh: KeyedEntries, stored: KeyedEntries, *, in_order: bool = False) -> KeyedEntries:
    """This run's entries over the day already stored, ranked.

    A partial re-run (`--limit 3`) updates those three and keeps the rest of the day. A paper this run could
    not summarize keeps the summary it had: a failed or skipped re-run never blanks a published summary.
    Papers with votes rank by votes (ties by id); papers without keep their order, after them. `in_order`: this
    run's papers keep their order (an interest ranking), the day's others after them."""
    before = {e.paper.id: key for e, key in stored}
    seen = {e.paper.id for e, _ in fresh}
    combined = [(e, key if key is not None else before.get(e.paper.id)) for e, key in fresh]
    combined += [(e, key) for e, key in stored if e.paper.id not in seen]

    def rank(item: tuple[int, tuple[Entry, str | None]]) -> tuple[int, int, str]:
        index, (entry, _) = item
        votes = entry.paper.upvotes
        if in_order:
            return (0 if entry.paper.id in seen else 1, index, "")
        return (0, -votes, entry.paper.id) if votes is not None else (1, index, "")

    return [pair for _, pair in sorted(enumerate(combined), key=rank)]


# -- the daily loop ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DailyEdition:
    """One configured edition of the daily run."""

    source: str  # as the settings name it: "hf", "arxiv:cs.CL", a folder
    name: str  # the edition's source name (`Source.edition`)
    lang: str


class Daily(Protocol):
    """What the daily loop asks of the layers above it. `api` makes one from settings: the sources and the
    summarizer, the publishers, the notifiers' channels and the ops targets."""

    async def digest(self, day: dt.date | None, edition: DailyEdition, caps: Caps) -> tuple[Digest | None, RunReport]:
        """List, digest, store and publish one edition under `caps` (`run`); None when it has no papers. Raises
        FetchError when the source cannot be asked, InputError, StoreError or PublishError."""
        ...

    def done(self, edition: Edition) -> bool:
        """Whether the edition is done: stored, every paper ok or flagged, nothing due on any channel."""
        ...

    def publish_archive(self, digests: Sequence[Digest]) -> tuple[int, Sequence[str], Sequence[str]] | None:
        """Run the publishers made from the whole archive (the site) once for these editions: the position of
        the edition their outputs belong to, what they wrote and their problems; None when there are none."""
        ...

    async def deliver(self, digest: Digest) -> tuple[Sequence[ChannelHealth], int, int]:
        """Deliver the edition on every channel: each channel's health, the papers every channel has delivered
        and the papers with a summary some channel has not."""
        ...

    async def send_ops(self, report: HealthReport) -> str | None:
        """Send the health report to the ops targets: their problems, or None."""
        ...


async def daily(
    plan: Daily,
    *,
    store: Store,
    days: Sequence[dt.date | None],
    editions: Sequence[DailyEdition],
    caps: Caps = Caps(),
    backfill: bool = False,
    force: bool = False,
    command: str = "run",
    events: Events | None = None,
) -> HealthReport:
    """The daily job: each day and edition digested and published, under what the run's `caps` leave (the
    editions of a range share them); then the publishers made from the whole archive once, so the messages
    link to pages that exist; then each edition delivered; then the health report sent to ops and stored.

    A backfill skips the editions already done unless `force`. One edition's failure (its source unreachable,
    a channel down) is reported in its health and the others go on; every edition is committed as it
    finishes, every delivery as it is made, so a killed run can be started again."""
    events = events or Events()
    started = dt.datetime.now(dt.UTC)
    results: list[EditionHealth] = []
    digests: list[tuple[int, Digest]] = []  # the editions to publish and deliver, by their place in `results`
    used = Usage()
    for day in days:
        for spec in editions:
            base = EditionHealth(day=day, source=spec.name, lang=spec.lang)
            left = caps.less(used)
            if left is None:
                results.append(base.model_copy(update={"skipped_reason": "budget: the run's cap was reached"}))
                continue
            if backfill and day is not None and not force and plan.done(Edition(day=day, source=spec.name,
                                                                                   lang=spec.lang)):
                results.append(base.model_copy(update={"skipped_reason": "done"}))
                continue
            try:
                digest, report = await plan.digest(day, spec, left)
            except FetchError as exc:
                why = explain_no_papers(day, unreachable=reason(exc))
                results.append(base.model_copy(update={"no_papers": why, "error": why}))
                continue
            except (InputError, StoreError, PublishError) as exc:
                results.append(base.model_copy(update={"error": reason(exc)}))
                continue
            used = used + report.usage
            if digest is None:
                results.append(edition_health(report, listed=0, delivered=0, undelivered=0,
                                              no_papers=explain_no_papers(day)))
                continue
            digests.append((len(results), digest))
            results.append(edition_health(report, listed=len(report.outcomes), delivered=0, undelivered=0))
    if digests:  # the site once for all the editions, and before the messages that link to its pages
        _publish_archive(plan, store, digests, results)
    for i, digest in digests:
        channels, delivered, undelivered = await plan.deliver(digest)
        results[i] = results[i].model_copy(
            update={"delivered": delivered, "undelivered": undelivered, "channels": tuple(channels)})
    health = HealthReport(command=command, started_at=started, finished_at=dt.datetime.now(dt.UTC),
                          editions=tuple(results))
    problem = await plan.send_ops(health)
    if problem:
        events.notice(f"the health report did not reach the ops channel: {problem}")
        health = health.model_copy(update={"ops_error": problem})
    try:
        store.save_health(health.stored(), [e.stored_row() for e in health.editions])
    except StoreError as exc:  # the report is still printed and sent: a full disk loses only its copy
        events.notice(f"the health report was not stored: {reason(exc)}")
    return health


def _publish_archive(plan: Daily, store: Store, digests: Sequence[tuple[int, Digest]],
                     results: list[EditionHealth]) -> None:
    """The publishers made from the whole archive, once; their outputs and problems are the chosen edition's
    (in `results`, and in its stored run)."""
    published = plan.publish_archive([d for _, d in digests])
    if published is None:
        return
    chosen, outputs, problems = published
    i = digests[chosen][0]
    health = results[i]
    results[i] = health.model_copy(update={"outputs": health.outputs + tuple(outputs),
                                           "publish_errors": health.publish_errors + tuple(problems)})
    if health.run_id is not None:
        try:
            store.add_run_outputs(health.run_id, outputs, problems)
        except StoreError as exc:  # the outputs exist; only their record in the run is missing
            unrecorded = f"the outputs were not recorded in run {health.run_id}: {reason(exc)}"
            results[i] = results[i].model_copy(update={"publish_errors": (*results[i].publish_errors, unrecorded)})


def _failed(paper_id: str, why: str, stage: Stage) -> Outcome:
    return Outcome(paper_id=paper_id, status="failed", reason=clip(why, MAX_REASON), stage=stage)


# -- new versions -----------------------------------------------------------------------------------------
# The current versions of many papers, asked in one batched query (`sources.arxiv.fetch_metadata`).
LookUp = Callable[[Sequence[str]], Awaitable[Sequence[Paper]]]


@dataclass(frozen=True)
class RefreshReport:
    """What a refresh found: how many papers it asked about, the newer versions and what changed in each
    language, the papers stored without a version that now have one, and the papers that failed (fetch)."""

    asked: int = 0
    changes: tuple[VersionChange, ...] = ()
    baselined: tuple[str, ...] = ()
    failed: tuple[Outcome, ...] = ()
    usage: Usage = field(default_factory=Usage)


async def refresh(
    store: Store,
    *,
    look_up: LookUp,
    fetch: FetchDocument,
    summarizer: Summarizer,
    spec_for: Callable[[str], WorkSpec],
    since: dt.date | None = None,
    concurrency: int = 4,
    caps: Caps = Caps(),
    events: Events | None = None,
) -> RefreshReport:
    """Ask arXiv for the current version of the papers in editions (of `since` or later) in one batched query;
    for each paper with a newer version: keep its stored document aside, fetch the new text, summarize it in
    every language an edition shows it in (the cache key names the version: the old summary stays under its
    own key), and record what changed (`versions.claim_changes`). A paper with no newer version costs nothing
    more; one stored without a version gets the current one as its baseline. The paper's stored version
    changes last, so a refresh killed half-way finds the same newer version again."""
    from dailypapers.verify import build_index
    from dailypapers.versions import claim_changes

    events = events or Events()
    stored = store.papers_in_editions(since)
    if not stored:
        return RefreshReport()
    current = {p.id: p for p in await look_up([p.id for p in stored])}
    newer: list[tuple[Paper, Paper]] = []
    baselined: list[str] = []
    for old in stored:
        now = current.get(old.id)
        if now is None or now.version is None:
            continue
        if old.version is None:  # which version its summary read is unknown: from now on, this one
            store.upsert_paper(old.model_copy(update={"version": now.version}))
            baselined.append(old.id)
        elif now.version > old.version:
            newer.append((old, now))
    meter = SlotMeter(caps, concurrency)
    slots = asyncio.Semaphore(concurrency)

    async def one(old: Paper, now: Paper) -> list[VersionChange] | Outcome:
        try:
            return await updated(old, now)
        except StoreError as exc:  # a full disk: this paper is found again by the next refresh
            return _failed(old.id, reason(exc), "store")

    async def updated(old: Paper, now: Paper) -> list[VersionChange] | Outcome:
        paper = old.model_copy(update={"version": now.version, "title": now.title or old.title,
                                       "abstract": now.abstract or old.abstract})
        shown = store.shown_summaries(old.id)
        before = store.get_document(old.id)
        store.keep_document_version(old.id, old.version)
        document = await stored_document(paper, store, lambda p: fetch_stage(p, fetch), slots, refetch=True)
        if isinstance(document, Outcome):
            return document
        old_text = await asyncio.to_thread(build_index, before) if before is not None else None
        new_text = await asyncio.to_thread(build_index, document)
        made = []
        for lang, (old_key, old_summary) in sorted(shown.items()):
            spec = spec_for(lang)
            key = cache_key(paper, document, spec, summarizer)
            summary = store.get_summary(key)
            problem = ""
            if summary is None:
                result = await summarize_paper(paper, document, spec, summarizer, meter=meter)
                summary = result.summary
                if summary is not None:
                    store.save_summary(summary, key)
                else:
                    problem = result.outcome.reason or result.outcome.status
            change = VersionChange(
                paper_id=old.id, lang=lang, from_version=old.version, to_version=now.version or 0, old_key=old_key,
                new_key=key if summary is not None else None, problem=problem, found_at=dt.datetime.now(dt.UTC),
                changes=await asyncio.to_thread(claim_changes, old_summary, summary, old_text=old_text,
                                                new_text=new_text) if summary is not None else ())
            store.save_version_change(change)
            events.notice(f"{old.id} {change.line}")
            made.append(change)
        store.upsert_paper(paper)
        return made

    results = await asyncio.gather(*(one(o, n) for o, n in newer))
    failed = tuple(r for r in results if isinstance(r, Outcome))
    changes = tuple(c for r in results if not isinstance(r, Outcome) for c in r)
    return RefreshReport(asked=len(stored), changes=changes, baselined=tuple(baselined), failed=failed,
                         usage=meter.used)
