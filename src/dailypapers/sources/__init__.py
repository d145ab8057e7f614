"""Where papers come from (HF Daily Papers, an arXiv category, local files) and where their text comes
from."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

from dailypapers import fulltext
from dailypapers.config import Settings
from dailypapers.errors import FetchError, HostNotAllowedError, InputError, PaperTextError
from dailypapers.http import Http
from dailypapers.models import Document, Paper
from dailypapers.sources import arxiv, hf_daily, local

DEFAULT_CATEGORY_SIZE = 20
MAX_LOCAL_TEXT_BYTES = 20 * 1024 * 1024

_log = logging.getLogger(__name__)


Warn = Callable[[str], None]


async def fetch_papers(
    source: str | None, day: dt.date | None, http: Http, settings: Settings, *, limit: int | None = None,
    warn: Warn | None = None,
) -> list[Paper]:
    """The papers of a source, best first, at most `limit`: None/"hf" -> HF Daily Papers of `day`;
    "arxiv:CAT[:N]" -> the newest N in CAT; an existing path -> local PDFs or a list of arXiv ids (whose
    metadata is fetched from arXiv). Local PDFs that carry an arXiv id get arXiv's metadata too (unless
    `settings.local_metadata` is off); when arXiv cannot help, they keep what the file says and `warn`
    (default: the `dailypapers.sources` logger) is told once."""
    if limit is not None and limit < 1:
        raise InputError("--limit must be at least 1")
    papers = await _fetch_papers(source, day, http, settings, limit, _log.warning if warn is None else warn)
    return papers[:limit] if limit is not None else papers


async def _fetch_papers(
    source: str | None, day: dt.date | None, http: Http, settings: Settings, limit: int | None, warn: Warn
) -> list[Paper]:
    if source is None or source == "hf":
        return await hf_daily.fetch_day(http, settings, day)
    if source.startswith("arxiv:"):
        category, _, count = source[len("arxiv:"):].partition(":")
        n = limit or DEFAULT_CATEGORY_SIZE  # ask arXiv for exactly as many as wanted
        if count:
            if not count.isdigit():
                raise InputError(f"bad source {source!r}: use arxiv:CATEGORY or arxiv:CATEGORY:N")
            n = int(count)
        return await arxiv.fetch_category(http, settings, category, n)
    path = Path(source).expanduser()
    if not path.exists():
        raise InputError(f"unknown source {source!r}: use hf, arxiv:CATEGORY, or a path (PDFs or id list)")
    papers = await asyncio.to_thread(local.scan, path, max_bytes=settings.max_pdf_bytes)
    papers = papers[:limit]  # arXiv is asked only about papers kept
    bare = [p for p in papers if not p.title and p.is_arxiv]
    if bare:  # an id list: arXiv is the only place these papers are described, so its failure is the run's
        found = {p.id: p for p in await arxiv.fetch_metadata(http, settings, [p.id for p in bare])}
        # an id arXiv does not know stays in the list: its text fetch will fail and say so
        return [found.get(p.id, p.model_copy(update={"title": p.id})) if not p.title else p for p in papers]
    if settings.local_metadata:
        return await _with_arxiv_metadata(papers, http, settings, warn)
    return papers


async def _with_arxiv_metadata(papers: list[Paper], http: Http, settings: Settings, warn: Warn) -> list[Paper]:
    """Local files with an arXiv id described by arXiv (title, authors in order, abstract, date, version,
    links), still read from the file; without arXiv's answer a file keeps the title guessed from the PDF."""
    files = [p for p in papers if p.is_arxiv and p.links.get("file")]
    if not files:
        return papers
    try:
        # the versioned id: a file named ...v2.pdf is described as v2
        found = {p.id: p for p in await arxiv.fetch_metadata(http, settings, [_spelled(p) for p in files])}
    except (FetchError, InputError) as exc:  # metadata is a nicety for files: never fail the run for it
        warn(f"arXiv metadata for {_count(len(files), 'local file')} not fetched ({_one_line(exc)}); "
             "kept what the files say")
        return papers
    unknown = [p.id for p in files if p.id not in found]
    if unknown:
        shown = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
        files_say = "the files say" if len(unknown) > 1 else "the file says"
        warn(f"arXiv does not know {shown}; kept what {files_say}")
    return [_merged(p, found[p.id]) if p.id in found and p.links.get("file") else p for p in papers]


def _merged(file_paper: Paper, meta: Paper) -> Paper:
    # links["file"] stays: fetch_document reads a local file before asking the network
    return meta.model_copy(update={"title": meta.title or file_paper.title,
                                   "links": {**meta.links, "file": file_paper.links["file"]}})


def _spelled(paper: Paper) -> str:
    return f"{paper.id}v{paper.version}" if paper.version else paper.id


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


async def fetch_document(paper: Paper, http: Http, settings: Settings) -> Document:
    """The full text of a paper: its local file, else arXiv's HTML rendering, else its PDF."""
    file = paper.links.get("file")
    if file:
        return await asyncio.to_thread(read_local, Path(file), paper.id, settings)
    if not paper.is_arxiv:
        raise PaperTextError("no file and no arXiv id to fetch the text from")
    html_problem = ""
    if settings.use_arxiv_html:
        try:
            html = await http.get_text(arxiv.html_url(settings, paper.id, paper.version))
            return await asyncio.to_thread(fulltext.parse_html, html, paper.id)
        except HostNotAllowedError:
            raise
        except (FetchError, PaperTextError) as exc:  # not every paper has HTML: the PDF is the fallback
            html_problem = str(exc)
    try:
        data, content_type = await http.get_bytes(arxiv.pdf_url(settings, paper.id, paper.version),
                                                  max_bytes=settings.max_pdf_bytes, accept="application/pdf")
    except FetchError as exc:
        if html_problem:
            raise FetchError(f"{exc} (HTML: {html_problem})", url=exc.url, status=exc.status) from None
        raise
    if "html" in content_type.lower() and not data.lstrip().startswith(b"%PDF"):
        raise PaperTextError("not a PDF: the server sent an HTML page")
    return await asyncio.to_thread(fulltext.extract_pdf, data, paper.id, max_pages=settings.max_pages)


def read_local(path: Path, paper_id: str, settings: Settings) -> Document:
    """A paper's text from a file: .html/.htm (arXiv HTML), .txt/.md (plain text) or a PDF; size-capped."""
    try:
        if path.stat().st_size > settings.max_pdf_bytes:
            raise PaperTextError(f"the file is over max_pdf_bytes ({settings.max_pdf_bytes:,} bytes)")
        data = path.read_bytes()
    except OSError as exc:
        raise PaperTextError(f"cannot read {path}: {exc.strerror or exc}") from None
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        return fulltext.parse_html(data.decode("utf-8", errors="replace"), paper_id)
    if suffix in (".txt", ".md"):
        return fulltext.from_text(data[:MAX_LOCAL_TEXT_BYTES].decode("utf-8", errors="replace"), paper_id)
    return fulltext.extract_pdf(data, paper_id, max_pages=settings.max_pages)
