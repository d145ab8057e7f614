"""View models: what a page, a feed entry or a message shows of the archive, as pure functions of the models.

The static site, the live web app and the feeds render these with the same templates; email and chat
messages can too. Nothing here reads the archive or writes a file, and nothing here is HTML: templates escape
every string (autoescape), and only URLs that `page_url` accepts (http and https) become links.

Paths are relative to the site root with `/` separators (`editions/hf/ko/2025-05-06.html`); a template links
with `root + path`, where `root` leads from the page back to the site root (`../../../`), so the site works
from any folder of any host, and the app serves the same paths.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from dailypapers import digestformat, synthesis
from dailypapers.arxiv_id import abs_url
from dailypapers.models import (
    TLDR_LABEL,
    Claim,
    Digest,
    Edition,
    Entry,
    Outcome,
    Paper,
    PeriodDigest,
    Span,
    Summary,
    Synthesis,
    VersionChange,
    cost_text,
    evidence_place,
)
from dailypapers.text import clip, one_line, sentences

SITE_TITLE = "Daily Papers"
HOME_PATH = "index.html"
ARCHIVE_PATH = "archive/index.html"
SEARCH_PATH = "search.html"
RUNS_PATH = "runs.html"
FEED_ENTRIES = 30  # editions per feed
PAPER_FEED_ENTRIES = 200  # papers per feed of papers (a stream's, a tag's)
LANG_NAMES = {"ko": "한국어", "en": "English", "ja": "日本語", "zh": "中文", "de": "Deutsch", "fr": "Français",
              "es": "Español"}
_HTML_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")
_SLUG_PLAIN = frozenset(string.ascii_letters + string.digits + ".-")
_SLUG_ESCAPES = re.compile(r"(?:~[0-9A-F]{2})+")
# An arXiv category (`cs.CL`, `hep-th`, `math.AP`): anything else a source calls a category is no tag.
_CATEGORY = re.compile(r"[a-z][a-z-]{0,15}(?:\.[A-Za-z][A-Za-z-]{0,15})?")
MAX_TAGS = 6  # per paper on a card
CARD_LINE_CHARS = 240  # the card's one line: a TL;DR is at most 300, a first sentence can be anything
TAG_PAGE_PAPERS = PAPER_FEED_ENTRIES  # the newest papers a tag's page (and feed) lists
_LOCAL = "local:"
_LOCAL_SLUG = "local-"
HF_ORIGIN = "https://huggingface.co"  # where root-relative URLs of old digests (`/avatars/...`) live
EXTRACTIVE_NOTE = digestformat.EXTRACTIVE_LINE.strip("_")  # the Markdown's note, as a page shows it


# -- paths -----------------------------------------------------------------------------------------------
def edition_path(edition: Edition, ext: str = "html") -> str:
    return f"editions/{edition.slug}/{edition.day.isoformat()}.{ext}"


def stream_slug(source: str, lang: str) -> str:
    """`<source>/<lang>` of an edition stream, as `Edition.slug` makes it."""
    return Edition(day=dt.date(2000, 1, 1), source=source, lang=lang).slug


def feed_path(source: str, lang: str) -> str:
    return f"feeds/{stream_slug(source, lang)}.atom"


def papers_feed_path(source: str, lang: str) -> str:
    """The stream's feed of papers (an entry per paper, not per edition)."""
    return f"feeds/{stream_slug(source, lang)}/papers.atom"


def tag_feed_path(tag: str) -> str:
    return f"tags/{tag}.atom"


@functools.lru_cache(maxsize=1 << 16)  # a page links to many papers, each paper from many pages
def paper_slug(paper_id: str) -> str:
    """A paper id as a file name that is also a URL path segment: `2505.02707` as it is, `hep-th/9901001` ->
    `hep-th_9901001`, `local:ab12` -> `local-ab12`. Any other character (a `_`, a space, a `~`, non-ASCII, a
    leading `.`; the `-` of an id that itself begins `local-`) is written `~XX` per UTF-8 byte, so a slug holds
    only URL-unreserved characters (a link needs no further encoding) and `paper_id_from_slug` reverses it."""
    local = paper_id.startswith(_LOCAL)
    rest = paper_id[len(_LOCAL) :] if local else paper_id
    slug = "".join(
        "_" if c == "/" else c if c in _SLUG_PLAIN and (i or c != ".") else _slug_escape(c)
        for i, c in enumerate(rest)
    )
    if local:
        return _LOCAL_SLUG + slug
    return slug.replace("-", _slug_escape("-"), 1) if slug.startswith(_LOCAL_SLUG) else slug


def _slug_escape(c: str) -> str:
    return "".join(f"~{b:02X}" for b in c.encode("utf-8", "surrogatepass"))


def paper_id_from_slug(slug: str) -> str:
    """The paper id of a `paper_slug` (what a page's file name or URL holds)."""
    local = slug.startswith(_LOCAL_SLUG)
    rest = (slug[len(_LOCAL_SLUG) :] if local else slug).replace("_", "/")
    rest = _SLUG_ESCAPES.sub(lambda m: _slug_unescape(m.group()), rest)
    return _LOCAL + rest if local else rest


