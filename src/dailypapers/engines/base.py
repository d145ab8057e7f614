"""The engine plug-in protocol (`register_engines`)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from dailypapers.config import Settings
from dailypapers.http import Pacing
from dailypapers.pipeline import FetchDocument, Workers
from dailypapers.summarize.base import Summarizer

# What a worker needs to do the work on its own (made where it runs, from the run's settings): the summarizer
# and the fetch of a document, with the HTTP client's endpoints paced by `paces` (by endpoint name) when given.
WorkParts = Callable[[Settings, dict[str, Pacing]], AbstractAsyncContextManager[tuple[Summarizer, FetchDocument]]]


class Session(Protocol):
    """An engine's session over a command (a backfill's many editions): it hands each edition's run its workers."""

    def workers(self, summarizer: Summarizer, fetch: FetchDocument) -> Workers:
        """The workers of one run; `summarizer` and `fetch` are the driver's own (an engine may use them)."""
        ...


class Engine(Protocol):
    name: str
    description: str

    def session(self, settings: Settings, parts: WorkParts, *, address: str | None = None
                ) -> AbstractAsyncContextManager[Session]:
        """Start (or connect to, at `address`) what the engine runs on, for one command; stop it at the end.
        Raises ConfigError when it cannot (not installed, no cluster at the address)."""
        ...

