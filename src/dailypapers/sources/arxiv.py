"""arXiv: the identifier grammar, the export API's Atom feed (pure parse + thin fetch), and PDF/HTML URLs."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import time
import zoneinfo
from collections.abc import Callable, Sequence
from typing import Any
from xml import sax as xml_sax

from dailypapers.arxiv_id import abs_url, canonical_id
from dailypapers.config import Settings
from dailypapers.documents import ReadLimits
from dailypapers.errors import FetchError, HostNotAllowedError, InputError, PaperTextError
from dailypapers.hookspecs import hookimpl
from dailypapers.http import Http
from dailypapers.models import Document, Paper
from dailypapers.sources.base import SourceContext
from dailypapers.text import clean_line

BATCH = 100  # ids per id_list query; keeps the URL short
MAX_CATEGORY = 2000  # the API's largest slice

_CATEGORY = re.compile(r"[a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?")
_ERROR_ID = "arxiv.org/api/errors"


def versioned(paper_id: str, version: int | None) -> str:
    """The id as arXiv spells one version of it (`2505.02707v2`), or the id alone when no version is known."""
    return f"{paper_id}v{version}" if version else paper_id


def pdf_url(settings: Settings, paper_id: str, version: int | None = None) -> str:
    return f"{settings.arxiv_pdf_url.rstrip('/')}/{versioned(paper_id, version)}"


def html_url(settings: Settings, paper_id: str, version: int | None = None) -> str:
    return f"{settings.arxiv_html_url.rstrip('/')}/{versioned(paper_id, version)}"


def _when(parsed: time.struct_time | None) -> dt.datetime | None:
    if not parsed:
        return None
    return dt.datetime(*parsed[:6], tzinfo=dt.UTC)


def _entry_paper(entry: Any) -> Paper | None:
    try:
        paper_id, version = canonical_id(entry.get("id", ""))
    except InputError:
        return None
    links: dict[str, str] = {"abs": abs_url(paper_id)}
    for link in entry.get("links", []):
        if link.get("title") == "pdf":
            links["pdf"] = link.get("href", "")
        elif link.get("title") == "doi":
            links["doi"] = link.get("href", "")
    primary = entry.get("arxiv_primary_category", {}).get("term")
    if primary:
        links["category"] = primary
    return Paper(
        id=paper_id,
        version=version,
        title=clean_line(entry.get("title") or ""),
        authors=tuple(name for a in entry.get("authors", []) if (name := clean_line(a.get("name") or ""))),
        published=_when(entry.get("published_parsed")),
        abstract=clean_line(entry.get("summary") or ""),
        links=links,
    )


class IncompleteFeedError(FetchError):
    """An Atom answer that does not parse whole (cut off mid-entry): retried like a network error."""


def parse_feed(xml: bytes | str) -> list[Paper]:
    """Papers in an arXiv API Atom feed, in feed order. An `Error` entry raises InputError (its message); a
    feed that is not well-formed XML to its end raises IncompleteFeedError: what it would give (a last paper
    without its title, or none of the papers after the cut) is not what arXiv lists."""
    import feedparser  # loads with the first feed to read: an HF day, or a finished one, reads none

    feed = feedparser.parse(xml)
    entries = feed.get("entries", [])
    for entry in entries:
        if _ERROR_ID in entry.get("id", ""):
            raise InputError(f"arXiv API error: {clean_line(entry.get('summary') or '') or 'unknown error'}")
    if not str(feed.get("version", "")).startswith("atom"):
        # an HTML error page or an empty body with status 200 is not "no papers"
        problem = feed.get("bozo_exception") or "no Atom feed in it"
        raise FetchError(f"not an arXiv API answer ({str(problem)[:200]}): is arxiv_api_url right?")
    if isinstance(feed.get("bozo_exception"), xml_sax.SAXParseException):
        raise IncompleteFeedError(f"the arXiv API answer is cut off or damaged ({feed['bozo_exception']})")
    return [p for p in (_entry_paper(e) for e in entries) if p is not None]


async def _query(http: Http, settings: Settings, params: dict[str, str | int]) -> list[Paper]:
    """One arXiv API request, parsed; an answer that does not parse whole is asked for again, as a request that
    failed on the network is (`http_retries` times, at the API's pace)."""
    attempts = 1 + max(0, settings.http_retries)
    for attempt in range(1, attempts + 1):
        xml = await http.get_text(settings.arxiv_api_url, params)
        try:
            return parse_feed(xml)
        except IncompleteFeedError as exc:
            if attempt == attempts:
                raise IncompleteFeedError(f"{exc} after {attempts} attempt(s)", url=settings.arxiv_api_url) from None
    raise AssertionError("unreachable")  # the loop returns or raises


async def fetch_metadata(http: Http, settings: Settings, ids: Sequence[str]) -> list[Paper]:
    """Metadata for these ids (any spelling), in the order given; ids arXiv does not know are left out."""
    versions: dict[str, int | None] = {}
    for raw in ids:
        paper_id, version = canonical_id(raw)
        versions.setdefault(paper_id, version)  # the first spelling of an id wins
    wanted = list(versions.items())
    found: dict[str, Paper] = {}
    for start in range(0, len(wanted), BATCH):
        batch = wanted[start : start + BATCH]
        papers = await _query(http, settings, {"id_list": ",".join(versioned(i, v) for i, v in batch),
                                               "max_results": len(batch)})
        for paper in papers:
            found.setdefault(paper.id, paper)
    out = []
    for paper_id, version in wanted:
        paper = found.get(paper_id)
        if paper is not None:
            out.append(paper if version is None else paper.model_copy(update={"version": version}))
    return out


# arXiv's daily deadline: submissions received by 14:00 US Eastern on a weekday are announced that evening.
_EASTERN = zoneinfo.ZoneInfo("America/New_York")
_DEADLINE = dt.time(14, 0)


def announcement_window(day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
    """The submission times (UTC, [start, end)) that arXiv announces on the evening of `day` (US Eastern):
    from the previous weekday's 14:00 deadline to `day`'s. None on Saturday and Sunday (no announcement).
    Holidays are not known here: on one, the window holds what arXiv announces the next weekday."""
    if day.weekday() >= 5:
        return None
    previous = day - dt.timedelta(days=3 if day.weekday() == 0 else 1)
    start = dt.datetime.combine(previous, _DEADLINE, tzinfo=_EASTERN)
    end = dt.datetime.combine(day, _DEADLINE, tzinfo=_EASTERN)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def _api_time(when: dt.datetime) -> str:
    return when.strftime("%Y%m%d%H%M")


async def fetch_category(
    http: Http, settings: Settings, category: str, n: int = 20, day: dt.date | None = None
) -> list[Paper]:
    """The newest `n` submissions in an arXiv category (e.g. cs.CL), newest first; with `day`, only those
    announced that day (`announcement_window`)."""
    if not _CATEGORY.fullmatch(category):
        raise InputError(f"not an arXiv category: {category!r} (expected e.g. cs.CL or hep-th)")
    if not 1 <= n <= MAX_CATEGORY:
        raise InputError(f"the number of papers must be between 1 and {MAX_CATEGORY}, not {n}")
    query = f"cat:{category}"
    if day is not None:
        window = announcement_window(day)
        if window is None:
            return []
        last = window[1] - dt.timedelta(minutes=1)  # the API's range is inclusive, to the minute
        query += f" AND submittedDate:[{_api_time(window[0])} TO {_api_time(last)}]"
    papers = (await _query(http, settings, {"search_query": query, "sortBy": "submittedDate",
                                            "sortOrder": "descending", "start": 0, "max_results": n}))[:n]
    return [p.model_copy(update={"day": day}) for p in papers] if day is not None else papers


def parse_html(html: str | bytes, paper_id: str, **options: Any) -> Document:
    """`documents.parse_html`, loaded (lxml) with the first page to read."""
    from dailypapers.documents.html import parse_html as read

    return read(html, paper_id, **options)


def extract_pdf(data: bytes, paper_id: str, **options: Any) -> Document:
    """`documents.extract_pdf`, loaded (PDFium) with the first PDF to read."""
    from dailypapers.documents.pdf import extract_pdf as read

    return read(data, paper_id, **options)


async def fetch_document(paper: Paper, ctx: SourceContext) -> Document:
    """An arXiv paper's full text: its HTML rendering when there is one, else its PDF."""
    settings, http = ctx.settings, ctx.http
    html_problem = ""
    if settings.use_arxiv_html:
        try:
            html = await http.get_text(html_url(settings, paper.id, paper.version), max_bytes=settings.max_pdf_bytes)
            return await asyncio.to_thread(parse_html, html, paper.id, limits=ReadLimits.from_settings(settings))
        except HostNotAllowedError:
            raise
        except (FetchError, PaperTextError) as exc:  # not every paper has HTML: the PDF is the fallback
            html_problem = str(exc)
    try:
        # a fallback goes before other papers' first attempts: this paper has waited once already
        data, content_type = await http.get_bytes(pdf_url(settings, paper.id, paper.version),
                                                  max_bytes=settings.max_pdf_bytes, accept="application/pdf",
                                                  priority=0 if settings.use_arxiv_html else 1)
    except FetchError as exc:
        if html_problem:
            raise FetchError(f"{exc} (HTML: {html_problem})", url=exc.url, status=exc.status) from None
        raise
    if "html" in content_type.lower() and not data.lstrip().startswith(b"%PDF"):
        raise PaperTextError("not a PDF: the server sent an HTML page")
    return await asyncio.to_thread(extract_pdf, data, paper.id, max_pages=settings.max_pages,
                                   limits=ReadLimits.from_settings(settings))


DEFAULT_CATEGORY_SIZE = 20  # without a day; a day's listing is asked for whole (up to MAX_CATEGORY)


class ArxivSource:
    """`--source arxiv:CATEGORY[:N]`: the newest N submissions of a category; and every arXiv paper's
    document (HTML, else PDF)."""

    name = "arxiv"
    description = "newest submissions of an arXiv category (--source arxiv:cs.CL[:N]); arXiv full texts"

    def accepts(self, spec: str) -> bool:
        return spec.startswith("arxiv:")

    def edition(self, spec: str) -> str:
        return "arxiv:" + spec[len("arxiv:"):].partition(":")[0]

    async def list_papers(
        self, spec: str, day: dt.date | None, limit: int | None, ctx: SourceContext
    ) -> list[Paper]:
        category, _, count = spec[len("arxiv:"):].partition(":")
        # ask arXiv for exactly as many as wanted; a day is asked for whole
        n = limit or (MAX_CATEGORY if day is not None else DEFAULT_CATEGORY_SIZE)
        if count:
            if not count.isdigit():
                raise InputError(f"bad source {spec!r}: use arxiv:CATEGORY or arxiv:CATEGORY:N")
            n = int(count)
        return await fetch_category(ctx.http, ctx.settings, category, n, day)

    def reads(self, paper: Paper) -> bool:
        return paper.is_arxiv

    async def fetch_document(self, paper: Paper, ctx: SourceContext) -> Document:
        return await fetch_document(paper, ctx)


@hookimpl
def register_sources(register: Callable[[object], None]) -> None:
    register(ArxivSource())