def _slug_unescape(run: str) -> str:
    data = bytes.fromhex(run.replace("~", ""))
    try:
        return data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:  # not a slug this module wrote (a URL typed by hand)
        return data.decode("utf-8", "replace")


def paper_path(paper_id: str) -> str:
    return f"papers/{paper_slug(paper_id)}.html"


def period_path(span: Span, source: str, lang: str, ext: str = "html") -> str:
    """`editions/hf/ko/2025-W19.html`, `editions/hf/ko/2025-05.html`: beside the stream's days."""
    return f"editions/{stream_slug(source, lang)}/{span.label}.{ext}"


def period_feed_path(period: str, source: str, lang: str) -> str:
    """`feeds/hf/ko/weekly.atom`, `feeds/hf/ko/monthly.atom`: an entry per weekly (monthly) edition."""
    return f"feeds/{stream_slug(source, lang)}/{'weekly' if period == 'week' else 'monthly'}.atom"


def tag_path(tag: str) -> str:
    """`tags/cs.CL.html`: a tag is an arXiv category (`paper_tags` keeps no other), safe as a file name."""
    return f"tags/{tag}.html"


def paper_tags(paper: Paper) -> tuple[str, ...]:
    """The paper's arXiv categories, primary first, as the source gave them (`links["category"]` and the
    space-separated `links["categories"]`); none for a paper whose categories no source told."""
    return link_tags(paper.links)


def link_tags(links: Mapping[str, str]) -> tuple[str, ...]:
    """`paper_tags` of a paper whose `links` these are."""
    found = [links.get("category", ""), *links.get("categories", "").split()]
    return tuple(dict.fromkeys(t for t in (f.strip() for f in found) if _CATEGORY.fullmatch(t)))[:MAX_TAGS]


def month_path(year: int, month: int) -> str:
    return f"archive/{year:04d}-{month:02d}.html"


def root_of(path: str) -> str:
    """The relative way from a page back to the site root: `editions/hf/ko/x.html` -> `../../../`."""
    return "../" * path.count("/")


def page_url(url: str | None) -> str | None:
    """A stored URL as a page links it, or None: the one URL rule (`digestformat.safe_url`), applied once a
    root-relative path (old digests' `/avatars/...`, which the Markdown keeps as it is) is made Hugging
    Face's, since a page elsewhere cannot link it relatively."""
    if not url:
        return None
    url = url.strip()
    if url.startswith("/") and not url.startswith("//"):
        url = HF_ORIGIN + url
    return digestformat.safe_url(url)


def lang_name(lang: str) -> str:
    return LANG_NAMES.get(lang, lang)


def source_name(source: str) -> str:
    if source == "hf":
        return "Hugging Face Daily Papers"
    if source.startswith("arxiv:"):
        return f"arXiv {source[len('arxiv:') :]}"
    if source.startswith("local:"):
        return f"local folder {source[len('local:') :]}"
    return source


# -- claims inside a section's text ----------------------------------------------------------------------
@dataclass(frozen=True)
class ClaimView:
    """A checked number or name as a page shows it. The snippet supports a supported claim; beside an
    unsupported one it is what the paper says instead (with the checker's `reason`), or absent."""

    text: str
    kind: str
    supported: bool
    evidence: str | None
    evidence_section: str | None
    evidence_page: int | None
    ident: str  # an HTML id, unique on the page
    reason: str = ""  # why it is unsupported, in the checker's words
    undecided: bool = False  # not checked: the checker could not decide and no judge did (never flagged)

    @property
    def where(self) -> str:
        """`Results, p. 7`: where in the paper the evidence was found."""
        return evidence_place(self.evidence_section, self.evidence_page)


@dataclass(frozen=True)
class Piece:
    """A run of a section's text; `claim` is set when the run is a checked number or name."""

    text: str
    claim: ClaimView | None = None


def _claim_spans(text: str, claim: str) -> list[tuple[int, int]]:
    """Every whole occurrence of `claim` in `text`: not inside a longer Latin word or number (`3.2%` is not
    in `13.2%`); a Korean particle right after a name is fine (`Voila는`)."""
    spans = []
    start = text.find(claim)
    while start >= 0 and claim:
        end = start + len(claim)
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        inside = (
            (_ASCII_WORD.match(claim[0]) and (_ASCII_WORD.match(before) or before == "."))
            or (_ASCII_WORD.match(claim[-1]) and _ASCII_WORD.match(after))
            or (claim[-1].isdigit() and after == "." and text[end + 1 : end + 2].isdigit())
        )
        if not inside:
            spans.append((start, end))
        start = text.find(claim, start + 1)
    return spans


