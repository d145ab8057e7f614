"""What a message shows, as plain data: an edition and each of its papers as a message shows them
(`MessageEdition`, `MessagePaper`, `MessageSection`), computed from the stored digest by pure functions.
Slack blocks, the email (HTML and text) and apprise messages are all rendered from these, so every outlet
shows the same sections and the same flags as the Markdown digest. (The site's pages have their own views,
`publish.views`, which show more: claims, evidence, outcomes.)

A message is built from the digest as its Markdown carries it (`digestformat.normalize_digest`): the same
cleaning (no control characters, texts line by line), the same papers in the same ranks (a paper listed
twice is shown once), the same URL rule (`digestformat.safe_url`: a `javascript:` title link never becomes
clickable) and the same flags under the same sections. Untrusted text stays raw here otherwise; each
renderer escapes it for its own syntax.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dailypapers import digestformat
from dailypapers.digestformat import FLAG_OPEN, FLAG_SEP
from dailypapers.models import Claim, Digest, Edition, Entry, PeriodDigest, Synthesis, VersionChange
from dailypapers.publish.views import PeriodRef, edition_path
from dailypapers.synthesis import CITATION
from dailypapers.text import clip, one_line

MAX_TITLE = 300  # a title longer than this is cut in messages (the archive keeps it whole)
MAX_AUTHORS = 20  # more are shown as "and N more"
MAX_THEME_CHARS = 600  # a theme's line in a message


@dataclass(frozen=True)
class MessageSection:
    label: str  # "" for a plain bullet
    text: str  # one or more lines, as the Markdown writes them
    flags: tuple[str, ...] = ()  # the section's unverified claims (empty when flags are hidden)

    @property
    def flag_marker(self) -> str:
        """The marker the Markdown digest ends a flagged section with (` ⚠️(unverified: a; b)`), unescaped."""
        return f"{FLAG_OPEN}{FLAG_SEP.join(self.flags)})" if self.flags else ""


@dataclass(frozen=True)
class MessagePaper:
    paper_id: str
    rank: int  # 1-based position in the edition, as in the Markdown
    title: str
    url: str | None  # http(s) only
    votes: int | None
    authors: tuple[str, ...]
    more_authors: int  # authors beyond MAX_AUTHORS
    extractive: bool
    sections: tuple[MessageSection, ...]

    @property
    def has_summary(self) -> bool:
        return bool(self.sections)

    @property
    def flagged(self) -> bool:
        return any(s.flags for s in self.sections)


@dataclass(frozen=True)
class MessageEdition:
    edition: Edition
    title: str  # "Daily Papers (2025-05-06)", as the digest's header
    link: str | None  # the edition's page on the site
    papers: tuple[MessagePaper, ...]
    digest: Digest  # the digest as its Markdown carries it, for outlets that carry the Markdown itself
    # what the delivery ledger (and Slack's message metadata) files it under, when not `edition`: a weekly or
    # monthly edition's own key, so that it is delivered apart from the day its span starts on
    ledger_key: Edition | None = None
    # the edition's synthesis (`dailypapers.synthesis`), one line a theme ("Title: text", citations as the
    # papers' ranks) and what they share: the Slack thread's parent and the email's first paragraph say it
    themes: tuple[str, ...] = ()
    # "updated" notes: papers of earlier editions with a newer arXiv version, one line each ("2505.02707 Title:
    # v2: accuracy 71.2% → 73.9%"); the header message carries them, the past days' Markdown is not rewritten
    updates: tuple[str, ...] = ()

    @property
    def ledger_edition(self) -> Edition:
        return self.ledger_key or self.edition

    @property
    def count(self) -> int:
        return len(self.papers)

    def paper(self, paper_id: str) -> MessagePaper:
        for p in self.papers:
            if p.paper_id == paper_id:
                return p
        raise KeyError(paper_id)

    def subset(self, paper_ids: set[str]) -> Digest:
        """The digest with only these papers (in rank order): what an update message carries."""
        return self.digest.model_copy(update={"entries": tuple(e for e in self.digest.entries
                                                                if e.paper.id in paper_ids)})


def edition_link(site_url: str | None, edition: Edition) -> str | None:
    """The edition's page on the site (`publish.views.edition_path`, the site's own layout)."""
    base = digestformat.safe_url(site_url)
    if base is None:
        return None
    return f"{base.rstrip('/')}/{edition_path(edition)}"


def message_paper(entry: Entry, rank: int, *, show_flags: bool) -> MessagePaper:
    """The message of one entry of a normalized digest (`digestformat.normalize_digest`)."""
    p, s = entry.paper, entry.summary
    sections = () if s is None else tuple(MessageSection(sec.label, sec.text, claims)
                                          for sec, claims in digestformat.section_claims(s, show_flags=show_flags))
    return MessagePaper(
        paper_id=p.id, rank=rank, title=clip(p.title, MAX_TITLE), url=digestformat.safe_url(p.url), votes=p.upvotes,
        authors=p.authors[:MAX_AUTHORS], more_authors=max(0, len(p.authors) - MAX_AUTHORS),
        extractive=s is not None and s.model == "extractive", sections=sections,
    )


def message_edition(digest: Digest, *, site_url: str | None = None, show_flags: bool = True) -> MessageEdition:
    shown = digestformat.normalize_digest(digest)
    papers = tuple(message_paper(e, i, show_flags=show_flags) for i, e in enumerate(shown.entries, start=1))
    return MessageEdition(edition=digest.edition, title=f"Daily Papers ({digest.day.isoformat()})",
                       link=edition_link(site_url, digest.edition), papers=papers, digest=shown)


MAX_UPDATES = 20  # notes in one message; the rest are counted ("and 3 more updated papers")


def update_lines(changes: Sequence[VersionChange], titles: Mapping[str, str]) -> tuple[str, ...]:
    """The "updated" notes of a message: one line a paper and language, `id title: v2: what changed`."""
    lines = [clip(f"{c.paper_id} {one_line(titles.get(c.paper_id, ''))}".strip() + f": {one_line(c.line)}",
                  MAX_THEME_CHARS) for c in changes[:MAX_UPDATES]]
    if len(changes) > MAX_UPDATES:
        lines.append(f"and {len(changes) - MAX_UPDATES} more updated papers")
    return tuple(lines)


def period_ledger_edition(edition: PeriodDigest) -> Edition:
    """The delivery ledger's key of a weekly or monthly edition: its first day, its source marked with the
    period (`hf#week`), its language. No day's edition has a `#` in its source."""
    return Edition(day=edition.span.start, source=f"{edition.source}#{edition.span.period}", lang=edition.lang)


