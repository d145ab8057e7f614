"""Local PDFs read offline: the title from the largest-font lines on top of page 1 (or a sensible metadata
Title), the authors from the lines between the title and the abstract, arXiv's margin stamp ignored; tested on
PDFs made with fpdf2 as papers are set (two- and three-line titles, a turned stamp, affiliations, e-mails)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dailypapers.cli import app
from dailypapers.documents import pdf_head
from dailypapers.documents.head import Line, author_names, read_head, sensible_title
from dailypapers.store import Store
from tests.pdfgen import title_block_pdf

TITLE = "Shorter Is Better: Structured Layer Pruning and Recovery for Efficient Large Language Models"
AUTHORS = [("Alice Zhang", "1,2"), ("Bruno de la Cruz", "2"), ("Chen Wei", "1*"), ("Dana O'Neil", "3")]
AFFILIATIONS = ["1 Tsinghua University   2 Shanghai AI Laboratory",
                "3 Department of Computer Science, Stanford University", "* Equal contribution"]
STAMP = "arXiv:2505.02222v1  [cs.LG]  4 May 2025"


def test_the_title_is_the_run_of_largest_lines_and_the_authors_come_before_the_abstract() -> None:
    lines = [
        Line("Preprint. Under review.", 8, 0.05),
        Line("Shorter Is Better: Structured Layer", 17, 0.10),
        Line("Pruning and Recovery for Efficient", 17, 0.13),
        Line("Large Language Models", 17, 0.16),
        Line("Alice Zhang1,2, Bruno de la Cruz2, Chen Wei1∗ and J. R. R. Tolkien3", 11, 0.19),
        Line("1Tsinghua University 2Shanghai AI Laboratory 3Oxford", 9, 0.21),
        Line("{alice,chen}@example.edu", 9, 0.22),
        Line("Abstract", 12, 0.30),
        Line("Zed Zulu, Yara Young", 10, 0.32),  # after the abstract: not an author
    ]
    assert read_head(lines).title == TITLE
    assert read_head(lines).authors == ("Alice Zhang", "Bruno de la Cruz", "Chen Wei", "J. R. R. Tolkien")


def test_affiliations_emails_and_notes_are_not_names() -> None:
    assert author_names("3 Department of Computer Science, Stanford University") == []
    assert author_names("* Equal contribution. † Corresponding author.") == []
    assert author_names("{alice, chen}@example.edu") == []
    assert author_names("Project page: https://example.org/shorter") == []
    assert author_names("Meta AI, Google DeepMind") == []
    assert author_names("Łukasz Kaiser†  ·  Ana María Pérez‡") == ["Łukasz Kaiser", "Ana María Pérez"]


@pytest.mark.parametrize(("title", "sensible"), [
    ("Shorter Is Better: Structured Layer Pruning", True),
    ("Microsoft Word - draft3.docx", False),
    ("main.pdf", False),
    ("untitled", False),
    ("arXiv:2505.02222v1 [cs.LG] 4 May 2025", False),
    ("", False),
])
def test_a_metadata_title_counts_only_when_sensible(title: str, sensible: bool) -> None:
    assert sensible_title(title) is sensible


@pytest.mark.slow  # PDF worker processes
@pytest.mark.parametrize(("metadata", "expected"), [
    (None, TITLE),  # no metadata: the largest-font lines, all three of them
    ("Microsoft Word - draft3.docx", TITLE),  # a tool's placeholder is not a title
    ("Shorter Is Better (camera-ready version)", "Shorter Is Better (camera-ready version)"),
])
def test_generated_pdfs_give_the_whole_title_and_every_author(metadata: str | None, expected: str) -> None:
    data = title_block_pdf(TITLE, AUTHORS, AFFILIATIONS, stamp=STAMP, metadata_title=metadata,
                           emails="{alice, chen}@example.edu")
    head = pdf_head(data)
    assert head.title == expected
    assert head.authors == ("Alice Zhang", "Bruno de la Cruz", "Chen Wei", "Dana O'Neil")
    assert STAMP.split()[0] in head.first_page  # the stamp is still read for the paper's id


@pytest.mark.slow
def test_authors_over_several_lines_and_a_two_line_title() -> None:
    many = [(f"{first} {last}", str(n % 3 + 1)) for n, (first, last) in enumerate(
        [("Maria", "Garcia"), ("Kenji", "Tanaka"), ("Olufemi", "Adeyemi"), ("Sofia", "Rossi"),
         ("Lars", "Eriksson"), ("Priya", "Natarajan"), ("Tomasz", "Nowak")])]
    data = title_block_pdf("Sparse Mixtures of Adapters for Long-Context Retrieval", many, AFFILIATIONS,
                           title_width=110)
    head = pdf_head(data)
    assert head.title == "Sparse Mixtures of Adapters for Long-Context Retrieval"
    assert head.authors == tuple(name for name, _ in many)


@pytest.mark.slow
def test_a_folder_read_offline_keeps_the_pdfs_title_and_authors_and_warns_sensibly(tmp_path: Path) -> None:
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "pruning.pdf").write_bytes(title_block_pdf(TITLE, AUTHORS, AFFILIATIONS, stamp=STAMP))
    db = tmp_path / "a.db"
    # arXiv is unreachable (the test environment points it at a closed port): the file is described by itself
    result = CliRunner().invoke(app, ["--db", str(db), "fetch", "2025-05-04", "--source", str(folder)],
                                env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert "not fetched (cannot reach 127.0.0.1" in result.stderr
    assert "--source DIR" not in result.stderr and "local_metadata = false" in result.stderr
    with Store(db, readonly=True) as store:
        paper = store.get_paper("2505.02222")
    assert paper is not None and paper.title == TITLE and paper.version == 1
    assert paper.authors == ("Alice Zhang", "Bruno de la Cruz", "Chen Wei", "Dana O'Neil")
