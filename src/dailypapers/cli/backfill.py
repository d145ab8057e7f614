"""`dailypapers backfill`: the days of a range digested (no delivery), the work on each paper on an engine
(`--engine local|ray`); the same command, run again, resumes where a killed one stopped."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from dailypapers.cli import app
from dailypapers.cli._common import archive_options, err_console, errors, safe, state, warn
from dailypapers.cli.run import ToOption, day_range, print_health

if TYPE_CHECKING:
    from dailypapers.events import Event

EngineOption = Annotated[str, typer.Option("--engine", help="Where the work on each paper runs: local or ray.")]
AddressOption = Annotated[
    str | None, typer.Option("--address", help="The ray engine's cluster: auto, ray://HOST:PORT (default: start one "
                                               "on this machine).")]


def paper_lines(event: Event) -> None:
    """A subscriber: as each edition is stored, one line for it and one per paper that did not end ok
    (`flagged`, `failed: <reason>`, `skipped: budget`) on stderr."""
    from dailypapers.events import RunDone

    if not isinstance(event, RunDone):
        return
    r, c = event.report, event.report.counts()
    err_console.print(safe(f"{r.day} {r.source} {r.lang}: {c['ok']} ok, {c['flagged']} flagged, {c['failed']} failed, "
                           f"{c['skipped']} skipped, {r.usage.cost_text}"), highlight=False)
    for o in r.outcomes:
        if o.status != "ok":
            err_console.print(safe(f"  {o.paper_id} {o.status}: {o.reason}"), highlight=False, soft_wrap=True)


@app.command()
@errors
@archive_options
def backfill(
    ctx: typer.Context,
    first: Annotated[str, typer.Option("--from", help="The first day, YYYY-MM-DD.")],
    last: ToOption = None,
    source: Annotated[str | None, typer.Option(help="One source (default: every configured edition).")] = None,
    lang: Annotated[str | None, typer.Option(help="With --source: the summary language.")] = None,
    engine: EngineOption = "local",
    address: AddressOption = None,
    force: Annotated[bool, typer.Option("--force", help="Redo summaries and days already done.")] = False,
    concurrency: Annotated[int | None, typer.Option(help="Summarizer calls in flight at once (default 4).")] = None,
    max_cost: Annotated[float | None, typer.Option(help="Hard cap on the whole range's LLM cost, USD.")] = None,
    max_tokens: Annotated[int | None, typer.Option(help="Hard cap on the whole range's LLM tokens.")] = None,
    limit: Annotated[int | None, typer.Option(help="Only the top N papers of each edition.")] = None,
) -> None:
    """Digest every day of a range (stored, not delivered), skipping what is done: every paper ends ok, flagged,
    failed: <reason> or skipped: budget; run the same command again to resume or retry."""
    from dailypapers.api import run
    from dailypapers.cli._progress import BackfillProgress  # rich.progress: only commands that run
    from dailypapers.config import EditionSetting
    from dailypapers.events import Events, Notice

    days = day_range(None, first, last)
    assert days is not None
    settings = state(ctx).settings(max_cost=max_cost, max_tokens=max_tokens, concurrency=concurrency)
    editions = ([EditionSetting(source=source, lang=lang or settings.lang)] if source is not None
                else settings.edition_specs())
    events = Events(lambda e: warn(e.message) if isinstance(e, Notice) else None, paper_lines)
    with BackfillProgress(len(days) * len(editions)) as progress:
        events.subscribe(progress)
        report = run(settings, days=days, editions=editions, deliver=False, force=force, limit=limit,
                     command="backfill", events=events, engine=engine, address=address)
    print_health(report)
    if report.exit_code:
        raise typer.Exit(report.exit_code)
