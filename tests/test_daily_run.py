"""The daily run (`api.run`, `dailypapers run`, `digest --from/--to`) against stand-in HF/arXiv, Slack, SMTP and
webhook servers: every edition digested, published and delivered once; re-runs post nothing new; a failing
channel is retried next run without holding up the others; the health report explains empty days; backfills
resume under one cost cap."""

from __future__ import annotations

import datetime as dt
import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from dailypapers import digestformat
from dailypapers.api import run
from dailypapers.cli import app
from dailypapers.config import EditionSetting, Settings
from dailypapers.errors import ConfigError
from dailypapers.events import Delivered, Events, Notice, Published
from dailypapers.publish.notify.daily import ops_slack_message
from dailypapers.publish.notify.email import markdown_of
from dailypapers.store import Store
from tests.papergen import make_paper
from tests.standins.base import Reply
from tests.standins.hf_arxiv import HfArxivStandIn
from tests.standins.openai_server import OpenAIStandIn
from tests.standins.slack import SlackStandIn
from tests.standins.smtp import SmtpStandIn
from tests.standins.webhook import WebhookStandIn

FRIDAY = dt.date(2026, 6, 12)
SATURDAY = FRIDAY + dt.timedelta(days=1)
MONDAY = FRIDAY + dt.timedelta(days=3)


def add_day(hf: HfArxivStandIn, day: dt.date, n: int, start: int = 0) -> list[str]:
    ids = []
    for i in range(start, start + n):
        synth = make_paper(f"2606.{20000 + i}", pages=2)
        hf.add_paper(synth, day=day, upvotes=10 + i)
        ids.append(synth.arxiv_id)
    return ids


@pytest.fixture
def outlets(tmp_path: Path, hf_arxiv: HfArxivStandIn, slack_api: SlackStandIn, smtp_plain: SmtpStandIn,
            webhook: WebhookStandIn) -> dict[str, Any]:
    """Settings with every channel on a stand-in, and the stand-ins."""
    settings = Settings(
        db=tmp_path / "run.db", out_dir=tmp_path / "digests", readme_path=tmp_path / "README.md",
        publishers=["markdown", "readme"], site_url="https://papers.example.org",
        apprise_urls=[webhook.apprise_url()], **hf_arxiv.settings_kwargs(), **slack_api.settings_kwargs(),
        **smtp_plain.settings_kwargs(),
    )
    return {"settings": settings, "slack": slack_api, "smtp": smtp_plain, "webhook": webhook, "hf": hf_arxiv}


def delivered_counts(o: dict[str, Any]) -> tuple[int, int, int]:
    return len(o["slack"].posted), len(o["smtp"].mailbox.messages), len(o["webhook"].payloads())


def test_the_daily_run_digests_publishes_and_delivers_every_paper_once(outlets: dict[str, Any]) -> None:
    ids = add_day(outlets["hf"], FRIDAY, 3)
    report = run(outlets["settings"], FRIDAY)
    assert report.exit_code == 0, report.text()
    [e] = report.editions
    assert (e.listed, e.fetched, e.summarized, e.delivered, e.undelivered) == (3, 3, 3, 3, 0)
    slack: SlackStandIn = outlets["slack"]
    [parent] = slack.parents()
    page = "https://papers.example.org/editions/hf/ko/2026-06-12.html"  # the site's own layout
    assert "3 papers" in parent.text and page in str(parent.blocks)
    assert [r.metadata["event_payload"]["item"] for r in slack.replies_to(parent)] == ids[::-1]  # by votes
    [mail] = outlets["smtp"].mailbox.messages
    text = mail.message.get_body(("plain",)).get_content()
    stored = Path(outlets["settings"].out_dir, "2026/06/12.md").read_text()
    assert markdown_of(text) == stored
    assert len(outlets["webhook"].payloads()) == 4
    assert outlets["settings"].readme_path.read_text() == stored  # a new README is the digest itself
    assert report.summary().startswith("status=ok command=run days=2026-06-12 editions=1 listed=3 fetched=3 ")

    again = run(outlets["settings"], FRIDAY)
    assert delivered_counts(outlets) == (4, 1, 4)
    assert [c.due for c in again.editions[0].channels] == [0, 0, 0] and again.exit_code == 0
    done = run(outlets["settings"], days=[FRIDAY])  # a backfill does not even list a day that is done
    assert done.editions[0].skipped_reason == "done"
    latest = run(outlets["settings"])  # the latest day: listed again (no skip without a day), nothing sent
    assert delivered_counts(outlets) == (4, 1, 4) and latest.editions[0].delivered == 3


