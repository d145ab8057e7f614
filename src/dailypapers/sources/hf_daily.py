"""Hugging Face Daily Papers: `GET <hf_api_url>/daily_papers` -> Papers ranked by upvotes.

Fields are read from the nested `paper` object first and the top level second (the API has moved fields
between them over the years); any optional key may be absent or null. Every item is validated on its own:
a field of the wrong type or an impossible vote count is repaired or the item skipped, with a warning, and the
day goes on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from dailypapers.arxiv_id import canonical_id
from dailypapers.config import Settings
from dailypapers.errors import FetchError, InputError, PaperTextError
from dailypapers.hookspecs import hookimpl
from dailypapers.http import Http
from dailypapers.models import Document, Paper
from dailypapers.sources.base import SourceContext
from dailypapers.text import clean_line

PAGE_SIZE = 100  # the API's largest page
MAX_PAGES = 50  # a runaway server must not keep us paging forever
MAX_TITLE = 1_000
MAX_ABSTRACT = 20_000
MAX_VOTES = 2**53  # above this a count is not a count (and SQLite integers end at 2**63)
MAX_AUTHORS = 2_000
VIDEO_EXTENSIONS = (".mp4", ".webm", ".mov")
Warn = Callable[[str], None]


def _text_field(value: Any, cap: int) -> str:
    """A JSON text field as `text.clean_line` makes it, cut to `cap`; "" when it is no string. A JSON answer may
    hold bidi overrides and lone surrogates ("\\ud800"), which SQLite cannot store and no file can be written
    with."""
    return clean_line(value)[:cap] if isinstance(value, str) else ""


def _pick(item: dict[str, Any], paper: dict[str, Any], key: str) -> Any:
    value = paper.get(key)
    return value if value not in (None, "", []) else item.get(key)


def _datetime(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _url(value: Any) -> str | None:
    return value if isinstance(value, str) and value.startswith(("https://", "http://", "/")) else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _votes(value: Any, paper_id: str, warn: Warn) -> int | None:
    """A vote count, or None (unknown) for one no count can be: Infinity, NaN, negative, huge, a string."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int | float) or not (0 <= value < MAX_VOTES):
        warn(f"Hugging Face lists {paper_id} with the vote count {str(value)[:40]!r}; shown without votes")
        return None
    return int(value)


def _item_paper(item: Any, day: dt.date | None, warn: Warn) -> Paper | None:
    if not isinstance(item, dict):
        return None
    paper = item.get("paper") if isinstance(item.get("paper"), dict) else {}
    raw_id = _pick(item, paper, "id")
    if not isinstance(raw_id, str):
        return None
    try:
        paper_id, _ = canonical_id(raw_id)
    except InputError:  # not an arXiv id: nothing we could link or download
        return None
    title = _text_field(_pick(item, paper, "title"), MAX_TITLE)
    if not title:
        return None
    authors = tuple(
        name
        for a in _list(paper.get("authors") or item.get("authors"))[:MAX_AUTHORS]
        if isinstance(a, dict) and not a.get("hidden") and (name := _text_field(a.get("name"), 300))
    )
    media = [m for m in _list(_pick(item, paper, "mediaUrls")) if isinstance(m, str)]
    video = next((m for m in media if m.lower().split("?")[0].endswith(VIDEO_EXTENSIONS) and _url(m)), None)
    links = {}
    if github := _url(_pick(item, paper, "githubRepo")):
        links["github"] = github
    if project := _url(_pick(item, paper, "projectPage")):
        links["project"] = project
    listed = day
    if listed is None and (submitted := _datetime(_pick(item, paper, "submittedOnDailyAt"))):
        listed = submitted.date()
    return Paper(
        id=paper_id,
        title=title,
        authors=authors,
        upvotes=_votes(_pick(item, paper, "upvotes"), paper_id, warn),
        thumbnail=_url(item.get("thumbnail") or paper.get("thumbnail")),
        video=video,
        day=listed,
        # paper.publishedAt is the arXiv date; the top-level one is HF's (and shifted), so only as a fallback
        published=_datetime(paper.get("publishedAt")) or _datetime(item.get("publishedAt")),
        abstract=_text_field(_pick(item, paper, "summary"), MAX_ABSTRACT),
        links=links,
    )


def _rank(papers: dict[str, Paper]) -> list[Paper]:
    return sorted(papers.values(), key=lambda p: (-(p.upvotes or 0), p.id))


def _ignore(message: str) -> None:
    return None


def _merge(into: dict[str, Paper], data: Any, day: dt.date | None, warn: Warn) -> int:
    """Add the page's papers (first occurrence wins); returns how many items the page had."""
    if not isinstance(data, list):
        raise FetchError("the HF daily papers API did not return a list; is hf_api_url right?")
    for n, item in enumerate(data):
        try:
            paper = _item_paper(item, day, warn)
        except Exception as exc:  # one malformed item is skipped, never the day
            warn(f"skipped item {n} of the Hugging Face answer: {type(exc).__name__}: {str(exc)[:200]}")
            continue
        if paper is not None:
            into.setdefault(paper.id, paper)
    return len(data)


def parse_daily(data: Any, *, day: dt.date | None = None, warn: Warn = _ignore) -> list[Paper]:
    """Papers in one daily_papers response: deduplicated by id, most upvotes first, ties by id."""
    papers: dict[str, Paper] = {}
    _merge(papers, data, day, warn)
    return _rank(papers)


async def fetch_day(http: Http, settings: Settings, day: dt.date | None, warn: Warn = _ignore) -> list[Paper]:
    """All papers of one day (None: the most recent day), every page. [] means no papers that day."""
    url = settings.hf_api_url.rstrip("/") + "/daily_papers"
    papers: dict[str, Paper] = {}
    for page in range(MAX_PAGES):
        params: dict[str, str | int] = {"p": page, "limit": PAGE_SIZE}
        if day is not None:
            params["date"] = day.isoformat()
        try:
            data = await http.get_json(url, params)
        except FetchError as exc:
            if exc.status == 404:
                break
            if exc.status == 400:
                raise InputError(f"bad date {day}: the HF API refused it (HTTP 400)") from None
            raise
        if _merge(papers, data, day, warn) < PAGE_SIZE:
            break
    return _rank(papers)


class HfDailySource:
    """`--source hf` (the default): the day's Hugging Face Daily Papers. Their documents come from arXiv."""

    name = "hf"
    description = "Hugging Face Daily Papers of a day, ranked by votes (--source hf)"

    def accepts(self, spec: str) -> bool:
        return spec == "hf"

    def edition(self, spec: str) -> str:
        return "hf"

    async def list_papers(
        self, spec: str, day: dt.date | None, limit: int | None, ctx: SourceContext
    ) -> list[Paper]:
        return await fetch_day(ctx.http, ctx.settings, day, ctx.warn)

    def reads(self, paper: Paper) -> bool:
        return False

    async def fetch_document(self, paper: Paper, ctx: SourceContext) -> Document:
        raise PaperTextError("Hugging Face serves no full texts")


@hookimpl
def register_sources(register: Callable[[object], None]) -> None:
    register(HfDailySource())
