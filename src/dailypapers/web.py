"""The web app (`dailypapers serve`): the static site's pages live from the archive, search with highlighted
snippets, a run-health page and a JSON API with OpenAPI docs. Read-only but for one write: the archive is
opened with `Store(..., readonly=True)`, and `serve` binds localhost by default. The one write is a reader's
👍/👎 on a paper (`POST /api/papers/{id}/vote`, for the interest ranking): answered to a loopback client only, for
a JSON body from a page of the app itself (`_same_origin_on_loopback`), on a connection of its own.

Pages come from the same view models and templates as the static site (`publish.views`, `publish.pages`), at
the same paths, so a link copied from one works in the other. A rendered page is kept until the archive
changes (SQLite's `data_version` says when another connection committed), so a busy edition page costs one
dictionary lookup. Handlers are `async` and use one connection on the event loop's thread: SQLite reads of
one edition take about a millisecond, and no connection is shared between threads.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import re
import secrets
import socket
import sqlite3
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from dailypapers import __version__, digestformat
from dailypapers.embed.base import Embedder
from dailypapers.errors import DailyPapersError, EmbedError, InputError, NotFoundError
from dailypapers.meaning import MODES, RELATED, Mode
from dailypapers.meaning import related as related_papers
from dailypapers.meaning import search as meaning_search
from dailypapers.models import Digest, Edition, Paper, Period, PeriodDigest, Span, Summary, VersionChange
from dailypapers.publish.feeds import atom_feed, feed_links, papers_feed, period_feed, tag_feed
from dailypapers.publish.pages import APP_CSP, Chrome, FeedLink, render
from dailypapers.publish.views import (
    ARCHIVE_PATH,
    FEED_ENTRIES,
    HOME_PATH,
    PAPER_FEED_ENTRIES,
    RUNS_PATH,
    SEARCH_PATH,
    ArchiveView,
    EditionIndex,
    EditionView,
    HomeView,
    PeriodRef,
    RelatedRef,
    RunsView,
    TagView,
    edition_index,
    edition_path,
    edition_synthesis,
    edition_view,
    main_stream,
    month_index,
    month_neighbours,
    month_views,
    paper_id_from_slug,
    paper_items,
    paper_page_view,
    paper_path,
    period_path,
    period_view,
    run_view,
    stream_slug,
    streams,
    tag_views,
)
from dailypapers.redaction import NO_REDACTION, Redactor
from dailypapers.search import SORTS, SearchHit
from dailypapers.store import Store

_log = logging.getLogger(__name__)
PAGE_CACHE = 512  # rendered pages kept while the archive is unchanged
MAX_LIMIT = 100
DOCS_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
            "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
# Without a configured base URL a feed's absolute links name the host a request asked for: the feed is rendered
# once with this stand-in (a reserved name, per process) and each response puts its own base in its place.
FEED_BASE = f"http://feed-base-{secrets.token_hex(8)}.invalid"
_PLAIN_BASE = re.compile(r"https?://(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?(?:/[A-Za-z0-9._~-]+)*",
                         re.ASCII)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]


# -- API models (the OpenAPI schema) ---------------------------------------------------------------------------
class EditionInfo(BaseModel):
    day: dt.date
    source: str
    lang: str
    papers: int
    updated_at: dt.datetime | None = None
    html: str  # the edition's page, relative to the app's root


class PaperInEdition(BaseModel):
    edition: Edition
    upvotes: int | None = None
    summary: Summary | None = None
    # in an edition ranked by interest: the paper's profile score and the profile items it is nearest
    interest_score: float | None = None
    chosen_for: list[str] = []


class NewerVersion(BaseModel):
    """A newer arXiv version found (`dailypapers refresh`): what changed in the summary of one language, and
    the new summary; the editions keep the summary they were made with."""

    change: VersionChange
    line: str  # "v2: accuracy 71.2% → 73.9%"
    summary: Summary | None = None


class PaperInfo(BaseModel):
    paper: Paper
    editions: list[PaperInEdition]
    html: str
    versions: list[NewerVersion] = []
    vote: Literal[-1, 0, 1] = 0  # the reader's 👍 (1) or 👎 (-1) given in the app, part of the interest profile


class Vote(BaseModel):
    vote: Literal[-1, 0, 1]  # 👍 1, 👎 -1, 0 takes a vote back


class SearchResult(BaseModel):
    paper_id: str
    day: dt.date | None
    title: str
    title_highlights: list[tuple[int, int]]
    authors: list[str]
    score: float
    snippet: str | None
    snippet_highlights: list[tuple[int, int]]
    snippet_lang: str | None
    html: str


class RunInfo(BaseModel):
    id: int
    command: str
    day: str | None = None
    source: str | None = None
    lang: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    counts: dict[str, int]
    failures_by_stage: dict[str, int]
    failed: list[dict[str, str]]
    calls: int
    input_tokens: int
    output_tokens: int
    cost: float
    publish_errors: list[str]


# -- the archive, read-only, with a page cache -----------------------------------------------------------------
class Archive:
    def __init__(self, path: Path, *, main: tuple[str, str], base_url: str | None,
                 redact: Redactor = NO_REDACTION) -> None:
        self.store = Store(path, readonly=True, redact=redact)
        self.main = main
        self.base_url = base_url
        self._pages: OrderedDict[str, tuple[int, bytes, str]] = OrderedDict()

    def version(self) -> int:
        return int(self.store.db.execute("pragma data_version").fetchone()[0])

    def cached(self, key: str, make: Callable[[], tuple[bytes, str]]) -> tuple[bytes, str]:
        version = self.version()
        hit = self._pages.get(key)
        if hit is not None and hit[0] == version:
            self._pages.move_to_end(key)
            return hit[1], hit[2]
        body, media_type = make()
        self._pages[key] = (version, body, media_type)
        if len(self._pages) > PAGE_CACHE:
            self._pages.popitem(last=False)
        return body, media_type

    def find_edition(self, slug: str, day: dt.date) -> Edition:
        for edition, _ in self.store.editions(day):
            if stream_slug(edition.source, edition.lang) == slug:
                return edition
        raise HTTPException(404, f"no edition {slug} on {day}")

    def edition_view(self, edition: Edition, index: EditionIndex | None,
                     updated: Mapping[Edition, dt.datetime | None]) -> EditionView:
        """The edition's view; `index` and `updated` are the archive's editions and their stamps, read once
        for the page (`Store.editions()`, `Store.editions_updated()`), however many editions it shows."""
        digest = self.store.get_digest(edition)
        if digest is None:
            raise HTTPException(404, f"no edition {edition}")
        outcomes = self.store.latest_outcomes(edition) if any(e.summary is None for e in digest.entries) else None
        chosen = {pid: c.reasons for pid, c in self.store.choices(edition).items()}
        return edition_view(digest, index=index, outcomes=outcomes, updated=updated.get(edition),
                            made=edition_synthesis(digest.entries, digest.lang, self.store.get_synthesis),
                            chosen=chosen)


def _span(stem: str) -> Span | None:
    """The week (`2025-W19`) or month (`2025-05`) a page's name is, or None (a day, or nothing)."""
    for period in ("week", "month"):
        try:
            return Span.parse(period, stem)  # type: ignore[arg-type]
        except ValueError:
            continue
    return None


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise HTTPException(404, f"not a day: {value!r} (YYYY-MM-DD)") from None