def test_papers_added_later_go_into_the_same_thread_and_an_update_email(outlets: dict[str, Any]) -> None:
    add_day(outlets["hf"], FRIDAY, 2)
    run(outlets["settings"], FRIDAY)
    late = add_day(outlets["hf"], FRIDAY, 1, start=5)
    report = run(outlets["settings"], FRIDAY)
    slack: SlackStandIn = outlets["slack"]
    [parent] = slack.parents()
    assert [r.metadata["event_payload"]["item"] for r in slack.replies_to(parent)][-1] == late[0]
    _, update = outlets["smtp"].mailbox.messages
    assert "1 more paper" in update.message["Subject"]
    assert [x.paper.id for x in digestformat.parse(markdown_of(
        update.message.get_body(("plain",)).get_content())).entries] == late
    assert report.editions[0].delivered == 3


def test_a_failing_channel_does_not_block_the_others_and_is_retried_next_run(outlets: dict[str, Any]) -> None:
    add_day(outlets["hf"], FRIDAY, 2)
    outlets["slack"].fail("invalid_auth")
    report = run(outlets["settings"], FRIDAY)
    assert report.exit_code == 1
    [e] = report.editions
    bad = {c.channel: c for c in e.channels}["slack:C0PAPERS"]
    assert "invalid_auth" in (bad.error or "") and bad.delivered == 0
    assert delivered_counts(outlets) == (0, 1, 3)
    assert (e.delivered, e.undelivered) == (0, 2)
    assert "slack:C0PAPERS: 0/3 delivered" in report.text()
    retried = run(outlets["settings"], FRIDAY)
    assert retried.exit_code == 0 and delivered_counts(outlets) == (3, 1, 3)
    assert retried.editions[0].delivered == 2


def test_a_failed_paper_is_not_delivered_until_a_run_summarizes_it(outlets: dict[str, Any]) -> None:
    ids = add_day(outlets["hf"], FRIDAY, 2)
    outlets["hf"].fault(f"/pdf/{ids[0]}", Reply(status=404, body=b"gone", content_type="text/plain"), times=10)
    report = run(outlets["settings"], FRIDAY)
    [e] = report.editions
    assert (e.listed, e.fetched, e.summarized, e.failures_by_stage) == (2, 1, 1, {"fetch": 1})
    assert report.exit_code == 1 and len(outlets["slack"].posted) == 2
    with Store(outlets["settings"].db) as store:
        [history] = store.run_history()
    assert history["failures_by_stage"] == {"fetch": 1} and history["delivered"] == 1
    assert e.run_id == history["id"] and history["report_id"] is not None
    outlets["hf"].faults.clear()
    again = run(outlets["settings"], FRIDAY)
    assert again.exit_code == 0 and len(outlets["slack"].posted) == 3


def test_no_papers_is_explained(tmp_path: Path, outlets: dict[str, Any]) -> None:
    add_day(outlets["hf"], FRIDAY, 1)
    weekend = run(outlets["settings"], SATURDAY).editions[0]
    assert weekend.no_papers and weekend.no_papers.startswith("no list on weekends (Saturday)")
    empty = run(outlets["settings"], MONDAY)
    assert empty.editions[0].no_papers.startswith("empty answer") and empty.exit_code == 0
    down = outlets["settings"].model_copy(update={"hf_api_url": "http://127.0.0.1:9/api", "http_retries": 0})
    unreachable = run(down, FRIDAY)
    assert unreachable.editions[0].no_papers.startswith("unreachable: ") and unreachable.exit_code == 1
    assert delivered_counts(outlets) == (0, 0, 0)
    with Store(outlets["settings"].db) as store:
        rows = [r["report"]["editions"][0]["no_papers"] for r in store.health_reports()]
    assert rows[0].startswith("unreachable") and rows[2].startswith("no list on weekends")