def mark_claims(text: str, claims: Sequence[ClaimView]) -> tuple[Piece, ...]:
    """The text cut into pieces, each occurrence of a claim's text its own piece. Overlaps keep the earlier,
    then the longer claim; a claim whose text is not found is left for the claim list under the summary."""
    found: list[tuple[int, int, ClaimView]] = []
    for c in claims:
        found.extend((a, b, c) for a, b in _claim_spans(text, c.text))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    pieces: list[Piece] = []
    pos = 0
    for start, end, claim in found:
        if start < pos:
            continue
        if start > pos:
            pieces.append(Piece(text[pos:start]))
        pieces.append(Piece(text[start:end], claim))
        pos = end
    if pos < len(text):
        pieces.append(Piece(text[pos:]))
    return tuple(pieces)


# -- summaries --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SectionView:
    label: str
    pieces: tuple[Piece, ...]
    unsupported: tuple[ClaimView, ...]

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)


@dataclass(frozen=True)
class SummaryView:
    lang: str
    lang_name: str
    model: str | None
    extractive: bool
    sections: tuple[SectionView, ...]
    claims: tuple[ClaimView, ...]
    created_at: dt.datetime | None = None
    tldr: SectionView | None = None  # the TL;DR, its claims marked (label TLDR_LABEL); None when it has none

    @property
    def line(self) -> str:
        """What a card says of the paper: the TL;DR, or (a summary without one: imported digests) the first
        sentence of the first section."""
        if self.tldr is not None:
            return self.tldr.text
        first = next((sec.text for sec in self.sections if sec.text), "")
        return clip((sentences(first) or [first])[0], CARD_LINE_CHARS)

    @property
    def supported_count(self) -> int:
        return sum(c.supported for c in self.claims)

    @property
    def unsupported_count(self) -> int:
        return sum(not c.supported and not c.undecided for c in self.claims)

    @property
    def undecided_count(self) -> int:
        return sum(c.undecided for c in self.claims)

    @property
    def flagged(self) -> bool:
        return self.unsupported_count > 0


def summary_view(summary: Summary, ident: str) -> SummaryView:
    """`ident` makes the claims' HTML ids unique on the page (a page may show many summaries)."""
    base = _HTML_ID_UNSAFE.sub("-", ident)
    claims = tuple(_claim_view(c, f"{base}-c{i}") for i, c in enumerate(summary.claims))
    by_label: dict[str, list[ClaimView]] = {}
    for view, claim in zip(claims, summary.claims, strict=True):
        by_label.setdefault(claim.section_label, []).append(view)
    sections = []
    for sec in summary.sections:
        own = by_label.get(sec.label, [])
        sections.append(SectionView(sec.label, mark_claims(one_line(sec.text), own),
                                    tuple(c for c in own if not c.supported and not c.undecided)))
    tldr = None
    if summary.tldr.strip():
        own = by_label.get(TLDR_LABEL, [])
        tldr = SectionView(TLDR_LABEL, mark_claims(one_line(summary.tldr), own),
                           tuple(c for c in own if not c.supported and not c.undecided))
    return SummaryView(lang=summary.lang, lang_name=lang_name(summary.lang), model=summary.model,
                       extractive=summary.model == "extractive", sections=tuple(sections), claims=claims,
                       created_at=summary.created_at, tldr=tldr)


def _claim_view(claim: Claim, ident: str) -> ClaimView:
    supported = claim.status == "supported"
    # beside an unsupported claim a snippet is shown only with the reason that says what it is
    shown = supported or bool(claim.reason)
    return ClaimView(text=claim.text, kind=claim.kind, supported=supported,
                     evidence=claim.evidence if shown else None,
                     evidence_section=claim.evidence_section if shown else None,
                     evidence_page=claim.evidence_page if shown else None, ident=ident,
                     reason="" if supported else claim.reason, undecided=claim.undecided and not supported)


# -- papers -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class PaperView:
    id: str
    title: str
    url: str | None  # the title link
    path: str  # the paper's own page
    authors: tuple[str, ...]
    upvotes: int | None
    thumbnail: str | None
    video: str | None
    links: tuple[Link, ...]
    day: dt.date | None = None
    abstract: str = ""
    tags: tuple[str, ...] = ()

    @property
    def anchor(self) -> str:
        """The HTML id of the paper's full entry on an edition page (its card links there)."""
        return "p-" + paper_slug(self.id)


def paper_links(paper: Paper, *, on_hf: bool = False) -> tuple[Link, ...]:
    """The links a reader wants, in a fixed order, each only if it is a safe URL."""
    found: list[tuple[str, str | None]] = []
    if paper.is_arxiv:
        found += [("arXiv", abs_url(paper.id)),
                  ("PDF", paper.links.get("pdf") or f"https://arxiv.org/pdf/{paper.id}"),
                  ("HTML", f"https://arxiv.org/html/{paper.id}")]
        if on_hf:
            found.append(("Hugging Face", f"https://huggingface.co/papers/{paper.id}"))
    else:
        found += [("Paper", paper.links.get("abs")), ("PDF", paper.links.get("pdf"))]
    found += [("Code", paper.links.get("github")), ("Project", paper.links.get("project")),
              ("DOI", paper.links.get("doi"))]
    out: list[Link] = []
    for label, url in found:
        safe = page_url(url)
        if safe and all(link.url != safe for link in out):
            out.append(Link(label, safe))
    return tuple(out)


