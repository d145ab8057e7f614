"""`dailypapers runs`: the run history (each edition a run made: per-stage failures, cost, time, and for daily
runs what was listed, fetched, summarized and delivered), and `--reports`: the daily runs' health reports."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from dailypapers.cli import app
from dailypapers.cli._common import archive_options, console, errors, safe, state, write_stdout
from dailypapers.errors import ArchiveMissingError


def _row_json(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": r["id"], "command": r["command"], "day": r["day"], "source": r["source"], "lang": r["lang"],
        "started_at": r["started_at"], "finished_at": r["finished_at"], "counts": r["counts"],
        "failures_by_stage": r["failures_by_stage"], "usage": r["usage"].model_dump(),
        "outputs": r["outputs"], "publish_errors": r["publish_errors"],
        "health": None if r["report_id"] is None else {
            "report_id": r["report_id"], "listed": r["listed"], "fetched": r["fetched"],
            "summarized": r["summarized"], "delivered": r["delivered"], "undelivered": r["undelivered"],
            "no_papers": r["no_papers"]},
    }


def _seconds(r: dict[str, Any]) -> float:
    import datetime as dt

    return (dt.datetime.fromisoformat(r["finished_at"]) - dt.datetime.fromisoformat(r["started_at"])).total_seconds()


@app.command()
@errors
@archive_options
def runs(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 20,
    reports: Annotated[bool, typer.Option("--reports", help="The daily runs' health reports instead.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON, not a table.")] = False,
) -> None:
    """The run history: what each run did, what failed at which stage, what it cost and how long it took."""
    from rich import box
    from rich.table import Column, Table
    try:
        with state(ctx).store(readonly=True) as store:
            rows = store.health_reports(limit) if reports else store.run_history(limit)
    except ArchiveMissingError:
        rows = []
    if as_json:
        listed = [r["report"] for r in rows] if reports else [_row_json(r) for r in rows]
        write_stdout(json.dumps(listed, ensure_ascii=False, indent=2) + "\n")
        return
    if not rows:
        console.print("no runs yet: `dailypapers digest` or `dailypapers run` makes one")
        return
    if reports:
        for r in rows:
            console.print(safe(f"#{r['id']} {r['started_at']} {r['command']}: {r['summary']}"), highlight=False,
                          soft_wrap=True)
            for e in r["report"]["editions"]:
                note = e["skipped_reason"] or e["error"] or e["no_papers"] or ""
                console.print(safe(f"    {e['day'] or 'latest'} {e['source']} {e['lang']}: listed {e['listed']}, "
                                   f"summarized {e['summarized']}, delivered {e['delivered']}"
                                   + (f" — {note}" if note else "")), highlight=False, soft_wrap=True)
        return
    from dailypapers.publish.views import run_view

    # as the web app's run page has it: the counts in one cell, the cost and the time in one, and the daily
    # runs' funnel only when there are daily runs, so the table fits a terminal; the start time never wraps
    funnels = any(r["report_id"] is not None for r in rows)
    table = Table("run", Column("started (UTC)", no_wrap=True), "command", Column("edition", min_width=10),
                  "papers", "failed at", *(["listed → delivered"] if funnels else []),
                  Column("cost, time", no_wrap=True, justify="right"),
                  box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
    for r in rows:
        view = run_view(r)
        stages = ", ".join(f"{k} {v}" for k, v in view.failures.items()) or "-"
        funnel = "-" if r["report_id"] is None else (
            f"{r['listed']} → {r['fetched']} → {r['summarized']} → {r['delivered']}"
            + (f" ({r['no_papers']})" if r["no_papers"] else ""))
        table.add_row(str(view.id), view.started_at, view.command, safe(view.edition or "-"), view.outcomes,
                      safe(stages), *([safe(funnel)] if funnels else []), f"{view.cost_text}\n{_seconds(r):.1f} s")
    console.print(table)
