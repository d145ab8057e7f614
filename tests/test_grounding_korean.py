"""The Korean path end to end: the pipeline with the REAL verifier, a Korean summary of an English paper.

The summary writes the paper's numbers the Korean way (`100만`, `3배`, `10초`, `약 92.5%` for "1 million",
"3x", "10 seconds", "92.47%"); those must pass, and only a claim the paper does not make may be flagged,
and only after the one regeneration did not fix it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pytest

from dailypapers import documents
from dailypapers.digestformat import FLAG_OPEN, render
from dailypapers.models import DEFAULT_LABELS, Document, Paper, Section, Summary, Usage
from dailypapers.pipeline import Job, run
from dailypapers.store import Store
from dailypapers.summarize.base import SummaryResult
from dailypapers.verify import verify
from dailypapers.work import WorkSpec

DAY = dt.date(2026, 6, 12)

SOURCE = """Sonora: Streaming Speech Models at Scale

Abstract

We present Sonora, a streaming speech model trained on 1 million hours of conversational audio. \
Sonora is 3x faster than the cascaded baseline and answers within 10 seconds on long requests. \
On EchoBench it reaches 92.47% accuracy.

1 Method

The encoder reads audio frames and the decoder writes speech tokens in the same stream.

2 Results

Sonora outperforms the cascaded baseline on EchoBench, with 92.47% accuracy.
"""

KOREAN = {
    "What's New": "Sonora는 100만 시간의 대화 음성으로 학습한 스트리밍 음성 모델입니다.",
    "Technical Details": "캐스케이드 기준선보다 3배 빠르며, 긴 요청에도 10초 이내에 응답합니다.",
    "Performance Highlights": "EchoBench에서 약 92.5%의 정확도를 달성했습니다.",
}
# a number and a benchmark the paper never mentions
CONTAMINATION = " MMLU-Pro에서도 71.3%를 기록했습니다."
CLEAN, CONTAMINATED = "clean", "contaminated"


class KoreanSummarizer:
    """Returns, per paper, the queued summaries in order (the last one again when the queue runs out)."""

    name = "fake-ko"
    prompt_version = "ko-1"

    def __init__(self, plan: dict[str, list[str]]) -> None:
        self.plan = plan
        self.calls: list[tuple[str, tuple[str, ...]]] = []

    async def summarize(
        self, paper: Paper, text: str, *, lang: str, labels: Sequence[str], feedback: Sequence[str] = ()
    ) -> SummaryResult:
        self.calls.append((paper.id, tuple(feedback)))
        queue = self.plan[paper.id]
        kind = queue.pop(0) if len(queue) > 1 else queue[0]
        sections = []
        for label in labels:
            body = KOREAN[label]
            if kind == CONTAMINATED and label == "Performance Highlights":
                body += CONTAMINATION
            sections.append(Section(label=label, text=body))
        return SummaryResult(
            summary=Summary(paper_id=paper.id, lang=lang, sections=tuple(sections), model=self.name),
            usage=Usage(calls=1, input_tokens=100, output_tokens=50),
        )


async def fetch(paper: Paper) -> Document:
    return documents.from_text(SOURCE, paper.id)


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "ko.db") as s:
        yield s


async def test_korean_numbers_verify_and_only_the_contaminated_summary_is_flagged(store: Store) -> None:
    papers = [
        Paper(id="2606.03001", title="Sonora", upvotes=30),  # clean from the start
        Paper(id="2606.03002", title="Sonora (fixed)", upvotes=20),  # contaminated, then fixed
        Paper(id="2606.03003", title="Sonora (stubborn)", upvotes=10),  # contaminated twice
    ]
    summarizer = KoreanSummarizer(
        {
            "2606.03001": [CLEAN],
            "2606.03002": [CONTAMINATED, CLEAN],
            "2606.03003": [CONTAMINATED, CONTAMINATED],
        }
    )
    job = Job(day=DAY, papers=tuple(papers), spec=WorkSpec(lang="ko", labels=DEFAULT_LABELS, max_input_tokens=3000))
    digest, report = await run(job, store=store, summarizer=summarizer, fetch=fetch)

    assert {o.paper_id: o.status for o in report.outcomes} == {
        "2606.03001": "ok",
        "2606.03002": "ok",
        "2606.03003": "flagged",
    }
    flagged = next(o for o in report.outcomes if o.status == "flagged")
    assert flagged.stage == "verify"
    assert "MMLU-Pro" in flagged.reason and "71.3%" in flagged.reason

    # one call for the clean paper; the others were asked again, told exactly what was wrong
    calls = summarizer.calls
    assert [c for c in calls if c[0] == "2606.03001"] == [("2606.03001", ())]
    for pid in ("2606.03002", "2606.03003"):
        mine = [fb for p, fb in calls if p == pid]
        assert len(mine) == 2 and mine[0] == ()
        assert sorted(mine[1]) == ["71.3%", "MMLU-Pro"]

    by_id = {e.paper.id: e.summary for e in digest.entries}
    # every Korean-written number was found in the English text, with evidence
    clean = by_id["2606.03001"]
    assert clean is not None
    supported = {c.text: c for c in clean.claims if c.status == "supported"}
    assert {"100만", "3배", "10초", "92.5%", "Sonora", "EchoBench"} <= set(supported), sorted(supported)
    assert "1 million" in supported["100만"].evidence
    assert "3x" in supported["3배"].evidence
    assert "92.47%" in supported["92.5%"].evidence
    assert not clean.unsupported

    stubborn = by_id["2606.03003"]
    assert stubborn is not None
    assert sorted((c.section_label, c.text) for c in stubborn.unsupported) == [
        ("Performance Highlights", "71.3%"),
        ("Performance Highlights", "MMLU-Pro"),
    ]
    # the Korean-written claims are supported in the flagged summary too: only the contamination is flagged
    assert {"100만", "3배", "10초", "92.5%"} <= {c.text for c in stubborn.claims if c.status == "supported"}

    markdown = render(digest)
    assert markdown.count(FLAG_OPEN) == 1
    assert f"{FLAG_OPEN}71.3%; MMLU-Pro)" in markdown or f"{FLAG_OPEN}MMLU-Pro; 71.3%)" in markdown


def test_a_korean_number_the_paper_does_not_state_is_unsupported() -> None:
    """The same checks can fail: the wrong magnitude or multiplier is caught (the test above is not vacuous)."""
    doc = documents.from_text(SOURCE, "2606.03001")
    summary = Summary(
        paper_id="2606.03001",
        sections=(Section(label="What's New", text="1000만 시간으로 학습했고 4배 빠르며 약 95%를 달성했습니다."),),
    )
    flagged = sorted(c.text for c in verify(summary, doc) if c.status == "unsupported" and not c.undecided)
    assert flagged == ["1000만", "4배", "95%"]
