"""Benchmark (not a test): delivering a 50-paper edition, and what the delivery ledger costs.

Sends the same edition to the stand-in Slack Web API (1 parent + 50 replies) and a JSON webhook through apprise
(51 messages) two ways: the channel alone, recording each message in an in-memory log, and the delivery driver
(`deliver()`: the delivery lock, the ledger read, what is due, and two committed SQLite transactions per message
in a fresh archive). It prints messages/s and the ledger's share of the wall time. The rounds are interleaved and
alternate which way goes first, and the stand-ins forget what they received between runs, so neither way pays
for the other's history or for coming second.
There is no target: the network and Slack's rate limits (about one message per second per channel) dominate
any real run; this shows the ledger is not what a run waits on.
Run: .venv/bin/python bench/deliver.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / "src"), str(Path(__file__).resolve().parents[1])]

from tests.notify_data import digest  # noqa: E402
from tests.standins.base import StandIn  # noqa: E402
from tests.standins.slack import SlackStandIn  # noqa: E402
from tests.standins.webhook import WebhookStandIn  # noqa: E402
from tests.test_notify_slack import MemoryLog  # noqa: E402

from dailypapers.events import Events  # noqa: E402
from dailypapers.publish.base import HEADER, Channel  # noqa: E402
from dailypapers.publish.notify.apprise import AppriseChannel  # noqa: E402
from dailypapers.publish.notify.deliver import deliver  # noqa: E402
from dailypapers.publish.notify.messages import MessageEdition, message_edition  # noqa: E402
from dailypapers.publish.notify.slack import SlackChannel  # noqa: E402
from dailypapers.store import Store  # noqa: E402

PAPERS = 50
ROUNDS = 7


def _reset(standin: StandIn) -> None:
    """The stand-in as new: what it received so far would slow down the next run's lookups."""
    with standin._lock:
        standin.requests.clear()
    if isinstance(standin, SlackStandIn):
        standin.posted.clear()


def _in_memory(view: MessageEdition, make: Callable[[], Channel], due: list[str]) -> float:
    t = time.perf_counter()
    asyncio.run(make().send(view, due, MemoryLog()))
    return time.perf_counter() - t


def _with_ledger(view: MessageEdition, make: Callable[[], Channel], db: Path) -> float:
    with Store(db) as store:
        t = time.perf_counter()
        [result] = asyncio.run(deliver(view, [make()], store, max_attempts=5, events=Events()))
        seconds = time.perf_counter() - t
    assert result.error is None and result.delivered == result.due, result
    return seconds


def main() -> None:
    view = message_edition(digest(PAPERS))
    due = [HEADER, *(p.paper_id for p in view.papers)]
    with SlackStandIn() as slack, WebhookStandIn() as hook, tempfile.TemporaryDirectory() as tmp:
        def slack_channel() -> Channel:
            return SlackChannel(token="xoxb-standin-token", channel="C0PAPERS", base_url=slack.base_url, timeout=10,
                                max_wait=10)

        def hook_channel() -> Channel:
            return AppriseChannel(hook.apprise_url())

        targets: list[tuple[str, Callable[[], Channel], StandIn]] = [
            ("slack", slack_channel, slack), ("apprise json://", hook_channel, hook)]
        for name, make, standin in targets:
            memory, ledger = [], []
            for r in range(ROUNDS):  # interleaved, each way first in every other round
                for way in ("memory", "ledger") if r % 2 == 0 else ("ledger", "memory"):
                    _reset(standin)
                    if way == "memory":
                        memory.append(_in_memory(view, make, due))
                    else:
                        ledger.append(_with_ledger(view, make, Path(tmp) / f"{name[:5]}{r}.db"))
            m, s = statistics.median(memory), statistics.median(ledger)
            print(f"{name:16} {len(due)} messages: {len(due) / m:7.1f} msg/s in memory, {len(due) / s:7.1f} msg/s "
                  f"through deliver() and the ledger; ledger share of wall time {max(0.0, s - m) / s:.1%} "
                  f"({(s - m) / len(due) * 1000:.2f} ms/message)")


if __name__ == "__main__":
    main()
