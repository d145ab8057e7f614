"""No long silence: `run`, a backfill and `verify --fetch` show the same per-stage progress as `digest`, on
stderr and only on a terminal; `run` says when there is no channel to deliver to; an LLM server that is down
fails the papers at once, naming llm_base_url."""

from __future__ import annotations

import datetime as dt
import json
import os
import pty
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.papergen import make_paper
from tests.standins.hf_arxiv import HfArxivStandIn

pytestmark = pytest.mark.slow  # subprocesses, PDF workers and a stand-in server

DAY = dt.date(2026, 6, 12)
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def dailypapers(args: list[str], env: dict[str, str], *, terminal: bool) -> tuple[int, str, str]:
    """Run the command with its stderr on a pseudo-terminal (`terminal`) or a pipe; (code, stdout, stderr)."""
    command = [sys.executable, "-m", "dailypapers", *args]
    full_env = {**os.environ, **env, "COLUMNS": "120", "TERM": "xterm-256color"}
    if not terminal:
        done = subprocess.run(command, env=full_env, capture_output=True, text=True, timeout=300)
        return done.returncode, done.stdout, done.stderr
    master, slave = pty.openpty()
    proc = subprocess.Popen(command, env=full_env, stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    seen: list[bytes] = []

    def read() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                return
            if not data:
                return
            seen.append(data)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    out = proc.stdout.read().decode() if proc.stdout else ""
    code = proc.wait(timeout=300)
    reader.join(timeout=10)
    os.close(master)
    return code, out, ANSI.sub("", b"".join(seen).decode(errors="replace"))


@pytest.fixture
def env(tmp_path: Path, hf_arxiv: HfArxivStandIn) -> dict[str, str]:
    for i, votes in enumerate([5, 2]):
        hf_arxiv.add_paper(make_paper(f"2606.4000{i}", pages=2), day=DAY, upvotes=votes)
    return {**hf_arxiv.env(), "DAILYPAPERS_DB": str(tmp_path / "a.db"), "DAILYPAPERS_OUT_DIR": str(tmp_path / "out")}


def test_run_shows_each_editions_stages_on_a_terminal_and_says_no_channel_is_configured(
    env: dict[str, str]
) -> None:
    code, out, screen = dailypapers(["run", DAY.isoformat()], env, terminal=True)
    assert code == 0, out + screen
    for stage in ("fetch", "summarize", "verify"):
        assert f"2026-06-12 hf ko  {stage}" in screen, screen  # a bar per stage, named by its edition
    assert "2/2" in screen
    assert "delivered 0: no channel configured; see Delivery" in out
    assert out.splitlines()[-1].startswith("status=ok ")  # the logfmt line stays last


def test_nothing_but_the_report_when_stderr_is_not_a_terminal(env: dict[str, str]) -> None:
    code, out, err = dailypapers(["run", DAY.isoformat()], env, terminal=False)
    assert code == 0, out + err
    assert "summarize" not in err and "━" not in err  # no progress bars in a log file
    assert "2026-06-12 hf ko: 2 ok" in err  # each edition's line, as before


def test_verify_fetch_shows_the_fetch_stage(env: dict[str, str], tmp_path: Path) -> None:
    code, _, _ = dailypapers(["digest", DAY.isoformat(), "--out", str(tmp_path / "day.md")], env, terminal=False)
    assert code == 0
    fresh = {**env, "DAILYPAPERS_DB": str(tmp_path / "fresh.db")}  # nothing stored: every text is fetched
    code, out, screen = dailypapers(["verify", str(tmp_path / "day.md"), "--fetch"], fresh, terminal=True)
    assert code == 0, out + screen
    assert re.search(r"fetch\s.*2/2", screen), screen


def test_a_down_llm_server_fails_the_papers_at_once_naming_the_setting(env: dict[str, str]) -> None:
    code, out, _ = dailypapers(["digest", DAY.isoformat(), "--model", "qwen2.5:7b", "--json",
                                "--base-url", "http://localhost:9/v1"], env, terminal=False)
    assert code == 1
    # the transport's refusal, not the SDK's "connection failed: All connection attempts failed" after its
    # backoff (~8 s a paper; tests/test_llm.py times it)
    reasons = {o["reason"] for o in json.loads(out)["outcomes"]}
    assert reasons == {"cannot reach the LLM server at http://localhost:9/v1 (connection refused): check that it "
                       "is running and the llm_base_url setting"}, out
