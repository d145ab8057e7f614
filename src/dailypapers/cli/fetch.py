"""`dailypapers fetch`: get a day's papers and their documents into the archive, nothing more."""

from __future__ import annotations

from typing import Annotated

import typer

from dailypapers.cli import app
from dailypapers.cli._common import archive_options, console, err_console, errors, parse_day, safe, state, warn
from dailypapers.text import clip


@app.command()
@errors
@archive_options
def fetch(
    ctx: typer.Context,
    day: Annotated[str | None, typer.Argument(metavar="DAY", help="The day, YYYY-MM-DD (default: the latest).")] = None,
    source: Annotated[
        str | None,
        typer.Option("--source", "-s", help="hf (default), arxiv:CATEGORY[:N], or a path (PDFs, id list)."),
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", "-n", help="At most this many papers.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Fetch documents again even if stored.")] = False,
) -> None:
    """Fetch papers and their full texts into the archive; ends with a status per paper."""
    from rich.table import Table
    from rich.text import Text

    from dailypapers.api import fetch_day
    from dailypapers.events import Events, Notice

    when = parse_day(day)
    settings = state(ctx).settings()
    events = Events(lambda e: warn(e.message) if isinstance(e, Notice) else None)
    with err_console.status("fetching papers and their texts…"):
        results = fetch_day(settings, when, source=source, limit=limit, force=force, events=events)
    if not results:
        console.print(f"no papers that day ({when.isoformat() if when else 'latest'}); nothing to fetch",
                      highlight=False)
        return
    table = Table("paper", "title", "status")
    for r in results:
        style = "green" if r.outcome.status == "ok" else "red"
        # Text(), not markup: titles and reasons come from the network
        table.add_row(Text(r.paper.id), safe(clip(r.paper.title, 60)),
                      safe(r.outcome.label, style=style))
    console.print(table)
    failed = sum(r.outcome.status == "failed" for r in results)
    console.print(f"{len(results) - failed} ok, {failed} failed", highlight=False)
    if failed:
        raise typer.Exit(1)
