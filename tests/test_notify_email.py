"""Email: the multipart message (its text part is the digest Markdown and parses back; the HTML escapes what it
shows; no header injection), and delivery over SMTP in each security mode against aiosmtpd on loopback."""

from __future__ import annotations

import asyncio
import re
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dailypapers import digestformat
from dailypapers.config import Settings
from dailypapers.errors import ConfigError
from dailypapers.models import DEFAULT_LABELS, Claim, Digest, Entry, Paper, Section, Summary
from dailypapers.publish.base import HEADER, ChannelDown
from dailypapers.publish.notify.email import EmailNotifier, channel_id, markdown_of, render_email
from dailypapers.publish.notify.messages import message_edition
from tests.notify_data import DAY, HOSTILE_TITLE, digest, entry
from tests.standins.smtp import SmtpStandIn
from tests.test_notify_slack import MemoryLog

# implicit TLS: aiosmtpd warns about AUTH without STARTTLS, though the connection is TLS from its first byte
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


def items(d: Digest) -> list[str]:
    return [HEADER, *(e.paper.id for e in d.entries)]


def parts(msg) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    return text, html


def test_the_text_part_is_the_digest_markdown_and_the_html_shows_the_same_sections() -> None:
    d = digest(3, extractive=True)
    msg = render_email(message_edition(d), items(d), sender="p@example.org", recipients=["t@example.org"])
    assert msg.get_content_type() == "multipart/alternative"
    text, html = parts(msg)
    assert markdown_of(text) == digestformat.render(d)
    assert digestformat.parse(markdown_of(text)) == digestformat.parse(digestformat.render(d))
    for label in DEFAULT_LABELS:
        assert html.count(f"<strong><em>{label.replace(chr(39), '&#39;')}</em></strong>") == 3
    assert html.count("⚠️(unverified: 91.4%; LanternBench)") == 1 and "Extractive summary" in html
    assert msg["Subject"] == "Daily Papers (2026-06-12): 3 papers — Paper 0: Sparse Routing at Scale"


def test_an_update_carries_only_the_new_papers() -> None:
    d = digest(3)
    msg = render_email(message_edition(d), ["2606.10002"], sender="p@example.org", recipients=["t@example.org"])
    text, _ = parts(msg)
    assert [e.paper.id for e in digestformat.parse(markdown_of(text)).entries] == ["2606.10002"]
    assert msg["Subject"].startswith("Daily Papers (2026-06-12): 1 more paper — Paper 2")


def test_untrusted_text_is_escaped_in_html_and_never_reaches_a_header() -> None:
    d = Digest(day=DAY, entries=(entry(0, title=HOSTILE_TITLE, text="<script>alert(1)</script> & <b>"),))
    msg = render_email(message_edition(d), items(d), sender="p@example.org", recipients=["t@example.org"])
    back = message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert sorted(back.keys()) == ["Content-Type", "Date", "From", "MIME-Version", "Message-ID", "Subject", "To"]
    assert back["Bcc"] is None and "\n" not in back["Subject"] and back["To"] == "t@example.org"
    _, html = parts(msg)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;" in html
    assert "&lt;!channel&gt;" in html
    bad = Digest(day=DAY, entries=(entry(0).model_copy(update={"paper": entry(0).paper.model_copy(
        update={"links": {"abs": "javascript:alert(1)"}, "id": "local:0123456789ab"})}),))
    _, html = parts(render_email(message_edition(bad), items(bad), sender="p@example.org", recipients=["t@x.org"]))
    assert "javascript:" not in html


def test_messages_show_the_papers_the_markdown_shows_in_its_ranks_and_cleaned() -> None:
    dirty = entry(1, title="Paper\x1b[31m one\x07", text="line one\x00\nline\x1b two")
    d = Digest(day=DAY, entries=(entry(0), dirty, entry(0, title="listed again"), entry(2)))
    view = message_edition(d)
    shown = digestformat.parse(digestformat.render(d)).entries
    assert [(p.rank, p.paper_id) for p in view.papers] == [(i, e.paper.id) for i, e in enumerate(shown, start=1)]
    assert view.paper("2606.10001").title == "Paper [31m one"
    assert view.paper("2606.10001").sections[0].text == "line one\nline two"
    text, html = parts(render_email(view, items(d), sender="p@example.org", recipients=["t@x.org"]))
    assert not any(c in text + html for c in "\x00\x07\x1b")
    assert "line one<br>line two" in html and html.count("<article") == 3


_line = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=200).map(
    lambda s: " ".join(s.split()))


@settings(max_examples=50, deadline=None)
@given(title=_line.filter(bool), texts=st.lists(_line.filter(bool), min_size=3, max_size=3),
       votes=st.one_of(st.none(), st.integers(0, 10_000)), flags=st.lists(_line.filter(bool), max_size=2))
