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
no ``Authors:`` line when there are none. Titles, author names and section texts are written on one line with
their whitespace collapsed to single spaces.

`parse` also reads the older variants: no ``Vote:`` line, no blank lines between the meta lines,
``<video src='...'></video>`` tags, plain bullet summaries (``- <sentence>``, kept as sections with label ""
and emphasis "plain"), extra labels (``**Limitations**:``) kept in order, and any http(s) title link (arXiv
abs/pdf links map to the canonical id, the version goes to `Paper.version`; other links give a
``local:<12 hex>`` id and keep the link as ``links["abs"]``). The title's link is the last ``](...)`` of the
line, so ``]`` and ``)`` inside a title survive.

Two markers carry pipeline state through the Markdown:

- Flagged claims. With ``show_flags``, a section whose text has unsupported claims (``Summary.unsupported``
  with that ``section_label``) ends with `` ⚠️(unverified: <claim>; <claim>)``. `parse` strips the marker and
  restores each claim as ``Claim(status="unsupported", kind="number" if it has a digit else "name")``.
- Extractive summaries. ``summary.model == "extractive"`` renders the line ``_Extractive summary: sentences
  quoted from the paper (no LLM configured)._`` and a blank line before the bullets; `parse` sets
  ``model="extractive"`` when it sees it.

Everything here is a pure function of its input except `read_digest`, and linear in the input size.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from dailypapers.arxiv_id import canonical_id
from dailypapers.errors import FormatError, InputError, PublishError
from dailypapers.hookspecs import hookimpl
from dailypapers.models import Claim, Digest, Edition, Emphasis, Entry, Paper, Section, Summary
from dailypapers.publish.base import PublishContext
from dailypapers.publish.files import write_atomic
from dailypapers.text import HANGUL as _HANGUL
from dailypapers.text import one_line

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_URL_CHARS = 4096  # a title link longer than this is not a link
MAX_LABEL_CHARS = 200

FLAG_OPEN = " ⚠️(unverified: "
FLAG_SEP = "; "
EXTRACTIVE_LINE = "_Extractive summary: sentences quoted from the paper (no LLM configured)._"

_HEADER = re.compile(r"## Daily Papers \((.*)\)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_IMAGE = re.compile(r"!\[[^\]]*\]\((.*)\)")
_WATCH = re.compile(r"\[Watch Video\]\(<?(.*?)>?\)")
_VIDEO_TAG = re.compile(r"""<video\b[^>]*?\bsrc=(["'])([^"']*)\1""")
_VOTE = re.compile(r"Vote:\s*(-?\d{1,12})")
# The label may not contain `*`, so `[^*]{1,N}` cannot backtrack: matching is linear.
_LABEL = re.compile(rf"(\*\*\*|\*\*)([^*\n]{{1,{MAX_LABEL_CHARS}}})\1:[ \t]?")
_DIGIT = re.compile(r"\d")

_EMPHASIS_MARK: dict[Emphasis, str] = {"bold_italic": "***", "bold": "**", "plain": ""}
_MARK_EMPHASIS: dict[str, Emphasis] = {"***": "bold_italic", "**": "bold"}


# -- render ----------------------------------------------------------------------------------------
def render(digest: Digest, *, show_flags: bool = True) -> str:
    """The day as digest Markdown. Entries are written in the order given (the caller ranks them)."""
    parts = [f"## Daily Papers ({digest.day.isoformat()})\n\n"]
    parts.extend(_render_entry(e, show_flags) for e in digest.entries)
    return "".join(parts)


def _render_entry(entry: Entry, show_flags: bool) -> str:
    p = entry.paper
    out = [f"### [{one_line(p.title)}]({p.url})\n\n"]
    if p.video:
        video = one_line(p.video)
        out.append(f"[Watch Video]({video})\n")
        out.append(f'<div><video controls src="{_attr(video)}" muted="false"></video></div>\n\n')
    elif p.thumbnail:
        out.append(f"![]({one_line(p.thumbnail)})\n\n")
    if p.upvotes is not None:
        out.append(f"Vote: {p.upvotes}\n\n")
    if p.authors:
        out.append("Authors: " + ", ".join(one_line(a) for a in p.authors) + "\n\n")
    s = entry.summary
    if s is not None and s.sections:
        if s.model == "extractive":
            out.append(EXTRACTIVE_LINE + "\n\n")
        flags = _flags_by_label(s) if show_flags else {}
        for sec in s.sections:
            out.append(_render_section(sec, flags.get(sec.label, ())))
        out.append("\n")
    return "".join(out)


