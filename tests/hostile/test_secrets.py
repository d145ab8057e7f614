"""Secrets never leave through an error text. Every configured secret (the LLM key, a password inside
`llm_base_url` and `hf_api_url`, the Slack token, the SMTP password, the apprise and ops URLs) is planted in
every kind of server error (servers that quote their request back: JSON, text and HTML bodies, 2xx, 4xx and
5xx; a mail server quoting the login; an exception naming an URL with its credentials). Then the archive's
files, what the commands printed (stdout, stderr: the logs of a cron job), the site, the web app's pages and
API and every message delivered are searched for each secret in every form it may take."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from typer.testing import CliRunner

from dailypapers.cli import app
from dailypapers.config import load_settings
from dailypapers.models import Outcome, RunReport
from dailypapers.store import Store
from dailypapers.web import create_app
from tests.papergen import make_paper
from tests.standins.base import Reply, echo_request
from tests.standins.hf_arxiv import HfArxivStandIn
from tests.standins.openai_server import OpenAIStandIn
from tests.standins.slack import SlackStandIn
from tests.standins.smtp import USER, SmtpStandIn
from tests.standins.webhook import WebhookStandIn

DAY = dt.date(2026, 6, 12)


def _token(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(12)}"


def _with_credentials(url: str, user: str, password: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{user}:{quote(password, safe='')}@{rest}"


def _forms(secret: str, user: str | None = None) -> set[str]:
    """Every way a secret could show: as is, URL-encoded, and (with a user) as a Basic header's Base64."""
    out = {secret, quote(secret, safe="")}
    if user is not None:
        out.add(base64.b64encode(f"{user}:{secret}".encode()).decode())
    return out


def _echo(req: Any) -> bytes:
    return echo_request(req).encode()


def _leaks(places: dict[str, bytes], planted: dict[str, set[str]]) -> list[str]:
    found = []
    for where, data in places.items():
        text = data.decode("utf-8", errors="replace")
        for name, forms in planted.items():
            found += [f"{name} in {where}" for form in forms if form.encode() in data or form in text]
    return found


def _served(settings: Any, paths: list[str]) -> dict[str, bytes]:
    web = create_app(settings.db, main=("hf", "en"), redact=settings.redactor())
    pages = {}

    async def fetch() -> None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://127.0.0.1") as client:
            for path in paths:
                response = await client.get(path)
                assert response.status_code == 200, (path, response.status_code)
                pages[f"served {path}"] = response.content

    asyncio.run(fetch())
    return pages


