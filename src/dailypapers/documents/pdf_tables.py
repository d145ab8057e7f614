"""Tables on a PDF page, from where its text sits: PDFium has no table structure, only characters with their
boxes, so a table is found the way a reader finds one. A caption line "Table 3: ..." (or
"TABLE III."); next to it (below, else above) lines of two or more cells, a cell being text separated from
the next by a gap wider than a word space; the lines stop at prose, at a wide vertical gap or at the next
caption. On a two-column page only the caption's column is read, so the gutter is never taken for a cell
boundary. What is kept must look like a table: two rows or more of several cells, short cells, numbers.

Everything here is pure (words in, rows out); `pdf.py` reads the words from PDFium in the worker. Only pages
with a caption are measured, at most MAX_CAPTIONS captions each. Tested on generated single- and two-column
pages; real papers' tables with cells spanning columns or lines may be missed (their text then stays prose).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

from dailypapers.text import one_line

CAPTION = re.compile(r"^(?:Table|TABLE)\s+(?:[0-9]+|[IVXLC]+)\s*[:.]")
MAX_CELL_CHARS = 40  # mean over a table: longer cells are prose in columns, not a table
MAX_CAPTION_LINES = 4
MAX_CAPTIONS = 20  # per page: each is measured against the page's lines, so a page of captions stays cheap


@dataclass(frozen=True)
class Run:
    """Text on one line with its box (PDF points, y upwards): a word, or the words of a cell."""

    left: float
    bottom: float
    right: float
    top: float
    text: str

    @property
    def height(self) -> float:
        return max(self.top - self.bottom, 0.1)


@dataclass(frozen=True)
class Table:
    caption: str
    rows: tuple[str, ...]  # cells joined by " | "
    lines: tuple[str, ...]  # the page-text lines it was read from (caption first), words single-spaced


class _Line:
    """Runs on one line; its height is its first run's, the band every other run is measured against."""

    def __init__(self, first: Run) -> None:
        self.runs = [first]
        self.band = (first.bottom, first.top)
        self.height = first.height

    @property
    def top(self) -> float:
        return max(r.top for r in self.runs)

    @property
    def bottom(self) -> float:
        return min(r.bottom for r in self.runs)

    @cached_property
    def cell_runs(self) -> list[Run]:
        """The line's cells, left to right: its runs merged across gaps no wider than a word space."""
        runs = sorted(self.runs, key=lambda r: r.left)
        groups = [[runs[0]]]
        for run in runs[1:]:
            if run.left - groups[-1][-1].right > 0.9 * self.height:  # wider than any word space
                groups.append([run])
            else:
                groups[-1].append(run)
        return [Run(g[0].left, min(r.bottom for r in g), max(r.right for r in g), max(r.top for r in g),
                    one_line(" ".join(r.text for r in g))) for g in groups]

    def cells(self) -> list[str]:
        return [cell.text for cell in self.cell_runs]

    def text(self) -> str:
        return one_line(" ".join(r.text for r in sorted(self.runs, key=lambda r: r.left)))


def _lines(runs: list[Run]) -> list[_Line]:
    """Runs grouped into lines, top to bottom: a run joins the line above it when it overlaps the band of
    that line's first run by half its height (a fixed band, so lines never grow into each other)."""
    lines: list[_Line] = []
    for run in sorted(runs, key=lambda r: -r.top):
        if lines:
            line = lines[-1]
            overlap = min(line.band[1], run.top) - max(line.band[0], run.bottom)
            if overlap >= 0.5 * min(run.height, line.height):
                line.runs.append(run)
                continue
        lines.append(_Line(run))
    return lines


def _inside(run: Run, cell: Run) -> bool:
    return cell.left <= run.left and run.right <= cell.right and cell.bottom <= run.bottom and run.top <= cell.top


