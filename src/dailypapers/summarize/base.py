"""The summarizer contract: one protocol for every summarizer (the LLM, the extractive one, plug-ins), and
the record a plug-in registers to offer one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from dailypapers.models import Paper, Summary, Usage

if TYPE_CHECKING:
    from dailypapers.config import Settings


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


@dataclass(frozen=True)
class SummarizerPlugin:
    """A summarizer offered by a plug-in: chosen by name with the `summarizer` setting."""

    name: str  # "llm", "extractive"
    description: str
    create: Callable[[Settings], Summarizer]  # raises ConfigError when the settings cannot make one
