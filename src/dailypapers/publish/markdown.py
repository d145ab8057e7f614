"""The digest Markdown format: `render` a Digest byte for byte as the archive has it; `parse` any day back.

The format (see shared/spec/digest-format.md)::

    ## Daily Papers (YYYY-MM-DD)

    ### [<title>](<url>)

    ![](<thumbnail url>)

    Vote: <upvotes>

    Authors: <name>, <name>, ...

    - ***What's New***: <text>
    - ***Technical Details***: <text>
    - ***Performance Highlights***: <text>

`render` writes the modern form. A video entry replaces the image line with ``[Watch Video](<mp4>)`` and
``<div><video controls src="<mp4>" muted="false"></video></div>``; no ``Vote:`` line when upvotes are unknown;
no ``Authors:`` line when there are none. A paper without a link of its own (a local PDF without an arXiv id)
links to an anchor named after its id, ``### [<title>](#local-<12 hex>)``, which `parse` reads back to that id.
A section text of several lines ends each line but the last with a hard break (``\\``) and indents the next
by two spaces under its bullet.

Untrusted text cannot become Markdown or HTML. Titles, author names, labels, section texts and flagged claims
are written with a backslash before every character that could open a construct (``\\ ` * _ [ ] < & ~``;
``# > + - = | :`` and ``1.`` where a line starts; ``,`` in names, ``;`` in claims) and with bare links defused
(``https\\://``, ``www\\.``, ``a\\@b.org``), so a CommonMark or GitHub renderer shows them as the text they are and
`parse` removes exactly those backslashes. Ordinary text has none of these characters, so the sample renders
byte for byte. URLs (title link, thumbnail, video) are written only when they are well-formed http(s) URLs
(or a root-relative path, as old thumbnails are) of at most MAX_URL_CHARS: anything else is left out.
`normalize` is what the format carries of a record; ``parse(render(d)) == normalize_digest(d)``.

`parse` is tolerant: it reads every variant of the archive and keeps every entry, and reports each oddity
(`Oddity`: file, line, what was done) instead of failing; only a file that is not a digest at all (binary,
not UTF-8, empty, no ``## Daily Papers (YYYY-MM-DD)`` header first) is a FormatError. Variants read:
``Vote: -`` and no ``Vote:`` line (votes unknown), the image or video line right under the title, both
``[Watch Video](<mp4>)`` and ``[Watch Video]<mp4>`` with or without the ``<video>`` tag line, plain bullet
summaries (sections with label "" and emphasis "plain"), extra labels (``**Limitations**:``) in order,
lines under a bullet (indented wrapped text joins its line; a numbered list or a formula line is kept as a
further line of that section), the day's header written again in the same file (one day; a paper listed
twice is kept once, the first time; `Parsed.days` holds each other day a file has), any http(s) title link
(arXiv abs/pdf links map to the canonical id, the version goes to `Paper.version`; other links give a
``local:<12 hex>`` id and keep the link as ``links["abs"]``), and headings without a link (``### [Title]()``,
``### Title``: a ``local:`` id from the title and authors). The title's link is the last ``](...)`` of the
line, so ``]`` and ``)`` inside older unescaped titles survive.

Two markers carry pipeline state through the Markdown:

- Flagged claims. With ``show_flags``, a section whose text has unsupported claims (``Summary.unsupported``
  with that ``section_label``) ends with `` ⚠️(unverified: <claim>; <claim>)``. `parse` strips the marker and
  restores each claim as ``Claim(status="unsupported", kind="number" if it has a digit else "name")``.
- Extractive summaries. ``summary.model == "extractive"`` renders the line ``_Extractive summary: sentences
  quoted from the paper (no LLM configured)._`` and a blank line before the bullets; `parse` sets
  ``model="extractive"`` when it sees it.

Everything here is a pure function of its input except `read_days`/`read_digest`, and linear in its size.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

from dailypapers.arxiv_id import canonical_id
from dailypapers.errors import FormatError, InputError, PublishError
from dailypapers.hookspecs import hookimpl
from dailypapers.models import Claim, Digest, Edition, Emphasis, Entry, Paper, Section, Summary, first_per_paper
from dailypapers.publish.base import FileLedger, PublishContext
from dailypapers.publish.files import write_atomic
from dailypapers.text import HANGUL as _HANGUL
from dailypapers.text import clip, one_line, strip_controls

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_URL_CHARS = 4096  # a longer URL is not written, and not read as a link
MAX_LABEL_CHARS = 200
MAX_ODDITIES = 200  # per file: a hostile file cannot flood the terminal

FLAG_OPEN = " ⚠️(unverified: "
FLAG_SEP = "; "
EXTRACTIVE_LINE = "_Extractive summary: sentences quoted from the paper (no LLM configured)._"
LOCAL_ANCHOR = "#local-"  # the title link of a paper with no link of its own: #local-<12 hex>
_ID_ANCHOR = "#id-"  # the same for any other id that makes no well-formed URL (never seen in practice)
CONTINUATION_INDENT = "  "

_HEADER = re.compile(r"## Daily Papers \((.*)\)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^<>\s]*)>?\s*\)")
_WATCH = re.compile(r"\[Watch Video\](?:\(\s*<?([^<>\s]*)>?\s*\)|\s*<?([^<>\s()]+)>?)")
# Matched at the start of the line only (`.match`), with bounded repeats: a search through a line of
# "<video" repeated, each trying every later `src=`, was quadratic.
_VIDEO_TAG = re.compile(rf"""(?:<div>)?<video\b[^>]{{0,200}}?\bsrc=(["'])([^"'<>]{{0,{MAX_URL_CHARS}}})\1""")
MAX_VOTES = 10**18  # a vote count fits in SQLite's integer
_VOTE = re.compile(r"Vote:\s*(-?\d{1,18})")
_NO_VOTE = re.compile(r"Vote:\s*-?")  # "Vote: -": the count was not known yet
# The label may hold escaped characters but no bare `*`: `(?:[^*\\]|\\.)` cannot backtrack, so it is linear.
_LABEL = re.compile(rf"(\*\*\*|\*\*)((?:[^*\\\n]|\\.){{1,{MAX_LABEL_CHARS}}})\1:[ \t]?")
_DIGIT = re.compile(r"\d")

_EMPHASIS_MARK: dict[Emphasis, str] = {"bold_italic": "***", "bold": "**", "plain": ""}
_MARK_EMPHASIS: dict[str, Emphasis] = {"***": "bold_italic", "**": "bold"}


# -- escaping ----------------------------------------------------------------------------------------
# What a backslash escapes in CommonMark: ASCII punctuation. `parse` removes a backslash only before these.
_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
# Characters that open a construct anywhere in a line: escapes, code, emphasis, links and images, raw HTML
# and autolinks, entities, strikethrough. None of them occurs in the sample's texts.
_INLINE = "\\`*_[]<&~"
# Bare links that GitHub and linkify turn into links: a backslash before the `:` of `://` and `mailto:`, the
# `.` of `www.`, the first `/` of `//`, the `@` of an e-mail address (wherever they are: `_https://` is still
# linked; `HIT@1` is no address).
_BARE_LINK = re.compile(r":(?=//)|(?i:(?<=mailto)):|(?i:(?<=www))\.|(?<!:)/(?=/)|@(?=[\w-]+\.\w)")
# Where a line starts, these open a block: heading, quote, list items, setext underline, table delimiter row.
_BLOCK_START = re.compile(r"[#>+=|:-]|\d{1,9}(?=[.)])")
_FLAG_MARK = "⚠️("  # the flag marker's opening, escaped wherever a text holds it


@functools.cache
def _table(extra: str) -> dict[int, str]:
    return {ord(c): "\\" + c for c in _INLINE + extra}


def escape(text: str, *, extra: str = "", line_start: bool = False) -> str:
    """One line of untrusted text as Markdown that shows exactly this text (see the module docstring).

    `extra` names further characters to escape (a field's own separators); `line_start` also escapes what
    would open a block at the start of a line. `unescape` reverses it."""
    out = _BARE_LINK.sub(lambda m: "\\" + m.group(), text.translate(_table(extra)))
    if line_start:
        m = _BLOCK_START.match(out)
        if m is not None:
            # "# x" -> "\# x"; "1. x" -> "1\. x": the backslash goes before the marker's punctuation
            out = f"{out[: m.end()]}\\{out[m.end():]}" if m.group()[0].isdigit() else "\\" + out
    return out.replace(_FLAG_MARK, "⚠️\\(") if _FLAG_MARK in out else out


def unescape(text: str) -> str:
    """The text a Markdown renderer shows for these characters' backslash escapes."""
    return _UNESCAPE.sub(r"\1", text) if "\\" in text else text


def _split(text: str, sep: str) -> list[str]:
    """Split on `sep` where it is not backslash-escaped (an escaped pair is skipped whole): linear."""
    parts: list[str] = []
    start = 0
    for m in re.finditer(r"\\.|" + re.escape(sep), text):
        if m.group() == sep:
            parts.append(text[start : m.start()])
            start = m.end()
    parts.append(text[start:])
    return parts


def _clean(text: str) -> str:
    """One line without what is never text (`text.strip_controls`: controls, bidi marks and overrides, lone
    surrogates, noncharacters): a title cannot reorder what a reader sees, nor fail the UTF-8 write."""
    return one_line(strip_controls(text))


def _lines(text: str) -> list[str]:
    """A section text as the lines it is written in: each collapsed to single spaces, empty ones dropped."""
    return [x for x in (_clean(line) for line in text.split("\n")) if x]


_SAFE_URL = re.compile(
    r"(?:https?://[A-Za-z0-9][A-Za-z0-9.-]*(?::\d{1,5})?(?=[/?#]|$)|/(?=[^/]))"
    r"(?:[A-Za-z0-9\-._~!$&'*+,;=:@/?#]|%[0-9A-Fa-f]{2})*",
    re.ASCII,
)


def safe_url(url: str | None, *, relative: bool = False) -> str | None:
    """The URL if it is a well-formed http(s) URL (or, with `relative`, a root-relative path such as old
    digests' `/avatars/x.svg`) in plain ASCII without spaces, quotes, brackets, parentheses or backslashes,
    and at most MAX_URL_CHARS long; else None. Such a URL cannot leave a Markdown link or an HTML attribute."""
    if not url or len(url) > MAX_URL_CHARS or _SAFE_URL.fullmatch(url) is None:
        return None
    if not relative and url.startswith("/"):
        return None
    return url


# -- what the format carries -----------------------------------------------------------------------
def title_link(paper: Paper) -> str:
    """The link `render` writes for a paper: its URL when well-formed, else an anchor named after its id."""
    url = safe_url(paper.url)
    if url is not None:
        return url
    if paper.id.startswith("local:"):
        return LOCAL_ANCHOR + quote(paper.id[len("local:") :], safe="")
    return _ID_ANCHOR + quote(paper.id, safe="")


def normalize(entry: Entry) -> Entry:
    """The entry as the Markdown carries it: what `parse(render(...))` gives back.

    Text fields collapsed to one line (section texts line by line) without control characters, bidi marks,
    lone surrogates or noncharacters (`text.strip_controls`); URLs only when `safe_url`; a video entry has no
    thumbnail; the id, version and links as the title link says; the summary's language guessed from its
    text (Korean or English), its model only "extractive", its claims only the unsupported ones that have a
    section to be shown in."""
    p = entry.paper
    paper_id, version, links = paper_id_from_url(title_link(p))
    authors = tuple(a for a in (_clean(x) for x in p.authors) if a)
    video = safe_url(_clean(p.video or ""))
    thumbnail = None if video else safe_url(_clean(p.thumbnail or ""), relative=True)
    upvotes = p.upvotes if p.upvotes is not None and abs(p.upvotes) < MAX_VOTES else None
    paper = Paper(id=paper_id, version=version, title=_clean(p.title), authors=authors, upvotes=upvotes,
                  thumbnail=thumbnail, video=video, links=links)
    s = entry.summary
    if s is None or not s.sections:
        return Entry(paper=paper)
    sections = tuple(_normal_section(x) for x in s.sections)
    by_label: dict[str, list[str]] = {}
    for c in s.unsupported:
        claim = _clean(c.text)
        if claim:
            by_label.setdefault(c.section_label, []).append(claim)
    # a section shows the claims filed under its label, once per label (the first such section); labels that
    # normalize alike (every plain section has "") pool their claims under the first section that has it
    shown: dict[str, list[str]] = {}
    for original, sec in zip(s.sections, sections, strict=True):
        shown.setdefault(sec.label, []).extend(by_label.pop(original.label, []))
    claims = [_claim(text, sec.label) for sec in sections for text in shown.pop(sec.label, [])]
    summary = Summary(paper_id=paper_id, lang=_guess_lang(sections), sections=sections,
                      model="extractive" if s.model == "extractive" else None, claims=tuple(claims))
    return Entry(paper=paper, summary=summary)


def normalize_digest(digest: Digest) -> Digest:
    """The day as its Markdown carries it: each entry normalized, a paper listed twice kept once."""
    return digest.model_copy(update={"entries": tuple(first_per_paper(normalize(e) for e in digest.entries))})


def _normal_section(sec: Section) -> Section:
    text = "\n".join(_lines(sec.text))
    label = _clean(sec.label)[: MAX_LABEL_CHARS // 2].rstrip()  # escaped, it still fits the label grammar
    if sec.emphasis == "plain" or not label:
        return Section(label="", text=text, emphasis="plain")
    return Section(label=label, text=text, emphasis=sec.emphasis)


def _claim(text: str, label: str) -> Claim:
    return Claim(text=text, kind="number" if _DIGIT.search(text) else "name", status="unsupported",
                 section_label=label)


def _guess_lang(sections: tuple[Section, ...]) -> str:
    return "ko" if any(_HANGUL.search(s.text) for s in sections) else "en"


# -- render ----------------------------------------------------------------------------------------
def render(digest: Digest, *, show_flags: bool = True) -> str:
    """The day as digest Markdown. Entries are written in the order given (the caller ranks them)."""
    parts = [f"## Daily Papers ({digest.day.isoformat()})\n\n"]
    parts.extend(_render_entry(e, show_flags) for e in normalize_digest(digest).entries)
    return "".join(parts)


def _render_entry(entry: Entry, show_flags: bool) -> str:
    p = entry.paper  # normalized: every field is clean, every URL safe
    out = [f"### [{escape(p.title)}]({title_link(p)})\n\n"]
    if p.video:
        out.append(f"[Watch Video]({p.video})\n")
        out.append(f'<div><video controls src="{_attr(p.video)}" muted="false"></video></div>\n\n')
    elif p.thumbnail:
        out.append(f"![]({p.thumbnail})\n\n")
    if p.upvotes is not None:
        out.append(f"Vote: {p.upvotes}\n\n")
    if p.authors:
        out.append("Authors: " + ", ".join(escape(a, extra=",") for a in p.authors) + "\n\n")
    s = entry.summary
    if s is not None:
        if s.model == "extractive":
            out.append(EXTRACTIVE_LINE + "\n\n")
        for sec, claims in section_claims(s, show_flags=show_flags):
            out.append(_render_section(sec, claims))
        out.append("\n")
    return "".join(out)


def section_claims(summary: Summary, *, show_flags: bool = True) -> list[tuple[Section, tuple[str, ...]]]:
    """Each section of a normalized summary with the claims its flag marker names: a label's claims go to
    the first section with that label (none when `show_flags` is off)."""
    flags: dict[str, list[str]] = {}
    if show_flags:
        for c in summary.claims:
            flags.setdefault(c.section_label, []).append(c.text)
    return [(sec, tuple(flags.pop(sec.label, ()))) for sec in summary.sections]


def _render_section(sec: Section, claims: Sequence[str]) -> str:
    """One bullet; a text of several lines ends each line but the last with a hard break (`\\`) and indents
    the next under the bullet, so a renderer shows the lines and `parse` reads them back as lines."""
    plain = sec.emphasis == "plain"
    first, *more = sec.text.split("\n")
    lines = [escape(first, line_start=plain), *(escape(x, line_start=True) for x in more)]
    if claims:
        lines[-1] += FLAG_OPEN + FLAG_SEP.join(escape(c, extra=";") for c in claims) + ")"
    if plain:
        head = f"- {lines[0]}"
    else:
        mark = _EMPHASIS_MARK[sec.emphasis]
        head = f"- {mark}{escape(sec.label)}{mark}: {lines[0]}"
    return f"\\\n{CONTINUATION_INDENT}".join([head.rstrip(), *lines[1:]]) + "\n"


def _attr(value: str) -> str:
    # The mp4 URL goes inside a double-quoted HTML attribute (a safe URL holds no quote or bracket; & it may).
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def _unattr(value: str) -> str:
    return value.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# -- parse -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Oddity:
    """Something in a file that is not the modern format, and what the reader did about it."""

    line: int
    message: str
    source: str | None = None

    def __str__(self) -> str:
        return f"{self.source or 'line'}{':' if self.source else ' '}{self.line}: {self.message}"


@dataclass(frozen=True)
class Parsed:
    """Every day a file holds (almost always one), in the order they first appear, and its oddities."""

    days: tuple[Digest, ...]
    oddities: tuple[Oddity, ...] = ()

    def one(self, source: str | None = None) -> Digest:
        if len(self.days) != 1:
            shown = ", ".join(d.day.isoformat() for d in self.days)
            raise FormatError(f"this file holds {len(self.days)} days ({shown}); `dailypapers import` reads "
                              "each of them", source=source)
        return self.days[0]


def read_days(path: Path) -> Parsed:
    """Read and parse one digest file; a file that cannot be read is an InputError (or FormatError) naming it."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise InputError(f"{path} is a directory, not a digest file")
        if size > MAX_FILE_BYTES:
            raise InputError(f"{path}: {size:,} bytes is over the {MAX_FILE_BYTES:,}-byte limit for a digest")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"no such file: {path}") from None
    except PermissionError:
        raise InputError(f"cannot read {path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    if b"\x00" in data:
        raise FormatError("binary file (NUL bytes), not a digest", source=str(path))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}), not a digest",
            source=str(path),
        ) from None
    return parse_days(text, source=str(path))


def read_digest(path: Path) -> Digest:
    """The one day a digest file holds (see `read_days` for files that hold more, and the oddities)."""
    return read_days(path).one(str(path))


def parse(text: str, *, source: str | None = None) -> Digest:
    """The one day of digest Markdown (see `parse_days` for the oddities and files that hold more)."""
    return parse_days(text, source=source).one(source)


def parse_days(text: str, *, source: str | None = None) -> Parsed:
    """Read digest Markdown (any variant of the archive) into its days and the oddities met on the way."""
    if "\x00" in text:
        raise FormatError("binary data (NUL characters), not a digest", source=source)
    reader = _Reader(source)
    # Only "\n" ends a line: str.splitlines() would also split on U+2028, \x0c ... inside a summary.
    for n, raw in enumerate(text.removeprefix("\ufeff").split("\n"), start=1):
        reader.feed(n, raw.rstrip("\r"))
    if not reader.days:
        if not text.strip():
            raise FormatError("empty file, not a digest", source=source)
        raise FormatError("not a digest: no '## Daily Papers (YYYY-MM-DD)' header", source=source)
    return reader.finish()


class _SectionBuilder:
    """One section as its lines are read: lines of pieces, joined once at the end (linear however long)."""

    def __init__(self, label: str, emphasis: Emphasis, text: str) -> None:
        self.label = label
        self.emphasis = emphasis
        self.lines: list[list[str]] = [[text]] if text else []

    def add(self, text: str, *, new_line: bool) -> None:
        if not text:
            return
        if new_line or not self.lines:
            self.lines.append([text])
        else:
            self.lines[-1].append(text)  # wrapped text: the same line

    def build(self) -> Section:
        return Section(label=self.label, text="\n".join(" ".join(parts) for parts in self.lines),
                       emphasis=self.emphasis)


class _EntryBuilder:
    """The fields of one entry as its lines are read."""

    def __init__(self, line: int, title: str, link: str | None) -> None:
        self.line = line
        self.title = title
        self.link = link  # None: a heading without a link; the id comes from the title and authors
        self.thumbnail: str | None = None
        self.video: str | None = None
        self.upvotes: int | None = None
        self.authors: tuple[str, ...] = ()
        self.extractive = False
        self.sections: list[_SectionBuilder] = []
        self.claims: list[Claim] = []
        self.seen: set[str] = set()

    def build(self) -> Entry:
        if self.link is None:
            material = "\n".join((self.title, *self.authors))
            paper_id, version, links = "local:" + hashlib.sha256(material.encode()).hexdigest()[:12], None, {}
        else:
            paper_id, version, links = paper_id_from_url(self.link)
        paper = Paper(
            id=paper_id, version=version, title=self.title, authors=self.authors, upvotes=self.upvotes,
            thumbnail=None if self.video else self.thumbnail, video=self.video, links=links,
        )
        if not self.sections:
            return Entry(paper=paper)
        sections = tuple(s.build() for s in self.sections)
        summary = Summary(paper_id=paper_id, lang=_guess_lang(sections), sections=sections,
                          model="extractive" if self.extractive else None, claims=tuple(self.claims))
        return Entry(paper=paper, summary=summary)


class _Reader:
    """The line-by-line state of `parse_days`: the days read so far, the entry being read, the oddities."""

    def __init__(self, source: str | None) -> None:
        self.source = source
        self.days: dict[dt.date, list[tuple[int, Entry]]] = {}
        self.day: dt.date | None = None
        self.cur: _EntryBuilder | None = None
        self.oddities: list[Oddity] = []
        self.dropped = 0
        self.in_section = False  # the previous line was a bullet or one of its continuation lines
        self.hard_break = False  # ... and it ended with a hard break: the next indented line is a new line
        self.odd_block = False  # the current run of unindented continuation lines was reported already

    def odd(self, n: int, message: str) -> None:
        if len(self.oddities) < MAX_ODDITIES:
            self.oddities.append(Oddity(n, message, self.source))
        else:
            self.dropped += 1

    def feed(self, n: int, line: str) -> None:
        stripped = line.strip()
        if not stripped:
            self.in_section = False
            return
        if self.day is None:
            self.start_day(n, _parse_header(stripped, n, self.source))
            return
        if stripped.startswith("### ") or stripped == "###":
            self.end_entry()
            self.cur = _parse_title(stripped, n, self)
            self.in_section = False
            return
        if stripped.startswith("## "):
            m = _HEADER.fullmatch(stripped)
            day = _header_date(m.group(1)) if m else None
            if day is not None:
                self.start_day(n, day)
                return
        cur = self.cur
        if cur is not None and cur.sections and self.in_section and line[:1] in (" ", "\t"):
            # under a bullet: a further line after a hard break (how `render` writes one), else wrapped text
            self.continue_section(cur, stripped, new_line=self.hard_break)
            return
        if cur is None:
            self.odd(n, f"a line outside any entry was skipped: {_snippet(stripped)}")
            return
        if stripped.startswith("- ") or stripped == "-":
            self.hard_break = _parse_bullet(cur, stripped[2:])
            self.in_section = True
            self.odd_block = False
            return
        kind = _meta_kind(stripped)
        reported = kind is not None and kind in cur.seen and kind != "video"
        if reported:  # one warning for the line, which is then kept as text like any other odd line
            self.odd(n, f"a second {kind} line in the same entry, kept as text (the first one counts)")
        elif kind is not None:
            self.place_meta(cur, kind, stripped, n)
            self.in_section = False
            return
        if cur.sections:
            # a numbered list, a formula, a paragraph under a bullet: kept as further lines of the section
            if not (reported or (self.in_section and self.odd_block)):
                self.odd(n, "lines under a summary bullet were kept as further lines of that section")
            self.continue_section(cur, stripped, new_line=True)
            self.in_section = self.odd_block = True
            return
        if not reported:
            self.odd(n, f"a line that is no part of an entry was kept as a summary line: {_snippet(stripped)}")
        self.hard_break = _parse_bullet(cur, stripped)
        self.in_section = True

    def continue_section(self, cur: _EntryBuilder, stripped: str, *, new_line: bool) -> None:
        section = cur.sections[-1]
        text, self.hard_break, claims = _section_line(stripped)
        section.add(text, new_line=new_line)
        cur.claims.extend(_claim(c, section.label) for c in claims)

    def place_meta(self, cur: _EntryBuilder, kind: str, line: str, n: int) -> None:
        """Read a meta line (votes, authors, image, video, extractive marker) into the entry."""
        if cur.sections:
            self.odd(n, f"a {kind} line after the summary bullets was read as the entry's {kind}")
        cur.seen.add(kind)
        if kind == "extractive marker":
            cur.extractive = True
        elif kind == "Vote":
            m = _VOTE.fullmatch(line)
            if m is not None:
                cur.upvotes = int(m.group(1))
            elif _NO_VOTE.fullmatch(line) is None:
                self.odd(n, f"a vote count that is not a number, read as unknown: {_snippet(line)}")
        elif kind == "Authors":
            names = (_clean(unescape(x)) for x in _split(line[len("Authors:") :], ","))
            cur.authors = tuple(a for a in names if a)
        elif kind == "image":
            m = _IMAGE.fullmatch(line)
            url = safe_url(m.group(1), relative=True) if m else None
            if url is None:
                self.odd(n, f"an image line without a well-formed http(s) URL was left out: {_snippet(line)}")
            cur.thumbnail = url
        else:
            self.read_video(cur, line, n)

    def read_video(self, cur: _EntryBuilder, line: str, n: int) -> None:
        if line.startswith("[Watch Video]"):
            m = _WATCH.fullmatch(line)
            raw = (m.group(1) or m.group(2)) if m else None
        else:
            m = _VIDEO_TAG.match(line)
            raw = _unattr(m.group(2).strip()) if m else None
        url = safe_url(raw)
        if url is None:
            self.odd(n, f"a video line without a well-formed http(s) URL was left out: {_snippet(line)}")
        elif cur.video is None:
            cur.video = url
        elif url != cur.video:
            self.odd(n, "a second video URL in the same entry: the first was kept")

    def start_day(self, n: int, day: dt.date) -> None:
        self.end_entry()
        if self.day is not None:
            if day == self.day or day in self.days:
                self.odd(n, f"the header of {day} again: its entries join that day (a paper listed twice is "
                            "kept once)")
            else:
                self.odd(n, f"a second day ({day}) in the same file: read as a day of its own")
        self.day = day
        self.days.setdefault(day, [])
        self.in_section = False

    def end_entry(self) -> None:
        if self.cur is not None:
            assert self.day is not None
            self.days[self.day].append((self.cur.line, self.cur.build()))
            self.cur = None

    def finish(self) -> Parsed:
        self.end_entry()
        digests = []
        for day, found in self.days.items():
            first: dict[str, tuple[int, Entry]] = {}
            for n, entry in found:
                if entry.paper.id not in first:
                    first[entry.paper.id] = (n, entry)
                    continue
                where, kept = first[entry.paper.id]
                diff = _differences(kept, entry)
                how = f"it differs in {', '.join(diff)}" if diff else "the same entry"
                self.odd(n, f"{entry.paper.id} is listed again (first at line {where}; {how}): the first was "
                            "kept")
            digests.append(Digest(day=day, entries=tuple(e for _, e in first.values())))
        odd = sorted(self.oddities, key=lambda o: o.line)  # stable: a line's oddities keep their order
        if self.dropped:
            odd.append(Oddity(odd[-1].line, f"and {self.dropped} more oddities", self.source))
        return Parsed(days=tuple(digests), oddities=tuple(odd))


def _meta_kind(line: str) -> str | None:
    if line == EXTRACTIVE_LINE:
        return "extractive marker"
    if line.startswith("Vote:"):
        return "Vote"
    if line.startswith("Authors:"):
        return "Authors"
    if line.startswith("!["):
        return "image"
    if line.startswith(("[Watch Video]", "<div><video", "<video")):
        return "video"
    return None


def _differences(a: Entry, b: Entry) -> list[str]:
    """The fields the Markdown shows in which two entries of the same paper differ, in the order shown."""
    pa, pb = a.paper, b.paper
    out = [name for name, x, y in (
        ("title", pa.title, pb.title), ("thumbnail", pa.thumbnail, pb.thumbnail), ("video", pa.video, pb.video),
        ("votes", pa.upvotes, pb.upvotes), ("authors", pa.authors, pb.authors),
    ) if x != y]
    sa = a.summary.sections if a.summary else ()
    sb = b.summary.sections if b.summary else ()
    if sa != sb:
        out.append("summary")
    return out


def _parse_header(line: str, n: int, source: str | None) -> dt.date:
    m = _HEADER.fullmatch(line)
    if m is None:
        raise FormatError(
            f"not a digest: expected '## Daily Papers (YYYY-MM-DD)', got {_snippet(line)}",
            line=n, source=source,
        )
    day = _header_date(m.group(1))
    if day is None:
        raise FormatError(f"bad date {_snippet(m.group(1).strip())} in the header: use YYYY-MM-DD", line=n,
                          source=source)
    return day


def _header_date(raw: str) -> dt.date | None:
    raw = raw.strip()
    if not _DATE.fullmatch(raw):
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def _parse_title(line: str, n: int, reader: _Reader) -> _EntryBuilder:
    """`### [title](link)`. The link is the last `](` of the line, so older, unescaped titles may hold `]`
    and `)`; a heading without a usable link keeps its title and is reported."""
    body = line[4:].strip()
    i = body.rfind("](", max(0, len(body) - MAX_URL_CHARS - 3)) if body.endswith(")") else -1
    if body.startswith("[") and i > 0:
        title, raw = body[1:i], body[i + 2 : -1].strip().removeprefix("<").removesuffix(">")
        link = safe_url(raw) or (raw if raw.startswith((LOCAL_ANCHOR, _ID_ANCHOR)) else None)
        if link is None:
            what = "without a link" if not raw else f"whose link is not a well-formed http(s) URL ({_snippet(raw)})"
            reader.odd(n, f"a title {what}: given a local id from its title")
    else:
        title, link = body, None
        if title.startswith("[") and title.endswith("]"):
            title = title[1:-1]
        reader.odd(n, f"a title without a link: given a local id from its title: {_snippet(line)}")
    return _EntryBuilder(n, _clean(unescape(title)), link)


def _parse_bullet(cur: _EntryBuilder, body: str) -> bool:
    """Add the section a bullet opens. Returns True if its line ends with a hard break."""
    m = _LABEL.match(body)
    if m is None:
        label, emphasis, rest = "", "plain", body
    else:
        label, emphasis, rest = _clean(unescape(m.group(2))), _MARK_EMPHASIS[m.group(1)], body[m.end() :]
    text, hard_break, claims = _section_line(rest)
    cur.sections.append(_SectionBuilder(label, emphasis, text))
    cur.claims.extend(_claim(c, label) for c in claims)
    return hard_break


def _section_line(raw: str) -> tuple[str, bool, list[str]]:
    """One line of a section: its text, whether it ends with a hard break (an odd number of backslashes:
    an even number is escaped backslashes), and the claims of a trailing flag marker."""
    raw = raw.rstrip()
    tail = len(raw) - len(raw.rstrip("\\"))
    if tail % 2:
        return _clean(unescape(raw[:-1])), True, []
    text, claims = _split_flags(raw)
    return _clean(unescape(text)), False, claims


def _split_flags(text: str) -> tuple[str, list[str]]:
    """Strip a trailing ` ⚠️(unverified: a; b)` marker; return the text and the claims it named."""
    if not text.endswith(")"):
        return text, []
    i = text.rfind(FLAG_OPEN)
    if i < 0:
        return text, []
    claims = (_clean(unescape(c)) for c in _split(text[i + len(FLAG_OPEN) : -1], ";"))
    return text[:i], [c for c in claims if c]


def paper_id_from_url(url: str) -> tuple[str, int | None, dict[str, str]]:
    """The paper id, version and links a title link stands for.

    arXiv abs/pdf links give the canonical id (version apart); an anchor `#local-<x>` gives `local:<x>`; any
    other link gives `local:<12 hex>` of the link and is kept as `links["abs"]`, which `Paper.url` renders back.
    """
    if url.startswith(LOCAL_ANCHOR):
        return "local:" + unquote(url[len(LOCAL_ANCHOR) :]), None, {}
    if url.startswith(_ID_ANCHOR):
        return unquote(url[len(_ID_ANCHOR) :]), None, {}
    try:
        paper_id, version = canonical_id(url)
    except InputError:
        return "local:" + hashlib.sha256(url.encode()).hexdigest()[:12], None, {"abs": url}
    return paper_id, version, {}


def _snippet(text: str) -> str:
    """A piece of a line quoted in a message: `text.clip`ped, as a literal (controls show escaped)."""
    return repr(clip(text, 60))


# -- the publisher -----------------------------------------------------------------------------------
def default_path(edition: Edition, root: Path, *, main: bool = True) -> Path:
    """Where an edition's digest goes under `root`: `YYYY/MM/DD.md` for the main edition (the configured
    source and language), `<source>/<lang>/YYYY/MM/DD.md` for every other."""
    day = edition.day
    folder = root if main else root.joinpath(*edition.slug.split("/"))
    return folder / f"{day:%Y}" / f"{day:%m}" / f"{day:%d}.md"


class MarkdownPublisher:
    """The edition's digest as Markdown, written atomically (see `default_path`, or `digest --out`)."""

    name = "markdown"
    description = "the digest file in the seed format (out_dir/YYYY/MM/DD.md, or --out)"

    def publish(self, digest: Digest, ctx: PublishContext) -> list[str]:
        path = ctx.out or default_path(digest.edition, ctx.settings.out_dir, main=ctx.main_edition)
        refusal = replace_refusal(path, digest.edition, ctx.files, named=ctx.out is not None)
        if refusal:
            raise PublishError(refusal)
        try:
            write_atomic(path, render(digest, show_flags=ctx.settings.show_flags))
        except OSError as exc:
            raise PublishError(f"cannot write {path}: {exc.strerror or exc}") from None
        if ctx.files is not None:
            ctx.files.record_written(path, digest.edition)
        return [str(path)]


def replace_refusal(path: Path, edition: Edition, files: FileLedger | None, *, named: bool) -> str | None:
    """Why the digest of `edition` may not replace the file at `path`, or None when it may (no file there).

    A file the archive (`files`) wrote for this edition may be replaced, and, when the user named the path
    (`named`: `digest --out`), one it wrote for any edition. A file it has no record of may be replaced only
    when it is a digest of the same day (one an earlier archive wrote: after the Actions cache was evicted, or
    before this record was kept); anything else (another edition's digest, a file that is not a digest) is
    never lost."""
    if not path.is_file():
        return None  # nothing to lose (a directory fails the write, with its own message)
    owner = files.written_for(path) if files is not None else None
    if owner is not None:
        if owner == edition or named:
            return None
        return (f"{path} holds the {owner} edition, not replaced by the {edition} one (another source or "
                "language goes to out_dir/<source>/<lang>/; --out names another file)")
    try:
        days = read_days(path).days
    except (FormatError, InputError):
        return f"{path} exists and is not a digest: not replaced (move it away, or name another file with --out)"
    if [d.day for d in days] != [edition.day]:
        shown = ", ".join(d.day.isoformat() for d in days)
        return (f"{path} holds the digest of {shown}, not replaced by the {edition} edition (move it away, or "
                "name another file with --out)")
    return None


@hookimpl
def register_publishers(register: Callable[[object], None]) -> None:
    register(MarkdownPublisher())
