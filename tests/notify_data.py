"""Digests made in code for the delivery tests: plain ones, and ones whose untrusted text is hostile."""

from __future__ import annotations

import datetime as dt

from dailypapers.models import DEFAULT_LABELS, Claim, Digest, Entry, Paper, Section, Summary

DAY = dt.date(2026, 6, 12)
HOSTILE_TITLE = "<!channel> & <https://evil.example|click> *bold* \r\nBcc: victim@example.org"


def entry(i: int, *, title: str | None = None, votes: int | None = None, flagged: bool = False,
          summary: bool = True, text: str | None = None, extractive: bool = False) -> Entry:
    paper_id = f"2606.{10000 + i}"
    paper = Paper(id=paper_id, title=title or f"Paper {i}: Sparse Routing at Scale", authors=(f"Ada {i}", "Bo Li"),
                  upvotes=votes if votes is not None else 50 - i, day=DAY,
                  thumbnail=f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{paper_id}.png")
    if not summary:
        return Entry(paper=paper)
    sections = tuple(Section(label=label, text=text or f"{label} of paper {i}: it improves accuracy by 3.2%.")
                     for label in DEFAULT_LABELS)
    claims = (Claim(text="91.4%", kind="number", status="unsupported", section_label=DEFAULT_LABELS[2]),
              Claim(text="LanternBench", kind="name", status="unsupported", section_label=DEFAULT_LABELS[2]),
              ) if flagged else ()
    return Entry(paper=paper, summary=Summary(paper_id=paper_id, lang="ko", sections=sections, claims=claims,
                                              model="extractive" if extractive else "standin-model"))


def digest(n: int = 3, **kw: object) -> Digest:
    return Digest(day=DAY, entries=tuple(entry(i, flagged=(i == 1), **kw) for i in range(n)))  # type: ignore[arg-type]
