"""Evidence units: a paper's text cut into the pieces a claim may be supported by. Pure.

A `Document` (or a plain text) becomes one text with sections, and in it units: sentences, table rows (a
`TextSection(kind="table")` holds one row a line, cells joined by " | ", its caption as heading) and table
captions. Headings are units too, kept for names, but their numbers are no evidence (`excluded`); the
references section is left out, and so is every sentence or table row that instructs a summarizer (a prompt
injection): tested as written, with one split, and blanked from the text (offsets hold).

A table keeps what its header and caption say about each column: its unit (`Latency (ms)`, `Accuracy (%)`),
what it measures and its qualifier (`Avg.`). Like a sentence, no unit is
longer than `MAX_UNIT_CHARS`: a longer table row is cut into pieces of whole cells, each knowing the column it
starts in, its later pieces the row's first (whose label speaks for the whole row).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from dailypapers.documents.injection import instructing, is_instruction
from dailypapers.documents.sections import heading_kind
from dailypapers.models import Document, EvidenceKind
from dailypapers.text import clean, sentence_spans
from dailypapers.verify import lexicon
from dailypapers.verify.claims import UnitClass, extract_claims, name_at, name_key, unit_at
from dailypapers.verify.lexicon import Concept
from dailypapers.verify.relations import MAX_UNIT_CHARS, Anchor, Anchored, cut_long

# A column's unit in its header: `Latency (ms)`, `Acc. [%]`, `Speed-up ×`.
_HEADER_UNIT = re.compile(r"[(\[]\s*(?P<u>[^()\[\]\s]{1,8})\s*[)\]]|(?<![A-Za-z])(?P<u2>%|×|ms|sec|s|h|GB|MB|x)\s*$")
_CAMEL = re.compile(r"[a-z0-9][A-Z]")
MAX_INSTRUCTION_CHARS = 4 * MAX_UNIT_CHARS  # a longer "sentence" that instructs loses only its pieces that do


@dataclass(frozen=True)
class Span:
    start: int
    heading: str | None
    page: int | None
    heading_end: int = -1  # where the heading's text ends (-1: no heading written)


@dataclass(frozen=True)
class EvidenceUnit:
    """One piece of evidence: a sentence, a table row (or a piece of a long one) or a table caption."""

    start: int
    end: int
    kind: EvidenceKind | Literal["heading"]
    table: int | None = None  # index into the tables, for a row or a caption
    # a sentence: the sentence before it in the same paragraph (context for names); a piece of a long table
    # row after its first: that first piece (whose label speaks for the row)
    prev: int | None = None
    column: int = 0  # a piece of a table row: the column it starts in


@dataclass(frozen=True)
class Table:
    caption: tuple[int, int]
    header: tuple[tuple[int, int], ...]  # cells of the header row
    header_unit: int | None
    column_units: tuple[tuple[UnitClass, float] | None, ...]
    column_context: tuple[frozenset[Concept], ...]
    column_qualifier: tuple[str | None, ...]
    caption_context: frozenset[Concept]

    @cached_property
    def _header_starts(self) -> list[int]:
        return [s for s, _ in self.header]

    def header_column(self, pos: int) -> int:
        """The column of the header cell that holds `pos`, or -1."""
        i = bisect.bisect_right(self._header_starts, pos) - 1
        return i if i >= 0 and pos < self.header[i][1] else -1


@dataclass(frozen=True)
class EvidenceUnits:
    """A paper cut into evidence: its text, sections, units, tables, the ranges whose numbers are no
    evidence (headings), and the names of its own system."""

    text: str
    spans: list[Span]
    units: list[EvidenceUnit]
    tables: list[Table]
    excluded: list[tuple[int, int]]
    own: frozenset[str]


@dataclass(frozen=True)
class RowParsed(Anchored):
    """A table row (or a piece of a long one) parsed for relations: each number is its own clause (its anchor's
    `segment` is its column), with its column's qualifier and context; the row's text cells (its label, also
    for a later piece of the row) and the table's caption speak for every number, a column header only for
    the numbers under it."""

    start: int
    end: int
    anchors: tuple[Anchor, ...]
    text_cells: tuple[tuple[int, int], ...]
    cells: tuple[tuple[int, int], ...]
    table: Table
    column: int = 0  # the column of the first cell

    def attached_at(self, position: int, anchor: int) -> bool:
        if any(s <= position < e for s, e in self.text_cells):
            return True
        col = self.anchors[anchor].segment
        if self.start <= position < self.end:
            return self.column_at(position) == col
        if self.table.caption[0] <= position < self.table.caption[1]:
            return True
        return self.table.header_column(position) == col

    def column_at(self, pos: int) -> int:
        """The column of a position inside this row."""
        return self.column + bisect.bisect_right(self._cell_starts, pos) - 1

    @cached_property
    def _cell_starts(self) -> list[int]:
        return [s for s, _ in self.cells]


_CELL_SEP = " | "


def cells(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The cells of the table row text[start:end], as (start, end)."""
    out: list[tuple[int, int]] = []
    s = start
    while True:
        i = text.find(_CELL_SEP, s, end)
        if i < 0:
            out.append((s, end))
            return out
        out.append((s, i))
        s = i + len(_CELL_SEP)


