"""The pieces of the daily run that are not the digest: the configured channels, when an edition is done,
its delivery and health figures, and the ops message. `api.run` is the loop that uses them."""

from __future__ import annotations

from collections.abc import Sequence

from dailypapers.config import Settings
from dailypapers.models import Digest, Edition
from dailypapers.plugins import Registry
from dailypapers.publish.base import Channel
from dailypapers.publish.notify.deliver import DONE_STATES, due_items, ledger
from dailypapers.publish.notify.health import HealthReport
from dailypapers.publish.notify.views import EditionView, edition_view
from dailypapers.store import Store
from dailypapers.text import clip


def channels(registry: Registry, settings: Settings) -> list[Channel]:
    """Every channel the `notifiers` setting turns on; a bad setting is a ConfigError before any work."""
    out: list[Channel] = []
    for name in settings.notifiers:
        out.extend(registry.notifier(name).channels(settings))
    return out


def view_of(digest: Digest, settings: Settings) -> EditionView:
    return edition_view(digest, site_url=settings.site_url, show_flags=settings.show_flags)


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
    view = view_of(digest, settings)
    return all(not due_items(view, ledger(store, edition, c.id)) for c in chans)


def delivery_counts(store: Store, view: EditionView, chans: Sequence[Channel]) -> tuple[int, int]:
    """(papers every channel has delivered, papers with a summary some channel has not) for the edition."""
    if not chans:
        return 0, 0
    status = {c.id: {item: row.status for item, row in ledger(store, view.edition, c.id).items()} for c in chans}
    summarized = [p.paper_id for p in view.papers if p.has_summary]
    delivered = [p for p in summarized if all(status[c.id].get(p) == "delivered" for c in chans)]
    pending = [p for p in summarized if any(status[c.id].get(p) not in DONE_STATES for c in chans)]
    return len(delivered), len(pending)


async def send_ops(report: HealthReport, settings: Settings) -> str | None:
    """The health report to the ops channel(s), if any are set; the problem, or None."""
    from dailypapers.publish.base import ChannelDown

    text = report.text()
    title = f"dailypapers {report.command}: {report.status}"
    problems = []
    for url in settings.ops_urls:
        from dailypapers.publish.notify.apprise import AppriseChannel

        ops = AppriseChannel(url.get_secret_value())
        try:
            if not await ops.notify(title, "```\n" + text + "\n```"):
                problems.append(f"{ops.scheme}:// notification failed")
        except ChannelDown as exc:
            problems.append(str(exc))
    if settings.ops_slack_channel and settings.slack_token is not None:
        from dailypapers.publish.notify.slack import SlackChannel, escape

        slack = SlackChannel(token=settings.slack_token.get_secret_value(), channel=settings.ops_slack_channel,
                             base_url=settings.slack_base_url, timeout=settings.http_timeout,
                             max_wait=settings.slack_max_retry_wait)
        try:
            await slack.post({"text": clip(f"*{escape(title)}*", 200) + "\n```" + escape(text)[:2800] + "```"})
        except ChannelDown as exc:
            problems.append(str(exc))
    return "; ".join(problems) or None
