"""Escaping untrusted text as digest Markdown, and the one rule for URLs (see the package docstring).

`escape` writes a line so that a CommonMark or GitHub renderer shows exactly its text, and `unescape` is what
such a renderer shows (what `parse` reads back). `safe_url` is the only test of a URL, for the Markdown, the
site and the messages alike.
"""

from __future__ import annotations

import functools
import re

from dailypapers.digestformat.syntax import MAX_URL_CHARS

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


def split_unescaped(text: str, sep: str) -> list[str]:
    """Split on `sep` where it is not backslash-escaped (an escaped pair is skipped whole): linear."""
    parts: list[str] = []
    start = 0
    for m in re.finditer(r"\\.|" + re.escape(sep), text):
        if m.group() == sep:
            parts.append(text[start : m.start()])
            start = m.end()
    parts.append(text[start:])
    return parts


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


def attr(value: str) -> str:
    """A safe URL inside a double-quoted HTML attribute (it holds no quote or bracket; `&` it may)."""
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def unattr(value: str) -> str:
    return value.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
