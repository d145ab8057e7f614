"""The progress display every long command shows on stderr, only on a terminal: a bar per stage (fetch,
summarize, verify) fed by the run's events, the arXiv politeness waits, and a status line in between.

A pipe, a log file or a cron job gets nothing from it: their output stays the report and the warnings."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from dailypapers.cli._common import err_console

if TYPE_CHECKING:
    from rich.progress import Progress
    from rich.status import Status

    from dailypapers.events import Event, ProgressStage


class StageProgress:
    """Fed by a run's events: a bar per stage once a run's papers are known (`RunStarted`, again for each
    edition of a daily run), advanced by `StageDone`; `Waiting` shows the polite waits. `label` puts the
    edition before each stage's name (a daily run makes several)."""

    def __init__(self, *, quiet: bool = False, label: bool = False,
                 status: str = "fetching the list of papers…") -> None:
        self.enabled = not quiet and err_console.is_terminal
        self.label = label
        self.tasks: dict[str, int] = {}
        self.waiting: int | None = None
        self.live = False
        self.progress: Progress | None = None  # None: nothing is shown, and rich.progress is not loaded
        self.status: Status | None = None
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(
                TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=err_console.made(), transient=True,  # type: ignore[attr-defined]
            )
            self.status = err_console.status(status)

    def __enter__(self) -> StageProgress:
        if self.status is not None:
            self.status.start()
        return self

    def stages(self, total: int, stages: Sequence[ProgressStage], *, title: str = "") -> None:
        """Bars for these stages, `total` papers each (replacing the bars of an earlier edition)."""
        if self.progress is None or self.status is None:
            return
        self.status.stop()
        for task in [*self.tasks.values(), *([self.waiting] if self.waiting is not None else [])]:
            self.progress.remove_task(task)
        self.tasks, self.waiting = {}, None
        for stage in stages:
            self.tasks[stage] = self.progress.add_task(f"{title}  {stage}" if title else stage, total=total)
        if not self.live:
            self.progress.start()
            self.live = True

    def advance(self, stage: str) -> None:
        if self.progress is not None and stage in self.tasks:
            self.progress.advance(self.tasks[stage])

    def __call__(self, event: Event) -> None:
        from dailypapers.events import PROGRESS_STAGES, RunStarted, StageDone, Waiting

        if self.progress is None or self.status is None:
            return
        if isinstance(event, RunStarted):
            title = f"{event.day} {event.source} {event.lang}" if self.label else ""
            self.stages(len(event.papers), PROGRESS_STAGES, title=title)
        elif isinstance(event, StageDone):
            self.advance(event.stage)
        elif isinstance(event, Waiting):
            note = f"waiting for {event.endpoint}: {event.seconds:.0f} s"
            if not self.tasks:
                self.status.update(note)
            elif self.waiting is None:
                self.waiting = self.progress.add_task(note, total=None)
            else:
                self.progress.update(self.waiting, description=note)

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None and self.status is not None:
            self.status.stop()
            self.progress.stop()


class Throughput:
    """A long run's rate line, fed by its events: papers per minute, cost so far, and an ETA from the editions
    left (`editions`: how many the run makes; one already done counts as made when the next is)."""

    def __init__(self, editions: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.editions, self.clock = editions, clock
        self.started = clock()
        self.papers = 0
        self.made = 0
        self.cost = 0.0
        self.tokens = 0

    def __call__(self, event: Event) -> None:
        from dailypapers.events import PaperDone, RunDone

        if isinstance(event, PaperDone):
            self.papers += 1
        elif isinstance(event, RunDone):
            self.made += 1
            self.cost += event.report.usage.cost
            self.tokens += event.report.usage.total_tokens

    def line(self) -> str:
        minutes = max(self.clock() - self.started, 1e-9) / 60
        rate = self.papers / minutes
        eta = "ETA –"
        if 0 < self.made < self.editions:
            left = minutes * (self.editions - self.made) / self.made
            eta = f"ETA {left:.0f} min" if left >= 1 else f"ETA {left * 60:.0f} s"
        elif self.made >= self.editions:
            eta = "done"
        return (f"{self.papers} papers, {rate:.1f}/min · ${self.cost:.4f}, {self.tokens:,} tokens so far · "
                f"{self.made}/{self.editions} editions · {eta}")


class BackfillProgress(StageProgress):
    """`StageProgress` with the rate line (`Throughput`) under the bars."""

    def __init__(self, editions: int) -> None:
        super().__init__(label=True)
        self.rate = Throughput(editions)
        self.line: int | None = None

    def __call__(self, event: Event) -> None:
        from dailypapers.events import PaperDone, RunDone, RunStarted

        super().__call__(event)
        self.rate(event)
        if self.progress is None:
            return
        if isinstance(event, RunStarted):  # the bars were made anew: the line goes under them again
            if self.line is not None:
                self.progress.remove_task(self.line)
            self.line = self.progress.add_task(self.rate.line(), total=None)
        elif self.line is not None and isinstance(event, PaperDone | RunDone):
            self.progress.update(self.line, description=self.rate.line())
