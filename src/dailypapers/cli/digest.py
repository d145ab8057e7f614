"""The main job (`dailypapers digest`) and `dailypapers config`."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from dailypapers.cli import app
from dailypapers.cli._common import console, err_console, errors, parse_day, state, warn
from dailypapers.config import Settings
from dailypapers.models import RunReport
from dailypapers.pipeline import STAGES, Budget, Job, default_out_path, run, write_atomic
from dailypapers.publish import markdown


@app.command()
@errors
def digest(
    ctx: typer.Context,
    date: Annotated[str | None, typer.Argument(help="The day, YYYY-MM-DD (default: HF's latest day).")] = None,
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
) -> None:
    """Fetch the day's papers, read them in full, summarize, verify, store, and write the Markdown digest."""
    day = parse_day(date)
    settings = state(ctx).settings(
        lang=lang, llm_model=model, llm_base_url=base_url, concurrency=concurrency, max_cost=max_cost,
        max_tokens=max_tokens, show_flags=False if hide_flags else None,
    )
    report = asyncio.run(_digest(settings, day, source, out, force=force, limit=limit))
    if report is not None and not report.succeeded:
        raise typer.Exit(1)


async def _digest(
    settings: Settings, day: dt.date | None, source: str | None, out: Path | None, *, force: bool,
    limit: int | None,
) -> RunReport | None:
    # Imported here so that `dailypapers --help` and the archive commands start fast.
    from dailypapers import fulltext, sources
    from dailypapers.http import Http
    from dailypapers.store import Store
    from dailypapers.summarize import from_settings
    from dailypapers.summarize.prompts import language_name
    from dailypapers.verify import verify

    language_name(settings.lang)  # a malformed --lang is one clear error, not a failure per paper
    summarizer = from_settings(settings)  # a bad LLM setting is reported before any network traffic
    async with Http(settings) as http:
        with err_console.status("fetching the list of papers…"):
            papers = await sources.fetch_papers(source, day, http, settings, limit=limit, warn=warn)
        if not papers:
            console.print(f"no papers for {day or 'the latest day'}: nothing to digest")
            return None
        day = day or papers[0].digest_date or dt.date.today()
        with Store(settings.db) as store, _StageProgress(len(papers)) as on_progress:
            job = Job(
                day=day,
                papers=papers,
                store=store,
                summarizer=summarizer,
                fetch_document=lambda p: sources.fetch_document(p, http, settings),
                prepare_text=lambda d: fulltext.budget(d, settings.max_input_tokens),
                verify=verify,
                lang=settings.lang,
                labels=tuple(settings.section_labels),
                force=force,
                fetch_concurrency=settings.concurrency,
                llm_concurrency=settings.concurrency,
                budget=Budget(max_cost=settings.max_cost, max_tokens=settings.max_tokens),
                on_progress=on_progress,
            )
            digest, report = await run(job)
    path = out or default_out_path(day)
    write_atomic(path, markdown.render(digest, show_flags=settings.show_flags))
    _print_report(report, summarizer.name, path)
    return report


class _StageProgress:
    """A rich progress display with one bar per stage, fed by the pipeline's (stage, paper_id) events."""

    def __init__(self, total: int) -> None:
        self.progress = Progress(
            TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=err_console, transient=True,
        )
        self.tasks = {s: self.progress.add_task(s, total=total) for s in STAGES}

    def __enter__(self) -> Callable[[str, str], None]:
        self.progress.start()
        return lambda stage, _pid: self.progress.advance(self.tasks[stage])

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


def _print_report(report: RunReport, model: str, path: Path) -> None:
    table = Table("paper", "status", title=f"{report.day} — {model}")
    for o in report.outcomes:
        style = {"ok": "green", "flagged": "yellow", "failed": "red", "skipped": "magenta"}[o.status]
        table.add_row(Text(o.paper_id), Text(o.label, style=style))  # reasons may quote untrusted text
    console.print(table)
    c, u = report.counts(), report.usage
    stages = ", ".join(f"{k} {v}" for k, v in report.failures_by_stage().items()) or "none"
    console.print(
        f"{c['ok']} ok, {c['flagged']} flagged, {c['failed']} failed, {c['skipped']} skipped "
        f"(failures by stage: {stages}) · {u.calls} LLM calls, {u.input_tokens} in / {u.output_tokens} out "
        f"tokens, ${u.cost:.4f} · {report.wall_seconds:.1f} s",
        highlight=False,
    )
    console.print(Text(f"wrote {path}"), highlight=False)


@app.command()
@errors
def config(ctx: typer.Context) -> None:
    """Show the effective settings (defaults < TOML file < environment < flags), keys redacted."""
    settings = state(ctx).settings()
    console.print_json(json.dumps(settings.redacted(), ensure_ascii=False))
