"""A paper's full text: PDF (pypdfium2), arXiv HTML or plain text -> sections -> a token budget for the LLM.

Everything here is pure except `extract_pdf`, which is CPU-bound: callers run it with `asyncio.to_thread`.
PDFium is not thread-safe, so every call into it holds `_PDFIUM_LOCK`.

Budget (`budget`): the title and abstract always come first. What is left is shared (`SHARES`) so that every
part a summary needs is there even when one part is long: results/experiments 35 %, method 30 %, introduction
20 %, conclusion 15 %. A share a part does not use (it is short, or absent) goes to the others in `PRIORITY`
order, then to other sections, and the appendix last. References are never sent. Sections of the same kind
split their kind's share. A section that does not fit whole keeps its leading whole sentences; the kept parts
are emitted in reading order with their headings, so the model still reads a paper, only a shorter one.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import re
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pypdfium2 as pdfium

from dailypapers.errors import PaperTextError
from dailypapers.models import Document, SectionKind, TextSection

_PDFIUM_LOCK = threading.Lock()
MIN_TEXT_CHARS = 200  # less text than this in a whole PDF means no usable text layer

# -- token counting ------------------------------------------------------------------------------------------
_ENCODINGS = {
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
}
_CJK = re.compile(
    r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
)


def _tiktoken_cache_dir() -> str:
    # the same lookup tiktoken.load.read_file_cached does
    return os.environ.get("TIKTOKEN_CACHE_DIR") or os.environ.get("DATA_GYM_CACHE_DIR") or os.path.join(
        tempfile.gettempdir(), "data-gym-cache"
    )


@functools.cache
def _encoder() -> Any | None:
    """A tiktoken encoding if its file is already cached on disk, else None (decided once per process).

    tiktoken downloads a missing encoding file on first use; we look in its cache first so that an offline
    machine never waits on (or fails at) that download.
    """
    try:
        import tiktoken
    except ImportError:  # pragma: no cover - a dependency, but the estimate works without it
        return None
    cache = _tiktoken_cache_dir()
    for name, blob in _ENCODINGS.items():
        if os.path.exists(os.path.join(cache, hashlib.sha1(blob.encode()).hexdigest())):
            try:
                return tiktoken.get_encoding(name)
            except Exception:  # a corrupt cache file: fall back to the estimate rather than fail a run
                return None
    return None


def estimate_tokens(text: str) -> int:
    """Tokens without a tokenizer: one per CJK character (Hangul, kana, Han), one per 4 other characters."""
    cjk = len(_CJK.findall(text))
    return cjk + math.ceil((len(text) - cjk) / 4)


def token_counter_name() -> str:
    """Which counter `count_tokens` uses in this process (for reports and benchmarks)."""
    enc = _encoder()
    return f"tiktoken {enc.name}" if enc is not None else "estimate (1 per CJK char + 1 per 4 other chars)"


def count_tokens(text: str) -> int:
    """Tokens in `text`: tiktoken (o200k_base, else cl100k_base) when available offline, else the estimate."""
    enc = _encoder()
    if enc is None:
        return estimate_tokens(text)
    return len(enc.encode(text, disallowed_special=()))


# -- section detection ---------------------------------------------------------------------------------------
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
    """The kind of section a line opens, or None when the line is no heading (one rule for every reader)."""
    return section_kind(" ".join(line.split())) if _is_heading(line) else None


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


def _reflow(lines: list[str]) -> str:
    """Join wrapped lines into paragraphs (blank line = paragraph break); undo end-of-line hyphenation."""
    paragraphs: list[str] = []
    current = ""
    for raw in lines:
        line = " ".join(raw.split())
        if not line:
            if current:
                paragraphs.append(current)
                current = ""
            continue
        if current.endswith("-") and len(current) > 1 and current[-2].isalpha() and line[:1].islower():
            current = current[:-1] + line
        else:
            current = f"{current} {line}" if current else line
    if current:
        paragraphs.append(current)
    return "\n\n".join(paragraphs)


def sections_from_lines(pages: Iterable[tuple[int | None, str]]) -> list[TextSection]:
    """Split page texts into sections at detected headings; text before the first one is the title part."""
    out: list[TextSection] = []
    current = _Open("title", "", None, [])
    top_kind: SectionKind = "other"
    after_refs = False

    def close() -> None:
        # the title part keeps its lines (title, authors, affiliations); body text is reflowed
        text = "\n".join(filter(None, current.lines)) if current.kind == "title" else _reflow(current.lines)
        if text or current.heading:
            out.append(TextSection(kind=current.kind, heading=current.heading, text=text, page=current.page))

    for page, text in pages:
        if current.page is None:
            current.page = page
        for raw in text.splitlines():
            line = raw.strip()
            inline = _ABSTRACT_INLINE.match(line) if current.kind == "title" else None
            if inline:
                close()
                current = _Open("abstract", "Abstract", page, [inline.group("rest")])
                continue
            if not _is_heading(line, letters=after_refs):
                current.lines.append(line)
                continue
            close()
            heading = " ".join(line.split())
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


# -- PDF -----------------------------------------------------------------------------------------------------
def _sniff(data: bytes) -> None:
    if not data.strip():
        raise PaperTextError("empty file")
    head = data[:1024].lstrip().lower()
    if b"%PDF-" not in data[:1024]:
        if head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")) or b"<html" in head:
            raise PaperTextError("not a PDF: an HTML page")
        raise PaperTextError("not a PDF (no %PDF header)")


def extract_pdf(data: bytes, paper_id: str, *, max_pages: int) -> Document:
    """Text of a PDF, split into sections. Raises PaperTextError for anything that is not a readable paper."""
    _sniff(data)
    pages: list[tuple[int | None, str]] = []
    with _PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            message = str(exc)
            if "password" in message.lower():
                raise PaperTextError("encrypted PDF (password protected)") from None
            raise PaperTextError(f"corrupt PDF ({message.rstrip('.')})") from None
        try:
            count = len(pdf)
            if count == 0:
                raise PaperTextError("PDF has no pages")
            if count > max_pages:
                raise PaperTextError(f"too many pages ({count:,}, the limit is max_pages={max_pages})")
            pages.extend((index + 1, _page_text(pdf, index)) for index in range(count))
        except pdfium.PdfiumError as exc:
            raise PaperTextError(f"corrupt PDF ({str(exc).rstrip('.')})") from None
        finally:
            pdf.close()
    if sum(len(t.strip()) for _, t in pages) < MIN_TEXT_CHARS:
        raise PaperTextError("no text layer (a scanned or image-only PDF)")
    return Document(paper_id=paper_id, origin="pdf", sections=tuple(sections_from_lines(pages)),
                    page_count=len(pages))


def _page_text(pdf: pdfium.PdfDocument, index: int) -> str:
    """One page's text with "\n" line ends (the caller holds `_PDFIUM_LOCK`)."""
    page = pdf[index]
    try:
        textpage = page.get_textpage()
        try:
            return textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n")
        finally:
            textpage.close()
    finally:
        page.close()


