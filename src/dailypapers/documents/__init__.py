"""A paper's full text as a `Document`: read from a PDF, arXiv's HTML or a text file, split into sections,
and cut to a token budget for the summarizer.

    pdf.py       PDF -> Document (pypdfium2, in worker processes under limits)
    pdf_tables.py  tables on a PDF page, from where its words sit (a caption, lines of cells)
    head.py      a paper's title and authors from the top of its first page (font sizes), read offline
    workers.py   the worker processes: memory and CPU-time limits, one failed task fails alone
    limits.py    what reading one paper may cost (characters, memory, CPU time): ReadLimits
    html.py      arXiv HTML (LaTeXML) -> Document, tables as rows (lxml)
    sections.py  headings, section kinds, paragraphs; plain text -> Document
    budget.py    Document -> the text the summarizer reads, at most N tokens
    tokens.py    the deterministic token counter the budget uses

Everything here is pure except the PDF readers (they block on a worker process: run them in a thread) and
`read_file`.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dailypapers.documents.budget import BUDGET_VERSION, budget
from dailypapers.documents.limits import DEFAULT_LIMITS, ReadLimits
from dailypapers.documents.sections import from_text, heading_kind, section_kind, sections_from_lines
from dailypapers.documents.tokens import COUNTER, count_tokens
from dailypapers.errors import PaperTextError
from dailypapers.models import Document
from dailypapers.text import strip_controls

if TYPE_CHECKING:
    from dailypapers.documents.html import parse_html
    from dailypapers.documents.pdf import PdfHead, extract_pdf, pdf_head

# The readers load lxml and PDFium (and name the PDF fork server's preload): a run whose documents are all
# stored, and every command that reads none, does without them.
_READERS = {"parse_html": "dailypapers.documents.html", "PdfHead": "dailypapers.documents.pdf",
            "extract_pdf": "dailypapers.documents.pdf", "pdf_head": "dailypapers.documents.pdf"}


def __getattr__(name: str) -> Any:
    if name in _READERS:
        return getattr(importlib.import_module(_READERS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "BUDGET_VERSION",
    "COUNTER",
    "DEFAULT_LIMITS",
    "PdfHead",
    "ReadLimits",
    "budget",
    "content_hash",
    "count_tokens",
    "extract_pdf",
    "from_text",
    "heading_kind",
    "parse_html",
    "pdf_head",
    "read_file",
    "section_kind",
    "sections_from_lines",
]


def content_hash(doc: Document) -> str:
    """A hex digest of what a document says (origin, sections, pages): equal documents, equal hashes, on
    every machine. The summary cache key is built on it."""
    material = {
        "origin": doc.origin,
        "page_count": doc.page_count,
        "sections": [[s.kind, s.heading, s.text, s.page] for s in doc.sections],
    }
    blob = json.dumps(material, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
    return hashlib.sha256(blob).hexdigest()


def read_file(path: Path, paper_id: str, *, max_bytes: int, max_pages: int,
              limits: ReadLimits = DEFAULT_LIMITS) -> Document:
    """A paper's text from a file: .html/.htm (arXiv HTML), .txt/.md (plain text) or a PDF; size-capped, and
    read within `limits`."""
    try:
        if path.stat().st_size > max_bytes:
            raise PaperTextError(f"the file is over max_pdf_bytes ({max_bytes:,} bytes)")
        data = path.read_bytes()
    except OSError as exc:
        raise PaperTextError(f"cannot read {path}: {exc.strerror or exc}") from None
    suffix = path.suffix.lower()
    readers = sys.modules[__name__]  # its readers load on first use (and may be replaced, e.g. in a test)
    if suffix in (".html", ".htm"):
        return readers.parse_html(data, paper_id, limits=limits)
    if suffix in (".txt", ".md"):
        text = data[: limits.max_document_chars * 4].decode("utf-8", errors="replace")[: limits.max_document_chars]
        return from_text(strip_controls(text), paper_id)
    return readers.extract_pdf(data, paper_id, max_pages=max_pages, limits=limits)