def _row_pieces(text: str, row: list[tuple[int, int]]) -> Iterator[tuple[int, int, int]]:
    """A table row's cells grouped into pieces of at most `MAX_UNIT_CHARS`, as (start, end, first column); a
    longer cell is cut on its own."""
    i = 0
    while i < len(row):
        s, e = row[i]
        if e - s > MAX_UNIT_CHARS:
            for ps, pe in cut_long(text, s, e):
                yield ps, pe, i
            i += 1
            continue
        j = i
        while j + 1 < len(row) and row[j + 1][1] - s <= MAX_UNIT_CHARS:
            j += 1
        yield s, row[j][1], i
        i = j + 1


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offset = 0
        self.spans: list[Span] = []
        self.units: list[EvidenceUnit] = []
        self.tables: list[Table] = []
        self.excluded: list[tuple[int, int]] = []  # headings: names yes, numbers no
        self.instructions: list[tuple[int, int]] = []  # prompt injections: no evidence at all

    def add(self, body: str) -> int:
        at = self.offset
        self.parts.append(body)
        self.offset += len(body) + 2
        return at

    @property
    def text(self) -> str:
        return "\n\n".join(self.parts)


def _add_prose(b: _Builder, heading: str | None, body: str, page: int | None, kind_label: str | None) -> None:
    block = clean(f"{heading}\n{body}" if heading else body)
    at = b.add(block)
    head = clean(heading) if heading else ""
    b.spans.append(Span(at, head or kind_label, page, at + len(head) if head else -1))
    pos = 0
    if heading:
        b.excluded.append((at, at + len(head)))
        b.units.append(EvidenceUnit(at, at + len(head), "heading"))
        pos = len(head) + 1
    # lines that are headings inside the text (plain-text papers, subsections) are no evidence for numbers
    para_start = pos
    for line_start, line_end in _lines(block, pos):
        line = block[line_start:line_end]
        if line.strip() and len(line) <= 90 and heading_kind(line) is not None:
            _add_sentences(b, block, at, para_start, line_start)
            b.excluded.append((at + line_start, at + line_end))
            b.units.append(EvidenceUnit(at + line_start, at + line_end, "heading"))
            para_start = line_end
    _add_sentences(b, block, at, para_start, len(block))


def _blanked(text: str, ranges: list[tuple[int, int]]) -> str:
    """`text` with the (sorted, disjoint) ranges as spaces: the same length, so every offset holds."""
    if not ranges:
        return text
    parts, pos = [], 0
    for s, e in ranges:
        parts += [text[pos:s], " " * (e - s)]
        pos = e
    parts.append(text[pos:])
    return "".join(parts)


def _lines(block: str, start: int) -> Iterator[tuple[int, int]]:
    s = start
    while s <= len(block):
        e = block.find("\n", s)
        if e < 0:
            e = len(block)
        yield s, e
        s = e + 1


def _add_sentences(b: _Builder, block: str, at: int, start: int, end: int) -> None:
    prev: int | None = None
    last_end = start
    sentences = sentence_spans(block, start, end)
    for (s, e), instructs in zip(sentences, instructing(block, sentences), strict=True):
        pieces = cut_long(block, s, e)
        kept = _without_instructions(b, block, at, s, e, pieces) if instructs else pieces
        if "\n\n" in block[last_end:s] or "\n \n" in block[last_end:s]:
            prev = None  # a new paragraph: the sentence before is no context
        last_end = e
        for ps, pe in kept:
            b.units.append(EvidenceUnit(at + ps, at + pe, "sentence", prev=prev))
            prev = len(b.units) - 1


