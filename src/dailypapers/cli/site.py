"""`dailypapers site`: the static site of the archive (pages, feeds, search), brought up to date."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dailypapers.cli import app
from dailypapers.cli._common import archive_options, console, errors, state


@app.command()
@errors
@archive_options
def site(
    ctx: typer.Context,
    out_dir: Annotated[Path, typer.Argument(metavar="OUT_DIR", help="Where the site goes (any static host).")],
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="The site's public URL, for feeds and canonical links.")
    ] = None,
    readme: Annotated[
        Path | None, typer.Option("--readme", help="Also write the latest edition into this README (digest format).")
    ] = None,
    search: Annotated[
        bool | None,
        typer.Option("--search/--no-search", help="Build the search index (Pagefind); default: site_search."),
    ] = None,
) -> None:
    """Build the static site from the archive; a rebuild rewrites only the files that changed."""
    from rich.text import Text

    from dailypapers.plugins import Registry
    from dailypapers.publish.site import build_from_settings  # imported when used: templates, feedgen, pagefind

    settings = state(ctx).settings()
    embedder = Registry.load().embedder(settings)
    report = build_from_settings(settings, out_dir, base_url=base_url, readme=readme, search=search,
                                 embedding_model=embedder.model if embedder is not None else None)
    console.print(
        Text(f"site: {report.editions} editions, {report.papers} papers; {len(report.written)} files written, "
             f"{report.unchanged} unchanged, {len(report.removed)} removed -> {report.index}"),
        soft_wrap=True,
    )
    if report.readme is not None:
        console.print(Text(f"readme: {report.readme}"), soft_wrap=True)
