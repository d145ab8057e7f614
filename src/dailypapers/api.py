"""The library API. Every caller (the CLI, a web app, a scheduler, tests, a cluster driver) starts a run here:

    from dailypapers import build_digest, load_settings

    digest, report = build_digest(load_settings(), dt.date(2025, 5, 6), lang="en")

Each function builds what a run needs from settings (the plug-in registry, the summarizer, the HTTP client,
the archive, the publishers and the notifiers' channels) and hands it to `pipeline`, which knows the order of
the stages and drives them: `pipeline.run` for one edition, `pipeline.daily` for the daily job,
`pipeline.fetch_documents` for the fetch stage alone. Settings problems (a bad language code, an LLM without
a model, an unknown publisher) are raised before any network request.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Sequence
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pluggy

from dailypapers import interest, periods, pipeline, sources
from dailypapers.config import EditionSetting, Settings
from dailypapers.engines.base import Session
from dailypapers.errors import DailyPapersError, PublishError, SummarizeError
from dailypapers.events import Events, Waiting
from dailypapers.health import ChannelHealth, HealthReport
from dailypapers.http import Http, Pacing
from dailypapers.models import (
    Digest,
    Document,
    Edition,
    Entry,
    Outcome,
    Paper,
    PeriodDigest,
    RunReport,
    Span,
    Usage,
)
from dailypapers.plugins import Registry, auto_llm, plugin_manager
from dailypapers.publish.base import Channel, PublishContext, is_whole_archive, publish_all
from dailypapers.publish.markdown import period_path, write_period
from dailypapers.sources.base import SourceContext
from dailypapers.store import Store
from dailypapers.summarize.base import Asks, Closes, Summarizer, WarmsUp
from dailypapers.summarize.prompts import language_name
from dailypapers.work import WorkSpec

if TYPE_CHECKING:  # the delivery stack loads when something is delivered, the checker when a synthesis is made
    from dailypapers.meaning import EmbedAlong
    from dailypapers.publish.notify.apprise import AppriseChannel
    from dailypapers.publish.notify.messages import MessageEdition
    from dailypapers.publish.notify.slack import SlackChannel

__all__ = [
    "FetchResult", "PeriodResult", "abuild_digest", "afetch_day", "arun", "build_digest", "build_period", "fetch_day",
    "fetch_documents", "refresh", "run",
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
    return pipeline.run_to_end(abuild_digest(settings, day, source=source, lang=lang, limit=limit, force=force, out=out,
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
    rank: str | None = None,
    include: Sequence[str] | None = None,
    exclude: Sequence[str] | None = None,
    session: Session | None = None,
) -> tuple[Digest | None, RunReport]:
    """`build_digest` for callers that already run an event loop; `command` names the run in the archive.

    `store`: an archive the caller keeps open (default: the settings' own, opened once the settings are known
    to be good, after the summarizer is made). `whole_archive` False leaves the publishers made from the whole
    archive (`is_whole_archive`: the site) to the caller, which runs them once for many editions. `session`:
    an engine's (`engines`), where the fetching and the work on each paper run (default: in this process)."""
    configured = settings
    settings = _with(settings, source=source, lang=lang, rank=rank)
    if include is not None or exclude is not None:
        settings = settings.model_copy(update={"include": list(include if include is not None else settings.include),
                                               "exclude": list(exclude if exclude is not None else settings.exclude)})
    by_interest = settings.rank == "interest"
    redact = settings.redactor()
    events = (events or Events()).redacting(redact)
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
        with nullcontext(store) if store is not None else Store.of(settings) as store:
            _warm_up_early(summarizer, store, day, edition_source, settings.lang, force=force)
            # filtered or ranked here: the source lists the whole day, and only the top N are then summarized
            chosen: list[interest.Choice] = []
            whole_day = by_interest or settings.include or settings.exclude
            papers = await sources.list_papers(registry, settings.source, day, ctx,
                                               limit=None if whole_day else limit)
            papers = interest.keep(papers, settings.include, settings.exclude)
            if by_interest:
                items = interest.profile(store, settings.profile, settings.profile_keywords)
                papers, chosen = interest.rank(store, registry.embedder(settings), papers, items,
                                               limit or settings.top)
            elif limit is not None:
                papers = papers[:limit]
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
                caps=pipeline.Caps(max_cost=settings.max_cost, max_tokens=settings.max_tokens),
                command=command,
                in_order=by_interest,
            )
            if by_interest:  # before the pages, which show why each paper was chosen
                store.save_choices(job.edition, chosen)
            publish_context = PublishContext(settings, out, main_edition, store, _embedding_model(registry, settings))

            unsettled: list[str] = []  # what the run left undone beyond its papers: done again by the next one
            along = _embed_along(registry, settings, store, job.edition, events)

            def publish(digest: Digest) -> tuple[list[str], list[str]]:
                if along is not None:
                    along.finish()
                if not _embed_new(registry, settings, store, events):  # before the pages: they show related papers
                    unsettled.append("embeddings")
                return publish_all(digest, publishers, publish_context, events)

            async def synthesized(digest: Digest, spent: Usage) -> Usage:  # before the publishers: pages show it
                used = await _synthesis(settings, summarizer, store, digest.entries, digest.lang, events, spent)
                if _synthesis_due(settings, summarizer, store, digest.entries, digest.lang):
                    unsettled.append("synthesis")
                return used

            def fetch(paper: Paper) -> Awaitable[Document]:
                return sources.fetch_document(registry, paper, ctx)

            try:
                digest, report = await pipeline.run(
                    job, store=store, summarizer=summarizer, fetch=fetch, publish=publish, events=events,
                    synthesize=synthesized, workers=session.workers(summarizer, fetch) if session is not None else None,
                    finish=pipeline.Finish(_finish_inputs(settings, out, main_edition, publishers),
                                           lambda: not unsettled),
                    summarized=along.add if along is not None else None,
                )
            finally:
                if along is not None:
                    along.close()
            return digest, redact.data(report)


