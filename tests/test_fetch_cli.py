"""`dailypapers fetch` end to end against the stand-ins (base URLs from DAILYPAPERS_* env vars)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dailypapers.cli import app
from dailypapers.store import Store
from tests.papergen import make_paper
from tests.pdfgen import encrypted_pdf, make_pdf
from tests.standins.hf_arxiv import HfArxivStandIn

DAY = dt.date(2026, 6, 12)


@pytest.fixture
def env(hf_arxiv: HfArxivStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key, value in hf_arxiv.env().items():
        monkeypatch.setenv(key, value)
    db = tmp_path / "cli.db"
    monkeypatch.setenv("DAILYPAPERS_DB", str(db))
    return db


def run(*args: str):
    return CliRunner().invoke(app, ["fetch", *args])


def test_fetch_a_day(hf_arxiv: HfArxivStandIn, env: Path) -> None:
    good_html = make_paper("2606.00001", pages=2)
    good_pdf = make_paper("2606.00002", pages=2)
    locked = make_paper("2606.00003", pages=1)
    hf_arxiv.add_paper(good_html, day=DAY, upvotes=9, html=True)
    hf_arxiv.add_paper(good_pdf, day=DAY, upvotes=5)
    hf_arxiv.add_paper(locked, day=DAY, upvotes=1, pdf=encrypted_pdf(locked))
    result = run("2026-06-12")
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    ids = ("2606.00001", "2606.00002", "2606.00003")
    row = {pid: next(line for line in lines if pid in line) for pid in ids}
    assert "ok" in row["2606.00001"] and "ok" in row["2606.00002"]
    assert "failed: encrypted PDF" in row["2606.00003"]
    assert "2 ok, 1 failed" in result.output
    with Store(env) as store:
        assert store.get_paper("2606.00001").upvotes == 9
        assert store.get_document("2606.00001").origin == "html"
        assert store.get_document("2606.00002").origin == "pdf"
        assert store.get_document("2606.00003") is None
    # a re-run fetches only what is missing
    before = len(hf_arxiv.requests_to("/pdf/2606.00002"))
    again = run("2026-06-12")
    assert again.exit_code == 1
    assert len(hf_arxiv.requests_to("/pdf/2606.00002")) == before


def test_limit_keeps_the_most_voted(hf_arxiv: HfArxivStandIn, env: Path) -> None:
    for i, votes in enumerate([3, 30, 10], start=1):
        hf_arxiv.add_paper(make_paper(f"2606.0000{i}", pages=1), day=DAY, upvotes=votes)
    result = run("2026-06-12", "--limit", "2")
    assert result.exit_code == 0, result.output
    with Store(env) as store:
        assert {p for p in ("2606.00001", "2606.00002", "2606.00003") if store.get_paper(p)} == {
            "2606.00002", "2606.00003"}


def test_no_papers_that_day(env: Path) -> None:
    result = run("2026-06-13")
    assert result.exit_code == 0
    assert "no papers that day" in result.output


def test_bad_date(env: Path) -> None:
    result = run("2026-13-40")
    assert result.exit_code == 2
    assert "bad date" in result.output


def test_local_folder_source(tmp_path: Path, env: Path) -> None:
    folder = tmp_path / "pdfs"
    folder.mkdir()
    synth = make_paper("2606.00007", pages=2)
    (folder / "2606.00007.pdf").write_bytes(make_pdf(synth))
    (folder / "notes.pdf").write_bytes(make_pdf(make_paper("2606.00008", pages=1), title_metadata=False))
    result = run("--source", str(folder))
    assert result.exit_code == 0, result.output
    with Store(env) as store:
        doc = store.get_document("2606.00007")
        assert doc is not None and doc.origin == "pdf"
        assert store.get_paper("2606.00007").title == synth.title
    # the stand-in's arXiv does not know 2606.00007: said once, the run still succeeds
    assert result.output.count("warning: arXiv does not know 2606.00007") == 1


def test_limit_on_a_local_folder_opens_only_the_pdfs_it_keeps(
        tmp_path: Path, env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dailypapers.sources import local

    folder = tmp_path / "pdfs"
    folder.mkdir()
    for n in range(5):
        (folder / f"2606.0002{n}.pdf").write_bytes(make_pdf(make_paper(f"2606.0002{n}", pages=1)))
    heads: list[int] = []
    reads: list[str] = []
    real_head, real_read = local.pdf_head, local.read_file
    monkeypatch.setattr(local, "pdf_head", lambda data, **kw: heads.append(len(data)) or real_head(data, **kw))
    monkeypatch.setattr(local, "read_file", lambda path, *a, **kw: reads.append(path.name) or real_read(path, *a, **kw))
    monkeypatch.setenv("DAILYPAPERS_PDF_WORKERS", "4")  # the workers could open four at once
    result = run("--source", str(folder), "--limit", "2")
    assert result.exit_code == 0, result.output
    assert len(heads) == 2  # the scan opened two of the five
    assert sorted(reads) == ["2606.00020.pdf", "2606.00021.pdf"]  # and the text step read those two
    with Store(env) as store:
        assert [p for p in ("2606.00020", "2606.00021", "2606.00022") if store.get_paper(p)] == [
            "2606.00020", "2606.00021"]


def test_local_pdf_with_an_id_gets_arxiv_metadata(hf_arxiv: HfArxivStandIn, tmp_path: Path, env: Path) -> None:
    folder = tmp_path / "pdfs"
    folder.mkdir()
    synth = make_paper("2606.00009", pages=1)
    synth.title = "[bold]Marked[/bold] :smile: title from arXiv"
    hf_arxiv.add_paper(synth)
    (folder / "2606.00009.pdf").write_bytes(make_pdf(make_paper("2606.00009", pages=1)))
    result = run("--source", str(folder))
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    with Store(env) as store:
        paper = store.get_paper("2606.00009")
        assert paper.title == synth.title and paper.authors == tuple(synth.authors)
        assert store.get_document("2606.00009").origin == "pdf"
    assert not hf_arxiv.requests_to("/pdf/")


def test_id_list_source_gets_arxiv_metadata(hf_arxiv: HfArxivStandIn, tmp_path: Path, env: Path) -> None:
    synth = make_paper("2606.00021", pages=1)
    hf_arxiv.add_paper(synth)
    ids = tmp_path / "ids.txt"
    ids.write_text("2606.00021\n")
    result = run("--source", str(ids))
    assert result.exit_code == 0, result.output
    with Store(env) as store:
        paper = store.get_paper("2606.00021")
        assert paper.title == synth.title and paper.authors == tuple(synth.authors)
        assert store.get_document("2606.00021") is not None


def test_arxiv_category_source(hf_arxiv: HfArxivStandIn, env: Path) -> None:
    hf_arxiv.add_paper(make_paper("2606.00031", pages=1), category="cs.LG")
    result = run("--source", "arxiv:cs.LG", "--limit", "5")
    assert result.exit_code == 0, result.output
    assert hf_arxiv.requests_to("/api/query")[0].query["max_results"] == "5"


def test_unknown_source(env: Path) -> None:
    result = run("--source", "nowhere-at-all")
    assert result.exit_code == 2
    assert "unknown source" in result.output


def test_titles_are_shown_as_text_not_markup(hf_arxiv: HfArxivStandIn, env: Path) -> None:
    synth = make_paper("2606.00042", pages=1)
    synth.title = "[bold red]Loud[/bold red] :smile: [link=http://x]click[/link]"
    hf_arxiv.add_paper(synth, day=DAY, upvotes=3)
    result = run("2026-06-12")
    assert result.exit_code == 0, result.output
    assert "[bold red]Loud[/bold red] :smile:" in result.output


def test_a_reader_crash_on_one_paper_fails_that_paper_only(
    hf_arxiv: HfArxivStandIn, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dailypapers.sources import arxiv

    real = arxiv.extract_pdf

    def crashing(data: bytes, paper_id: str, **options):
        if paper_id == "2606.00032":
            raise RuntimeError("pdfium blew up")
        return real(data, paper_id, **options)

    monkeypatch.setattr(arxiv, "extract_pdf", crashing)
    for i in (1, 2):
        hf_arxiv.add_paper(make_paper(f"2606.0003{i}", pages=1), day=DAY, upvotes=i)
    result = CliRunner().invoke(app, ["fetch", DAY.isoformat()], env={"COLUMNS": "200"})
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "failed: unexpected error: RuntimeError: pdfium blew up" in result.stdout
    assert "1 ok, 1 failed" in result.stdout
