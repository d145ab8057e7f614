"""Atom feeds (feedgen): one per edition stream (a source and a language), an entry per edition, newest first;
and feeds of papers, an entry per paper (a stream's `feeds/<source>/<lang>/papers.atom`, a tag's
`tags/<tag>.atom`), each paper once from the newest edition that lists it, the newest PAPER_FEED_ENTRIES.

Entry ids are URNs of the edition, so they stay the same wherever the site is hosted; links are absolute
with a base URL, else relative to the feed file (`../../editions/...`), which Atom resolves against the
feed's own address. Nothing in a feed depends on the time it was written: `updated` is when the archive last
changed the edition, so an unchanged stream gives the same bytes and an incremental build leaves it alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from urllib.parse import quote

from feedgen.feed import FeedGenerator

from dailypapers import __version__
from dailypapers.publish.pages import Chrome, FeedLink, counted, render_fragment
from dailypapers.publish.views import (
    SITE_TITLE,
    EditionView,
    PaperItem,
    PeriodView,
    edition_path,
    feed_path,
    lang_name,
    papers_feed_path,
    period_feed_path,
    root_of,
    source_name,
    tag_feed_path,
)


def edition_urn(view: EditionView) -> str:
    e = view.edition
    return f"urn:dailypapers:edition:{quote(e.source, safe='')}:{quote(e.lang, safe='')}:{e.day.isoformat()}"


def stream_urn(source: str, lang: str) -> str:
    return f"urn:dailypapers:feed:{quote(source, safe='')}:{quote(lang, safe='')}"


def _when(view: EditionView) -> dt.datetime:
    if view.updated is not None:
        return view.updated if view.updated.tzinfo else view.updated.replace(tzinfo=dt.UTC)
    return dt.datetime.combine(view.edition.day, dt.time(), dt.UTC)


def feed_title(source: str, lang: str) -> str:
    return f"{SITE_TITLE} · {source_name(source)} · {lang_name(lang)}"


def feed_links(*streams: tuple[str, str]) -> tuple[FeedLink, ...]:
    """The feeds of these (source, lang) streams, as a page's head and header link them."""
    return tuple(FeedLink(feed_title(source, lang), feed_path(source, lang)) for source, lang in streams)