def test_every_configured_edition_is_made_and_delivered_in_its_own_thread(outlets: dict[str, Any]) -> None:
    add_day(outlets["hf"], FRIDAY, 2)
    settings = outlets["settings"].model_copy(update={
        "editions": [EditionSetting(source="hf", lang="ko"), EditionSetting(source="hf", lang="en")]})
    report = run(settings, FRIDAY)
    assert [(e.lang, e.delivered) for e in report.editions] == [("ko", 2), ("en", 2)]
    parents = outlets["slack"].parents()
    assert [p.metadata["event_payload"]["lang"] for p in parents] == ["ko", "en"]
    assert "hf/en/2026-06-12.html" in str(parents[1].blocks)
    assert Path(settings.out_dir, "hf/en/2026/06/12.md").exists()


def test_a_run_of_many_editions_builds_the_site_once_before_the_messages_link_to_it(
    tmp_path: Path, outlets: dict[str, Any]
) -> None:
    add_day(outlets["hf"], FRIDAY, 1)
    add_day(outlets["hf"], MONDAY, 1, start=10)
    settings = outlets["settings"].model_copy(update={
        "publishers": ["markdown", "site"], "site_dir": tmp_path / "site", "site_search": False,
        "notifiers": ["slack"],
        "editions": [EditionSetting(source="hf", lang="ko"), EditionSetting(source="hf", lang="en")]})
    seen: list[object] = []
    report = run(settings, days=[FRIDAY, MONDAY], events=Events(seen.append))
    assert report.exit_code == 0 and [e.delivered for e in report.editions] == [1, 1, 1, 1]
    order = [e.publisher if isinstance(e, Published) else "delivered" for e in seen
             if isinstance(e, Published | Delivered)]
    index = str(tmp_path / "site" / "index.html")
    assert order.count("site") == 1 and order.index("site") < order.index("delivered")
    for page in ("hf/ko/2026-06-12", "hf/en/2026-06-12", "hf/ko/2026-06-15", "hf/en/2026-06-15"):
        assert (tmp_path / "site" / "editions" / f"{page}.html").is_file()
    # the site's output is the last main edition's (Monday, ko), in its health and in its stored run
    assert [index in e.outputs for e in report.editions] == [False, False, True, False]
    with Store(settings.db, readonly=True) as store:
        runs = store.runs()
    [monday_ko] = [r for r in runs if r["day"] == "2026-06-15" and r["lang"] == "ko"]
    assert index in monday_ko["outputs"] and monday_ko["outputs"][0].endswith(".md")


def test_backfill_resumes_under_one_cost_cap_and_skips_days_done(
    tmp_path: Path, hf_arxiv: HfArxivStandIn, openai_standin: OpenAIStandIn
) -> None:
    add_day(hf_arxiv, FRIDAY, 2)
    add_day(hf_arxiv, MONDAY, 2, start=10)
    env = {**hf_arxiv.env(), "DAILYPAPERS_DB": str(tmp_path / "b.db"), "DAILYPAPERS_OUT_DIR": str(tmp_path / "d"),
           "DAILYPAPERS_LLM_BASE_URL": openai_standin.base_url, "DAILYPAPERS_LLM_MODEL": "standin-model",
           "DAILYPAPERS_PRICES": json.dumps({"standin-model": [1000.0, 1000.0]}),
           "DAILYPAPERS_CONCURRENCY": "1", "COLUMNS": "200"}
    runner = CliRunner()
    first = runner.invoke(app, ["digest", "--from", "2026-06-12", "--to", "2026-06-15", "--max-cost", "5"],
                          env=env)
    assert first.exit_code == 0, first.output
    summary = first.stdout.strip().splitlines()[-1]
    assert summary.startswith("status=ok command=digest days=2026-06-12..2026-06-15 editions=4 ")
    # the first call (estimated at about $4.3 before it starts, $3.16 spent: the reply has a TL;DR) fits under
    # the cap; the second would not ($3.16 + its estimate), so Friday's second paper and the days after wait
    # (Monday still runs: what is left of the cap is less than a call's estimate, so its papers are skipped)
    assert openai_standin.calls == 1 and " skipped=3 " in summary and " cost=3.1550 " in summary
    second = runner.invoke(app, ["digest", "--from", "2026-06-12", "--to", "2026-06-15", "--max-cost", "100"],
                           env=env)
    assert second.exit_code == 0, second.output
    assert "no papers: no list on weekends (Saturday)" in second.stdout
    assert "no papers: no list on weekends (Sunday)" in second.stdout
    assert openai_standin.calls == 4  # Friday's second paper and Monday's two; Friday's first was cached
    third = runner.invoke(app, ["digest", "--from", "2026-06-12", "--to", "2026-06-15"], env=env)
    assert third.stdout.count("not run (done)") == 2 and " done_before=2 " in third.stdout
    assert openai_standin.calls == 4 and third.exit_code == 0


