"""`dailypapers backfill` on the local engine: a range of days digested and stored (no delivery), each paper's
status shown (ok, flagged, failed: <reason>, skipped: budget), and the same command resumes; the progress
line; `--engine` names an engine the plug-ins registered, and the ray engine says how to install Ray."""

from __future__ import annotations

import builtins
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dailypapers.cli import app
from dailypapers.cli._progress import Throughput
from dailypapers.errors import ConfigError
from dailypapers.events import PaperDone, RunDone
from dailypapers.models import Outcome, RunReport, Usage
from dailypapers.plugins import Registry
from tests.papergen import make_paper
from tests.standins.hf_arxiv import HfArxivStandIn
from tests.standins.openai_server import OpenAIStandIn

MONDAY = dt.date(2026, 6, 15)


def add_days(hf: HfArxivStandIn, days: int, per_day: int) -> list[str]:
    ids = []
    for d in range(days):
        for i in range(per_day):
            synth = make_paper(f"2606.{30000 + 10 * d + i}", pages=2)
            hf.add_paper(synth, day=MONDAY + dt.timedelta(days=d), upvotes=10 + i)
            ids.append(synth.arxiv_id)
    return ids


def env(tmp_path: Path, hf: HfArxivStandIn, **extra: str) -> dict[str, str]:
    return {**hf.env(), "DAILYPAPERS_DB": str(tmp_path / "b.db"), "DAILYPAPERS_OUT_DIR": str(tmp_path / "d"),
            "DAILYPAPERS_PUBLISHERS": '["markdown"]', "COLUMNS": "250", **extra}


def test_backfill_stores_each_day_shows_each_paper_and_resumes(tmp_path: Path, hf_arxiv: HfArxivStandIn) -> None:
    ids = add_days(hf_arxiv, 3, 2)
    del hf_arxiv.pdfs[ids[3]]  # Tuesday's second paper has no full text: it fails, alone
    runner = CliRunner()
    args = ["backfill", "--from", "2026-06-15", "--to", "2026-06-17", "--source", "hf", "--lang", "en"]
    first = runner.invoke(app, args, env=env(tmp_path, hf_arxiv))
    assert first.exit_code == 1, first.output  # a failed paper: retried by the next run
    summary = first.stdout.strip().splitlines()[-1]
    assert summary.startswith("status=failed command=backfill days=2026-06-15..2026-06-17 editions=3 listed=6 ")
    assert "2026-06-16 hf en: 1 ok, 0 flagged, 1 failed, 0 skipped" in first.stderr
    assert f"  {ids[3]} failed: " in first.stderr and "HTTP 404" in first.stderr
    for day in ("15", "16", "17"):
        assert (tmp_path / "d" / "hf" / "en" / "2026" / "06" / f"{day}.md").exists()
    pdf_requests = len(hf_arxiv.requests_to("/pdf/"))

    again = runner.invoke(app, args, env=env(tmp_path, hf_arxiv))  # resumes: only Tuesday is not done
    assert again.stdout.count("not run (done)") == 2, again.output
    assert len(hf_arxiv.requests_to("/pdf/")) == pdf_requests + 1  # the failed paper's PDF, asked again
    assert f"  {ids[3]} failed: " in again.stderr


def test_backfill_skips_papers_past_the_cap(tmp_path: Path, hf_arxiv: HfArxivStandIn,
                                            openai_standin: OpenAIStandIn) -> None:
    ids = add_days(hf_arxiv, 2, 2)
    e = env(tmp_path, hf_arxiv, DAILYPAPERS_LLM_BASE_URL=openai_standin.base_url,
            DAILYPAPERS_LLM_MODEL="standin-model", DAILYPAPERS_PRICES=json.dumps({"standin-model": [1000.0, 1000.0]}),
            DAILYPAPERS_CONCURRENCY="1")
    result = CliRunner().invoke(app, ["backfill", "--from", "2026-06-15", "--to", "2026-06-16", "--source", "hf",
                                      "--lang", "en", "--max-cost", "5"], env=e)
    assert result.exit_code == 0, result.output
    # the first call (the more voted paper) fits under the cap, no other: each of them is shown skipped
    assert openai_standin.calls == 1 and "2026-06-15 hf en: 1 ok, 0 flagged, 0 failed, 1 skipped" in result.stderr
    for skipped in (ids[0], ids[2], ids[3]):
        assert f"  {skipped} skipped: budget" in result.stderr


def test_an_unknown_engine_is_named_with_the_known_ones(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["backfill", "--from", "2026-06-15", "--engine", "spark"],
                                env={"DAILYPAPERS_DB": str(tmp_path / "x.db")})
    assert result.exit_code == 2 and "unknown engine 'spark': --engine takes one of" in result.stderr
    assert "local" in result.stderr and "ray" in result.stderr


async def test_the_ray_engine_without_ray_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_ray(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "ray" or name.startswith("ray."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real_import(name, *args, **kwargs)

    import sys

    monkeypatch.delitem(sys.modules, "dailypapers.engines._ray_actors", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_ray)
    from dailypapers.api import work_parts
    from dailypapers.config import Settings

    engine = Registry.load().engine("ray")
    with pytest.raises(ConfigError, match=r"pip install 'dailypapers\[ray\]'"):
        async with engine.session(Settings(), work_parts):
            pass


def test_the_rate_line_counts_papers_cost_and_the_editions_left() -> None:
    now = [0.0]
    rate = Throughput(4, clock=lambda: now[0])
    assert rate.line() == "0 papers, 0.0/min · $0.0000, 0 tokens so far · 0/4 editions · ETA –"
    for i in range(30):
        rate(PaperDone(Outcome(paper_id=f"p{i}", status="ok")))
    report = RunReport(command="backfill", day=MONDAY, source="hf", lang="en",
                       started_at=dt.datetime(2026, 6, 15, tzinfo=dt.UTC),
                       finished_at=dt.datetime(2026, 6, 15, tzinfo=dt.UTC),
                       usage=Usage(input_tokens=1000, output_tokens=500, cost=0.25))
    rate(RunDone(report))
    now[0] = 120.0  # two minutes: 30 papers, one edition of four made
    assert rate.line() == "30 papers, 15.0/min · $0.2500, 1,500 tokens so far · 1/4 editions · ETA 6 min"
    for _ in range(3):
        rate(RunDone(report))
    assert rate.line().endswith("4/4 editions · done")
