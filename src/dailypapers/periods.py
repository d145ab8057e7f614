"""Weekly and monthly editions, made from the stored days of one source and language. Pure: the days in, the
period's edition out; no network and no summarizer (a paper's summary is the one its day stored).

Ranking: the span's papers, each once, by their last known votes (the votes of the newest day that lists the
paper), most first; papers without votes (arXiv, local folders) after, in the order their days listed them
(an earlier day first, then the day's own rank). A paper's summary is the newest day's that has one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from dailypapers.models import Digest, Entry, PeriodDigest, Span

DEFAULT_TOP = 20
MAX_TOP = 500  # bounds a page and a message, whatever the setting says


@dataclass(frozen=True)
class Pick:
    """A paper of the period: its entry (votes and summary as the period shows them), and the day and rank the
    entry's summary came from (the archive's key for it is that day's)."""

    entry: Entry
    day: dt.date  # the day whose summary (or, without one, whose votes) the entry shows
    first_day: dt.date  # the first day that listed it
    first_rank: int


def compose(span: Span, source: str, lang: str, days: Sequence[Digest], top: int = DEFAULT_TOP
            ) -> tuple[PeriodDigest, tuple[Pick, ...]]:
    """The period's edition from the stored digests of its days (any order; those outside the span, or of
    another source or language, are ignored) and, for each entry, where it came from."""
    if top < 1:
        raise ValueError("top must be at least 1")
    own = sorted((d for d in days if d.day in span and (d.source, d.lang) == (source, lang)), key=lambda d: d.day)
    picks: dict[str, Pick] = {}
    for digest in own:  # oldest first: a later day's votes and summary replace an earlier day's
        for rank, e in enumerate(digest.entries):
            before = picks.get(e.paper.id)
            summary = e.summary if e.summary is not None else (before.entry.summary if before else None)
            from_day = digest.day if e.summary is not None or before is None else before.day
            votes = e.paper.upvotes if e.paper.upvotes is not None else (
                before.entry.paper.upvotes if before else None)
            paper = e.paper.model_copy(update={"upvotes": votes})
            picks[e.paper.id] = Pick(Entry(paper=paper, summary=summary), from_day,
                                     before.first_day if before else digest.day,
                                     before.first_rank if before else rank)
    ranked = sorted(picks.values(), key=lambda p: (p.entry.paper.upvotes is None, -(p.entry.paper.upvotes or 0),
                                                   p.first_day, p.first_rank))[: min(top, MAX_TOP)]
    return PeriodDigest(span=span, source=source, lang=lang, entries=tuple(p.entry for p in ranked)), tuple(ranked)
