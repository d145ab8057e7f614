"""The plug-in seams: a source, a summarizer and a publisher registered through the plug-in manager, the way
a third-party package does it, drive a whole run; `dailypapers plugins` lists what is registered."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dailypapers import build_digest, hookimpl
from dailypapers.cli import app
from dailypapers.config import Settings
from dailypapers.errors import ConfigError, InputError
from dailypapers.events import Events, Notice
from dailypapers.models import Digest, Document, Paper, Section, Summary, TextSection, Usage
from dailypapers.plugins import DEFAULT_PLUGINS, Registry, plugin_manager
from dailypapers.publish.base import PublishContext
from dailypapers.sources.base import SourceContext
from dailypapers.summarize.base import SummarizerPlugin, SummaryResult

DAY = dt.date(2026, 3, 4)
BODY = ("We present a reading aid for lighthouse keepers. It logs every lamp change and reports the "
        "weather to the harbour each hour.")


class ShelfSource:
    """A source that lists papers from a shelf name and serves their documents itself."""

    name = "shelf"
    description = "papers on a shelf (--source shelf:NAME)"

    def __init__(self) -> None:
        self.read: list[str] = []

    def accepts(self, spec: str) -> bool:
        return spec.startswith("shelf:")

    def edition(self, spec: str) -> str:
        return spec

    async def list_papers(self, spec: str, day: dt.date | None, limit: int | None,
                          ctx: SourceContext) -> list[Paper]:
        ctx.warn(f"shelf {spec[6:]} is dusty")
        return [Paper(id=f"local:shelf{i:08d}", title=f"Shelf paper {i}", upvotes=10 - i, day=DAY,
                      links={"shelf": spec[6:]}) for i in range(3)]

    def reads(self, paper: Paper) -> bool:
        return "shelf" in paper.links

    async def fetch_document(self, paper: Paper, ctx: SourceContext) -> Document:
        self.read.append(paper.id)
        return Document(paper_id=paper.id, origin="text",
                        sections=(TextSection(kind="abstract", heading="Abstract", text=BODY),))


class EchoSummarizer:
    name = "echo"
    prompt_version = "echo-1"

    async def summarize(self, paper: Paper, text: str, *, lang: str, labels: Sequence[str],
                        feedback: Sequence[str] = ()) -> SummaryResult:
        sections = tuple(Section(label=label, text="a reading aid for keepers") for label in labels)
        return SummaryResult(Summary(paper_id=paper.id, lang=lang, sections=sections, model=self.name,
                                     prompt_version=self.prompt_version), Usage(calls=1))


class Ledger:
    name = "ledger"
    description = "remembers what it was given"

    def __init__(self) -> None:
        self.digests: list[Digest] = []

    def publish(self, digest: Digest, ctx: PublishContext) -> list[str]:
        self.digests.append(digest)
        return [f"ledger:{digest.day}"]


class ThirdParty:
    """What a package listed under the `dailypapers` entry-point group provides."""

    def __init__(self) -> None:
        self.source, self.ledger = ShelfSource(), Ledger()

    @hookimpl
    def register_sources(self, register) -> None:
        register(self.source)

    @hookimpl
    def register_summarizers(self, register) -> None:
        register(SummarizerPlugin("echo", "repeats itself", lambda settings: EchoSummarizer()))

    @hookimpl
    def register_publishers(self, register) -> None:
        register(self.ledger)


def test_a_plug_in_source_summarizer_and_publisher_run_a_whole_day(tmp_path: Path) -> None:
    pm = plugin_manager(entry_points=False)
    plugin = ThirdParty()
    pm.register(plugin, "third-party")
    settings = Settings(db=tmp_path / "p.db", summarizer="echo", publishers=["markdown", "ledger"],
                        out_dir=tmp_path / "digests")
    notices: list[str] = []
    events = Events(lambda e: notices.append(e.message) if isinstance(e, Notice) else None)
    digest, report = build_digest(settings, source="shelf:north", plugins=pm, events=events)
    assert digest is not None and digest.day == DAY
    assert [e.paper.title for e in digest.entries] == ["Shelf paper 0", "Shelf paper 1", "Shelf paper 2"]
    assert sorted(plugin.source.read) == [e.paper.id for e in digest.entries]
    assert all(e.summary is not None and e.summary.model == "echo" for e in digest.entries)
    assert report.counts() == {"ok": 3, "flagged": 0, "failed": 0, "skipped": 0}
    assert report.source == "shelf:north" and report.usage.calls == 3
    assert notices == ["shelf north is dusty"]
    assert plugin.ledger.digests == [digest]
    # not the configured source (hf): the edition's own folder
    markdown = tmp_path / "digests" / "shelf-north" / "ko" / "2026" / "03" / "04.md"
    assert report.outputs == (str(markdown), f"ledger:{DAY}")
    assert markdown.read_text(encoding="utf-8").startswith("## Daily Papers (2026-03-04)\n\n### [Shelf paper 0]")


def test_later_plug_ins_are_asked_first_and_names_are_unique() -> None:
    pm = plugin_manager(entry_points=False)
    pm.register(ThirdParty(), "third-party")
    registry = Registry.load(pm)
    # a local file is read first (tryfirst); then the later-registered plug-in; then the built-ins
    assert [s.name for s in registry.sources] == ["local", "shelf", "arxiv", "hf"]
    assert {p.name: p.plugin for p in registry.parts}["echo"] == "third-party"

    class Impostor:
        @hookimpl
        def register_sources(self, register) -> None:
            register(type("Hf", (), {"name": "hf", "description": "another hf"})())

    pm.register(Impostor(), "impostor")
    both = "plug-ins impostor and dailypapers.sources.hf_daily both register source 'hf'"
    with pytest.raises(ConfigError, match=re.escape(both)):
        Registry.load(pm)


def test_unknown_names_are_clear_errors(tmp_path: Path) -> None:
    registry = Registry.load(plugin_manager(entry_points=False))
    with pytest.raises(ConfigError, match=r"unknown publisher 'slack'.*site, readme, markdown"):
        registry.publisher("slack")
    with pytest.raises(InputError, match="unknown source 'nowhere'"):
        build_digest(Settings(db=tmp_path / "x.db"), source="nowhere")


def test_every_built_in_registers_through_the_same_hooks() -> None:
    registry = Registry.load(plugin_manager(entry_points=False))
    by_plugin = {p.plugin for p in registry.parts}
    assert by_plugin == set(DEFAULT_PLUGINS)
    kinds = {(p.kind, p.name) for p in registry.parts}
    assert kinds == {("sources", "hf"), ("sources", "arxiv"), ("sources", "local"), ("summarizers", "llm"),
                     ("summarizers", "extractive"), ("publishers", "markdown"), ("publishers", "readme"),
                     ("publishers", "site"), ("notifiers", "slack"), ("notifiers", "email"), ("notifiers", "apprise"),
                     ("embedders", "bundled"), ("embedders", "openai"), ("engines", "local"), ("engines", "ray")}


def test_the_plugins_command_lists_them() -> None:
    result = CliRunner().invoke(app, ["plugins", "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert {(p["kind"], p["name"], p["plugin"]) for p in listed} >= {
        ("sources", "hf", "dailypapers.sources.hf_daily"),
        ("summarizers", "extractive", "dailypapers.summarize.extractive"),
        ("publishers", "markdown", "dailypapers.publish.markdown"),
    }
    table = CliRunner().invoke(app, ["plugins"], env={"COLUMNS": "200"})
    assert "markdown" in table.stdout and "dailypapers.sources.local" in table.stdout