def paper_view(paper: Paper, *, on_hf: bool = False) -> PaperView:
    return PaperView(
        id=paper.id, title=one_line(paper.title), url=page_url(paper.url), path=paper_path(paper.id),
        authors=tuple(one_line(a) for a in paper.authors), upvotes=paper.upvotes,
        thumbnail=page_url(paper.thumbnail) if not paper.video else None, video=page_url(paper.video),
        links=paper_links(paper, on_hf=on_hf), day=paper.day, abstract=one_line(paper.abstract),
        tags=paper_tags(paper),
    )


# -- an edition's synthesis ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class CitePiece:
    """A run of a theme's text; `cites` is set when the run cites a paper (its rank in the edition, and where
    its entry is), `stranger` when it cites one the edition does not have."""

    text: str
    cites: EntryView | None = None
    href: str = ""
    stranger: bool = False


@dataclass(frozen=True)
class ThemeView:
    title: str
    pieces: tuple[CitePiece, ...]
    unsupported: tuple[str, ...]  # the claims the papers do not support (and papers not in the edition)


@dataclass(frozen=True)
class SynthesisView:
    themes: tuple[ThemeView, ...]
    shared: tuple[CitePiece, ...]
    shared_unsupported: tuple[str, ...]
    model: str

    @property
    def offline(self) -> bool:
        return self.model == "tfidf"


def cite_pieces(text: str, entries: Mapping[str, EntryView], href: Callable[[EntryView], str]) -> tuple[CitePiece, ...]:
    """The text cut at its citations (`[2505.02707]`): each cited paper of the edition a link to its entry."""
    out: list[CitePiece] = []
    pos = 0
    for m in synthesis.CITATION.finditer(text):
        if m.start() > pos:
            out.append(CitePiece(text[pos : m.start()]))
        entry = entries.get(m.group(1))
        if entry is None:
            out.append(CitePiece(m.group(0), stranger=True))
        else:
            out.append(CitePiece(f"[{entry.rank}]", cites=entry, href=href(entry)))
        pos = m.end()
    if pos < len(text):
        out.append(CitePiece(text[pos:]))
    return tuple(out)


def synthesis_view(made: Synthesis, entries: Sequence[EntryView],
                   href: Callable[[EntryView], str] = lambda e: "#" + e.paper.anchor) -> SynthesisView:
    by_id = {e.paper.id: e for e in entries}

    def flags(claims: Sequence[Claim]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.text for c in claims if c.status == "unsupported" and not c.undecided))

    themes = tuple(ThemeView(one_line(t.title), cite_pieces(one_line(t.text), by_id, href), flags(t.claims))
                   for t in made.themes)
    return SynthesisView(themes, cite_pieces(one_line(made.shared), by_id, href), flags(made.shared_claims),
                         made.model)


# -- editions ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EditionRef:
    edition: Edition
    papers: int = 0

    @property
    def path(self) -> str:
        return edition_path(self.edition)

    @property
    def markdown_path(self) -> str:
        return edition_path(self.edition, "md")

    @property
    def title(self) -> str:
        return f"{SITE_TITLE} ({self.edition.day.isoformat()})"

    @property
    def source_name(self) -> str:
        return source_name(self.edition.source)

    @property
    def lang_name(self) -> str:
        return lang_name(self.edition.lang)

    @property
    def feed(self) -> str:
        return feed_path(self.edition.source, self.edition.lang)


@dataclass(frozen=True)
class EntryView:
    rank: int
    paper: PaperView
    summary: SummaryView | None
    outcome: str | None = None  # "failed: timeout" when the paper has no summary and the run said why
    chosen_for: tuple[str, ...] = ()  # in an edition ranked by interest: the nearest profile items


class _Entries:
    """What a page of entries (a day's edition, a week's or a month's) says about them."""

    entries: tuple[EntryView, ...]

    @property
    def flagged(self) -> int:
        return sum(1 for e in self.entries if e.summary is not None and e.summary.flagged)

    @property
    def tags(self) -> tuple[tuple[str, int], ...]:
        """The tags with how many of the entries' papers carry each, most first."""
        return tag_counts(e.paper for e in self.entries)


@dataclass(frozen=True)
class EditionView(_Entries):
    ref: EditionRef
    entries: tuple[EntryView, ...]
    previous: EditionRef | None = None
    next: EditionRef | None = None
    others: tuple[EditionRef, ...] = ()  # the same day's other editions
    updated: dt.datetime | None = None
    synthesis: SynthesisView | None = None

    @property
    def edition(self) -> Edition:
        return self.ref.edition

    @property
    def path(self) -> str:
        return self.ref.path