def test_the_health_report_goes_to_the_ops_channels(outlets: dict[str, Any]) -> None:
    add_day(outlets["hf"], FRIDAY, 1)
    webhook: WebhookStandIn = outlets["webhook"]
    settings = outlets["settings"].model_copy(update={
        "apprise_urls": [], "ops_urls": [SecretStr(webhook.apprise_url("ops"))], "ops_slack_channel": "C0OPS"})
    webhook.route("POST", "/ops", lambda req: Reply.json({"ok": True}))
    report = run(settings, FRIDAY)
    [ops] = webhook.payloads("/ops")
    assert ops["title"] == "dailypapers run: ok" and report.summary() in ops["message"]
    assert "```" not in ops["message"]  # a text body: a fence would show as written
    [slack_ops] = [p for p in outlets["slack"].posted if p.channel == "C0OPS"]
    assert "dailypapers run: ok" in slack_ops.text and report.summary() in slack_ops.text
    assert report.ops_error is None


def test_an_ops_channel_that_raises_is_reported_and_the_health_report_still_stored(
    outlets: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dailypapers.publish.notify.apprise import AppriseChannel

    add_day(outlets["hf"], FRIDAY, 1)
    webhook: WebhookStandIn = outlets["webhook"]
    settings = outlets["settings"].model_copy(update={
        "notifiers": [], "ops_urls": [SecretStr(webhook.apprise_url("ops"))], "ops_slack_channel": "C0OPS"})

    async def plugin_bug(self: AppriseChannel, title: str, body: str) -> bool:
        raise RuntimeError("a plug-in's bug")

    monkeypatch.setattr(AppriseChannel, "notify", plugin_bug)
    outlets["slack"].fail("msg_too_long")  # Slack refuses the ops message itself (ItemRejected)
    report = run(settings, FRIDAY)
    assert "RuntimeError: a plug-in's bug" in (report.ops_error or "")
    assert "msg_too_long" in (report.ops_error or "")
    with Store(settings.db) as store:
        [stored] = store.health_reports()
    assert stored["report"]["ops_error"] == report.ops_error and stored["summary"] == report.summary()


@pytest.mark.parametrize(("update", "problem"), [
    ({"ops_slack_channel": "C0OPS", "slack_token": None, "slack_channel": None}, "ops_slack_channel needs"),
    ({"ops_urls": [SecretStr("not-a-url")]}, "ops_urls takes URLs"),
])
def test_ops_settings_that_cannot_work_fail_before_any_work(
    outlets: dict[str, Any], update: dict[str, Any], problem: str,
) -> None:
    add_day(outlets["hf"], FRIDAY, 1)
    with pytest.raises(ConfigError, match=problem):
        run(outlets["settings"].model_copy(update=update), FRIDAY)
    assert not outlets["hf"].requests and not outlets["slack"].posted


def test_the_slack_ops_message_keeps_its_code_block_and_whole_entities() -> None:
    text = ops_slack_message("dailypapers run: failed", "slack: error ``` inside\n" + "&" * 5000)["text"]
    assert text.startswith("*dailypapers run: failed*\n```") and text.endswith("```")
    body = text[len("*dailypapers run: failed*\n```") : -3]
    assert "```" not in body  # the report's own fence cannot close the block
    assert re.fullmatch(r"(?:[^&]|&amp;|&lt;|&gt;)*…", body)  # cut before escaping: no entity cut in two


def test_a_message_that_keeps_failing_is_given_up_after_the_attempts_allowed(outlets: dict[str, Any]) -> None:
    add_day(outlets["hf"], FRIDAY, 1)
    settings = outlets["settings"].model_copy(update={"delivery_max_attempts": 2, "apprise_urls": [],
                                                      "smtp_host": None, "email_to": []})
    events: list[object] = []
    slack: SlackStandIn = outlets["slack"]
    slack.reply_errors.append("invalid_blocks")  # the parent goes out; the paper's reply is refused ...
    run(settings, FRIDAY)
    slack.reply_errors.append("invalid_blocks")  # ... twice
    assert run(settings, FRIDAY).exit_code == 1
    third = run(settings, FRIDAY, events=Events(events.append))
    assert [c.abandoned for c in third.editions[0].channels] == [1] and third.exit_code == 1
    assert any(isinstance(e, Notice) and "gave up on 2606.20000 after 2 attempts" in e.message for e in events)
    fourth = run(settings, FRIDAY)
    assert fourth.exit_code == 0 and len(slack.posted) == 1 and fourth.editions[0].undelivered == 0


def test_each_delivery_is_an_event(outlets: dict[str, Any]) -> None:
    add_day(outlets["hf"], FRIDAY, 1)
    seen: list[object] = []
    run(outlets["settings"], FRIDAY, events=Events(seen.append))
    delivered = [(e.channel.split(":")[0], e.item) for e in seen if isinstance(e, Delivered)]
    assert sorted(delivered) == sorted([(c, i) for c in ("slack", "email", "apprise") for i in ("", "2606.20000")])


def test_two_overlapping_runs_deliver_each_message_once(outlets: dict[str, Any]) -> None:
    add_day(outlets["hf"], FRIDAY, 3)
    run(outlets["settings"].model_copy(update={"notifiers": []}), FRIDAY)  # the digest, stored once
    slow = outlets["webhook"]
    slow.routes.clear()
    slow.route("POST", "/hook", lambda req: Reply.json({"ok": True}, delay=0.05))  # so the runs overlap
    with ThreadPoolExecutor(2) as pool:
        reports = list(pool.map(lambda _: run(outlets["settings"], FRIDAY), range(2)))
    assert [r.exit_code for r in reports] == [0, 0], [r.text() for r in reports]
    assert delivered_counts(outlets) == (4, 1, 4)


def test_the_run_notes_a_new_arxiv_version_in_the_next_edition_and_rewrites_no_past_markdown(
        outlets: dict[str, Any]) -> None:
    from tests.test_versions import revised

    hf: HfArxivStandIn = outlets["hf"]
    friday = add_day(hf, FRIDAY, 2)
    run(outlets["settings"], FRIDAY)
    add_day(hf, MONDAY, 1, start=5)
    run(outlets["settings"], MONDAY)  # HF lists no versions: this run learns them (v1), one batched query
    past = {p: p.read_bytes() for p in Path(outlets["settings"].out_dir).rglob("*.md")}
    synth = hf.listed[friday[0]].synth
    hf.new_version(revised(synth, (synth.facts["accuracy"], "73.9%")))
    add_day(hf, MONDAY + dt.timedelta(days=1), 1, start=7)
    queries = len(hf.requests_to("/api/query"))
    report = run(outlets["settings"], MONDAY + dt.timedelta(days=1))
    assert report.exit_code == 0, report.text()
    assert len(hf.requests_to("/api/query")) == queries + 1
    line = f"{friday[0]} {synth.title}: v2: accuracy {synth.facts['accuracy']} → 73.9%"
    slack: SlackStandIn = outlets["slack"]
    parent = slack.parents()[-1]
    assert parent.metadata["event_payload"]["day"] == "2026-06-16"
    assert "*Updated*" in str(parent.blocks) and line in str(parent.blocks)
    assert not any("*Updated*" in str(p.blocks) for p in slack.parents()[:-1])
    mail = outlets["smtp"].mailbox.messages[-1]
    assert line in mail.message.get_body(("html",)).get_content()
    assert line in mail.message.get_body(("plain",)).get_content()
    assert {p: p.read_bytes() for p in past} == past  # the past days' Markdown is byte-identical
