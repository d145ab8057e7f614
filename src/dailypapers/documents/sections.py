"""Sections of a paper's text: which lines are headings, what kind of section each opens, and the
reflow of wrapped lines into paragraphs. One rule for every reader (PDF, HTML, plain text) and for the
extractive summarizer."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dailypapers.models import Document, SectionKind, TextSection
from dailypapers.text import one_line

MIN_TEXT_CHARS = 200  # less text than this in a whole paper means there is no usable text

# Heading words by kind, English first, then Korean, Chinese and Japanese (papers and digests in those scripts).
_KIND_WORDS: tuple[tuple[SectionKind, tuple[str, ...]], ...] = (
    ("abstract", ("abstract", "초록", "요약", "摘要", "概要")),
    ("references", ("references", "bibliography", "works cited", "참고문헌", "참고 문헌", "参考文献")),
    ("appendix", ("appendix", "appendices", "supplementary", "supplemental", "부록", "附录", "付録")),
    ("introduction", ("introduction", "overview", "motivation", "서론", "引言", "はじめに", "序論")),
    ("results", ("experiment", "result", "evaluation", "benchmark", "ablation", "empirical", "findings",
                 "실험", "결과", "평가", "实验", "结果", "実験", "結果")),
    ("method", ("method", "approach", "methodology", "model", "architecture", "framework", "algorithm",
                "proposed", "preliminar", "formulation", "training", "방법", "方法", "手法")),
    ("conclusion", ("conclusion", "concluding", "discussion", "limitation", "future work", "summary",
                    "결론", "논의", "结论", "結論")),
)
_CJK_LETTER = "\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7a3"
_ROMAN = r"(?:X{0,3})(?:IX|IV|V?I{0,3})"
_HEADING = re.compile(
    rf"^(?P<num>\d{{1,2}}(?:\.\d{{1,2}}){{0,3}}\.?|{_ROMAN}\.|[A-H](?:\.\d{{1,2}}){{0,2}}\.?|Appendix\s+[A-H]\.?:?)"
    rf"\s+(?P<title>[A-Z{_CJK_LETTER}][^\n]{{0,80}})$"
)
_BARE = re.compile(
    r"^(?P<title>abstract|introduction|related work|background|methods?|approach|experiments?|results|"
    r"evaluation|discussion|conclusions?|limitations|references|bibliography|acknowledge?ments?|appendix|"
    r"appendices|초록|요약|서론|관련 연구|방법론?|실험|결과|결론|참고\s?문헌|부록|"
    r"摘要|引言|相关工作|方法|实验|结果|结论|参考文献|附录|概要|はじめに|手法|実験|結果|結論|付録)\s*:?$",
    re.IGNORECASE,
)
# The first line of a table as `budget` writes it: "Table 3: caption", "Table 3", "Table: caption" (not the
# sentence "Table 3 shows ...").
TABLE_HEADING = re.compile(r"^Table(?:\s+[0-9]+[A-Za-z]?(?:\.[0-9]+)*)?(?:\s*[:.](?:\s|$)|$)")
_ABSTRACT_INLINE = re.compile(r"^abstract\s*[.:\u2014\u2013-]\s*(?P<rest>\S.*)$", re.IGNORECASE)


def section_kind(heading: str) -> SectionKind:
    """The kind of a section from its heading text (numbering ignored)."""
    if heading.strip().lower().startswith(("appendix", "appendices")):
        return "appendix"
    title = re.sub(r"^\s*(?:appendix\s+)?(?:[0-9.]+|[IVX]+\.|[A-H](?:\.\d+)*\.?)\s+", "", heading, flags=re.I)
    low = title.lower()
    for kind, words in _KIND_WORDS:
        if any(w in low for w in words):
            return kind
    return "other"


def heading_kind(line: str) -> SectionKind | None:
    """The kind of section a line opens, or None when the line is no heading (one rule for every reader).
    A table caption line opens a "table" part (the budget writes tables so), whatever its length."""
    if TABLE_HEADING.match(line.strip()):
        return "table"
    return section_kind(one_line(line)) if _is_heading(line) else None


def _is_heading(line: str, *, letters: bool = True) -> bool:
    """Whether a line is a section heading; `letters` allows "A Additional Results" (appendix) numbering."""
    line = line.strip()
    if not line or len(line) > 90:
        return False
    if _BARE.match(line):
        return True
    m = _HEADING.match(line)
    if not m:
        return False
    title = m.group("title").strip()
    words = title.split()
    if len(words) > 9 or title.endswith((".", ",", ";")) or not m.group("num").strip("."):
        return False
    if any(ch.isdigit() for ch in title) and not title.isupper():
        return False  # "3 Method" yes, "3 epochs with 256 sequences" no
    num = m.group("num")
    if num[0].isdigit():
        return int(num.split(".")[0]) <= 30
    if re.fullmatch(r"[A-H](?:\.\d{1,2}){0,2}\.?", num) and not letters:
        return False
    # letters and roman numerals also start sentences ("A Transformer ...", "I Think"): demand Title Case
    return title.isupper() or all(w[0].isupper() for w in words if len(w) > 3)


@dataclass
class _Open:
    kind: SectionKind
    heading: str
    page: int | None
    lines: list[str]


def _hyphen_at_end(parts: list[str]) -> bool:
    """Whether the paragraph so far ends in a letter and a hyphen (an end-of-line hyphenation)."""
    last = parts[-1]
    before = last[-2] if len(last) > 1 else parts[-2][-1] if len(parts) > 1 else ""
    return last.endswith("-") and before.isalpha()


def reflow(lines: list[str]) -> str:
    """Join wrapped lines into paragraphs (blank line = paragraph break); undo end-of-line hyphenation."""
    # A paragraph is kept as its pieces (lines, and the spaces between them) and joined once at its end, so
    # reflowing is linear however many lines a paragraph has; a hyphen join edits only the last piece.
    paragraphs: list[str] = []
    parts: list[str] = []  # never an empty piece: the last piece's end is the paragraph's end
    for raw in lines:
        line = one_line(raw)
        if not line:
            if parts:
                paragraphs.append("".join(parts))
                parts = []
            continue
        if not parts:
            parts.append(line)
        elif line[:1].islower() and _hyphen_at_end(parts):
            parts[-1] = parts[-1][:-1]  # "hyphen-" + "ation": the word joined, without its hyphen
            if not parts[-1]:
                parts.pop()
            parts.append(line)
        else:
            parts.extend((" ", line))
    if parts:
        paragraphs.append("".join(parts))
    return "\n\n".join(paragraphs)


# A line that is only this noncharacter (which no cleaned text holds) and a number stands for a table found
# on the page (`pdf_tables`): the table is placed after the section it appears in.
TABLE_MARK = "\ufdd0"


def sections_from_lines(pages: Iterable[tuple[int | None, str]],
                        tables: Sequence[TextSection] = ()) -> list[TextSection]:
    """Split page texts into sections at detected headings; text before the first one is the title part.
    `tables` are the sections the pages' TABLE_MARK lines stand for."""
    out: list[TextSection] = []
    pending: list[TextSection] = []
    current = _Open("title", "", None, [])
    top_kind: SectionKind = "other"
    after_refs = False

    def close() -> None:
        # the title part keeps its lines (title, authors, affiliations); body text is reflowed
        text = "\n".join(filter(None, current.lines)) if current.kind == "title" else reflow(current.lines)
        if text or current.heading:
            out.append(TextSection(kind=current.kind, heading=current.heading, text=text, page=current.page))
        out.extend(pending)
        pending.clear()

    for page, text in pages:
        if current.page is None:
            current.page = page
        for raw in text.splitlines():
            line = raw.strip()
            mark = line[len(TABLE_MARK):] if line.startswith(TABLE_MARK) else ""
            # a mark stands for one of `tables`; a text that holds the noncharacter itself is only text
            if mark.isascii() and mark.isdigit() and int(mark) < len(tables):
                pending.append(tables[int(mark)])
                current.lines.append("")  # the prose around a table is two paragraphs
                continue
            inline = _ABSTRACT_INLINE.match(line) if current.kind == "title" else None
            if inline:
                close()
                current = _Open("abstract", "Abstract", page, [inline.group("rest")])
                continue
            if not _is_heading(line, letters=after_refs):
                current.lines.append(line)
                continue
            close()
            heading = one_line(line)
            kind = section_kind(heading)
            m = _HEADING.match(heading)
            num = m.group("num") if m else ""
            is_sub = bool(num) and "." in num.rstrip(".")
            if kind == "references":
                after_refs = True
            elif after_refs and num[:1].isalpha():
                kind = "appendix"  # "A Additional Results" after the references
            if is_sub and kind == "other":
                kind = top_kind  # "4.1 Setup" belongs to "4 Experiments"
            if not is_sub:
                top_kind = kind
            current = _Open(kind, heading, page, [])
    close()
    return out


def from_text(text: str, paper_id: str) -> Document:
    """Sections of a plain-text paper (headings detected the same way as in PDFs)."""
    return Document(paper_id=paper_id, origin="text", sections=tuple(sections_from_lines([(None, text)])))