def tag_counts(papers: Iterable[PaperView]) -> tuple[tuple[str, int], ...]:
    return count_tags(p.tags for p in papers)


def count_tags(tag_lists: Iterable[Sequence[str]]) -> tuple[tuple[str, int], ...]:
    """How many of these papers (each given by its tags) carry each tag, most first, then by name."""
    counts: dict[str, int] = {}
    for tags in tag_lists:
        for t in tags:
            counts[t] = counts.get(t, 0) + 1
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


@dataclass(frozen=True)
class TagView:
    """A tag's page: the newest papers of the archive that carry it, as cards that open their paper pages."""

    tag: str
    entries: tuple[EntryView, ...]
    others: tuple[tuple[str, int], ...] = ()  # every tag of the archive, for the tag list
    items: tuple[PaperItem, ...] = ()  # the same papers, as its feed lists them

    @property
    def path(self) -> str:
        return tag_path(self.tag)

    @property
    def feed(self) -> str:
        return tag_feed_path(self.tag)


def tag_views(views: Iterable[EditionView]) -> tuple[TagView, ...]:
    """One page per tag over these editions: each paper once (its newest entry), newest first, at most
    TAG_PAGE_PAPERS."""
    newest = [i for i in paper_items(views, limit=10**9) if i.entry.paper.tags]  # newest first
    by_tag: dict[str, list[PaperItem]] = {}
    for item in newest:
        for t in item.entry.paper.tags:
            by_tag.setdefault(t, []).append(item)
    every = tag_counts(i.entry.paper for i in newest)
    return tuple(tag_view(tag, items[:TAG_PAGE_PAPERS], every) for tag, items in sorted(by_tag.items()))


def tag_view(tag: str, items: Sequence[PaperItem], every: tuple[tuple[str, int], ...]) -> TagView:
    """A tag's page from its newest papers (`items`, at most TAG_PAGE_PAPERS) and the archive's tag counts."""
    ranked = tuple(EntryView(rank=n + 1, paper=i.entry.paper, summary=i.entry.summary, outcome=i.entry.outcome)
                   for n, i in enumerate(items))
    return TagView(tag, ranked, every, tuple(items))


def entry_view(entry: Entry, rank: int, edition: Edition, outcome: Outcome | None = None,
               chosen_for: tuple[str, ...] = ()) -> EntryView:
    paper = paper_view(entry.paper, on_hf=edition.source == "hf")
    summary = None
    if entry.summary is not None and entry.summary.sections:
        summary = summary_view(entry.summary, f"{paper_slug(entry.paper.id)}-{edition.lang}")
    why = outcome.label if outcome is not None and summary is None and outcome.status != "ok" else None
    return EntryView(rank=rank, paper=paper, summary=summary, outcome=why, chosen_for=chosen_for)


@dataclass(frozen=True)
class EditionIndex:
    """The stored editions as an edition's page links them: each stream (source, lang) oldest first, for
    previous/next, and each day's editions, for the same day's others."""

    streams: Mapping[tuple[str, str], tuple[EditionRef, ...]]
    days: Mapping[dt.date, tuple[EditionRef, ...]]
    positions: Mapping[Edition, int]  # an edition's place in its stream

    def neighbours(self, edition: Edition) -> tuple[EditionRef | None, EditionRef | None]:
        """The stream's edition before this one and the one after it."""
        i = self.positions.get(edition)
        if i is None:
            return None, None
        stream = self.streams[(edition.source, edition.lang)]
        return (stream[i - 1] if i > 0 else None), (stream[i + 1] if i + 1 < len(stream) else None)

    def others(self, edition: Edition) -> tuple[EditionRef, ...]:
        return tuple(r for r in self.days.get(edition.day, ()) if r.edition != edition)


def edition_index(editions: Iterable[tuple[Edition, int]]) -> EditionIndex:
    """From `Store.editions()`: the editions (oldest first) and their paper counts."""
    streams: dict[tuple[str, str], list[EditionRef]] = {}
    days: dict[dt.date, list[EditionRef]] = {}
    positions: dict[Edition, int] = {}
    for edition, n in sorted(editions, key=lambda en: en[0].day):
        ref = EditionRef(edition, n)
        stream = streams.setdefault((edition.source, edition.lang), [])
        positions[edition] = len(stream)
        stream.append(ref)
        days.setdefault(edition.day, []).append(ref)
    return EditionIndex({k: tuple(v) for k, v in streams.items()}, {k: tuple(v) for k, v in days.items()},
                        positions)


