"""Slack: the blocks (escaped, split under Slack's limits, read back to the same sections and flags) and the
channel against a stand-in Slack Web API (threads, ok:false errors, 429 with Retry-After, resume)."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dailypapers import digestformat
from dailypapers.digestformat import FLAG_OPEN
from dailypapers.models import DEFAULT_LABELS, Claim, Digest, Entry, Paper, Section, Summary
from dailypapers.publish.base import HEADER, ChannelDown, LedgerRow
from dailypapers.publish.notify import slack
from dailypapers.publish.notify.messages import MAX_TITLE, message_edition
from dailypapers.text import clip
from tests.notify_data import DAY, HOSTILE_TITLE, digest, entry
from tests.standins.base import Reply
from tests.standins.slack import TOKEN, SlackStandIn, _check_blocks


class MemoryLog:
    """A DeliveryLog in memory, recording the calls in order."""

    def __init__(self, rows: dict[str, LedgerRow] | None = None) -> None:
        self.rows = dict(rows or {})
        self.calls: list[tuple[str, str]] = []
        self.notices: list[str] = []

    def get(self, item: str) -> LedgerRow | None:
        return self.rows.get(item)

    def started(self, item: str) -> None:
        self.calls.append(("started", item))
        old = self.rows.get(item)
        self.rows[item] = LedgerRow(item, "pending", old.external_id if old else None, None,
                                    (old.attempts if old else 0) + 1, dt.datetime.now(dt.UTC).isoformat())

    def delivered(self, item: str, external_id: str | None = None, thread_id: str | None = None) -> None:
        self.calls.append(("delivered", item))
        self.rows[item] = LedgerRow(item, "delivered", external_id, thread_id)

    def failed(self, item: str, error: str) -> None:
        self.calls.append(("failed", item))
        self.rows[item] = LedgerRow(item, "failed")

    def notice(self, message: str) -> None:
        self.notices.append(message)


def channel(standin: SlackStandIn, *, token: str = TOKEN, channel: str = "C0PAPERS", max_wait: float = 5.0,
            sleeps: list[float] | None = None) -> slack.SlackChannel:
    return slack.SlackChannel(token=token, channel=channel, base_url=standin.base_url, timeout=5,
                              max_wait=max_wait, sleep=(sleeps.append if sleeps is not None else lambda s: None))


def all_items(d: Digest) -> list[str]:
    return [HEADER, *(e.paper.id for e in d.entries)]


# -- rendering -----------------------------------------------------------------------------------------------
def test_mrkdwn_escapes_control_characters_and_links_cannot_be_injected() -> None:
    d = Digest(day=DAY, entries=(entry(0, title=HOSTILE_TITLE),))
    view = message_edition(d)
    message = slack.paper_message(view, view.papers[0])
    title = message["blocks"][0]["text"]["text"]
    assert "<!channel>" not in title and "&lt;!channel&gt;" in title
    assert "|click>" not in title.split("|", 1)[1]  # only our own link has an unescaped `>`
    assert title.startswith("*<https://arxiv.org/abs/2606.10000|") and title.endswith(">*")
    assert "\r" not in title and "\n" not in title
    assert "<" not in message["text"] and "&lt;!channel&gt;" in message["text"]  # the notification text too
    assert slack.link("https://x.org/a|b>c d", "t") == "<https://x.org/a%7Cb%3Ec%20d|t>"


def test_a_paper_reply_has_the_title_link_votes_sections_and_flags() -> None:
    view = message_edition(digest(2))
    message = slack.paper_message(view, view.paper("2606.10001"))
    texts = [b.get("text", {}).get("text") or b["elements"][0]["text"] for b in message["blocks"]]
    assert texts[0] == "*<https://arxiv.org/abs/2606.10001|Paper 1: Sparse Routing at Scale>*"
    assert texts[1] == "Vote: 49 · Authors: Ada 1, Bo Li"
    assert [t.split("\n")[0] for t in texts[2:]] == [f"*{label}*" for label in DEFAULT_LABELS]
    assert texts[-1].endswith(" ⚠️(unverified: 91.4%; LanternBench)")  # the Markdown's marker, same place
    assert message["metadata"]["event_payload"] == {"day": "2026-06-12", "source": "hf", "lang": "ko",
                                                    "item": "2606.10001"}
    hidden = message_edition(digest(2), show_flags=False)
    assert "unverified" not in str(slack.paper_message(hidden, hidden.paper("2606.10001")))


def test_the_parent_message_has_the_date_count_and_site_link() -> None:
    view = message_edition(digest(3), site_url="https://papers.example.org/")
    message = slack.header_message(view)
    assert message["blocks"][0]["text"]["text"] == "*Daily Papers (2026-06-12)* · 3 papers · hf · ko"
    assert message["blocks"][1]["elements"][0]["text"] == (
        "<https://papers.example.org/editions/hf/ko/2026-06-12.html|Read it on the site>")
    assert message_edition(digest(1), site_url="javascript:alert(1)").link is None


def test_long_sections_are_split_under_slacks_limits_and_read_back_whole() -> None:
    words = " ".join(f"word{i}" for i in range(900))  # ~7,000 characters with spaces
    unspaced = "가" * 7_000  # no space to split at
    entities = "&" * 1_500  # each one escaped to five characters: a cut must not fall inside one
    d = Digest(day=DAY, entries=(entry(0, text=words), entry(1, text=unspaced), entry(2, text=entities)))
    view = message_edition(d)
    for paper in view.papers:
        message = slack.paper_message(view, paper)
        assert _check_blocks(message["blocks"], message["text"]) is None
        back = slack.read_paper_blocks(message["blocks"])
        shown = [s.text for s in back.sections]
        assert shown and all(t == paper.sections[i].text for i, t in enumerate(shown))
        assert any(b.get("block_id") == "cut" for b in message["blocks"]) == (len(shown) < 3)
        for b in message["blocks"][2:]:
            body = b["text"]["text"] if b["type"] == "section" else ""
            assert not body.endswith(("&", "&a", "&am", "&amp")) and not body.startswith(("amp;", "mp;", "p;"))


# untrusted text as a source or a model may give it: any script, control characters and line breaks, Slack's and
# Markdown's syntax characters, and the flag marker's own pieces (`;`, `⚠️(`, the whole opening, backslashes)
_piece = (st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
          | st.sampled_from(["&", "<", ">", "|", "*", "_", "~", "`", ";", "; ", "\\", "(", ")", "⚠️(", FLAG_OPEN,
                             "\n", "\r\n", "\x07", "\x85", "*\n"]))
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_text = st.lists(_piece, min_size=1, max_size=10).map("".join).filter(lambda s: any(c.isalnum() for c in s))


@settings(max_examples=150, deadline=None)
@given(title=_text, texts=st.lists(_text, min_size=3, max_size=3),
       labels=st.lists(st.sampled_from([*DEFAULT_LABELS, ""]), min_size=3, max_size=3),
       flags=st.lists(_text, max_size=3), flagged=st.integers(0, 2),
       votes=st.one_of(st.none(), st.integers(-5, 10_000)),
       authors=st.lists(st.text(min_size=1, max_size=30).map(lambda a: a.replace(",", "")), max_size=4))
@pytest.mark.slow  # many generated examples: seconds of CPU
def test_blocks_read_back_to_the_same_entry_as_the_markdown(
    title: str, texts: list[str], labels: list[str], flags: list[str], flagged: int, votes: int | None,
    authors: list[str],
) -> None:
    paper = Paper(id="2606.00001", title=title, authors=tuple(authors), upvotes=votes)
    claims = tuple(Claim(text=f, kind="name", status="unsupported", section_label=labels[flagged]) for f in flags)
    summary = Summary(paper_id=paper.id, sections=tuple(Section(label=lb, text=t, emphasis="bold_italic" if lb
                                                                else "plain")
                                                        for lb, t in zip(labels, texts, strict=True)),
                      claims=claims)
    d = Digest(day=DAY, entries=(Entry(paper=paper, summary=summary),))
    view = message_edition(d)
    message = slack.paper_message(view, view.papers[0])
    assert _check_blocks(message["blocks"], message["text"]) is None
    back = slack.read_paper_blocks(message["blocks"])
    # compared with what the Markdown digest says of the same entry, not with the view the blocks came from
    [shown] = digestformat.parse(digestformat.render(d)).entries
    assert shown.summary is not None
    assert (back.title, back.url, back.votes) == (clip(shown.paper.title, MAX_TITLE), shown.paper.url,
                                                  shown.paper.upvotes)
    assert back.authors == ", ".join(shown.paper.authors)
    marker_claims: dict[str, list[str]] = {}
    for c in shown.summary.claims:
        marker_claims.setdefault(c.section_label, []).append(c.text)
    assert [(s.label, s.text, s.flags) for s in back.sections] == [
        (s.label, s.text, tuple(marker_claims.pop(s.label, ()))) for s in shown.summary.sections]
    shown_texts = [message["text"], *(t["text"] for b in message["blocks"]
                                      for t in ([b["text"]] if b["type"] == "section" else b["elements"]))]
    assert not any(_CONTROL.search(t) for t in shown_texts)


def test_a_claim_with_a_semicolon_and_a_text_with_the_marker_read_back_as_written() -> None:
    labels = DEFAULT_LABELS
    sections = (Section(label=labels[0], text="it cites ⚠️(unverified: nothing) as a string"),
                Section(label=labels[1], text="plain text"), Section(label=labels[2], text="ends with \\"))
    claims = (Claim(text="a; b", kind="name", status="unsupported", section_label=labels[2]),
              Claim(text="c\\", kind="name", status="unsupported", section_label=labels[2]))
    paper = Paper(id="2606.00002", title="t")
    view = message_edition(Digest(day=DAY, entries=(Entry(paper=paper, summary=Summary(
        paper_id=paper.id, sections=sections, claims=claims)),)))
    back = slack.read_paper_blocks(slack.paper_message(view, view.papers[0])["blocks"])
    assert [s.flags for s in back.sections] == [(), (), ("a; b", "c\\")]
    assert back.sections[0].text == "it cites ⚠️(unverified: nothing) as a string"
    assert back.sections[2].text == "ends with \\"


# -- the channel against the stand-in --------------------------------------------------------------------------
def test_one_parent_per_edition_and_one_reply_per_paper_in_its_thread(slack_api: SlackStandIn) -> None:
    d = digest(3)
    log = MemoryLog()
    asyncio.run(channel(slack_api).send(message_edition(d), all_items(d), log))
    [parent] = slack_api.parents()
    replies = slack_api.replies_to(parent)
    assert parent.channel == "C0PAPERS" and "3 papers" in parent.text
    assert [r.metadata["event_payload"]["item"] for r in replies] == [e.paper.id for e in d.entries]
    assert [slack_read(r.blocks).title for r in replies] == [e.paper.title for e in d.entries]
    assert log.rows[HEADER].external_id == f"C0PAPERS:{parent.ts}"
    assert all(log.rows[e.paper.id].thread_id == f"C0PAPERS:{parent.ts}" for e in d.entries)
    assert [c for c, _ in log.calls] == ["started", "delivered"] * 4
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in slack_api.requests_to("/api/chat.postMessage"))


def slack_read(blocks: list[dict[str, Any]]) -> slack.ReadBack:
    return slack.read_paper_blocks(blocks)


def test_a_resumed_run_posts_only_what_is_due_in_the_same_thread(slack_api: SlackStandIn) -> None:
    d = digest(3)
    log = MemoryLog()
    asyncio.run(channel(slack_api).send(message_edition(d), [HEADER, "2606.10000"], log))
    asyncio.run(channel(slack_api).send(message_edition(d), ["2606.10001", "2606.10002"], log))
    [parent] = slack_api.parents()
    assert len(slack_api.replies_to(parent)) == 3


def test_a_pending_message_that_slack_has_is_found_not_posted_again(slack_api: SlackStandIn) -> None:
    d = digest(2)
    log = MemoryLog()
    asyncio.run(channel(slack_api).send(message_edition(d), all_items(d), log))
    # as if the run had died between Slack's answer and the ledger's write, for the parent and one reply
    log.rows[HEADER] = LedgerRow(HEADER, "pending", attempts=1)
    log.rows["2606.10001"] = LedgerRow("2606.10001", "pending", attempts=1)
    asyncio.run(channel(slack_api).send(message_edition(d), [HEADER, "2606.10001"], log))
    assert len(slack_api.posted) == 3
    [parent] = slack_api.parents()
    assert log.rows[HEADER].external_id == f"C0PAPERS:{parent.ts}"
    assert log.rows["2606.10001"].status == "delivered" and not log.notices


def test_a_lost_reply_late_in_a_long_thread_is_found_through_pages(slack_api: SlackStandIn) -> None:
    d = digest(40)
    log = MemoryLog()
    asyncio.run(channel(slack_api).send(message_edition(d), all_items(d), log))
    lost = d.entries[37].paper.id
    log.rows[lost] = LedgerRow(lost, "pending", attempts=1, updated_at=dt.datetime.now(dt.UTC).isoformat())
    asyncio.run(channel(slack_api).send(message_edition(d), [lost], log))
    assert len(slack_api.posted) == 41 and log.rows[lost].status == "delivered" and not log.notices
    pages = [SlackStandIn._args(r) for r in slack_api.requests_to("/api/conversations.replies")]
    assert len(pages) == 3 and {p["limit"] for p in pages} == {"15"} and "oldest" in pages[0]
    assert [p.get("cursor") for p in pages] == [None, "15", "30"]


def test_without_history_access_a_pending_message_is_sent_again_and_said(slack_api: SlackStandIn) -> None:
    d = digest(1)
    slack_api.history_allowed = False
    log = MemoryLog({HEADER: LedgerRow(HEADER, "pending", attempts=1)})
    asyncio.run(channel(slack_api).send(message_edition(d), all_items(d), log))
    assert len(slack_api.parents()) == 1 and log.rows[HEADER].status == "delivered"
    assert "may have been sent by an interrupted run" in log.notices[0]


def test_an_auth_error_stops_the_channel_with_a_hint(slack_api: SlackStandIn) -> None:
    d = digest(2)
    log = MemoryLog()
    with pytest.raises(ChannelDown, match=r"invalid_auth \(check slack_token and slack_channel"):
        asyncio.run(channel(slack_api, token="xoxb-wrong").send(message_edition(d), all_items(d), log))
    assert log.calls == [("started", HEADER), ("failed", HEADER)] and not slack_api.posted
    with pytest.raises(ChannelDown, match="channel_not_found"):
        asyncio.run(channel(slack_api, channel="C0NOWHERE").send(message_edition(d), all_items(d), MemoryLog()))


def test_a_rejected_paper_fails_alone_and_the_thread_goes_on(slack_api: SlackStandIn) -> None:
    d = digest(3)
    log = MemoryLog()
    ch = channel(slack_api)
    asyncio.run(ch.send(message_edition(d), [HEADER], log))
    slack_api.fail("invalid_blocks")
    asyncio.run(ch.send(message_edition(d), all_items(d)[1:], log))
    assert [log.rows[e.paper.id].status for e in d.entries] == ["failed", "delivered", "delivered"]
    assert len(slack_api.replies_to(slack_api.parents()[0])) == 2


def test_retry_after_is_honoured_and_a_long_one_ends_the_run_for_this_channel(slack_api: SlackStandIn) -> None:
    d = digest(1)
    sleeps: list[float] = []
    slack_api.rate_limit(retry_after="2", times=2)
    log = MemoryLog()
    asyncio.run(channel(slack_api, sleeps=sleeps).send(message_edition(d), all_items(d), log))
    assert sleeps == [2.0, 2.0] and len(slack_api.posted) == 2
    assert len(slack_api.requests_to("/api/chat.postMessage")) == 4
    slack_api.rate_limit(retry_after="600")
    later = digest(2)
    log2 = MemoryLog()
    with pytest.raises(ChannelDown, match="ratelimited"):
        asyncio.run(channel(slack_api, sleeps=sleeps).send(message_edition(later), all_items(later), log2))
    assert sleeps == [2.0, 2.0] and log2.rows[HEADER].status == "failed"


def test_a_post_whose_connection_drops_is_not_sent_again_but_found_next_run(slack_api: SlackStandIn) -> None:
    d = digest(2)
    slack_api.hang_ups = 1  # Slack keeps the parent, the answer never comes
    log = MemoryLog()
    with pytest.raises(ChannelDown) as down:
        asyncio.run(channel(slack_api).send(message_edition(d), all_items(d), log))
    assert down.value.maybe_sent and len(slack_api.posted) == 1  # not re-posted by slack_sdk's retry
    assert len(slack_api.requests_to("/api/chat.postMessage")) == 1 and log.rows[HEADER].status == "pending"
    asyncio.run(channel(slack_api).send(message_edition(d), all_items(d), log))
    [parent] = slack_api.parents()
    assert len(slack_api.posted) == 3 and log.rows[HEADER].external_id == f"C0PAPERS:{parent.ts}"
    assert len(slack_api.replies_to(parent)) == 2 and not log.notices


def test_a_read_whose_connection_drops_is_tried_again(slack_api: SlackStandIn) -> None:
    d = digest(1)
    log = MemoryLog()
    asyncio.run(channel(slack_api).send(message_edition(d), all_items(d), log))
    log.rows[HEADER] = LedgerRow(HEADER, "pending", attempts=1)
    slack_api.fault("/api/conversations.history", Reply(hang_up=True))
    asyncio.run(channel(slack_api).send(message_edition(d), [HEADER], log))
    assert len(slack_api.requests_to("/api/conversations.history")) == 2
    assert len(slack_api.posted) == 2 and log.rows[HEADER].status == "delivered"


@pytest.mark.parametrize("answer", [
    Reply.json({"ok": False, "error": "internal_error"}, status=500),
    Reply.json({"ok": False, "error": "fatal_error"}),
    Reply.json({"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "600"}),
])
def test_a_lookup_that_fails_keeps_the_item_pending_instead_of_sending_it_again(
    slack_api: SlackStandIn, answer: Reply,
) -> None:
    d = digest(1)
    log = MemoryLog()
    asyncio.run(channel(slack_api).send(message_edition(d), all_items(d), log))
    log.rows[HEADER] = LedgerRow(HEADER, "pending", attempts=1)
    slack_api.fault("/api/conversations.history", answer)
    with pytest.raises(ChannelDown):
        asyncio.run(channel(slack_api).send(message_edition(d), all_items(d), log))
    assert len(slack_api.posted) == 2 and log.rows[HEADER].status == "pending" and not log.notices
    asyncio.run(channel(slack_api).send(message_edition(d), [HEADER], log))  # Slack answers again: found
    assert len(slack_api.posted) == 2 and log.rows[HEADER].status == "delivered"


@pytest.mark.parametrize("why", ["missing_scope", "not_in_channel", "channel_not_found"])
def test_a_lookup_slack_will_not_answer_sends_again_and_says_so(slack_api: SlackStandIn, why: str) -> None:
    d = digest(1)
    log = MemoryLog({HEADER: LedgerRow(HEADER, "pending", attempts=1)})
    slack_api.fault("/api/conversations.history", Reply.json({"ok": False, "error": why}))
    asyncio.run(channel(slack_api).send(message_edition(d), all_items(d), log))
    assert len(slack_api.parents()) == 1 and log.rows[HEADER].status == "delivered"
    assert "may have been sent by an interrupted run" in log.notices[0]
