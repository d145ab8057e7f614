"""Weekly and monthly editions: their spans (ISO weeks and months of UTC days), the top papers of the stored
days by last known votes, their Markdown header read back, and `digest --week` made from the archive with no
new LLM call and no network once the days are stored."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dailypapers.api import run
from dailypapers.cli import app
from dailypapers.config import Settings
from dailypapers.digestformat import parse_period, period_span, render, render_period
from dailypapers.errors import FormatError
from dailypapers.events import Events, Notice
from dailypapers.models import Digest, Entry, Paper, PeriodDigest, Section, Span, Summary
from dailypapers.periods import compose
from dailypapers.store import Store
from tests.papergen import make_paper
from tests.standins.hf_arxiv import HfArxivStandIn
from tests.standins.openai_server import OpenAIStandIn
from tests.standins.slack import SlackStandIn
from tests.standins.smtp import SmtpStandIn
from tests.standins.webhook import WebhookStandIn

W19 = Span.parse("week", "2025-W19")


def test_spans_are_iso_weeks_and_calendar_months() -> None:
    assert (W19.start, W19.end, W19.label) == (dt.date(2025, 5, 5), dt.date(2025, 5, 11), "2025-W19")
    assert Span.parse("week", "2025-W01").start == dt.date(2024, 12, 30)  # the week that holds 2 January
    assert Span.of("week", dt.date(2024, 12, 31)).label == "2025-W01"
    feb = Span.parse("month", "2024-02")
    assert (feb.start, feb.end, len(feb.days)) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29), 29)
    assert Span.parse("month", "2024-12").next.label == "2025-01" and W19.previous.label == "2025-W18"
    for bad, period in (("2025-19", "week"), ("2025-W54", "week"), ("2025-13", "month"), ("May", "month")):
        with pytest.raises(ValueError):
            Span.parse(period, bad)  # type: ignore[arg-type]


def _entry(pid: str, votes: int | None, text: str | None = None) -> Entry:
    summary = None if text is None else Summary(paper_id=pid, lang="en", sections=(Section(label="What's New",
                                                                                            text=text),))
    return Entry(paper=Paper(id=pid, title=f"Paper {pid}", upvotes=votes), summary=summary)


def _day(day: dt.date, *entries: Entry, source: str = "hf") -> Digest:
    return Digest(day=day, source=source, lang="en", entries=entries)


def test_the_top_papers_by_last_known_votes_each_once() -> None:
    mon, tue, wed = W19.start, W19.start + dt.timedelta(days=1), W19.start + dt.timedelta(days=2)
    days = [
        _day(tue, _entry("2505.00002", 50, "Tuesday's text."), _entry("2505.00003", 40, "C.")),
        _day(mon, _entry("2505.00001", 30, "A."), _entry("2505.00002", 5, "Monday's text.")),
        _day(wed, _entry("2505.00002", 60, None), _entry("2505.00004", None, "No votes.")),
        _day(wed - dt.timedelta(days=7), _entry("2505.00009", 999, "The week before.")),
        _day(wed, _entry("2505.00008", 999, "Another source."), source="arxiv:cs.CL"),
    ]
    edition, picks = compose(W19, "hf", "en", days, top=3)
    assert [e.paper.id for e in edition.entries] == ["2505.00002", "2505.00003", "2505.00001"]
    first = edition.entries[0]
    assert first.paper.upvotes == 60  # Wednesday's votes, the last known
    assert first.summary is not None and first.summary.sections[0].text == "Tuesday's text."  # the newest summary
    assert (picks[0].day, picks[0].first_day) == (tue, mon)  # its summary is Tuesday's row
    everything, _ = compose(W19, "hf", "en", days, top=20)
    assert [e.paper.id for e in everything.entries][-1] == "2505.00004"  # no votes: after every voted paper
    assert len(everything.entries) == 4
    with pytest.raises(ValueError):
        compose(W19, "hf", "en", days, top=0)


def test_the_period_markdown_has_its_header_and_reads_back() -> None:
    edition, _ = compose(W19, "hf", "en", [_day(W19.start, _entry("2505.00001", 30, "A new router."),
                                                _entry("2505.00002", 12, "A new dataset."))])
    text = render_period(edition)
    assert text.startswith("## Weekly Papers (2025-05-05 – 2025-05-11)\n\n### [Paper 2505.00001]")
    # the entries are written as a day's are, byte for byte
    day_text = render(edition.as_digest)
    assert text.split("\n", 1)[1] == day_text.split("\n", 1)[1]
    back = parse_period(text, source="hf", lang="en")
    assert back.span == W19 and [e.paper.id for e in back.entries] == ["2505.00001", "2505.00002"]
    assert [e.paper.upvotes for e in back.entries] == [30, 12]
    month = PeriodDigest(span=Span.parse("month", "2025-05"), source="hf", lang="en", entries=edition.entries)
    assert render_period(month).startswith("## Monthly Papers (2025-05)\n\n")
    assert parse_period(render_period(month)).span == month.span
    assert period_span("## Daily Papers (2025-05-06)\n") is None
    with pytest.raises(FormatError):
        period_span("## Weekly Papers (2025-05-06 – 2025-05-12)\n")  # Tuesday to Monday is no week


def _add_day(hf: HfArxivStandIn, day: dt.date, votes: list[int], start: int) -> list[str]:
    ids = []
    for i, v in enumerate(votes):
        synth = make_paper(f"2606.{30000 + start + i}", pages=2)
        hf.add_paper(synth, day=day, upvotes=v)
        ids.append(synth.arxiv_id)
    return ids


@pytest.mark.slow  # stand-in servers, PDFs read in worker processes
def test_a_week_of_stand_in_days_gives_its_top_papers_with_no_new_llm_call(
        tmp_path: Path, hf_arxiv: HfArxivStandIn, openai_standin: OpenAIStandIn) -> None:
    monday = dt.date(2026, 6, 8)  # 2026-W24
    votes = {monday: [12, 3], monday + dt.timedelta(days=1): [40, 7], monday + dt.timedelta(days=2): [25, 1]}
    expected: list[tuple[str, int]] = []
    for n, (day, vs) in enumerate(votes.items()):
        expected += list(zip(_add_day(hf_arxiv, day, vs, start=10 * n), vs, strict=True))
    env = {**hf_arxiv.env(), "DAILYPAPERS_DB": str(tmp_path / "w.db"), "DAILYPAPERS_OUT_DIR": str(tmp_path / "d"),
           "DAILYPAPERS_LLM_BASE_URL": openai_standin.base_url, "DAILYPAPERS_LLM_MODEL": "standin-model",
           "DAILYPAPERS_LANG": "en", "COLUMNS": "200"}
    runner = CliRunner()
    days = runner.invoke(app, ["digest", "--from", "2026-06-08", "--to", "2026-06-10"], env=env)
    assert days.exit_code == 0, days.output
    calls, asked = openai_standin.calls, len(hf_arxiv.requests)
    assert calls == 6
    week = runner.invoke(app, ["digest", "--week", "2026-W24", "--top", "4", "--json"], env=env)
    assert week.exit_code == 0, week.output
    made = json.loads(week.stdout)
    top = sorted(expected, key=lambda iv: -iv[1])[:4]
    assert [(p["id"], p["upvotes"]) for p in made["papers"]] == top
    # made from the archive: no LLM call; the source was asked only for the weekdays the archive lacked
    # (Thursday and Friday, which list nothing here), never for the weekend
    assert openai_standin.calls == calls and made["llm_calls"] == 0
    asked_for = {r.query.get("date") for r in hf_arxiv.requests[asked:] if r.query.get("date")}
    assert asked_for == {"2026-06-11", "2026-06-12"}
    again = runner.invoke(app, ["digest", "--week", "2026-W24", "--top", "4", "--json"], env=env)
    assert again.exit_code == 0 and openai_standin.calls == calls
    asked_again = len(hf_arxiv.requests)
    third = runner.invoke(app, ["digest", "--week", "2026-W24", "--top", "4"], env=env)
    # every weekday is stored, or known to list nothing: no network at all
    assert third.exit_code == 0 and len(hf_arxiv.requests) == asked_again, third.output
    text = (tmp_path / "d" / "weekly" / "2026-W24.md").read_text()
    assert text.startswith("## Weekly Papers (2026-06-08 – 2026-06-14)\n\n")
    assert [e.paper.id for e in parse_period(text).entries] == [i for i, _ in top]
    with Store(tmp_path / "w.db", readonly=True) as store:
        stored = store.get_period(Span.parse("week", "2026-W24"), "hf", "en")
    assert stored is not None and [e.paper.id for e in stored.entries] == [i for i, _ in top]
    assert all(e.summary is not None and e.summary.sections for e in stored.entries)


def test_import_reads_a_weekly_digest_back_as_its_edition(tmp_path: Path) -> None:
    days = [_day(W19.start, _entry("2505.00001", 30, "A new router."), _entry("2505.00002", 12, None)),
            _day(W19.end, _entry("2505.00003", 44, "A new dataset."))]
    edition, _ = compose(W19, "hf", "en", days)
    path = tmp_path / "2025-W19.md"
    path.write_text(render_period(edition), encoding="utf-8")
    env = {"DAILYPAPERS_DB": str(tmp_path / "i.db")}
    result = CliRunner().invoke(app, ["import", str(path), "--lang", "en"], env=env)
    assert result.exit_code == 0, result.output
    assert "imported the weekly edition hf en 2025-W19: 3 papers" in result.stdout
    with Store(tmp_path / "i.db", readonly=True) as store:
        stored = store.get_period(W19, "hf", "en")
        assert store.editions() == []  # a period is no day
    assert stored is not None
    assert [(e.paper.id, e.paper.upvotes) for e in stored.entries] == [
        ("2505.00003", 44), ("2505.00001", 30), ("2505.00002", 12)]
    assert render_period(stored) == path.read_text(encoding="utf-8")  # read back, byte for byte
    again = CliRunner().invoke(app, ["import", str(path), "--lang", "en"], env=env)
    assert again.exit_code == 0 and "0 papers new to the archive" in again.stdout


@pytest.mark.slow  # stand-in servers (HF, Slack, SMTP, a webhook), PDFs read in worker processes
def test_run_makes_and_delivers_last_weeks_edition_on_its_weekday_once(
        tmp_path: Path, hf_arxiv: HfArxivStandIn, slack_api: SlackStandIn, smtp_plain: SmtpStandIn,
        webhook: WebhookStandIn) -> None:
    monday = dt.date(2026, 6, 8)
    ids = _add_day(hf_arxiv, monday, [5, 30], start=0) + _add_day(hf_arxiv, monday + dt.timedelta(days=1), [12],
                                                                   start=10)
    settings = Settings(db=tmp_path / "r.db", out_dir=tmp_path / "d", publishers=["markdown", "site"],
                        site_dir=tmp_path / "site", site_search=False, site_url="https://papers.example.org",
                        apprise_urls=[webhook.apprise_url()], weekly="mon", top=2, lang="en",
                        **hf_arxiv.settings_kwargs(), **slack_api.settings_kwargs(), **smtp_plain.settings_kwargs())
    run(settings, days=[monday, monday + dt.timedelta(days=1)], deliver=False)  # the days, stored, not sent
    assert not slack_api.posted
    seen: list[str] = []
    report = run(settings, monday + dt.timedelta(days=7),  # the next Monday: last week's edition is due
                 events=Events(lambda e: seen.append(e.message) if isinstance(e, Notice) else None))
    assert report.exit_code in (0, 1), report.text()  # that Monday itself lists nothing on the stand-in
    assert any(m.startswith("made the weekly edition hf en 2026-W24: 2 papers, ") for m in seen), seen
    [parent] = slack_api.parents()
    assert "Weekly Papers (2026-06-08 – 2026-06-14)" in parent.text
    assert "https://papers.example.org/editions/hf/en/2026-W24.html" in str(parent.blocks)
    assert [r.metadata["event_payload"]["item"] for r in slack_api.replies_to(parent)] == [ids[1], ids[2]]
    assert parent.metadata["event_payload"]["source"] == "hf#week"  # its own key in the delivery ledger
    [mail] = smtp_plain.mailbox.messages
    assert mail.message["Subject"].startswith("Weekly Papers (2026-06-08 – 2026-06-14)")
    assert len(webhook.payloads()) >= 1
    assert (tmp_path / "site/editions/hf/en/2026-W24.html").is_file()
    assert (tmp_path / "d/weekly/2026-W24.md").read_text().startswith("## Weekly Papers (2026-06-08 – 2026-06-14)")
    posted, mails, hooks = len(slack_api.posted), len(smtp_plain.mailbox.messages), len(webhook.payloads())
    run(settings, monday + dt.timedelta(days=7))  # again: nothing is sent twice
    assert (len(slack_api.posted), len(smtp_plain.mailbox.messages), len(webhook.payloads())) == (
        posted, mails, hooks)
    assert run(settings, monday + dt.timedelta(days=8)).exit_code in (0, 1)  # Tuesday: no weekly edition due
    assert len(slack_api.parents()) == 1
