"""arXiv's HTML rendering (LaTeXML) -> Document: title part, abstract, sections by their headings, tables.

The page is parsed by libxml2's HTML parser (lxml): one pass in C, linear in the page's size, and it stops
at elements nested over 256 deep, which no LaTeXML page comes near (such a page is refused here and the
PDF is read instead). HTML5 tree builders (Lexbor, html5lib) were measured super-linear on pages of many
unclosed formatting tags: the HTML5 "adoption agency" rebuilds them at every step. The tree is then walked
once, without recursion, by `lxml.etree.iterwalk`; the page's size and element count are capped first.

Tables (`<figure class="ltx_table">` holding a `ltx_tabular`) become sections of kind "table": the caption
as heading ("Table N" without one), one line per row with its cells joined by " | ", placed after the
section they appear in.
"""

from __future__ import annotations

import re
from collections import Counter

from lxml import etree

from dailypapers.documents.limits import DEFAULT_LIMITS, ReadLimits
from dailypapers.documents.sections import MIN_TEXT_CHARS, reflow, section_kind
from dailypapers.errors import PaperTextError
from dailypapers.models import Document, SectionKind, TextSection
from dailypapers.text import one_line, strip_controls

MAX_HTML_BYTES = 32 * 1024 * 1024  # arXiv's largest pages (MathML-heavy) are a few MB
MAX_ELEMENTS = 2_000_000  # a long, formula-heavy paper has a few hundred thousand

# <title> repeats the h1 (arXiv adds its id), which the title part already holds
_SKIP = {"script", "style", "nav", "header", "footer", "annotation", "annotation-xml", "button", "svg",
         "noscript", "title", "head", "template"}