def test_no_planted_secret_is_stored_printed_delivered_or_served(tmp_path: Path, hf_arxiv: HfArxivStandIn,
                                                                   slack_api: SlackStandIn,
                                                                   webhook: WebhookStandIn) -> None:
    for i in range(5):
        hf_arxiv.add_paper(make_paper(f"2606.6100{i}", pages=1), day=DAY, upvotes=9 - i)
    key, llm_pass, hf_pass = _token("sk-planted-"), _token("llm-pass-"), _token("hf-pass-")
    slack_token, smtp_pass = _token("xoxb-planted-"), _token("smtp-pass-")
    apprise_token, ops_token, ops_ok_token = _token("hook-apprise-"), _token("hook-ops-"), _token("hook-opsok-")
    planted = {
        "llm_api_key": _forms(key), "llm_base_url password": _forms(llm_pass, "llmuser"),
        "hf_api_url password": _forms(hf_pass, "hfuser"), "slack_token": _forms(slack_token),
        "smtp_password": _forms(smtp_pass), "apprise url token": _forms(apprise_token),
        "ops url token": _forms(ops_token),
    }
    with OpenAIStandIn() as llm, SmtpStandIn("starttls", tmp_path, echo_auth=True) as smtp:
        hf_env = hf_arxiv.env()
        env = {
            **os.environ, **hf_env,
            "DAILYPAPERS_HF_API_URL": _with_credentials(hf_env["DAILYPAPERS_HF_API_URL"], "hfuser", hf_pass),
            "DAILYPAPERS_DB": str(tmp_path / "a.db"), "DAILYPAPERS_OUT_DIR": str(tmp_path / "digests"),
            "DAILYPAPERS_LANG": "en", "DAILYPAPERS_LLM_MODEL": "standin-model", "DAILYPAPERS_LLM_API_KEY": key,
            "DAILYPAPERS_LLM_BASE_URL": _with_credentials(llm.base_url, "llmuser", llm_pass),
            "DAILYPAPERS_JUDGE": "false",
            "DAILYPAPERS_SLACK_TOKEN": slack_token, "DAILYPAPERS_SLACK_CHANNEL": "C0PAPERS",
            "DAILYPAPERS_SLACK_BASE_URL": slack_api.base_url,
            **{f"DAILYPAPERS_{k.upper()}": json.dumps(v) if isinstance(v, list) else str(v)
               for k, v in smtp.settings_kwargs().items()},
            "DAILYPAPERS_SMTP_PASSWORD": smtp_pass,
            "DAILYPAPERS_APPRISE_URLS": json.dumps([webhook.apprise_url(apprise_token)]),
            "DAILYPAPERS_OPS_URLS": json.dumps([webhook.apprise_url(ops_token), webhook.apprise_url(ops_ok_token)]),
            "DAILYPAPERS_SITE_DIR": str(tmp_path / "site"), "DAILYPAPERS_SITE_SEARCH": "false",
            "COLUMNS": "250",
        }
        assert smtp.settings_kwargs()["smtp_user"] == USER
        # every kind of server error, each quoting its request (the key, the Basic credentials) back
        hf_arxiv.fault("/api/daily_papers", Reply(status=500, content_type="text/plain", echo=_echo), times=3)
        for status, content_type in ((401, "application/json"), (403, "text/plain"), (404, "text/html"),
                                     (200, "text/html")):
            llm.fail("echo", status=status, content_type=content_type)
        slack_api.fault("/api/", Reply(echo=lambda r: json.dumps(
            {"ok": False, "error": f"invalid_auth: {r.headers.get('authorization')}"}).encode()))
        slack_api.fault("/api/", Reply(status=500, content_type="text/plain", echo=_echo), times=20)
        webhook.fault(f"/{apprise_token}", Reply(status=500, content_type="text/plain", echo=_echo), times=20)
        webhook.fault(f"/{ops_token}", Reply(status=500, content_type="text/plain", echo=_echo), times=20)

        printed: dict[str, bytes] = {}
        for n in range(2):  # the first run finds Hugging Face failing; the second gets the papers
            done = subprocess.run([sys.executable, "-m", "dailypapers", "run", DAY.isoformat()], env=env,
                                  capture_output=True, timeout=300)
            assert done.returncode == 1, done.stderr.decode()  # something failed, as planted
            printed[f"run {n} stdout"], printed[f"run {n} stderr"] = done.stdout, done.stderr
        assert len(llm.requests()) >= 4 and smtp.mailbox.messages == []
        runner = CliRunner()
        cli_env = {k: v for k, v in env.items() if k.startswith("DAILYPAPERS_") or k == "COLUMNS"}
        for command in (["runs"], ["runs", "--json"], ["runs", "--reports"], ["runs", "--reports", "--json"],
                        ["config"], ["site", str(tmp_path / "site"), "--no-search"]):
            result = runner.invoke(app, command, env=cli_env)
            assert result.exit_code == 0, (command, result.output)
            printed[" ".join(command)] = result.stdout.encode() + result.stderr.encode()
            if command == ["config"]:
                shown = json.loads(result.stdout)

    settings = load_settings(db=tmp_path / "a.db", **{"llm_api_key": key})
    places = {**printed}
    for f in tmp_path.glob("a.db*"):
        places[f.name] = f.read_bytes()
    for f in (tmp_path / "site").rglob("*"):
        if f.is_file():
            places[f"site {f.relative_to(tmp_path)}"] = f.read_bytes()
    paths = ["/", "/index.html", "/runs.html", "/api/runs", f"/api/editions/{DAY}", "/api/editions",
             f"/editions/hf/en/{DAY}.html"]
    places.update(_served(settings, paths))
    places["ops messages"] = json.dumps(webhook.payloads(f"/{ops_ok_token}")).encode()
    places["slack messages"] = json.dumps([p.args for p in slack_api.posted]).encode()
    places["emails"] = b"".join(m.data for m in smtp.mailbox.messages)

    assert _leaks(places, planted) == []
    # ... and the planted errors did reach those places, masked: the test saw the echoes, not silence
    with Store(tmp_path / "a.db", readonly=True) as store:
        reasons = [o["reason"] for r in store.runs(10) for o in store.failed_outcomes([r["id"]]).get(r["id"], [])]
        reports = store.health_reports(10)
    assert sum("***" in r for r in reasons) >= 1, reasons
    errors = json.dumps([r["report"] for r in reports])
    assert "hfuser:***@" in errors  # the credentials inside hf_api_url, in the first run's edition error
    assert "slack chat.postMessage: invalid_auth: Bearer ***" in errors  # Slack's own error field
    assert "with password ***" in errors  # the mail server's
    ops_text = json.dumps(webhook.payloads(f"/{ops_ok_token}"))
    assert "status=failed" in ops_text and "***" in ops_text
    assert shown["llm_base_url"].startswith("http://llmuser:***@") and shown["hf_api_url"].startswith(
        "http://hfuser:***@")