def _warm_up_early(summarizer: Summarizer, store: Store, day: dt.date | None, source: str, lang: str, *,
                   force: bool) -> None:
    """The summarizer's warm-up (`WarmsUp`: its SDK loaded in a thread) started before the source is listed, so
    that it overlaps the listing's wait on the network, unless the day's edition is recorded finished: its
    re-run most likely asks nothing (`pipeline.run` warms up later when a paper needs it). Not for the latest
    day (`day` None), which is known only once listed. The summarizer waits for its own warm-up when it calls
    or closes."""
    if not isinstance(summarizer, WarmsUp) or day is None:
        return
    if not force and store.finished_edition(Edition(day=day, source=source, lang=lang)) is not None:
        return
    started = asyncio.ensure_future(summarizer.warm_up())
    started.add_done_callback(lambda f: f.cancelled() or f.exception())  # a failure is the calls' to report


@asynccontextmanager
async def work_parts(settings: Settings, paces: dict[str, Pacing]) -> AsyncIterator[tuple[Summarizer,
                                                                                          pipeline.FetchDocument]]:
    """What an engine's worker needs to do the work on its own (`engines.base.WorkParts`): the summarizer and
    the fetch of a document made from the run's settings, the HTTP client's endpoints paced by `paces`."""
    registry = Registry.load()
    async with _summarizer(registry, settings) as summarizer, Http(settings, paces=paces) as http:
        ctx = SourceContext(settings, http, lambda message: None)
        yield summarizer, lambda paper: sources.fetch_document(registry, paper, ctx)


def refresh(settings: Settings, *, since: dt.date | None = None, plugins: pluggy.PluginManager | None = None,
            events: Events | None = None) -> pipeline.RefreshReport:
    """`dailypapers refresh`: new arXiv versions of the papers in editions (of `since` or later), asked in one
    batched query, summarized again and compared with what their editions show (`pipeline.refresh`)."""
    return pipeline.run_to_end(arefresh(settings, since=since, plugins=plugins, events=events))