def _without_instructions(
    b: _Builder, block: str, at: int, s: int, e: int, pieces: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The pieces of the sentence block[s:e], which instructs a summarizer (a prompt injection,
    `documents.injection`; tested as written: a wrapped line is still one sentence), that are evidence. Of a garbled
    sentence longer than `MAX_INSTRUCTION_CHARS` only the pieces that instruct and their neighbours go. What
    goes is recorded to be blanked from the text: no number, name or quote in it is evidence."""
    if e - s <= MAX_INSTRUCTION_CHARS:
        b.instructions.append((at + s, at + e))
        return []
    hit = [is_instruction(block, ps, pe) for ps, pe in pieces]
    kept = []
    for i, (ps, pe) in enumerate(pieces):
        if any(hit[max(0, i - 1) : i + 2]):
            b.instructions.append((at + ps, at + pe))
        else:
            kept.append((ps, pe))
    return kept


def _add_table(b: _Builder, caption: str, body: str, page: int | None) -> None:
    cap = clean(caption or "Table")
    rows = clean(body)
    block = f"{cap}\n{rows}"
    at = b.add(block)
    b.spans.append(Span(at, cap, page, at + len(cap)))
    t = len(b.tables)
    b.units.append(EvidenceUnit(at, at + len(cap), "caption", table=t))
    header: tuple[tuple[int, int], ...] = ()
    header_unit: int | None = None
    pos = len(cap) + 1
    for line_start, line_end in _lines(block, pos):
        if line_start >= line_end:
            continue
        row = cells(block, line_start, line_end)
        if not header and _is_header(block, row):
            header = tuple((at + s, at + e) for s, e in row)
            header_unit = len(b.units)
        if is_instruction(block, line_start, line_end):  # a prompt injection in a table: no evidence
            b.instructions.append((at + line_start, at + line_end))
            continue
        first = len(b.units)
        for s, e, col in _row_pieces(block, row):  # a long row is cut like a long sentence
            b.units.append(EvidenceUnit(at + s, at + e, "row", table=t, prev=first if len(b.units) > first else None,
                                column=col))
    text_cells = [block[s - at : e - at] for s, e in header]
    # a unit in the caption ("Accuracy (%)") is the unit of every column whose header names none
    default = _header_unit(cap)
    b.tables.append(
        Table(
            caption=(at, at + len(cap)),
            header=header,
            header_unit=header_unit,
            column_units=tuple(_header_unit(c) or default for c in text_cells),
            column_context=tuple(frozenset(c for _, c in lexicon.concepts_in(cell)) for cell in text_cells),
            column_qualifier=tuple(lexicon.qualifier(cell + " ", "", cell) for cell in text_cells),
            caption_context=frozenset(c for _, c in lexicon.concepts_in(cap)),
        )
    )


_NUMERIC_CELL = re.compile(r"^\s*[-+±~≈]?\s*\d[\d.,]*\s*(?:%|x|×)?\s*(?:±\s*\d[\d.,]*)?\s*[*†‡]*\s*$")


def _is_header(block: str, cells: list[tuple[int, int]]) -> bool:
    texts = [block[s:e].strip() for s, e in cells]
    numeric = sum(1 for t in texts if _NUMERIC_CELL.match(t))
    return len(texts) >= 2 and numeric == 0


def _header_unit(cell: str) -> tuple[UnitClass, float] | None:
    m = _HEADER_UNIT.search(cell)
    if m is None:
        return None
    written = m.group("u") or m.group("u2")
    if written in ("%",):
        return ("percent", 1.0)
    if written in ("x", "×"):
        return ("multiplier", 1.0)
    return unit_at(written, 0)


def _own_names(text: str) -> frozenset[str]:
    """The paper's own system, which its sentences call "it", "our model", "we": the names in the title, and
    what the abstract says it presents or introduces."""
    title = text.strip().split("\n", 1)[0][:300]
    # a Title Case title makes every word a name: keep those that are unmistakably one (a digit, CamelCase)
    own = {
        c.key for c in extract_claims(title)
        if c.kind == "name" and (any(ch.isdigit() for ch in c.text) or _CAMEL.search(c.text))
    }
    first = re.match(r"\s*([A-Za-z][A-Za-z0-9-]*)\s*:", title)
    if first:
        own.add(name_key(first.group(1)))
    head = text[:4000]
    for m in re.finditer(
        r"\b(?i:we|this paper|this work)\s+(?:present|introduce|propose|release|study|describe|build|develop)s?\s+"
        r"(?:(?:a|an|the|our)\s+)?(?:[a-z-]+\s+){0,4}?(?:(?:called|named|dubbed)\s+)?(?=[A-Z0-9])"
        r"|\b(?i:our)\s+(?=[A-Z0-9])",
        head,
    ):
        nxt = re.match(r"[A-Za-z0-9][A-Za-z0-9.'’@-]*", head[m.end() :])
        if nxt:
            found = name_at(head, m.end(), nxt.group(0), False)
            if found is not None:
                own.add(name_key(found))
    return frozenset(k for k in own if k)


def _add_text(b: _Builder, source: str) -> None:
    """A plain text: one section, without its references (from a References heading to the next heading)."""
    lines = source.split("\n")
    keep: list[str] = []
    skipping = False
    for line in lines:
        kind = heading_kind(line) if line.strip() and len(line) <= 90 else None
        if kind is not None:
            skipping = kind == "references"
        if not skipping:
            keep.append(line)
    _add_prose(b, None, "\n".join(keep), None, None)


def cut(source: Document | str) -> EvidenceUnits:
    """A paper's text (a Document, or a plain text) cut into evidence units."""
    b = _Builder()
    if isinstance(source, str):
        _add_text(b, source)
    else:
        for section in source.sections:
            if section.kind == "references":
                continue  # cited works are not what the paper found
            if section.kind == "table":
                _add_table(b, section.heading, section.text, section.page)
            elif section.text or section.heading:
                _add_prose(b, section.heading or None, section.text, section.page, section.kind)
    text = _blanked(b.text, b.instructions)
    units = b.units or [EvidenceUnit(0, len(text), "sentence")]
    return EvidenceUnits(text, b.spans, units, b.tables, sorted(b.excluded), _own_names(text))
