"""The summarizer contract: one protocol for the LLM and the extractive summarizer, and the cache key."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from dailypapers.models import Paper, Summary, Usage


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


def cache_key(paper: Paper, text: str, summarizer: Summarizer, lang: str, labels: Sequence[str]) -> str:
    """A stable hex key for "this summarizer, this prompt, this paper text, this language and these labels".

    The text hash is part of the key as well as the version: a paper first summarized from its abstract alone
    (PDF unavailable) must not keep that summary once its full text can be read.
    """
    material = {
        "paper": paper.id,
        "version": paper.version,
        "text": hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
        "summarizer": summarizer.name,
        "prompt": summarizer.prompt_version,
        "lang": lang.strip().lower(),
        "labels": list(labels),
    }
    blob = json.dumps(material, sort_keys=True, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return hashlib.sha256(blob).hexdigest()