async def arefresh(settings: Settings, *, since: dt.date | None = None, plugins: pluggy.PluginManager | None = None,
                   events: Events | None = None, store: Store | None = None) -> pipeline.RefreshReport:
    """`refresh` for callers that already run an event loop (the daily run, on its own archive `store`)."""
    from dailypapers.sources.arxiv import fetch_metadata

    events = (events or Events()).redacting(settings.redactor())
    registry = Registry.load(plugins)

    def spec_for(lang: str) -> WorkSpec:
        return WorkSpec(lang=lang, labels=tuple(settings.section_labels), max_input_tokens=settings.max_input_tokens)

    async with _summarizer(registry, settings) as summarizer, _http(settings, events) as http:
        ctx = SourceContext(settings, http, events.notice)
        with nullcontext(store) if store is not None else Store.of(settings) as opened:
            return await pipeline.refresh(
                opened, look_up=lambda ids: fetch_metadata(http, settings, ids),
                fetch=lambda paper: sources.fetch_document(registry, paper, ctx), summarizer=summarizer,
                spec_for=spec_for, since=since, concurrency=settings.concurrency,
                caps=pipeline.Caps(max_cost=settings.max_cost, max_tokens=settings.max_tokens), events=events)


def _finish_inputs(settings: Settings, out: Path | None, main_edition: bool, publishers: Sequence[object]) -> str:
    """What an edition's outputs follow besides its papers (`pipeline.Finish`): the settings (less what bounds
    a run without changing what it makes), the output path and the publishers."""
    shown = settings.model_dump_json(exclude={"max_cost", "max_tokens", "concurrency"})
    return "\n".join([shown, str(out.resolve()) if out is not None else "", str(main_edition),
                      ",".join(type(p).__qualname__ for p in publishers)])


def _embed_along(registry: Registry, settings: Settings, store: Store, edition: Edition,
                 events: Events) -> EmbedAlong | None:
    """What embeds the run's papers as their summaries come (`meaning.EmbedAlong`); None without an embedder
    (or with one that cannot be made: `_embed_new` says so once, at the end)."""
    try:
        embedder = registry.embedder(settings)
    except DailyPapersError:
        return None
    if embedder is None:
        return None
    from dailypapers.meaning import EmbedAlong

    return EmbedAlong(store, embedder, edition, events.notice)


def _embed_new(registry: Registry, settings: Settings, store: Store, events: Events) -> bool:
    """Embed the papers the run added (and those whose summaries changed): meaning search and related papers
    find them from now on. A failure is a notice, never a failed run: `dailypapers embed` catches up later.
    Returns False then."""
    try:
        embedder = registry.embedder(settings)
        if embedder is not None:
            from dailypapers.meaning import embed_archive

            embed_archive(store, embedder)
    except DailyPapersError as exc:
        events.notice(f"papers not embedded ({exc}): `dailypapers embed` does it later")
        return False
    return True


def _embedding_model(registry: Registry, settings: Settings) -> str | None:
    try:
        embedder = registry.embedder(settings)
    except DailyPapersError:  # said once, by `_embed_new`
        return None
    return embedder.model if embedder is not None else None


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
    engine: str = "local",
    address: str | None = None,
) -> HealthReport:
    """The daily job (`pipeline.daily`): for each day (`day`, None for the source's latest, or the backfill
    range `days`) and each configured edition (`editions` setting), digest and publish; then the publishers
    made from the whole archive (the site) once, so the messages link to pages that exist; then each edition
    is delivered and the health report is stored and sent to the ops channel. Returns the report
    (`exit_code`, `summary()`).

    A range runs under one cost/token cap (`max_cost`, `max_tokens` span the whole range: each day gets what
    the days before left), skips editions already done (`daily.edition_done`) unless `force` (one day is
    always listed again: papers added since the last run are digested and delivered), and can be
    killed and started again: every edition is committed as it finishes, every delivery as it is made. One
    edition's failure (its source unreachable, a channel down) is reported and the others go on.

    `engine` (`local`, `ray`, a plug-in's) runs the fetching and the work on each paper, on the cluster at
    `address` for ray; this process plans and alone writes the archive, and the output is the same."""
    health = pipeline.run_to_end(arun(settings, day, days=days, editions=editions, deliver=deliver, force=force,
                              limit=limit, command=command, plugins=plugins, events=events, engine=engine,
                              address=address))
    if command == "run" and days is None:  # the daily job also makes the week's or month's edition when due
        today = day or dt.datetime.now(dt.UTC).date()
        for span in due_periods(settings, today):
            for spec in (list(editions) if editions is not None else settings.edition_specs()):
                _period_in_run(settings, span, spec, today=today, deliver=deliver, plugins=plugins, events=events)
    return health


