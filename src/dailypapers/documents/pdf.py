"""PDF -> Document with pypdfium2, in worker processes (`workers`): a PDF is untrusted input whose streams
can inflate without bound, so each is read in a process under a memory and a CPU-time limit, with caps on
the characters kept per page and per document (`limits.ReadLimits`). A bomb fails its own paper with a
reason; other PDFs are read in parallel in the other workers (PDFium itself is not thread-safe, so within a
process there is one reader at a time). Pages with a table caption are also searched for the table's rows
(`pdf_tables`), which become "table" sections.

A program that calls these from a script must guard its entry point (`if __name__ == "__main__":`), as
for any use of multiprocessing: a worker process imports the main module.

Callers run `extract_pdf` and `pdf_head` in a thread (`asyncio.to_thread`): they block until a worker answers.
"""

from __future__ import annotations

import ctypes
import math
import re
from collections.abc import Callable
from typing import NamedTuple, TypeVar

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from dailypapers.documents import head as head_rules
from dailypapers.documents import pdf_tables, workers
from dailypapers.documents.limits import DEFAULT_LIMITS, ReadLimits
from dailypapers.documents.sections import MIN_TEXT_CHARS, TABLE_MARK, sections_from_lines
from dailypapers.errors import PaperTextError
from dailypapers.models import Document, TextSection
from dailypapers.text import one_line, strip_controls

T = TypeVar("T")

workers.preload(__name__)  # new workers start with PDFium and this module loaded

# An encrypted PDF names its encryption dictionary in the trailer (or the xref stream's dictionary, which is
# never compressed). PDFium's error code can be stale from an earlier document (a failed load does not always
# set it), so "encrypted" needs this too.
_ENCRYPT = re.compile(rb"/Encrypt\b")
# A line of the page that `pdf_tables.CAPTION` reads as a table caption (after any indentation). The indent
# is whitespace but newlines: `^\s*` would scan every following blank line from every line start (quadratic
# on a page of blank lines), and each line start is tried anyway.
_CAPTION_LINE = re.compile(r"^[^\S\n]*" + pdf_tables.CAPTION.pattern.removeprefix("^"), re.MULTILINE)


def _sniff(data: bytes) -> None:
    if not data.strip():
        raise PaperTextError("empty file")
    head = data[:1024].lstrip().lower()
    if b"%PDF-" not in data[:1024]:
        if head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")) or b"<html" in head:
            raise PaperTextError("not a PDF: an HTML page")
        raise PaperTextError("not a PDF (no %PDF header)")


def extract_pdf(data: bytes, paper_id: str, *, max_pages: int, limits: ReadLimits = DEFAULT_LIMITS) -> Document:
    """Text of a PDF, split into sections. Raises PaperTextError for anything that is not a readable paper,
    including one that needs more than `limits` to read."""
    _sniff(data)
    return _in_worker(_read_document, (data, paper_id, max_pages, limits), limits)


class PdfHead(NamedTuple):
    """What the top of a PDF says of the paper, read offline."""

    title: str  # the metadata Title when sensible, else the largest-font lines at the top of page 1
    first_page: str  # the first page's text (where arXiv's stamp is)
    authors: tuple[str, ...] = ()  # the names between the title and the abstract


def pdf_head(data: bytes, *, limits: ReadLimits = DEFAULT_LIMITS) -> PdfHead:
    """A PDF's title, authors and first page's text, from one opening (`head.read_head`); empty if it
    cannot be read within `limits` (its text step then fails and says why)."""
    try:
        return _in_worker(_read_head, (data, limits), limits)
    except PaperTextError:
        return PdfHead("", "")


def _in_worker(fn: Callable[..., T], args: tuple[object, ...], limits: ReadLimits) -> T:
    task = workers.TaskLimits(memory_bytes=limits.max_pdf_memory, cpu_seconds=limits.max_pdf_cpu_seconds)
    try:
        return workers.shared_pool(limits.pdf_workers).run(fn, args, task)
    except workers.TaskFailed as exc:
        raise PaperTextError(_too_costly(exc, limits)) from None


