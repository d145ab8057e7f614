"""The `ray` engine: the fetch stage and the work step on a Ray cluster (`pip install 'dailypapers[ray]'`).

Ray is imported only when this engine is used (`_ray_actors`). The driver stays the archive's only writer;
the cluster-wide promises are kept by actors: one pacing actor per polite endpoint (arXiv API, arXiv full
texts, Hugging Face) that every worker's HTTP client asks for its turn, and one meter actor per run that holds
the summarizer slots and the `--max-cost`/`--max-tokens` caps. Workers are restartable actors spread over the
nodes; a worker that dies is restarted and its papers are done again (Ray retries the calls in flight)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from dailypapers.config import Settings
from dailypapers.engines.base import Session, WorkParts
from dailypapers.errors import ConfigError
from dailypapers.hookspecs import hookimpl

INSTALL = "pip install 'dailypapers[ray]'"


class RayEngine:
    name = "ray"
    description = f"on a Ray cluster (--address auto or ray://host:port; a local one by default); {INSTALL}"

    @asynccontextmanager
    async def session(self, settings: Settings, parts: WorkParts, *, address: str | None = None
                      ) -> AsyncIterator[Session]:
        try:
            from dailypapers.engines import _ray_actors as actors
        except ImportError as exc:
            if (exc.name or "").split(".")[0] != "ray":
                raise
            raise ConfigError(f"the ray engine needs Ray, an optional extra: {INSTALL}") from None
        with actors.connected(address):
            session = actors.RaySession(settings, parts)
            try:
                yield session
            finally:
                await session.close()


@hookimpl
def register_engines(register: Any) -> None:
    register(RayEngine())
