"""Texts of hundreds of thousands of short lines (a .txt or .md paper, an HTML page's source lines): the
reflow of wrapped lines into paragraphs runs in the main process, so it must be linear in the text."""

from __future__ import annotations

from pathlib import Path

from dailypapers.documents import parse_html, read_file
from dailypapers.documents.sections import reflow
from tests.hostile.bounded import bounded
from tests.hostile.corpus import short_lines_html, short_lines_text

# Each case takes well under a second; copying the paragraph at every line took minutes for the same input.
SECONDS = 10.0


def test_a_text_file_of_short_lines_reads_in_linear_time(tmp_path: Path) -> None:
    path = tmp_path / "paper.txt"
    text = short_lines_text()
    path.write_text(text, encoding="utf-8")
    doc = bounded(lambda: read_file(path, "x", max_bytes=10 * 2**20, max_pages=300), SECONDS)
    intro = next(s for s in doc.sections if s.kind == "introduction")
    assert "\n" not in intro.text  # one paragraph
    assert intro.text.startswith("short wrapped words of a long paragraph short wrapped words")  # hyphen joined
    assert intro.text.count("paragraph") == text.count("para-\ngraph")


def test_an_html_paragraph_of_short_source_lines_reads_in_linear_time() -> None:
    doc = bounded(lambda: parse_html(short_lines_html(140_000), "x"), SECONDS)
    intro = next(s for s in doc.sections if s.kind == "introduction")
    assert intro.text.count("short wrapped words") == 140_000


def test_reflow_of_a_long_hyphenated_chain_is_linear() -> None:
    # every line ends hyphenated and the next goes on in lower case: one word of 1,200,000 letters (joining
    # by copying the word so far at every line took 35 s here)
    assert bounded(lambda: reflow(["ab-"] * 600_000 + ["c"]), SECONDS) == "ab" * 600_000 + "c"
