"""`dailypapers plugins`: what is registered, by kind, and which plug-in registered it."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from dailypapers.cli import app
from dailypapers.cli._common import console, errors, safe, write_stdout


@app.command()
@errors
def plugins(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON, not a table.")] = False,
) -> None:
    """List the loaded sources, summarizers, publishers, notifiers, embedders and engines, and the plug-in of each."""
    from rich.table import Table

    from dailypapers.plugins import Registry

    parts = Registry.load().parts
    if as_json:
        write_stdout(json.dumps([p.__dict__ for p in parts], ensure_ascii=False, indent=2) + "\n")
        return
    table = Table("kind", "name", "plug-in", "what it does")
    for p in parts:
        table.add_row(p.kind[:-1], safe(p.name), safe(p.plugin), safe(p.description))
    console.print(table)