def edition_view(
    digest: Digest,
    *,
    index: EditionIndex | None = None,
    outcomes: Mapping[str, Outcome] | None = None,
    updated: dt.datetime | None = None,
    made: Synthesis | None = None,
    chosen: Mapping[str, Sequence[str]] | None = None,
) -> EditionView:
    """`index`: the archive's editions, for the links to the previous and next edition of the same source and
    language and to the same day's other editions (none without it). `made`: the edition's stored synthesis
    (`edition_synthesis`), if any; the page shows it at the top. `chosen`: in an edition ranked by interest,
    each paper's reasons (`Store.choices`), shown on its entry."""
    edition = digest.edition
    entries = tuple(entry_view(e, i + 1, edition, (outcomes or {}).get(e.paper.id),
                               tuple((chosen or {}).get(e.paper.id, ()))) for i, e in enumerate(digest.entries))
    previous, next_ = index.neighbours(edition) if index is not None else (None, None)
    return EditionView(ref=EditionRef(edition, len(entries)), entries=entries, previous=previous, next=next_,
                       others=index.others(edition) if index is not None else (), updated=updated,
                       synthesis=synthesis_view(made, entries) if made is not None and made.themes else None)


def edition_synthesis(entries: Sequence[Entry], lang: str, stored: Callable[[str], Synthesis | None]
                      ) -> Synthesis:
    """The synthesis a page shows: the stored one made from this content (`stored(key)`), else the offline one."""
    key = synthesis.content_key(entries, lang)
    return stored(key) or synthesis.tfidf_synthesis(entries, lang, key)


@dataclass(frozen=True)
class PaperItem:
    """A paper as a feed of papers lists it: its entry in the newest edition that shows it."""

    entry: EntryView
    edition: Edition
    updated: dt.datetime | None = None


def paper_items(views: Iterable[EditionView], limit: int = PAPER_FEED_ENTRIES) -> tuple[PaperItem, ...]:
    """Each paper of these editions once, from the newest edition that lists it, newest first (then by rank),
    at most `limit`."""
    newest: dict[str, PaperItem] = {}
    for view in sorted(views, key=lambda v: v.edition.day, reverse=True):
        for e in view.entries:
            newest.setdefault(e.paper.id, PaperItem(e, view.edition, view.updated))
    return tuple(newest.values())[:limit]


@dataclass(frozen=True)
class PeriodRef:
    span: Span
    source: str
    lang: str
    papers: int = 0

    @property
    def path(self) -> str:
        return period_path(self.span, self.source, self.lang)

    @property
    def markdown_path(self) -> str:
        return period_path(self.span, self.source, self.lang, "md")

    @property
    def feed(self) -> str:
        return period_feed_path(self.span.period, self.source, self.lang)

    @property
    def title(self) -> str:
        if self.span.period == "week":
            return f"Weekly Papers ({self.span.start.isoformat()} – {self.span.end.isoformat()})"
        return f"Monthly Papers ({self.span.label})"

    @property
    def source_name(self) -> str:
        return source_name(self.source)

    @property
    def lang_name(self) -> str:
        return lang_name(self.lang)


@dataclass(frozen=True)
class PeriodView(_Entries):
    """A weekly or monthly edition's page: its cards and entries, as a day's."""

    ref: PeriodRef
    entries: tuple[EntryView, ...]
    previous: PeriodRef | None = None
    next: PeriodRef | None = None
    updated: dt.datetime | None = None
    synthesis: SynthesisView | None = None

    @property
    def path(self) -> str:
        return self.ref.path


def period_view(edition: PeriodDigest, *, refs: Sequence[PeriodRef] = (), updated: dt.datetime | None = None,
                made: Synthesis | None = None) -> PeriodView:
    """`refs`: the stored periods of the archive (any order), for the links to the one before and after of the
    same kind, source and language."""
    as_day = Edition(day=edition.span.start, source=edition.source, lang=edition.lang)
    entries = tuple(entry_view(e, i + 1, as_day) for i, e in enumerate(edition.entries))
    before, after = period_neighbours(refs, edition.span, edition.source, edition.lang)
    return PeriodView(PeriodRef(edition.span, edition.source, edition.lang, len(entries)), entries, before, after,
                      updated, synthesis_view(made, entries) if made is not None and made.themes else None)


def period_neighbours(refs: Sequence[PeriodRef], span: Span, source: str, lang: str
                      ) -> tuple[PeriodRef | None, PeriodRef | None]:
    """Of `refs`, the edition of the same kind, source and language just before `span`, and the one just after."""
    same = sorted((r for r in refs if (r.span.period, r.source, r.lang) == (span.period, source, lang)),
                  key=lambda r: r.span.start)
    before = [r for r in same if r.span.start < span.start]
    after = [r for r in same if r.span.start > span.start]
    return before[-1] if before else None, after[0] if after else None


# -- a paper's page: every summary in every language ------------------------------------------------------
@dataclass(frozen=True)
class Appearance:
    """A summary of the paper and the editions that show it (the same summary may be in several)."""

    summary: SummaryView | None
    editions: tuple[EditionRef, ...]
    upvotes: int | None = None


@dataclass(frozen=True)
class VersionView:
    """A newer arXiv version of the paper in one language: what changed in its summary (`VersionChange.line`,
    one line a number) and the new summary; the editions keep showing the summary they were made with."""

    change: VersionChange
    summary: SummaryView | None

    @property
    def lang_name(self) -> str:
        return lang_name(self.change.lang)


