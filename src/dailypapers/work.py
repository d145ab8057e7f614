"""The work on one paper: budget its document, summarize, verify, and regenerate once when a claim is not
in the paper. No storage, no network of its own (the summarizer may call a server): given the same paper,
document, spec and summarizer it does the same thing in this process, in a worker process or on another
machine, and the driver (`pipeline`) commits what it returns.

The run-wide cost/token caps and concurrency are the driver's; the work step asks a `Meter` before every call
and reports what each call cost, so a worker can be metered remotely or not at all (`Unmetered`).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Protocol, TypeVar

from dailypapers.documents import BUDGET_VERSION, COUNTER, budget, content_hash
from dailypapers.errors import SummarizeError
from dailypapers.events import ProgressStage
from dailypapers.models import JUDGE_VERSION, TLDR_LABEL, Document, Outcome, Paper, Stage, Status, Summary, Usage
from dailypapers.summarize.base import Estimates, Judges, Question, Summarizer
from dailypapers.text import clip

if TYPE_CHECKING:  # the checker loads with the first paper that is worked on: a finished day's re-run needs none
    from dailypapers.verify import SourceIndex
    from dailypapers.verify import judge as judging

T = TypeVar("T")

MAX_FLAGS_SHOWN = 5
# Stored with every summary: bump it when checking changes, so stored summaries are checked again (no LLM call;
# only those the new check flags are made again).
GROUNDING_VERSION = "g8"
# Until g4 the grounding version was part of the cache key; a summary stored under such a key is still found
# (`legacy_cache_key`) and checked again instead of paid for again.
_LAST_KEYED_GROUNDING = "g4"


@dataclass(frozen=True)
class WorkSpec:
    """Everything about a run that changes what the work on one paper produces (and so its cache key)."""

    lang: str
    labels: tuple[str, ...]
    max_input_tokens: int


@dataclass(frozen=True)
class WorkResult:
    paper_id: str
    outcome: Outcome
    summary: Summary | None = None
    usage: Usage = field(default_factory=Usage)  # what this paper's calls cost, failed attempts included


class CapReached(Exception):
    """The run's cost or token cap is reached: no new LLM call may start."""


class Meter(Protocol):
    async def acquire(self, estimate: Usage) -> None:
        """Wait for a summarizer slot and reserve what the call may cost; raise CapReached when it may not
        start (what is spent and reserved, plus this estimate, would pass the run's caps)."""
        ...

    def release(self, estimate: Usage, usage: Usage) -> None:
        """Give the slot and the reservation back, and book what the call really cost."""
        ...


class Unmetered:
    """No slots, no caps: for a worker whose driver meters the work it hands out."""

    async def acquire(self, estimate: Usage) -> None:
        return None

    def release(self, estimate: Usage, usage: Usage) -> None:
        return None


OnStage = Callable[[ProgressStage], None]


def cache_key(paper: Paper, document: Document, spec: WorkSpec, summarizer: Summarizer) -> str:
    """A stable hex key for "this summarizer and prompt, this paper's document, this budget, this language,
    these labels". It is computed from the document without budgeting it, and every input is the same on every
    machine (the token counter is deterministic and named in the key). The way of checking is not in it: a
    summary checked by an older checker is checked again (`recheck`), not made again."""
    return hashed_cache_key(paper, content_hash(document), spec, summarizer)


def hashed_cache_key(paper: Paper, document_hash: str, spec: WorkSpec, summarizer: Summarizer) -> str:
    """`cache_key` from the document's `content_hash` (the archive stores it with the document)."""
    return _key(paper, document_hash, spec, summarizer, None)


def legacy_cache_key(paper: Paper, document_hash: str, spec: WorkSpec, summarizer: Summarizer) -> str:
    """The key the same summary had while the grounding version was part of it (g4 and before)."""
    return _key(paper, document_hash, spec, summarizer, _LAST_KEYED_GROUNDING)


