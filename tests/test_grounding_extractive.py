"""The extractive summarizer quotes the paper, so the verifier must find every claim of its summary in the
paper: for many synthetic papers, read both as plain text and through a PDF."""

from __future__ import annotations

import asyncio
from functools import cache

import pytest

from dailypapers import documents
from dailypapers.models import DEFAULT_LABELS, Document, Paper
from dailypapers.summarize.extractive import ExtractiveSummarizer
from dailypapers.verify import verify
from tests.papergen import SynthPaper, make_paper
from tests.pdfgen import make_pdf

SEEDS = range(30)


@cache
def synth(seed: int) -> SynthPaper:
    # 1-6 pages: short papers put every key sentence in the budget, long ones make the budget choose
    return make_paper(f"2507.{seed:05d}", pages=1 + seed % 6, seed=seed)


def document(seed: int, origin: str) -> Document:
    s = synth(seed)
    if origin == "text":
        return documents.from_text(s.text(), s.arxiv_id)
    return documents.extract_pdf(make_pdf(s), s.arxiv_id, max_pages=50)


# the PDF variant reads each paper in a PDF worker process
@pytest.mark.parametrize("origin", ["text", pytest.param("pdf", marks=pytest.mark.slow)])
@pytest.mark.parametrize("seed", SEEDS)
def test_extractive_summary_verifies_clean(seed: int, origin: str) -> None:
    s = synth(seed)
    doc = document(seed, origin)
    paper = Paper(id=s.arxiv_id, title=s.title, authors=tuple(s.authors), abstract=s.abstract)
    result = asyncio.run(
        ExtractiveSummarizer().summarize(
            paper, documents.budget(doc, 3000), lang="en", labels=DEFAULT_LABELS
        )
    )
    claims = verify(result.summary, doc)
    unsupported = [(c.section_label, c.text) for c in claims if c.status == "unsupported"]
    assert unsupported == [], [sec.text for sec in result.summary.sections]
    # not vacuous: the summary states the paper's results, and the verifier found them
    numbers = [c for c in claims if c.kind == "number" and c.status == "supported"]
    assert numbers, [sec.text for sec in result.summary.sections]
    assert all(c.evidence for c in numbers)
    if origin == "pdf":
        assert all(isinstance(c.evidence_page, int) for c in claims)
