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
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pluggy

from dailypapers import pipeline, sources
from dailypapers.config import EditionSetting, Settings
from dailypapers.errors import FetchError, InputError, PublishError, StoreError
from dailypapers.events import Events, PaperDone, Waiting
from dailypapers.http import Http
from dailypapers.models import Digest, Document, Edition, Outcome, Paper, RunReport, Usage
from dailypapers.plugins import Registry, auto_llm, plugin_manager
from dailypapers.publish.base import PublishContext, is_whole_archive
from dailypapers.sources.base import SourceContext
from dailypapers.store import Store
from dailypapers.summarize.base import Summarizer
from dailypapers.summarize.prompts import language_name
from dailypapers.work import WorkSpec

if TYPE_CHECKING:
    from dailypapers.publish.notify.health import EditionHealth, HealthReport

__all__ = [
    "FetchResult", "abuild_digest", "afetch_day", "arun", "build_digest", "fetch_day", "fetch_documents", "run",
]


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
    command: str = "digest",
    store: Store | None = None,
    whole_archive: bool = True,
) -> tuple[Digest | None, RunReport]:
    """`build_digest` for callers that already run an event loop; `command` names the run in the archive.

    `store`: an archive the caller keeps open (default: the settings' own, opened once the settings are known
    to be good, after the summarizer is made). `whole_archive` False leaves the publishers made from the whole
    archive (`is_whole_archive`: the site) to the caller, which runs them once for many editions."""
    configured = settings
    settings = _with(settings, source=source, lang=lang)
    events = events or Events()
    registry = Registry.load(plugins)
    language_name(settings.lang)  # a malformed language code is one clear error, not a failure per paper
    publishers = [p for p in (registry.publisher(name) for name in settings.publishers)
                  if whole_archive or not is_whole_archive(p)]
    edition_source = sources.source_for(registry, settings.source).edition(settings.source)
    if settings.summarizer == "auto" and settings.llm_api_key and not (settings.llm_model or settings.llm_base_url):
        events.notice("an API key is set but no model, so the summaries are extractive: set DAILYPAPERS_LLM_MODEL "
                      "(e.g. gpt-4o-mini) to summarize with the LLM")
    if settings.summarizer == "auto" and settings.llm_model and not auto_llm(settings):
        events.notice(f"llm_model is {settings.llm_model} but no API key is set, so the summaries are extractive: "
                      "set OPENAI_API_KEY (or DAILYPAPERS_LLM_API_KEY), or llm_base_url for a server of your own")
    main_edition = _main_edition(registry, configured, settings.source, settings.lang)
    started = dt.datetime.now(dt.UTC)
    async with _summarizer(registry, settings) as summarizer, _http(settings, events) as http:
        ctx = SourceContext(settings, http, events.notice)
        with nullcontext(store) if store is not None else Store(settings.db) as store:
            papers = await sources.list_papers(registry, settings.source, day, ctx, limit=limit)
            if not papers:
                report = RunReport(command=command, day=day, source=edition_source, lang=settings.lang,
                                   started_at=started, finished_at=dt.datetime.now(dt.UTC))
                return None, report.model_copy(update={"run_id": store.save_run(report)})
            job = pipeline.Job(
                day=day or papers[0].day or dt.date.today(),
                papers=tuple(papers),
                spec=WorkSpec(lang=settings.lang, labels=tuple(settings.section_labels),
                              max_input_tokens=settings.max_input_tokens),
                source=edition_source,
                force=force,
                concurrency=settings.concurrency,
                budget=pipeline.Budget(max_cost=settings.max_cost, max_tokens=settings.max_tokens),
                command=command,
            )
            return await pipeline.run(
                job, store=store, summarizer=summarizer,
                fetch=lambda paper: sources.fetch_document(registry, paper, ctx),
                publishers=publishers, publish_context=PublishContext(settings, out, main_edition, store),
                events=events,
            )


def run(
    settings: Settings,
    day: dt.date | None = None,
    *,
    days: Sequence[dt.date] | None = None,
    editions: Sequence[EditionSetting] | None = None,
    deliver: bool = True,
    force: bool = False,
    limit: int | None = None,
    command: str = "run",
    plugins: pluggy.PluginManager | None = None,
    events: Events | None = None,
) -> HealthReport:
    """The daily job: for each day (`day`, None for the source's latest, or the backfill range `days`) and
    each configured edition (`editions` setting), digest and publish; then the publishers made from the whole
    archive (the site) once, so the messages link to pages that exist; then each edition is delivered and the
    health report is stored and sent to the ops channel. Returns the report (`exit_code`, `summary()`).

    A range runs under one cost/token cap (`max_cost`, `max_tokens` span the whole range: each day gets what
    the days before left), skips editions already done (`daily.edition_done`) unless `force` (one day is
    always listed again: papers added since the last run are digested and delivered), and can be
    killed and started again: every edition is committed as it finishes, every delivery as it is made. One
    edition's failure (its source unreachable, a channel down) is reported and the others go on."""
    return asyncio.run(arun(settings, day, days=days, editions=editions, deliver=deliver, force=force, limit=limit,
                            command=command, plugins=plugins, events=events))


