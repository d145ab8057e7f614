"""The `local` engine: the work in the driver's own process, as `pipeline.run` does by default."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from dailypapers.config import Settings
from dailypapers.engines.base import Session, WorkParts
from dailypapers.hookspecs import hookimpl
from dailypapers.pipeline import FetchDocument, LocalWorkers, Workers
from dailypapers.summarize.base import Summarizer


class _LocalSession:
    def workers(self, summarizer: Summarizer, fetch: FetchDocument) -> Workers:
        return LocalWorkers(summarizer, fetch)


class LocalEngine:
    name = "local"
    description = "in this process: downloads and summarizer calls run concurrently, PDFs are read in workers"

    @asynccontextmanager
    async def session(self, settings: Settings, parts: WorkParts, *, address: str | None = None
                      ) -> AsyncIterator[Session]:
        yield _LocalSession()


@hookimpl
def register_engines(register: Any) -> None:
    register(LocalEngine())
