"""The data that flows through the pipeline. Immutable, typed, and free of I/O.

One concept, one name:
- `Paper.id` is the canonical paper id: an arXiv id without version (`2505.02707`, `hep-th/9901001`),
  or `local:<12 hex>` for a PDF with no arXiv id. Elsewhere it is called `paper_id`.
- A `Digest` is one edition: a day, a source and a language (`Edition`), and its ordered `entries` (a Paper
  and its Summary). "Day" is the name of a digest's date everywhere (models, tables, commands); HF papers and
  a local folder on the same day, or Korean and English summaries of it, are different editions.
- A `Document` is a paper's full text in sections; "document" is its name everywhere (the `documents`
  table, the `dailypapers.documents` package that reads and budgets it).
- `lang` is a language code everywhere (settings, summaries, commands).
- A `Summary` is ordered `sections`; each remembers its label and how the label was emphasised.
- A paper's end state in a run is an `Outcome` with a `status`: ok, flagged, failed or skipped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from dailypapers.arxiv_id import abs_url

Emphasis = Literal["bold_italic", "bold", "plain"]
Status = Literal["ok", "flagged", "failed", "skipped"]
# Where a paper's run stopped: the network (fetch), reading its text (read), the summarizer, the checker.
Stage = Literal["list", "fetch", "read", "summarize", "verify", "store", "publish"]
# "table": one table, its caption as heading and one line per row, cells joined by " | " (documents.html)
SectionKind = Literal[
    "title", "abstract", "introduction", "method", "results", "conclusion", "references", "appendix", "other",
    "table",
]
# number, name, or a whole summary sentence the LLM judge found the paper does not entail
ClaimKind = Literal["number", "name", "sentence"]
ClaimStatus = Literal["supported", "unsupported"]
# Where a claim's evidence was found: a paper sentence, a table row, a table's caption.
EvidenceKind = Literal["sentence", "row", "caption"]
# The bound or statistic a number is stated with: up to / 최대, average / 평균, over / 이상, under / 이하.
Qualifier = Literal["max", "avg", "over", "under"]

DEFAULT_LABELS: tuple[str, ...] = ("What's New", "Technical Details", "Performance Highlights")
TLDR_LABEL = "TL;DR"  # the `section_label` of a TL;DR's claims
# The LLM judge's version (`verify.judge`), part of the summary cache key (`work.cache_key`): bump it whenever the
# judge's prompt or rules change. Kept here, below the checker, so a key is made without loading the checker.
JUDGE_VERSION = "j1"
DEFAULT_SOURCE = "hf"
DEFAULT_LANG = "ko"
_SLUG_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Paper(_Frozen):
    id: str
    version: int | None = None
    title: str
    authors: tuple[str, ...] = ()
    upvotes: int | None = None  # None: the source has no votes (old digests, arXiv, local PDFs)
    thumbnail: str | None = None  # image URL (absolute, or relative as old digests had)
    video: str | None = None  # mp4 URL: a video entry
    day: dt.date | None = None  # the digest day the source listed the paper for
    published: dt.datetime | None = None
    abstract: str = ""
    links: dict[str, str] = Field(default_factory=dict)  # e.g. {"pdf": ..., "github": ..., "project": ...}

    @property
    def is_arxiv(self) -> bool:
        return not self.id.startswith("local:")

    @property
    def url(self) -> str:
        """The title link: the arXiv abstract page, or the paper's own link for a local PDF."""
        if self.is_arxiv:
            return abs_url(self.id)
        return self.links.get("abs") or self.links.get("pdf") or ""


class Section(_Frozen):
    label: str  # "" for a plain bullet (the oldest digests)
    text: str
    emphasis: Emphasis = "bold_italic"


def evidence_place(section: str | None, page: int | None) -> str:
    """`4 Results, p. 5`: where a claim's evidence is, as a reader would look for it ("" when unknown). The one
    rule for every printer of a claim (the site, `dailypapers verify`)."""
    return ", ".join(p for p in (section or "", f"p. {page}" if page else "") if p)


