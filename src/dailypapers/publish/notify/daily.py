"""The pieces of the daily run that are not the digest: the configured channels, when an edition is done,
its delivery figures, and the ops message. `pipeline.daily` is the loop that uses them (through `api`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from dailypapers.config import Settings
from dailypapers.errors import ConfigError
from dailypapers.health import HealthReport
from dailypapers.models import Digest, Edition
from dailypapers.publish.base import Channel, ChannelDown, Notifier
from dailypapers.publish.notify.deliver import DONE_STATES, due_items, ledger
from dailypapers.publish.notify.messages import MessageEdition, message_edition
from dailypapers.store import Store
from dailypapers.text import clip

if TYPE_CHECKING:
    from dailypapers.publish.notify.apprise import AppriseChannel
    from dailypapers.publish.notify.slack import SlackChannel


def channels(notifiers: Sequence[Notifier], settings: Settings) -> list[Channel]:
    """Every channel of these notifiers (those the `notifiers` setting names) that the settings configure; a
    bad setting is a ConfigError before any work."""
    return [channel for notifier in notifiers for channel in notifier.channels(settings)]


def message_of(digest: Digest, settings: Settings) -> MessageEdition:
    return message_edition(digest, site_url=settings.site_url, show_flags=settings.show_flags)


def paper_done(store: Store, edition: Edition, digest: Digest) -> dict[str, bool]:
    """paper id -> whether it is done: its latest outcome is ok or flagged (an imported entry, which has no
    run, is done when it has a summary)."""
    latest = store.latest_outcomes(edition)
    out = {}
    for e in digest.entries:
        outcome = latest.get(e.paper.id)
        out[e.paper.id] = outcome.status in ("ok", "flagged") if outcome else e.summary is not None
    return out


def edition_done(store: Store, edition: Edition, settings: Settings, chans: Sequence[Channel]) -> bool:
    """An edition is done when its digest is stored, every paper in it is ok or flagged, and no channel has
    anything due (every item delivered or given up). A backfill skips done editions."""
    digest = store.get_digest(edition)
    if digest is None or not digest.entries or not all(paper_done(store, edition, digest).values()):
        return False
    view = message_of(digest, settings)
    return all(not due_items(view, ledger(store, edition, c.id)) for c in chans)


def delivery_counts(store: Store, view: MessageEdition, chans: Sequence[Channel]) -> tuple[int, int]:
    """(papers every channel has delivered, papers with a summary some channel has not) for the edition."""
    if not chans:
        return 0, 0
    status = {c.id: {item: row.status for item, row in ledger(store, view.ledger_edition, c.id).items()} for c in chans}
    summarized = [p.paper_id for p in view.papers if p.has_summary]
    delivered = [p for p in summarized if all(status[c.id].get(p) == "delivered" for c in chans)]
    pending = [p for p in summarized if any(status[c.id].get(p) not in DONE_STATES for c in chans)]
    return len(delivered), len(pending)


MAX_OPS_TEXT = 2_800  # of the report in a Slack ops message, before escaping
_FENCE = "```"


def ops_targets(settings: Settings) -> list[AppriseChannel | SlackChannel]:
    """Where the health report goes (`ops_urls`, `ops_slack_channel`); a setting that cannot work is a
    ConfigError before any work, as a bad `apprise_urls` is."""
    from dailypapers.publish.notify.apprise import AppriseChannel, check_url
    from dailypapers.publish.notify.slack import SlackChannel

    out: list[AppriseChannel | SlackChannel] = []
    for url in settings.ops_urls:
        out.append(AppriseChannel(check_url(url.get_secret_value(), "ops_urls")))
    if settings.ops_slack_channel:
        if settings.slack_token is None:
            raise ConfigError("ops_slack_channel needs slack_token (DAILYPAPERS_SLACK_TOKEN) too")
        out.append(SlackChannel.from_settings(settings, settings.ops_slack_channel))
    return out


def ops_slack_message(title: str, text: str) -> dict[str, str]:
    """The report as a Slack message: the title in bold, the report in a code block. Both are cut before they
    are escaped (a cut never splits an entity), and a fence inside the report is broken with a zero-width
    space so it cannot close the block early."""
    from dailypapers.publish.notify.slack import escape

    body = text if len(text) <= MAX_OPS_TEXT else text[: MAX_OPS_TEXT - 1] + "…"
    body = body.replace(_FENCE, "`\u200b`\u200b`")
    return {"text": f"*{escape(clip(title, 200))}*\n{_FENCE}{escape(body)}{_FENCE}"}


async def send_ops(report: HealthReport, targets: Sequence[AppriseChannel | SlackChannel]) -> str | None:
    """The health report to each ops target (`ops_targets`); the problems, or None. Each target is tried
    alone, and nothing one raises escapes: the report is stored whatever the ops channels do."""
    from dailypapers.publish.notify.apprise import AppriseChannel

    text = report.text()
    title = f"dailypapers {report.command}: {report.status}"
    problems = []
    for target in targets:
        try:
            if isinstance(target, AppriseChannel):
                if not await target.notify(title, text):  # apprise's TEXT body: no Markdown fences
                    problems.append(f"{target.scheme}:// notification failed")
            else:
                await target.post(ops_slack_message(title, text))
        except ChannelDown as exc:
            problems.append(str(exc))
        except Exception as exc:  # Slack refusing the message, an apprise plug-in's bug
            problems.append(f"{target.id}: {type(exc).__name__}: {exc}")
    return "; ".join(problems) or None