def _render_section(sec: Section, claims: tuple[str, ...]) -> str:
    text = one_line(sec.text)
    if claims:
        text = f"{text}{FLAG_OPEN}{FLAG_SEP.join(claims)})"
    if sec.emphasis == "plain" or not sec.label:
        return f"- {text}\n"
    mark = _EMPHASIS_MARK[sec.emphasis]
    return f"- {mark}{one_line(sec.label)}{mark}: {text}\n"


def _flags_by_label(summary: Summary) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for c in summary.unsupported:
        claim = one_line(c.text)
        if claim:
            out.setdefault(c.section_label, []).append(claim)
    return {k: tuple(v) for k, v in out.items()}


def _attr(value: str) -> str:
    # The mp4 URL goes inside a double-quoted HTML attribute.
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def _unattr(value: str) -> str:
    return value.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# -- parse -----------------------------------------------------------------------------------------
def read_digest(path: Path) -> Digest:
    """Read and parse one digest file; every failure is an InputError (or FormatError) naming the file."""
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
    return parse(text, source=str(path))


class _EntryBuilder:
    """The fields of one entry as its lines are read."""

    def __init__(self, title: str, url: str, line: int) -> None:
        self.title = title
        self.url = url
        self.line = line
        self.thumbnail: str | None = None
        self.video: str | None = None
        self.upvotes: int | None = None
        self.authors: tuple[str, ...] = ()
        self.extractive = False
        self.sections: list[Section] = []
        self.claims: list[Claim] = []
        self.seen: set[str] = set()

    def once(self, what: str, n: int, source: str | None) -> None:
        if what in self.seen:
            raise FormatError(f"a second {what} line in the same entry", line=n, source=source)
        if self.sections:
            raise FormatError(f"{what} line after the summary bullets", line=n, source=source)
        self.seen.add(what)

    def build(self) -> Entry:
        paper_id, version, links = paper_id_from_url(self.url)
        paper = Paper(
            id=paper_id, version=version, title=self.title, authors=self.authors, upvotes=self.upvotes,
            thumbnail=None if self.video else self.thumbnail, video=self.video, links=links,
        )
        summary = None
        if self.sections:
            text = " ".join(s.text for s in self.sections)
            summary = Summary(
                paper_id=paper_id,
                lang="ko" if _HANGUL.search(text) else "en",
                sections=tuple(self.sections),
                model="extractive" if self.extractive else None,
                claims=tuple(self.claims),
            )
        return Entry(paper=paper, summary=summary)


def parse(text: str, *, source: str | None = None) -> Digest:
    """Read one day of digest Markdown (any variant of the archive) into a Digest."""
    if "\x00" in text:
        raise FormatError("binary data (NUL characters), not a digest", source=source)
    # Only "\n" ends a line: str.splitlines() would also split on U+2028, \x0c ... inside a summary.
    lines = text.removeprefix("\ufeff").split("\n")
    day: dt.date | None = None
    entries: list[Entry] = []
    cur: _EntryBuilder | None = None
    last_bullet = False  # the previous line was a bullet, so an indented line continues it

    for n, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r")
        stripped = line.strip()
        if not stripped:
            last_bullet = False
            continue
        if day is None:
            day = _parse_header(stripped, n, source)
            continue
        if stripped.startswith("### "):
            if cur is not None:
                entries.append(cur.build())
            title, url = _parse_title(stripped, n, source)
            cur = _EntryBuilder(title, url, n)
            last_bullet = False
            continue
        if stripped.startswith("## "):
            raise FormatError("a second day header; one file holds one day", line=n, source=source)
        if cur is None:
            raise FormatError(f"expected an entry title '### [title](url)', got {_snippet(stripped)}",
                              line=n, source=source)
        if last_bullet and line[:1] in (" ", "\t") and not stripped.startswith("- "):
            # A wrapped bullet: join it to the section it continues.
            prev = cur.sections[-1]
            cur.sections[-1] = prev.model_copy(update={"text": one_line(prev.text + " " + stripped)})
            continue
        last_bullet = _parse_entry_line(cur, stripped, n, source)

    if day is None:
        if not text.strip():
            raise FormatError("empty file, not a digest", source=source)
        raise FormatError("not a digest: no '## Daily Papers (YYYY-MM-DD)' header", source=source)
    if cur is not None:
        entries.append(cur.build())
    return Digest(day=day, entries=tuple(entries))


def _parse_header(line: str, n: int, source: str | None) -> dt.date:
    m = _HEADER.fullmatch(line)
    if m is None:
        raise FormatError(
            f"not a digest: expected '## Daily Papers (YYYY-MM-DD)', got {_snippet(line)}",
            line=n, source=source,
        )
    raw = m.group(1).strip()
    try:
        if not _DATE.fullmatch(raw):
            raise ValueError
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise FormatError(f"bad date {_snippet(raw)} in the header: use YYYY-MM-DD", line=n,
                          source=source) from None


