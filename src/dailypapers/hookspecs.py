"""The plug-in hooks. Built-in parts register through the same hooks as third-party packages (entry point
group `dailypapers`), the way simonw/llm does it:

    # a plug-in module, listed under [project.entry-points.dailypapers] in its package
    from dailypapers import hookimpl

    @hookimpl
    def register_sources(register):
        register(MySource())

Each hook receives a `register` callable; what it takes is the protocol of that kind of part:
`sources.base.Source`, `summarize.base.SummarizerPlugin`, `publish.base.Publisher`, `publish.base.Notifier`,
`embed.base.EmbedderPlugin`, `engines.base.Engine`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("dailypapers")
hookimpl = pluggy.HookimplMarker("dailypapers")


@hookspec
def register_sources(register: Callable[[Any], None]) -> None:
    """Register paper sources (`sources.base.Source`): where a day's papers and their documents come from."""


@hookspec
def register_summarizers(register: Callable[[Any], None]) -> None:
    """Register summarizers (`summarize.base.SummarizerPlugin`), chosen by the `summarizer` setting."""


@hookspec
def register_publishers(register: Callable[[Any], None]) -> None:
    """Register publishers (`publish.base.Publisher`), run after a digest is stored (`publishers` setting)."""


@hookspec
def register_notifiers(register: Callable[[Any], None]) -> None:
    """Register notifiers (`publish.base.Notifier`) that deliver a digest to people."""


@hookspec
def register_embedders(register: Callable[[Any], None]) -> None:
    """Register embedders (`embed.base.EmbedderPlugin`), chosen by the `embedder` setting: what turns a paper's
    text into the vector that meaning-based search and related papers compare."""


@hookspec
def register_engines(register: Callable[[Any], None]) -> None:
    """Register engines (`engines.base.Engine`), chosen by `--engine`: where the fetching and the work on each
    paper run (`local`: this process; `ray`: a Ray cluster). The driver stays the archive's only writer."""