def _too_costly(exc: workers.TaskFailed, limits: ReadLimits) -> str:
    died = f"; the reader died: {exc.how}" if exc.how else ""
    if exc.cause == "cpu":
        return f"PDF reading used over {limits.max_pdf_cpu_seconds} s of CPU time (max_pdf_cpu_seconds)"
    if exc.cause == "memory":
        return f"PDF reading needs over {limits.max_pdf_memory // 2**20:,} MB of memory (max_pdf_memory{died})"
    if exc.cause == "deadline":
        deadline = workers.TaskLimits(limits.max_pdf_memory, limits.max_pdf_cpu_seconds).deadline
        return f"PDF reading gave no answer in {deadline:.0f} s (max_pdf_cpu_seconds)"
    return f"PDF reader crashed ({exc.how})"


# -- in the worker process ---------------------------------------------------------------------------------

def _read_document(data: bytes, paper_id: str, max_pages: int, limits: ReadLimits) -> Document:
    # sections are found here too, so that the parsing of different papers runs in parallel
    pages, tables = _read_pages(data, max_pages, limits)
    if sum(len(t.strip()) for _, t in pages) < MIN_TEXT_CHARS:
        raise PaperTextError("no text layer (a scanned or image-only PDF)")
    return Document(paper_id=paper_id, origin="pdf", sections=tuple(sections_from_lines(pages, tables)),
                    page_count=len(pages))


