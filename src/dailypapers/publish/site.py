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
      search.html, pagefind/<YYYY-MM>/  search without a server: a Pagefind bundle per month of papers
      pagefind/parts.json               the bundles, newest first (static/search.js merges them)
      static/                           style.css, search.js
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import hashlib
import json
import os
import queue
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

import jinja2
from markupsafe import escape

from dailypapers import __version__, digestformat
from dailypapers.codehash import PACKAGE, package_hash
from dailypapers.config import Settings
from dailypapers.errors import PublishError
from dailypapers.meaning import RELATED
from dailypapers.models import Digest, Edition, Entry, Outcome, Paper, PeriodDigest, Span, Summary, Synthesis
from dailypapers.publish import readme as readme_file
from dailypapers.publish.feeds import atom_feed, feed_links, papers_feed, period_feed, tag_feed
from dailypapers.publish.files import StagedFiles, sync_all
from dailypapers.publish.pages import Chrome, FeedLink, render
from dailypapers.publish.views import (
    ARCHIVE_PATH,
    FEED_ENTRIES,
    HOME_PATH,
    PAPER_FEED_ENTRIES,
    SEARCH_PATH,
    TAG_PAGE_PAPERS,
    ArchiveView,
    EditionView,
    HomeView,
    PaperItem,
    PaperPageView,
    PeriodRef,
    PeriodView,
    RelatedRef,
    TagView,
    count_tags,
    edition_index,
    edition_path,
    edition_synthesis,
    edition_view,
    feed_path,
    link_tags,
    main_stream,
    month_index,
    month_views,
    paper_items,
    paper_page_view,
    paper_path,
    papers_feed_path,
    period_feed_path,
    period_neighbours,
    period_path,
    period_view,
    streams,
    tag_feed_path,
    tag_path,
    tag_view,
)
from dailypapers.search import expand_cjk
from dailypapers.store import Neighbours, Store
from dailypapers.synthesis import content_key

MANIFEST = ".dailypapers-site.json"
STATIC_FILES = ("style.css", "search.js")
SEARCH_DIR = "pagefind"
SEARCH_PARTS = f"{SEARCH_DIR}/parts.json"  # the search index's parts (a Pagefind bundle each), newest first
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
    made: tuple[str, ...] = ()  # the files made this time (written or not); the others were not made again

    @property
    def index(self) -> Path:
        return self.out_dir / HOME_PATH


# -- what a page is made from: keys ---------------------------------------------------------------------------
# Every file of the site has a key: a hash of what it is made from (the archive's rows it shows, in brief, and
# the code and templates that make it). A rebuild makes only the files whose key is not the one the last build
# wrote them with; the others are left as they are, and what they are made from is not even read.
_CODE = ("templates", "publish", "digestformat", "models.py", "synthesis.py", "search.py", "text.py", "arxiv_id.py",
         "meaning.py")  # what makes the pages, under the package


def code_key() -> str:
    """A hash of the code and templates that make the site (and the versions of the libraries that render it):
    any change to them makes every file again."""
    return _key(__version__, jinja2.__version__, metadata.version("feedgen"), package_hash(PACKAGE, _CODE))


