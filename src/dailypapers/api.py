"""The library API. Every caller (the CLI, a web app, a scheduler, tests, a cluster driver) starts a run here:

    from dailypapers import build_digest, load_settings

    digest, report = build_digest(load_settings(), dt.date(2025, 5, 6), lang="en")

Each function builds what a run needs from settings (the plug-in registry, the summarizer, the HTTP client,
the archive) and hands it to `pipeline`, which knows the order of the stages. Settings problems (a bad
language code, an LLM without a model, an unknown publisher) are raised before any network request.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pluggy

from dailypapers import pipeline, sources
from dailypapers.config import Settings
from dailypapers.errors import StoreError
from dailypapers.events import Events, PaperDone, Waiting
from dailypapers.http import Http
from dailypapers.models import Digest, Document, Outcome, Paper, RunReport
from dailypapers.plugins import Registry
from dailypapers.publish.base import PublishContext
from dailypapers.sources.base import SourceContext
from dailypapers.store import Store
from dailypapers.summarize.base import Summarizer
from dailypapers.summarize.prompts import language_name
from dailypapers.work import WorkSpec

__all__ = ["FetchResult", "abuild_digest", "afetch_day", "build_digest", "fetch_day", "fetch_documents"]


def build_digest(
    settings: Settings,
    day: dt.date | None = None,
    *,
    source: str | None = None,
    lang: str | None = None,
    limit: int | None = None,
    force: bool = False,
    out: Path | None = None,
    plugins: pluggy.PluginManager | None = None,
    events: Events | None = None,
) -> tuple[Digest | None, RunReport]:
    """Fetch a day's papers, read them in full, summarize, verify, store and publish.

    `day` None means the source's latest day; `source`, `lang` override the settings; `limit` keeps the top N;
    `force` summarizes again what is cached; `out` is where the Markdown goes (default: out_dir/YYYY/MM/DD.md).
    Returns the stored digest (None when the source lists no papers) and the run report."""
    return asyncio.run(abuild_digest(settings, day, source=source, lang=lang, limit=limit, force=force, out=out,
                                     plugins=plugins, events=events))


async def abuild_digest(
    settings: Settings,
    day: dt.date | None = None,
    *,
    source: str | None = None,
    lang: str | None = None,
    limit: int | None = None,
    force: bool = False,
    out: Path | None = None,
    plugins: pluggy.PluginManager | None = None,
    events: Events | None = None,
) -> tuple[Digest | None, RunReport]:
    """`build_digest` for callers that already run an event loop."""
    configured = settings
    settings = _with(settings, source=source, lang=lang)
    events = events or Events()
    registry = Registry.load(plugins)
    language_name(settings.lang)  # a malformed language code is one clear error, not a failure per paper
    publishers = [registry.publisher(name) for name in settings.publishers]
    edition_source = sources.source_for(registry, settings.source).edition(settings.source)
    if settings.summarizer == "auto" and settings.llm_api_key and not (settings.llm_model or settings.llm_base_url):
        events.notice("an API key is set but no model, so the summaries are extractive: set DAILYPAPERS_LLM_MODEL "
                      "(e.g. gpt-4o-mini) to summarize with the LLM")
    main_edition = (edition_source, settings.lang) == (
        sources.source_for(registry, configured.source).edition(configured.source), configured.lang)
    started = dt.datetime.now(dt.UTC)
    async with _summarizer(registry, settings) as summarizer, _http(settings, events) as http:
        ctx = SourceContext(settings, http, events.notice)
        with Store(settings.db) as store:
            papers = await sources.list_papers(registry, settings.source, day, ctx, limit=limit)
            if not papers:
                report = RunReport(command="digest", day=day, source=edition_source, lang=settings.lang,
                                   started_at=started, finished_at=dt.datetime.now(dt.UTC))
                store.save_run(report)
                return None, report
            job = pipeline.Job(
                day=day or papers[0].day or dt.date.today(),
                papers=tuple(papers),
                spec=WorkSpec(lang=settings.lang, labels=tuple(settings.section_labels),
                              max_input_tokens=settings.max_input_tokens),
                source=edition_source,
                force=force,
                concurrency=settings.concurrency,
                budget=pipeline.Budget(max_cost=settings.max_cost, max_tokens=settings.max_tokens),
            )
            return await pipeline.run(
                job, store=store, summarizer=summarizer,
                fetch=lambda paper: sources.fetch_document(registry, paper, ctx),
                publishers=publishers, publish_context=PublishContext(settings, out, main_edition), events=events,
            )


@dataclass(frozen=True)
class FetchResult:
    paper: Paper
    outcome: Outcome  # ok (the document is in the archive) or failed at fetch/read


def fetch_day(
    settings: Settings,
    day: dt.date | None = None,
    *,
    source: str | None = None,
    limit: int | None = None,
    force: bool = False,
    plugins: pluggy.PluginManager | None = None,
    events: Events | None = None,
) -> list[FetchResult]:
    """Store a day's papers and their documents, nothing more; [] when the source lists no papers."""
    return asyncio.run(afetch_day(settings, day, source=source, limit=limit, force=force, plugins=plugins,
                                  events=events))