class Claim(_Frozen):
    """A checkable statement inside a summary: a number or a name, and whether the paper supports it.

    A number is a relational claim: the summary attaches it to `entity` (the names in its clause), a
    `qualifier` (max, avg, over, under) and `context` (what it measures or counts, and under which
    condition: "metric:accuracy", "shot:zero"), and the paper must state it in one sentence, table row or
    caption where those agree. Every field after `evidence_page` has a default, so claims stored before
    they existed still load."""

    text: str
    kind: ClaimKind
    status: ClaimStatus
    section_label: str = ""  # the summary section it was found in
    evidence: str | None = None  # a snippet of the paper that supports it (or, when unsupported, contradicts it)
    evidence_section: str | None = None
    evidence_page: int | None = None
    evidence_kind: EvidenceKind | None = None
    entity: tuple[str, ...] = ()
    qualifier: Qualifier | None = None
    unit: str | None = None  # the number's unit class (time, percent, ...)
    context: tuple[str, ...] = ()
    sentence: str = ""  # the summary sentence it was found in (clipped)
    reason: str = ""  # why it is unsupported, when the paper states the value with something else
    decided_by: Literal["checker", "judge"] = "checker"
    undecided: bool = False  # the checker could not decide (the judge may, when one is configured)
    judge_quote: str | None = None  # the paper text the judge relied on

    @property
    def feedback(self) -> str:
        """How a regeneration is told about this claim: the claim, and what the paper says instead."""
        return f"{self.text} ({self.reason})" if self.reason else self.text


class Summary(_Frozen):
    paper_id: str
    lang: str = "ko"
    sections: tuple[Section, ...]
    model: str | None = None  # "extractive", an LLM name, or None for imported digests
    prompt_version: str | None = None
    created_at: dt.datetime | None = None
    claims: tuple[Claim, ...] = ()
    grounding: str | None = None  # the checker version its claims come from (None: imported, or stored before)
    # one line saying what the paper contributes, for cards and feeds; checked like a section (its claims carry
    # `TLDR_LABEL`). Never in the digest Markdown, so an imported digest has none ("").
    tldr: str = ""

    @property
    def unsupported(self) -> tuple[Claim, ...]:
        """The flagged claims: contradicted by the paper or not found in it (never the undecided ones)."""
        return tuple(c for c in self.claims if c.status == "unsupported" and not c.undecided)

    @property
    def undecided(self) -> tuple[Claim, ...]:
        """Claims the checker could not decide (and no judge did): shown as "not checked", never flagged."""
        return tuple(c for c in self.claims if c.status == "unsupported" and c.undecided)


ChangeKind = Literal["changed", "appeared", "vanished"]


class ClaimChange(_Frozen):
    """One number a summary states that differs between two versions of a paper: its value `changed`, or it
    `appeared` or `vanished`. Numbers are matched by their relation: the names they are stated for (`entity`),
    their `qualifier`, `unit` class and what they measure (`label`, e.g. "accuracy")."""

    kind: ChangeKind
    label: str  # what the number measures or whose it is, as a reader reads it ("accuracy", "Zorbex-7B")
    entity: tuple[str, ...] = ()
    qualifier: Qualifier | None = None
    unit: str | None = None
    before: str | None = None  # the number as the old summary writes it (None: appeared)
    after: str | None = None  # as the new summary writes it (None: vanished)

    @property
    def text(self) -> str:
        """`accuracy 71.2% → 73.9%`, `speedup 2.4x (new)`, `speedup 2.4x (gone)`."""
        lead = f"{self.label} " if self.label else ""
        if self.kind == "changed":
            return f"{lead}{self.before} → {self.after}"
        if self.kind == "appeared":
            return f"{lead}{self.after} (new)"
        return f"{lead}{self.before} (gone)"


class VersionChange(_Frozen):
    """A newer arXiv version of a stored paper, for one language: the summary shown before (`old_key`, kept),
    the summary of the new text (`new_key`; None when it could not be made) and what changed between them."""

    paper_id: str
    lang: str
    from_version: int | None
    to_version: int
    old_key: str | None = None
    new_key: str | None = None
    changes: tuple[ClaimChange, ...] = ()
    found_at: dt.datetime | None = None
    problem: str = ""  # why there is no new summary (fetch or summarizer failure), when there is none

    @property
    def line(self) -> str:
        """`v2: accuracy 71.2% → 73.9%; speedup 2.4x → 3.1x`, or `v2: no number in the summary changed`."""
        if self.problem:
            return f"v{self.to_version}: not summarized ({self.problem})"
        if not self.changes:
            return f"v{self.to_version}: no number in the summary changed"
        return f"v{self.to_version}: " + "; ".join(c.text for c in self.changes)