def _key(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()


_Shows = tuple[Synthesis | None, dict[str, Outcome] | None, dict[str, tuple[str, ...]] | None]


class _Build:
    """One build: the archive in brief (`Store.edition_prints`, `Store.period_prints`: a few queries), and what
    the pages need, read and made only when a page that needs it is made (memoised)."""

    def __init__(self, store: Store, chrome: Chrome, main: tuple[str, str], memo: Mapping[str, object],
                 related: Callable[[str], list[RelatedRef]]) -> None:
        self.store, self.chrome, self.main = store, chrome, main
        self.code = code_key()  # once a build: it reads the package's files and a library's metadata
        self.site = _key(self.code, chrome, main)  # in every file's key
        self.editions = store.editions()
        self.prints = store.edition_prints()
        self.updated = store.editions_updated()
        self.index = edition_index(self.editions)
        self.streams = streams(self.editions)
        self.feeds = feed_links(*(s.key for s in self.streams))
        self.newer = store.newer_versions()
        self._related = related
        self._memo_in = memo  # what the last build knew of each edition's content: (fingerprint, synthesis key)
        self.memo: dict[str, list[str]] = {}
        self.shown: dict[str, list[Edition]] = {}  # paper id -> the editions that list it, in archive order
        for edition, _ in self.editions:
            for pid, _links in self.prints[edition].papers:
                eds = self.shown.setdefault(pid, [])
                if edition not in eds:
                    eds.append(edition)
        self.paper_paths = {pid: paper_path(pid) for pid in self.shown}
        self.periods = [(span, source, lang, n) for span, source, lang, n in store.periods()]
        self.period_prints = store.period_prints() if self.periods else {}
        self.period_refs = [PeriodRef(span, source, lang, n) for span, source, lang, n in self.periods]
        self.periods_updated = store.periods_updated() if self.periods else {}
        self._digests: dict[Edition, Digest] = {}
        self._periods: dict[tuple[Span, str, str], PeriodDigest] = {}
        self._content: dict[object, tuple[str, str]] = {}  # edition or period -> (content key, synthesis key)
        # edition or period -> what its page shows besides its entries: stored synthesis, outcomes, choices
        self._shows: dict[object, _Shows] = {}
        self._views: dict[Edition, EditionView] = {}
        self._plain: dict[Edition, EditionView] = {}  # without their synthesis
        self._pages: dict[str, PaperPageView] = {}
        self._related_cache: dict[str, list[RelatedRef]] = {}

    # -- editions ----------------------------------------------------------------------------------------------
    def digest(self, edition: Edition) -> Digest:
        if edition not in self._digests:
            digest = self.store.get_digest(edition)
            assert digest is not None, edition  # listed by `editions()` in this same read
            self._digests[edition] = digest
        return self._digests[edition]

    def _synthesis_key(self, name: str, fingerprint: str, entries: Callable[[], tuple[Entry, ...]], lang: str) -> str:
        """The key of the synthesis an edition's content would have (`synthesis.content_key`): remembered from the
        last build while the content is the same (its fingerprint), else made from its entries."""
        seen = _key(self.code, fingerprint)  # the same rows, and the same code to make the key from them
        last = self._memo_in.get(name)
        if isinstance(last, list) and len(last) == 2 and last[0] == seen:
            made = str(last[1])
        else:
            made = content_key(entries(), lang)
        self.memo[name] = [seen, made]
        return made

    def content(self, edition: Edition) -> str:
        """A key of everything the edition's own page shows of it: its rows (the fingerprint), its stored synthesis,
        the runs' outcomes of its papers without a summary, and what interest ranking chose."""
        if edition not in self._content:
            p = self.prints[edition]
            ck = self._synthesis_key(edition_path(edition), p.fingerprint, lambda: self.digest(edition).entries,
                                     edition.lang)
            outcomes = self.store.latest_outcomes(edition) if p.unsummarized else None
            made, chosen = self.store.get_synthesis(ck), self.store.choices(edition)
            self._content[edition] = (_key(p.fingerprint, made, outcomes, chosen), ck)
            self._shows[edition] = (made, outcomes, {pid: c.reasons for pid, c in chosen.items()} or None)
        return self._content[edition][0]

    def _stored(self, key: object) -> Callable[[str], Synthesis | None]:
        """The stored synthesis by its content key, as `content` (`period_content`) read it."""
        ck = self._content[key][1]
        made = self._shows[key][0]
        return lambda k: made if k == ck else self.store.get_synthesis(k)

    def page_key(self, edition: Edition) -> str:
        """The key of the edition's page: its content and the editions it links to."""
        return _key(self.site, "edition", self.content(edition),
                    [(str(r.edition), r.papers) if r else None for r in self.index.neighbours(edition)],
                    [(str(r.edition), r.papers) for r in self.index.others(edition)])

    def view(self, edition: Edition, *, synthesis: bool = True) -> EditionView:
        """The edition's view; without its `synthesis` (which only its page and the home page show, and which
        takes a while to make when none is stored) for a feed or a list of its entries."""
        if edition in self._views:
            return self._views[edition]
        if not synthesis and edition in self._plain:
            return self._plain[edition]
        digest = self.digest(edition)
        self.content(edition)
        _, outcomes, chosen = self._shows[edition]
        made = edition_synthesis(digest.entries, digest.lang, self._stored(edition)) if synthesis else None
        view = edition_view(digest, index=self.index, outcomes=outcomes, updated=self.updated.get(edition),
                            made=made, chosen=chosen)
        (self._views if synthesis else self._plain)[edition] = view
        return view

    def lists(self, editions: Iterable[Edition]) -> list[EditionView]:
        """The editions' views as a feed or a list of their entries shows them (their synthesis aside)."""
        return [self.view(e, synthesis=False) for e in editions]

    # -- papers ------------------------------------------------------------------------------------------------
    def related(self, paper_id: str) -> list[RelatedRef]:
        if paper_id not in self._related_cache:
            self._related_cache[paper_id] = self._related(paper_id)
        return self._related_cache[paper_id]

    def paper_rows(self, paper_id: str) -> list[tuple[str, str]]:
        """What the paper's page and search record are made from: the editions that list it, each in brief."""
        return [(str(e), self.prints[e].fingerprint) for e in self.shown[paper_id]]

    def paper_key(self, paper_id: str) -> str:
        # the related papers as the page shows them: in order, by id and title (not their scores' last digits)
        return _key(self.site, "paper", self.paper_rows(paper_id),
                    [(r.paper_id, r.title) for r in self.related(paper_id)], self.newer.get(paper_id))

    def paper_day(self, paper_id: str) -> dt.date:
        return max(e.day for e in self.shown[paper_id])

    def paper_page(self, paper_id: str) -> PaperPageView:
        """The paper's page: its newest record, the summary each edition shows, related papers, newer versions."""
        if paper_id not in self._pages:
            shown: list[tuple[Edition, Summary | None, int | None]] = []
            newest: tuple[dt.date, Paper] | None = None
            for edition in self.shown[paper_id]:
                for entry in self.digest(edition).entries:
                    if entry.paper.id == paper_id:
                        shown.append((edition, entry.summary, entry.paper.upvotes))
                        if newest is None or newest[0] < edition.day:
                            newest = (edition.day, entry.paper)
            assert newest is not None, paper_id
            self._pages[paper_id] = paper_page_view(newest[1], shown, self.related(paper_id),
                                                    self.newer.get(paper_id, ()))
        return self._pages[paper_id]

    # -- weekly and monthly editions ---------------------------------------------------------------------------
    def period(self, key: tuple[Span, str, str]) -> PeriodDigest:
        if key not in self._periods:
            found = self.store.get_period(*key)
            assert found is not None, key
            self._periods[key] = found
        return self._periods[key]

    def period_content(self, key: tuple[Span, str, str]) -> str:
        if key not in self._content:
            span, source, lang = key
            p = self.period_prints[key]
            ck = self._synthesis_key(period_path(span, source, lang), p.fingerprint,
                                     lambda: self.period(key).entries, lang)
            made = self.store.get_synthesis(ck)
            self._content[key] = (_key(p.fingerprint, made), ck)
            self._shows[key] = (made, None, None)
        return self._content[key][0]

    def period_page_key(self, key: tuple[Span, str, str]) -> str:
        return _key(self.site, "period", self.period_content(key), period_neighbours(self.period_refs, *key))

    def period_view(self, key: tuple[Span, str, str]) -> PeriodView:
        p = self.period(key)
        self.period_content(key)
        return period_view(p, refs=self.period_refs, updated=self.periods_updated.get(key),
                           made=edition_synthesis(p.entries, p.lang, self._stored(key)))


Target = tuple[str, Callable[[], bytes]]  # a file's key, and how to make it


def site_targets(build: _Build) -> dict[str, Target]:
    """Every page, feed and asset of the site (search index aside), by path: its key and how it is made."""
    chrome, site = build.chrome, build.site
    targets: dict[str, Target] = {}

    def page(path: str, key: str, template: str, feeds: Callable[[], tuple[FeedLink, ...]],
             context: Callable[[], dict[str, object]]) -> None:
        targets[path] = (key, lambda: _page(template, path, chrome, feeds(), **context()))

    for edition, _ in build.editions:
        path = edition_path(edition)
        page(path, build.page_key(edition), "edition.html", lambda e=edition: feed_links((e.source, e.lang)),
             lambda e=edition: {"view": build.view(e)})
        targets[edition_path(edition, "md")] = (
            _key(site, "markdown", build.prints[edition].fingerprint),
            lambda e=edition: digestformat.render(build.digest(e)).encode())

    chosen = main_stream(build.streams, *build.main)
    main = chosen.latest.edition if chosen else None
    page(HOME_PATH, _key(site, "home", build.page_key(main) if main else None, build.streams, build.feeds),
         "home.html", lambda: build.feeds,
         lambda: {"view": HomeView(main=build.view(main) if main else None, streams=build.streams)})

    for stream, refs in build.index.streams.items():
        newest = [r.edition for r in reversed(refs)]
        shown = newest[:FEED_ENTRIES]
        targets[feed_path(*stream)] = (
            _key(site, "feed", stream, [(e, build.page_key(e)) for e in shown]),
            lambda s=stream, eds=shown: atom_feed(s[0], s[1], build.lists(eds), chrome))
        listed: set[str] = set()
        walked = []  # the newest editions, until they list as many papers as the feed of papers shows
        for e in newest:
            if len(listed) >= PAPER_FEED_ENTRIES:
                break
            walked.append(e)
            listed.update(pid for pid, _ in build.prints[e].papers)
        targets[papers_feed_path(*stream)] = (
            _key(site, "papers", stream, [(e, build.content(e)) for e in walked]),
            lambda s=stream, eds=walked: papers_feed(s[0], s[1], paper_items(build.lists(eds)), chrome))

    for pid in build.shown:
        page(build.paper_paths[pid], build.paper_key(pid), "paper.html", tuple,
             lambda p=pid: {"view": build.paper_page(p)})

    pages_of: dict[tuple[str, str, str], list[tuple[Span, str]]] = {}
    for span, source, lang, _ in build.periods:
        key = (span, source, lang)
        ref = PeriodRef(span, source, lang)
        feed = (FeedLink(f"{ref.source_name} · {ref.lang_name} · {span.period}ly", ref.feed),)
        page_key = build.period_page_key(key)
        pages_of.setdefault((span.period, source, lang), []).append((span, page_key))
        page(ref.path, page_key, "period.html", lambda f=feed: f, lambda k=key: {"view": build.period_view(k)})
        targets[ref.markdown_path] = (_key(site, "markdown", build.period_prints[key].fingerprint),
                                      lambda k=key: digestformat.render_period(build.period(k)).encode())
    for (period, source, lang), spans in pages_of.items():
        newest_spans = sorted(spans, key=lambda s: s[0].start, reverse=True)[:FEED_ENTRIES]
        targets[period_feed_path(period, source, lang)] = (
            _key(site, "period feed", period, source, lang, newest_spans),
            lambda p=period, s=source, lg=lang, n=newest_spans: period_feed(
                p, s, lg, [build.period_view((span, s, lg)) for span, _ in n], chrome))

    months = month_index(build.editions)  # newest first
    refs = tuple(sorted(build.period_refs, key=lambda r: r.span.start, reverse=True))
    archive = ArchiveView(months, build.streams, refs)
    page(ARCHIVE_PATH, _key(site, "archive", archive, build.feeds), "archive.html", lambda: build.feeds,
         lambda: {"view": archive})
    in_month: dict[tuple[int, int], list[Edition]] = {}
    for edition, _ in build.editions:
        in_month.setdefault((edition.day.year, edition.day.month), []).append(edition)
    for i, month in enumerate(months):
        previous = months[i + 1] if i + 1 < len(months) else None
        following = months[i - 1] if i > 0 else None
        eds = in_month[(month.year, month.month)]
        page(month.path, _key(site, "month", month, previous, following, [(e, build.content(e)) for e in eds]),
             "month.html", tuple,
             lambda eds=eds, p=previous, n=following: {"view": month_views(build.lists(eds))[0],
                                                       "previous": p, "next": n})

    _tag_targets(build, targets, page)
    page(SEARCH_PATH, _key(site, "search"), "search.html", lambda: build.feeds, dict)
    static = resources.files("dailypapers") / "templates" / "static"
    for name in STATIC_FILES:
        targets[f"static/{name}"] = (_key(site, "static", name), lambda n=name: (static / n).read_bytes())
    return targets


def _tag_targets(build: _Build, targets: dict[str, Target], page: Callable[..., None]) -> None:
    """A page and a feed per tag: its newest papers (each from the newest edition that lists it), as
    `views.tag_views` makes them, keyed by the editions they come from."""
    newest: dict[str, tuple[Edition, tuple[str, ...]]] = {}  # paper -> (its newest edition, its tags)
    for edition, _ in sorted(build.editions, key=lambda en: en[0].day, reverse=True):
        for pid, links in build.prints[edition].papers:
            if pid not in newest:
                newest[pid] = (edition, _tags(links))
    by_tag: dict[str, list[tuple[str, Edition]]] = {}
    for pid, (edition, tags) in newest.items():
        for t in tags:
            by_tag.setdefault(t, []).append((pid, edition))
    every = count_tags(tags for _, tags in newest.values() if tags)
    for tag, found in sorted(by_tag.items()):
        kept = found[:TAG_PAGE_PAPERS]
        key = _key(build.site, "tag", tag, every, [(pid, e, build.content(e)) for pid, e in kept])

        def view(tag: str = tag, kept: list[tuple[str, Edition]] = kept) -> TagView:
            items = []
            for pid, e in kept:
                v = build.view(e, synthesis=False)
                items.append(PaperItem(next(x for x in v.entries if x.paper.id == pid), e, v.updated))
            return tag_view(tag, items, every)

        page(tag_path(tag), key, "tag.html", lambda t=tag: (FeedLink(f"{t} papers", tag_feed_path(t)),),
             lambda v=view: {"view": v()})
        targets[tag_feed_path(tag)] = (_key(key, "feed"), lambda t=tag, v=view: tag_feed(t, v().items, build.chrome))


def _tags(links: str) -> tuple[str, ...]:
    try:
        found = json.loads(links)
    except ValueError:
        return ()
    return link_tags(found) if isinstance(found, dict) else ()


def _page(template: str, path: str, chrome: Chrome, feeds: tuple[FeedLink, ...], **context: object) -> bytes:
    return render(template, path, chrome, feeds=feeds, **context).encode()


def related_papers(store: Store, model: str, previous: Neighbours | None = None, limit: int = RELATED
                   ) -> tuple[Neighbours, Callable[[str], list[RelatedRef]]]:
    """Every paper's nearest papers by the stored vectors of `model` (none for a paper without one), as one
    batch (`Store.nearest_each`: a block matrix product), the last build's lists (`previous`) reused where the
    vectors they come from did not change; and a paper's list as its page shows it."""
    found = store.nearest_each(model, limit=limit, previous=previous)
    titles = store.doc_titles() if found.near else {}

    def related(paper_id: str) -> list[RelatedRef]:
        return [RelatedRef(pid, titles[pid], score) for pid, score in found.near.get(paper_id, ()) if pid in titles]
    return found, related


# -- search: Pagefind records, one per paper page --------------------------------------------------------------
def search_records(pages: Iterable[PaperPageView]) -> dict[str, str]:
    """What Pagefind indexes for each paper, as a small HTML file at the paper page's path: its readable text,
    then (after SENTINEL) the CJK suffixes that make its prefix matching find words inside Korean compounds
    (see `dailypapers.search`), each once: a record finds what it finds with them all, and Pagefind indexes a
    third of the words (two thirds of a paper's suffixes repeat), a fifth less of its time. The pages themselves
    carry tooltips and navigation that search should not see."""
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
            f"<p>{SENTINEL} {escape(' '.join(dict.fromkeys(expand_cjk(readable).split())))}</p></body></html>"
        )
    return records


