"""A folder of PDFs with bombs among good papers: the scan lists every file, the good ones with their titles,
and only the bombs' text steps fail, each saying which limit stopped it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from dailypapers.config import Settings
from dailypapers.documents import ReadLimits
from dailypapers.errors import PaperTextError
from dailypapers.sources import local
from tests.helpers import fetch_document
from tests.hostile.bounded import bounded
from tests.hostile.corpus import noop_bomb, text_bomb
from tests.papergen import make_paper
from tests.pdfgen import make_pdf

pytestmark = pytest.mark.slow  # PDF worker processes

MB = 1024 * 1024


def test_a_scan_with_bombs_keeps_the_good_pdfs(tmp_path: Path) -> None:
    good = [make_paper(f"2606.0020{i}", pages=2) for i in range(2)]
    for synth in good:
        (tmp_path / f"{synth.arxiv_id}.pdf").write_bytes(make_pdf(synth, title_metadata=False))
    (tmp_path / "a-text-bomb.pdf").write_bytes(text_bomb(chars=8_000_000))
    (tmp_path / "b-drawing-bomb.pdf").write_bytes(noop_bomb())
    settings = Settings(max_pdf_memory=512 * MB, max_pdf_cpu_seconds=5, pdf_workers=2, local_metadata=False)

    papers = bounded(lambda: local.scan(tmp_path, limits=ReadLimits.from_settings(settings)))
    by_file = {Path(p.links["file"]).name: p for p in papers}
    assert len(papers) == 4
    for synth in good:  # read from the first page, which the scan opened in a worker
        assert by_file[f"{synth.arxiv_id}.pdf"].title == synth.title
    assert by_file["a-text-bomb.pdf"].title == "a-text-bomb"  # unread: its name, and the text step says why
    assert by_file["b-drawing-bomb.pdf"].title == "b-drawing-bomb"

    async def read_all() -> list[object]:
        return await asyncio.gather(*(fetch_document(p, None, settings) for p in papers), return_exceptions=True)

    outcomes = dict(zip([Path(p.links["file"]).name for p in papers], bounded(lambda: asyncio.run(read_all())),
                        strict=True))
    for synth in good:
        assert synth.facts["accuracy"] in outcomes[f"{synth.arxiv_id}.pdf"].text  # type: ignore[attr-defined]
    for bomb in ("a-text-bomb.pdf", "b-drawing-bomb.pdf"):
        assert isinstance(outcomes[bomb], PaperTextError), outcomes[bomb]
        assert "max_pdf_" in outcomes[bomb].reason  # type: ignore[attr-defined]