class Entry(_Frozen):
    paper: Paper
    summary: Summary | None = None


class Edition(_Frozen):
    """Which digest: a day, the source its papers came from (`hf`, `arxiv:cs.CL`, `local:papers`), and the
    language of its summaries."""

    day: dt.date
    source: str = DEFAULT_SOURCE
    lang: str = DEFAULT_LANG

    @property
    def slug(self) -> str:
        """`<source>/<lang>` as a path segment pair safe on every file system and in URLs."""
        return f"{_SLUG_UNSAFE.sub('-', self.source).strip('-.') or 'source'}/{_SLUG_UNSAFE.sub('-', self.lang)}"

    def __str__(self) -> str:
        return f"{self.day.isoformat()} {self.source} {self.lang}"


Period = Literal["week", "month"]
_WEEK = re.compile(r"(\d{4})-W(\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")


class Span(_Frozen):
    """A week or a month of days: the period of a weekly or monthly edition. Days are UTC days, as an edition's
    day is: a week is ISO 8601's (Monday to Sunday, numbered by the year that holds its Thursday), a month
    the calendar's."""

    period: Period
    start: dt.date
    end: dt.date  # the last day, included

    @classmethod
    def parse(cls, period: Period, text: str) -> Span:
        """`2025-W19` (a week) or `2025-05` (a month); ValueError for anything else."""
        text = text.strip()
        if period == "week":
            m = _WEEK.fullmatch(text)
            if m is None:
                raise ValueError(f"not a week: {text[:40]!r} (expected YYYY-Www, e.g. 2025-W19)")
            start = dt.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
            return cls(period="week", start=start, end=start + dt.timedelta(days=6))
        m = _MONTH.fullmatch(text)
        if m is None:
            raise ValueError(f"not a month: {text[:40]!r} (expected YYYY-MM, e.g. 2025-05)")
        return cls.of("month", dt.date(int(m.group(1)), int(m.group(2)), 1))

    @classmethod
    def of(cls, period: Period, day: dt.date) -> Span:
        """The week or month that holds `day`."""
        if period == "week":
            start = day - dt.timedelta(days=day.weekday())
            return cls(period="week", start=start, end=start + dt.timedelta(days=6))
        first = day.replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        return cls(period="month", start=first, end=following - dt.timedelta(days=1))

    @property
    def label(self) -> str:
        """`2025-W19` or `2025-05`: how commands, file names and URLs name it."""
        if self.period == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year:04d}-W{week:02d}"
        return f"{self.start.year:04d}-{self.start.month:02d}"

    @property
    def days(self) -> tuple[dt.date, ...]:
        return tuple(self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1))

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end

    @property
    def next(self) -> Span:
        return Span.of(self.period, self.end + dt.timedelta(days=1))

    @property
    def previous(self) -> Span:
        return Span.of(self.period, self.start - dt.timedelta(days=1))


class Digest(_Frozen):
    day: dt.date
    source: str = DEFAULT_SOURCE
    lang: str = DEFAULT_LANG
    entries: tuple[Entry, ...] = ()

    @property
    def edition(self) -> Edition:
        return Edition(day=self.day, source=self.source, lang=self.lang)


class PeriodDigest(_Frozen):
    """A weekly or monthly edition: the top papers of the span's stored days of one source and language."""

    span: Span
    source: str = DEFAULT_SOURCE
    lang: str = DEFAULT_LANG
    entries: tuple[Entry, ...] = ()

    @property
    def key(self) -> str:
        """`hf ko 2025-W19`: how messages and logs name it."""
        return f"{self.source} {self.lang} {self.span.label}"

    @property
    def as_digest(self) -> Digest:
        """Its entries as a digest of the span's first day, for what renders a digest's entries."""
        return Digest(day=self.span.start, source=self.source, lang=self.lang, entries=self.entries)


class Theme(_Frozen):
    """One theme of an edition's synthesis: a short paragraph that cites its papers by id (`[2505.02707]`)."""

    title: str
    text: str
    paper_ids: tuple[str, ...] = ()
    claims: tuple[Claim, ...] = ()  # its numbers and names (and papers), checked as a summary's are