_Part = tuple[str, dict[str, str], Path | None]  # a search part: its name, its records, where its bundle goes


async def _pagefind(parts: queue.Queue[_Part | None]) -> dict[str, bytes]:
    """Pagefind's bundle for each part's records, as the parts come (`None` ends them), from its binary (the
    pagefind-bin package): one Pagefind process, an index per part. A part with a folder has its bundle written
    there by Pagefind itself (a new part: the folder goes into the site whole, its thousands of files written
    once); the others' bundles are returned by path under `pagefind/<part>/`, to be written where they differ
    from the bundle the site has (a new day changes a few of a month's files). `build_site` runs it on an event
    loop of its own in a worker thread, so a build works inside a caller's event loop too, and Pagefind indexes a
    part while the next part's records and the pages are made."""
    from pagefind.index import IndexConfig
    from pagefind.service import PagefindService

    files: dict[str, bytes] = {}
    # The records (and a bundle returned as bytes) are written for Pagefind and thrown away: into memory where the
    # system has a folder there (one part at a time), as thousands of small files cost a busy disk seconds
    with tempfile.TemporaryDirectory(prefix="dailypapers-pagefind-", dir=_memory_folder()) as tmp:
        try:
            service = await PagefindService().launch()
        except FileNotFoundError as exc:
            raise PublishError(f"the search index needs Pagefind's binary ({exc}): pip install 'pagefind[bin]', "
                               "or build without search (--no-search)") from None
        try:
            while (item := await asyncio.to_thread(parts.get)) is not None:
                part, records, folder = item
                site, out = Path(tmp) / part / "site", Path(tmp) / part / SEARCH_DIR
                for path, html in records.items():
                    target = site / path
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(html, encoding="utf-8")
                # One language for every record: Pagefind searches the index of one language. The records go in
                # as one folder: the Python API answers each request after a 0.1 s poll, so a request per record
                # would crawl.
                index = await service.create_index(IndexConfig(force_language="en", keep_index_url=True))
                await index.add_directory(str(site))
                await index.write_files(output_path=str(folder or out))
                await index.delete_index()  # the service holds each index until told
                if folder is None:
                    files.update({f"{SEARCH_DIR}/{part}/{p.relative_to(out).as_posix()}": p.read_bytes()
                                  for p in sorted(out.rglob("*")) if p.is_file()})
                shutil.rmtree(Path(tmp) / part)
        finally:
            await service.close()
    return files


