"""`dailypapers refresh`: new arXiv versions of the papers in editions, summarized again, with what changed."""

from __future__ import annotations

from typing import Annotated

import typer

from dailypapers.cli import app
from dailypapers.cli._common import archive_options, console, err_console, errors, parse_day, safe, state, warn


@app.command()
@errors
@archive_options
def refresh(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option("--since", help="Only papers in editions of this day or later, YYYY-MM-DD.")
    ] = None,
) -> None:
    """Ask arXiv (one batched query) for the current version of the papers in editions; summarize a newer
    version again and show which numbers changed. Past editions keep their summaries and Markdown."""
    from rich.table import Table
    from rich.text import Text

    from dailypapers.api import refresh as look
    from dailypapers.events import Events, Notice

    settings = state(ctx).settings()
    events = Events(lambda e: warn(e.message) if isinstance(e, Notice) else None)
    with err_console.status("asking arXiv for the current versions…"):
        report = look(settings, since=parse_day(since), events=events)
    if report.changes:
        table = Table("paper", "lang", "what changed")
        for c in report.changes:
            table.add_row(Text(c.paper_id), Text(c.lang), safe(c.line))  # Text: numbers come from papers
        console.print(table)
    for failed in report.failed:
        console.print(safe(f"{failed.paper_id}: {failed.label}", style="red"))
    papers = len({c.paper_id for c in report.changes})
    console.print(f"{report.asked} papers asked about, {papers} with a newer version"
                  + (f", {len(report.baselined)} given their current version" if report.baselined else "")
                  + (f", {len(report.failed)} failed" if report.failed else ""), highlight=False)
    if report.failed:
        raise typer.Exit(1)