def test_an_archive_written_before_a_secret_was_known_serves_it_masked(tmp_path: Path) -> None:
    """Error texts are masked as they are read too: an archive that already holds a leaked key (written by an
    older version) shows it nowhere."""
    key = _token("sk-old-leak-")
    db = tmp_path / "old.db"
    with Store(db) as store:  # no redactor: as an older dailypapers wrote it
        store.save_run(RunReport(command="digest", day=DAY, source="hf", lang="en",
                                 started_at=dt.datetime(2026, 6, 12, 1, tzinfo=dt.UTC),
                                 finished_at=dt.datetime(2026, 6, 12, 2, tzinfo=dt.UTC),
                                 outcomes=(Outcome(paper_id="2606.00001", status="failed", stage="summarize",
                                                   reason=f"http 401: Incorrect API key provided: {key}"),),
                                 publish_errors=(f"webhook refused the key {key}",)))
    assert key.encode() in b"".join(f.read_bytes() for f in tmp_path.glob("old.db*"))
    settings = load_settings(db=db, llm_api_key=key)
    served = _served(settings, ["/api/runs", "/runs.html"])
    assert all(key.encode() not in body for body in served.values())
    assert b"http 401: Incorrect API key provided: ***" in served["served /api/runs"]
    shown = CliRunner().invoke(app, ["runs", "--json"], env={"DAILYPAPERS_DB": str(db),
                                                             "DAILYPAPERS_LLM_API_KEY": key})
    assert shown.exit_code == 0 and key not in shown.stdout
    assert json.loads(shown.stdout)[0]["publish_errors"] == ["webhook refused the key ***"]


def test_clipped_secrets_and_every_written_form_are_masked() -> None:
    """A reason cut at 200 characters may end inside the key; an echoed Basic header is the Base64 of the
    URL's user:password; an URL in an error is percent-encoded."""
    password, key = "p@ss/word-" + secrets.token_hex(8), "sk-" + secrets.token_hex(20)
    settings = load_settings(llm_api_key=key, llm_base_url=f"https://bob:{quote(password, safe='')}@llm.example/v1")
    redact = settings.redactor()
    basic = base64.b64encode(f"bob:{password}".encode()).decode()
    text = (f"401 for https://bob:{quote(password, safe='')}@llm.example/v1: Authorization: Basic {basic}; "
            f"key {key}; json {json.dumps(password)}; cut {key[:11]}…")
    masked = redact(text)
    for form in (password, quote(password, safe=""), basic, key, key[:11]):
        assert form not in masked, form
    assert masked.endswith("cut ***…") and "https://bob:***@llm.example/v1" in masked
    assert redact("an error with nothing secret in it") == "an error with nothing secret in it"