def period_message(edition: PeriodDigest, *, site_url: str | None = None, show_flags: bool = True
                   ) -> MessageEdition:
    """A weekly or monthly edition's messages: its title as its Markdown header says it, its page's link."""
    day = message_edition(edition.as_digest, show_flags=show_flags)
    ref = PeriodRef(edition.span, edition.source, edition.lang)
    base = digestformat.safe_url(site_url)
    return MessageEdition(edition=day.edition, title=ref.title, link=f"{base.rstrip('/')}/{ref.path}" if base else None,
                          papers=day.papers, digest=day.digest, ledger_key=period_ledger_edition(edition))


def synthesis_lines(made: Synthesis, view: MessageEdition) -> tuple[str, ...]:
    """The synthesis as a message says it: a line a theme, its citations as the papers' ranks (`[3]`), a paper
    not in the edition as `[?]`, an unverified claim marked as the Markdown marks a section's."""
    ranks = {p.paper_id: p.rank for p in view.papers}

    def told(text: str) -> str:
        return CITATION.sub(lambda m: f"[{ranks[m.group(1)]}]" if m.group(1) in ranks else "[?]", one_line(text))

    def flagged(claims: tuple[Claim, ...]) -> str:
        bad = list(dict.fromkeys(c.text for c in claims if c.status == "unsupported" and not c.undecided))
        return f"{FLAG_OPEN}{FLAG_SEP.join(bad)})" if bad else ""

    lines = [clip(f"{one_line(t.title)}: {told(t.text)}", MAX_THEME_CHARS) + flagged(t.claims) for t in made.themes]
    if made.shared:
        lines.append(clip(told(made.shared), MAX_THEME_CHARS) + flagged(made.shared_claims))
    return tuple(lines)