def pdf_head(data: bytes, *, first_page: bool) -> tuple[str, str]:
    """A PDF's metadata Title and its first page's text, from one opening; ("", "") if pdfium cannot open it.

    The first page is read when asked for, or when there is no Title (it is where the title then is)."""
    with _PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError:
            return "", ""
        try:
            title = " ".join((pdf.get_metadata_value("Title") or "").split())
            text = _page_text(pdf, 0) if (first_page or not title) and len(pdf) else ""
        except pdfium.PdfiumError:
            return "", ""
        finally:
            pdf.close()
    return title, text


# -- HTML (arXiv's LaTeXML rendering) ------------------------------------------------------------------------
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
_SPACES = re.compile(r"\s+")


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
            text = "\n".join(line for line in (" ".join(raw.split()) for raw in lines) if line)
        else:
            text = _reflow(lines)
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
            self._heading(" ".join("".join(self.heading).split()))
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
            data = _SPACES.sub(" ", data)
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


def from_text(text: str, paper_id: str) -> Document:
    """Sections of a plain-text paper (headings detected the same way as in PDFs)."""
    return Document(paper_id=paper_id, origin="text", sections=tuple(sections_from_lines([(None, text)])))


# -- token budget --------------------------------------------------------------------------------------------
# Lower number = served first with leftovers. References are absent on purpose: they are never sent.
PRIORITY: dict[str, int] = {
    "title": 0, "abstract": 1, "results": 2, "method": 3, "introduction": 4, "conclusion": 5, "other": 6,
    "appendix": 7,
}
# Guaranteed shares of what is left after the title and abstract: a long Experiments section must not push
# the method out, or the model has nothing to write "how it works" from.
SHARES: dict[str, float] = {"results": 0.35, "method": 0.30, "introduction": 0.20, "conclusion": 0.15}
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+|(?<=[다요]\.)\s+|\n{2,}")


