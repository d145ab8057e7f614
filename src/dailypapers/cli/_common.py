"""What every command shares: the global options, settings, the store, and the error boundary."""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console

from dailypapers.config import Settings, load_settings
from dailypapers.errors import DailyPapersError, InputError
from dailypapers.store import Store
from dailypapers.text import one_line, strip_controls

P = ParamSpec("P")
R = TypeVar("R")

# emoji=False: ":x:" in a title or a file line is text, not an emoji code
console = Console(emoji=False)
err_console = Console(stderr=True, emoji=False)


@dataclass
class State:
    """Global options, kept on the Typer context."""

    db: Path | None = None
    config: Path | None = None

    def settings(self, **flags: Any) -> Settings:
        return load_settings(self.config, db=self.db, **flags)

    def store(self, settings: Settings | None = None, *, readonly: bool = False) -> Store:
        return Store((settings or self.settings()).db, readonly=readonly)


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    if not isinstance(obj, State):
        obj = State()
        ctx.find_root().obj = obj
    return obj


def errors(fn: Callable[P, R]) -> Callable[P, R]:
    """The error boundary: a DailyPapersError becomes one line on stderr and its exit code, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except DailyPapersError as exc:
            err_console.print(f"[bold red]error:[/] {_one_line(str(exc))}", highlight=False, markup=True,
                              soft_wrap=True)  # one line, however narrow the terminal
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err_console.print("interrupted")
            raise typer.Exit(130) from None

    return wrapper


def _one_line(msg: str) -> str:
    from rich.markup import escape

    return escape(one_line(strip_controls(msg)))


def parse_day(value: str | None, *, default_today: bool = False) -> dt.date | None:
    """A YYYY-MM-DD date from the command line; `today` and `yesterday` are accepted too."""
    if value is None:
        return dt.date.today() if default_today else None
    v = value.strip().lower()
    if v == "today":
        return dt.date.today()
    if v == "yesterday":
        return dt.date.today() - dt.timedelta(days=1)
    try:
        return dt.date.fromisoformat(v)
    except ValueError:
        raise InputError(f"bad date {value!r}: use YYYY-MM-DD, e.g. 2025-05-06") from None


def warn(message: str) -> None:
    """A warning on stderr; Text(), not markup, because messages quote ids and server answers."""
    from rich.text import Text

    err_console.print(Text(f"warning: {strip_controls(message)}", style="yellow"))


def write_stdout(text: str) -> None:
    """Print text exactly (no rich wrapping or markup), as `render` must be byte-exact."""
    sys.stdout.write(text)
    sys.stdout.flush()
