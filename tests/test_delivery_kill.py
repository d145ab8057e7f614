"""Exactly once under kills: `dailypapers run` in a subprocess is killed (SIGKILL) by the stand-in at the
moment it accepts the N-th message — Slack has the message, the ledger does not — then run again.

Slack: the re-run finds the message it lost track of by its metadata and goes on in the same thread, so every
paper is in the thread exactly once, whatever N. apprise/webhooks cannot be asked what they got: the message
in flight at the kill is sent again (at least once), and nothing else is.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from dailypapers.api import run
from dailypapers.config import Settings
from dailypapers.models import Edition
from dailypapers.store import Store
from tests.papergen import make_paper
from tests.standins.base import Reply, Request
from tests.standins.hf_arxiv import HfArxivStandIn
from tests.standins.slack import SlackStandIn
from tests.standins.webhook import WebhookStandIn

DAY = dt.date(2026, 6, 12)
PAPERS = 3
ROOT = Path(__file__).resolve().parents[1]


def day(hf: HfArxivStandIn) -> list[str]:
    ids = []
    for i in range(PAPERS):
        synth = make_paper(f"2606.3000{i}", pages=1)
        hf.add_paper(synth, day=DAY, upvotes=10 - i)
        ids.append(synth.arxiv_id)
    return ids


def start(tmp_path: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    full = {**os.environ, **env, "DAILYPAPERS_DB": str(tmp_path / "k.db"), "DAILYPAPERS_OUT_DIR": str(tmp_path / "d"),
            "DAILYPAPERS_README_PATH": str(tmp_path / "README.md"), "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen([sys.executable, "-m", "dailypapers", "run", DAY.isoformat()], env=full, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def killer(after: int) -> tuple[list[subprocess.Popen[bytes]], object]:
    """A hook that SIGKILLs the running subprocess when the `after`-th message arrives (once)."""
    procs: list[subprocess.Popen[bytes]] = []
    seen = [0]

    def hook(*_: object) -> None:
        seen[0] += 1
        if seen[0] == after and procs:
            procs[-1].send_signal(signal.SIGKILL)
            procs[-1].wait(timeout=30)

    return procs, hook


@pytest.mark.parametrize("after", [1, 2, PAPERS + 1])  # the parent; the first reply; the last reply
def test_a_slack_thread_killed_mid_post_resumes_in_the_same_thread_exactly_once(
    tmp_path: Path, hf_arxiv: HfArxivStandIn, slack_api: SlackStandIn, after: int
) -> None:
    ids = day(hf_arxiv)
    env = {**hf_arxiv.env(), **{f"DAILYPAPERS_{k.upper()}": str(v) for k, v in slack_api.settings_kwargs().items()}}
    procs, hook = killer(after)
    slack_api.on_post = hook  # type: ignore[assignment]
    procs.append(start(tmp_path, env))
    procs[-1].wait(timeout=60)
    assert procs[-1].returncode == -signal.SIGKILL
    assert len(slack_api.posted) == after
    rerun = start(tmp_path, env)
    out, err = rerun.communicate(timeout=60)
    assert rerun.returncode == 0, err.decode()
    [parent] = slack_api.parents()
    assert [r.metadata["event_payload"]["item"] for r in slack_api.replies_to(parent)] == ids
    assert len(slack_api.posted) == PAPERS + 1
    assert b"may have been sent" not in err  # found, not guessed
    with Store(tmp_path / "k.db") as store:
        rows = store.deliveries(Edition(day=DAY), "slack:C0PAPERS")
    assert {r["status"] for r in rows} == {"delivered"} and len(rows) == PAPERS + 1
    assert {r["thread_id"] for r in rows if r["item"]} == {f"C0PAPERS:{parent.ts}"}
    third = run(Settings(db=tmp_path / "k.db", out_dir=tmp_path / "d", readme_path=tmp_path / "README.md",
                         **hf_arxiv.settings_kwargs(), **slack_api.settings_kwargs()), DAY)
    assert third.exit_code == 0 and len(slack_api.posted) == PAPERS + 1
    assert out.decode().strip().splitlines()[-1].startswith("status=ok ")


def test_a_webhook_killed_mid_delivery_gets_only_the_message_in_flight_again(
    tmp_path: Path, hf_arxiv: HfArxivStandIn, webhook: WebhookStandIn
) -> None:
    day(hf_arxiv)
    procs, hook = killer(2)

    def hooked(req: Request) -> Reply:
        hook()
        return Reply.json({"ok": True})

    webhook.routes.clear()
    webhook.route("POST", "/hook", hooked)
    env = {**hf_arxiv.env(), "DAILYPAPERS_APPRISE_URLS": f'["{webhook.apprise_url()}"]'}
    procs.append(start(tmp_path, env))
    procs[-1].wait(timeout=60)
    assert procs[-1].returncode == -signal.SIGKILL
    rerun = start(tmp_path, env)
    _, err = rerun.communicate(timeout=60)
    assert rerun.returncode == 0, err.decode()
    titles = [p["title"] for p in webhook.payloads()]
    assert len(titles) == PAPERS + 2 and titles[1] == titles[2]  # the one in flight, twice; no other repeat
    assert len(set(titles)) == PAPERS + 1
