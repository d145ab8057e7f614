"""The health report of a daily run (`pipeline.daily` makes it): for each edition, papers listed vs fetched vs
summarized vs delivered, failures by stage, cost and time, and why there were no papers when there were none.
It is stored (`health_reports`, one row per run with the whole report as JSON, and `health_editions`, one row
per edition linked to its row in `runs`), printed as one line monitors can read, and sent to the ops channel.

The stored shape is `HealthReport.as_json()` (`dailypapers runs --reports --json` prints it), e.g.:

    {"command": "run", "started_at": "...", "finished_at": "...", "ops_error": null, "status": "ok",
     "exit_code": 0, "summary": "status=ok command=run days=2025-05-06 editions=1 listed=23 ...",
     "editions": [{"day": "2025-05-06", "source": "hf", "lang": "ko", "run_id": 17, "listed": 23,
                   "fetched": 23, "summarized": 22, "flagged": 1, "skipped": 0, "failed": 1,
                   "failures_by_stage": {"fetch": 1}, "delivered": 22, "undelivered": 0,
                   "channels": [{"channel": "slack:C0123", "due": 23, "delivered": 23, "failed": 0,
                                 "abandoned": 0, "error": null}],
                   "no_papers": null, "skipped_reason": null, "error": null, "cost": 0.0123,
                   "calls": 23, "unpriced_calls": 0, "tokens": 81234, "seconds": 41.2, "outputs": [...],
                   "publish_errors": []}]}
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from dailypapers.models import RunReport, cost_text


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class ChannelHealth(_Model):
    """What one channel did with an edition in a run (`deliver.deliver` returns one per channel)."""

    channel: str
    due: int = 0  # items due when the run started
    delivered: int = 0  # of them, delivered by this run
    failed: int = 0  # items that failed this run (tried again next run)
    abandoned: int = 0  # items given up this run (too many attempts)
    error: str | None = None  # why the channel stopped early, if it did

    @property
    def ok(self) -> bool:
        return self.error is None and self.failed == 0 and self.abandoned == 0


class EditionHealth(_Model):
    day: dt.date | None
    source: str
    lang: str
    run_id: int | None = None
    listed: int = 0
    fetched: int = 0  # papers whose document was read
    summarized: int = 0  # ok + flagged
    flagged: int = 0
    skipped: int = 0  # skipped by the budget
    failed: int = 0
    failures_by_stage: dict[str, int] = Field(default_factory=dict)
    delivered: int = 0  # papers every channel has delivered (this run or before)
    undelivered: int = 0  # papers with a summary some channel has not delivered yet
    channels: tuple[ChannelHealth, ...] = ()
    no_papers: str | None = None  # why there were none (`explain_no_papers`)
    skipped_reason: str | None = None  # the edition was not run: "done", "budget"
    error: str | None = None  # the edition could not run (the source unreachable, a bad source)
    cost: float = 0.0
    calls: int = 0
    unpriced_calls: int = 0  # calls of a model with no known price (not counted in `cost`)
    tokens: int = 0
    seconds: float = 0.0
    outputs: tuple[str, ...] = ()
    publish_errors: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return (self.error is None and self.failed == 0 and not self.publish_errors
                and all(c.ok for c in self.channels))

    def stored_row(self) -> dict[str, object]:
        return {"run_id": self.run_id, "day": self.day.isoformat() if self.day else None, "source": self.source,
                "lang": self.lang, "listed": self.listed, "fetched": self.fetched, "summarized": self.summarized,
                "delivered": self.delivered, "undelivered": self.undelivered, "no_papers": self.no_papers,
                "skipped": self.skipped_reason}


def edition_health(
    report: RunReport, *, listed: int, delivered: int, undelivered: int,
    channels: Sequence[ChannelHealth] = (), no_papers: str | None = None,
) -> EditionHealth:
    counts = report.counts()
    failures = report.failures_by_stage()
    unread = sum(n for stage, n in failures.items() if stage in ("list", "fetch", "read"))
    return EditionHealth(
        day=report.day, source=report.source, lang=report.lang, run_id=report.run_id, listed=listed,
        fetched=listed - unread, summarized=counts["ok"] + counts["flagged"], flagged=counts["flagged"],
        skipped=counts["skipped"], failed=counts["failed"], failures_by_stage=failures, delivered=delivered,
        undelivered=undelivered, channels=tuple(channels), no_papers=no_papers,
        cost=report.usage.cost, calls=report.usage.calls, unpriced_calls=report.usage.unpriced_calls,
        tokens=report.usage.total_tokens,
        seconds=round(report.wall_seconds, 3), outputs=report.outputs, publish_errors=report.publish_errors,
    )


def explain_no_papers(day: dt.date | None, *, unreachable: str | None = None) -> str:
    """Why an edition had no papers: the source could not be asked, no list is published that day, or the
    source answered with an empty list."""
    if unreachable is not None:
        return f"unreachable: {unreachable}"
    if day is not None and day.weekday() >= 5:
        return f"no list on weekends ({day:%A}): Hugging Face and arXiv publish none"
    if day is None:
        return "empty answer: the source has no latest day to list"
    return "empty answer: the source listed no papers (a holiday, or the day's list is not out yet)"


class HealthReport(_Model):
    command: str
    started_at: dt.datetime
    finished_at: dt.datetime
    editions: tuple[EditionHealth, ...] = ()
    ops_error: str | None = None  # the report could not be sent to the ops channel

    @property
    def exit_code(self) -> int:
        return 0 if all(e.ok for e in self.editions) else 1

    @property
    def status(self) -> Literal["ok", "failed"]:
        return "ok" if self.exit_code == 0 else "failed"

    @property
    def seconds(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()

    def total(self, field: str) -> int:
        return sum(getattr(e, field) for e in self.editions)

    @property
    def cost(self) -> float:
        return sum(e.cost for e in self.editions)

    def summary(self) -> str:
        """One logfmt line for monitors: `status=ok editions=2 listed=46 ... seconds=41.2`."""
        days = sorted({e.day.isoformat() for e in self.editions if e.day})
        span = (days[0] if len(days) == 1 else f"{days[0]}..{days[-1]}") if days else "latest"
        fields = [f"status={self.status}", f"command={self.command}", f"days={span}",
                  f"editions={len(self.editions)}"]
        fields += [f"{f}={self.total(f)}" for f in ("listed", "fetched", "summarized", "flagged", "failed",
                                                     "skipped", "delivered", "undelivered")]
        channel_errors = sum(1 for e in self.editions for c in e.channels if not c.ok)
        fields += [f"channel_errors={channel_errors}",
                   f"done_before={sum(1 for e in self.editions if e.skipped_reason == 'done')}",
                   f"no_papers={sum(1 for e in self.editions if e.no_papers)}",
                   f"cost={self.cost:.4f}", f"seconds={self.seconds:.1f}"]
        return " ".join(fields)

    def text(self) -> str:
        """The report as plain lines (the ops message, the end of `dailypapers run`)."""
        lines = [self.summary()]
        for e in self.editions:
            where = f"{e.day or 'latest'} {e.source} {e.lang}"
            if e.skipped_reason:
                lines.append(f"{where}: not run ({e.skipped_reason})")
                continue
            if e.error:
                lines.append(f"{where}: failed: {e.error}")
                continue
            if e.no_papers:
                lines.append(f"{where}: no papers: {e.no_papers}")
                continue
            stages = ", ".join(f"{k} {v}" for k, v in e.failures_by_stage.items()) or "none"
            lines.append(f"{where}: listed {e.listed}, fetched {e.fetched}, summarized {e.summarized} "
                         f"({e.flagged} flagged), delivered {e.delivered}, undelivered {e.undelivered}; "
                         f"failures by stage: {stages}; {cost_text(e.cost, e.calls, e.unpriced_calls)}, "
                         f"{e.seconds:.1f} s")
            for c in e.channels:
                if not c.ok:
                    lines.append(f"  {c.channel}: {c.delivered}/{c.due} delivered, {c.failed} failed"
                                 + (f", {c.abandoned} given up" if c.abandoned else "")
                                 + (f": {c.error}" if c.error else ""))
            lines.extend(f"  not published: {p}" for p in e.publish_errors)
        if self.ops_error:
            lines.append(f"ops channel: {self.ops_error}")
        return "\n".join(lines)

    def as_json(self) -> dict[str, object]:
        """The stored shape: the fields, plus status, exit_code and summary."""
        return {**self.model_dump(mode="json"), "status": self.status, "exit_code": self.exit_code,
                "summary": self.summary()}

    def stored(self) -> dict[str, object]:
        """The `health_reports` row."""
        return {"command": self.command, "started_at": self.started_at.isoformat(timespec="seconds"),
                "finished_at": self.finished_at.isoformat(timespec="seconds"), "status": self.status,
                "exit_code": self.exit_code, "summary": self.summary(),
                "report": json.dumps(self.as_json(), ensure_ascii=False)}