def sentences(text: str) -> list[str]:
    """Split at sentence ends (., !, ? or 。 followed by space) and paragraph breaks."""
    return [s for s in (p.strip() for p in _SENTENCE_END.split(text)) if s]


def _render(heading: str, parts: list[str]) -> str:
    body = " ".join(parts)
    return f"{heading}\n{body}" if heading else body


def _fit(section: TextSection, allowance: int, sep: int) -> tuple[list[str], int]:
    """The section whole if it fits in `allowance` tokens, else its heading and leading whole sentences."""
    whole = _render(section.heading, [section.text] if section.text else [])
    cost = count_tokens(whole) + sep
    if cost <= allowance:
        return ([section.text] if section.text else []), cost
    used = (count_tokens(section.heading + "\n") if section.heading else 0) + sep
    kept: list[str] = []
    for sentence in sentences(section.text):
        t = count_tokens(sentence + " ")
        if used + t > allowance:
            break
        kept.append(sentence)
        used += t
    return (kept, used) if kept else ([], 0)


def _select(doc: Document, max_tokens: int) -> str:
    members: dict[str, list[int]] = {}
    for i, sec in enumerate(doc.sections):
        if sec.kind in PRIORITY and (sec.text or sec.heading):
            members.setdefault(sec.kind, []).append(i)
    # what each section would cost whole (with the blank line between parts)
    need = {i: count_tokens(_render(doc.sections[i].heading, [doc.sections[i].text])) + 2
            for ids in members.values() for i in ids}
    alloc = dict.fromkeys(need, 0)
    remaining = max_tokens

    def give(ids: list[int], amount: int) -> int:
        """Spread `amount` over `ids`, smallest first, so what a small one does not use goes to the next."""
        spent = 0
        ids = sorted(ids, key=lambda i: need[i] - alloc[i])
        for n, i in enumerate(ids):
            extra = min(need[i] - alloc[i], (amount - spent) // (len(ids) - n))
            alloc[i] += extra
            spent += extra
        return spent

    for kind in ("title", "abstract"):
        remaining -= give(members.get(kind, []), remaining)
    pool = remaining
    for kind, share in SHARES.items():
        remaining -= give(members.get(kind, []), int(pool * share))
    for kind in sorted(members, key=lambda k: PRIORITY[k]):  # leftovers, in priority order
        remaining -= give(members[kind], remaining)
    chosen: dict[int, list[str]] = {}
    for i in sorted(alloc):
        if alloc[i] > 0:
            kept, _ = _fit(doc.sections[i], alloc[i], 2)
            if kept or doc.sections[i].kind == "title":
                chosen[i] = kept
    return "\n\n".join(_render(doc.sections[i].heading, chosen[i]) for i in sorted(chosen))


def budget(doc: Document | str, max_tokens: int) -> str:
    """The paper cut to at most `max_tokens` tokens (see the module docstring for what is kept first)."""
    if isinstance(doc, str):
        doc = from_text(doc, "")
    if max_tokens <= 0:
        return ""
    target = max_tokens
    out = _select(doc, target)
    # per-piece counts can differ slightly from the count of the joined text; shrink until it truly fits
    while out and count_tokens(out) > max_tokens and target > 0:
        target -= max(1, count_tokens(out) - max_tokens)
        out = _select(doc, target)
    return out
