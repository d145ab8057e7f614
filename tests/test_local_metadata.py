"""Local PDFs that carry an arXiv id are described by arXiv (stand-in), and still read from the file."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from dailypapers.config import Settings
from dailypapers.events import Events
from dailypapers.http import Http
from dailypapers.models import Paper
from tests.helpers import fetch_document, list_papers
from tests.papergen import SynthPaper, make_paper
from tests.pdfgen import make_pdf
from tests.standins.base import Reply
from tests.standins.hf_arxiv import HfArxivStandIn


class Warnings(list[str]):
    def __call__(self, message: str) -> None:
        self.append(message)


async def _no_sleep(_seconds: float) -> None:
    return None


def _draft(synth: SynthPaper) -> SynthPaper:
    """The same paper as a local draft: another title, the authors in another order."""
    return dataclasses.replace(synth, title="An Early Draft Nobody Should Cite",
                               authors=list(reversed(synth.authors)))


async def _papers(folder: Path, settings: Settings, warn: Warnings, **kw: object) -> list[Paper]:
    async with Http(settings, sleep=_no_sleep) as http:
        return await list_papers(str(folder), None, http, settings, warn=warn, **kw)  # type: ignore[arg-type]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "pdfs"
    path.mkdir()
    return path


async def test_pdfs_with_an_id_take_arxivs_metadata_and_keep_their_file(
    hf_arxiv: HfArxivStandIn, standin_settings: Settings, folder: Path
) -> None:
    first, second = make_paper("2606.00001", pages=2), make_paper("2606.00002", pages=1)
    hf_arxiv.add_paper(first)
    hf_arxiv.add_paper(second)
    (folder / "2606.00001.pdf").write_bytes(make_pdf(_draft(first)))
    (folder / "later-2606.00002v2.pdf").write_bytes(make_pdf(_draft(second)))
    warn = Warnings()
    papers = await _papers(folder, standin_settings, warn)
    assert warn == []
    assert [p.id for p in papers] == ["2606.00001", "2606.00002"]
    a, b = papers
    assert a.title == first.title  # arXiv's, not the draft's
    assert a.authors == tuple(first.authors)  # in arXiv's order
    assert a.abstract == first.abstract
    assert a.published == dt.datetime(2026, 6, 10, 17, 59, 1, tzinfo=dt.UTC)
    assert a.version == 1 and a.links["category"] == "cs.CL" and a.links["pdf"].endswith("2606.00001v1")
    assert a.links["file"] == str((folder / "2606.00001.pdf").resolve())
    assert b.title == second.title and b.version == 2  # the file says v2: described as v2
    # one batched request, with the versions the files carry
    [query] = hf_arxiv.requests_to("/api/query")
    assert query.query["id_list"] == "2606.00001,2606.00002v2"
    # the text still comes from the local file, not from arXiv
    async with Http(standin_settings) as http:
        doc = await fetch_document(a, http, standin_settings)
    assert doc.origin == "pdf" and "An Early Draft Nobody Should Cite" in doc.text
    assert not hf_arxiv.requests_to("/pdf/") and not hf_arxiv.requests_to("/html/")


async def test_an_id_arxiv_does_not_know_keeps_the_file_record_and_warns_once(
    hf_arxiv: HfArxivStandIn, standin_settings: Settings, folder: Path
) -> None:
    known, unknown = make_paper("2606.00011", pages=1), make_paper("2606.00012", pages=1)
    hf_arxiv.add_paper(known)
    (folder / "2606.00011.pdf").write_bytes(make_pdf(_draft(known)))
    (folder / "2606.00012.pdf").write_bytes(make_pdf(unknown))
    warn = Warnings()
    a, b = await _papers(folder, standin_settings, warn)
    assert a.title == known.title and a.authors == tuple(known.authors)
    # what the PDF says
    assert (b.id, b.title, b.authors, b.abstract) == ("2606.00012", unknown.title, tuple(unknown.authors), "")
    assert b.links == {"file": str((folder / "2606.00012.pdf").resolve())}
    assert len(warn) == 1 and "2606.00012" in warn[0] and "2606.00011" not in warn[0]


async def test_arxiv_failing_keeps_every_file_record_and_warns_once(
    hf_arxiv: HfArxivStandIn, standin_settings: Settings, folder: Path
) -> None:
    synth = make_paper("2606.00021", pages=1)
    hf_arxiv.add_paper(synth)
    draft = _draft(synth)
    (folder / "2606.00021.pdf").write_bytes(make_pdf(draft))
    notes = make_paper("2606.00022", pages=1)
    (folder / "notes.pdf").write_bytes(make_pdf(notes))
    attempts = 1 + standin_settings.http_retries
    hf_arxiv.fault("/api/query", Reply(status=500, body=b"oops", content_type="text/plain"), times=attempts)
    warn = Warnings()
    papers = await _papers(folder, standin_settings, warn)
    assert len(hf_arxiv.requests_to("/api/query")) == attempts  # retried, then given up on
    assert [p.title for p in papers] == [draft.title, notes.title]  # what the PDFs say
    assert papers[0].id == "2606.00021" and papers[0].authors == tuple(draft.authors)
    assert papers[1].id.startswith("local:")
    assert len(warn) == 1 and "HTTP 500" in warn[0] and "1 local file " in warn[0]


async def test_pdfs_without_an_id_are_untouched_and_arxiv_is_not_asked(
    hf_arxiv: HfArxivStandIn, standin_settings: Settings, folder: Path
) -> None:
    synth = make_paper("2606.00031", pages=1)
    hf_arxiv.add_paper(synth)  # arXiv knows it, but nothing in the file says which paper it is
    (folder / "notes.pdf").write_bytes(make_pdf(synth))
    warn = Warnings()
    [paper] = await _papers(folder, standin_settings, warn)
    assert paper.id.startswith("local:") and paper.title == synth.title and paper.authors == tuple(synth.authors)
    assert not hf_arxiv.requests and warn == []


async def test_local_metadata_off_asks_nothing(
    hf_arxiv: HfArxivStandIn, standin_settings: Settings, folder: Path
) -> None:
    synth = make_paper("2606.00041", pages=1)
    hf_arxiv.add_paper(synth)
    draft = _draft(synth)
    (folder / "2606.00041.pdf").write_bytes(make_pdf(draft))
    settings = standin_settings.model_copy(update={"local_metadata": False})
    warn = Warnings()
    [paper] = await _papers(folder, settings, warn)
    assert paper.title == "An Early Draft Nobody Should Cite" and paper.authors == tuple(draft.authors)
    assert not hf_arxiv.requests and warn == []


async def test_limit_asks_arxiv_only_about_the_papers_kept(
    hf_arxiv: HfArxivStandIn, standin_settings: Settings, folder: Path
) -> None:
    for n in (51, 52, 53):
        synth = make_paper(f"2606.000{n}", pages=1)
        hf_arxiv.add_paper(synth)
        (folder / f"2606.000{n}.pdf").write_bytes(make_pdf(synth))
    warn = Warnings()
    papers = await _papers(folder, standin_settings, warn, limit=2)
    assert [p.id for p in papers] == ["2606.00051", "2606.00052"]
    assert [r.query["id_list"] for r in hf_arxiv.requests_to("/api/query")] == ["2606.00051,2606.00052"]


async def test_without_a_subscriber_the_warning_goes_to_the_log(
    hf_arxiv: HfArxivStandIn, standin_settings: Settings, folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (folder / "2606.00061.pdf").write_bytes(make_pdf(make_paper("2606.00061", pages=1)))
    async with Http(standin_settings) as http:
        [paper] = await list_papers(str(folder), None, http, standin_settings, warn=Events().notice)
    assert paper.id == "2606.00061"
    assert [r.getMessage() for r in caplog.records if r.name == "dailypapers.events"] == [
        "arXiv does not know 2606.00061; kept what the file says"]
