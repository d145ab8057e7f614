"""Benchmark (not a test): delivering a 50-paper edition, and what the delivery ledger costs.

Sends the same edition to the stand-in Slack Web API (1 parent + 50 replies) and a JSON webhook through apprise
(51 messages), once recording each message in an in-memory log and once through the archive's ledger (two
committed SQLite transactions per message), and prints messages/s and the ledger's share of the wall time.
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
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / "src"), str(Path(__file__).resolve().parents[1])]

from tests.notify_data import digest  # noqa: E402
from tests.standins.slack import SlackStandIn  # noqa: E402
from tests.standins.webhook import WebhookStandIn  # noqa: E402
from tests.test_notify_slack import MemoryLog  # noqa: E402

from dailypapers.events import Events  # noqa: E402
from dailypapers.publish.base import HEADER  # noqa: E402
from dailypapers.publish.notify.apprise import AppriseChannel  # noqa: E402
from dailypapers.publish.notify.deliver import StoreLog  # noqa: E402
from dailypapers.publish.notify.slack import SlackChannel  # noqa: E402
from dailypapers.publish.notify.views import edition_view  # noqa: E402
from dailypapers.store import Store  # noqa: E402

PAPERS = 50
ROUNDS = 5


def main() -> None:
    view = edition_view(digest(PAPERS))
    due = [HEADER, *(p.paper_id for p in view.papers)]
    with SlackStandIn() as slack, WebhookStandIn() as hook, tempfile.TemporaryDirectory() as tmp:
        def slack_channel() -> SlackChannel:
            return SlackChannel(token="xoxb-standin-token", channel="C0PAPERS", base_url=slack.base_url, timeout=10,
                                max_wait=10)

        def hook_channel() -> AppriseChannel:
            return AppriseChannel(hook.apprise_url())

        for name, make in (("slack", slack_channel), ("apprise json://", hook_channel)):
            memory, ledger = [], []
            for r in range(ROUNDS):  # interleaved, so drift hits both alike
                t = time.perf_counter()
                asyncio.run(make().send(view, due, MemoryLog()))
                memory.append(time.perf_counter() - t)
                with Store(Path(tmp) / f"{name[:5]}{r}.db") as store:
                    log = StoreLog(store, view.edition, name, Events())
                    t = time.perf_counter()
                    asyncio.run(make().send(view, due, log))
                    ledger.append(time.perf_counter() - t)
            m, s = statistics.median(memory), statistics.median(ledger)
            print(f"{name:16} {len(due)} messages: {len(due) / m:7.1f} msg/s in memory, {len(due) / s:7.1f} msg/s "
                  f"with the ledger; ledger share of wall time {max(0.0, s - m) / s:.1%} "
                  f"({(s - m) / len(due) * 1000:.2f} ms/message)")


if __name__ == "__main__":
    main()
