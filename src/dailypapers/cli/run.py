"""`dailypapers run`: the daily job (every configured edition: digest -> publish -> deliver, then the health
report), for cron, a systemd timer or GitHub Actions. Its last line on stdout is one logfmt line for monitors;
its exit code is 0 when everything was done, 1 when something failed (it is retried by the next run)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from dailypapers.cli import app
from dailypapers.cli._common import (
    archive_options,
    console,
    err_console,
    errors,
    parse_day,
    safe,
    state,
    warn,
    write_stdout,
)
from dailypapers.errors import InputError

if TYPE_CHECKING:
    from dailypapers.events import Event
    from dailypapers.health import HealthReport

FromOption = Annotated[str | None, typer.Option("--from", help="Backfill: the first day, YYYY-MM-DD.")]
ToOption = Annotated[str | None, typer.Option("--to", help="Backfill: the last day (default: today).")]


def day_range(day: str | None, first: str | None, last: str | None) -> list[dt.date] | None:
    """The days of a backfill (`--from`/`--to`), or None for one day; both forms at once is an error."""
    if first is None and last is None:
        return None
    if day is not None:
        raise InputError("give a DAY or --from/--to, not both")
    if first is None:
        raise InputError("--to needs --from")
    start, end = parse_day(first), parse_day(last, default_today=True)
    assert start is not None and end is not None
    if end < start:
        raise InputError(f"--to {end} is before --from {start}")
    return days_between(start, end)


def days_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """first..last, both included (none when last is before first)."""
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def edition_done_line(event: Event) -> None:
    """A subscriber: one line on stderr as each edition's digest is stored (a long backfill shows progress)."""
    from dailypapers.events import RunDone

    if isinstance(event, RunDone):
        r, c = event.report, event.report.counts()
        err_console.print(safe(f"{r.day} {r.source} {r.lang}: {c['ok']} ok, {c['flagged']} flagged, "
                               f"{c['failed']} failed, {c['skipped']} skipped, {r.usage.cost_text}"), highlight=False)


def print_health(report: HealthReport, *, delivering: bool = False) -> None:
    """The report's lines (one per edition, channel problems) and, last, the logfmt summary on stdout.
    `delivering`: the run was asked to deliver, so a run with no channel says so."""
    lines = report.text().splitlines()
    for line in lines[1:]:
        console.print(safe(line), highlight=False, soft_wrap=True)
    made = [e for e in report.editions if e.listed and not e.error]
    if delivering and made and not any(e.channels for e in made):
        console.print("delivered 0: no channel configured; see Delivery (Slack, email or apprise settings)",
                      highlight=False, soft_wrap=True)
    write_stdout(lines[0] + "\n")


@app.command("run")
@errors
@archive_options
def run_(
    ctx: typer.Context,
    day: Annotated[
        str | None, typer.Argument(metavar="DAY", help="The day, YYYY-MM-DD (default: each source's latest day).")
    ] = None,
    first: FromOption = None,
    last: ToOption = None,
    force: Annotated[bool, typer.Option("--force", help="Redo summaries and days already done.")] = False,
    no_deliver: Annotated[bool, typer.Option("--no-deliver", help="Digest and publish, send nothing.")] = False,
    max_cost: Annotated[float | None, typer.Option(help="Hard cap on the whole run's LLM cost, USD.")] = None,
    max_tokens: Annotated[int | None, typer.Option(help="Hard cap on the whole run's LLM tokens.")] = None,
    limit: Annotated[int | None, typer.Option(help="Only the top N papers of each edition.")] = None,
    engine: Annotated[str, typer.Option("--engine", help="Where the work on each paper runs: local or ray.")] = "local",
    address: Annotated[str | None, typer.Option("--address", help="The ray engine's cluster: auto or "
                                                                  "ray://HOST:PORT.")] = None,
) -> None:
    """The daily job: every configured edition digested, published and delivered; a health report at the end."""
    from dailypapers.api import run
    from dailypapers.events import Events, Notice

    days = day_range(day, first, last)
    settings = state(ctx).settings(max_cost=max_cost, max_tokens=max_tokens)
    events = Events(lambda e: warn(e.message) if isinstance(e, Notice) else None, edition_done_line)
    from dailypapers.cli._progress import StageProgress  # rich.progress: only commands that run

    with StageProgress(label=True) as progress:
        events.subscribe(progress)
        report = run(settings, parse_day(day), days=days, deliver=not no_deliver, force=force, limit=limit,
                     events=events, engine=engine, address=address)
    print_health(report, delivering=not no_deliver)
    if report.exit_code:
        raise typer.Exit(report.exit_code)
