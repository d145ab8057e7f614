"""The plug-in manager: built-in parts and third-party packages register through the same pluggy hooks.

Third-party packages declare an entry point in the `dailypapers` group; built-ins are the modules in
`DEFAULT_PLUGINS`. Hooks run in pluggy's order (the plug-in registered last runs first), so a third-party
source is asked before the built-ins, and among the built-ins a local file is read before arXiv is asked.
Two parts of the same kind may not share a name.

    pm = plugin_manager()              # built-ins + installed packages
    pm.register(MyPlugin(), "mine")    # e.g. in a test
    registry = Registry.load(pm)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import pluggy

from dailypapers import hookspecs
from dailypapers.config import Settings
from dailypapers.embed.base import Embedder, EmbedderPlugin
from dailypapers.engines.base import Engine
from dailypapers.errors import ConfigError
from dailypapers.publish.base import Notifier, Publisher
from dailypapers.sources.base import Source
from dailypapers.summarize.base import Summarizer, SummarizerPlugin

DEFAULT_PLUGINS: tuple[str, ...] = (
    "dailypapers.sources.hf_daily",
    "dailypapers.sources.arxiv",
    "dailypapers.sources.local",
    "dailypapers.summarize.extractive",
    "dailypapers.summarize.llm",
    "dailypapers.publish.markdown",
    "dailypapers.publish.readme",
    "dailypapers.publish.notify",
    "dailypapers.publish.site_publisher",
    "dailypapers.embed.bundled",
    "dailypapers.embed.remote",
    "dailypapers.engines.local",
    "dailypapers.engines.ray_engine",
)
ENTRY_POINT_GROUP = "dailypapers"
KINDS = ("sources", "summarizers", "publishers", "notifiers", "embedders", "engines")


def plugin_manager(*, entry_points: bool = True) -> pluggy.PluginManager:
    """A plug-in manager with the built-ins registered and, unless told not to, installed plug-ins loaded."""
    pm = pluggy.PluginManager(ENTRY_POINT_GROUP)
    pm.add_hookspecs(hookspecs)
    for name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(name), name)
    if entry_points:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    return pm


@dataclass(frozen=True)
class Part:
    """One registered part, and the plug-in it came from (for `dailypapers plugins`)."""

    kind: str
    name: str
    description: str
    plugin: str


@dataclass(frozen=True)
class Registry:
    """What the plug-ins registered, by kind, in the order they are asked."""

    sources: tuple[Source, ...] = ()
    summarizers: tuple[SummarizerPlugin, ...] = ()
    publishers: tuple[Publisher, ...] = ()
    notifiers: tuple[Notifier, ...] = ()
    embedders: tuple[EmbedderPlugin, ...] = ()
    engines: tuple[Engine, ...] = ()
    parts: tuple[Part, ...] = field(default=())

    @classmethod
    def load(cls, pm: pluggy.PluginManager | None = None) -> Registry:
        pm = pm or plugin_manager()
        collected: dict[str, list[Any]] = {kind: [] for kind in KINDS}
        parts: list[Part] = []
        for kind in KINDS:
            caller = getattr(pm.hook, f"register_{kind}")
            # Called one implementation at a time (in pluggy's calling order: the last registered first, then
            # tryfirst/trylast) so that every part is attributed to its plug-in.
            for impl in _calling_order(caller.get_hookimpls()):
                impl.function(register=_register(kind, impl.plugin_name, collected[kind], parts))
        return cls(**{kind: tuple(collected[kind]) for kind in KINDS}, parts=tuple(parts))

    def summarizer(self, settings: Settings) -> Summarizer:
        """The summarizer the settings choose: `auto` is the LLM when a server is configured, or a model and a
        key for OpenAI (a starter config names a model that works once a key is set), else the extractive one."""
        name = settings.summarizer
        if name == "auto":
            name = "llm" if auto_llm(settings) else "extractive"
        for plugin in self.summarizers:
            if plugin.name == name:
                return plugin.create(settings)
        known = ", ".join(["auto", *(p.name for p in self.summarizers)])
        raise ConfigError(f"unknown summarizer {name!r}: the summarizer setting takes one of {known}")

    def embedder(self, settings: Settings) -> Embedder | None:
        """The embedder the `embedder` setting names; None when it is `off`."""
        if settings.embedder == "off":
            return None
        for plugin in self.embedders:
            if plugin.name == settings.embedder:
                return plugin.create(settings)
        known = ", ".join(["off", *(p.name for p in self.embedders)])
        raise ConfigError(f"unknown embedder {settings.embedder!r}: the embedder setting takes one of {known}")

    def engine(self, name: str) -> Engine:
        """The engine `--engine` names (`local`, `ray`, or a plug-in's)."""
        for engine in self.engines:
            if engine.name == name:
                return engine
        known = ", ".join(e.name for e in self.engines)
        raise ConfigError(f"unknown engine {name!r}: --engine takes one of {known}")

    def publisher(self, name: str) -> Publisher:
        return _by_name(self.publishers, name, "publisher")

    def notifier(self, name: str) -> Notifier:
        return _by_name(self.notifiers, name, "notifier")


class _Named(Protocol):
    name: str


N = TypeVar("N", bound=_Named)


def _by_name(parts: Sequence[N], name: str, kind: str) -> N:
    """The part of this kind with this name; a ConfigError naming the setting and what it takes, else."""
    for part in parts:
        if part.name == name:
            return part
    known = ", ".join(p.name for p in parts)
    raise ConfigError(f"unknown {kind} {name!r}: the {kind}s setting takes names from {known}")


def auto_llm(settings: Settings) -> bool:
    """Whether `summarizer = "auto"` means the LLM: a server of one's own, or a model with a key for OpenAI."""
    return bool(settings.llm_base_url or (settings.llm_model and settings.llm_api_key))


def _calling_order(impls: list[Any]) -> list[Any]:
    # pluggy keeps trylast first, then plain, then tryfirst, each in registration order, and calls from the
    # end; a wrapper registers nothing itself
    return [impl for impl in reversed(impls) if not (impl.hookwrapper or impl.wrapper)]


def _register(kind: str, plugin: str, into: list[Any], parts: list[Part]) -> Callable[[Any], None]:
    def register(part: Any) -> None:
        name = getattr(part, "name", None)
        if not isinstance(name, str) or not name:
            raise ConfigError(f"plug-in {plugin} registered one of the {kind} without a name")
        for other in parts:
            if other.kind == kind and other.name == name:
                raise ConfigError(
                    f"plug-ins {other.plugin} and {plugin} both register {kind[:-1]} {name!r}; uninstall one"
                )
        into.append(part)
        parts.append(Part(kind, name, getattr(part, "description", ""), plugin))

    return register