# -- security headers, host check ---------------------------------------------------------------------------------
class Guard:
    """Every response gets a content security policy and the usual hardening headers; requests for another host
    name are refused (a web page cannot reach the app through DNS rebinding); HEAD is answered wherever GET is,
    with GET's status and headers and no body, as HTTP requires."""

    def __init__(self, app: ASGIApp, allowed_hosts: frozenset[str] | None) -> None:
        self.app = app
        self.allowed_hosts = allowed_hosts

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Message]],
                       send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.allowed_hosts is not None:
            host = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
            name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            if name.lower() not in self.allowed_hosts:
                await _plain(send, 400, b"unknown host name: add it to the allowed_hosts setting to serve it\n")
                return
        csp = (DOCS_CSP if scope["path"] == "/docs" else APP_CSP).encode()
        head = scope["method"] == "HEAD"
        if head:  # every route answers HEAD as GET, without the body (the length stays GET's)
            scope = {**scope, "method": "GET"}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.body" and head:
                message = {**message, "body": b""}
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []),
                                      (b"content-security-policy", csp),
                                      (b"x-content-type-options", b"nosniff"),
                                      (b"referrer-policy", b"no-referrer"),
                                      (b"x-frame-options", b"DENY"),
                                      (b"cross-origin-opener-policy", b"same-origin")]
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _plain(send: Callable[[Message], Awaitable[None]], status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
    await send({"type": "http.response.body", "body": body})


# -- the app ----------------------------------------------------------------------------------------------------
def _same_origin_on_loopback(request: Request) -> None:
    """A write is refused unless it comes from this machine, as JSON (a form of another site cannot send it
    without a preflight the app never grants), and from a page of the app itself (Origin and Fetch Metadata)."""
    client = request.client.host if request.client else ""
    if client not in ("127.0.0.1", "::1"):
        raise HTTPException(403, "votes are taken from this machine only")
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise HTTPException(415, "send the vote as application/json")
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        raise HTTPException(403, "a vote comes from the app's own pages")
    origin = request.headers.get("origin")
    host = request.headers.get("host", "")
    if origin is None or origin.split("://", 1)[-1].rstrip("/").lower() != host.lower():
        raise HTTPException(403, "a vote comes from the app's own pages (Origin must be this app)")


def create_app(db: Path, *, main: tuple[str, str] = ("hf", "ko"), base_url: str | None = None,
               allowed_hosts: frozenset[str] | None = None, redact: Redactor = NO_REDACTION,
               embedder: Embedder | None = None) -> Any:
    """The ASGI app over the archive at `db` (opened read-only now: a missing or old archive fails here).
    `main` is the (source, lang) stream the home page shows; `allowed_hosts` None accepts any Host header;
    `redact` (`Settings.redactor()`) keeps the settings' secrets out of every error text the app shows;
    `embedder` (`Registry.embedder`) embeds queries for meaning search and finds related papers (None: words
    only, and no related papers)."""
    archive = Archive(db, main=main, base_url=base_url.rstrip("/") if base_url else None, redact=redact)
    chrome = Chrome(live=True, base_url=archive.base_url)
    app = FastAPI(
        title="dailypapers",
        version=__version__,
        description="The archive of daily AI paper digests, read-only: editions, papers with their checked "
                    "summaries, search and run history.",
        docs_url=None, redoc_url=None, openapi_url="/openapi.json",
    )
    app.state.archive = archive
    static = resources.files("dailypapers") / "templates" / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    swagger = _swagger_dir()
    if swagger is not None:
        app.mount("/swagger", StaticFiles(directory=str(swagger)), name="swagger")

    def html(key: str, make: Callable[[], str]) -> Response:
        body, media_type = archive.cached(key, lambda: (make().encode(), "text/html; charset=utf-8"))
        return Response(body, media_type=media_type)

    @app.exception_handler(StarletteHTTPException)  # the router's 404s too, not only ours
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        page = render("error.html", request.url.path.lstrip("/") or HOME_PATH, chrome, status=exc.status_code,
                      message=str(exc.detail))
        return HTMLResponse(page, status_code=exc.status_code)

    @app.exception_handler(DailyPapersError)
    async def archive_error(request: Request, exc: DailyPapersError) -> Response:
        return JSONResponse({"detail": redact(str(exc))}, status_code=503)

    @app.exception_handler(sqlite3.DatabaseError)
    async def damaged_archive(request: Request, exc: sqlite3.DatabaseError) -> Response:
        # a page of the file damaged after it was opened: what the CLI says, on a page, not a traceback
        message = (f"the archive cannot be read ({exc}): restore it from a backup; the server goes on, and "
                   "pages that do not need the damaged part still work")
        _log.warning("%s %s: %s", request.method, request.url.path, message)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": message}, status_code=500)
        page = render("error.html", request.url.path.lstrip("/") or HOME_PATH, chrome, status=500, message=message)
        return HTMLResponse(page, status_code=500)

    # -- pages -----------------------------------------------------------------------------------------------
    @app.get("/", include_in_schema=False)
    async def root() -> Response:
        return await home()

    @app.get("/index.html", include_in_schema=False)
    async def home() -> Response:
        def make() -> str:
            every = archive.store.editions()
            all_streams = streams(every)
            chosen = main_stream(all_streams, *archive.main)
            main = None
            if chosen is not None:
                main = archive.edition_view(chosen.latest.edition, edition_index(every),
                                            archive.store.editions_updated())
            return render("home.html", HOME_PATH, chrome, feeds=feed_links(*(s.key for s in all_streams)),
                          view=HomeView(main, all_streams))
        return html(HOME_PATH, make)

    @app.get("/editions/{source}/{lang}/{name}", include_in_schema=False)
    async def edition_page(source: str, lang: str, name: str) -> Response:
        stem, _, ext = name.rpartition(".")
        if ext not in ("html", "md", "json"):
            raise HTTPException(404, "editions are .html, .md or .json")
        span = _span(stem)
        if span is not None:
            return _period_page(f"{source}/{lang}", span, ext)
        edition = archive.find_edition(f"{source}/{lang}", _day(stem))
        path = edition_path(edition, ext)
        if ext == "html":
            return html(path, lambda: render(
                "edition.html", path, chrome, feeds=feed_links((edition.source, edition.lang)),
                view=archive.edition_view(edition, edition_index(archive.store.editions()),
                                          archive.store.editions_updated())))
        digest = archive.store.get_digest(edition)
        assert digest is not None
        if ext == "md":
            return Response(digestformat.render(digest), media_type="text/markdown; charset=utf-8")
        return JSONResponse(digest.model_dump(mode="json"))

    def _find_period(slug: str, span: Span) -> PeriodDigest:
        for stored, source, lang, _ in archive.store.periods():
            if stored == span and stream_slug(source, lang) == slug:
                found = archive.store.get_period(span, source, lang)
                if found is not None:
                    return found
        raise HTTPException(404, f"no {span.period}ly edition {slug} {span.label}")

    def _period_page(slug: str, span: Span, ext: str) -> Response:
        edition = _find_period(slug, span)
        path = period_path(span, edition.source, edition.lang, ext)
        if ext == "md":
            return Response(digestformat.render_period(edition), media_type="text/markdown; charset=utf-8")
        if ext == "json":
            return JSONResponse(edition.model_dump(mode="json"))

        def make() -> str:
            refs = [PeriodRef(s, src, lg, n) for s, src, lg, n in archive.store.periods()]
            updated = archive.store.periods_updated().get((span, edition.source, edition.lang))
            view = period_view(edition, refs=refs, updated=updated,
                               made=edition_synthesis(edition.entries, edition.lang, archive.store.get_synthesis))
            feed = FeedLink(f"{view.ref.source_name} · {view.ref.lang_name} · {span.period}ly", view.ref.feed)
            return render("period.html", path, chrome, feeds=(feed,), view=view)
        return html(path, make)

    @app.get("/papers/{name}", include_in_schema=False)
    async def paper_page(name: str) -> Response:
        if not name.endswith(".html"):
            raise HTTPException(404, "papers are .html pages")
        paper_id = paper_id_from_slug(name.removesuffix(".html"))

        def make() -> str:
            page = paper_page_view(*_paper(paper_id), related=_related(paper_id),
                                   versions=archive.store.newer_versions(paper_id).get(paper_id, ()))
            return render("paper.html", page.path, chrome, view=page, vote=archive.store.vote_of(paper_id))
        return html(paper_path(paper_id), make)

    def _related(paper_id: str) -> list[RelatedRef]:
        # a page shows what there is: no embedder or no vector yet is a page without the section, not an error
        if embedder is None:
            return []
        try:
            hits = related_papers(archive.store, embedder, paper_id, lang=archive.main[1])
        except (NotFoundError, EmbedError):
            return []
        return [RelatedRef(h.paper_id, h.title.text, h.score) for h in hits]

    def _paper(paper_id: str) -> tuple[Paper, list[tuple[Edition, Summary | None, int | None]]]:
        paper = archive.store.get_paper(paper_id)
        shown = archive.store.paper_editions(paper_id) if paper is not None else []
        if paper is None or not shown:
            raise HTTPException(404, f"no paper {paper_id} in any edition")
        return paper, shown

    @app.get("/archive/index.html", include_in_schema=False)
    async def archive_page() -> Response:
        def make() -> str:
            every = archive.store.editions()
            all_streams = streams(every)
            refs = sorted((PeriodRef(s, src, lg, n) for s, src, lg, n in archive.store.periods()),
                          key=lambda r: r.span.start, reverse=True)
            return render("archive.html", ARCHIVE_PATH, chrome, feeds=feed_links(*(s.key for s in all_streams)),
                          view=ArchiveView(month_index(every), all_streams, tuple(refs)))
        return html(ARCHIVE_PATH, make)

    @app.get("/archive/{name}", include_in_schema=False)
    async def month_page(name: str) -> Response:
        try:
            year, month = (int(x) for x in name.removesuffix(".html").split("-"))
            first = dt.date(year, month, 1)
        except ValueError:
            raise HTTPException(404, "months are YYYY-MM.html") from None

        def make() -> str:
            every = archive.store.editions()
            inside = [e for e, _ in every if (e.day.year, e.day.month) == (first.year, first.month)]
            if not inside:
                raise HTTPException(404, f"no edition in {first:%Y-%m}")
            views = [edition_view(d) for d in (archive.store.get_digest(e) for e in inside) if d is not None]
            [view] = month_views(views)
            previous, next_ = month_neighbours(month_index(every), view)
            return render("month.html", view.path, chrome, view=view, previous=previous, next=next_)
        return html(f"archive/{first:%Y-%m}.html", make)

    def _tags() -> tuple[TagView, ...]:
        # every edition is read: a tag's newest papers may be anywhere (its page is cached until the archive
        # changes)
        digests = (archive.store.get_digest(e) for e, _ in archive.store.editions())
        return tag_views(edition_view(d) for d in digests if d is not None)

    @app.get("/tags/{name}", include_in_schema=False)
    async def tag_page(name: str, request: Request) -> Response:
        atom = name.endswith(".atom")  # the tag's feed, beside its page
        tag = name.removesuffix(".atom") if atom else name.removesuffix(".html")

        def find() -> TagView:
            found = [t for t in _tags() if t.tag == tag]
            if not found:
                raise HTTPException(404, f"no paper is tagged {tag}")
            return found[0]

        if atom:
            def make_feed() -> tuple[bytes, str]:
                return tag_feed(tag, find().items, Chrome(live=True, base_url=archive.base_url or FEED_BASE)), \
                    "application/atom+xml; charset=utf-8"
            return _feed_response(archive.cached(f"tagfeed:{tag}", make_feed), request)

        def make() -> str:
            view = find()
            return render("tag.html", view.path, chrome, feeds=(FeedLink(f"{tag} papers", view.feed),), view=view)
        return html(f"tags/{tag}.html", make)

    @app.get("/feeds/{source}/{lang}/{name}", include_in_schema=False)
    async def papers_feed_page(source: str, lang: str, name: str, request: Request) -> Response:
        slug = f"{source}/{lang}"
        if name in ("weekly.atom", "monthly.atom"):
            return _period_feed(slug, "week" if name == "weekly.atom" else "month", request)
        if name != "papers.atom":
            raise HTTPException(404, f"no feed {slug}/{name}")

        def make() -> tuple[bytes, str]:
            found, index, updated = _stream(slug, f"no feed {slug}/papers.atom")
            # enough editions for PAPER_FEED_ENTRIES papers: read newest first until they are listed
            views: list[EditionView] = []
            for e in reversed(found):
                views.append(archive.edition_view(e, index, updated))
                if len(paper_items(views)) >= PAPER_FEED_ENTRIES:
                    break
            body = papers_feed(found[0].source, found[0].lang, paper_items(views),
                               Chrome(live=True, base_url=archive.base_url or FEED_BASE))
            return body, "application/atom+xml; charset=utf-8"
        return _feed_response(archive.cached(f"papersfeed:{slug}", make), request)

    def _stream(slug: str, missing: str) -> tuple[list[Edition], EditionIndex, dict[Edition, dt.datetime | None]]:
        """The editions of one stream (`<source>/<lang>`), oldest first, with the archive's edition index and
        update times; 404 with `missing` when it has none."""
        every = archive.store.editions()
        found = [e for e, _ in every if stream_slug(e.source, e.lang) == slug]
        if not found:
            raise HTTPException(404, missing)
        return found, edition_index(every), archive.store.editions_updated()

    def _period_feed(slug: str, period: Period, request: Request) -> Response:
        def make() -> tuple[bytes, str]:
            every = [(s, src, lg, n) for s, src, lg, n in archive.store.periods() if stream_slug(src, lg) == slug]
            refs = [PeriodRef(s, src, lg, n) for s, src, lg, n in every]
            mine = sorted((r for r in refs if r.span.period == period), key=lambda r: r.span.start, reverse=True)
            if not mine:
                raise HTTPException(404, f"no {period}ly edition in {slug}")
            updated = archive.store.periods_updated()
            views = []
            for r in mine[:FEED_ENTRIES]:
                found = archive.store.get_period(r.span, r.source, r.lang)
                if found is not None:
                    views.append(period_view(found, refs=refs, updated=updated.get((r.span, r.source, r.lang))))
            body = period_feed(period, mine[0].source, mine[0].lang, views,
                               Chrome(live=True, base_url=archive.base_url or FEED_BASE))
            return body, "application/atom+xml; charset=utf-8"
        return _feed_response(archive.cached(f"periodfeed:{slug}:{period}", make), request)

    def _feed_response(made: tuple[bytes, str], request: Request) -> Response:
        # one rendering per feed, whatever Host the requests name: without a configured base URL the links are
        # the request's own (when it is a plain scheme://host[:port][/path]) put in place of a stand-in
        body, media_type = made
        if archive.base_url is None:
            base = str(request.base_url).rstrip("/")
            body = body.replace(FEED_BASE.encode(), (base if _PLAIN_BASE.fullmatch(base) else "").encode())
        return Response(body, media_type=media_type)

    @app.get("/feeds/{source}/{name}", include_in_schema=False)
    async def feed(source: str, name: str, request: Request) -> Response:
        if not name.endswith(".atom"):
            raise HTTPException(404, f"no feed {source}/{name}")
        slug = f"{source}/{name.removesuffix('.atom')}"

        def make() -> tuple[bytes, str]:
            found, index, updated = _stream(slug, f"no feed {source}/{name}")
            newest = [archive.edition_view(e, index, updated) for e in reversed(found[-FEED_ENTRIES:])]
            base = archive.base_url or FEED_BASE  # the request's own base goes in below
            body = atom_feed(found[0].source, found[0].lang, newest, Chrome(live=True, base_url=base))
            return body, "application/atom+xml; charset=utf-8"
        return _feed_response(archive.cached(f"feed:{slug}", make), request)

    @app.get("/search.html", include_in_schema=False)
    async def search_page(q: str = "", sort: str = "newest", limit: int = 50, mode: str = "hybrid") -> Response:
        sort = sort if sort in SORTS else "newest"
        chosen: Mode = mode if mode in MODES else "hybrid"  # type: ignore[assignment]
        limit = max(1, min(limit, MAX_LIMIT))
        try:
            hits = meaning_search(archive.store, embedder, q, mode=chosen, limit=limit, lang=archive.main[1],
                                  sort=sort) if q.strip() else []  # type: ignore[arg-type]
        except InputError:  # meaning asked of an archive without embeddings: what words find
            hits = meaning_search(archive.store, None, q, mode="words", limit=limit, lang=archive.main[1],
                                  sort=sort)  # type: ignore[arg-type]
        shown = [_hit_view(h) for h in hits]
        return HTMLResponse(render("search.html", SEARCH_PATH, chrome, query=q, sort=sort, limit=limit, hits=shown,
                                   mode=chosen))

    @app.get("/runs.html", include_in_schema=False)
    async def runs_page(limit: int = 30) -> Response:
        limit = max(1, min(limit, 200))  # before the cache key: a few hundred keys at most

        def make() -> str:
            runs = archive.store.run_history(limit)
            failed = archive.store.failed_outcomes([int(r["id"]) for r in runs])
            view = RunsView(tuple(run_view(r, failed.get(int(r["id"]), [])) for r in runs))
            return render("runs.html", RUNS_PATH, chrome, view=view)
        return html(f"{RUNS_PATH}?limit={limit}", make)

    @app.get("/docs", include_in_schema=False)
    async def docs() -> Response:
        if swagger is None:
            return RedirectResponse("/openapi.json")
        page = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>dailypapers API</title>"
                "<link rel=\"stylesheet\" href=\"swagger/swagger-ui.css\"></head><body><div id=\"swagger-ui\"></div>"
                "<script src=\"swagger/swagger-ui-bundle.js\"></script><script src=\"static/docs.js\"></script>"
                "</body></html>")
        return HTMLResponse(page)

    # -- the JSON API ------------------------------------------------------------------------------------------
    @app.get("/api/editions", response_model=list[EditionInfo], tags=["editions"])
    async def api_editions() -> list[EditionInfo]:
        """Every stored edition (day, source, language), oldest first, with its paper count."""
        updated = archive.store.editions_updated()
        return [EditionInfo(day=e.day, source=e.source, lang=e.lang, papers=n, updated_at=updated.get(e),
                            html=edition_path(e)) for e, n in archive.store.editions()]

    @app.get("/api/editions/{day}", response_model=list[Digest], tags=["editions"])
    async def api_day(day: str, source: str | None = None, lang: str | None = None) -> list[Digest]:
        """The editions of a day (YYYY-MM-DD) with their entries, papers and checked summaries."""
        when = _day(day)
        found = [e for e, _ in archive.store.editions(when)
                 if (source is None or e.source == source) and (lang is None or e.lang == lang)]
        if not found:
            raise HTTPException(404, f"no edition on {when}")
        return [d for d in (archive.store.get_digest(e) for e in found) if d is not None]

    @app.get("/api/papers/{paper_id:path}/related", response_model=list[SearchResult], tags=["papers"])
    async def api_related(paper_id: str, limit: int = Query(RELATED, ge=1, le=MAX_LIMIT)) -> Response:
        """The papers nearest in meaning to a paper (by their embeddings), best first; `score` is the cosine."""
        try:
            hits = related_papers(archive.store, embedder, paper_id, limit=limit, lang=archive.main[1])
        except NotFoundError as exc:
            raise HTTPException(404, str(exc)) from None
        except InputError as exc:
            raise HTTPException(400, str(exc)) from None
        return JSONResponse([{**h.to_json(), "html": paper_path(h.paper_id)} for h in hits])

    @app.get("/api/papers/{paper_id:path}", response_model=PaperInfo, tags=["papers"])
    async def api_paper(paper_id: str) -> PaperInfo:
        """A paper (arXiv id such as 2505.02707, or local:<hex>) and every edition that lists it."""
        paper, shown = _paper(paper_id)
        chosen = archive.store.paper_choices(paper.id)
        newer = archive.store.newer_versions(paper.id).get(paper.id, [])
        return PaperInfo(paper=paper, html=paper_path(paper.id), vote=archive.store.vote_of(paper.id),  # type: ignore[arg-type]
                         editions=[PaperInEdition(edition=e, summary=s, upvotes=v,
                                                  interest_score=chosen[e].score if e in chosen else None,
                                                  chosen_for=list(chosen[e].reasons) if e in chosen else [])
                                   for e, s, v in shown],
                         versions=[NewerVersion(change=c, line=c.line, summary=s) for c, s in newer])

    @app.post("/api/papers/{paper_id:path}/vote", response_model=Vote, tags=["papers"])
    async def api_vote(paper_id: str, request: Request) -> Vote:
        """👍 or 👎 on a paper: part of the interest profile (`rank = "interest"`). The app's only write: it is
        answered to a client on this machine only, for a JSON body sent by the app's own pages."""
        _same_origin_on_loopback(request)
        try:
            vote = Vote.model_validate_json(await request.body())
        except ValueError:
            raise HTTPException(422, 'the body is {"vote": 1, -1 or 0}') from None
        _paper(paper_id)
        with Store(db) as store:  # the app reads through a read-only connection; this one write has its own
            store.set_vote(paper_id, vote.vote)
        return vote

    @app.get("/api/search", response_model=list[SearchResult], tags=["search"])
    async def api_search(
        q: str = Query(..., description="Words to find; Korean, Chinese and Japanese words of any length"),
        limit: int = Query(20, ge=1, le=MAX_LIMIT),
        mode: Literal["words", "meaning", "hybrid"] = Query(
            "hybrid", description="words: every word must occur; meaning: nearest by embedding (any language); "
                                  "hybrid: both fused by reciprocal rank"),
        sort: Literal["newest", "rank"] = Query("newest", description="The order of `words` results"),
        lang: str | None = Query(None, description="Prefer snippets from summaries in this language"),
    ) -> Response:
        """Papers for `q` by words, meaning or both (hybrid, best first), with highlight offsets. Without
        embeddings in the archive, hybrid is words alone and meaning answers 400."""
        try:
            hits = meaning_search(archive.store, embedder, q, mode=mode, limit=limit, lang=lang or archive.main[1],
                                  sort=sort)
        except InputError as exc:
            raise HTTPException(400, str(exc)) from None
        # built as the schema says and sent as is: no second validation of what this function just made
        return JSONResponse([{**h.to_json(), "html": paper_path(h.paper_id)} for h in hits])

    @app.get("/api/runs", response_model=list[RunInfo], tags=["runs"])
    async def api_runs(limit: int = Query(20, ge=1, le=200)) -> list[RunInfo]:
        """Recent runs, newest first: outcomes, failures by stage, LLM use and cost."""
        runs = archive.store.run_history(limit)
        failed = archive.store.failed_outcomes([int(r["id"]) for r in runs])
        out = []
        for r in runs:
            usage = r["usage"]
            out.append(RunInfo(
                id=r["id"], command=r["command"] or "", day=r.get("day"), source=r.get("source"),
                lang=r.get("lang"), started_at=r.get("started_at"), finished_at=r.get("finished_at"),
                counts=r["counts"], failures_by_stage=r["failures_by_stage"], failed=failed.get(r["id"], []),
                calls=usage.calls, input_tokens=usage.input_tokens, output_tokens=usage.output_tokens,
                cost=usage.cost, publish_errors=r["publish_errors"]))
        return out

    return Guard(app, allowed_hosts)