def _period_in_run(settings: Settings, span: Span, spec: EditionSetting, *, today: dt.date, deliver: bool,
                   plugins: pluggy.PluginManager | None, events: Events | None) -> None:
    """One weekly or monthly edition made by `run`; what became of it is a notice (the day's health stands)."""
    events = events or Events()
    try:
        made = build_period(settings, span, source=spec.source, lang=spec.lang, today=today, deliver=deliver,
                            plugins=plugins, events=events)
    except DailyPapersError as exc:
        events.notice(f"the {span.period}ly edition {spec.source} {spec.lang} {span.label} was not made: {exc}")
        return
    sent = sum(c.delivered for c in made.channels)
    problems = "; ".join(made.publish_errors)
    events.notice(f"made the {span.period}ly edition {made.edition.key}: {len(made.edition.entries)} papers, "
                  f"{sent} messages sent" + (f"; not published: {problems}" if problems else ""))


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
    engine: str = "local",
    address: str | None = None,
    session: Session | None = None,
) -> HealthReport:
    """`run` for callers that already run an event loop; `session`: an engine's session the caller opened
    (instead of `engine` and `address`)."""
    from dailypapers.publish.notify import daily  # the delivery stack: only the daily job delivers

    redact = settings.redactor()
    events = (events or Events()).redacting(redact)
    pm = plugins or plugin_manager()
    registry = Registry.load(pm)
    specs = list(editions) if editions is not None else settings.edition_specs()
    for spec in specs:  # a bad source or language fails the whole run before any work
        language_name(spec.lang)
        sources.source_for(registry, spec.source)
    planned = [pipeline.DailyEdition(s.source, sources.source_for(registry, s.source).edition(s.source), s.lang)
               for s in specs]
    notifiers = [registry.notifier(name) for name in settings.notifiers] if deliver else []
    channels = daily.channels(notifiers, settings)  # a bad channel setting, too, fails before any work
    ops = daily.ops_targets(settings) if deliver else []
    opened = (nullcontext(session) if session is not None
              else registry.engine(engine).session(settings, work_parts, address=address))
    async with opened as working:
        with Store.of(settings) as store:  # one archive for the whole run: each write still commits at once
            if command == "run" and days is None and settings.refresh_days:
                await _refresh_in_run(settings, store, pm, events, day)
            plan = _DailyPlan(registry, pm, settings, store, events, channels, ops, limit=limit, force=force,
                              command=command, specs=specs, session=working)
            health = await pipeline.daily(
                plan, store=store, days=list(days) if days is not None else [day], editions=planned,
                caps=pipeline.Caps(max_cost=settings.max_cost, max_tokens=settings.max_tokens),
                backfill=days is not None, force=force, command=command, events=events)
    return redact.data(health)


async def _refresh_in_run(settings: Settings, store: Store, pm: pluggy.PluginManager, events: Events,
                          day: dt.date | None) -> None:
    """The daily run's look for new arXiv versions (`refresh_days`), before its editions, so that their messages
    note what changed. What it found, or why it could not look, is a notice: the day's editions go on."""
    since = (day or dt.datetime.now(dt.UTC).date()) - dt.timedelta(days=settings.refresh_days)
    try:
        found = await arefresh(settings, since=since, plugins=pm, events=events, store=store)
    except DailyPapersError as exc:
        events.notice(f"new arXiv versions were not looked for: {exc}")
        return
    if found.changes or found.failed:
        events.notice(f"new arXiv versions: {len({c.paper_id for c in found.changes})} papers summarized again, "
                      f"{len(found.failed)} could not be fetched")


