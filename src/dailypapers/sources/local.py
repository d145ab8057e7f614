"""Local sources: a folder of PDFs (or one PDF), or a .txt/.csv/.json list of arXiv ids.

A PDF whose file name or arXiv stamp (the first page's margin line `arXiv:ID [category] date`; never a
citation) carries an arXiv id is described by arXiv (title, authors in order, abstract, date, version, links:
one batched request) while its text is still read from the file; without arXiv's answer it keeps what the file
says and the user is warned once. A PDF without an id is `local:<12 hex of its bytes>`: the same file always
gets the same id, and the digest links it to an anchor of that id. An id list always needs arXiv.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dailypapers.arxiv_id import canonical_id
from dailypapers.documents import DEFAULT_LIMITS, ReadLimits, read_file
from dailypapers.errors import FetchError, HostUnreachableError, InputError
from dailypapers.hookspecs import hookimpl
from dailypapers.models import Document, Paper, first_per_paper
from dailypapers.sources import arxiv
from dailypapers.sources.base import SourceContext
from dailypapers.text import one_line

if TYPE_CHECKING:
    from dailypapers.documents.pdf import PdfHead

LIST_SUFFIXES = (".txt", ".csv", ".json")
MAX_LIST_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_PDF_BYTES = 50 * 1024 * 1024  # as settings.max_pdf_bytes
MAX_TITLE_CHARS = 300  # of a title from a PDF (its metadata Title or its largest-font lines)
# An arXiv id in a file name ("2505.02707v2.pdf", "hep-th_9901001.pdf").
_NEW_IN_TEXT = re.compile(r"(?<![\d.])(\d{4}\.\d{4,5}(?:v\d+)?)(?![\d])")
_OLD_IN_NAME = re.compile(r"([a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?)[_/](\d{7}(?:v\d+)?)")
# arXiv's own stamp in the first page's margin, a line of its own: "arXiv:2505.02707v1  [cs.CL]  5 May 2025"
# (old ids: "arXiv:hep-th/9901001v1  4 Jan 1999"). Only this names the paper itself: an "arXiv:2401.00001"
# elsewhere on the page is a citation of another paper.
_ARXIV_STAMP = re.compile(
    r"^[ \t]*arXiv:(\d{4}\.\d{4,5}v\d+)[ \t]*\[[a-z-]+(?:\.[A-Za-z-]+)?\][ \t]*"
    r"\d{1,2}[ \t]+[A-Z][a-z]{2}[ \t]+\d{4}[ \t]*$"
    r"|^[ \t]*arXiv:([a-z-]+(?:\.[A-Z]{2})?/\d{7}v\d+)[ \t]*(?:\[[a-z.-]+\][ \t]*)?"
    r"\d{1,2}[ \t]+[A-Z][a-z]{2}[ \t]+\d{4}[ \t]*$",
    re.MULTILINE,
)


def _id_in(candidates: list[str]) -> tuple[str, int | None] | None:
    for candidate in candidates:
        try:
            return canonical_id(candidate)
        except InputError:
            continue
    return None


def pdf_head(data: bytes, **options: Any) -> PdfHead:
    """`documents.pdf_head`, loaded (PDFium) with the first PDF to read."""
    from dailypapers.documents.pdf import pdf_head as read

    return read(data, **options)


def _pdf_paper(path: Path, max_bytes: int, limits: ReadLimits) -> Paper:
    links = {"file": str(path.resolve())}
    found = _id_in(_NEW_IN_TEXT.findall(path.stem) + ["/".join(m) for m in _OLD_IN_NAME.findall(path.stem)])
    size = path.stat().st_size
    authors: tuple[str, ...] = ()
    if size > max_bytes:
        # not read into memory: the paper is still listed, and its text step fails saying why
        title = first_page = ""
        content_id = hashlib.sha256(f"{links['file']}:{size}".encode()).hexdigest()[:12]
    else:
        data = path.read_bytes()
        title, first_page, authors = pdf_head(data, limits=limits)  # a bomb gives nothing
        if found is None:
            found = _id_in([new or old for new, old in _ARXIV_STAMP.findall(first_page)])
        content_id = hashlib.sha256(data).hexdigest()[:12]
    # the metadata Title when sensible, else the largest-font lines on top of page 1 (`documents.head`); a file
    # with neither is named after itself
    title = title[:MAX_TITLE_CHARS].rstrip() or path.stem
    if found is not None:
        paper_id, version = found
        return Paper(id=paper_id, version=version, title=title, authors=authors, links=links)
    return Paper(id=f"local:{content_id}", title=title, authors=authors, links=links)


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


def scan(path: Path, *, max_bytes: int = DEFAULT_MAX_PDF_BYTES, limit: int | None = None,
         limits: ReadLimits = DEFAULT_LIMITS) -> list[Paper]:
    """Papers from a folder of PDFs, a single PDF, or a list of ids (ids only; fetch their metadata later);
    with `limit`, the first `limit` of them (a paper listed twice counts once).

    PDFs over `max_bytes` are listed without being read (settings.max_pdf_bytes: their text step fails). The
    others are opened in the PDF workers, `limits.pdf_workers` at once, in file-name order, and with `limit`
    no more of them than it takes to find that many papers; one that is too costly to open is listed under
    its file name, and its text step fails saying why."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"no such file or folder: {path}")
    if path.is_dir():
        pdfs = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".pdf")
        if not pdfs:
            raise InputError(f"{path}: no PDF files in this folder")
        return _scan_pdfs(pdfs, max_bytes, limits, limit)
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return [_pdf_paper(path, max_bytes, limits)] if _cap(limit) != 0 else []
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
    return first_per_paper(papers)[: _cap(limit)]