async def afetch_day(
    settings: Settings,
    day: dt.date | None = None,
    *,
    source: str | None = None,
    limit: int | None = None,
    force: bool = False,
    plugins: pluggy.PluginManager | None = None,
    events: Events | None = None,
) -> list[FetchResult]:
    settings = _with(settings, source=source)
    events = events or Events()
    registry = Registry.load(plugins)
    async with _http(settings, events) as http:
        ctx = SourceContext(settings, http, events.notice)
        with Store(settings.db) as store:
            papers = await sources.list_papers(registry, settings.source, day, ctx, limit=limit)
            with store.transaction():
                for paper in papers:
                    store.upsert_paper(paper)
            found = await _documents(papers, registry, ctx, store, force=force, events=events)
    return [FetchResult(p, _fetch_outcome(p, found[p.id])) for p in papers]


async def fetch_documents(
    settings: Settings,
    papers: Sequence[Paper],
    *,
    force: bool = False,
    plugins: pluggy.PluginManager | None = None,
    events: Events | None = None,
) -> dict[str, Document | Outcome]:
    """The documents of these papers: from the archive when it holds them, else fetched and stored."""
    events = events or Events()
    registry = Registry.load(plugins)
    async with _http(settings, events) as http:
        ctx = SourceContext(settings, http, events.notice)
        with Store(settings.db) as store:
            with store.transaction():
                for paper in papers:
                    store.upsert_paper(paper)
            return await _documents(papers, registry, ctx, store, force=force, events=events)


async def _documents(
    papers: Sequence[Paper], registry: Registry, ctx: SourceContext, store: Store, *, force: bool,
    events: Events,
) -> dict[str, Document | Outcome]:
    """The one fetch stage of the `fetch` and `verify` commands: stored documents first, the rest fetched
    concurrently (through `pipeline.fetch_stage`, so one paper's failure is its own) and stored."""
    slots = asyncio.Semaphore(ctx.settings.concurrency)

    async def one(paper: Paper) -> Document | Outcome:
        found: Document | Outcome | None = None if force else store.get_document(paper.id)
        if found is None:
            async with slots:
                found = await pipeline.fetch_stage(paper, lambda p: sources.fetch_document(registry, p, ctx))
            if isinstance(found, Document):
                try:
                    store.save_document(found)
                except StoreError as exc:
                    found = Outcome(paper_id=paper.id, status="failed", reason=pipeline.reason(exc), stage="store")
        events.emit(PaperDone(_fetch_outcome(paper, found)))
        return found

    results = await asyncio.gather(*(one(p) for p in papers))
    return {p.id: r for p, r in zip(papers, results, strict=True)}


def _fetch_outcome(paper: Paper, found: Document | Outcome) -> Outcome:
    return found if isinstance(found, Outcome) else Outcome(paper_id=paper.id, status="ok", stage="fetch")


def _http(settings: Settings, events: Events) -> Http:
    """The run's HTTP client; its politeness waits become `Waiting` events."""
    return Http(settings, on_wait=lambda endpoint, seconds: events.emit(Waiting(endpoint, seconds)))


def _with(settings: Settings, **overrides: str | None) -> Settings:
    given = {k: v for k, v in overrides.items() if v is not None}
    return settings.model_copy(update=given) if given else settings


@asynccontextmanager
async def _summarizer(registry: Registry, settings: Settings) -> AsyncIterator[Summarizer]:
    summarizer = registry.summarizer(settings)  # a bad LLM setting is reported before any network traffic
    try:
        yield summarizer
    finally:
        close = getattr(summarizer, "aclose", None)
        if close is not None:
            await close()