class Synthesis(_Frozen):
    """What an edition was about as a whole: its themes and what its papers share or dispute. Made by the LLM
    from the stored summaries (`model` its name) or offline from TF-IDF clusters (`model` "tfidf")."""

    themes: tuple[Theme, ...]
    shared: str = ""
    shared_claims: tuple[Claim, ...] = ()
    model: str = "tfidf"
    key: str = ""  # the edition's content it was made from (`synthesis.content_key`)

    @property
    def unsupported(self) -> tuple[Claim, ...]:
        """The flagged claims, as a summary's (never the undecided ones)."""
        every = (*(c for t in self.themes for c in t.claims), *self.shared_claims)
        return tuple(c for c in every if c.status == "unsupported" and not c.undecided)


class TextSection(_Frozen):
    kind: SectionKind
    heading: str
    text: str
    page: int | None = None  # 1-based page where the section starts (PDF only)


class Document(_Frozen):
    """A paper's full text, split into sections, as read from its PDF, its arXiv HTML, or a text file."""

    paper_id: str
    origin: Literal["pdf", "html", "text", "abstract"]
    sections: tuple[TextSection, ...]
    page_count: int = 0

    @property
    def text(self) -> str:
        return "\n\n".join(s.text for s in self.sections if s.text)


class Outcome(_Frozen):
    paper_id: str
    status: Status
    reason: str = ""
    stage: Stage | Literal[""] = ""

    @property
    def label(self) -> str:
        return f"{self.status}: {self.reason}" if self.reason and self.status != "ok" else self.status


class Usage(_Frozen):
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0
    unpriced_calls: int = 0  # calls of a model whose price no table knows: they count 0 in `cost`

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            calls=self.calls + other.calls,
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cost=self.cost + other.cost,
            unpriced_calls=self.unpriced_calls + other.unpriced_calls,
        )

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    @property
    def cost_text(self) -> str:
        """The cost as people read it: "$0.0123", or "price unknown" when no call had a known price (not
        "$0.0000"), or "$0.0123 + price unknown" when only some had."""
        return cost_text(self.cost, self.calls, self.unpriced_calls)


def cost_text(cost: float, calls: int, unpriced_calls: int) -> str:
    """`Usage.cost_text` from its parts (views and reports that keep the numbers, not the Usage)."""
    if unpriced_calls and unpriced_calls >= calls:
        return "price unknown"
    return f"${cost:.4f}" + (" + price unknown" if unpriced_calls else "")


def failures_by_stage(outcomes: Iterable[Outcome]) -> dict[str, int]:
    """How many of these outcomes failed at each stage ("unknown" when no stage was recorded)."""
    out: dict[str, int] = {}
    for o in outcomes:
        if o.status == "failed":
            out[o.stage or "unknown"] = out.get(o.stage or "unknown", 0) + 1
    return out


class RunReport(_Frozen):
    command: str
    day: dt.date | None = None
    source: str = ""
    lang: str = ""
    started_at: dt.datetime
    finished_at: dt.datetime
    outcomes: tuple[Outcome, ...] = ()
    usage: Usage = Field(default_factory=Usage)
    outputs: tuple[str, ...] = ()  # what the publishers wrote (paths)
    publish_errors: tuple[str, ...] = ()  # "<publisher>: <problem>"; the digest itself is stored
    run_id: int | None = None  # its row in the archive's `runs`, once stored (`Store.save_run`)
    # the edition was finished and nothing it is made from had changed: nothing was done again (`pipeline.run`)
    unchanged: bool = False

    @property
    def wall_seconds(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()

    def counts(self) -> dict[str, int]:
        out = {"ok": 0, "flagged": 0, "failed": 0, "skipped": 0}
        for o in self.outcomes:
            out[o.status] += 1
        return out

    def failures_by_stage(self) -> dict[str, int]:
        return failures_by_stage(self.outcomes)

    @property
    def succeeded(self) -> bool:
        return not self.publish_errors and not any(o.status == "failed" for o in self.outcomes)


_Listed = TypeVar("_Listed", Paper, Entry)


def first_per_paper(items: Iterable[_Listed]) -> list[_Listed]:
    """Papers (or entries) in order, each paper once, where it first appears: an edition, a scanned folder
    and an id list each list a paper once."""
    first: dict[str, _Listed] = {}
    for item in items:
        first.setdefault(item.id if isinstance(item, Paper) else item.paper.id, item)
    return list(first.values())
