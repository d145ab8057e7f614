"""The pipeline with injected stages: statuses, resume, cache, budget, regeneration, atomic output."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pytest

from dailypapers.errors import PaperTextError, SummarizeError
from dailypapers.models import Claim, Document, Paper, Section, Summary, TextSection, Usage
from dailypapers.pipeline import Budget, Job, run, write_atomic
from dailypapers.store import Store
from dailypapers.summarize.base import SummaryResult
from tests.papergen import make_paper

DAY = dt.date(2025, 5, 6)


def papers(n: int) -> list[Paper]:
    return [Paper(id=f"2505.{i:05d}", title=f"Paper {i}", authors=("A B",), upvotes=100 - i) for i in range(n)]


class FakeSummarizer:
    name = "fake-model"
    prompt_version = "t1"

    def __init__(self, *, fail: set[str] = frozenset(), texts: dict[str, list[str]] | None = None,
                 tokens: int = 100, delay: float = 0.0) -> None:
        self.fail = set(fail)
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
        queue = self.texts.get(paper.id)
        body = queue.pop(0) if queue else f"summary of {paper.id}"
        sections = tuple(Section(label=label, text=f"{body} ({label})") for label in labels)
        return SummaryResult(
            summary=Summary(paper_id=paper.id, language=lang, sections=sections, model=self.name,
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


def fake_verify(summary: Summary, doc: Document) -> list[Claim]:
    """Stand-in for the verifier: the token BOGUS is never in a paper."""
    claims = []
    for s in summary.sections:
        if "BOGUS" in s.text:
            claims.append(Claim(text="BOGUS", kind="name", status="unsupported", section_label=s.label))
    return claims


def job(store: Store, ps: list[Paper], summarizer: FakeSummarizer, fetcher: FakeFetcher, **kw) -> Job:
    return Job(day=DAY, papers=ps, store=store, summarizer=summarizer, fetch_document=fetcher,
               prepare_text=lambda d: d.text[:2000], verify=fake_verify, **kw)


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "p.db") as s:
        yield s


async def test_every_paper_ends_with_a_status_and_none_is_dropped(store: Store) -> None:
    ps = papers(5)
    summ = FakeSummarizer(fail={ps[3].id})
    fetch = FakeFetcher(broken={ps[1].id}, crash={ps[2].id})
    digest, report = await run(job(store, ps, summ, fetch))
    statuses = {o.paper_id: o.label for o in report.outcomes}
    assert statuses == {
        ps[0].id: "ok",
        ps[1].id: "failed: encrypted PDF",
        ps[2].id: "failed: unexpected error: RuntimeError: library blew up",
        ps[3].id: "failed: invalid output",
        ps[4].id: "ok",
    }
    assert report.failures_by_stage() == {"fulltext": 2, "summarize": 1}
    assert not report.succeeded
    # every paper is in the digest, in order; only the good ones carry a summary
    assert [e.paper.id for e in digest.entries] == [p.id for p in ps]
    assert [e.summary is not None for e in digest.entries] == [True, False, False, False, True]
    stored = store.get_digest(DAY)
    assert stored == digest
    assert report.usage.calls == 3 and report.usage.input_tokens == 300


async def test_rerun_redoes_only_what_failed_and_a_finished_day_makes_no_call(store: Store) -> None:
    ps = papers(4)
    await run(job(store, ps, FakeSummarizer(fail={ps[2].id}), FakeFetcher(broken={ps[1].id})))
    summ, fetch = FakeSummarizer(), FakeFetcher()
    _, report = await run(job(store, ps, summ, fetch))
    assert fetch.calls == [ps[1].id]  # texts of the others are cached
    assert sorted(c[0] for c in summ.calls) == sorted([ps[1].id, ps[2].id])
    assert report.succeeded and report.counts()["ok"] == 4
    assert store.latest_outcomes(DAY)[ps[1].id].status == "ok"
    summ3, fetch3 = FakeSummarizer(), FakeFetcher()
    _, report3 = await run(job(store, ps, summ3, fetch3))
    assert summ3.calls == [] and fetch3.calls == [] and report3.usage.calls == 0


async def test_force_resummarizes_everything(store: Store) -> None:
    ps = papers(3)
    await run(job(store, ps, FakeSummarizer(), FakeFetcher()))
    summ = FakeSummarizer()
    await run(job(store, ps, summ, FakeFetcher(), force=True))
    assert len(summ.calls) == 3


async def test_budget_cap_skips_the_rest(store: Store) -> None:
    ps = papers(5)
    summ = FakeSummarizer(tokens=100)  # 150 tokens per call
    _, report = await run(job(store, ps, summ, FakeFetcher(), llm_concurrency=1,
                              budget=Budget(max_tokens=300)))
    labels = [o.label for o in report.outcomes]
    assert labels == ["ok", "ok", "skipped: budget", "skipped: budget", "skipped: budget"]
    assert len(summ.calls) == 2
    assert report.succeeded  # skipped is not failed


async def test_unsupported_claim_is_regenerated_with_feedback(store: Store) -> None:
    ps = papers(2)
    summ = FakeSummarizer(texts={ps[0].id: ["uses BOGUS", "clean now"], ps[1].id: ["BOGUS", "still BOGUS"]})
    digest, report = await run(job(store, ps, summ, FakeFetcher()))
    assert summ.calls[0][1] == () and (ps[0].id, ("BOGUS",) * 3) in summ.calls
    assert [o.status for o in report.outcomes] == ["ok", "flagged"]
    assert report.outcomes[1].reason.startswith("unsupported: BOGUS")
    flagged = digest.entries[1].summary
    assert flagged is not None and flagged.unsupported and flagged.unsupported[0].section_label
    # claims are stored with the summary, so a later render still marks them
    assert store.get_digest(DAY).entries[1].summary.unsupported == flagged.unsupported


async def test_llm_concurrency_is_bounded(store: Store) -> None:
    summ = FakeSummarizer(delay=0.01)
    await run(job(store, papers(10), summ, FakeFetcher(), llm_concurrency=3))
    assert summ.max_in_flight == 3


async def test_progress_reaches_every_stage_for_every_paper(store: Store) -> None:
    events: list[tuple[str, str]] = []
    ps = papers(3)
    await run(job(store, ps, FakeSummarizer(fail={ps[1].id}), FakeFetcher(broken={ps[0].id}),
                  on_progress=lambda s, p: events.append((s, p))))
    for stage in ("fulltext", "summarize", "verify"):
        assert sorted(p for s, p in events if s == stage) == sorted(p.id for p in ps)


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

    events: list[tuple[str, str]] = []
    ps = papers(1)
    _, report = await run(job(store, ps, FakeSummarizer(), Offline(), on_progress=lambda s, p: events.append((s, p))))
    assert report.outcomes[0].stage == "fetch"
    assert report.outcomes[0].label.startswith("failed: GET https://arxiv.org/pdf/x: HTTP 503")
    assert sorted(s for s, _ in events) == ["fulltext", "summarize", "verify"]


async def test_a_partial_rerun_updates_its_papers_and_keeps_the_rest_of_the_day(store: Store) -> None:
    ps = papers(5)
    await run(job(store, ps, FakeSummarizer(), FakeFetcher()))
    # the top two again, forced, with new votes: one of them now outranks nothing, the other everything
    again = [ps[0].model_copy(update={"upvotes": 1}), ps[1].model_copy(update={"upvotes": 500})]
    summ = FakeSummarizer(texts={ps[1].id: ["fresh text"]})
    digest, report = await run(job(store, again, summ, FakeFetcher(), force=True))
    assert [o.paper_id for o in report.outcomes] == [ps[0].id, ps[1].id]  # the report covers this run
    order = [e.paper.id for e in digest.entries]
    assert order == [ps[1].id, ps[2].id, ps[3].id, ps[4].id, ps[0].id]  # the whole day, re-ranked by votes
    stored = store.get_digest(DAY)
    assert [e.paper.id for e in stored.entries] == order
    assert stored.entries[0].summary.sections[0].text.startswith("fresh text")
    assert all(e.summary is not None for e in stored.entries)  # kept entries keep their summaries


async def test_a_bug_while_preparing_one_papers_text_fails_that_paper_only(store: Store) -> None:
    ps = papers(3)

    def fragile(doc: Document) -> str:
        if doc.paper_id == ps[1].id:
            raise ValueError("odd document")
        return doc.text[:2000]

    j = job(store, ps, FakeSummarizer(), FakeFetcher())
    j.prepare_text = fragile
    _, report = await run(j)
    assert [o.label for o in report.outcomes] == ["ok", "failed: unexpected error: ValueError: odd document", "ok"]
