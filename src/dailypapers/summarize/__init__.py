"""Summarizers: any OpenAI-compatible LLM (`llm`), the offline extractive default (`extractive`), or a
plug-in's. Each registers a `SummarizerPlugin`; the `summarizer` setting picks one by name."""

from __future__ import annotations

from dailypapers.summarize.base import (
    Closes,
    Estimates,
    Judges,
    Question,
    Summarizer,
    SummarizerPlugin,
    SummaryResult,
    WarmsUp,
)

__all__ = ["Closes", "Estimates", "Judges", "Question", "Summarizer", "SummarizerPlugin", "SummaryResult", "WarmsUp"]
