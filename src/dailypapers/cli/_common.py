"""What every command shares: the global options, settings, the store, and the error boundary."""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import logging
import os
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer

from dailypapers.errors import DailyPapersError, InputError, StoreError
from dailypapers.redaction import NO_REDACTION, Redactor
from dailypapers.text import one_line, strip_controls

if TYPE_CHECKING:  # settings (pydantic-settings) and the store (sqlite-utils) load when a command uses them
    from rich.console import Console
    from rich.text import Text

    from dailypapers.config import Settings
    from dailypapers.store import Store

P = ParamSpec("P")
R = TypeVar("R")


class _Console:
    """rich's Console, made when first used: a command that prints nothing through it (`render`, `--json`)
    loads no rich. Made again for each command run (`fresh`): rich reads the terminal's width from COLUMNS
    when it makes a console, and each command (several in one process, as tests run them) takes its own."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def fresh(self) -> None:
        self._console = None

    def made(self) -> Console:
        """The Console itself, for what takes one (rich's progress display uses it as a context manager)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    @property
    def is_terminal(self) -> bool:
        """rich's `Console.is_terminal`, without loading rich when its rules plainly say no (a daily job's
        output to a file or a pipe): TTY_COMPATIBLE=0, or no TTY with neither TTY_COMPATIBLE=1 nor FORCE_COLOR
        set. Any other case is rich's to decide."""
        if self._console is None and not {"file", "force_terminal"} & self._options.keys():
            compatible = os.environ.get("TTY_COMPATIBLE", "")
            if compatible == "0" or (compatible != "1" and "FORCE_COLOR" not in os.environ
                                     and not _isatty(sys.stderr if self._options.get("stderr") else sys.stdout)):
                return False
        return bool(self.made().is_terminal)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.made(), name)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no such method, or a closed stream: as rich takes it
        return False


# emoji=False: ":x:" in a title or a file line is text, not an emoji code
console: Console = _Console(emoji=False)  # type: ignore[assignment]
err_console: Console = _Console(stderr=True, emoji=False)  # type: ignore[assignment]
# The secrets of the settings the command loaded (`State.settings`): everything this process prints passes
# through it (`safe`, `warn`, the error line, `write_stdout`), as a command is one process at the edge.
_redact: Redactor = NO_REDACTION


def redact(text: str) -> str:
    """`text` without the loaded settings' secrets."""
    return _redact(text)


@dataclass
class State:
    """Global options, kept on the Typer context (given before or after the command name)."""

    db: Path | None = None
    config: Path | None = None

    def given(self, db: Path | None, config: Path | None) -> None:
        """The command's own --db/--config win over the ones before the command name."""
        self.db = db or self.db
        self.config = config or self.config

    def settings(self, **flags: Any) -> Settings:
        global _redact
        from dailypapers.config import load_settings

        settings = load_settings(self.config, db=self.db, **flags)
        _redact = settings.redactor()
        return settings

    def store(self, settings: Settings | None = None, *, readonly: bool = False) -> Store:
        from dailypapers.store import Store

        return Store.of(settings or self.settings(), readonly=readonly)


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    if not isinstance(obj, State):
        obj = State()
        ctx.find_root().obj = obj
    return obj


DbOption = Annotated[
    Path | None,
    typer.Option("--db", envvar="DAILYPAPERS_DB", help="SQLite database (default: in the user data dir)."),
]
ConfigOption = Annotated[Path | None, typer.Option("--config", envvar="DAILYPAPERS_CONFIG", help="TOML settings file.")]


def archive_options(fn: Callable[..., R]) -> Callable[..., R]:
    """Give a command its own --db and --config, so `dailypapers days --db X` works as `--db X days` does.
    The command must take `ctx: typer.Context`."""

    @functools.wraps(fn)
    def wrapper(*args: Any, db: Path | None = None, config: Path | None = None, **kwargs: Any) -> R:
        ctx = kwargs.get("ctx") or next(a for a in args if isinstance(a, typer.Context))
        state(ctx).given(db, config)
        return fn(*args, **kwargs)

    signature = inspect.signature(fn, eval_str=True)  # typer reads the annotations from this signature
    extra = [inspect.Parameter("db", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=DbOption),
             inspect.Parameter("config", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=ConfigOption)]
    wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*signature.parameters.values(), *extra])
    wrapper.__annotations__ = {**fn.__annotations__, "db": DbOption, "config": ConfigOption}
    return wrapper


def errors(fn: Callable[P, R]) -> Callable[P, R]:
    """The error boundary: a DailyPapersError becomes one line on stderr and its exit code, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except DailyPapersError as exc:
            _error_line(str(exc))
            raise typer.Exit(exc.exit_code) from None
        except sqlite3.DatabaseError as exc:  # a file damaged after it was opened: one line, not a traceback
            _error_line(f"the archive cannot be read ({exc}): restore it from a backup or point --db elsewhere")
            raise typer.Exit(StoreError.exit_code) from None
        except KeyboardInterrupt:
            err_console.print("interrupted")
            raise typer.Exit(130) from None

    return wrapper


def _error_line(message: str) -> None:
    # one line, however narrow the terminal
    err_console.print(f"[bold red]error:[/] {_one_line(redact(message))}", highlight=False, markup=True,
                      soft_wrap=True)


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
    """A warning on stderr, one line however narrow the terminal; Text(), not markup, because messages quote
    ids, file lines and server answers."""
    from rich.text import Text

    err_console.print(Text(f"warning: {strip_controls(redact(message))}", style="yellow"), soft_wrap=True)


def write_stdout(text: str) -> None:
    """Print text exactly (no rich wrapping or markup), as `render` must be byte-exact into a file or a pipe;
    on a terminal, control characters are neutralised (an escape sequence in a title must not drive it)."""
    text = redact(text)
    sys.stdout.write(strip_controls(text) if sys.stdout.isatty() else text)
    sys.stdout.flush()


class _WarningLine(logging.Handler):
    """The library's own warnings (the `dailypapers` loggers: an archive read as immutable, a subscriber that
    failed) as `warning:` lines on stderr, like the command's."""

    def emit(self, record: logging.LogRecord) -> None:
        warn(record.getMessage())


def show_library_warnings() -> None:
    """Once per process: what the library logs at WARNING and above is shown as the command's warnings."""
    logger = logging.getLogger("dailypapers")
    if not any(isinstance(h, _WarningLine) for h in logger.handlers):
        handler = _WarningLine(logging.WARNING)
        logger.addHandler(handler)


def safe(text: str, style: str = "") -> Text:
    """Untrusted text for the terminal: no markup, no control characters, no secret."""
    from rich.text import Text

    return Text(strip_controls(redact(text)), style=style)
