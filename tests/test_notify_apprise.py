"""apprise URLs: each URL its own channel, tested with the `json://` form against a loopback webhook."""

from __future__ import annotations

import asyncio

import pytest

from dailypapers import digestformat
from dailypapers.config import Settings
from dailypapers.errors import ConfigError
from dailypapers.publish.base import HEADER, ChannelDown
from dailypapers.publish.notify.apprise import AppriseNotifier, channel_id
from dailypapers.publish.notify.messages import message_edition
from tests.notify_data import digest
from tests.standins.base import Reply
from tests.standins.webhook import WebhookStandIn
from tests.test_notify_slack import MemoryLog


def test_json_webhook_gets_the_edition_then_each_paper_as_digest_markdown(webhook: WebhookStandIn) -> None:
    d = digest(2)
    [ch] = AppriseNotifier().channels(Settings(apprise_urls=[webhook.apprise_url()], site_url="https://p.example"))
    log = MemoryLog()
    asyncio.run(ch.send(message_edition(d, site_url="https://p.example"), [HEADER, "2606.10000", "2606.10001"], log))
    first, *papers = webhook.payloads()
    page = "https://p.example/editions/hf/ko/2026-06-12.html"
    assert first["title"] == "Daily Papers (2026-06-12): 2 papers" and page in first["message"]
    assert [p["title"] for p in papers] == [f"{i + 1}. Paper {i}: Sparse Routing at Scale" for i in range(2)]
    back = [digestformat.parse(p["message"]) for p in papers]
    assert [b.entries[0] for b in back] == list(digestformat.parse(digestformat.render(d)).entries)
    assert "⚠️(unverified: 91.4%; LanternBench)" in papers[1]["message"]
    assert {r.status for r in log.rows.values()} == {"delivered"}


def test_a_failing_url_stops_only_itself(webhook: WebhookStandIn) -> None:
    d = digest(1)
    bad, good = AppriseNotifier().channels(Settings(apprise_urls=[webhook.apprise_url("down"),
                                                                  webhook.apprise_url()]))
    webhook.route("POST", "/down", lambda req: Reply.json({"error": "boom"}, status=500))
    log_bad, log_good = MemoryLog(), MemoryLog()
    with pytest.raises(ChannelDown, match="json:// notification failed"):
        asyncio.run(bad.send(message_edition(d), [HEADER, "2606.10000"], log_bad))
    asyncio.run(good.send(message_edition(d), [HEADER, "2606.10000"], log_good))
    assert log_bad.rows[HEADER].status == "failed" and "2606.10000" not in log_bad.rows
    assert len(webhook.payloads()) == 2


def test_the_ledger_key_never_holds_the_url_and_bad_urls_are_errors() -> None:
    url = "discord://1234/very-secret-token"
    assert channel_id(url).startswith("apprise:discord:") and "secret" not in channel_id(url)
    with pytest.raises(ConfigError, match="apprise_urls takes URLs"):
        AppriseNotifier().channels(Settings(apprise_urls=["not a url"]))
    [ch] = AppriseNotifier().channels(Settings(apprise_urls=["nosuchscheme://x"]))
    with pytest.raises(ChannelDown, match="cannot use this nosuchscheme:// URL"):
        asyncio.run(ch.send(message_edition(digest(1)), [HEADER], MemoryLog()))


def test_mass_mentions_are_defused_and_the_body_goes_as_text(webhook: WebhookStandIn) -> None:
    d = digest(1)
    hostile = d.model_copy(update={"entries": (d.entries[0].model_copy(update={"paper": d.entries[0].paper.model_copy(
        update={"title": "@everyone look <b>here</b>"})}),)})
    [ch] = AppriseNotifier().channels(Settings(apprise_urls=[webhook.apprise_url()]))
    asyncio.run(ch.send(message_edition(hostile), ["2606.10000"], MemoryLog()))
    [payload] = webhook.payloads()
    assert "@everyone" not in payload["title"] + payload["message"]
    # the body is the digest's Markdown, so markup in a title arrives escaped, as in every digest file
    assert "@\u200beveryone look \\<b>here\\</b>" in payload["message"]
