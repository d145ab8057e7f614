"""The one-line TL;DR: asked of the LLM beside the sections, checked like a section, stored with the summary,
and never written into the digest Markdown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from dailypapers.digestformat import render
from dailypapers.documents import from_text
from dailypapers.models import DEFAULT_LABELS, TLDR_LABEL, Digest, Entry, Paper, Section, Summary
from dailypapers.store import Store
from dailypapers.summarize.llm import LLMSummarizer
from dailypapers.work import WorkSpec, summarize_paper
from tests.papergen import make_paper
from tests.standins.openai_server import OpenAIStandIn, on_summaries

SYNTH = make_paper("2501.04243", pages=2, seed=11)
PAPER = Paper(id=SYNTH.arxiv_id, version=1, title=SYNTH.title, abstract=SYNTH.abstract)


def llm(server: OpenAIStandIn) -> LLMSummarizer:
    return LLMSummarizer(model="gpt-4o-mini", base_url=server.base_url, timeout=5, max_retries=0)


async def test_the_llm_reply_gives_the_tldr_and_a_long_one_is_clipped(openai_standin: OpenAIStandIn) -> None:
    result = await llm(openai_standin).summarize(PAPER, SYNTH.text(), lang="en", labels=DEFAULT_LABELS)
    tldr = result.summary.tldr
    assert tldr and tldr in " ".join(SYNTH.text().split())  # the stand-in quotes the paper's first plain sentence
    assert "tldr" not in [s.label for s in result.summary.sections]

    def long_tldr(data: dict[str, str], labels: Sequence[str]) -> None:
        data["tldr"] = "word " * 200

    openai_standin.responder = on_summaries(long_tldr)
    clipped = (await llm(openai_standin).summarize(PAPER, SYNTH.text(), lang="en", labels=DEFAULT_LABELS)).summary
    assert len(clipped.tldr) == 300 and clipped.tldr.endswith("…")


async def test_a_reply_without_tldr_costs_no_repair_call(openai_standin: OpenAIStandIn) -> None:
    def no_tldr(data: dict[str, str], labels: Sequence[str]) -> None:
        data.pop("tldr")

    openai_standin.responder = on_summaries(no_tldr)
    result = await llm(openai_standin).summarize(PAPER, SYNTH.text(), lang="en", labels=DEFAULT_LABELS)
    assert result.summary.tldr == "" and result.usage.calls == 1 and openai_standin.calls == 1


async def test_a_number_the_paper_lacks_in_the_tldr_is_flagged(openai_standin: OpenAIStandIn) -> None:
    def planted(data: dict[str, str], labels: Sequence[str]) -> None:
        data["tldr"] = "The method reaches 97.3% accuracy with Zanzibar-9 as its backbone."

    openai_standin.responder = on_summaries(planted)
    document = from_text(SYNTH.text(), PAPER.id)
    spec = WorkSpec(lang="en", labels=DEFAULT_LABELS, max_input_tokens=6000)
    result = await summarize_paper(PAPER, document, spec, llm(openai_standin))
    assert result.summary is not None and result.outcome.status == "flagged"
    flagged = {c.text for c in result.summary.unsupported if c.section_label == TLDR_LABEL}
    assert {"97.3%", "Zanzibar-9"} <= flagged
    assert "97.3%" in result.outcome.reason


async def test_a_supported_tldr_keeps_the_paper_ok(openai_standin: OpenAIStandIn) -> None:
    document = from_text(SYNTH.text(), PAPER.id)
    spec = WorkSpec(lang="en", labels=DEFAULT_LABELS, max_input_tokens=6000)
    result = await summarize_paper(PAPER, document, spec, llm(openai_standin))
    assert result.summary is not None and result.summary.tldr
    assert not [c for c in result.summary.unsupported if c.section_label == TLDR_LABEL]


def _digest(tldr: str) -> Digest:
    summary = Summary(paper_id="2503.00001", lang="en", tldr=tldr,
                      sections=(Section(label="What's New", text="A routing method for sparse experts."),))
    paper = Paper(id="2503.00001", title="Lantern Routing", authors=("Mina Park",), upvotes=30)
    return Digest(day=dt.date(2025, 3, 1), lang="en", entries=(Entry(paper=paper, summary=summary),))


def test_the_tldr_is_stored_and_read_back_but_not_in_the_markdown(tmp_path: Path) -> None:
    digest = _digest("Routes tokens to sparse experts by lantern scores.")
    assert render(digest) == render(_digest(""))  # the Markdown stays the seed format, byte for byte
    assert "lantern scores" not in render(digest)
    with Store(tmp_path / "a.db") as store:
        entry = digest.entries[0]
        assert entry.summary is not None
        store.upsert_paper(entry.paper)
        store.save_summary(entry.summary, "k1")
        store.save_digest(digest, ["k1"])
        stored = store.get_summary("k1")
        assert stored is not None and stored.tldr == "Routes tokens to sparse experts by lantern scores."
        again = store.get_digest(digest.edition)
        assert again is not None and again.entries[0].summary is not None
        assert again.entries[0].summary.tldr == stored.tldr