async def arun(
    settings: Settings,
    day: dt.date | None = None,
    *,
    days: Sequence[dt.date] | None = None,
    editions: Sequence[EditionSetting] | None = None,
    deliver: bool = True,
    force: bool = False,
    limit: int | None = None,
    command: str = "run",
    plugins: pluggy.PluginManager | None = None,
    events: Events | None = None,
) -> HealthReport:
    """`run` for callers that already run an event loop."""
    from dailypapers.publish.notify import daily
    from dailypapers.publish.notify.deliver import deliver as deliver_edition
    from dailypapers.publish.notify.health import EditionHealth, HealthReport, edition_health, explain_no_papers

    events = events or Events()
    pm = plugins or plugin_manager()
    registry = Registry.load(pm)
    specs = list(editions) if editions is not None else settings.edition_specs()
    for spec in specs:  # a bad source or language fails the whole run before any work
        language_name(spec.lang)
        sources.source_for(registry, spec.source)
    chans = daily.channels(registry, settings) if deliver else []
    ops = daily.ops_targets(settings) if deliver else []
    started = dt.datetime.now(dt.UTC)
    results: list[EditionHealth] = []
    digests: list[tuple[int, Digest]] = []  # the editions to publish and deliver, by their place in `results`
    used = Usage()
    with Store(settings.db) as store:  # one archive for the whole run: each write still commits at once
        for when in (list(days) if days is not None else [day]):
            for spec in specs:
                name = sources.source_for(registry, spec.source).edition(spec.source)
                base = EditionHealth(day=when, source=name, lang=spec.lang)
                capped = _remaining(settings, used)
                if capped is None:
                    results.append(base.model_copy(update={"skipped_reason": "budget: the run's cap was reached"}))
                    continue
                if days is not None and when is not None and not force:  # a backfill: done days are not re-listed
                    edition = Edition(day=when, source=name, lang=spec.lang)
                    if daily.edition_done(store, edition, settings, chans):
                        results.append(base.model_copy(update={"skipped_reason": "done"}))
                        continue
                try:
                    digest, report = await abuild_digest(
                        capped, when, source=spec.source, lang=spec.lang, limit=limit, force=force, plugins=pm,
                        events=events, command=command, store=store, whole_archive=False)
                except FetchError as exc:
                    why = explain_no_papers(when, unreachable=pipeline.reason(exc))
                    results.append(base.model_copy(update={"no_papers": why, "error": why}))
                    continue
                except (InputError, StoreError, PublishError) as exc:
                    results.append(base.model_copy(update={"error": pipeline.reason(exc)}))
                    continue
                used = used + report.usage
                if digest is None:
                    results.append(edition_health(report, listed=0, delivered=0, undelivered=0,
                                                  no_papers=explain_no_papers(when)))
                    continue
                digests.append((len(results), digest))
                results.append(edition_health(report, listed=len(report.outcomes), delivered=0, undelivered=0))
        if digests:  # the site once for all the editions, and before the messages that link to its pages
            _publish_whole_archive(registry, settings, store, digests, results, events)
        for i, digest in digests:
            view = daily.view_of(digest, settings)
            outcomes = await deliver_edition(view, chans, store, max_attempts=settings.delivery_max_attempts,
                                             events=events)
            delivered, undelivered = daily.delivery_counts(store, view, chans)
            results[i] = results[i].model_copy(
                update={"delivered": delivered, "undelivered": undelivered, "channels": tuple(outcomes)})
        health = HealthReport(command=command, started_at=started, finished_at=dt.datetime.now(dt.UTC),
                              editions=tuple(results))
        if deliver:
            problem = await daily.send_ops(health, ops)
            if problem:
                events.notice(f"the health report did not reach the ops channel: {problem}")
                health = health.model_copy(update={"ops_error": problem})
        store.save_health(health.stored(), [e.stored_row() for e in health.editions])
    return health


def _publish_whole_archive(
    registry: Registry, settings: Settings, store: Store, digests: Sequence[tuple[int, Digest]],
    results: list[EditionHealth], events: Events,
) -> None:
    """Run the publishers made from the whole archive once, for the last main edition of the run (else its
    last edition); their outputs and problems are that edition's (in `results`, and in its stored run)."""
    publishers = [p for p in (registry.publisher(name) for name in settings.publishers) if is_whole_archive(p)]
    if not publishers:
        return
    mains = [(i, d) for i, d in digests if _main_edition(registry, settings, d.source, d.lang)]
    i, digest = (mains or list(digests))[-1]
    outputs, problems = pipeline.publish(digest, publishers, PublishContext(settings, None, bool(mains), store),
                                         events)
    health = results[i]
    results[i] = health.model_copy(update={"outputs": health.outputs + tuple(outputs),
                                           "publish_errors": health.publish_errors + tuple(problems)})
    if health.run_id is not None:
        store.add_run_outputs(health.run_id, outputs, problems)


def _main_edition(registry: Registry, configured: Settings, source: str, lang: str) -> bool:
    """Whether (source, lang) is the configured edition, whose outputs go to the top level."""
    def edition(name: str) -> str:
        return sources.source_for(registry, name).edition(name)
    return (edition(source), lang) == (edition(configured.source), configured.lang)


def _remaining(settings: Settings, used: Usage) -> Settings | None:
    """The settings for the next edition of a run under one cap: the caps less what the run used so far; None
    when nothing is left."""
    update: dict[str, float | int] = {}
    if settings.max_cost is not None:
        if used.cost >= settings.max_cost:
            return None
        update["max_cost"] = settings.max_cost - used.cost
    if settings.max_tokens is not None:
        if used.total_tokens >= settings.max_tokens:
            return None
        update["max_tokens"] = settings.max_tokens - used.total_tokens
    return settings.model_copy(update=update) if update else settings


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
            return await _documents(papers, registry, ctx, store, force=force, events=events)


async def _documents(
    papers: Sequence[Paper], registry: Registry, ctx: SourceContext, store: Store, *, force: bool,
    events: Events,
) -> dict[str, Document | Outcome]:
    """The one fetch stage of the `fetch` and `verify` commands: the papers stored, their stored documents
    first, the rest fetched concurrently (through `pipeline.fetch_stage`, so one paper's failure is its own)
    and stored."""
    with store.transaction():
        for paper in papers:
            store.upsert_paper(paper)
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
