"""The static site: every edition, paper and month of the archive as HTML, Atom feeds, a Pagefind search index,
and optionally the latest edition as a README in the digest format. A run updates it through the `site`
publisher plug-in (`publish.site_publisher`), and the `dailypapers site` command builds it from the archive.

The build reads the archive only (`Store(..., readonly=True)`), renders every file in memory and writes the
ones whose bytes changed: a rebuild after one new day rewrites that day's pages, the pages that link to it
(home, the previous edition, its month, the feed, papers it shows again) and the search index files that
changed. Files it wrote before and no longer makes are removed; files it never wrote (a CNAME, a README kept
by hand) are left alone. What it owns is listed in `.dailypapers-site.json` with each file's hash.

    site/
      index.html                        the main stream's latest edition, and the other streams
      editions/<source>/<lang>/<day>.html  (and .md, the digest format)
      editions/<source>/<lang>/<YYYY-Www | YYYY-MM>.html  weekly and monthly editions (and .md)
      feeds/<source>/<lang>/weekly.atom, monthly.atom
      papers/<id>.html                  every summary of the paper, in every language
      archive/index.html, archive/<YYYY-MM>.html
      tags/<arXiv category>.html        the newest papers of a category, as cards
      feeds/<source>/<lang>.atom        an entry per edition
      feeds/<source>/<lang>/papers.atom an entry per paper
      tags/<arXiv category>.atom        an entry per paper of the tag
      search.html, pagefind/            search without a server
      static/                           style.css, search.js
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import hashlib
import json
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from markupsafe import escape

from dailypapers import digestformat
from dailypapers.config import Settings
from dailypapers.errors import PublishError
from dailypapers.meaning import RELATED
from dailypapers.models import Digest, Edition, Outcome, Paper, PeriodDigest, Span, Summary, Synthesis, VersionChange
from dailypapers.publish import readme as readme_file
from dailypapers.publish.feeds import atom_feed, feed_links, papers_feed, period_feed, tag_feed
from dailypapers.publish.files import StagedFiles
from dailypapers.publish.pages import Chrome, FeedLink, render
from dailypapers.publish.views import (
    ARCHIVE_PATH,
    FEED_ENTRIES,
    HOME_PATH,
    SEARCH_PATH,
    ArchiveView,
    EditionView,
    HomeView,
    PaperPageView,
    PeriodRef,
    PeriodView,
    RelatedRef,
    edition_index,
    edition_synthesis,
    edition_view,
    feed_path,
    main_stream,
    month_views,
    paper_items,
    paper_page_view,
    papers_feed_path,
    period_feed_path,
    period_view,
    streams,
    tag_views,
)
from dailypapers.search import expand_cjk
from dailypapers.store import Store
from dailypapers.synthesis import content_key

MANIFEST = ".dailypapers-site.json"
STATIC_FILES = ("style.css", "search.js")
SEARCH_DIR = "pagefind"
SENTINEL = "\u2042"  # static/search.js: a record's readable text ends here, its CJK suffixes follow


@dataclass(frozen=True)
class SiteReport:
    out_dir: Path
    written: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: int = 0
    editions: int = 0
    papers: int = 0
    readme: Path | None = None

    @property
    def index(self) -> Path:
        return self.out_dir / HOME_PATH


@dataclass
class _Archive:
    """Everything the pages need, read from the archive once."""

    editions: list[tuple[Edition, int]]
    digests: dict[Edition, Digest]
    updated: dict[Edition, dt.datetime | None]
    outcomes: dict[Edition, dict[str, Outcome]] = field(default_factory=dict)
    periods: list[PeriodDigest] = field(default_factory=list)  # weekly and monthly editions, oldest first
    periods_updated: dict[tuple[Span, str, str], dt.datetime | None] = field(default_factory=dict)
    syntheses: dict[str, Synthesis] = field(default_factory=dict)  # the stored ones of these editions, by key
    chosen: dict[Edition, dict[str, tuple[str, ...]]] = field(default_factory=dict)  # interest-ranked: reasons


def _read(store: Store) -> _Archive:
    editions = store.editions()
    digests: dict[Edition, Digest] = {}
    outcomes: dict[Edition, dict[str, Outcome]] = {}
    for edition, _ in editions:
        digest = store.get_digest(edition)
        if digest is None:
            continue
        digests[edition] = digest
        if any(e.summary is None for e in digest.entries):  # only then does a page say why
            outcomes[edition] = store.latest_outcomes(edition)
    periods = [p for p in (store.get_period(span, source, lang) for span, source, lang, _ in store.periods())
               if p is not None]
    keys = [content_key(d.entries, d.lang) for d in digests.values()] + [content_key(p.entries, p.lang)
                                                                         for p in periods]
    syntheses = {k: s for k in keys if (s := store.get_synthesis(k)) is not None}
    chosen = {e: {pid: c.reasons for pid, c in found.items()} for e in digests if (found := store.choices(e))}
    return _Archive(editions, digests, store.editions_updated(), outcomes, periods, store.periods_updated(),
                    syntheses, chosen)


def site_files(archive: _Archive, pages: Sequence[PaperPageView], *, chrome: Chrome, main: tuple[str, str]
               ) -> dict[str, bytes]:
    """Every page, feed and asset of the site (search index aside), by path; `pages` are the archive's
    `paper_pages`. Pure."""
    files: dict[str, bytes] = {}
    all_streams = streams(archive.editions)
    index = edition_index(archive.editions)
    all_feeds = feed_links(*(s.key for s in all_streams))
    views: dict[Edition, EditionView] = {}
    for edition, digest in archive.digests.items():
        view = edition_view(digest, index=index, outcomes=archive.outcomes.get(edition),
                            updated=archive.updated.get(edition),
                            made=edition_synthesis(digest.entries, digest.lang, archive.syntheses.get),
                            chosen=archive.chosen.get(edition))
        views[edition] = view
        files[view.path] = _page("edition.html", view.path, chrome, feed_links((edition.source, edition.lang)),
                                 view=view)
        files[view.ref.markdown_path] = digestformat.render(digest).encode()

    chosen = main_stream(all_streams, *main)
    home = HomeView(main=views.get(chosen.latest.edition) if chosen else None, streams=all_streams)
    files[HOME_PATH] = _page("home.html", HOME_PATH, chrome, all_feeds, view=home)

    for key, refs in index.streams.items():
        newest = [views[r.edition] for r in reversed(refs) if r.edition in views]
        files[feed_path(*key)] = atom_feed(key[0], key[1], newest[:FEED_ENTRIES], chrome)
        files[papers_feed_path(*key)] = papers_feed(key[0], key[1], paper_items(newest), chrome)

    for page in pages:
        files[page.path] = _page("paper.html", page.path, chrome, (), view=page)

    refs = [PeriodRef(p.span, p.source, p.lang, len(p.entries)) for p in archive.periods]
    period_pages: dict[tuple[str, str, str], list[PeriodView]] = {}
    for p in archive.periods:
        view = period_view(p, refs=refs, updated=archive.periods_updated.get((p.span, p.source, p.lang)),
                           made=edition_synthesis(p.entries, p.lang, archive.syntheses.get))
        period_pages.setdefault((p.span.period, p.source, p.lang), []).append(view)
        feed = (FeedLink(f"{view.ref.source_name} · {view.ref.lang_name} · {p.span.period}ly", view.ref.feed),)
        files[view.path] = _page("period.html", view.path, chrome, feed, view=view)
        files[view.ref.markdown_path] = digestformat.render_period(p).encode()
    for (period, source, lang), pviews in period_pages.items():
        newest = sorted(pviews, key=lambda v: v.ref.span.start, reverse=True)[:FEED_ENTRIES]
        files[period_feed_path(period, source, lang)] = period_feed(period, source, lang, newest, chrome)

    months = month_views(views.values())  # newest first
    files[ARCHIVE_PATH] = _page("archive.html", ARCHIVE_PATH, chrome, all_feeds,
                                view=ArchiveView(months, all_streams,
                                                 tuple(sorted(refs, key=lambda r: r.span.start, reverse=True))))
    for i, month in enumerate(months):
        files[month.path] = _page("month.html", month.path, chrome, (), view=month,
                                  previous=months[i + 1] if i + 1 < len(months) else None,
                                  next=months[i - 1] if i > 0 else None)
    for tag in tag_views(views.values()):
        files[tag.path] = _page("tag.html", tag.path, chrome, (FeedLink(f"{tag.tag} papers", tag.feed),), view=tag)
        files[tag.feed] = tag_feed(tag.tag, tag.items, chrome)
    files[SEARCH_PATH] = _page("search.html", SEARCH_PATH, chrome, all_feeds)
    static = resources.files("dailypapers") / "templates" / "static"
    for name in STATIC_FILES:
        files[f"static/{name}"] = (static / name).read_bytes()
    return files


def _page(template: str, path: str, chrome: Chrome, feeds: tuple[FeedLink, ...], **context: object) -> bytes:
    return render(template, path, chrome, feeds=feeds, **context).encode()


def paper_pages(digests: dict[Edition, Digest],
                related: Callable[[str], list[RelatedRef]] = lambda paper_id: [],
                newer: Mapping[str, list[tuple[VersionChange, Summary | None]]] | None = None) -> list[PaperPageView]:
    """One page per paper of any edition: its newest record, the summary each edition shows, its related
    papers (`related`) and its newer arXiv versions (`newer`: `Store.newer_versions`)."""
    shown: dict[str, list[tuple[Edition, Summary | None, int | None]]] = {}
    papers: dict[str, tuple[dt.date, Paper]] = {}
    for edition, digest in digests.items():
        for entry in digest.entries:
            shown.setdefault(entry.paper.id, []).append((edition, entry.summary, entry.paper.upvotes))
            if entry.paper.id not in papers or papers[entry.paper.id][0] < edition.day:
                papers[entry.paper.id] = (edition.day, entry.paper)
    newer = newer or {}
    return [paper_page_view(papers[pid][1], appearances, related(pid), newer.get(pid, ()))
            for pid, appearances in shown.items()]


def related_papers(store: Store, model: str, limit: int = RELATED) -> Callable[[str], list[RelatedRef]]:
    """A paper's nearest papers by the stored vectors of `model` (none for a paper without one)."""
    def related(paper_id: str) -> list[RelatedRef]:
        vector = store.paper_vector(model, paper_id)
        if vector is None:
            return []
        near = store.nearest(model, vector, limit=limit, exclude=[paper_id])
        docs = store.search_docs([pid for pid, _ in near])
        return [RelatedRef(pid, docs[pid].title, score) for pid, score in near if pid in docs]
    return related


