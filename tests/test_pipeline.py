"""The driver with an injected summarizer and fetcher: statuses, resume, cache, budget, regeneration, events,
publishing, and the per-paper work step on its own (also in a worker process)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pytest

from dailypapers.errors import PaperTextError, PublishError, SummarizeError
from dailypapers.events import Event, Events, PaperDone, Published, RunDone, RunStarted, StageDone
from dailypapers.models import DEFAULT_LABELS, Digest, Document, Edition, Paper, Section, Summary, TextSection, Usage
from dailypapers.pipeline import Caps, Job, run
from dailypapers.publish.base import PublishContext, publish_all
from dailypapers.publish.files import write_atomic
from dailypapers.store import Store
from dailypapers.summarize.base import SummaryResult
from dailypapers.work import WorkSpec, cache_key, summarize_paper
from tests.papergen import make_paper

DAY = dt.date(2025, 5, 6)


def papers(n: int) -> list[Paper]:
    return [Paper(id=f"2505.{i:05d}", title=f"Paper {i}", authors=("A B",), upvotes=100 - i) for i in range(n)]


class FakeSummarizer:
    name = "fake-model"
    prompt_version = "t1"

    def __init__(self, *, fail: set[str] = frozenset(), crash: set[str] = frozenset(),
                 texts: dict[str, list[str]] | None = None, tokens: int = 100, delay: float = 0.0) -> None:
        self.fail = set(fail)
        self.crash = set(crash)
        self.texts = texts or {}
        self.tokens = tokens
        self.delay = delay
        self.calls: list[tuple[str, tuple[str, ...]]] = []
        self.in_flight = 0
        self.max_in_flight = 0

    async def summarize(self, paper: Paper, text: str, *, lang: str, labels: Sequence[str],
                        feedback: Sequence[str] = ()) -> SummaryResult:
        self.calls.append((paper.id, tuple(feedback)))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.in_flight -= 1
        if paper.id in self.fail:
            raise SummarizeError("invalid output", usage=Usage(calls=1, input_tokens=self.tokens))
        if paper.id in self.crash:
            raise ValueError("odd document")
        queue = self.texts.get(paper.id)
        body = queue.pop(0) if queue else "a plain summary"  # nothing the real checker could flag
        sections = tuple(Section(label=label, text=body) for label in labels)
        return SummaryResult(
            summary=Summary(paper_id=paper.id, lang=lang, sections=sections, model=self.name,
                            prompt_version=self.prompt_version),
            usage=Usage(calls=1, input_tokens=self.tokens, output_tokens=self.tokens // 2, cost=0.01),
        )


class FakeFetcher:
    def __init__(self, broken: set[str] = frozenset(), crash: set[str] = frozenset()) -> None:
        self.broken = set(broken)
        self.crash = set(crash)
        self.calls: list[str] = []

    async def __call__(self, paper: Paper) -> Document:
        self.calls.append(paper.id)
        if paper.id in self.broken:
            raise PaperTextError("encrypted PDF")
        if paper.id in self.crash:
            raise RuntimeError("library blew up")
        synth = make_paper(paper.id, pages=1)
        return Document(paper_id=paper.id, origin="text",
                        sections=(TextSection(kind="other", heading="", text=synth.text()),))


SPEC = WorkSpec(lang="ko", labels=DEFAULT_LABELS, max_input_tokens=3000)


async def run_day(store: Store, ps: list[Paper], summarizer: FakeSummarizer, fetcher: FakeFetcher, *,
                  events: Events | None = None, publishers=(), **kw) -> tuple[Digest, object]:
    job = Job(day=DAY, papers=tuple(ps), spec=SPEC, **kw)
    events = events or Events()
    ctx = PublishContext(settings=_settings(store))
    publish = (lambda digest: publish_all(digest, publishers, ctx, events)) if publishers else None
    return await run(job, store=store, summarizer=summarizer, fetch=fetcher, events=events, publish=publish)


def _settings(store: Store):
    from dailypapers.config import Settings

    return Settings(db=store.path, out_dir=store.path.parent / "digests")


def recorder() -> tuple[Events, list[Event]]:
    seen: list[Event] = []
    return Events(seen.append), seen


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "p.db") as s:
        yield s


async def test_every_paper_ends_with_a_status_and_none_is_dropped(store: Store) -> None:
    ps = papers(6)
    summ = FakeSummarizer(fail={ps[3].id}, crash={ps[5].id})
    fetch = FakeFetcher(broken={ps[1].id}, crash={ps[2].id})
    digest, report = await run_day(store, ps, summ, fetch)
    statuses = {o.paper_id: o.label for o in report.outcomes}
    assert statuses == {
        ps[0].id: "ok",
        ps[1].id: "failed: encrypted PDF",
        ps[2].id: "failed: unexpected error: RuntimeError: library blew up",
        ps[3].id: "failed: invalid output",
        ps[4].id: "ok",
        ps[5].id: "failed: unexpected error: ValueError: odd document",
    }
    assert report.failures_by_stage() == {"read": 2, "summarize": 2}
    assert not report.succeeded
    # every paper is in the digest, in order; only the good ones carry a summary
    assert [e.paper.id for e in digest.entries] == [p.id for p in ps]
    assert [e.summary is not None for e in digest.entries] == [True, False, False, False, True, False]
    assert store.get_digest(Edition(day=DAY)) == digest
    # the failed call cost what the server billed; the crashed one reported nothing to count
    assert report.usage.calls == 3 and report.usage.input_tokens == 300


async def test_rerun_redoes_only_what_failed_and_a_finished_day_makes_no_call(store: Store) -> None:
    ps = papers(4)
    await run_day(store, ps, FakeSummarizer(fail={ps[2].id}), FakeFetcher(broken={ps[1].id}))
    summ, fetch = FakeSummarizer(), FakeFetcher()
    _, report = await run_day(store, ps, summ, fetch)
    assert fetch.calls == [ps[1].id]  # the documents of the others are stored
    assert sorted(c[0] for c in summ.calls) == sorted([ps[1].id, ps[2].id])
    assert report.succeeded and report.counts()["ok"] == 4
    assert store.latest_outcomes(Edition(day=DAY))[ps[1].id].status == "ok"
    summ3, fetch3 = FakeSummarizer(), FakeFetcher()
    _, report3 = await run_day(store, ps, summ3, fetch3)
    assert summ3.calls == [] and fetch3.calls == [] and report3.usage.calls == 0


def statements(store: Store) -> list[str]:
    """Every SQL statement the store's connection runs from now on (SQLite's trace callback)."""
    seen: list[str] = []
    store.db.conn.set_trace_callback(seen.append)
    return seen


async def test_a_finished_day_reruns_in_as_many_queries_whatever_its_size(tmp_path: Path) -> None:
    counts = {}
    for n in (3, 12):
        with Store(tmp_path / f"{n}.db") as store:
            ps = papers(n)
            await run_day(store, ps, FakeSummarizer(), FakeFetcher())
            digest_before = store.get_digest(Edition(day=DAY))
            updated = store.editions_updated()
            seen = statements(store)
            summ, fetch = FakeSummarizer(), FakeFetcher()
            digest, report = await run_day(store, ps, summ, fetch)
            store.db.conn.set_trace_callback(None)
            assert summ.calls == [] and fetch.calls == [] and report.counts()["ok"] == n
            assert digest == digest_before and store.editions_updated() == updated  # the day was not rewritten
            assert not any(s.lstrip().lower().startswith(("insert into papers", "update papers", "delete from "
                                                          "digest_entries")) for s in seen), seen
            assert not any("from documents where paper_id = ?" in s for s in seen)  # no document was read
            counts[n] = len(seen)
    assert counts[3] == counts[12], counts


async def test_a_document_stored_before_its_hash_was_is_hashed_when_read(store: Store) -> None:
    from dailypapers.documents import content_hash

    ps = papers(2)
    await run_day(store, ps, FakeSummarizer(), FakeFetcher())
    store.db.execute("update documents set content_hash = null where paper_id = ?", [ps[0].id])
    hashes = store.document_hashes([p.id for p in ps] + ["2505.99999"])
    assert hashes == {p.id: content_hash(store.get_document(p.id)) for p in ps}
    assert store.db.execute("select count(*) from documents where content_hash is null").fetchone()[0] == 0
    summ, fetch = FakeSummarizer(), FakeFetcher()
    _, report = await run_day(store, ps, summ, fetch)
    assert summ.calls == [] and fetch.calls == [] and report.counts()["ok"] == 2


async def test_a_long_day_holds_a_bounded_number_of_documents(store: Store) -> None:
    from dailypapers.pipeline import AHEAD

    held: set[str] = set()
    most = 0

    class Counting(FakeFetcher):
        async def __call__(self, paper: Paper) -> Document:
            nonlocal most
            held.add(paper.id)  # fetched: its document is in memory until its summary is made
            most = max(most, len(held))
            return await super().__call__(paper)

    class Releasing(FakeSummarizer):
        async def summarize(self, paper: Paper, text: str, **kw) -> SummaryResult:
            try:
                return await super().summarize(paper, text, **kw)
            finally:
                held.discard(paper.id)

    summ = Releasing(delay=0.01)
    _, report = await run_day(store, papers(40), summ, Counting(), concurrency=2)
    assert report.counts()["ok"] == 40 and summ.max_in_flight == 2
    assert most <= AHEAD * 2, most  # not all 40 fetched ahead of their summaries


async def test_force_resummarizes_everything(store: Store) -> None:
    ps = papers(3)
    await run_day(store, ps, FakeSummarizer(), FakeFetcher())
    summ = FakeSummarizer()
    await run_day(store, ps, summ, FakeFetcher(), force=True)
    assert len(summ.calls) == 3


async def test_budget_cap_skips_the_rest(store: Store) -> None:
    ps = papers(5)
    summ = FakeSummarizer(tokens=100)  # 150 tokens per call
    _, report = await run_day(store, ps, summ, FakeFetcher(), concurrency=1, caps=Caps(max_tokens=300))
    labels = [o.label for o in report.outcomes]
    assert labels == ["ok", "ok", "skipped: budget", "skipped: budget", "skipped: budget"]
    assert len(summ.calls) == 2
    assert report.succeeded  # skipped is not failed


class EstimatingSummarizer(FakeSummarizer):
    """Says up front what a call may cost (150 tokens), as the LLM summarizer does."""

    def estimate(self, paper: Paper, text: str, *, lang: str, labels: Sequence[str],
                 feedback: Sequence[str] = ()) -> Usage:
        return Usage(calls=1, input_tokens=100, output_tokens=50)


async def test_reserved_estimates_keep_concurrent_calls_under_the_cap(store: Store) -> None:
    summ = EstimatingSummarizer(tokens=100, delay=0.01)  # each call uses 150 tokens, as estimated
    _, report = await run_day(store, papers(8), summ, FakeFetcher(), concurrency=4,
                              caps=Caps(max_tokens=500))
    assert report.usage.total_tokens <= 500  # 3 calls fit; a 4th would have started at once without reserving
    assert len(summ.calls) == 3 and report.counts()["skipped"] == 5


async def test_unsupported_claim_is_regenerated_with_feedback(store: Store) -> None:
    ps = papers(2)
    summ = FakeSummarizer(texts={ps[0].id: ["uses BOGUS", "clean now"], ps[1].id: ["BOGUS", "still BOGUS"]})
    digest, report = await run_day(store, ps, summ, FakeFetcher())
    assert summ.calls[0][1] == () and (ps[0].id, ("BOGUS",)) in summ.calls
    assert [o.status for o in report.outcomes] == ["ok", "flagged"]
    assert report.outcomes[1].reason.startswith("unsupported: BOGUS")
    flagged = digest.entries[1].summary
    assert flagged is not None and flagged.unsupported and flagged.unsupported[0].section_label
    # claims are stored with the summary, so a later render still marks them
    assert store.get_digest(Edition(day=DAY)).entries[1].summary.unsupported == flagged.unsupported


async def test_llm_concurrency_is_bounded(store: Store) -> None:
    summ = FakeSummarizer(delay=0.01)
    await run_day(store, papers(10), summ, FakeFetcher(), concurrency=3)
    assert summ.max_in_flight == 3


async def test_events_reach_every_stage_for_every_paper(store: Store) -> None:
    events, seen = recorder()
    ps = papers(3)
    _, report = await run_day(store, ps, FakeSummarizer(fail={ps[1].id}), FakeFetcher(broken={ps[0].id}),
                              events=events)
    assert isinstance(seen[0], RunStarted) and seen[0].papers == tuple(ps)
    for stage in ("fetch", "summarize", "verify"):
        done = [e.paper_id for e in seen if isinstance(e, StageDone) and e.stage == stage]
        assert sorted(done) == sorted(p.id for p in ps), stage
    finished = [e.outcome for e in seen if isinstance(e, PaperDone)]
    assert sorted(finished, key=lambda o: o.paper_id) == sorted(report.outcomes, key=lambda o: o.paper_id)
    assert isinstance(seen[-1], RunDone) and seen[-1].report == report
    assert report.run_id is not None and report.run_id == store.runs()[0]["id"]  # the row save_run wrote


async def test_a_subscriber_that_raises_does_not_stop_the_run(store: Store) -> None:
    def broken(event: Event) -> None:
        raise RuntimeError("display bug")

    _, report = await run_day(store, papers(2), FakeSummarizer(), FakeFetcher(), events=Events(broken))
    assert report.counts()["ok"] == 2


def test_write_atomic_replaces_whole_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "digests" / "2025" / "05" / "06.md"
    write_atomic(target, "first\n")
    write_atomic(target, "second\n")
    assert target.read_text() == "second\n"
    assert [p.name for p in target.parent.iterdir()] == ["06.md"]

    with pytest.raises(TypeError):
        write_atomic(target, 123)  # type: ignore[arg-type]
    assert target.read_text() == "second\n"
    assert [p.name for p in target.parent.iterdir()] == ["06.md"]


async def test_a_network_failure_is_named_as_the_fetch_stage(store: Store) -> None:
    from dailypapers.errors import FetchError

    class Offline(FakeFetcher):
        async def __call__(self, paper: Paper) -> Document:
            raise FetchError("GET https://arxiv.org/pdf/x: HTTP 503 Service Unavailable after 6 attempt(s)")

    events, seen = recorder()
    _, report = await run_day(store, papers(1), FakeSummarizer(), Offline(), events=events)
    assert report.outcomes[0].stage == "fetch"
    assert report.outcomes[0].label.startswith("failed: GET https://arxiv.org/pdf/x: HTTP 503")
    assert sorted(e.stage for e in seen if isinstance(e, StageDone)) == ["fetch", "summarize", "verify"]


async def test_a_partial_rerun_updates_its_papers_and_keeps_the_rest_of_the_day(store: Store) -> None:
    ps = papers(5)
    await run_day(store, ps, FakeSummarizer(), FakeFetcher())
    # the top two again, forced, with new votes: one of them now outranks nothing, the other everything
    again = [ps[0].model_copy(update={"upvotes": 1}), ps[1].model_copy(update={"upvotes": 500})]
    summ = FakeSummarizer(texts={ps[1].id: ["fresh text"]})
    digest, report = await run_day(store, again, summ, FakeFetcher(), force=True)
    assert [o.paper_id for o in report.outcomes] == [ps[0].id, ps[1].id]  # the report covers this run
    order = [e.paper.id for e in digest.entries]
    assert order == [ps[1].id, ps[2].id, ps[3].id, ps[4].id, ps[0].id]  # the whole day, re-ranked by votes
    stored = store.get_digest(Edition(day=DAY))
    assert [e.paper.id for e in stored.entries] == order
    assert stored.entries[0].summary.sections[0].text.startswith("fresh text")
    assert all(e.summary is not None for e in stored.entries)  # kept entries keep their summaries


async def test_a_failed_rerun_keeps_the_summary_the_day_had(store: Store) -> None:
    ps = papers(3)
    first, _ = await run_day(store, ps, FakeSummarizer(), FakeFetcher())
    _, report = await run_day(store, ps, FakeSummarizer(fail={ps[1].id}), FakeFetcher(), force=True)
    assert report.outcomes[1].status == "failed"
    assert store.get_digest(Edition(day=DAY)).entries[1].summary == first.entries[1].summary


class _Written:
    name = "written"
    description = "a test publisher"

    def __init__(self) -> None:
        self.days: list[dt.date] = []

    def publish(self, digest: Digest, ctx: PublishContext) -> list[str]:
        self.days.append(digest.day)
        return [f"memory:{digest.day}"]


class _Broken:
    name = "broken"
    description = "a publisher that cannot write"

    def publish(self, digest: Digest, ctx: PublishContext) -> list[str]:
        raise PublishError("disk full")


async def test_publishers_run_after_the_store_and_one_failing_does_not_stop_the_others(store: Store) -> None:
    written = _Written()
    events, seen = recorder()
    digest, report = await run_day(store, papers(2), FakeSummarizer(), FakeFetcher(), events=events,
                                   publishers=(_Broken(), written))
    assert written.days == [DAY]
    assert report.outputs == (f"memory:{DAY}",)
    assert report.publish_errors == ("broken: disk full",)
    assert not report.succeeded  # a digest that could not be published is a failed run
    assert [e.target for e in seen if isinstance(e, Published)] == [f"memory:{DAY}"]
    assert store.get_digest(Edition(day=DAY)) == digest  # stored before publishing
    assert store.runs(1)[0]["publish_errors"] == ["broken: disk full"]


# -- the work step on its own -------------------------------------------------------------------------------
def _document(paper_id: str) -> Document:
    synth = make_paper(paper_id, pages=2)
    return Document(paper_id=paper_id, origin="text",
                    sections=(TextSection(kind="other", heading="", text=synth.text()),))


async def test_the_work_step_touches_no_store_and_counts_what_a_failure_cost() -> None:
    paper = papers(1)[0]
    result = await summarize_paper(paper, _document(paper.id), SPEC, FakeSummarizer(fail={paper.id}))
    assert result.outcome.label == "failed: invalid output" and result.summary is None
    assert result.usage == Usage(calls=1, input_tokens=100)
    ok = await summarize_paper(paper, _document(paper.id), SPEC, FakeSummarizer())
    assert ok.outcome.status == "ok" and ok.summary is not None and ok.usage.calls == 1


async def test_the_grounding_runs_off_the_event_loop_and_the_first_call_does_not_wait_for_it(monkeypatch) -> None:
    import threading

    from dailypapers import verify as checker

    loop_thread = threading.get_ident()
    where: dict[str, int] = {}
    started = threading.Event()
    release = threading.Event()

    def slow_index(document: Document):
        where["index"] = threading.get_ident()
        started.set()
        release.wait(10)  # held until the summarizer has been called: the call must not wait for the index
        return real_index(document)

    def verify_where(summary: Summary, index):
        where["verify"] = threading.get_ident()
        return real_verify(summary, index)

    real_index, real_verify = checker.build_index, checker.verify
    # the work step imports the checker when it first works on a paper: patched where it is imported from
    monkeypatch.setattr(checker, "build_index", slow_index)
    monkeypatch.setattr(checker, "verify", verify_where)

    class Releasing(FakeSummarizer):
        async def summarize(self, paper: Paper, text: str, **kw) -> SummaryResult:
            release.set()
            return await super().summarize(paper, text, **kw)

    paper = papers(1)[0]
    summ = Releasing()
    result = await summarize_paper(paper, _document(paper.id), SPEC, summ)
    assert result.outcome.status == "ok" and summ.calls and started.is_set()
    assert where["index"] != loop_thread and where["verify"] != loop_thread


def _work_in_a_worker(paper: Paper, document: Document, spec: WorkSpec) -> tuple[str, tuple[Section, ...]]:
    from dailypapers.summarize.extractive import ExtractiveSummarizer

    result = asyncio.run(summarize_paper(paper, document, spec, ExtractiveSummarizer()))
    assert result.summary is not None
    return result.outcome.label, result.summary.sections


async def test_the_work_step_gives_the_same_result_in_a_worker_process() -> None:
    from concurrent.futures import ProcessPoolExecutor

    from dailypapers.summarize.extractive import ExtractiveSummarizer

    paper = papers(1)[0]
    document = _document(paper.id)
    here = await summarize_paper(paper, document, SPEC, ExtractiveSummarizer())
    with ProcessPoolExecutor(max_workers=1) as pool:
        label, sections = await asyncio.get_running_loop().run_in_executor(
            pool, _work_in_a_worker, paper, document, SPEC
        )
    assert here.summary is not None
    assert (label, sections) == (here.outcome.label, here.summary.sections)


def test_the_cache_key_is_computed_from_the_document_without_budgeting_it(monkeypatch) -> None:
    import dailypapers.work as work

    def no_budget(*a: object, **k: object) -> str:
        raise AssertionError("the key must not need the budget")

    monkeypatch.setattr(work, "budget", no_budget)
    paper = papers(1)[0]
    key = cache_key(paper, _document(paper.id), SPEC, FakeSummarizer())
    assert key == cache_key(paper, _document(paper.id), SPEC, FakeSummarizer())


async def test_editions_of_one_day_are_kept_apart(store: Store) -> None:
    ps = papers(3)
    korean, _ = await run_day(store, ps, FakeSummarizer(), FakeFetcher())
    english_job = Job(day=DAY, papers=tuple(ps[:2]), spec=WorkSpec("en", DEFAULT_LABELS, 3000))
    english, _ = await run(english_job, store=store, summarizer=FakeSummarizer(), fetch=FakeFetcher())
    local_job = Job(day=DAY, papers=(papers(5)[4],), spec=SPEC, source="local:drafts")
    local, _ = await run(local_job, store=store, summarizer=FakeSummarizer(), fetch=FakeFetcher())
    assert [len(d.entries) for d in (korean, english, local)] == [3, 2, 1]
    assert [e for e, _ in store.editions()] == [
        Edition(day=DAY, source="hf", lang="en"), Edition(day=DAY, source="hf", lang="ko"),
        Edition(day=DAY, source="local:drafts", lang="ko")]
    assert store.get_digest(Edition(day=DAY)) == korean
    assert all(e.summary.lang == "en" for e in english.entries)


async def test_a_new_checker_rechecks_stored_summaries_and_pays_only_for_what_it_flags(store: Store,
                                                                                     monkeypatch) -> None:
    """A grounding upgrade must not re-pay the LLM: stored summaries are checked again, without a call, and only
    one the new check flags is made again. Summaries stored under the key of releases up to g4 are found."""
    import dailypapers.pipeline as pipeline_module
    import dailypapers.work as work
    from dailypapers.documents import content_hash

    ps = papers(3)
    await run_day(store, ps, FakeSummarizer(), FakeFetcher())
    # an older release stored the third paper's summary under its key (grounding g4 in it), with a number the
    # paper does not have, which its checker let pass
    fetcher = FakeFetcher()
    doc = await fetcher(ps[2])
    old = Summary(paper_id=ps[2].id, lang="ko", model="fake-model", prompt_version="t1",
                  sections=tuple(Section(label=label, text="정확도는 12,345.6점입니다.") for label in DEFAULT_LABELS))
    store.save_summary(old, work.legacy_cache_key(ps[2], content_hash(doc), SPEC, FakeSummarizer()))
    store.db.execute("delete from summaries where key = ?", [cache_key(ps[2], doc, SPEC, FakeSummarizer())])
    store.db.conn.commit()

    monkeypatch.setattr(work, "GROUNDING_VERSION", "g-next")
    monkeypatch.setattr(pipeline_module, "GROUNDING_VERSION", "g-next")
    summ = FakeSummarizer()
    digest, report = await run_day(store, ps, summ, FakeFetcher())
    assert [c[0] for c in summ.calls] == [ps[2].id]  # the two clean ones cost nothing
    assert report.counts()["ok"] == 3
    for p in ps[:2]:  # checked again, and stored so: the next run has nothing to re-check
        again = store.get_summary(cache_key(p, await fetcher(p), SPEC, summ))
        assert again is not None and again.grounding == "g-next"
    assert all(e.summary is not None and "12,345.6" not in e.summary.sections[0].text for e in digest.entries)