@dataclass(frozen=True)
class PaperPageView:
    paper: PaperView
    appearances: tuple[Appearance, ...]
    related: tuple[RelatedRef, ...] = ()  # the nearest papers by meaning (`dailypapers.meaning.related`)
    versions: tuple[VersionView, ...] = ()  # newer arXiv versions found (`pipeline.refresh`), newest first

    @property
    def path(self) -> str:
        return self.paper.path


@dataclass(frozen=True)
class RelatedRef:
    """A related paper, as a paper page links it."""

    paper_id: str
    title: str
    score: float

    @property
    def path(self) -> str:
        return paper_path(self.paper_id)


def paper_page_view(paper: Paper, shown: Iterable[tuple[Edition, Summary | None, int | None]],
                    related: Iterable[RelatedRef] = (),
                    versions: Iterable[tuple[VersionChange, Summary | None]] = ()) -> PaperPageView:
    """`shown`: each edition the paper is in, with the summary and votes it has there (any order). The page's
    day is the newest of those editions' days; its votes the newest edition's. `versions`: the newer arXiv
    versions found, each with its new summary (None when it could not be made)."""
    groups: dict[object, list[tuple[Edition, Summary | None, int | None]]] = {}
    shown = sorted(shown, key=lambda s: (s[0].day, s[0].source, s[0].lang), reverse=True)
    for edition, summary, votes in shown:
        key = summary if summary is not None else ("none", edition)
        groups.setdefault(key, []).append((edition, summary, votes))
    appearances = []
    slug = paper_slug(paper.id)
    for i, group in enumerate(groups.values()):
        summary = group[0][1]
        view = summary_view(summary, f"{slug}-{i}") if summary is not None and summary.sections else None
        appearances.append(Appearance(view, tuple(EditionRef(e) for e, _, _ in group), group[0][2]))
    on_hf = any(e.source == "hf" for e, _, _ in (g[0] for g in groups.values()))
    votes = next((a.upvotes for a in appearances if a.upvotes is not None), paper.upvotes)
    day = shown[0][0].day if shown else paper.day
    newer = tuple(VersionView(change, summary_view(new, f"{slug}-v{change.to_version}-{change.lang}")
                              if new is not None and new.sections else None) for change, new in versions)
    return PaperPageView(paper_view(paper.model_copy(update={"upvotes": votes, "day": day}), on_hf=on_hf),
                         tuple(appearances), tuple(related), newer)


# -- home, archive ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StreamView:
    """An edition stream (a source and a language): its latest edition and how many it has."""

    latest: EditionRef
    count: int

    @property
    def key(self) -> tuple[str, str]:
        return self.latest.edition.source, self.latest.edition.lang