# -- search: Pagefind records, one per paper page --------------------------------------------------------------
def search_records(pages: Iterable[PaperPageView]) -> dict[str, str]:
    """What Pagefind indexes for each paper, as a small HTML file at the paper page's path: its readable text,
    then (after SENTINEL) the CJK suffixes that make its prefix matching find words inside Korean compounds
    (see `dailypapers.search`). The pages themselves carry tooltips and navigation that search should not see."""
    records = {}
    for page in sorted(pages, key=lambda p: p.path):
        p = page.paper
        texts = []  # the summaries first: the result's excerpt comes from the first match
        for a in page.appearances:
            if a.summary is not None:
                texts.extend(s.text for s in a.summary.sections)
        texts += [p.abstract, p.title, ", ".join(p.authors)]
        readable = "\n".join(t for t in texts if t)
        day = p.day.isoformat() if p.day else ""
        records[page.path] = (
            f'<!doctype html><html lang="en"><body data-pagefind-body data-pagefind-meta="day:{escape(day)}">'
            f'<h1 data-pagefind-meta="title">{escape(p.title)}</h1><p>{escape(readable)}</p>'
            f"<p>{SENTINEL} {escape(expand_cjk(readable))}</p></body></html>"
        )
    return records


async def _pagefind(records: dict[str, str]) -> dict[str, bytes]:
    """Pagefind's bundle for these records, by path under `pagefind/`, from its binary (the pagefind-bin
    package). `build_site` runs it on an event loop of its own in a worker thread, so a build works inside a
    caller's event loop too."""
    from pagefind.index import IndexConfig, PagefindIndex

    with tempfile.TemporaryDirectory(prefix="dailypapers-pagefind-") as tmp:
        site = Path(tmp) / "site"
        for path, html in records.items():
            target = site / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(html, encoding="utf-8")
        out = Path(tmp) / SEARCH_DIR
        # One language for every record: Pagefind searches the index of one language. The records go in as one
        # folder: the Python API answers each request after a 0.1 s poll, so a request per record would crawl.
        config = IndexConfig(output_path=str(out), force_language="en", keep_index_url=True)
        try:
            async with PagefindIndex(config=config) as index:
                await index.add_directory(str(site))
        except FileNotFoundError as exc:
            raise PublishError(f"the search index needs Pagefind's binary ({exc}): pip install 'pagefind[bin]', "
                               "or build without search (--no-search)") from None
        return {f"{SEARCH_DIR}/{p.relative_to(out).as_posix()}": p.read_bytes()
                for p in sorted(out.rglob("*")) if p.is_file()}