def _open(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD and _ENCRYPT.search(data):
            raise PaperTextError("encrypted PDF (password protected)") from None
        if exc.err_code == pdfium_c.FPDF_ERR_SECURITY and _ENCRYPT.search(data):
            raise PaperTextError("encrypted PDF (unsupported security handler)") from None
        if exc.err_code == pdfium_c.FPDF_ERR_FORMAT:
            raise PaperTextError("corrupt PDF (not a readable PDF structure)") from None
        raise PaperTextError("corrupt PDF (no document catalog or page tree PDFium can read)") from None


def _read_pages(data: bytes, max_pages: int, limits: ReadLimits) -> tuple[list[tuple[int, str]], list[TextSection]]:
    """Every page's text, under the character caps, and the tables found on the pages (each page's text holds
    a TABLE_MARK line where its table was)."""
    pdf = _open(data)
    try:
        count = len(pdf)
        if count == 0:
            raise PaperTextError("PDF has no pages")
        if count > max_pages:
            raise PaperTextError(f"too many pages ({count:,}, the limit is max_pages={max_pages})")
        pages: list[tuple[int, str]] = []
        tables: list[TextSection] = []
        total = 0
        for index in range(count):
            text, found = _page(pdf, index, limits, len(tables))
            total += len(text)
            if total > limits.max_document_chars:
                raise PaperTextError(f"text bomb: over {limits.max_document_chars:,} characters by page "
                                     f"{index + 1} (the limit is max_document_chars)")
            pages.append((index + 1, text))
            tables.extend(TextSection(kind="table", heading=t.caption, text="\n".join(t.rows), page=index + 1)
                          for t in found)
        return pages, tables
    except pdfium.PdfiumError as exc:
        raise PaperTextError(f"corrupt PDF ({str(exc).rstrip('.')})") from None
    finally:
        pdf.close()


def _page(pdf: pdfium.PdfDocument, index: int, limits: ReadLimits, first_table: int = 0,
          *, tables: bool = True) -> tuple[str, list[pdf_tables.Table]]:
    """One page's text with "\n" line ends, controls and noncharacters removed (`text.strip_controls`), and
    the tables on it (numbered from `first_table` in the text's TABLE_MARK lines)."""
    page = pdf[index]
    try:
        textpage = page.get_textpage()
        try:
            chars = textpage.count_chars()
            if chars > limits.max_page_chars:
                raise PaperTextError(f"text bomb: page {index + 1} holds {chars:,} characters (the limit is "
                                     f"max_page_chars={limits.max_page_chars:,})")
            text = _pdfium_text(textpage.get_text_range())
            found: list[pdf_tables.Table] = []
            if tables and _CAPTION_LINE.search(text):  # only pages with a table caption are measured
                found = pdf_tables.find_tables(_words(textpage), page.get_width())
        finally:
            textpage.close()
    finally:
        page.close()
    return pdf_tables.place_tables(text, found, TABLE_MARK, first_table) if found else (text, [])


def _words(textpage: pdfium.PdfTextPage) -> list[pdf_tables.Run]:
    """The page's words with their boxes, from PDFium's characters: a word ends at a space (PDFium adds one
    where text objects stand apart) or where the text changes line. Loose boxes (the font's height and
    advance), so that every character of a line has the same height."""
    raw = textpage.raw
    rect = pdfium_c.FS_RECTF()
    words: list[pdf_tables.Run] = []
    chars: list[str] = []
    box = [0.0, 0.0, 0.0, 0.0]  # the current word's left, bottom, right, top

    def end() -> None:
        if chars:
            words.append(pdf_tables.Run(box[0], box[1], box[2], box[3], strip_controls("".join(chars)).strip()))
            chars.clear()

    for i in range(pdfium_c.FPDFText_CountChars(raw)):
        code = pdfium_c.FPDFText_GetUnicode(raw, i)
        if code in (0, 0xFFFE) or code > 0x10FFFF or chr(code).isspace():
            end()
            continue
        if not pdfium_c.FPDFText_GetLooseCharBox(raw, i, rect):
            continue
        if chars and abs(rect.bottom - box[1]) > 0.5 * (box[3] - box[1]):
            end()  # the next line
        if not chars:
            box[:] = [rect.left, rect.bottom, rect.right, rect.top]
        box[2], box[3] = max(box[2], rect.right), max(box[3], rect.top)
        chars.append(chr(code))
    end()
    return [w for w in words if w.text]


def _pdfium_text(text: str) -> str:
    # PDFium marks a word hyphenated across a line break with U+FFFE and joins the lines: join the word, as
    # `sections.reflow` does for hyphens; every other noncharacter or control goes by the one rule
    return strip_controls(text.replace("\ufffe", "").replace("\r\n", "\n").replace("\r", "\n"))


def _read_head(data: bytes, limits: ReadLimits) -> PdfHead:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return PdfHead("", "")
    try:
        meta = one_line(strip_controls(pdf.get_metadata_value("Title") or ""))
        if not len(pdf):
            return PdfHead(meta, "")
        page = pdf[0]
        try:
            textpage = page.get_textpage()
            try:
                if textpage.count_chars() > limits.max_page_chars:
                    return PdfHead("", "")  # a bomb: the text step fails it with the limit named
                text = _pdfium_text(textpage.get_text_range())
                head = head_rules.read_head(_lines(textpage, page.get_height()))
            finally:
                textpage.close()
        finally:
            page.close()
    except pdfium.PdfiumError:
        return PdfHead("", "")
    finally:
        pdf.close()
    title = meta if head_rules.sensible_title(meta) else head.title or meta
    return PdfHead(title, text, head.authors)


def _lines(textpage: pdfium.PdfTextPage, height: float) -> list[head_rules.Line]:
    """The page's lines in PDFium's reading order, each with its largest font size and the height of its
    baseline from the top (0..1). Characters that are not upright (arXiv's stamp, turned in the margin) are
    left out: a stamp is no line of the title block."""
    raw = textpage.raw
    x, y = ctypes.c_double(), ctypes.c_double()
    lines: list[head_rules.Line] = []
    chars: list[str] = []
    size = 0.0
    baseline: float | None = None

    def end() -> None:
        text = strip_controls("".join(chars)).strip()
        if text and baseline is not None:
            lines.append(head_rules.Line(text, round(size, 1), max(0.0, 1 - baseline / max(height, 1.0))))
        chars.clear()

    for i in range(pdfium_c.FPDFText_CountChars(raw)):
        code = pdfium_c.FPDFText_GetUnicode(raw, i)
        if code in (0, 0xFFFE) or code > 0x10FFFF or chr(code) == "\r":
            continue
        if chr(code) == "\n":  # PDFium's own line break
            end()
            size, baseline = 0.0, None
            continue
        angle = pdfium_c.FPDFText_GetCharAngle(raw, i)  # radians; -1 when unknown
        if 0.05 < angle < 2 * math.pi - 0.05:  # turned text: a stamp or a margin note
            continue
        if not chr(code).isspace():
            pdfium_c.FPDFText_GetCharOrigin(raw, i, ctypes.byref(x), ctypes.byref(y))
            if baseline is not None and abs(y.value - baseline) > max(size, 1.0):  # a new line PDFium did not mark
                end()
                size, baseline = 0.0, None
            if baseline is None:
                baseline = y.value
            size = max(size, pdfium_c.FPDFText_GetFontSize(raw, i))
        chars.append(chr(code))
    end()
    return lines
