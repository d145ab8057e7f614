"""Hostile HTML made at test time: tens of thousands of unclosed or stray tags, deep nesting, piles of
formatting tags. Each page parses or fails its paper, within a bound the test enforces; none is quadratic."""

from __future__ import annotations

import pytest

from dailypapers.documents import ReadLimits, parse_html
from dailypapers.documents.html import MAX_HTML_BYTES
from dailypapers.errors import PaperTextError
from tests.hostile.bounded import bounded
from tests.hostile.corpus import (
    deeply_nested_html,
    formatting_pile_html,
    headings_deep_down_html,
    table_pile_html,
    unclosed_tags_html,
)


@pytest.mark.parametrize("page", [unclosed_tags_html(20_000), deeply_nested_html(50_000)], ids=["unclosed", "deep"])
def test_deep_or_unclosed_markup_fails_its_paper_quickly(page: str) -> None:
    with pytest.raises(PaperTextError, match="nests elements over 256 deep"):
        bounded(lambda: parse_html(page, "x"))


def test_a_little_nesting_and_stray_tags_still_parse() -> None:
    doc = bounded(lambda: parse_html(unclosed_tags_html(100), "x"))
    assert [s.kind for s in doc.sections] == ["title", "abstract", "introduction"]
    assert "word 99" in doc.sections[-1].text


@pytest.mark.slow  # HTML bombs: seconds of CPU
def test_a_pile_of_formatting_tags_parses_in_one_pass() -> None:
    # HTML5 tree builders rebuild open formatting elements at every step here (super-linear); libxml2 does not
    doc = bounded(lambda: parse_html(formatting_pile_html(50_000), "x"))
    assert "paragraph 49999." in doc.text


def test_the_text_of_a_page_is_capped() -> None:
    with pytest.raises(PaperTextError, match="max_document_chars"):
        bounded(lambda: parse_html(formatting_pile_html(50_000), "x", limits=ReadLimits(max_document_chars=100_000)))


def test_an_oversized_page_is_refused_before_parsing() -> None:
    page = unclosed_tags_html(10).replace("A Hostile Page", "x" * (MAX_HTML_BYTES + 1))
    with pytest.raises(PaperTextError, match="over 32 MB"):
        parse_html(page, "x")


@pytest.mark.slow  # HTML bombs: seconds of CPU
def test_many_headings_deep_down_parse_in_one_pass() -> None:
    doc = bounded(lambda: parse_html(headings_deep_down_html(), "x"))
    assert [s.kind for s in doc.sections[-2:]] == ["appendix", "appendix"]
    assert doc.sections[-1].text == "Text of part 49999."


@pytest.mark.slow  # HTML bombs: seconds of CPU
def test_a_pile_of_nested_tables_is_read_in_one_pass() -> None:
    doc = bounded(lambda: parse_html(table_pile_html(20_000), "x"))
    tables = [s for s in doc.sections if s.kind == "table"]
    assert len(tables) == 20_000 and tables[0].heading == "Table 1: Pile."
    assert tables[0].text == "0 | inner 0" and tables[-1].text == "19999 | inner 19999"