# -- writing: only what changed ------------------------------------------------------------------------------
def read_manifest(out_dir: Path) -> dict[str, object]:
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return data if isinstance(data, dict) and isinstance(data.get("files"), dict) else {}


def sync(out_dir: Path, files: dict[str, bytes], *, keep: frozenset[str] = frozenset(), search: str = ""
         ) -> tuple[list[str], list[str], int]:
    """Write the files whose bytes differ from what the manifest says was written; remove the files this
    site wrote before and no longer makes; `keep` are files of the last build left as they are (the search
    index, when its input did not change). Returns (written, removed, unchanged)."""
    manifest = read_manifest(out_dir)
    before: dict[str, str] = manifest.get("files", {})  # type: ignore[assignment]
    after = {path: hashlib.sha256(data).hexdigest() for path, data in files.items()}
    after.update({path: before[path] for path in keep if path in before})
    written = [path for path in files if before.get(path) != after[path] or not (out_dir / path).is_file()]
    unchanged = len(keep) + len(files) - len(written)
    # Every new file and the manifest are written first, beside their targets; only when all of them are on
    # disk do they go into place (renames need no room), then the files of the last build that are not made
    # any more go, and the manifest last. A disk that fills up before that leaves the previous site whole.
    pages, listing = StagedFiles(), StagedFiles(one_by_one=True)
    try:
        for path in written:
            pages.add(out_dir / path, files[path])
        listing.add(out_dir / MANIFEST, json.dumps({"files": after, "search": search}, indent=0, sort_keys=True)
                    + "\n")
    except OSError as exc:
        pages.discard()
        listing.discard()
        raise PublishError(f"cannot write the site in {out_dir}: {exc.strerror or exc}; the site there is "
                           "unchanged") from None
    removed: list[str] = []
    try:
        pages.commit()
        for path in sorted(set(before) - set(after)):
            target = out_dir / path
            if target.is_file():
                target.unlink()
                removed.append(path)
        listing.commit()
    except OSError as exc:
        listing.discard()
        raise PublishError(f"cannot write the site in {out_dir}: {exc.strerror or exc}") from None
    return written, removed, unchanged