def atom_feed(source: str, lang: str, editions: Sequence[EditionView], chrome: Chrome) -> bytes:
    """The stream's feed from its editions (newest first; the caller keeps the most recent few)."""
    path = feed_path(source, lang)
    root = f"{chrome.base_url}/" if chrome.base_url else root_of(path)
    fg = FeedGenerator()
    fg.id(stream_urn(source, lang))
    fg.title(feed_title(source, lang))
    fg.author({"name": "dailypapers"})
    fg.generator("dailypapers", __version__)
    fg.language(lang)
    fg.link(href=chrome.absolute(path) or path.rsplit("/", 1)[-1], rel="self", type="application/atom+xml")
    fg.link(href=root + (editions[0].path if editions else "index.html"), rel="alternate", type="text/html")
    fg.updated(max((_when(v) for v in editions), default=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
    for view in editions:
        entry = fg.add_entry(order="append")
        entry.id(edition_urn(view))
        entry.title(f"{view.ref.title} · {counted(len(view.entries), 'paper')}")
        entry.link(href=root + view.path, rel="alternate", type="text/html")
        entry.published(dt.datetime.combine(view.edition.day, dt.time(), dt.UTC))
        entry.updated(_when(view))
        entry.content(render_fragment("feed_entry.html", root, view=view), type="html")
    return fg.atom_str(pretty=True)


def paper_urn(item: PaperItem) -> str:
    """A paper's entry id: the paper and the language of its summary, the same in every feed and rebuild (a
    reader that saw it in the stream's feed knows it in a tag's)."""
    return f"urn:dailypapers:paper:{quote(item.entry.paper.id, safe='')}:{quote(item.edition.lang, safe='')}"


def _item_when(item: PaperItem) -> dt.datetime:
    if item.updated is not None:
        return item.updated if item.updated.tzinfo else item.updated.replace(tzinfo=dt.UTC)
    return dt.datetime.combine(item.edition.day, dt.time(), dt.UTC)


def papers_feed(source: str, lang: str, items: Sequence[PaperItem], chrome: Chrome) -> bytes:
    """The stream's feed of papers (`views.paper_items` of its editions)."""
    return _paper_feed(papers_feed_path(source, lang), f"urn:dailypapers:papers:{quote(source, safe='')}:"
                       f"{quote(lang, safe='')}", f"{feed_title(source, lang)} · papers", items, chrome, lang)


def tag_feed(tag: str, items: Sequence[PaperItem], chrome: Chrome) -> bytes:
    """A tag's feed of papers: the papers of its page."""
    return _paper_feed(tag_feed_path(tag), f"urn:dailypapers:tag:{quote(tag, safe='')}",
                       f"{SITE_TITLE} · {tag}", items, chrome, None)


def _paper_feed(path: str, urn: str, title: str, items: Sequence[PaperItem], chrome: Chrome,
                lang: str | None) -> bytes:
    root = f"{chrome.base_url}/" if chrome.base_url else root_of(path)
    fg = FeedGenerator()
    fg.id(urn)
    fg.title(title)
    fg.author({"name": "dailypapers"})
    fg.generator("dailypapers", __version__)
    if lang:
        fg.language(lang)
    fg.link(href=chrome.absolute(path) or path.rsplit("/", 1)[-1], rel="self", type="application/atom+xml")
    fg.link(href=root + "index.html", rel="alternate", type="text/html")
    fg.updated(max((_item_when(i) for i in items), default=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
    for item in items:
        e = item.entry
        entry = fg.add_entry(order="append")
        entry.id(paper_urn(item))
        entry.title(e.paper.title or e.paper.id)
        for name in e.paper.authors[:50]:
            entry.author({"name": name})
        # one link: feedgen writes an entry link without its rel (every one is then an alternate, and Atom allows
        # one alternate per type); arXiv and the others are links of the content
        entry.link(href=root + e.paper.path, rel="alternate", type="text/html")
        entry.published(dt.datetime.combine(item.edition.day, dt.time(), dt.UTC))
        entry.updated(_item_when(item))
        if e.summary is not None and e.summary.line:
            entry.summary(e.summary.line)
        for t in e.paper.tags:
            entry.category(term=t)
        entry.content(render_fragment("feed_paper.html", root, item=item,
                                      edition_path=edition_path(item.edition)), type="html")
    return fg.atom_str(pretty=True)


def period_feed(period: str, source: str, lang: str, views: Sequence[PeriodView], chrome: Chrome) -> bytes:
    """The stream's feed of weekly (or monthly) editions, newest first: an entry per edition, as a day's."""
    path = period_feed_path(period, source, lang)
    root = f"{chrome.base_url}/" if chrome.base_url else root_of(path)
    kind = "weekly" if period == "week" else "monthly"
    fg = FeedGenerator()
    fg.id(f"urn:dailypapers:feed:{quote(source, safe='')}:{quote(lang, safe='')}:{kind}")
    fg.title(f"{feed_title(source, lang)} · {kind}")
    fg.author({"name": "dailypapers"})
    fg.generator("dailypapers", __version__)
    fg.language(lang)
    fg.link(href=chrome.absolute(path) or path.rsplit("/", 1)[-1], rel="self", type="application/atom+xml")
    fg.link(href=root + (views[0].path if views else "index.html"), rel="alternate", type="text/html")

    def when(view: PeriodView) -> dt.datetime:
        if view.updated is not None:
            return view.updated if view.updated.tzinfo else view.updated.replace(tzinfo=dt.UTC)
        return dt.datetime.combine(view.ref.span.end, dt.time(), dt.UTC)

    fg.updated(max((when(v) for v in views), default=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
    for view in views:
        entry = fg.add_entry(order="append")
        entry.id(f"urn:dailypapers:period:{quote(source, safe='')}:{quote(lang, safe='')}:{view.ref.span.label}")
        entry.title(f"{view.ref.title} · {counted(len(view.entries), 'paper')}")
        entry.link(href=root + view.path, rel="alternate", type="text/html")
        entry.published(dt.datetime.combine(view.ref.span.end, dt.time(), dt.UTC))
        entry.updated(when(view))
        entry.content(render_fragment("feed_entry.html", root, view=view), type="html")
    return fg.atom_str(pretty=True)
