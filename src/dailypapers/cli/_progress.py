"""The progress display every long command shows on stderr, only on a terminal: a bar per stage (fetch,
summarize, verify) fed by the run's events, the arXiv politeness waits, and a status line in between.

A pipe, a log file or a cron job gets nothing from it: their output stays the report and the warnings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from dailypapers.cli._common import err_console

if TYPE_CHECKING:
    from dailypapers.events import Event, ProgressStage


class StageProgress:
    """Fed by a run's events: a bar per stage once a run's papers are known (`RunStarted`, again for each
    edition of a daily run), advanced by `StageDone`; `Waiting` shows the polite waits. `label` puts the
    edition before each stage's name (a daily run makes several)."""

    def __init__(self, *, quiet: bool = False, label: bool = False,
                 status: str = "fetching the list of papers…") -> None:
        self.enabled = not quiet and err_console.is_terminal
        self.label = label
        self.progress = Progress(
            TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=err_console, transient=True, disable=not self.enabled,
        )
        self.tasks: dict[str, int] = {}
        self.waiting: int | None = None
        self.status = err_console.status(status)
        self.live = False

    def __enter__(self) -> StageProgress:
        if self.enabled:
            self.status.start()
        return self

    def stages(self, total: int, stages: Sequence[ProgressStage], *, title: str = "") -> None:
        """Bars for these stages, `total` papers each (replacing the bars of an earlier edition)."""
        self.status.stop()
        for task in [*self.tasks.values(), *([self.waiting] if self.waiting is not None else [])]:
            self.progress.remove_task(task)
        self.tasks, self.waiting = {}, None
        for stage in stages:
            self.tasks[stage] = self.progress.add_task(f"{title}  {stage}" if title else stage, total=total)
        if self.enabled and not self.live:
            self.progress.start()
            self.live = True

    def advance(self, stage: str) -> None:
        if stage in self.tasks:
            self.progress.advance(self.tasks[stage])

    def __call__(self, event: Event) -> None:
        from dailypapers.events import PROGRESS_STAGES, RunStarted, StageDone, Waiting

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
        self.status.stop()
        self.progress.stop()