class _DailyPlan:
    """The daily loop's `pipeline.Daily`, made from settings: each edition digested by `abuild_digest`, the
    whole-archive publishers, the configured channels and the ops targets."""

    def __init__(self, registry: Registry, pm: pluggy.PluginManager, settings: Settings, store: Store,
                 events: Events, channels: Sequence[Channel], ops: Sequence[AppriseChannel | SlackChannel], *,
                 limit: int | None, force: bool, command: str, specs: Sequence[EditionSetting] = (),
                 session: Session | None = None) -> None:
        self.registry, self.pm, self.settings, self.store, self.events = registry, pm, settings, store, events
        self.specs = {(s.source, s.lang): s for s in specs}
        self.channels, self.ops = channels, ops
        self.limit, self.force, self.command, self.session = limit, force, command, session

    async def digest(self, day: dt.date | None, edition: pipeline.DailyEdition, caps: pipeline.Caps
                     ) -> tuple[Digest | None, RunReport]:
        capped = self.settings.model_copy(update={"max_cost": caps.max_cost, "max_tokens": caps.max_tokens})
        spec = self.specs.get((edition.source, edition.lang), EditionSetting(source=edition.source, lang=edition.lang))
        return await abuild_digest(
            capped, day, source=edition.source, lang=edition.lang, limit=self.limit or spec.top, force=self.force,
            plugins=self.pm, events=self.events, command=self.command, store=self.store, whole_archive=False,
            rank=spec.rank, include=spec.include, exclude=spec.exclude, session=self.session)

    def done(self, edition: Edition) -> bool:
        from dailypapers.publish.notify import daily

        return daily.edition_done(self.store, edition, self.settings, self.channels)

    def publish_archive(self, digests: Sequence[Digest]) -> tuple[int, list[str], list[str]] | None:
        """For the last main edition of the run (else its last edition)."""
        settings = self.settings
        publishers = [p for p in (self.registry.publisher(n) for n in settings.publishers) if is_whole_archive(p)]
        if not publishers:
            return None
        mains = [i for i, d in enumerate(digests) if _main_edition(self.registry, settings, d.source, d.lang)]
        i = (mains or list(range(len(digests))))[-1]
        context = PublishContext(settings, None, bool(mains), self.store, _embedding_model(self.registry, settings))
        outputs, problems = publish_all(digests[i], publishers, context, self.events)
        return i, outputs, problems

    async def deliver(self, digest: Digest) -> tuple[list[ChannelHealth], int, int]:
        from dailypapers.publish.notify import daily
        from dailypapers.publish.notify.deliver import deliver as deliver_edition

        message = _with_synthesis(daily.message_of(digest, self.settings), self.store, digest.entries, digest.lang)
        if self.channels:  # the notes go to the first edition that has somewhere to go
            message = _with_updates(message, self.store)
        outcomes = await deliver_edition(message, self.channels, self.store,
                                         max_attempts=self.settings.delivery_max_attempts, events=self.events)
        delivered, undelivered = daily.delivery_counts(self.store, message, self.channels)
        return outcomes, delivered, undelivered

    async def send_ops(self, report: HealthReport) -> str | None:
        if not self.ops:
            return None
        from dailypapers.publish.notify import daily

        redact = self.settings.redactor()
        problem = await daily.send_ops(redact.data(report), self.ops)
        return redact(problem) if problem is not None else None


@dataclass(frozen=True)
class PeriodResult:
    edition: PeriodDigest
    path: Path  # the Markdown
    days: tuple[dt.date, ...]  # the stored days it was made from
    ran: HealthReport | None = None  # the run of the days that were not stored yet (None: every day was)
    outputs: tuple[str, ...] = ()
    publish_errors: tuple[str, ...] = ()
    channels: tuple[ChannelHealth, ...] = ()  # with `deliver`: each channel's delivery


# Days the listing sources publish nothing (`health.explain_no_papers`): a week's weekend is never asked for.
_WEEKDAY_SOURCES = ("hf", "arxiv:")


