"""Local sources: a folder of PDFs (or one PDF), or a .txt/.csv/.json list of arXiv ids."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any

from dailypapers.arxiv_id import canonical_id
from dailypapers.errors import InputError
from dailypapers.fulltext import pdf_head
from dailypapers.models import Paper

LIST_SUFFIXES = (".txt", ".csv", ".json")
MAX_LIST_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_PDF_BYTES = 50 * 1024 * 1024  # as settings.max_pdf_bytes
# An arXiv id in a file name ("2505.02707v2.pdf", "hep-th_9901001.pdf") or on a first page
# ("arXiv:2505.02707v1").
_NEW_IN_TEXT = re.compile(r"(?<![\d.])(\d{4}\.\d{4,5}(?:v\d+)?)(?![\d])")
_OLD_IN_NAME = re.compile(r"([a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?)[_/](\d{7}(?:v\d+)?)")
_ARXIV_STAMP = re.compile(r"arXiv:\s*(\d{4}\.\d{4,5}(?:v\d+)?|[a-z-]+(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)")


def _id_in(candidates: list[str]) -> tuple[str, int | None] | None:
    for candidate in candidates:
        try:
            return canonical_id(candidate)
        except InputError:
            continue
    return None


def _pdf_paper(path: Path, max_bytes: int) -> Paper:
    links = {"file": str(path.resolve())}
    found = _id_in(_NEW_IN_TEXT.findall(path.stem) + ["/".join(m) for m in _OLD_IN_NAME.findall(path.stem)])
    size = path.stat().st_size
    if size > max_bytes:
        # not read into memory: the paper is still listed, and its text step fails saying why
        title = first_page = ""
        content_id = hashlib.sha256(f"{links['file']}:{size}".encode()).hexdigest()[:12]
    else:
        data = path.read_bytes()
        title, first_page = pdf_head(data, first_page=found is None)
        if found is None:
            found = _id_in(_ARXIV_STAMP.findall(first_page))
        content_id = hashlib.sha256(data).hexdigest()[:12]
    title = title or next((ln.strip() for ln in first_page.splitlines() if ln.strip()), "")[:300] or path.stem
    if found is not None:
        paper_id, version = found
        return Paper(id=paper_id, version=version, title=title, links=links)
    return Paper(id=f"local:{content_id}", title=title, links=links)


def _ids_from_list(path: Path) -> list[str]:
    if path.stat().st_size > MAX_LIST_BYTES:
        raise InputError(f"{path}: the id list is over {MAX_LIST_BYTES // 1024 // 1024} MB")
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    suffix = path.suffix.lower()
    if suffix == ".json":
        try:
            data: Any = json.loads(text)
        except ValueError as exc:
            raise InputError(f"{path}: not valid JSON ({exc})") from None
        if isinstance(data, dict):
            data = data.get("ids", data.get("papers"))
        if not isinstance(data, list):
            raise InputError(f"{path}: expected a JSON list of arXiv ids (or objects with an \"id\")")
        return [str(x.get("id", "")) if isinstance(x, dict) else str(x) for x in data]
    if suffix == ".csv":
        rows = list(csv.reader(io.StringIO(text)))
        if not rows:
            return []
        header = [c.strip().lower() for c in rows[0]]
        column = next((header.index(n) for n in ("id", "arxiv_id", "arxiv", "paper_id") if n in header), None)
        if column is not None:
            return [r[column] for r in rows[1:] if len(r) > column and r[column].strip()]
        return [r[0] for r in rows if r and r[0].strip()]
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


def scan(path: Path, *, max_bytes: int = DEFAULT_MAX_PDF_BYTES) -> list[Paper]:
    """Papers from a folder of PDFs, a single PDF, or a list of ids (ids only; fetch their metadata later).

    PDFs over `max_bytes` are listed without being read (settings.max_pdf_bytes: their text step fails)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"no such file or folder: {path}")
    if path.is_dir():
        pdfs = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".pdf")
        if not pdfs:
            raise InputError(f"{path}: no PDF files in this folder")
        return _dedupe(_pdf_paper(p, max_bytes) for p in pdfs)
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return [_pdf_paper(path, max_bytes)]
    if suffix not in LIST_SUFFIXES:
        kinds = "/".join(LIST_SUFFIXES)
        raise InputError(f"{path}: expected a folder of PDFs, a PDF, or a {kinds} list of ids")
    papers = []
    for n, raw in enumerate(_ids_from_list(path), start=1):
        try:
            paper_id, version = canonical_id(raw)
        except InputError as exc:
            raise InputError(f"{path}: entry {n}: {exc}") from None
        papers.append(Paper(id=paper_id, version=version, title=""))
    return _dedupe(papers)


def _dedupe(papers: Any) -> list[Paper]:
    seen: dict[str, Paper] = {}
    for p in papers:
        seen.setdefault(p.id, p)
    return list(seen.values())
