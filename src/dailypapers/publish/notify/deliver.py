"""The delivery driver: for one stored edition, what is due on each channel, and the ledger that records it.

Exactly once per (edition, channel, item): an item is due until the ledger says `delivered` (or `abandoned`
after `delivery_max_attempts` tries). Each message is written `pending` before it is sent and `delivered`
(with the channel's id of it) right after, each in its own transaction, so a run killed at any point loses at
most the knowledge of the one message in flight; the channel then looks for that message before sending it
again (Slack finds it by the metadata it carries; see `slack.py`).

Channels run concurrently and alone: one that raises — `ChannelDown` or a bug — is reported and the others
go on; whatever it did not send stays due for the next run. Delivery never touches the digest: it runs after
the digest and the run report are stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from dailypapers.events import Delivered, Events
from dailypapers.health import ChannelHealth
from dailypapers.models import Edition
from dailypapers.publish.base import HEADER, Channel, ChannelDown, LedgerRow
from dailypapers.publish.notify.messages import MessageEdition
from dailypapers.store import Store
from dailypapers.text import clip

MAX_ERROR = 300
DONE_STATES = ("delivered", "abandoned")


def due_items(view: MessageEdition, rows: dict[str, LedgerRow]) -> list[str]:
    """What still has to go out on a channel: the edition's own message, then each paper with a summary, in
    rank order, that the ledger does not hold as delivered or abandoned. A paper without a summary (failed
    this time) waits for a run that summarizes it; with no paper to show, nothing is due at all."""
    papers = [p.paper_id for p in view.papers if p.has_summary]
    if not papers:
        return []
    items = [HEADER, *papers]
    return [i for i in items if i not in rows or rows[i].status not in DONE_STATES]


def _ledger_row(r: dict[str, Any]) -> LedgerRow:
    return LedgerRow(item=r["item"], status=r["status"], external_id=r["external_id"], thread_id=r["thread_id"],
                     attempts=r["attempts"], updated_at=r["updated_at"])


def ledger(store: Store, edition: Edition, channel: str) -> dict[str, LedgerRow]:
    """The ledger of one (edition, channel) as it is stored: item -> row."""
    return {row.item: row for row in map(_ledger_row, store.deliveries(edition, channel))}


class StoreLog:
    """The `DeliveryLog` of one (edition, channel), written through the store. The ledger is read once; each
    write commits at once and keeps the copy here as the store has it."""

    def __init__(self, store: Store, edition: Edition, channel: str, events: Events) -> None:
        self.store, self.edition, self.channel, self.events = store, edition, channel, events
        self.delivered_now: list[str] = []
        self.failed_now: list[str] = []
        self._rows = ledger(store, edition, channel)

    def rows(self) -> dict[str, LedgerRow]:
        return dict(self._rows)

    def get(self, item: str) -> LedgerRow | None:
        return self._rows.get(item)

    def _record(self, item: str, status: str, **kw: str | None) -> None:
        self._rows[item] = _ledger_row(self.store.record_delivery(self.edition, self.channel, item, status, **kw))

    def started(self, item: str) -> None:
        self._record(item, "pending")

    def delivered(self, item: str, external_id: str | None = None, thread_id: str | None = None) -> None:
        self._record(item, "delivered", external_id=external_id, thread_id=thread_id)
        self.delivered_now.append(item)
        self.events.emit(Delivered(self.channel, self.edition, item, external_id))

    def failed(self, item: str, error: str) -> None:
        self._record(item, "failed", error=clip(error, MAX_ERROR))
        self.failed_now.append(item)

    def abandoned(self, item: str, error: str) -> None:
        self._record(item, "abandoned", error=clip(error, MAX_ERROR))

    def notice(self, message: str) -> None:
        self.events.notice(f"{self.channel}: {message}")


@asynccontextmanager
async def delivery_lock(store: Store) -> AsyncIterator[None]:
    """One deliverer per archive at a time: two runs that overlap (a slow cron run and the next one) would both
    see the same messages due. The second waits here for the first (an advisory lock on `<db>.deliver.lock`,
    released by the system if the holder dies) and then finds nothing due."""
    if store.path is None:
        yield
        return
    import fcntl

    lock_path = store.path.with_name(store.path.name + ".deliver.lock")
    with open(lock_path, "a+b") as fh:
        await asyncio.to_thread(fcntl.flock, fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


async def deliver(
    view: MessageEdition, channels: Sequence[Channel], store: Store, *, max_attempts: int, events: Events,
) -> list[ChannelHealth]:
    """Send what is due of this edition on every channel (holding the archive's delivery lock); what each
    channel did."""
    if not channels:
        return []
    async with delivery_lock(store):
        return await _deliver(view, channels, store, max_attempts=max_attempts, events=events)


async def _deliver(
    view: MessageEdition, channels: Sequence[Channel], store: Store, *, max_attempts: int, events: Events,
) -> list[ChannelHealth]:

    async def one(channel: Channel) -> ChannelHealth:
        log = StoreLog(store, view.ledger_edition, channel.id, events)
        abandoned = _abandon(log, max_attempts)
        due = due_items(view, log.rows())
        if not due:
            return ChannelHealth(channel=channel.id, abandoned=abandoned)
        error = None
        try:
            await channel.send(view, due, log)
        except ChannelDown as exc:
            error = clip(str(exc), MAX_ERROR)
        except Exception as exc:  # a plug-in's bug: this channel stops, the others and the run go on
            error = clip(f"unexpected error: {type(exc).__name__}: {exc}", MAX_ERROR)
        if error is not None:
            log.notice(f"not delivered: {error} (the next run resumes)")
        return ChannelHealth(channel=channel.id, due=len(due), delivered=len(log.delivered_now),
                             failed=len(set(log.failed_now)), abandoned=abandoned, error=error)

    return list(await asyncio.gather(*(one(c) for c in channels)))


def _abandon(log: StoreLog, max_attempts: int) -> int:
    """Papers whose message failed (or was left pending) `max_attempts` times are given up, once, with a
    notice; how many. The edition's own message never is: its failure is the channel's, and the thread needs
    it."""
    given_up = 0
    for item, row in log.rows().items():
        if item != HEADER and row.status in ("failed", "pending") and row.attempts >= max_attempts:
            log.abandoned(item, f"given up after {row.attempts} attempts")
            log.notice(f"gave up on {item} after {row.attempts} attempts")
            given_up += 1
    return given_up
