"""`render`: a Digest as digest Markdown, byte for byte as the archive has it (see the package docstring)."""

from __future__ import annotations

from collections.abc import Sequence

from dailypapers.digestformat.escaping import attr, escape
from dailypapers.digestformat.normalizing import normalize_digest, title_link
from dailypapers.digestformat.syntax import CONTINUATION_INDENT, EMPHASIS_MARK, EXTRACTIVE_LINE, FLAG_OPEN, FLAG_SEP
from dailypapers.models import Digest, Entry, PeriodDigest, Section, Span, Summary


def render(digest: Digest, *, show_flags: bool = True) -> str:
    """The day as digest Markdown. Entries are written in the order given (the caller ranks them)."""
    parts = [f"## Daily Papers ({digest.day.isoformat()})\n\n"]
    parts.extend(_render_entry(e, show_flags) for e in normalize_digest(digest).entries)
    return "".join(parts)


def period_header(span: Span) -> str:
    """`## Weekly Papers (2025-05-05 – 2025-05-11)` or `## Monthly Papers (2025-05)` (an en dash, spaced)."""
    if span.period == "week":
        return f"## Weekly Papers ({span.start.isoformat()} – {span.end.isoformat()})"
    return f"## Monthly Papers ({span.label})"


def render_period(edition: PeriodDigest, *, show_flags: bool = True) -> str:
    """A weekly or monthly edition as digest Markdown: its own header, then its entries as a day's are."""
    parts = [period_header(edition.span) + "\n\n"]
    parts.extend(_render_entry(e, show_flags) for e in normalize_digest(edition.as_digest).entries)
    return "".join(parts)


def _render_entry(entry: Entry, show_flags: bool) -> str:
    p = entry.paper  # normalized: every field is clean, every URL safe
    out = [f"### [{escape(p.title)}]({title_link(p)})\n\n"]
    if p.video:
        out.append(f"[Watch Video]({p.video})\n")
        out.append(f'<div><video controls src="{attr(p.video)}" muted="false"></video></div>\n\n')
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
        mark = EMPHASIS_MARK[sec.emphasis]
        head = f"- {mark}{escape(sec.label)}{mark}: {lines[0]}"
    return f"\\\n{CONTINUATION_INDENT}".join([head.rstrip(), *lines[1:]]) + "\n"
