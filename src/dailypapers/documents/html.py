"""arXiv's HTML rendering (LaTeXML) -> Document: title part, abstract, sections by their headings."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from dailypapers.documents.sections import MIN_TEXT_CHARS, reflow, section_kind
from dailypapers.errors import PaperTextError
from dailypapers.models import Document, SectionKind, TextSection
from dailypapers.text import one_line

# <title> repeats the h1 (arXiv adds its id), which the title part already holds
_SKIP = {"script", "style", "nav", "header", "footer", "annotation", "annotation-xml", "button", "svg",
         "noscript", "title"}
_BLOCK = {"p", "div", "li", "section", "figcaption", "tr", "br", "table", "blockquote", "article", "dd", "dt"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# LaTeXML's author block is inline spans: each creator (name, then affiliation lines after <br>) gets its own
# lines, and the separators between creators (" ", ", ", " and ") are dropped so names never run together.
_BLOCK_CLASSES = {"ltx_creator", "ltx_personname", "ltx_author_notes", "ltx_role_affiliation",
                  "ltx_role_address", "ltx_role_email", "ltx_dates"}
_SKIP_CLASSES = {"ltx_author_before", "ltx_author_after"}
_VOID = ("br", "img", "meta", "link", "input", "hr", "wbr", "source", "col", "area", "base", "embed", "track")


class _ArxivHTML(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[TextSection] = []
        self.skip_depth = 0
        self.stack: list[tuple[str, str]] = []  # open (tag, class) pairs, to know where we are
        self.heading: list[str] | None = None
        self.heading_tag = ""
        self.heading_class = ""
        self.kind: SectionKind = "title"
        self.top_kind: SectionKind = "other"
        self.title = ""
        self.current_heading = ""
        self.buffer: list[str] = []

    def _flush(self) -> None:
        lines = "".join(self.buffer).split("\n")
        if self.kind == "title":  # like a PDF's title part: title, authors, affiliations keep their lines
            text = "\n".join(line for line in (one_line(raw) for raw in lines) if line)
        else:
            text = reflow(lines)
        if text or self.current_heading:
            self.sections.append(TextSection(kind=self.kind, heading=self.current_heading, text=text))
        self.buffer = []

    def _inside(self, cls: str) -> bool:
        return any(cls in c.split() for _, c in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        cls = dict(attrs).get("class") or ""
        if self.skip_depth or tag in _SKIP or not _SKIP_CLASSES.isdisjoint(cls.split()):
            if tag not in _VOID:
                self.skip_depth += 1
            return
        if tag in _VOID:
            if tag == "br":
                self._text("\n")
            return
        self.stack.append((tag, cls))
        if tag in _HEADINGS and self.heading is None:
            self.heading, self.heading_tag, self.heading_class = [], tag, cls
        elif tag in _BLOCK or not _BLOCK_CLASSES.isdisjoint(cls.split()):
            self._text("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.skip_depth:
            if tag not in _VOID:
                self.skip_depth -= 1
            return
        # pop up to the matching tag (HTML in the wild leaves tags open)
        closed_cls = ""
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                closed_cls = self.stack[i][1]
                del self.stack[i:]
                break
        if tag == self.heading_tag and self.heading is not None:
            self._heading(one_line("".join(self.heading)))
            self.heading = None
        elif tag in _BLOCK or not _BLOCK_CLASSES.isdisjoint(closed_cls.split()):
            self._text("\n")

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

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        if self.kind == "title":  # source line breaks are spaces in HTML; the title part keeps only real ones
            data = re.sub(r"\s+", " ", data)
        self._text(data)


def parse_html(html: str, paper_id: str) -> Document:
    """Sections of an arXiv HTML paper (LaTeXML: ltx_title, ltx_abstract, section headings)."""
    parser = _ArxivHTML()
    parser.feed(html)
    parser.close()
    parser._flush()
    sections = tuple(s for s in parser.sections if s.text or s.heading)
    if sum(len(s.text) for s in sections if s.kind not in ("title", "references")) < MIN_TEXT_CHARS:
        raise PaperTextError("the HTML page holds no paper text")
    return Document(paper_id=paper_id, origin="html", sections=sections)
