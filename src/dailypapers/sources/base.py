"""The source contract: where a day's papers, and each paper's document, come from.

A source is chosen by the `--source` value it accepts (`hf`, `arxiv:cs.CL`, a path); a paper's document is
read by the first registered source that `reads` it (plug-ins registered later come first; among the
built-ins: a local file, then arXiv).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from dailypapers.config import Settings
from dailypapers.models import Document, Paper

if TYPE_CHECKING:
    from dailypapers.http import Http


@dataclass(frozen=True)
class SourceContext:
    """What a source may use: the settings, the one HTTP client, and a way to warn the user once."""

    settings: Settings
    http: Http
    warn: Callable[[str], None]


@runtime_checkable
class Source(Protocol):
    name: str  # "hf", "arxiv", "local": how `dailypapers plugins` lists it
    description: str

    def accepts(self, spec: str) -> bool:
        """Whether this source understands a `--source` value."""
        ...

    def edition(self, spec: str) -> str:
        """The source part of the edition a `--source` value makes (`hf`, `arxiv:cs.CL`, `local:papers`):
        stable for the same papers, whatever the spelling (`arxiv:cs.CL:50` is `arxiv:cs.CL`)."""
        ...

    async def list_papers(
        self, spec: str, day: dt.date | None, limit: int | None, ctx: SourceContext
    ) -> list[Paper]:
        """The papers of `day` (None: the latest), best first; at most `limit` when the source can ask for
        fewer (the caller cuts the list anyway). Raises FetchError/InputError."""
        ...

    def reads(self, paper: Paper) -> bool:
        """Whether this source can fetch `paper`'s document."""
        ...

    async def fetch_document(self, paper: Paper, ctx: SourceContext) -> Document:
        """The paper's full text. Raises FetchError (network) or PaperTextError (unreadable)."""
        ...
