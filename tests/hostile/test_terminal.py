"""Escape sequences in titles, LLM error text and warnings never reach the terminal raw (they could set the
window title, clear the screen or fake output)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from typer.testing import CliRunner

from dailypapers.cli import app
from dailypapers.models import Digest, Entry, Paper, Section, Summary
from dailypapers.store import Store
from dailypapers.text import strip_controls
from tests.papergen import make_paper
from tests.standins.hf_arxiv import HfArxivStandIn
from tests.standins.openai_server import OpenAIStandIn

DAY = dt.date(2026, 6, 12)
PAYLOADS = ("\x1b]0;pwned\x07", "\x1b[2J\x1b[H", "\x9b31m", "\u202eevil\u202c", "\x08\x08\x08ok")


def test_strip_controls_removes_every_payload_and_keeps_text() -> None:
    for payload in PAYLOADS:
        cleaned = strip_controls(f"title {payload} end")
        assert not any(c in cleaned for c in "\x1b\x9b\x07\x08\u202e\u202c"), repr(cleaned)
        assert cleaned.startswith("title ") and cleaned.endswith(" end")
    assert strip_controls("line one\nline two\ttab 한국어") == "line one\nline two\ttab 한국어"


def test_titles_and_server_errors_reach_the_terminal_inert(
    tmp_path: Path, hf_arxiv: HfArxivStandIn, openai_standin: OpenAIStandIn
) -> None:
    synth = make_paper("2606.40001", pages=1)
    listed = hf_arxiv.add_paper(synth, day=DAY, upvotes=3)
    listed.synth = type(synth)(**{**synth.__dict__, "title": "Clean " + "".join(PAYLOADS)})
    openai_standin.api_key = "sk-right"  # the run uses a wrong key: the server's error text is printed
    env = {**hf_arxiv.env(), "DAILYPAPERS_DB": str(tmp_path / "t.db"), "COLUMNS": "300",
           "DAILYPAPERS_LLM_BASE_URL": openai_standin.base_url, "DAILYPAPERS_LLM_MODEL": "m",
           "DAILYPAPERS_LLM_API_KEY": "sk-wrong\x1b[2J"}
    result = CliRunner().invoke(app, ["digest", DAY.isoformat(), "--out", str(tmp_path / "d.md")], env=env)
    assert result.exit_code == 1, result.output  # the paper failed (401), the run went on
    assert "failed: http 401" in result.stdout and "Clean" in result.stdout
    for stream in (result.stdout, result.stderr):
        assert "\x1b" not in stream and "\x9b" not in stream and "\x07" not in stream and "\u202e" not in stream


def test_search_results_reach_the_terminal_inert(tmp_path: Path) -> None:
    """`dailypapers search` prints titles, snippets and paper ids from the archive: any of them may carry an
    escape sequence (a title from a feed, a summary from a model, an id from an imported file)."""
    db = tmp_path / "t.db"
    hostile = "".join(PAYLOADS)
    paper_id = f"2606.4{hostile}0002"
    paper = Paper(id=paper_id, title=f"Lantern {hostile} Lantern", authors=(f"Ada {hostile}",), upvotes=1,
                  abstract=f"lantern abstract {hostile} lantern")
    summary = Summary(paper_id=paper_id, lang="ko", sections=(
        Section(label="What's New", text=f"lantern 모델 {hostile} lantern 모델 끝"),))
    with Store(db) as store:
        store.import_digest(Digest(day=DAY, entries=(Entry(paper=paper, summary=summary),)))
    env = {"DAILYPAPERS_DB": str(db), "COLUMNS": "300"}
    for query in ("lantern", "모델", f"lantern {hostile}"):
        result = CliRunner().invoke(app, ["search", query], env=env)
        assert result.exit_code == 0, result.output
        assert "Lantern" in result.stdout and "2606.4" in result.stdout, result.stdout
        for stream in (result.stdout, result.stderr):
            assert not any(c in stream for c in "\x1b\x9b\x07\x08\u202e\u202c"), repr(stream)
    missing = CliRunner().invoke(app, ["search", f"nowhere{hostile}"], env=env)
    assert missing.exit_code == 0 and "no paper matches" in missing.stdout
    assert not any(c in missing.stdout for c in "\x1b\x9b\x07\x08\u202e\u202c"), repr(missing.stdout)
