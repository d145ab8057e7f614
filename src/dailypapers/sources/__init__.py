"""Where papers come from: the listing and the document fetching that every command shares.

The sources themselves are plug-ins (`base.Source`): HF Daily Papers (`hf_daily`), arXiv (`arxiv`) and local
files (`local`) are registered like any third-party source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from dailypapers.errors import InputError, PaperTextError
from dailypapers.models import Document, Paper
from dailypapers.sources.base import Source, SourceContext

__all__ = ["Source", "SourceContext", "Sources", "fetch_document", "list_papers", "source_for"]


class Sources(Protocol):
    """The registered sources, in the order they are asked (`plugins.Registry` is one)."""

    @property
    def sources(self) -> Sequence[Source]: ...


def source_for(registry: Sources, spec: str) -> Source:
    """The source that accepts a `--source` value."""
    for source in registry.sources:
        if source.accepts(spec):
            return source
    names = ", ".join(s.name for s in registry.sources)
    raise InputError(
        f"unknown source {spec!r}: use hf, arxiv:CATEGORY, or a path (a folder of PDFs or a list of ids) "
        f"(sources: {names})"
    )


async def list_papers(
    registry: Sources, spec: str, day: dt.date | None, ctx: SourceContext, *, limit: int | None = None
) -> list[Paper]:
    """The papers `spec` lists for `day` (None: the latest day), best first, at most `limit`."""
    if limit is not None and limit < 1:
        raise InputError("--limit must be at least 1")
    papers = await source_for(registry, spec).list_papers(spec, day, limit, ctx)
    return papers[:limit] if limit is not None else papers


async def fetch_document(registry: Sources, paper: Paper, ctx: SourceContext) -> Document:
    """A paper's document from the first source that reads it. Raises FetchError or PaperTextError."""
    for source in registry.sources:
        if source.reads(paper):
            return await source.fetch_document(paper, ctx)
    raise PaperTextError("no file and no arXiv id to fetch the text from")
