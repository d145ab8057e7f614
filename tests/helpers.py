"""Shortcuts for tests that call one source directly: the built-in registry and a source context."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from dailypapers import sources
from dailypapers.config import Settings
from dailypapers.models import Document, Paper
from dailypapers.plugins import Registry, plugin_manager
from dailypapers.sources.base import SourceContext

BUILTINS = Registry.load(plugin_manager(entry_points=False))


def context(http: Any, settings: Settings, warn: Callable[[str], None] | None = None) -> SourceContext:
    return SourceContext(settings, http, warn if warn is not None else (lambda message: None))


async def fetch_document(paper: Paper, http: Any, settings: Settings) -> Document:
    return await sources.fetch_document(BUILTINS, paper, context(http, settings))


async def list_papers(spec: str, day: dt.date | None, http: Any, settings: Settings, *,
                      warn: Callable[[str], None] | None = None, limit: int | None = None) -> list[Paper]:
    return await sources.list_papers(BUILTINS, spec, day, context(http, settings, warn), limit=limit)