def _cap(limit: int | None) -> int | None:
    """A slice end for `limit` (None: all; below 1: none)."""
    return None if limit is None else max(0, limit)


def _scan_pdfs(pdfs: list[Path], max_bytes: int, limits: ReadLimits, limit: int | None) -> list[Paper]:
    """The papers of these PDFs, in order, each once; with `limit`, PDFs are opened only while fewer than
    `limit` papers are found: at most as many at once as are still wanted (and `limits.pdf_workers`)."""
    workers = max(1, limits.pdf_workers)
    with ThreadPoolExecutor(max_workers=workers) as pool:  # each thread waits on a worker process
        def read(chunk: list[Path]) -> list[Paper]:
            return list(pool.map(lambda p: _pdf_paper(p, max_bytes, limits), chunk))

        if limit is None:
            return first_per_paper(read(pdfs))
        found: list[Paper] = []
        rest = pdfs
        while rest and len(found) < limit:
            wanted = min(workers, limit - len(found))
            found = first_per_paper([*found, *read(rest[:wanted])])
            rest = rest[wanted:]
        return found[: _cap(limit)]


class LocalSource:
    """`--source PATH`: a folder of PDFs, one PDF, or a .txt/.csv/.json list of arXiv ids; and the document
    of every paper that has a local file."""

    name = "local"
    description = "a folder of PDFs or a .txt/.csv/.json list of arXiv ids (--source PATH); local files"

    def accepts(self, spec: str) -> bool:
        return Path(spec).expanduser().exists()

    def edition(self, spec: str) -> str:
        path = Path(spec).expanduser().resolve()
        return f"local:{path.name if path.is_dir() else path.stem}"

    async def list_papers(
        self, spec: str, day: dt.date | None, limit: int | None, ctx: SourceContext
    ) -> list[Paper]:
        settings = ctx.settings
        # only the papers kept are read (a folder's PDFs are opened until `limit` papers are found) and asked
        # arXiv about
        papers = await asyncio.to_thread(scan, Path(spec).expanduser(), max_bytes=settings.max_pdf_bytes,
                                         limit=limit, limits=ReadLimits.from_settings(settings))
        bare = [p for p in papers if not p.title and p.is_arxiv]
        if bare:  # an id list: arXiv is the only place these papers are described, so its failure is the run's
            found = {p.id: p for p in await arxiv.fetch_metadata(ctx.http, settings, [p.id for p in bare])}
            # an id arXiv does not know stays in the list: its document fetch will fail and say so
            return [found.get(p.id, p.model_copy(update={"title": p.id})) if not p.title else p for p in papers]
        if settings.local_metadata:
            return await _with_arxiv_metadata(papers, ctx)
        return papers

    def reads(self, paper: Paper) -> bool:
        return bool(paper.links.get("file"))

    async def fetch_document(self, paper: Paper, ctx: SourceContext) -> Document:
        s = ctx.settings
        return await asyncio.to_thread(read_file, Path(paper.links["file"]), paper.id, max_bytes=s.max_pdf_bytes,
                                       max_pages=s.max_pages, limits=ReadLimits.from_settings(s))


async def _with_arxiv_metadata(papers: list[Paper], ctx: SourceContext) -> list[Paper]:
    """Local files with an arXiv id described by arXiv; without arXiv's answer a file keeps its guessed title."""
    files = [p for p in papers if p.is_arxiv and p.links.get("file")]
    if not files:
        return papers
    try:
        # the versioned id: a file named ...v2.pdf is described as v2
        spelled = [arxiv.versioned(p.id, p.version) for p in files]
        found = {p.id: p for p in await arxiv.fetch_metadata(ctx.http, ctx.settings, spelled)}
    except (FetchError, InputError) as exc:  # metadata is a nicety for files: never fail the run for it
        # the problem alone: the client's advice for the sources ("local PDFs work offline with --source DIR")
        # is what this run already does
        problem = exc.problem if isinstance(exc, HostUnreachableError) else str(exc)
        ctx.warn(f"arXiv metadata for {_count(len(files), 'local file')} not fetched ({one_line(problem)}); kept "
                 "what the files say (local_metadata = false skips this request)")
        return papers
    unknown = [p.id for p in files if p.id not in found]
    if unknown:
        shown = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
        files_say = "the files say" if len(unknown) > 1 else "the file says"
        ctx.warn(f"arXiv does not know {shown}; kept what {files_say}")
    return [_merged(p, found[p.id]) if p.id in found and p.links.get("file") else p for p in papers]


def _merged(file_paper: Paper, meta: Paper) -> Paper:
    # links["file"] stays: the local source reads the file before anyone asks the network
    return meta.model_copy(update={"title": meta.title or file_paper.title,
                                   "links": {**meta.links, "file": file_paper.links["file"]}})


def _count(n: int, noun: str) -> str:
    # publish.pages.counted says the same (with thousands separators), but a source does not import the site
    # (and jinja2) for it; the shared place would be dailypapers.text
    return f"{n} {noun}{'' if n == 1 else 's'}"


@hookimpl(tryfirst=True)  # a paper with a local file is read from it, before any network source is asked
def register_sources(register: Callable[[object], None]) -> None:
    register(LocalSource())