def served_host_names(bound: str, allowed: Sequence[str] = ()) -> frozenset[str] | None:
    """The Host names `serve` answers when bound to `bound`: the bound address itself, this machine's loopback
    names when it is a loopback or wildcard address (with the machine's own names for a wildcard), and the
    `allowed_hosts` setting. None (any name) only when that setting holds "*": a name outside the set is how a
    web page reaches a local server through DNS rebinding."""
    extra = {a.strip().lower().rstrip(".") for a in allowed if a.strip()}
    if "*" in extra:
        return None
    names = set(extra)
    address = bound.strip("[]")
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:  # a host name: itself
        names.add(address.lower())
        return frozenset(names | (LOOPBACK_HOSTS if address.lower() == "localhost" else set()))
    names.add(f"[{ip.compressed}]" if ip.version == 6 else ip.compressed)
    if ip.is_loopback or ip.is_unspecified:
        names |= LOOPBACK_HOSTS
    if ip.is_unspecified:
        names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
    return frozenset(names)


def _hit_view(h: SearchHit) -> dict[str, Any]:
    return {"path": paper_path(h.paper_id), "day": h.day.isoformat() if h.day else "",
            "title": h.title.segments(), "snippet": h.snippet.segments() if h.snippet else None,
            "lang": h.snippet_lang}


def _swagger_dir() -> Path | None:
    """Swagger UI's files, served by the app itself (no CDN): those the fastapi-offline package ships, a Swagger
    UI 5, which reads the OpenAPI 3.1 schema FastAPI writes (swagger-ui-bundle's 4.15 could not)."""
    try:
        folder = resources.files("fastapi_offline") / "static"
    except ModuleNotFoundError:
        return None
    return Path(str(folder)) if (Path(str(folder)) / "swagger-ui-bundle.js").is_file() else None