def _memory_folder() -> str | None:
    """A folder in memory for temporary files (Linux's /dev/shm), or None (the usual temporary folder)."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None


def _bundle_files(stage: Path, parts: Iterable[str]) -> dict[str, str]:
    """The hash of each file of the parts' bundles Pagefind wrote under `stage` (as the site lays them out), by
    its path in the site."""
    found = {}
    for part in parts:
        for folder, _, names in os.walk(stage / SEARCH_DIR / part):
            rel = Path(folder).relative_to(stage).as_posix()
            for name in names:
                found[f"{rel}/{name}"] = hashlib.sha256(Path(folder, name).read_bytes()).hexdigest()
    return dict(sorted(found.items()))


def _move_in(staged: Path, target: Path) -> None:
    """A folder made beside the site into its place: renamed whole, or file by file into a folder of that name
    that another build put there meanwhile."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        staged.rename(target)
    except OSError:
        if not target.is_dir():
            raise
        for rel in sorted(_files_in(staged)):
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged / rel, target / rel)


def _unchanged_parts(there: set[str], manifest: Mapping[str, object], keys: dict[str, str]
                     ) -> tuple[frozenset[str], list[str]]:
    """The search index files of the last build that stay (their part's records are made from the same rows,
    and their files are all there) and the parts Pagefind must index."""
    before = manifest.get("search")
    before = before if isinstance(before, dict) else {}  # a site from before the parts: every part is new
    files: dict[str, list[str]] = {}
    for path in manifest.get("files", {}):  # type: ignore[union-attr]
        if path.startswith(f"{SEARCH_DIR}/") and path.count("/") >= 2:
            files.setdefault(path.split("/")[1], []).append(path)
    keep: list[str] = []
    changed: list[str] = []
    for part, key in keys.items():
        last = files.get(part, [])
        if before.get(part) == key and last and all(p in there for p in last):
            keep.extend(last)  # the same records give the same bundle: Pagefind need not index them again
        else:
            changed.append(part)
    return frozenset(keep), changed


