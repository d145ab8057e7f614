"""`dailypapers fetch`: get a day's papers and their full texts into the archive, nothing more."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from dailypapers.cli import app
from dailypapers.cli._common import console, errors, parse_day, state, warn
from dailypapers.config import Settings
from dailypapers.errors import FetchError, PaperTextError
from dailypapers.models import Outcome, Paper
from dailypapers.store import Store

if TYPE_CHECKING:
    from dailypapers.http import Http


async def _fetch_all(
    papers: list[Paper], settings: Settings, store: Store, http: Http, *, force: bool
) -> list[Outcome]:
    from dailypapers import sources

    limit = asyncio.Semaphore(settings.concurrency)

    async def one(paper: Paper, progress: Progress, task: int) -> Outcome:
        try:
            if not force and store.get_text(paper.id) is not None:
                return Outcome(paper_id=paper.id, status="ok", stage="fetch")
            async with limit:
                doc = await sources.fetch_document(paper, http, settings)
            store.save_text(doc)
            return Outcome(paper_id=paper.id, status="ok", stage="fetch")
        except PaperTextError as exc:
            return Outcome(paper_id=paper.id, status="failed", reason=exc.reason, stage="fulltext")
        except FetchError as exc:
            reason = " ".join(str(exc).split())
            return Outcome(paper_id=paper.id, status="failed", reason=reason, stage="fetch")
        finally:
            progress.advance(task)

    with Progress(TextColumn("fetching texts"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task("texts", total=len(papers))
        return list(await asyncio.gather(*(one(p, progress, task) for p in papers)))


async def _run(source: str | None, day: dt.date | None, limit: int | None, settings: Settings,
               store: Store, *, force: bool) -> list[tuple[Paper, Outcome]] | None:
    # imported here so that every other command starts without the HTTP client, feedparser and pdfium
    from dailypapers import sources
    from dailypapers.http import Http

    async with Http(settings) as http:
        papers = await sources.fetch_papers(source, day, http, settings, limit=limit, warn=warn)
        if not papers:
            return None
        with store.transaction():
            for paper in papers:
                store.upsert_paper(paper)
        outcomes = await _fetch_all(papers, settings, store, http, force=force)
    return list(zip(papers, outcomes, strict=True))


@app.command()
@errors
def fetch(
    ctx: typer.Context,
    date: Annotated[str | None, typer.Argument(help="The day, YYYY-MM-DD (default: the latest).")] = None,
    source: Annotated[
        str | None,
        typer.Option("--source", "-s", help="hf (default), arxiv:CATEGORY[:N], or a path (PDFs, id list)."),
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", "-n", help="At most this many papers.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Fetch texts again even if stored.")] = False,
) -> None:
    """Fetch papers and their full texts into the archive; ends with a status per paper."""
    day = parse_day(date)
    settings = state(ctx).settings()
    with state(ctx).store(settings) as store:
        results = asyncio.run(_run(source, day, limit, settings, store, force=force))
    if results is None:
        console.print(f"no papers that day ({day.isoformat() if day else 'latest'}); nothing to fetch",
                      highlight=False)
        return
    table = Table("paper", "title", "status")
    for paper, outcome in results:
        style = "green" if outcome.status == "ok" else "red"
        title = paper.title if len(paper.title) <= 60 else paper.title[:59] + "…"
        # Text(), not markup: titles and reasons come from the network
        table.add_row(Text(paper.id), Text(title), Text(outcome.label, style=style))
    console.print(table)
    failed = sum(o.status == "failed" for _, o in results)
    console.print(f"{len(results) - failed} ok, {failed} failed", highlight=False)
    if failed:
        raise typer.Exit(1)