def build_site(
    store: Store,
    out_dir: Path,
    *,
    base_url: str | None = None,
    main: tuple[str, str] = ("hf", "ko"),
    readme: Path | None = None,
    search: bool = True,
    show_flags: bool = True,
    embedding_model: str | None = None,
) -> SiteReport:
    """Build (or bring up to date) the site of the archive in `out_dir`. `main` is the (source, lang) stream the
    home page shows when the archive has it; `embedding_model` the vectors paper pages find related papers by."""
    archive = _read(store)
    chrome = Chrome(live=False, base_url=base_url.rstrip("/") if base_url else None)
    pages = paper_pages(archive.digests, related_papers(store, embedding_model) if embedding_model else
                        lambda paper_id: [], store.newer_versions())
    keep: frozenset[str] = frozenset()
    search_key = ""
    index: concurrent.futures.Future[dict[str, bytes]] | None = None
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        if search:
            records = search_records(pages)
            search_key = hashlib.sha256(json.dumps(records, sort_keys=True).encode()).hexdigest()
            manifest = read_manifest(out_dir)
            last = [p for p in manifest.get("files", {}) if p.startswith(f"{SEARCH_DIR}/")]  # type: ignore[union-attr]
            if manifest.get("search") == search_key and last and all((out_dir / p).is_file() for p in last):
                keep = frozenset(last)  # the same records give the same index: Pagefind need not run
            else:  # Pagefind runs (its own process, its own event loop) while the pages render
                index = pool.submit(asyncio.run, _pagefind(records))
        files = site_files(archive, pages, chrome=chrome, main=main)
        if index is not None:
            files.update(index.result())
    written, removed, unchanged = sync(out_dir, files, keep=keep, search=search_key)
    readme_written = None
    if readme is not None:
        chosen = main_stream(streams(archive.editions), *main)
        if chosen is not None and readme_file.write(readme, archive.digests[chosen.latest.edition],
                                                    show_flags=show_flags):
            readme_written = readme
    return SiteReport(out_dir, tuple(written), tuple(removed), unchanged, len(archive.digests), len(pages),
                      readme_written)


def build_from_settings(settings: Settings, out_dir: Path | None = None, *, base_url: str | None = None,
                        readme: Path | None = None, search: bool | None = None,
                        main: tuple[str, str] | None = None, embedding_model: str | None = None) -> SiteReport:
    with Store.of(settings, readonly=True) as store:
        return build_site(
            store, out_dir or settings.site_dir, base_url=base_url or settings.site_url,
            main=main or (settings.source, settings.lang), readme=readme,
            search=settings.site_search if search is None else search, show_flags=settings.show_flags,
            embedding_model=embedding_model,
        )
