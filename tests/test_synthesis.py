"""An edition's synthesis: offline TF-IDF themes, the LLM's themes grounded in the edition's summaries (a
stranger paper or a number none of them states is flagged), cached by the edition's content, and shown at the
top of the edition's page."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from dailypapers.api import build_digest
from dailypapers.config import Settings
from dailypapers.digestformat import read_digest
from dailypapers.models import Claim, Digest, Entry, Paper, Section, Summary, Synthesis, Theme
from dailypapers.publish.base import HEADER
from dailypapers.publish.notify.email import render_html
from dailypapers.publish.notify.messages import message_edition, synthesis_lines
from dailypapers.publish.notify.slack import header_message
from dailypapers.publish.pages import Chrome, render
from dailypapers.publish.views import edition_synthesis, edition_view
from dailypapers.store import Store
from dailypapers.synthesis import cited, content_key, ground, question, read_reply, tfidf_synthesis
from tests.papergen import make_paper
from tests.sitedata import SEED
from tests.standins.hf_arxiv import HfArxivStandIn
from tests.standins.openai_server import OpenAIStandIn, respond


def test_offline_themes_cover_every_paper_once_and_are_the_same_each_time() -> None:
    day = read_digest(SEED)
    made = tfidf_synthesis(day.entries, "ko")
    assert 3 <= len(made.themes) <= 7 and made.model == "tfidf"
    listed = [p for t in made.themes for p in t.paper_ids]
    assert sorted(listed) == sorted(e.paper.id for e in day.entries)  # each paper in exactly one theme
    ids = {e.paper.id for e in day.entries}
    for t in made.themes:
        assert t.title and set(t.paper_ids) <= ids
        shown = cited(t.text)  # it is told by its most central titles, each cited
        assert 1 <= len(shown) <= 3 and set(shown) <= set(t.paper_ids)
    assert tfidf_synthesis(day.entries, "ko") == made
    assert made.key == content_key(day.entries, "ko")


def _entries() -> list[Entry]:
    def one(pid: str, title: str, text: str) -> Entry:
        return Entry(paper=Paper(id=pid, title=title, upvotes=3),
                     summary=Summary(paper_id=pid, lang="en", sections=(Section(label="What's New", text=text),)))
    return [one("2505.00001", "Lantern Routing", "Lantern routes tokens to sparse experts and cuts latency by 38%."),
            one("2505.00002", "Kestrel Cache", "Kestrel reuses attention states across prompts on MMLU.")]


def test_the_llm_synthesis_is_grounded_in_the_editions_papers() -> None:
    entries = _entries()
    raw = read_reply({"themes": [
        {"title": "Serving", "text": "Lantern cuts latency by 38% [2505.00001]. Kestrel reuses attention states "
                                     "on MMLU [2505.00002].", "papers": ["2505.00001", "2505.00002"]},
        {"title": "Planted", "text": "Zephyr-9 reaches 97.3% on MMLU [2606.99999].", "papers": ["2606.99999"]},
    ], "shared": "Both target serving cost [2505.00001] [2505.00002]; Lantern reports 41% [2505.00001]."})
    made = ground(raw, entries, {}, model="m", key="k")
    good, planted = made.themes
    assert not [c for c in good.claims if c.status == "unsupported"]
    assert any(c.text == "38%" and c.status == "supported" for c in good.claims)
    flagged = {c.text: c.reason for c in planted.claims if c.status == "unsupported"}
    assert flagged["2606.99999"] == "not a paper of this edition"
    assert "97.3%" in flagged and "Zephyr-9" in flagged
    assert planted.paper_ids == ()  # only the edition's papers are kept as the theme's
    assert [c.text for c in made.shared_claims if c.status == "unsupported"] == ["41%"]
    with pytest.raises(ValueError):
        read_reply({"themes": []})
    with pytest.raises(ValueError):
        read_reply({"themes": [{"title": "x", "text": "  "}]})


def test_the_question_carries_only_the_summaries() -> None:
    q = question(_entries(), "ko")
    user = q.messages[1]["content"]
    assert "[2505.00001] Lantern Routing" in user and "cuts latency by 38%" in user
    assert "Korean" in q.messages[0]["content"] and q.name == "edition_synthesis"


def test_the_page_shows_the_synthesis_and_flags_a_stranger() -> None:
    entries = _entries()
    raw = read_reply({"themes": [{"title": "Planted", "text": "Lantern [2505.00001] and Zephyr [2606.99999].",
                                  "papers": []}], "shared": ""})
    made = ground(raw, entries, {}, model="m", key=content_key(entries, "en"))
    digest = Digest(day=dt.date(2025, 5, 6), lang="en", entries=tuple(entries))
    chosen = edition_synthesis(digest.entries, "en", {made.key: made}.get)
    assert chosen is made
    view = edition_view(digest, made=chosen)
    html = lxml.html.fromstring(render("edition.html", view.path, Chrome(), view=view))
    theme = html.cssselect("section.synthesis ul.themes li")[0]
    assert theme.cssselect("a.cite")[0].get("href") == "#p-2505.00001" and theme.cssselect("a.cite")[0].text == "[1]"
    assert theme.cssselect("mark.stranger")[0].text == "[2606.99999]"
    assert "unverified: 2606.99999" in theme.text_content()
    order = list(html.iter())
    assert order.index(html.cssselect("section.synthesis")[0]) < order.index(html.cssselect("ol.cards")[0])
    # with none stored, the page shows the offline themes
    assert edition_synthesis(digest.entries, "en", {}.get).model == "tfidf"


def _synthesis_responder(body: dict[str, Any], labels: Sequence[str]) -> str:
    rf = body.get("response_format") or {}
    if (rf.get("json_schema") or {}).get("name") != "edition_synthesis":
        return respond(body, labels)
    user = body["messages"][1]["content"]
    first = user.split("<papers>\n", 1)[1].split("\n", 1)[0]  # "[id] title"
    pid = first[1:].split("]", 1)[0]
    return json.dumps({"themes": [
        {"title": "One", "text": f"A study [{pid}].", "papers": [pid]},
        {"title": "Planted", "text": "Zephyr-9 reaches 97.3% accuracy [2606.99999].", "papers": ["2606.99999"]},
    ], "shared": f"They share a method [{pid}]."})


@pytest.mark.slow  # stand-in servers, PDFs read in worker processes
def test_a_run_makes_the_synthesis_once_and_flags_what_was_planted(
        tmp_path: Path, hf_arxiv: HfArxivStandIn, openai_standin: OpenAIStandIn) -> None:
    day = dt.date(2026, 6, 12)
    for i in range(3):
        hf_arxiv.add_paper(make_paper(f"2606.{40000 + i}", pages=2), day=day, upvotes=10 + i)
    openai_standin.responder = _synthesis_responder
    settings = Settings(db=tmp_path / "s.db", out_dir=tmp_path / "d", lang="en", synthesis=True, judge=False,
                        llm_base_url=openai_standin.base_url, llm_model="standin-model", **hf_arxiv.settings_kwargs())
    digest, report = build_digest(settings, day)
    assert digest is not None and report.usage.calls == openai_standin.calls == 4  # 3 papers and the synthesis
    with Store(settings.db, readonly=True) as store:
        made = store.get_synthesis(content_key(digest.entries, "en"))
    assert isinstance(made, Synthesis) and made.model == "standin-model"
    flagged = {c.text for c in made.unsupported}
    assert {"2606.99999", "97.3%", "Zephyr-9"} <= flagged
    assert not [c for c in made.themes[0].claims if c.status == "unsupported"]
    again, report2 = build_digest(settings, day)
    assert again is not None and openai_standin.calls == 4 and report2.usage.calls == 0  # cached: nothing asked


def test_the_slack_parent_and_the_email_lead_with_the_synthesis() -> None:
    entries = _entries()
    raw = read_reply({"themes": [{"title": "Serving", "text": "Lantern cuts latency by 38% [2505.00001].",
                                  "papers": []},
                                 {"title": "Planted", "text": "Zephyr [2606.99999] reaches 97.3%.", "papers": []}],
                      "shared": "Kestrel [2505.00002] and Lantern [2505.00001] both cut serving cost."})
    made = ground(raw, entries, {}, model="m", key="k")
    digest = Digest(day=dt.date(2025, 5, 6), lang="en", entries=tuple(entries))
    plain = message_edition(digest)
    view = dataclasses.replace(plain, themes=synthesis_lines(made, plain))
    assert view.themes[0] == "Serving: Lantern cuts latency by 38% [1]."
    assert view.themes[1].startswith("Planted: Zephyr [?] reaches 97.3%.") and "2606.99999" in view.themes[1]
    assert view.themes[2] == "Kestrel [2] and Lantern [1] both cut serving cost."
    parent = header_message(view)
    themes = [b for b in parent["blocks"] if b.get("block_id") == "themes"]
    assert themes and "• Serving: Lantern cuts latency by 38% [1]." in themes[0]["text"]["text"]
    assert not [b for b in header_message(plain)["blocks"] if b.get("block_id") == "themes"]
    html = lxml.html.fromstring(render_html(view, [HEADER, "2505.00001"]))
    assert [li.text for li in html.cssselect("ul.themes li")] == list(view.themes)
    assert not lxml.html.fromstring(render_html(view, ["2505.00002"])).cssselect("ul.themes")  # an update: none


def test_an_undecided_claim_of_a_theme_is_no_flag() -> None:
    undecided = Claim(text="12", kind="number", status="unsupported", section_label="T", undecided=True)
    contradicted = Claim(text="41%", kind="number", status="unsupported", section_label="T")
    made = Synthesis(themes=(Theme(title="T", text="Lantern [2505.00001] uses 12 experts and 41% less time.",
                                   claims=(undecided, contradicted)),), model="m")
    assert made.unsupported == (contradicted,)
    digest = Digest(day=dt.date(2025, 5, 6), lang="en", entries=tuple(_entries()))
    view = edition_view(digest, made=made)
    assert view.synthesis is not None and view.synthesis.themes[0].unsupported == ("41%",)
    plain = message_edition(digest)
    assert synthesis_lines(made, plain)[0].endswith("(unverified: 41%)")
