"""The summarizer contract: one protocol for every summarizer (the LLM, the extractive one, plug-ins), the
small protocols of what only some summarizers can do (checked with `isinstance`), and the record a plug-in
registers to offer one.

Optional abilities:
- `Estimates`: its calls cost something, and it says what one may cost at most (the run's caps reserve it).
- `Asks`: its model answers other structured questions (an edition's synthesis).
- `Judges`: its model also answers the grounding judge's questions (`Question`, built by the work step from
  `verify.judge`); the summarizer knows nothing of grounding, it only asks its model.
- `WarmsUp`: it can get ready (load an SDK) while the run fetches documents.
- `Closes`: it holds a connection to close when the run ends.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, runtime_checkable

from dailypapers.models import Paper, Summary, Usage

if TYPE_CHECKING:
    from dailypapers.config import Settings

T = TypeVar("T")

@dataclass(frozen=True)
class SummaryResult:
    summary: Summary
    usage: Usage


@runtime_checkable
class Summarizer(Protocol):
    name: str  # the model name, or "extractive"
    prompt_version: str  # bumped whenever the prompt (or the extractive method) changes its output

    async def summarize(
        self,
        paper: Paper,
        text: str,
        *,
        lang: str,
        labels: Sequence[str],
        feedback: Sequence[str] = (),
    ) -> SummaryResult:
        """Summarize `text` (the paper's budgeted full text). Raises SummarizeError(reason) on failure.

        `feedback` lists claims a previous summary made that the paper does not contain.
        """
        ...


@runtime_checkable
class Estimates(Protocol):
    def estimate(self, paper: Paper, text: str, *, lang: str, labels: Sequence[str],
                 feedback: Sequence[str] = ()) -> Usage:
        """What a `summarize` call with these arguments may cost at most, reserved before it starts."""
        ...


@dataclass(frozen=True)
class Question(Generic[T]):
    """A structured question to a summarizer's model other than a summary. The model is asked for one JSON
    object that follows `schema`; each object found in its reply is handed to `read` until one is accepted
    (`read` raises ValueError for an object that is not the answer)."""

    name: str  # the schema's name, as the server is told it
    messages: tuple[Mapping[str, str], ...]
    schema: Mapping[str, Any]
    max_output_tokens: int
    read: Callable[[Any], T]


@runtime_checkable
class Judges(Protocol):
    judging: bool  # the `judge` setting: off, the checker's verdicts stand as they are

    def judge_estimate(self, question: Question[Any]) -> Usage:
        """What asking `question` may cost at most, reserved before the call starts."""
        ...

    async def judge(self, question: Question[T]) -> tuple[T, Usage]:
        """The model's answer to `question` and what the call cost. Raises SummarizeError (with what was paid)
        when the call fails or its reply holds no answer."""
        ...


@runtime_checkable
class Asks(Protocol):
    """Its model answers other structured questions too (an edition's synthesis, `dailypapers.synthesis`)."""

    def ask_estimate(self, question: Question[Any]) -> Usage:
        ...

    async def ask(self, question: Question[T]) -> tuple[T, Usage]:
        """The model's answer and what the call cost; SummarizeError (with what was paid) when it fails."""
        ...


@runtime_checkable
class WarmsUp(Protocol):
    async def warm_up(self) -> None:
        """Get ready for the first call (load an SDK, build a client) off the run's critical path."""
        ...


@runtime_checkable
class Closes(Protocol):
    async def aclose(self) -> None:
        """Release what the summarizer holds (connections); called once when the run ends."""
        ...


@dataclass(frozen=True)
class SummarizerPlugin:
    """A summarizer offered by a plug-in: chosen by name with the `summarizer` setting."""

    name: str  # "llm", "extractive"
    description: str
    create: Callable[[Settings], Summarizer]  # raises ConfigError when the settings cannot make one