def build_period(
    settings: Settings,
    span: Span,
    *,
    source: str | None = None,
    lang: str | None = None,
    top: int | None = None,
    out: Path | None = None,
    today: dt.date | None = None,
    deliver: bool = False,
    plugins: pluggy.PluginManager | None = None,
    events: Events | None = None,
) -> PeriodResult:
    """A weekly or monthly edition (`dailypapers digest --week/--month`): the days of `span` (up to `today`,
    UTC) that the archive lacks are digested first (`run` over them, no delivery: the network and the
    summarizer are used only for those; a weekend of HF or arXiv, and a day a run found empty, are not asked
    again), then the period's top `top` papers are taken from the stored days
    (`periods.compose`: no summarizer call), stored, written as Markdown and published with the site; with
    `deliver`, sent to the configured channels (a Slack thread, an email, apprise), once each."""
    events = events or Events()
    registry = Registry.load(plugins)
    spec = EditionSetting(source=source or settings.source, lang=lang or settings.lang)
    language_name(spec.lang)
    name = sources.source_for(registry, spec.source).edition(spec.source)
    until = today or dt.datetime.now(dt.UTC).date()
    with Store.of(settings) as store:
        stored = {e.day for e, _ in store.editions() if (e.source, e.lang) == (name, spec.lang) and e.day in span}
        stored |= store.listed_empty(name, spec.lang, span)
    weekdays_only = name == "hf" or name.startswith(_WEEKDAY_SOURCES[1])
    missing = [d for d in span.days if d not in stored and d <= until and not (weekdays_only and d.weekday() >= 5)]
    ran = run(settings, days=missing, editions=[spec], deliver=False, command="digest", plugins=plugins,
              events=events) if missing else None
    with Store.of(settings) as store:
        digests = [d for d in (store.get_digest(Edition(day=day, source=name, lang=spec.lang)) for day in span.days)
                   if d is not None]
        edition, picks = periods.compose(span, name, spec.lang, digests, top or settings.top)
        keys = [store.digest_summary_keys(Edition(day=p.day, source=name, lang=spec.lang)).get(p.entry.paper.id)
                for p in picks]
        store.save_period(edition, keys)
    if settings.synthesis:  # the period's own synthesis: one call, cached by its content
        async def synthesize() -> None:
            async with _summarizer(registry, settings) as summarizer:
                with Store.of(settings) as store:
                    await _synthesis(settings, summarizer, store, edition.entries, edition.lang, events)
        pipeline.run_to_end(synthesize())
    main = _main_edition(registry, settings, spec.source, spec.lang)
    path = out or period_path(span, Edition(day=span.start, source=name, lang=spec.lang).slug, settings.out_dir,
                              main=main)
    write_period(edition, path, show_flags=settings.show_flags)
    outputs, problems = [str(path)], []
    if "site" in settings.publishers:  # the site is made from the archive: the period's pages are in it
        from dailypapers.publish.site import build_from_settings

        try:
            outputs.append(str(build_from_settings(settings).index))
        except PublishError as exc:
            problems.append(f"site: {exc}")
    delivered: list[ChannelHealth] = []
    if deliver:
        from dailypapers.publish.notify import daily
        from dailypapers.publish.notify.deliver import deliver as deliver_edition
        from dailypapers.publish.notify.messages import period_message

        notifiers = [registry.notifier(n) for n in settings.notifiers]
        channels = daily.channels(notifiers, settings)
        message = period_message(edition, site_url=settings.site_url, show_flags=settings.show_flags)

        async def send() -> list[ChannelHealth]:
            with Store.of(settings) as store:
                told = _with_synthesis(message, store, edition.entries, edition.lang)
                return await deliver_edition(told, channels, store, max_attempts=settings.delivery_max_attempts,
                                             events=events)
        delivered = pipeline.run_to_end(send())
    return PeriodResult(edition, path, tuple(d.day for d in digests), ran, tuple(outputs), tuple(problems),
                        tuple(delivered))


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # the `weekly` setting's names (not the locale's)


async def _synthesis(settings: Settings, summarizer: Summarizer, store: Store, entries: Sequence[Entry], lang: str,
                     events: Events, spent: Usage = Usage()) -> Usage:
    """The edition's synthesis by the summarizer's model (`synthesis` setting), stored under its content key;
    nothing when one made by this model is stored for the same content, or when the run's caps leave no room
    for the call (`spent`: what the run has used). Returns what the call cost."""
    if not _synthesis_due(settings, summarizer, store, entries, lang):
        return Usage()
    from dailypapers import synthesis

    assert isinstance(summarizer, Asks)
    key = synthesis.content_key(entries, lang)
    question = synthesis.question(entries, lang)
    estimate = summarizer.ask_estimate(question)
    if not pipeline.Caps(max_cost=settings.max_cost, max_tokens=settings.max_tokens).allows(spent, estimate):
        events.notice("no synthesis of the edition: the run's cost or token cap leaves no room for the call")
        return Usage()
    try:
        raw, usage = await summarizer.ask(question)
    except SummarizeError as exc:
        events.notice(f"no synthesis of the edition: {exc.reason}")
        return exc.usage or Usage()
    documents = {e.paper.id: doc for e in entries if (doc := store.get_document(e.paper.id)) is not None}
    store.save_synthesis(synthesis.ground(raw, entries, documents, model=summarizer.name, key=key))
    return usage


