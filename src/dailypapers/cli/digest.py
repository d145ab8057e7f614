"""The main job (`dailypapers digest`) and `dailypapers config`: thin shells over `dailypapers.api`."""

from __future__ import annotations

import json
from pathlib import Path
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
from dailypapers.cli._tables import report_table
from dailypapers.cli.run import FromOption, ToOption, day_range, edition_done_line, print_health
from dailypapers.errors import InputError
from dailypapers.text import one_line

if TYPE_CHECKING:
    import datetime as dt

    from dailypapers.config import EditionSetting, Settings
    from dailypapers.events import Events
    from dailypapers.models import Period, RunReport


@app.command()
@errors
@archive_options
def digest(
    ctx: typer.Context,
    day: Annotated[
        str | None, typer.Argument(metavar="DAY", help="The day, YYYY-MM-DD (default: the source's latest day).")
    ] = None,
    lang: Annotated[str | None, typer.Option(help="Summary language: ko (default), en, ja, zh, ...")] = None,
    model: Annotated[str | None, typer.Option(help="LLM model name (default: extractive, no LLM).")] = None,
    base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible API base URL.")] = None,
    source: Annotated[
        str | None, typer.Option(help="hf (default), arxiv:CATEGORY, or a folder of PDFs / a file of arXiv ids.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Markdown output (default: digests/YYYY/MM/DD.md).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Redo summaries that are already cached.")] = False,
    concurrency: Annotated[int | None, typer.Option(help="Papers in flight at once (default 4).")] = None,
    max_cost: Annotated[float | None, typer.Option(help="Hard cap on this run's LLM cost, USD.")] = None,
    max_tokens: Annotated[int | None, typer.Option(help="Hard cap on this run's LLM tokens.")] = None,
    limit: Annotated[int | None, typer.Option(help="Only the top N papers of the day.")] = None,
    hide_flags: Annotated[bool, typer.Option("--hide-flags", help="Do not mark unverified claims.")] = False,
    no_llm: Annotated[bool, typer.Option("--no-llm", help="Use the offline extractive summarizer.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run report as JSON, not a table.")] = False,
    first: FromOption = None,
    last: ToOption = None,
    week: Annotated[str | None, typer.Option(help="A weekly edition instead: the ISO week, e.g. 2025-W19.")] = None,
    month: Annotated[str | None, typer.Option(help="A monthly edition instead: the month, e.g. 2025-05.")] = None,
    top: Annotated[int | None, typer.Option(help="Papers in a weekly or monthly edition (default: top, 20).",
                                            min=1, max=500)] = None,
    rank: Annotated[str | None, typer.Option(
        help="source (the source's order: votes for hf) or interest (your profile; the top --limit, default "
             "top, are summarized).")] = None,
    include: Annotated[list[str] | None, typer.Option(
        help="Only papers whose title or abstract mention this keyword (repeat for any of several).")] = None,
    exclude: Annotated[list[str] | None, typer.Option(
        help="No paper whose title or abstract mentions this keyword (repeatable).")] = None,
) -> None:
    """Fetch the day's papers, read them in full, summarize, verify, store, and write the Markdown digest.
    With --from/--to, every day of the range (days already done are skipped; --max-cost caps the range).
    With --week or --month, the period's top papers by votes, made from the stored days (the days not stored
    yet are digested first); weeks are ISO weeks, Monday to Sunday, of UTC days."""
    from dailypapers.api import build_digest
    from dailypapers.events import Events, Notice

    if week is not None or month is not None:
        if week is not None and month is not None:
            raise InputError("--week or --month, not both")
        if day is not None or first is not None or last is not None:
            raise InputError("--week and --month name their own days: drop DAY, --from and --to")
        settings = state(ctx).settings(
            llm_model=model, llm_base_url=base_url, concurrency=concurrency, max_cost=max_cost,
            max_tokens=max_tokens, show_flags=False if hide_flags else None,
            summarizer="extractive" if no_llm else None)
        _period(settings, "week" if week is not None else "month", week or month or "", source=source, lang=lang,
                top=top, out=out, as_json=as_json,
                events=Events(lambda e: warn(e.message) if isinstance(e, Notice) else None))
        return
    if top is not None:
        raise InputError("--top is for --week and --month (a day's digest keeps its top N with --limit)")
    days = day_range(day, first, last)
    when = parse_day(day)
    # --source and --lang choose the edition; they are not settings: the configured source and language stay
    # the main edition, whose file is out_dir/YYYY/MM/DD.md (any other goes to out_dir/<source>/<lang>/)
    settings = state(ctx).settings(
        llm_model=model, llm_base_url=base_url, concurrency=concurrency,
        max_cost=max_cost, max_tokens=max_tokens, show_flags=False if hide_flags else None,
        summarizer="extractive" if no_llm else None, rank=rank, include=include or None, exclude=exclude or None,
    )
    events = Events(lambda e: warn(e.message) if isinstance(e, Notice) else None)
    if days is not None:
        if out is not None:
            raise InputError("--out names one file: a range writes each day to its own path")
        from dailypapers.config import EditionSetting

        edition = EditionSetting(source=source or settings.source, lang=lang or settings.lang, rank=settings.rank,
                                 include=settings.include, exclude=settings.exclude)
        _backfill(settings, days, edition, limit=limit, force=force, events=events)
        return
    from dailypapers.cli._progress import StageProgress  # rich.progress: only commands that run

    with StageProgress(quiet=as_json) as progress:
        events.subscribe(progress)
        digest_, report = build_digest(settings, when, source=source, lang=lang, limit=limit, force=force, out=out,
                                       events=events)
    if as_json:
        write_stdout(json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n")
    elif digest_ is None:
        console.print(f"no papers for {when or 'the latest day'}: nothing to digest", highlight=False)
    else:
        _print_report(report, titles={e.paper.id: e.paper.title for e in digest_.entries})
    if not report.succeeded:
        raise typer.Exit(1)


def _backfill(settings: Settings, days: list[dt.date], edition: EditionSetting, *, limit: int | None, force: bool,
              events: Events) -> None:
    """`digest --from --to`: `api.run` over the range for the one edition, without delivery."""
    from dailypapers.api import run

    events.subscribe(edition_done_line)
    from dailypapers.cli._progress import StageProgress  # rich.progress: only commands that run

    with StageProgress(label=True) as progress:
        events.subscribe(progress)
        report = run(settings, days=days, editions=[edition], deliver=False, force=force, limit=limit,
                     command="digest", events=events)
    print_health(report)
    if report.exit_code:
        raise typer.Exit(report.exit_code)


def _period(settings: Settings, period: Period, label: str, *, source: str | None, lang: str | None,
            top: int | None, out: Path | None, as_json: bool, events: Events) -> None:
    """`digest --week/--month`: `api.build_period`, and what it made."""
    from rich.text import Text

    from dailypapers.api import build_period
    from dailypapers.models import Span

    try:
        span = Span.parse(period, label)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    result = build_period(settings, span, source=source, lang=lang, top=top, out=out, events=events)
    if result.ran is not None and not as_json:  # the JSON says what the run of the missing days cost
        print_health(result.ran)
    calls = sum(e.calls for e in result.ran.editions) if result.ran is not None else 0
    if as_json:
        write_stdout(json.dumps({
            "period": span.period, "label": span.label, "start": span.start.isoformat(), "end": span.end.isoformat(),
            "source": result.edition.source, "lang": result.edition.lang, "days": [d.isoformat() for d in result.days],
            "papers": [{"id": e.paper.id, "title": e.paper.title, "upvotes": e.paper.upvotes}
                       for e in result.edition.entries],
            "llm_calls": calls, "outputs": list(result.outputs), "publish_errors": list(result.publish_errors),
        }, ensure_ascii=False, indent=2) + "\n")
    else:
        table = report_table("title", "votes", title=f"{span.label} ({span.start} – {span.end}) — "
                             f"{result.edition.source} — {result.edition.lang}")
        for e in result.edition.entries:
            table.add_row(Text(e.paper.id), safe(one_line(e.paper.title)),
                          Text("" if e.paper.upvotes is None else str(e.paper.upvotes)))
        console.print(table)
        console.print(f"{len(result.edition.entries)} papers from {len(result.days)} stored days · {calls} LLM "
                      "calls for the days not stored before", highlight=False)
        for path in result.outputs:
            console.print(Text(f"wrote {path}"), highlight=False)
        for problem in result.publish_errors:
            console.print(safe(f"not published: {problem}", style="red"), highlight=False)
    if result.publish_errors or (result.ran is not None and result.ran.exit_code):
        raise typer.Exit(1)


_STYLE = {"ok": "green", "flagged": "yellow", "failed": "red", "skipped": "magenta"}


def _print_report(report: RunReport, *, titles: dict[str, str]) -> None:
    # an edition not done again lists only its flagged papers: the run that finished it listed them all
    from rich.text import Text
    shown = [o for o in report.outcomes if not report.unchanged or o.status != "ok"]
    if shown:
        table = report_table("title", "status", title=f"{report.day} — {report.source} — {report.lang}")
        for o in shown:
            # Text(), not markup: titles and reasons may quote untrusted text
            table.add_row(Text(o.paper_id), safe(one_line(titles.get(o.paper_id, ""))),
                          safe(o.label, style=_STYLE[o.status]))
        console.print(table)
    c, u = report.counts(), report.usage
    stages = ", ".join(f"{k} {v}" for k, v in report.failures_by_stage().items()) or "none"
    console.print(
        f"{c['ok']} ok, {c['flagged']} flagged, {c['failed']} failed, {c['skipped']} skipped "
        f"(failures by stage: {stages}) · {u.calls} LLM calls, {u.input_tokens} in / {u.output_tokens} out "
        f"tokens, {u.cost_text} · {report.wall_seconds:.1f} s",
        highlight=False,
    )
    if report.unchanged:
        console.print("the edition was finished and nothing it is made from has changed: nothing done again "
                      "(--force does it again)", highlight=False)
    for path in report.outputs:
        console.print(Text(f"{'unchanged' if report.unchanged else 'wrote'} {path}"), highlight=False)
    for problem in report.publish_errors:
        console.print(safe(f"not published: {problem}", style="red"), highlight=False)


@app.command()
@errors
@archive_options
def config(ctx: typer.Context) -> None:
    """Show the effective settings, keys redacted, after the files they were read from, in order (defaults <
    the user's config.toml < ./dailypapers.toml < --config/DAILYPAPERS_CONFIG < environment < flags)."""
    from dailypapers.config import LOCAL_CONFIG, config_files, user_config_path

    settings = state(ctx).settings()
    files = config_files(state(ctx).config)
    # on stderr: stdout stays the JSON of the settings alone, for scripts
    if files:
        err_console.print("settings files read, in order (a later one wins; then DAILYPAPERS_* variables, then "
                          "flags):", highlight=False)
        for n, path in enumerate(files, start=1):
            err_console.print(safe(f"  {n}. {path.resolve()}"), highlight=False)
    else:
        err_console.print(safe(f"no settings file read (looked for {user_config_path()} and ./{LOCAL_CONFIG}); "
                               "defaults, DAILYPAPERS_* variables and flags:"), highlight=False)
    console.print_json(json.dumps(settings.redacted(), ensure_ascii=False))