def test_the_text_part_parses_back_to_the_same_entry(title: str, texts: list[str], votes: int | None,
                                                     flags: list[str]) -> None:
    flags = [f.replace(";", ",").strip(" )") or "x" for f in flags]
    paper = Paper(id="2606.00001", title=title, authors=("A B",), upvotes=votes)
    summary = Summary(paper_id=paper.id, sections=tuple(Section(label=lb, text=t) for lb, t in
                                                        zip(DEFAULT_LABELS, texts, strict=True)),
                      claims=tuple(Claim(text=f, kind="name", status="unsupported", section_label=DEFAULT_LABELS[0])
                                   for f in flags))
    d = Digest(day=DAY, entries=(Entry(paper=paper, summary=summary),))
    text, _ = parts(render_email(message_edition(d), items(d), sender="p@example.org", recipients=["t@x.org"]))
    assert digestformat.parse(markdown_of(text)) == digestformat.parse(digestformat.render(d))


def test_delivered_over_smtp_in_every_security_mode(smtp: SmtpStandIn) -> None:
    s = Settings(**smtp.settings_kwargs())
    [channel] = EmailNotifier().channels(s)
    d = digest(2)
    log = MemoryLog()
    asyncio.run(channel.send(message_edition(d), items(d), log))
    [got] = smtp.mailbox.messages
    assert got.recipients == ["lead@example.org", "team@example.org"]
    text, _ = parts(got.message)
    assert digestformat.parse(markdown_of(text)) == digestformat.parse(digestformat.render(d))
    assert {log.rows[i].status for i in items(d)} == {"delivered"}
    assert log.rows[HEADER].external_id == got.message["Message-ID"].strip()


def test_wrong_password_and_unreachable_servers_stop_the_channel(tmp_path: Path) -> None:
    d = digest(1)
    with SmtpStandIn("starttls", tmp_path) as smtp:
        s = Settings(**{**smtp.settings_kwargs(), "smtp_password": "wrong"})
        log = MemoryLog()
        with pytest.raises(ChannelDown, match="SMTPAuthenticationError"):
            asyncio.run(EmailNotifier().channels(s)[0].send(message_edition(d), items(d), log))
        assert {r.status for r in log.rows.values()} == {"failed"} and not smtp.mailbox.messages
        no_tls = Settings(**{**smtp.settings_kwargs(), "smtp_ca_file": None})
        with pytest.raises(ChannelDown, match="CERTIFICATE_VERIFY_FAILED"):
            asyncio.run(EmailNotifier().channels(no_tls)[0].send(message_edition(d), items(d), MemoryLog()))
        port = smtp.port
    gone = Settings(**{**smtp.settings_kwargs(), "smtp_port": port})
    with pytest.raises(ChannelDown, match="ConnectionRefusedError"):
        asyncio.run(EmailNotifier().channels(gone)[0].send(message_edition(d), items(d), MemoryLog()))


def test_a_refused_recipient_does_not_hold_back_the_others(smtp_plain: SmtpStandIn) -> None:
    smtp_plain.mailbox.refuse.add("lead@example.org")
    d = digest(1)
    log = MemoryLog()
    asyncio.run(EmailNotifier().channels(Settings(**smtp_plain.settings_kwargs()))[0].send(
        message_edition(d), items(d), log))
    assert [m.recipients for m in smtp_plain.mailbox.messages] == [["team@example.org"]]
    assert log.rows[HEADER].status == "delivered" and "refused lead@example.org" in log.notices[0]


def test_the_channel_id_is_a_stable_hash_without_addresses() -> None:
    a = EmailNotifier().channels(Settings(smtp_host="m", email_from="a@b.c", email_to=["t@b.c", "lead@b.c"]))[0]
    b = EmailNotifier().channels(Settings(smtp_host="m", email_from="a@b.c", email_to=["lead@b.c", "t@b.c"]))[0]
    assert a.id == b.id == channel_id(["t@b.c", "lead@b.c"]) and re.fullmatch(r"email:[0-9a-f]{12}", a.id)
    assert "@" not in a.id


def test_an_update_heading_counts_its_papers() -> None:
    d = digest(3)
    _, one = parts(render_email(message_edition(d), ["2606.10002"], sender="p@example.org", recipients=["t@x.org"]))
    _, two = parts(render_email(message_edition(d), ["2606.10001", "2606.10002"], sender="p@example.org",
                                recipients=["t@x.org"]))
    _, first = parts(render_email(message_edition(digest(1)), items(digest(1)), sender="p@example.org",
                                  recipients=["t@x.org"]))
    assert "<p>1 more paper · hf · ko" in one and "<p>2 more papers · hf · ko" in two
    assert "<p>1 paper · hf · ko" in first


def test_email_settings_are_checked_before_any_work() -> None:
    assert EmailNotifier().channels(Settings()) == []
    with pytest.raises(ConfigError, match="email needs email_from, email_to"):
        EmailNotifier().channels(Settings(smtp_host="mail.example.org"))
    with pytest.raises(ConfigError, match="not an email address"):
        EmailNotifier().channels(Settings(smtp_host="m", email_from="a@b.c", email_to=["x\r\nBcc: y@z"]))
    with pytest.raises(ConfigError, match="password in clear"):
        EmailNotifier().channels(Settings(smtp_host="m", email_from="a@b.c", email_to=["t@b.c"], smtp_user="u",
                                          smtp_security="none"))
