"""The commands around the daily run: `run` (exit code, summary line), `runs` (history, --json, --reports),
`config` (secrets redacted), and the README publisher."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from typer.testing import CliRunner

from dailypapers import digestformat
from dailypapers.cli import app
from dailypapers.digestformat import render
from dailypapers.publish import readme
from tests.notify_data import digest
from tests.papergen import make_paper
from tests.standins.hf_arxiv import HfArxivStandIn
from tests.standins.slack import SlackStandIn

DAY = dt.date(2026, 6, 12)


def env(tmp_path: Path, hf: HfArxivStandIn, **extra: str) -> dict[str, str]:
    return {**hf.env(), "DAILYPAPERS_DB": str(tmp_path / "c.db"), "DAILYPAPERS_OUT_DIR": str(tmp_path / "d"),
            "DAILYPAPERS_README_PATH": str(tmp_path / "README.md"), "COLUMNS": "250", **extra}


def test_run_exit_code_summary_line_and_runs_history(tmp_path: Path, hf_arxiv: HfArxivStandIn,
                                                     slack_api: SlackStandIn) -> None:
    for i in range(2):
        hf_arxiv.add_paper(make_paper(f"2606.4000{i}", pages=1), day=DAY, upvotes=5 - i)
    slack = {f"DAILYPAPERS_{k.upper()}": str(v) for k, v in slack_api.settings_kwargs().items()}
    e = env(tmp_path, hf_arxiv, **slack)
    runner = CliRunner()
    slack_api.fail("channel_not_found")
    failed = runner.invoke(app, ["run", DAY.isoformat()], env=e)
    assert failed.exit_code == 1
    last = failed.stdout.strip().splitlines()[-1]
    assert last.startswith("status=failed command=run days=2026-06-12 editions=1 listed=2 fetched=2 summarized=2")
    assert " channel_errors=1 " in last and "slack:C0PAPERS: 0/3 delivered" in failed.stdout
    ok = runner.invoke(app, ["run", DAY.isoformat()], env=e)
    assert ok.exit_code == 0 and " delivered=2 undelivered=0 " in ok.stdout

    history = runner.invoke(app, ["runs", "--json"], env=e)
    runs = json.loads(history.stdout)
    assert [r["health"]["delivered"] for r in runs] == [2, 0] and {r["command"] for r in runs} == {"run"}
    assert runs[0]["counts"]["ok"] + runs[0]["counts"]["flagged"] == 2 and runs[0]["failures_by_stage"] == {}
    table = runner.invoke(app, ["runs"], env=e)
    assert "2 → 2 → 2 → 2" in table.stdout and "2 → 2 → 2 → 0" in table.stdout
    reports = json.loads(runner.invoke(app, ["runs", "--reports", "--json"], env=e).stdout)
    assert [r["status"] for r in reports] == ["ok", "failed"]
    assert reports[1]["editions"][0]["channels"][0]["error"].startswith("slack chat.postMessage: channel_not_found")
    shown = runner.invoke(app, ["runs", "--reports"], env=e).stdout
    assert "status=failed" in shown and "delivered 2" in shown


def test_run_with_a_bad_setting_fails_before_any_work(tmp_path: Path, hf_arxiv: HfArxivStandIn) -> None:
    result = CliRunner().invoke(app, ["run"], env=env(tmp_path, hf_arxiv, DAILYPAPERS_SLACK_CHANNEL="C1"))
    assert result.exit_code == 2 and "Slack needs both slack_token" in result.stderr
    assert not hf_arxiv.requests
    both = CliRunner().invoke(app, ["run", "2026-06-12", "--from", "2026-06-01"], env=env(tmp_path, hf_arxiv))
    assert both.exit_code == 2 and "not both" in both.stderr
    backwards = CliRunner().invoke(app, ["digest", "--from", "2026-06-12", "--to", "2026-06-01"],
                                   env=env(tmp_path, hf_arxiv))
    assert backwards.exit_code == 2 and "is before --from" in backwards.stderr


def test_runs_on_a_new_archive_and_config_redacts_every_secret(tmp_path: Path, hf_arxiv: HfArxivStandIn) -> None:
    e = env(tmp_path, hf_arxiv, DAILYPAPERS_SLACK_TOKEN="xoxb-1234567890-secret",
            DAILYPAPERS_SMTP_PASSWORD="pw-secret", DAILYPAPERS_APPRISE_URLS='["discord://1/tok-secret"]',
            DAILYPAPERS_OPS_URLS='["ntfy://ops-secret"]', DAILYPAPERS_EMAIL_TO='["a@b.org"]',
            DAILYPAPERS_LLM_MODEL="")
    assert "no runs yet" in CliRunner().invoke(app, ["runs"], env=e).stdout
    shown = CliRunner().invoke(app, ["config"], env=e).stdout
    assert "secret" not in shown
    data = json.loads(shown)
    assert data["slack_token"] == "***" and data["apprise_urls"] == ["discord://***"]
    assert data["ops_urls"] == ["ntfy://***"] and data["email_to"] == ["a@b.org"]
    assert data["llm_model"] is None  # an empty variable (an unset CI secret) is unset


def test_the_readme_keeps_the_latest_main_edition_between_markers() -> None:
    d = digest(2)
    first = readme.update("# My papers\n\nIntro.\n", d)
    assert first is not None and first.startswith("# My papers\n\nIntro.\n\n<!-- dailypapers:start 2026-06-12 -->")
    later = d.model_copy(update={"day": dt.date(2026, 6, 15), "entries": d.entries[:1]})
    second = readme.update(first + "\nFooter.\n", later)
    assert second is not None and second.count("dailypapers:start") == 1 and second.endswith("\nFooter.\n")
    assert "## Daily Papers (2026-06-15)" in second and "2026-06-12" not in second
    assert readme.update(second, d) is None  # an older day never replaces a later one


def test_a_readme_that_is_only_a_digest_stays_the_digest_byte_for_byte() -> None:
    d = digest(2)
    later = d.model_copy(update={"day": dt.date(2026, 6, 15), "entries": d.entries[:1]})
    assert readme.update("", d) == render(d)  # a new README is the digest, in the seed format
    assert readme.update(render(d), later) == render(later)  # replaced whole by a later day
    assert readme.update(render(later), d) is None  # never by an older one
    assert digestformat.parse(readme.update("", d)).entries == digestformat.parse(render(d)).entries
    spaced = "".join(line + "  \n" for line in render(d).split("\n")[:-1])  # as older digests had it
    assert readme.update(spaced, later) == render(later)


def test_notes_after_a_digest_header_are_kept() -> None:
    d = digest(2)
    later = d.model_copy(update={"day": dt.date(2026, 6, 15), "entries": d.entries[:1]})
    notes = "\n## Reading group\n\nWe discuss paper 1 on Friday. My notes: [link](https://example.org/notes)\n"
    for own in (render(d) + notes, render(d).replace("\n\n###", "\n\nA line of my own.\n\n###", 1)):
        updated = readme.update(own, later)
        assert updated is not None and updated.startswith(own)  # nothing of the user's is lost
        assert updated.count("<!-- dailypapers:start 2026-06-15 -->") == 1
        assert readme.update(updated, later) == updated  # the next run replaces only the marked block


def test_server_text_reaches_the_terminal_without_control_characters(tmp_path: Path, hf_arxiv: HfArxivStandIn,
                                                                     slack_api: SlackStandIn) -> None:
    from dailypapers.health import EditionHealth, HealthReport
    from dailypapers.models import RunReport
    from dailypapers.store import Store

    hf_arxiv.add_paper(make_paper("2606.40000", pages=1), day=DAY, upvotes=5)
    slack = {f"DAILYPAPERS_{k.upper()}": str(v) for k, v in slack_api.settings_kwargs().items()}
    e = env(tmp_path, hf_arxiv, **slack)
    runner = CliRunner()
    slack_api.fail("evil\x1b]0;owned\x07\x1b[2J")  # a server's error text with terminal escapes
    failed = runner.invoke(app, ["run", DAY.isoformat()], env=e)
    assert failed.exit_code == 1 and "slack:C0PAPERS" in failed.output
    assert "\x1b" not in failed.output and "\x07" not in failed.output
    now = dt.datetime.now(dt.UTC)
    with Store(tmp_path / "c.db") as store:
        run_id = store.save_run(RunReport(command="run", day=DAY, source="hf", lang="ko", started_at=now,
                                          finished_at=now))
        bad = "unreachable: \x1b[31mconnection refused\x1b[0m"
        edition = EditionHealth(day=DAY, source="hf", lang="ko", run_id=run_id, no_papers=bad, error=bad)
        report = HealthReport(command="run", started_at=now, finished_at=now, editions=(edition,))
        store.save_health(report.stored(), [edition.stored_row()])
    for args in (["runs"], ["runs", "--reports"]):
        shown = runner.invoke(app, args, env=e)
        assert shown.exit_code == 0 and "connection refused" in shown.output, shown.output
        assert "\x1b" not in shown.output and "\x07" not in shown.output