@dataclass(frozen=True)
class HomeView:
    main: EditionView | None
    streams: tuple[StreamView, ...]


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @property
    def path(self) -> str:
        return month_path(self.year, self.month)

    @property
    def title(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class MonthSummary(Month):
    """A month in the archive's index: how many editions and papers it holds."""

    editions: int = 0
    papers: int = 0


@dataclass(frozen=True)
class MonthView(Month):
    """A month's page: its editions by day, newest first."""

    days: tuple[tuple[dt.date, tuple[EditionView, ...]], ...] = field(default=())

    @property
    def editions(self) -> int:
        return sum(len(eds) for _, eds in self.days)

    @property
    def papers(self) -> int:
        return sum(len(e.entries) for _, eds in self.days for e in eds)


@dataclass(frozen=True)
class ArchiveView:
    months: tuple[MonthSummary | MonthView, ...]  # newest first
    streams: tuple[StreamView, ...]
    periods: tuple[PeriodRef, ...] = ()  # the weekly and monthly editions, newest first


def month_index(editions: Iterable[tuple[Edition, int]]) -> tuple[MonthSummary, ...]:
    """The archive's months, newest first, from the stored editions and their paper counts."""
    counts: dict[tuple[int, int], tuple[int, int]] = {}
    for edition, n in editions:
        key = (edition.day.year, edition.day.month)
        eds, papers = counts.get(key, (0, 0))
        counts[key] = (eds + 1, papers + n)
    return tuple(MonthSummary(y, m, eds, n) for (y, m), (eds, n) in sorted(counts.items(), reverse=True))


def month_neighbours(months: Sequence[Month], at: Month) -> tuple[Month | None, Month | None]:
    """The month before `at` and the one after it in `months` (newest first, as `month_index` gives them)."""
    keys = [(m.year, m.month) for m in months]
    if (at.year, at.month) not in keys:
        return None, None
    i = keys.index((at.year, at.month))
    return (months[i + 1] if i + 1 < len(months) else None), (months[i - 1] if i > 0 else None)


def streams(editions: Iterable[tuple[Edition, int]]) -> tuple[StreamView, ...]:
    """One entry per (source, lang), its latest edition; the most recently updated stream first."""
    latest: dict[tuple[str, str], tuple[EditionRef, int]] = {}
    for edition, n in editions:
        key = (edition.source, edition.lang)
        ref, count = latest.get(key, (None, 0))
        if ref is None or edition.day >= ref.edition.day:
            ref = EditionRef(edition, n)
        latest[key] = (ref, count + 1)
    out = [StreamView(ref, count) for ref, count in latest.values()]
    return tuple(sorted(out, key=lambda v: (v.latest.edition.day, v.latest.edition.source == "hf", v.latest.papers),
                        reverse=True))


def main_stream(all_streams: Sequence[StreamView], source: str, lang: str) -> StreamView | None:
    """The configured stream if it is in the archive, else the most recent one."""
    for s in all_streams:
        if s.key == (source, lang):
            return s
    return all_streams[0] if all_streams else None


def month_views(editions: Iterable[EditionView]) -> tuple[MonthView, ...]:
    """Editions grouped by month and day, newest first."""
    by_month: dict[tuple[int, int], dict[dt.date, list[EditionView]]] = {}
    for view in editions:
        day = view.edition.day
        by_month.setdefault((day.year, day.month), {}).setdefault(day, []).append(view)
    return tuple(
        MonthView(y, m, tuple((d, tuple(sorted(days[d], key=lambda v: (v.edition.source, v.edition.lang))))
                              for d in sorted(days, reverse=True)))
        for (y, m), days in sorted(by_month.items(), reverse=True)
    )


# -- runs (the app's health page) ---------------------------------------------------------------------------
@dataclass(frozen=True)
class RunView:
    id: int
    command: str
    edition: str
    started_at: str
    seconds: float | None
    counts: Mapping[str, int]
    failures: Mapping[str, int]  # stage -> failed papers
    calls: int
    tokens: int
    cost: float
    publish_errors: tuple[str, ...]
    failed: tuple[Mapping[str, str], ...] = ()  # paper_id, stage, reason, path
    unpriced_calls: int = 0  # calls of a model with no known price

    @property
    def cost_text(self) -> str:
        return cost_text(self.cost, self.calls, self.unpriced_calls)

    @property
    def outcomes(self) -> str:
        """"20 ok · 2 flagged · 1 failed": the counts that are not zero (one cell, so the table fits)."""
        shown = [f"{n} {status}" for status in ("ok", "flagged", "failed", "skipped")
                 if (n := self.counts.get(status, 0))]
        return " · ".join(shown) or "no papers"


@dataclass(frozen=True)
class RunsView:
    """The run-health page: recent runs and their totals."""

    runs: tuple[RunView, ...]

    @property
    def by_stage(self) -> list[tuple[str, int]]:
        """Failed papers per stage over these runs, most first."""
        totals: dict[str, int] = {}
        for run in self.runs:
            for stage, n in run.failures.items():
                totals[stage] = totals.get(stage, 0) + n
        return sorted(totals.items(), key=lambda kv: -kv[1])

    @property
    def papers(self) -> int:
        return sum(sum(r.counts.values()) for r in self.runs)

    @property
    def failed(self) -> int:
        return sum(r.counts.get("failed", 0) for r in self.runs)

    @property
    def cost(self) -> float:
        return sum(r.cost for r in self.runs)

    @property
    def cost_text(self) -> str:
        return cost_text(self.cost, sum(r.calls for r in self.runs), sum(r.unpriced_calls for r in self.runs))

    @property
    def tokens(self) -> int:
        return sum(r.tokens for r in self.runs)


def run_view(run: Mapping[str, object], failed: Sequence[Mapping[str, str]] = ()) -> RunView:
    """A row of `Store.run_history()` (its failures by stage) and its failed outcomes (`Store.failed_outcomes`),
    each given the path of the paper's page."""
    usage = run["usage"]
    started = _parse_time(run.get("started_at"))
    finished = _parse_time(run.get("finished_at"))
    edition = " ".join(str(x) for x in (run.get("day"), run.get("source"), run.get("lang")) if x)
    return RunView(
        id=int(run["id"]),  # type: ignore[call-overload]
        command=str(run.get("command") or ""), edition=edition,
        started_at=started.strftime("%Y-%m-%d %H:%M") if started else "",
        seconds=(finished - started).total_seconds() if started and finished else None,
        counts=dict(run.get("counts") or {}),  # type: ignore[call-overload]
        failures=dict(run.get("failures_by_stage") or {}),  # type: ignore[call-overload]
        calls=getattr(usage, "calls", 0), tokens=getattr(usage, "total_tokens", 0),
        cost=getattr(usage, "cost", 0.0), unpriced_calls=getattr(usage, "unpriced_calls", 0),
        publish_errors=tuple(run.get("publish_errors") or ()),  # type: ignore[arg-type]
        failed=tuple({**f, "path": paper_path(f["paper_id"])} for f in failed),
    )


def _parse_time(value: object) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
