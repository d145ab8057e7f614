"""New arXiv versions (`dailypapers refresh`, and the daily run): one batched query for the current versions,
a newer version summarized again with the old summary kept, and exactly the numbers that changed shown: on
the paper page, in /api/papers/{id}, and as an "updated" note in the next edition's message. The Markdown of
past days is never rewritten."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from dailypapers import api
from dailypapers.config import Settings
from dailypapers.models import Claim, ClaimChange, Section, Summary
from dailypapers.store import Store
from dailypapers.versions import claim_changes
from tests.papergen import SynthPaper, make_paper
from tests.standins.hf_arxiv import HfArxivStandIn

DAY = dt.date(2026, 6, 12)


def revised(synth: SynthPaper, *replacements: tuple[str, str]) -> SynthPaper:
    """The paper's next version: every occurrence of each old string replaced (abstract and body)."""
    def swap(text: str) -> str:
        for old, new in replacements:
            text = text.replace(old, new)
        return text

    sections = [(h, [swap(p) for p in paras]) for h, paras in synth.sections]
    return dataclasses.replace(synth, abstract=swap(synth.abstract), sections=sections,
                               facts={k: swap(v) for k, v in synth.facts.items()})


@pytest.fixture
def archive(hf_arxiv: HfArxivStandIn, tmp_path: Path) -> tuple[Settings, list[SynthPaper]]:
    """An arXiv edition of two papers, digested (extractive, English) and written as Markdown."""
    papers = [make_paper(f"2606.2000{i}", pages=2) for i in range(2)]
    for p in papers:
        hf_arxiv.add_paper(p, day=DAY, html=True, published=dt.datetime(2026, 6, 11, 20, 0, tzinfo=dt.UTC))
    settings = Settings(db=tmp_path / "v.db", out_dir=tmp_path / "digests", lang="en",
                        **hf_arxiv.settings_kwargs())
    digest, _ = api.build_digest(settings, DAY, source="arxiv:cs.CL")
    assert digest is not None and len(digest.entries) == 2
    return settings, papers


def test_a_new_version_shows_exactly_the_numbers_that_changed(archive, hf_arxiv: HfArxivStandIn) -> None:
    settings, (first, second) = archive
    acc = first.facts["accuracy"]
    hf_arxiv.new_version(revised(first, (acc, "73.9%")))
    before = len(hf_arxiv.requests_to("/api/query"))
    report = api.refresh(settings)
    queries = hf_arxiv.requests_to("/api/query")[before:]
    assert len(queries) == 1  # one batched query for every stored paper
    assert sorted(queries[0].query["id_list"].split(",")) == [first.arxiv_id, second.arxiv_id]
    assert report.asked == 2 and not report.failed
    [change] = report.changes
    assert (change.paper_id, change.from_version, change.to_version) == (first.arxiv_id, 1, 2)
    print(change.line)
    assert [c.kind for c in change.changes] == ["changed"]
    assert (change.changes[0].before, change.changes[0].after) == (acc, "73.9%")