def _synthesis_due(settings: Settings, summarizer: Summarizer, store: Store, entries: Sequence[Entry],
                   lang: str) -> bool:
    """Whether the edition wants a synthesis that is not stored: the `synthesis` setting, a summarizer that can
    make one, summaries to make it from, and none made by this model for the same content."""
    if not settings.synthesis or not isinstance(summarizer, Asks) or not any(e.summary for e in entries):
        return False
    from dailypapers import synthesis

    cached = store.get_synthesis(synthesis.content_key(entries, lang))
    return cached is None or cached.model != summarizer.name


def _with_synthesis(message: MessageEdition, store: Store, entries: Sequence[Entry], lang: str) -> MessageEdition:
    """The message with the edition's stored synthesis (made by a run with the `synthesis` setting), if any."""
    from dailypapers import synthesis
    from dailypapers.publish.notify.messages import synthesis_lines

    made = store.get_synthesis(synthesis.content_key(entries, lang))
    if made is None or not made.themes:
        return message
    return dataclasses.replace(message, themes=synthesis_lines(made, message))


def _with_updates(message: MessageEdition, store: Store) -> MessageEdition:
    """The message with the "updated" notes of the newer arXiv versions that no edition in its language has
    noted yet (`pipeline.refresh`); they are given to this edition, so a delivery tried again notes them too."""
    changes = store.announce_changes(message.edition)
    if not changes:
        return message
    from dailypapers.publish.notify.messages import update_lines

    titles = {c.paper_id: p.title for c in changes if (p := store.get_paper(c.paper_id)) is not None}
    return dataclasses.replace(message, updates=update_lines(changes, titles))


def due_periods(settings: Settings, day: dt.date) -> list[Span]:
    """The weekly and monthly editions `run` makes on `day` (UTC): on the `weekly` weekday, the week before;
    on the `monthly` day, the month before."""
    out = []
    if settings.weekly is not None and WEEKDAYS[day.weekday()] == settings.weekly:
        out.append(Span.of("week", day - dt.timedelta(days=7)))
    if settings.monthly is not None and day.day == settings.monthly:
        out.append(Span.of("month", day.replace(day=1) - dt.timedelta(days=1)))
    return out


def _main_edition(registry: Registry, configured: Settings, source: str, lang: str) -> bool:
    """Whether (source, lang) is the configured edition, whose outputs go to the top level."""
    def edition(name: str) -> str:
        return sources.source_for(registry, name).edition(name)
    return (edition(source), lang) == (edition(configured.source), configured.lang)


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
    return pipeline.run_to_end(afetch_day(settings, day, source=source, limit=limit, force=force, plugins=plugins,
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
    events = (events or Events()).redacting(settings.redactor())
    registry = Registry.load(plugins)
    async with _http(settings, events) as http:
        ctx = SourceContext(settings, http, events.notice)
        with Store.of(settings) as store:
            papers = await sources.list_papers(registry, settings.source, day, ctx, limit=limit)
            found = await _documents(papers, registry, ctx, store, force=force, events=events)
    return [FetchResult(p, pipeline.fetch_outcome(p, found[p.id])) for p in papers]


async def fetch_documents(
    settings: Settings,
    papers: Sequence[Paper],
    *,
    force: bool = False,
    plugins: pluggy.PluginManager | None = None,
    events: Events | None = None,
) -> dict[str, Document | Outcome]:
    """The documents of these papers: from the archive when it holds them, else fetched and stored."""
    events = (events or Events()).redacting(settings.redactor())
    registry = Registry.load(plugins)
    async with _http(settings, events) as http:
        ctx = SourceContext(settings, http, events.notice)
        with Store.of(settings) as store:
            return await _documents(papers, registry, ctx, store, force=force, events=events)


async def _documents(
    papers: Sequence[Paper], registry: Registry, ctx: SourceContext, store: Store, *, force: bool,
    events: Events,
) -> dict[str, Document | Outcome]:
    """The fetch stage of the `fetch` and `verify` commands (`pipeline.fetch_documents`), from these sources."""
    return await pipeline.fetch_documents(
        papers, store, lambda paper: sources.fetch_document(registry, paper, ctx),
        concurrency=ctx.settings.concurrency, refetch=force, events=events)


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
        if isinstance(summarizer, Closes):
            await summarizer.aclose()