_BLOCK = {"p", "div", "li", "section", "figcaption", "tr", "br", "table", "blockquote", "article", "dd", "dt"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# LaTeXML's author block is inline spans: each creator (name, then affiliation lines after <br>) gets its own
# lines, and the separators between creators (" ", ", ", " and ") are dropped so names never run together.
_BLOCK_CLASSES = {"ltx_creator", "ltx_personname", "ltx_author_notes", "ltx_role_affiliation",
                  "ltx_role_address", "ltx_role_email", "ltx_dates"}
_SKIP_CLASSES = {"ltx_author_before", "ltx_author_after"}
_CELL_CLASSES = {"ltx_tr", "ltx_td"}  # an inline (span) tabular's rows and cells
_WHERE = {"ltx_abstract", "ltx_bibliography", "ltx_appendix"}  # the parts a heading may sit in


def _classes(el: etree._Element) -> set[str]:
    """The element's classes, read once per element and handed to what needs them."""
    return set((el.get("class") or "").split()) if isinstance(el.tag, str) else set()


def _skipped(el: etree._Element, cls: set[str]) -> bool:
    return not isinstance(el.tag, str) or el.tag in _SKIP or not _SKIP_CLASSES.isdisjoint(cls)


def _text_of(el: etree._Element) -> str:
    """The visible text inside `el` (skipping scripts, math source, ...), without recursion."""
    parts: list[str] = []
    walk = etree.iterwalk(el, events=("start", "end"))
    for event, node in walk:
        if event == "start":
            cls = _classes(node)
            if _skipped(node, cls):
                walk.skip_subtree()
                continue
            if node.tag in _BLOCK or node.tag in ("td", "th") or not _CELL_CLASSES.isdisjoint(cls):
                parts.append(" ")  # "85.3" and "(±0.2)" on two lines of a cell; inline markup joins ("9<b>1</b>")
            if node.text:
                parts.append(node.text)
        elif node is not el and node.tail:
            parts.append(node.tail)
    return one_line(strip_controls("".join(parts)))


def _is_cell(el: etree._Element) -> bool:
    return isinstance(el.tag, str) and (el.tag in ("td", "th") or "ltx_td" in _classes(el))


def _table_rows(tabular: etree._Element) -> list[str]:
    """The rows of one LaTeXML tabular (a <table> or, inline, a <span>), cells joined by " | "; a tabular
    nested in a cell is part of that cell's text. One pass over the tabular."""
    rows: list[str] = []
    walk = etree.iterwalk(tabular, events=("start",))
    for _, node in walk:
        if node is tabular:
            continue
        cls = _classes(node)
        if _skipped(node, cls) or "ltx_tabular" in cls:
            walk.skip_subtree()
        elif node.tag == "tr" or "ltx_tr" in cls:
            cells = [_text_of(cell) for cell in node if _is_cell(cell)]
            if any(cells):
                rows.append(" | ".join(cells))
            walk.skip_subtree()  # its cells were read whole
    return rows


def _outer_tabulars(figure: etree._Element) -> list[etree._Element]:
    """The tabulars of a table figure that are not inside another one. One pass over the figure."""
    found: list[etree._Element] = []
    walk = etree.iterwalk(figure, events=("start",))
    for _, node in walk:
        cls = _classes(node)
        if node is not figure and _skipped(node, cls):
            walk.skip_subtree()
        elif "ltx_tabular" in cls:
            found.append(node)
            walk.skip_subtree()
    return found


class _ArxivHTML:
    def __init__(self, limits: ReadLimits) -> None:
        self.limits = limits
        self.chars = 0
        self.sections: list[TextSection] = []
        self.tables: list[TextSection] = []  # tables of the current section, placed after it
        self.table_count = 0
        self.stack: list[set[str] | None] = []  # classes of the open elements (None: skipped)
        self.open: Counter[str] = Counter()  # how many open elements carry each of _WHERE's classes
        self.heading: list[str] | None = None
        self.heading_el: etree._Element | None = None
        self.heading_tag = ""
        self.heading_class: set[str] = set()
        self.kind: SectionKind = "title"
        self.top_kind: SectionKind = "other"
        self.title = ""
        self.current_heading = ""
        self.buffer: list[str] = []

    def walk(self, root: etree._Element) -> None:
        walk = etree.iterwalk(root, events=("start", "end"))
        elements = 0
        for event, el in walk:
            if event == "start":
                elements += 1
                if elements > MAX_ELEMENTS:
                    raise PaperTextError(f"the HTML page has over {MAX_ELEMENTS:,} elements")
                cls = _classes(el)
                if _skipped(el, cls) or self._table(el, cls):
                    walk.skip_subtree()
                    self.stack.append(None)
                    continue
                self._start(el, cls)
            else:
                cls = self.stack.pop()
                if cls is not None:
                    self.open.subtract(cls & _WHERE)
                    self._end(el, cls)
                if el.tail:
                    self._data(el.tail)

    def _start(self, el: etree._Element, cls: set[str]) -> None:
        tag = el.tag
        self.stack.append(cls)
        self.open.update(cls & _WHERE)
        if tag == "br":
            self._text("\n")
        elif tag in _HEADINGS and self.heading is None:
            self.heading, self.heading_el, self.heading_tag, self.heading_class = [], el, tag, cls
        elif tag in _BLOCK or not _BLOCK_CLASSES.isdisjoint(cls):
            self._text("\n")
        if el.text:
            self._data(el.text)

    def _end(self, el: etree._Element, cls: set[str]) -> None:
        if el is self.heading_el and self.heading is not None:
            text = one_line("".join(self.heading))
            self.heading, self.heading_el = None, None
            self._heading(text)
        elif el.tag != "br" and (el.tag in _BLOCK or not _BLOCK_CLASSES.isdisjoint(cls)):
            self._text("\n")

    def _table(self, el: etree._Element, cls: set[str]) -> bool:
        """A LaTeXML table figure becomes table sections; False when `el` is none (or holds no tabular:
        an image of a table keeps its caption in the text)."""
        if el.tag != "figure" or "ltx_table" not in cls:
            return False
        tabulars = _outer_tabulars(el)
        if not tabulars:
            return False
        caption_el = next((c for c in el.iter("figcaption")), None)
        caption = _text_of(caption_el) if caption_el is not None else ""
        for tabular in tabulars:
            rows = _table_rows(tabular)
            if not rows:
                continue
            self.table_count += 1
            heading = caption or f"Table {self.table_count}"
            self._count("\n".join(rows))
            self.tables.append(TextSection(kind="table", heading=heading, text="\n".join(rows)))
        return True

    def _flush(self) -> None:
        lines = "".join(self.buffer).split("\n")
        if self.kind == "title":  # like a PDF's title part: title, authors, affiliations keep their lines
            text = "\n".join(line for line in (one_line(raw) for raw in lines) if line)
        else:
            text = reflow(lines)
        if text or self.current_heading:
            self.sections.append(TextSection(kind=self.kind, heading=self.current_heading, text=text))
        self.sections.extend(self.tables)
        self.tables = []
        self.buffer = []

    def _inside(self, cls: str) -> bool:
        return self.open[cls] > 0

    def _heading(self, text: str) -> None:
        if not text:
            return
        cls = self.heading_class
        if "ltx_title_document" in cls or (self.heading_tag == "h1" and not self.title):
            self.title = text
            self.buffer.append(text + "\n")
            return
        self._flush()
        self.current_heading = text
        if "ltx_title_abstract" in cls or self._inside("ltx_abstract"):
            self.kind = "abstract"
            return
        if self._inside("ltx_bibliography") or "ltx_title_bibliography" in cls:
            self.kind = "references"
            return
        kind: SectionKind = "appendix" if self._inside("ltx_appendix") else section_kind(text)
        top = self.heading_tag in ("h1", "h2")
        if not top and kind == "other":
            kind = self.top_kind
        if top:
            self.top_kind = kind
        self.kind = kind

    def _text(self, data: str) -> None:
        if self.heading is not None:
            self.heading.append(data)
        else:
            self.buffer.append(data)

    def _data(self, data: str) -> None:
        self._count(data)
        data = strip_controls(data)
        if self.kind == "title":  # source line breaks are spaces in HTML; the title part keeps only real ones
            data = re.sub(r"\s+", " ", data)
        self._text(data)

    def _count(self, data: str) -> None:
        self.chars += len(data)
        if self.chars > self.limits.max_document_chars:
            raise PaperTextError(f"text bomb: the HTML page holds over {self.limits.max_document_chars:,} "
                                 "characters (the limit is max_document_chars)")


def parse_html(html: str | bytes, paper_id: str, *, limits: ReadLimits = DEFAULT_LIMITS) -> Document:
    """Sections of an arXiv HTML paper (LaTeXML: ltx_title, ltx_abstract, section headings, tables). Bytes
    are read as UTF-8 as they are (libxml2 shows a byte that is not UTF-8 as U+FFFD, as a decode with
    errors="replace" would): a file's bytes need no decoding first."""
    data = html if isinstance(html, bytes) else html.encode("utf-8", errors="replace")
    if len(data) > MAX_HTML_BYTES:
        raise PaperTextError(f"the HTML page is over {MAX_HTML_BYTES // 2**20} MB")
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True)
    root = etree.fromstring(data, parser) if data.strip() else None
    if root is None:
        raise PaperTextError("the HTML page holds no paper text")
    if any("Excessive depth" in e.message for e in parser.error_log):
        raise PaperTextError("the HTML page nests elements over 256 deep (not a LaTeXML page)")
    walker = _ArxivHTML(limits)
    walker.walk(root)
    walker._flush()
    sections = tuple(s for s in walker.sections if s.text or s.heading)
    if sum(len(s.text) for s in sections if s.kind not in ("title", "references")) < MIN_TEXT_CHARS:
        raise PaperTextError("the HTML page holds no paper text")
    return Document(paper_id=paper_id, origin="html", sections=sections)
