"""What a user reads on the terminal: `--help` in the usual notation, report tables whose titles are whole and
whose times are not cut, and "price unknown" instead of "$0.0000" for a model nobody has a price for."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dailypapers.cli import app
from dailypapers.models import Usage, cost_text
from tests.papergen import make_paper
from tests.standins.hf_arxiv import HfArxivStandIn
from tests.standins.openai_server import OpenAIStandIn

DAY = dt.date(2026, 6, 12)


def _commands(group=None, path=()):  # type: ignore[no-untyped-def]
    """Every command path of the app, groups included."""
    import typer.main

    group = group or typer.main.get_command(app)
    yield path
    for name, command in getattr(group, "commands", {}).items():
        yield from _commands(command, (*path, name))


def test_help_uses_the_usual_notation_everywhere() -> None:
    paths = list(_commands())
    assert len(paths) > 15
    for path in paths:
        shown = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "120"})
        assert shown.exit_code == 0, (path, shown.output)
        text = shown.stdout
        assert "<bool>" not in text, path  # a flag takes no value
        assert "{" not in text.splitlines()[0] and "[[" not in text, (path, text.splitlines()[0])
    usage = {path: CliRunner().invoke(app, [*path, "--help"]).stdout.splitlines()[0]
             for path in [("import",), ("revisions",), ("render",), ("digest",)]}
    assert usage == {("import",): "Usage: dailypapers import [OPTIONS] FILES...",
                     ("revisions",): "Usage: dailypapers revisions [OPTIONS] [PAPER_ID]",
                     ("render",): "Usage: dailypapers render [OPTIONS] DAY",
                     ("digest",): "Usage: dailypapers digest [OPTIONS] [DAY]"}


def test_cost_text() -> None:
    assert Usage().cost_text == "$0.0000"  # no call, nothing spent
    assert Usage(calls=3, cost=0.0123).cost_text == "$0.0123"
    assert Usage(calls=3, unpriced_calls=3).cost_text == "price unknown"
    assert (Usage(calls=2, cost=0.01) + Usage(calls=1, unpriced_calls=1)).cost_text == "$0.0100 + price unknown"
    assert cost_text(0.0, 0, 0) == "$0.0000"


@pytest.mark.slow  # a stand-in server, PDF workers
def test_the_report_shows_whole_titles_whole_times_and_an_unknown_price(
    tmp_path: Path, hf_arxiv: HfArxivStandIn, openai_standin: OpenAIStandIn
) -> None:
    synth = make_paper("2606.60000", pages=2)
    synth.title = "Shorter Is Better: Structured Layer Pruning and Recovery for Efficient Large Language Models"
    hf_arxiv.add_paper(synth, day=DAY, upvotes=3)
    env = {**hf_arxiv.env(), "DAILYPAPERS_DB": str(tmp_path / "a.db"), "COLUMNS": "80",
           "DAILYPAPERS_LLM_BASE_URL": openai_standin.base_url, "DAILYPAPERS_LLM_MODEL": "standin-model"}
    ran = CliRunner().invoke(app, ["digest", DAY.isoformat(), "--out", str(tmp_path / "d.md")], env=env)
    assert ran.exit_code == 0, ran.output
    # every word of the title is in the table, none cut off with an ellipsis
    table = ran.stdout.split("┃ paper")[1].split("1 ok")[0]
    words = " ".join(cell.strip() for line in table.splitlines() for cell in line.split("│")[2:3] if cell.strip())
    assert " ".join(words.split()) == synth.title and "…" not in table
    assert "price unknown" in ran.stdout and "$0.0000" not in ran.stdout  # standin-model has no price
    report = json.loads(CliRunner().invoke(app, ["runs", "--json"], env=env).stdout)
    assert report[0]["usage"]["unpriced_calls"] == report[0]["usage"]["calls"] >= 1
    runs = CliRunner().invoke(app, ["runs"], env={**env, "COLUMNS": "100"})
    row = next(line for line in runs.stdout.splitlines() if line.startswith("1 "))
    started = report[0]["started_at"]
    assert dt.datetime.fromisoformat(started).astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M") in row  # not cut
    assert "price unknown" in runs.stdout
