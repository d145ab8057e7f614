"""`parse`: digest Markdown, in any variant of the archive, back to Digests, with the oddities met on the way
(see the package docstring). Tolerant: only a file that is no digest at all is a FormatError."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from dailypapers.digestformat.escaping import safe_url, split_unescaped, unattr, unescape
from dailypapers.digestformat.normalizing import flag_claim, guess_lang, paper_id_from_url
from dailypapers.digestformat.syntax import (
    EXTRACTIVE_LINE,
    FLAG_OPEN,
    ID_ANCHOR,
    LOCAL_ANCHOR,
    MARK_EMPHASIS,
    MAX_LABEL_CHARS,
    MAX_URL_CHARS,
)
from dailypapers.errors import FormatError, InputError
from dailypapers.models import (
    DEFAULT_LANG,
    DEFAULT_SOURCE,
    Claim,
    Digest,
    Emphasis,
    Entry,
    Paper,
    PeriodDigest,
    Section,
    Span,
    Summary,
)
from dailypapers.text import clean_line, clip

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ODDITIES = 200  # per file: a hostile file cannot flood the terminal

_HEADER = re.compile(r"## Daily Papers \((.*)\)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^<>\s]*)>?\s*\)")
_WATCH = re.compile(r"\[Watch Video\](?:\(\s*<?([^<>\s]*)>?\s*\)|\s*<?([^<>\s()]+)>?)")
# Matched at the start of the line only (`.match`), with bounded repeats: a search through a line of
# "<video" repeated, each trying every later `src=`, was quadratic.
_VIDEO_TAG = re.compile(rf"""(?:<div>)?<video\b[^>]{{0,200}}?\bsrc=(["'])([^"'<>]{{0,{MAX_URL_CHARS}}})\1""")
_VOTE = re.compile(r"Vote:\s*(-?\d{1,18})")
_NO_VOTE = re.compile(r"Vote:\s*-?")  # "Vote: -": the count was not known yet
# The label may hold escaped characters but no bare `*`: `(?:[^*\\]|\\.)` cannot backtrack, so it is linear.
_LABEL = re.compile(rf"(\*\*\*|\*\*)((?:[^*\\\n]|\\.){{1,{MAX_LABEL_CHARS}}})\1:[ \t]?")


@dataclass(frozen=True)
class Oddity:
    """Something in a file that is not the modern format, and what the reader did about it."""

    line: int
    message: str
    source: str | None = None

    def __str__(self) -> str:
        return f"{self.source or 'line'}{':' if self.source else ' '}{self.line}: {self.message}"


@dataclass(frozen=True)
class ParsedDays:
    """Every day a file holds (almost always one), in the order they first appear, and its oddities."""

    days: tuple[Digest, ...]
    oddities: tuple[Oddity, ...] = ()

    def one(self, source: str | None = None) -> Digest:
        if len(self.days) != 1:
            shown = ", ".join(d.day.isoformat() for d in self.days)
            raise FormatError(f"this file holds {len(self.days)} days ({shown}); `dailypapers import` reads "
                              "each of them", source=source)
        return self.days[0]


def read_days(path: Path) -> ParsedDays:
    """Read and parse one digest file; a file that cannot be read is an InputError (or FormatError) naming it."""
    return parse_days(_read_text(Path(path)), source=str(path))


def read_any(path: Path) -> ParsedDays | PeriodDigest:
    """A digest file's days, or, for a weekly or monthly digest (`render_period`), its edition (of the default
    source and language: the caller says which)."""
    text = _read_text(Path(path))
    if period_span(text) is not None:
        return parse_period(text, origin=str(path))
    return parse_days(text, source=str(path))


def _read_text(path: Path) -> str:
    """A digest file's text: bounded in size, UTF-8, no NUL bytes (InputError or FormatError naming it)."""
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
    return text


def read_digest(path: Path) -> Digest:
    """The one day a digest file holds (see `read_days` for files that hold more, and the oddities)."""
    return read_days(path).one(str(path))


def parse(text: str, *, source: str | None = None) -> Digest:
    """The one day of digest Markdown (see `parse_days` for the oddities and files that hold more)."""
    return parse_days(text, source=source).one(source)


_PERIOD_HEADER = re.compile(r"## (?:Weekly Papers \((\d{4}-\d{2}-\d{2}) – (\d{4}-\d{2}-\d{2})\)|"
                            r"Monthly Papers \((\d{4}-\d{2})\))")


def period_span(text: str) -> Span | None:
    """The span a weekly or monthly digest's header names, or None when the text does not begin with one.
    FormatError for a header whose dates are not a week (Monday to Sunday) or a month."""
    first = next((ln.strip() for ln in text.removeprefix("\ufeff").split("\n", 20)[:20] if ln.strip()), "")
    m = _PERIOD_HEADER.fullmatch(first)
    if m is None:
        return None
    try:
        if m.group(3):
            return Span.parse("month", m.group(3))
        start, end = dt.date.fromisoformat(m.group(1)), dt.date.fromisoformat(m.group(2))
    except ValueError as exc:
        raise FormatError(f"bad period in the header: {exc}") from None
    span = Span.of("week", start)
    if (span.start, span.end) != (start, end):
        raise FormatError(f"bad week in the header: {start} – {end} is not Monday to Sunday")
    return span


def parse_period(text: str, *, source: str = DEFAULT_SOURCE, lang: str = DEFAULT_LANG,
                 origin: str | None = None) -> PeriodDigest:
    """A weekly or monthly digest (`render_period`) read back: its entries are read as a day's are."""
    span = period_span(text)
    if span is None:
        raise FormatError("not a weekly or monthly digest: no '## Weekly Papers (...)' or '## Monthly Papers "
                          "(...)' header", source=origin)
    body = text.removeprefix("\ufeff").lstrip().split("\n", 1)
    day = parse(f"## Daily Papers ({span.start.isoformat()})\n" + (body[1] if len(body) > 1 else ""),
                source=origin)
    return PeriodDigest(span=span, source=source, lang=lang, entries=day.entries)


def parse_days(text: str, *, source: str | None = None) -> ParsedDays:
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
        summary = Summary(paper_id=paper_id, lang=guess_lang(sections), sections=sections,
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
        cur.claims.extend(flag_claim(c, section.label) for c in claims)

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
            names = (clean_line(unescape(x)) for x in split_unescaped(line[len("Authors:") :], ","))
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
            raw = unattr(m.group(2).strip()) if m else None
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

    def finish(self) -> ParsedDays:
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
        return ParsedDays(days=tuple(digests), oddities=tuple(odd))


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
        link = safe_url(raw) or (raw if raw.startswith((LOCAL_ANCHOR, ID_ANCHOR)) else None)
        if link is None:
            what = "without a link" if not raw else f"whose link is not a well-formed http(s) URL ({_snippet(raw)})"
            reader.odd(n, f"a title {what}: given a local id from its title")
    else:
        title, link = body, None
        if title.startswith("[") and title.endswith("]"):
            title = title[1:-1]
        reader.odd(n, f"a title without a link: given a local id from its title: {_snippet(line)}")
    return _EntryBuilder(n, clean_line(unescape(title)), link)


def _parse_bullet(cur: _EntryBuilder, body: str) -> bool:
    """Add the section a bullet opens. Returns True if its line ends with a hard break."""
    m = _LABEL.match(body)
    if m is None:
        label, emphasis, rest = "", "plain", body
    else:
        label, emphasis, rest = clean_line(unescape(m.group(2))), MARK_EMPHASIS[m.group(1)], body[m.end() :]
    text, hard_break, claims = _section_line(rest)
    cur.sections.append(_SectionBuilder(label, emphasis, text))
    cur.claims.extend(flag_claim(c, label) for c in claims)
    return hard_break


def _section_line(raw: str) -> tuple[str, bool, list[str]]:
    """One line of a section: its text, whether it ends with a hard break (an odd number of backslashes:
    an even number is escaped backslashes), and the claims of a trailing flag marker."""
    raw = raw.rstrip()
    tail = len(raw) - len(raw.rstrip("\\"))
    if tail % 2:
        return clean_line(unescape(raw[:-1])), True, []
    text, claims = _split_flags(raw)
    return clean_line(unescape(text)), False, claims


def _split_flags(text: str) -> tuple[str, list[str]]:
    """Strip a trailing ` ⚠️(unverified: a; b)` marker; return the text and the claims it named."""
    if not text.endswith(")"):
        return text, []
    i = text.rfind(FLAG_OPEN)
    if i < 0:
        return text, []
    claims = (clean_line(unescape(c)) for c in split_unescaped(text[i + len(FLAG_OPEN) : -1], ";"))
    return text[:i], [c for c in claims if c]



def _snippet(text: str) -> str:
    """A piece of a line quoted in a message: `text.clip`ped, as a literal (controls show escaped)."""
    return repr(clip(text, 60))
