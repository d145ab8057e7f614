"""Archive commands: import existing digests, render a stored day, list the stored days."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from dailypapers.cli import app
from dailypapers.cli._common import console, errors, parse_day, state, write_stdout
from dailypapers.errors import InputError, NotFoundError
from dailypapers.publish import markdown
from dailypapers.store import ArchiveMissingError, ImportCounts


@app.command("import")
@errors
def import_(
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(help="Digest Markdown files (the sample's format or older).", show_default=False),
    ],
) -> None:
    """Load digests into the archive. Importing the same file twice adds nothing."""
    # Parse everything first: one bad file must not leave a half-imported batch.
    digests = [markdown.read_digest(f) for f in files]
    total = ImportCounts()
    with state(ctx).store() as store:
        for digest in digests:
            total += store.import_digest(digest)
    console.print(
        f"imported {len(digests)} file(s): {total.days} day(s), {total.papers} paper(s), "
        f"{total.summaries} summary(ies) added",
        highlight=False,
        soft_wrap=True,
    )


@app.command()
@errors
def render(
    ctx: typer.Context,
    day: Annotated[str, typer.Argument(metavar="DAY", help="The day, YYYY-MM-DD.")],
    format: Annotated[str, typer.Option("--format", "-f", help="md or json.")] = "md",
) -> None:
    """Print a stored day as Markdown (the digest format) or JSON."""
    when = parse_day(day)
    assert when is not None
    if format not in ("md", "json"):
        raise InputError(f"unknown format {format!r}: use md or json")
    s = state(ctx).settings()
    with state(ctx).store(s, readonly=True) as store:
        digest = store.get_digest(when)
        if digest is None:
            raise NotFoundError(f"no digest stored for {when}; see `dailypapers days` for the stored days")
    if format == "json":
        write_stdout(json.dumps(digest.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n")
    else:
        write_stdout(markdown.render(digest, show_flags=s.show_flags))


@app.command()
@errors
def days(ctx: typer.Context) -> None:
    """List the stored days with their paper counts."""
    try:
        with state(ctx).store(readonly=True) as store:
            rows = store.days()
    except ArchiveMissingError:
        rows = []
    if not rows:
        console.print("no days stored yet: `dailypapers import FILE` or `dailypapers digest DATE`")
        return
    table = Table("day", "papers")
    for day, n in rows:
        table.add_row(day.isoformat(), str(n))
    console.print(table)


@app.command()
@errors
def migrate(ctx: typer.Context) -> None:
    """Upgrade the archive to this version's layout (commands that only read never change it)."""
    settings = state(ctx).settings()
    with state(ctx).store(settings):
        pass
    console.print(Text(f"the archive at {settings.db} is up to date"), highlight=False, soft_wrap=True)
