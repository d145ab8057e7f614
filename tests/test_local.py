"""Local sources: a folder of PDFs and lists of arXiv ids."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

from dailypapers.documents import PdfHead, ReadLimits
from dailypapers.errors import InputError
from dailypapers.sources import local
from tests.papergen import make_paper
from tests.pdfgen import corrupt_pdf, make_pdf


@pytest.mark.slow  # PDF worker processes
def test_folder_of_pdfs(tmp_path: Path) -> None:
    named = make_paper("2606.00001", pages=1)
    stamped = make_paper("2606.00002", pages=1)
    anonymous = make_paper("2606.00003", pages=1)
    (tmp_path / "2606.00001v2.pdf").write_bytes(make_pdf(named))
    (tmp_path / "b-stamped.pdf").write_bytes(make_pdf(stamped, id_on_first_page=True))
    anon_bytes = make_pdf(anonymous, title_metadata=False)
    (tmp_path / "c-notes.pdf").write_bytes(anon_bytes)
    (tmp_path / "d-broken.PDF").write_bytes(corrupt_pdf())
    (tmp_path / "ignored.txt").write_text("not a pdf")
    papers = local.scan(tmp_path)
    assert [p.id for p in papers] == [
        "2606.00001", "2606.00002", f"local:{hashlib.sha256(anon_bytes).hexdigest()[:12]}",
        f"local:{hashlib.sha256(corrupt_pdf()).hexdigest()[:12]}",
    ]
    assert papers[0].version == 2 and papers[0].title == named.title  # from the PDF metadata
    assert papers[1].version == 1
    assert papers[2].title == anonymous.title  # first line of the first page
    assert papers[3].title == "d-broken"  # unreadable: the file name, and fetch will report why
    assert all(p.links["file"] == str((tmp_path / n).resolve()) for p, n in
               zip(papers, ["2606.00001v2.pdf", "b-stamped.pdf", "c-notes.pdf", "d-broken.PDF"], strict=True))


@pytest.mark.slow  # PDF worker processes
def test_old_style_id_in_file_name(tmp_path: Path) -> None:
    (tmp_path / "hep-th_9901001v1.pdf").write_bytes(make_pdf(make_paper("x", pages=1)))
    [paper] = local.scan(tmp_path)
    assert (paper.id, paper.version) == ("hep-th/9901001", 1)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("ids.txt", "# my list\n2606.00001\narXiv:2606.00002v1  # second\n\nhttps://arxiv.org/abs/2606.00001\n"),
        ("ids.csv", "arxiv_id,note\n2606.00001,first\n2606.00002v1,second\n"),
        ("ids.json", json.dumps(["2606.00001", {"id": "2606.00002v1"}])),
        ("ids2.json", json.dumps({"ids": ["2606.00001", "2606.00002v1"]})),
    ],
)
def test_id_lists(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    papers = local.scan(path)
    assert [(p.id, p.version, p.title) for p in papers] == [("2606.00001", None, ""), ("2606.00002", 1, "")]


def test_bad_inputs(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        local.scan(tmp_path / "missing")
    with pytest.raises(InputError, match="no PDF files"):
        local.scan(tmp_path)
    bad = tmp_path / "ids.txt"
    bad.write_text("2606.00001\nnot-an-id\n")
    with pytest.raises(InputError, match="entry 2"):
        local.scan(bad)
    js = tmp_path / "ids.json"
    js.write_text("{broken")
    with pytest.raises(InputError, match="not valid JSON"):
        local.scan(js)
    other = tmp_path / "notes.docx"
    other.write_text("x")
    with pytest.raises(InputError, match="expected a folder"):
        local.scan(other)


def test_an_oversized_pdf_is_listed_unread_and_fails_its_text_step_with_the_reason(tmp_path: Path) -> None:
    import asyncio

    from dailypapers.config import Settings
    from dailypapers.errors import PaperTextError
    from tests.helpers import fetch_document

    big = make_paper("2606.00077", pages=3)
    path = tmp_path / "2606.00077.pdf"
    path.write_bytes(make_pdf(big))
    cap = path.stat().st_size - 1
    [paper] = local.scan(tmp_path, max_bytes=cap)
    assert paper.id == "2606.00077" and paper.title == "2606.00077"  # from the name; the file was not read
    with pytest.raises(PaperTextError, match="over max_pdf_bytes"):
        asyncio.run(fetch_document(paper, None, Settings(max_pdf_bytes=cap)))  # type: ignore[arg-type]


CITATIONS = (
    "Building on arXiv:2401.00001 and the survey in [3] (arXiv:2401.00002v2 [cs.LG], 2024).",
    "arXiv:2401.00003",  # a citation alone on its line: no category, no date
    "See arXiv:2401.00004v1 [cs.CL] 5 May 2024 for the data.",  # a stamp-like citation inside a sentence
)


@pytest.mark.slow  # PDF worker processes
def test_a_citation_on_the_first_page_is_not_the_papers_id(tmp_path: Path) -> None:
    paper = make_paper("2606.00005", pages=1)
    data = make_pdf(paper, title_metadata=False, first_page_lines=CITATIONS)
    (tmp_path / "draft.pdf").write_bytes(data)
    [found] = local.scan(tmp_path)
    assert found.id == f"local:{hashlib.sha256(data).hexdigest()[:12]}"  # not 2401.00001 .. 2401.00004
    assert found.title == paper.title


@pytest.mark.slow  # PDF worker processes
def test_arxivs_margin_stamp_wins_over_citations_before_it(tmp_path: Path) -> None:
    paper = make_paper("2606.00006", pages=1)
    (tmp_path / "draft.pdf").write_bytes(make_pdf(paper, id_on_first_page=True, first_page_lines=CITATIONS))
    [found] = local.scan(tmp_path)
    assert (found.id, found.version) == ("2606.00006", 1)


@pytest.mark.parametrize(("page", "expected"), [
    ("arXiv:2505.02707v1  [cs.CL]  5 May 2025\nVoila", ("2505.02707", 1)),
    ("Title\n  arXiv:2505.02707v3 [eess.AS] 12 Jun 2025  \n", ("2505.02707", 3)),
    ("arXiv:hep-th/9901001v1  4 Jan 1999", ("hep-th/9901001", 1)),
    ("arXiv:2505.02707  [cs.CL]  5 May 2025", None),  # arXiv's stamp always names the version
    ("arXiv:2505.02707v1 [cs.CL], 2025", None),
    ("as in arXiv:2505.02707v1 [cs.CL] 5 May 2025", None),
])
def test_the_stamp_grammar(page: str, expected: tuple[str, int] | None) -> None:
    found = [a or b for a, b in local._ARXIV_STAMP.findall(page)]
    assert (local._id_in(found) if found else None) == expected


@pytest.mark.slow  # PDF worker processes
def test_a_local_paper_without_an_id_is_a_digest_that_import_and_verify_read(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from dailypapers.cli import app
    from dailypapers.digestformat import read_digest, render
    from dailypapers.models import Digest, Entry, Section, Summary

    paper = make_paper("2606.00007", pages=1)
    pdfs = tmp_path / "pdfs"
    pdfs.mkdir()
    (pdfs / "libtasn1.pdf").write_bytes(make_pdf(paper, title_metadata=False))
    [found] = local.scan(pdfs)
    assert found.id.startswith("local:")
    summary = Summary(paper_id=found.id, lang="en",
                      sections=(Section(label="What's New", text=paper.abstract.split(". ")[0] + "."),))
    digest_file = tmp_path / "day.md"
    digest_file.write_text(render(Digest(day=dt.date(2026, 6, 10), entries=(Entry(paper=found, summary=summary),))),
                           encoding="utf-8")
    assert f"### [{found.title}](#local-{found.id.removeprefix('local:')})" in digest_file.read_text(encoding="utf-8")
    assert read_digest(digest_file).entries[0].paper.id == found.id
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / f"{found.id}.txt").write_text(paper.text(), encoding="utf-8")
    db = str(tmp_path / "a.db")
    verified = CliRunner().invoke(app, ["--db", db, "verify", str(digest_file), "--documents", str(texts)])
    assert verified.exit_code == 0, verified.output
    imported = CliRunner().invoke(app, ["--db", db, "import", str(digest_file), "--source", "local:pdfs"])
    assert imported.exit_code == 0, imported.output
    rendered = CliRunner().invoke(app, ["--db", db, "render", "2026-06-10"])
    assert rendered.stdout == digest_file.read_text(encoding="utf-8")


@pytest.mark.slow  # PDF worker processes
def test_a_limit_opens_only_the_pdfs_it_needs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synths = [make_paper(f"2606.0050{i}", pages=1) for i in range(5)]
    for synth in synths:
        (tmp_path / f"{synth.arxiv_id}.pdf").write_bytes(make_pdf(synth, title_metadata=False))
    # a copy of the first paper, sorted first ("-" before "."): the same paper, so it does not count twice
    (tmp_path / "2606.00500-copy.pdf").write_bytes((tmp_path / "2606.00500.pdf").read_bytes())
    opened: list[bytes] = []
    real = local.pdf_head

    def counting(data: bytes, **kw: object) -> PdfHead:
        opened.append(data)
        return real(data, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(local, "pdf_head", counting)
    limits = ReadLimits(pdf_workers=4)

    def scanned(limit: int | None) -> tuple[list[str], int]:
        opened.clear()
        return [p.id for p in local.scan(tmp_path, limit=limit, limits=limits)], len(opened)

    assert scanned(1) == (["2606.00500"], 1)  # not the four the workers could open at once
    # two at once (the copy and the first), one paper; then one more
    assert scanned(2) == (["2606.00500", "2606.00501"], 3)
    assert scanned(4) == ([s.arxiv_id for s in synths[:4]], 5)
    assert scanned(None) == ([s.arxiv_id for s in synths], 6)
    assert scanned(0) == ([], 0)


@pytest.mark.slow  # PDF worker processes
def test_a_pdf_metadata_title_is_capped_like_a_first_line(tmp_path: Path) -> None:
    long = make_paper("2606.00510", pages=1)
    long.title = "Long " * 400  # 2,000 characters in the metadata Title
    (tmp_path / "long.pdf").write_bytes(make_pdf(long))
    [paper] = local.scan(tmp_path / "long.pdf")
    assert paper.title == ("Long " * 60).strip() and len("Long " * 60) == local.MAX_TITLE_CHARS
