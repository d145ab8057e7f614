"""The `dailypapers` command: a thin Typer shell over the library. Each command group lives in its own module."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dailypapers import __version__
from dailypapers.cli._common import State, console, err_console, show_library_warnings
from dailypapers.cli._help import Typer

app = Typer(
    name="dailypapers",
    help="Daily digests of new AI papers: fetched, read in full, summarized, checked, published.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dailypapers {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    db: Annotated[
        Path | None,
        typer.Option("--db", envvar="DAILYPAPERS_DB", help="SQLite database (default: in the user data dir)."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", envvar="DAILYPAPERS_CONFIG", help="TOML settings file."),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    ctx.obj = State(db=db, config=config)
    for made_on_first_use in (console, err_console):
        made_on_first_use.fresh()  # type: ignore[attr-defined]
    show_library_warnings()


# Command modules register themselves on `app` when imported.
from dailypapers.cli import (  # noqa: E402, F401
    archive,
    backfill,
    digest,
    fetch,
    init,
    plugins,
    refresh,
    run,
    runs,
    search,
    serve,
    site,
    verify,
)