def _parse_title(line: str, n: int, source: str | None) -> tuple[str, str]:
    """`### [title](url)`: the link is the last `](http...)` of the line, so titles may hold `]` and `)`."""
    if not line.startswith("### [") or not line.endswith(")"):
        raise FormatError(f"expected an entry title '### [title](url)', got {_snippet(line)}", line=n,
                          source=source)
    lo = max(5, len(line) - MAX_URL_CHARS - 3)  # only the tail can hold the link: keeps this linear
    end = len(line)
    while True:
        i = line.rfind("](", lo, end)
        if i < 0:
            raise FormatError(f"entry title without an http(s) link: {_snippet(line)}", line=n, source=source)
        url = line[i + 2 : -1].strip().removeprefix("<").removesuffix(">")
        if url.startswith(("http://", "https://")) and not any(c.isspace() for c in url):
            return one_line(line[5:i]), url
        end = i + 1


def _parse_entry_line(cur: _EntryBuilder, line: str, n: int, source: str | None) -> bool:
    """Place one non-blank line of an entry. Returns True if it was a summary bullet."""
    if line.startswith("- ") or line == "-":
        _parse_bullet(cur, line[2:], n)
        return True
    if line == EXTRACTIVE_LINE:
        cur.once("extractive marker", n, source)
        cur.extractive = True
    elif line.startswith("Vote:"):
        cur.once("Vote", n, source)
        m = _VOTE.fullmatch(line)
        if m is None:
            raise FormatError(f"bad vote count {_snippet(line)}: expected 'Vote: <number>'",
                              line=n, source=source)
        cur.upvotes = int(m.group(1))
    elif line.startswith("Authors:"):
        cur.once("Authors", n, source)
        cur.authors = tuple(a for a in (one_line(x) for x in line[len("Authors:") :].split(",")) if a)
    elif line.startswith("!["):
        cur.once("image", n, source)
        m = _IMAGE.fullmatch(line)
        if m is None:
            raise FormatError(f"bad image line {_snippet(line)}: expected '![](url)'", line=n, source=source)
        cur.thumbnail = m.group(1).strip().removeprefix("<").removesuffix(">")
    elif line.startswith("[Watch Video]("):
        cur.once("Watch Video", n, source)
        m = _WATCH.fullmatch(line)
        if m is None:
            raise FormatError(f"bad video link {_snippet(line)}", line=n, source=source)
        cur.video = cur.video or m.group(1).strip()
    elif line.startswith(("<div><video", "<video")):
        cur.once("video tag", n, source)
        m = _VIDEO_TAG.search(line)
        if m is None:
            raise FormatError(f"video tag without a src: {_snippet(line)}", line=n, source=source)
        cur.video = cur.video or _unattr(m.group(2).strip())
    else:
        raise FormatError(f"cannot place this line in an entry: {_snippet(line)}", line=n, source=source)
    return False


def _parse_bullet(cur: _EntryBuilder, body: str, n: int) -> None:
    m = _LABEL.match(body)
    if m is None:
        label, emphasis, text = "", "plain", body
    else:
        label, emphasis, text = one_line(m.group(2)), _MARK_EMPHASIS[m.group(1)], body[m.end() :]
    text, claims = _split_flags(one_line(text))
    cur.sections.append(Section(label=label, text=text, emphasis=emphasis))
    cur.claims.extend(
        Claim(text=c, kind="number" if _DIGIT.search(c) else "name", status="unsupported",
              section_label=label)
        for c in claims
    )


def _split_flags(text: str) -> tuple[str, list[str]]:
    """Strip a trailing ` ⚠️(unverified: a; b)` marker; return the text and the claims it named."""
    if not text.endswith(")"):
        return text, []
    i = text.rfind(FLAG_OPEN)
    if i < 0:
        return text, []
    claims = [c.strip() for c in text[i + len(FLAG_OPEN) : -1].split(FLAG_SEP)]
    return text[:i], [c for c in claims if c]


def paper_id_from_url(url: str) -> tuple[str, int | None, dict[str, str]]:
    """The paper id, version and links a title link stands for.

    arXiv abs/pdf links give the canonical id (version apart); any other link gives `local:<12 hex>` of the
    link and is kept as `links["abs"]`, which `Paper.url` renders back.
    """
    try:
        paper_id, version = canonical_id(url)
    except InputError:
        return "local:" + hashlib.sha256(url.encode()).hexdigest()[:12], None, {"abs": url}
    return paper_id, version, {}


def _snippet(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


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
        try:
            write_atomic(path, render(digest, show_flags=ctx.settings.show_flags))
        except OSError as exc:
            raise PublishError(f"cannot write {path}: {exc.strerror or exc}") from None
        return [str(path)]


@hookimpl
def register_publishers(register: Callable[[object], None]) -> None:
    register(MarkdownPublisher())