def _rows(lines: list[_Line]) -> list[_Line]:
    """The table lines at the start of `lines` (ordered away from the caption)."""
    rows: list[_Line] = []
    for n, line in enumerate(lines):
        cells = line.cells()
        if rows and abs(line.top - rows[-1].top) > 3.5 * max(line.height, rows[-1].height):
            break  # a wide vertical gap: the table is over
        if CAPTION.match(cells[0]):
            break
        if len(cells) >= 2:
            rows.append(line)
            continue
        following = lines[n + 1].cells() if n + 1 < len(lines) else []
        if len(cells[0]) <= 30 and len(following) >= 2 and rows:
            rows.append(line)  # a group label inside the table ("Zero-shot")
            continue
        break
    return rows


def _looks_like_a_table(rows: list[_Line]) -> bool:
    cells = [line.cells() for line in rows]
    wide = [c for c in cells if len(c) >= 2]
    if len(wide) < 2:
        return False
    modal, count = Counter(len(c) for c in wide).most_common(1)[0]
    flat = [cell for c in wide for cell in c]
    return (modal >= 2 and count >= 0.6 * len(wide) and sum(map(len, flat)) / len(flat) <= MAX_CELL_CHARS
            and any(ch.isdigit() for cell in flat for ch in cell))


def find_tables(words: list[Run], page_width: float) -> list[Table]:
    """The tables of one page, in the order of their captions from the top. `words` are the page's words
    (runs of text without spaces) with their boxes."""
    if not words:
        return []
    cells = [cell for line in _lines(words) for cell in line.cell_runs]
    mid = page_width / 2
    # one column: most cells (lines of prose) cross the middle; two: almost none do, so a table is read
    # within its caption's column and the gutter is never taken for a cell boundary
    two_columns = sum(1 for c in cells if c.left < mid - 5 and c.right > mid + 5) <= 0.2 * len(cells)
    captions = sorted((c for c in cells if CAPTION.match(c.text)), key=lambda c: -c.top)[:MAX_CAPTIONS]
    tables: list[Table] = []
    for caption in captions:
        spans = caption.left < mid - 5 and caption.right > mid + 5
        left = (caption.left + caption.right) / 2 < mid
        near = [w for w in words if not _inside(w, caption)
                and (not two_columns or spans or ((w.left + w.right) / 2 < mid) == left)]
        lines = _lines([*near, caption])
        at = next(i for i, line in enumerate(lines) if any(r is caption for r in line.runs))
        heading = [lines[at]]
        below = lines[at + 1:]
        # a caption above its table may wrap: its lines are single cells, close below it
        while (below and len(heading) < MAX_CAPTION_LINES and len(below[0].cells()) == 1
               and heading[-1].bottom - below[0].top < heading[-1].height and not _rows(below)):
            heading.append(below.pop(0))
        rows = _rows(below)
        if not _looks_like_a_table(rows):
            heading, rows = [lines[at]], _rows(lines[:at][::-1])[::-1]  # a caption below its table
        if not _looks_like_a_table(rows):
            continue
        title = one_line(" ".join(line.text() for line in heading))
        tables.append(Table(caption=title, rows=tuple(" | ".join(line.cells()) for line in rows),
                            lines=tuple([line.text() for line in heading] + [line.text() for line in rows])))
    return tables


def place_tables(text: str, tables: list[Table], mark: str, first: int = 0) -> tuple[str, list[Table]]:
    """`text` with each table's lines replaced by one line, `mark` + its number (from `first`, in the order of
    the returned list), where its caption was; a table whose lines the text does not hold as they were found
    is left out, and its text stays where it is."""
    lines = text.split("\n")
    flat = [one_line(line) for line in lines]
    placed: list[Table] = []
    for table in tables:
        try:
            start = flat.index(table.lines[0])
        except ValueError:
            continue
        wanted = set(table.lines)
        # the rows are near the caption (above or below it) in the text too
        window = range(max(0, start - len(table.rows) - 2), min(len(flat), start + len(table.lines) + 2))
        found = [i for i in window if flat[i] in wanted]
        if {flat[i] for i in found} != wanted:
            continue
        for i in found:
            flat[i] = lines[i] = ""
        lines[start] = f"{mark}{first + len(placed)}"
        placed.append(table)
    return "\n".join(lines), placed
