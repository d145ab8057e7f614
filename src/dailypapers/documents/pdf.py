"""PDF -> Document with pypdfium2. PDFium is not thread-safe, so every call into it holds `_PDFIUM_LOCK`;
callers run `extract_pdf` with `asyncio.to_thread`."""

from __future__ import annotations

import threading

import pypdfium2 as pdfium

from dailypapers.documents.sections import MIN_TEXT_CHARS, sections_from_lines
from dailypapers.errors import PaperTextError
from dailypapers.models import Document
from dailypapers.text import one_line

_PDFIUM_LOCK = threading.Lock()

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
            title = one_line(pdf.get_metadata_value("Title") or "")
            text = _page_text(pdf, 0) if (first_page or not title) and len(pdf) else ""
        except pdfium.PdfiumError:
            return "", ""
        finally:
            pdf.close()
    return title, text