# -- writing: only what changed ------------------------------------------------------------------------------
def _files_in(out_dir: Path) -> set[str]:
    """The files under `out_dir` (paths relative to it, `/`-separated): one listing of each folder instead of a
    look at each file."""
    found: set[str] = set()
    for folder, _, names in os.walk(out_dir):
        rel = Path(folder).relative_to(out_dir).as_posix()
        prefix = "" if rel == "." else rel + "/"
        found.update(prefix + name for name in names)
    return found


def read_manifest(out_dir: Path) -> dict[str, object]:
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return data if isinstance(data, dict) and isinstance(data.get("files"), dict) else {}


def _mapping(manifest: Mapping[str, object], name: str) -> dict[str, object]:
    found = manifest.get(name)
    return found if isinstance(found, dict) else {}


Later = Callable[[], tuple[dict[str, bytes], Mapping[str, str]]]  # more files, and files staged already


def sync(out_dir: Path, files: dict[str, bytes], *, keep: frozenset[str] = frozenset(),
         search: dict[str, str] | None = None, keys: Mapping[str, str] | None = None,
         memo: Mapping[str, object] | None = None, related: Neighbours | None = None,
         manifest: Mapping[str, object] | None = None, stage: Path | None = None,
         folders: Iterable[str] = (), later: Later | None = None) -> tuple[list[str], list[str], int]:
    """Write the files whose bytes differ from what the manifest says was written; remove the files this
    site wrote before and no longer makes; `keep` are files of the last build left as they are (unchanged
    pages not made again, the search index when its input did not change). `stage` is an empty folder of the
    caller's beside the site, laid out as the site: a folder new to the site (every folder, in a first build) is
    written there and goes into place whole, one rename instead of one per file; `folders` are folders new to
    the site that the caller makes there (the search bundles Pagefind writes). `later` gives, once `files` are
    written, more files and the hashes of the files in `folders` by path (the search index, which Pagefind makes
    meanwhile). `keys` (each file's key), `memo`, `search` and `related` (every paper's related papers) go into
    the new manifest for the next build. Returns (written, removed, unchanged)."""
    manifest = read_manifest(out_dir) if manifest is None else manifest
    folders = list(folders)
    before: dict[str, str] = manifest.get("files", {})  # type: ignore[assignment]
    after = {path: before[path] for path in keep if path in before}
    written: list[str] = []
    new_tops: set[str] = set()  # folders the site does not have
    # Every new file and the manifest are written first, beside their targets; only when all of them are on
    # disk do they go into place (renames need no room), then the files of the last build that are not made
    # any more go, and the manifest last. A disk that fills up before that leaves the previous site whole.
    pages, listing = StagedFiles(), StagedFiles(one_by_one=True)
    made: set[Path] = set()

    def write(batch: dict[str, bytes]) -> None:
        hashes = {path: hashlib.sha256(data).hexdigest() for path, data in batch.items()}
        after.update(hashes)
        fresh = [path for path in batch if before.get(path) != hashes[path] or not (out_dir / path).is_file()]
        if stage is not None:
            tops = {path.split("/", 1)[0] for path in [*fresh, *folders] if "/" in path}
            new_tops.update(top for top in tops if top not in new_tops and not os.path.lexists(out_dir / top))
        for path in fresh:
            if path.split("/", 1)[0] in new_tops:  # a file of a folder new to the site: written where it is staged
                assert stage is not None
                target = stage / path
                if target.parent not in made:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    made.add(target.parent)
                target.write_bytes(batch[path])
            else:
                pages.add(out_dir / path, batch[path])
        written.extend(fresh)

    try:
        write(files)
        if later is not None:
            more, placed = later()
            write(more)
            after.update(placed)
            written.extend(placed)  # a folder put in place is new, every file of it
        record = {"files": after, "keys": {p: k for p, k in (keys or {}).items() if p in after},
                  "memo": memo or {}, "search": search or {}}
        if related is not None:
            record["related"] = related.to_json()
        # on one line: json's C encoder (an indented one is Python's, ten times slower on 12,000 files' keys and
        # 5,505 papers' related lists)
        listing.add(out_dir / MANIFEST, json.dumps(record, sort_keys=True, separators=(",", ":")) + "\n")
    except OSError as exc:
        pages.discard()
        listing.discard()
        raise PublishError(f"cannot write the site in {out_dir}: {exc.strerror or exc}; the site there is "
                           "unchanged") from None
    except BaseException:
        pages.discard()
        listing.discard()
        raise
    unchanged = len(after) - len(written)
    removed: list[str] = []
    try:
        folders = [f for f in folders if f.split("/", 1)[0] not in new_tops]  # the others go with their top
        if new_tops or folders:
            sync_all()  # the staged files on disk before they go into place
        pages.commit()
        assert stage is not None or not (new_tops or folders)
        for path in sorted(new_tops) + sorted(folders):
            _move_in(stage / path, out_dir / path)  # type: ignore[operator]
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
    home page shows when the archive has it; `embedding_model` the vectors paper pages find related papers by.
    Only the files whose key changed since the last build are made (see `site_targets`)."""
    chrome = Chrome(live=False, base_url=base_url.rstrip("/") if base_url else None)
    manifest = read_manifest(out_dir)
    neighbours: Neighbours | None = None
    related: Callable[[str], list[RelatedRef]] = lambda paper_id: []  # noqa: E731
    if embedding_model:
        neighbours, related = related_papers(store, embedding_model, Neighbours.from_json(manifest.get("related")))
    build = _Build(store, chrome, main, _mapping(manifest, "memo"), related)
    targets = site_targets(build)
    last_keys, last_files = _mapping(manifest, "keys"), _mapping(manifest, "files")
    there = _files_in(out_dir) if last_files else set()
    keep = {path for path, (key, _) in targets.items()
            if last_keys.get(path) == key and path in last_files and path in there}
    search_keys: dict[str, str] = {}
    changed: list[str] = []
    try:  # the folders new to the site (a first build's every folder, a new month's search bundle), made beside it
        out_dir.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=".dailypapers-staged-", dir=out_dir))
    except OSError as exc:
        raise PublishError(f"cannot write the site in {out_dir}: {exc.strerror or exc}; the site there is "
                           "unchanged") from None
    try:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            index: concurrent.futures.Future[dict[str, bytes]] | None = None
            new: list[str] = []  # the parts the site has no bundle of: Pagefind writes them into the stage
            if search:
                parts: dict[str, list[str]] = {}
                for pid in build.shown:  # a part per month of the papers' days
                    parts.setdefault(build.paper_day(pid).strftime("%Y-%m"), []).append(pid)
                search_keys = {part: _key(build.code, "search", sorted((build.paper_paths[pid], build.paper_rows(pid))
                                                                        for pid in pids))
                               for part, pids in sorted(parts.items())}
                kept, changed = _unchanged_parts(there, manifest, search_keys)
                keep |= kept
                if changed:  # Pagefind runs (its own process, its own event loop) while the pages render
                    new = [part for part in changed if not (out_dir / SEARCH_DIR / part).is_dir()]
                    todo: queue.Queue[_Part | None] = queue.Queue()
                    index = pool.submit(asyncio.run, _pagefind(todo))
                    try:  # a part's records go to Pagefind as soon as they are made
                        for part in changed:
                            todo.put((part, search_records(build.paper_page(pid) for pid in parts[part]),
                                      stage / SEARCH_DIR / part if part in new else None))
                    finally:
                        todo.put(None)
            files = {path: make() for path, (_, make) in targets.items() if path not in keep}
            if search:
                # newest first: the search loads the first part's bundle and merges the others into it
                files[SEARCH_PARTS] = (json.dumps(sorted(search_keys, reverse=True)) + "\n").encode()

            bundles: list[str] = []

            def search_index() -> tuple[dict[str, bytes], dict[str, str]]:
                """Pagefind's bundles, when it is done: the pages are written meanwhile."""
                more, placed = (index.result() if index is not None else {}), _bundle_files(stage, new)
                bundles.extend([*more, *placed])
                return more, placed

            written, removed, unchanged = sync(
                out_dir, files, keep=frozenset(keep), search=search_keys,
                keys={path: key for path, (key, _) in targets.items()}, memo=build.memo, related=neighbours,
                manifest=manifest, stage=stage, folders=[f"{SEARCH_DIR}/{part}" for part in new], later=search_index)
    finally:
        shutil.rmtree(stage, ignore_errors=True)  # empty, or what was staged if the build failed
    readme_written = None
    if readme is not None:
        chosen = main_stream(build.streams, *main)
        if chosen is not None and readme_file.write(readme, build.digest(chosen.latest.edition),
                                                    show_flags=show_flags):
            readme_written = readme
    return SiteReport(out_dir, tuple(written), tuple(removed), unchanged, len(build.editions), len(build.shown),
                      readme_written, made=tuple(files) + tuple(bundles))


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
