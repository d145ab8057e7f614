"""`dailypapers search`: find papers in the archive by words of their titles, authors, summaries, abstracts."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from dailypapers.cli import app
from dailypapers.cli._common import archive_options, console, errors, safe, state, write_stdout
from dailypapers.errors import InputError

if TYPE_CHECKING:
    from dailypapers.search import SearchHit, Snippet
from dailypapers.errors import ArchiveMissingError


@app.command()
@errors
@archive_options
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="Words to find (Korean, Chinese, Japanese words of any length).")],
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most this many papers.")] = 20,
    sort: Annotated[str, typer.Option("--sort", help="newest (first) or rank (best first).")] = "newest",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON, with highlight offsets.")] = False,
) -> None:
    """Search the archive: papers whose title, authors, summaries or abstract hold every word of QUERY."""
    from dailypapers.search import SORTS

    if sort not in SORTS:
        raise InputError(f"unknown sort {sort!r}: use {' or '.join(SORTS)}")
    if limit < 1:
        raise InputError("--limit must be at least 1")
    settings = state(ctx).settings()
    try:
        with state(ctx).store(settings, readonly=True) as store:
            hits = store.search(query, limit=limit, sort=sort, lang=settings.lang)  # type: ignore[arg-type]
    except ArchiveMissingError:
        hits = []
    if as_json:
        write_stdout(json.dumps([h.to_json() for h in hits], ensure_ascii=False, indent=2) + "\n")
        return
    if not hits:
        console.print(safe(f"no paper matches {query!r}"), soft_wrap=True)
        return
    for h in hits:
        console.print(_hit_text(h), soft_wrap=True)


def _styled(snip: Snippet, style: str = "") -> Text:
    # Text pieces, never markup, and no control characters: titles and summaries are untrusted
    text = Text(style=style)
    for piece, is_match in snip.segments():
        text.append_text(safe(piece, "bold yellow" if is_match else ""))
    return text


def _hit_text(h: SearchHit) -> Text:
    out = Text()
    out.append_text(safe(f"{h.day.isoformat() if h.day else '----------'}  {h.paper_id}  ", "dim"))
    out.append_text(_styled(h.title, "bold"))
    if h.snippet is not None:
        out.append("\n    ")
        out.append_text(_styled(h.snippet))
    out.append("\n")
    return out
