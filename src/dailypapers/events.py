"""Typed events a run emits. Progress displays, notifications and live views subscribe to them instead of
being called by name from the pipeline.

    RunStarted   the papers of a run are known
    StageDone    a paper left a stage (done, or stopped there): fetch, summarize, verify
    PaperDone    a paper's outcome is final
    Notice       something the user should know that is not a paper's outcome (a source's warning)
    Waiting      a request waits its turn at a polite endpoint (arXiv's rules) for this many seconds
    Published    a publisher wrote an output
    Delivered    a notifier's channel delivered one message of an edition (item "" is the edition's own message)
    RunDone      the run report, as stored (`RunReport.run_id` set)

A subscriber is a plain callable. One that raises is logged and kept: a broken display never stops a run.
A notice nobody subscribed to goes to the `dailypapers.events` log, so a library caller still sees it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from dailypapers.models import Edition, Outcome, Paper, RunReport

ProgressStage = Literal["fetch", "summarize", "verify"]
PROGRESS_STAGES: tuple[ProgressStage, ...] = ("fetch", "summarize", "verify")

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunStarted:
    command: str
    day: dt.date
    source: str
    lang: str
    papers: tuple[Paper, ...]


@dataclass(frozen=True)
class StageDone:
    stage: ProgressStage
    paper_id: str


@dataclass(frozen=True)
class PaperDone:
    outcome: Outcome


@dataclass(frozen=True)
class Notice:
    message: str


@dataclass(frozen=True)
class Waiting:
    endpoint: str
    seconds: float


@dataclass(frozen=True)
class Published:
    publisher: str
    target: str


@dataclass(frozen=True)
class Delivered:
    channel: str
    edition: Edition
    item: str
    external_id: str | None = None


@dataclass(frozen=True)
class RunDone:
    report: RunReport


Event = RunStarted | StageDone | PaperDone | Notice | Waiting | Published | Delivered | RunDone
Subscriber = Callable[[Event], None]


class Events:
    """The subscribers of one run (or of one caller's runs)."""

    def __init__(self, *subscribers: Subscriber) -> None:
        self._subscribers: list[Subscriber] = list(subscribers)
        self._redact: Callable[[str], str] = str

    def redacting(self, redact: Callable[[str], str]) -> Events:
        """The same subscribers, with every notice passed through `redact` first (`Settings.redactor()`: a
        notice may quote a server's answer or an URL, and must not carry a secret to a terminal or a log)."""
        twin = Events()
        twin._subscribers = self._subscribers  # one list: a subscriber added to either reaches both
        twin._redact = redact
        return twin

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Add a subscriber; returns the function that removes it again."""
        self._subscribers.append(subscriber)
        return lambda: self._subscribers.remove(subscriber)

    def emit(self, event: Event) -> None:
        for subscriber in list(self._subscribers):
            try:
                subscriber(event)
            except Exception:
                _log.exception("event subscriber %r failed on %s", subscriber, type(event).__name__)

    def notice(self, message: str) -> None:
        """Tell the subscribers; with none (a library caller that did not ask), the log."""
        message = self._redact(message)
        if self._subscribers:
            self.emit(Notice(message))
        else:
            _log.warning("%s", message)