def _key(paper: Paper, document_hash: str, spec: WorkSpec, summarizer: Summarizer, grounding: str | None) -> str:
    material: dict[str, object] = {
        "paper": paper.id,
        "version": paper.version,
        "document": document_hash,
        "budget": [spec.max_input_tokens, BUDGET_VERSION, COUNTER],
        "summarizer": summarizer.name,
        "prompt": summarizer.prompt_version,
        "lang": spec.lang.strip().lower(),
        "labels": list(spec.labels),
    }
    if grounding is not None:
        material["grounding"] = grounding
    if isinstance(summarizer, Judges) and summarizer.judging:
        # the judge's verdicts are part of the cached summary (absent: the keys of before stay valid)
        material["judge"] = JUDGE_VERSION
    blob = json.dumps(material, sort_keys=True, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return hashlib.sha256(blob).hexdigest()


def judge_question(items: list[judging.JudgeItem]) -> Question[list[judging.JudgeVerdict]]:
    """The grounding judge's question about these items, as a summarizer that `Judges` asks its model."""
    from dailypapers.verify import judge as judging

    return Question(name=judging.SCHEMA_NAME, messages=tuple(judging.messages(items)), schema=judging.schema(),
                    max_output_tokens=judging.reply_tokens(items), read=lambda data: judging.read_verdicts(data, items))


def checked(summary: Summary, index: SourceIndex) -> Summary:
    """The summary with its claims checked by this version of the checker (the TL;DR's too, as a section's,
    under its own label)."""
    from dailypapers.verify import verify, verify_text

    claims = verify(summary, index)
    if summary.tldr:
        claims += verify_text(summary.tldr, index, section_label=TLDR_LABEL)
    return summary.model_copy(update={"claims": tuple(claims), "grounding": GROUNDING_VERSION})


def recheck(summary: Summary, document: Document) -> Summary | None:
    """A stored summary that an older checker checked, checked again (no LLM call); None when the new check
    flags it, so that it is made again (with the flags as feedback, as a new summary would be). A claim an LLM
    judge decided keeps its verdict when the new checker cannot decide it either."""
    from dailypapers.verify import build_index

    judged = {(c.section_label, c.kind, c.text): c for c in summary.claims if c.decided_by == "judge"}
    again = checked(summary, build_index(document))
    claims = tuple(
        judged.get((c.section_label, c.kind, c.text), c) if c.undecided else c for c in again.claims
    )
    again = again.model_copy(update={"claims": claims})
    return None if again.unsupported else again


def _index(document: Document) -> SourceIndex:
    """`verify.build_index`, the checker loaded by the thread that needs it."""
    from dailypapers.verify import build_index

    return build_index(document)


def outcome_of(paper_id: str, summary: Summary) -> Outcome:
    """ok, or flagged naming the first unsupported claims."""
    if summary.unsupported:
        shown = "; ".join(c.text for c in summary.unsupported[:MAX_FLAGS_SHOWN])
        return Outcome(paper_id=paper_id, status="flagged", reason=f"unsupported: {shown}", stage="verify")
    return Outcome(paper_id=paper_id, status="ok")


async def summarize_paper(
    paper: Paper,
    document: Document,
    spec: WorkSpec,
    summarizer: Summarizer,
    *,
    meter: Meter | None = None,
    on_stage: OnStage | None = None,
) -> WorkResult:
    """Budget -> summarize -> verify -> regenerate once. Never raises for one paper's problem: every end is
    a WorkResult whose outcome says ok, flagged, failed (with the stage) or skipped (budget)."""
    job = _Paper(paper, spec, summarizer, meter or Unmetered(), on_stage or (lambda stage: None))
    try:
        text = budget(document, spec.max_input_tokens)
        summary = await job.summarize(text, document)
    except CapReached:
        return job.end("skipped", "budget", "summarize")
    except SummarizeError as exc:
        return job.end("failed", exc.reason, "summarize")
    except Exception as exc:  # a bug or a library's surprise must not take the whole day down
        return job.end("failed", f"unexpected error: {type(exc).__name__}: {clip(str(exc), 200)}", "summarize")
    job.on_stage("verify")
    return WorkResult(paper.id, outcome_of(paper.id, summary), summary, job.usage)


class _Paper:
    """One paper's summarization: its calls, what they cost, and where it stopped."""

    def __init__(self, paper: Paper, spec: WorkSpec, summarizer: Summarizer, meter: Meter,
                 on_stage: OnStage) -> None:
        self.paper, self.spec, self.summarizer, self.meter, self.on_stage = paper, spec, summarizer, meter, on_stage
        self.usage = Usage()
        self.summarized = False

    async def summarize(self, text: str, document: Document) -> Summary:
        """Summarize and verify; if a claim is not in the paper, ask once more with those claims named."""
        first = await self.call(text, feedback=())
        # The paper's index, once: the regeneration is checked against the same one (its evidence leaves out the
        # sentences that instruct a summarizer, `verify.evidence`: a number an injection planted is not evidence).
        # Built once the reply is in, in a thread: the checker is not needed to ask, so a run's first requests go
        # out before it loads, and its CPU work stays off the event loop that feeds the summarizer slots (the
        # slot is free again while it is built).
        index = await asyncio.to_thread(_index, document)
        summary = await self.judged(await self.checked(first, index), index)
        self.summarized = True
        self.on_stage("summarize")
        unsupported = list(dict.fromkeys(c.feedback for c in summary.unsupported))  # each claim named once
        if not unsupported:
            return summary
        try:
            second = await self.judged(await self.checked(await self.call(text, feedback=unsupported), index), index)
        except (SummarizeError, CapReached):
            return summary  # the first, flagged summary is still worth showing, marked
        return second if len(second.unsupported) <= len(summary.unsupported) else summary

    async def call(self, text: str, feedback: Sequence[str]) -> Summary:
        s, paper, spec = self.summarizer, self.paper, self.spec
        estimate = Usage()  # summarizers that cost nothing say nothing
        if isinstance(s, Estimates):
            estimate = s.estimate(paper, text, lang=spec.lang, labels=spec.labels, feedback=feedback)

        async def summarize() -> tuple[Summary, Usage]:
            result = await s.summarize(paper, text, lang=spec.lang, labels=spec.labels, feedback=feedback)
            return result.summary, result.usage

        return await self.metered(estimate, summarize)

    async def judged(self, summary: Summary, index: SourceIndex) -> Summary:
        """With an LLM judge, its verdicts on what the checker could not decide (`verify.judge`). Each call is
        metered like a summary; a reached cap or a failed call leaves the checker's verdicts as they are."""
        judge = self.summarizer
        if not isinstance(judge, Judges) or not judge.judging:
            return summary
        from dailypapers.verify import judge as judging

        items = judging.requests(summary, index)
        verdicts: list[judging.JudgeVerdict] = []
        for batch in judging.batches(items):
            question = judge_question(batch)
            try:
                verdicts.extend(await self.metered(judge.judge_estimate(question), partial(judge.judge, question)))
            except (CapReached, SummarizeError):
                break
        return judging.apply(summary, items, verdicts, index) if verdicts else summary

    async def metered(self, estimate: Usage, call: Callable[[], Awaitable[tuple[T, Usage]]]) -> T:
        """One summarizer call under the meter: a slot and the estimate reserved first (CapReached when the
        run's caps leave no room), then what the call really cost booked, failed calls included."""
        await self.meter.acquire(estimate)
        cost = Usage()
        try:
            value, cost = await call()
            return value
        except SummarizeError as exc:
            cost = exc.usage or Usage()
            raise
        finally:
            self.usage = self.usage + cost
            self.meter.release(estimate, cost)

    @staticmethod
    async def checked(summary: Summary, index: SourceIndex) -> Summary:
        """The summary with its claims checked, in a thread (the event loop goes on feeding the other slots)."""
        return await asyncio.to_thread(checked, summary, index)

    def end(self, status: Status, reason: str, stage: Stage) -> WorkResult:
        if not self.summarized:  # a paper that stops early still moves every progress bar to the end
            self.on_stage("summarize")
        self.on_stage("verify")
        outcome = Outcome(paper_id=self.paper.id, status=status, reason=reason, stage=stage)
        return WorkResult(self.paper.id, outcome, None, self.usage)
