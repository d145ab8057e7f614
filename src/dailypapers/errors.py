"""One small exception hierarchy. Every message says what went wrong and, where it can, how to fix it.

The CLI turns any DailyPapersError into a one-line message and `exit_code`; anything else is a bug.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dailypapers.text import clip

if TYPE_CHECKING:
    from dailypapers.models import Usage

MAX_REASON = 200  # characters of an exception kept as a paper's or an edition's reason


def reason(exc: Exception) -> str:
    """An exception as one short line: its `reason` when it has one, else its message."""
    return clip(str(getattr(exc, "reason", None) or exc), MAX_REASON)


class DailyPapersError(Exception):
    """Base of every error the user can act on."""

    exit_code: int = 1


class InputError(DailyPapersError):
    """Bad input from the user: a missing file, a bad date, an unknown option value."""

    exit_code = 2


class FormatError(InputError):
    """A digest file that does not follow the format; names the line when it can."""

    def __init__(self, message: str, *, line: int | None = None, source: str | None = None) -> None:
        where = ""
        if source and line is not None:
            where = f"{source}:{line}: "
        elif line is not None:
            where = f"line {line}: "
        elif source:
            where = f"{source}: "
        super().__init__(f"{where}{message}")
        self.line = line
        self.source = source


class NotFoundError(DailyPapersError):
    """Something asked for by name is not there (a day, a paper)."""

    exit_code = 3


class ArchiveMissingError(NotFoundError):
    """A read-only command was pointed at an archive that does not exist yet."""


class StoreError(DailyPapersError):
    """The database cannot be opened, read or written."""

    exit_code = 4


class FetchError(DailyPapersError):
    """A network request failed for good (after retries, or a permanent 4xx)."""

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


class HostNotAllowedError(FetchError):
    """A URL outside the host allow-list."""


class HostUnreachableError(FetchError):
    """A host that does not resolve, refuses connections, or has failed repeatedly in this run. `problem` is the
    message without the advice that follows it (a caller that knows better gives its own)."""

    def __init__(self, message: str, *, url: str | None = None, problem: str | None = None) -> None:
        super().__init__(message, url=url)
        self.problem = problem or message


class ResponseTooLargeError(FetchError):
    """A response body over its size cap; the download is stopped while streaming."""


class PaperTextError(DailyPapersError):
    """A paper's full text cannot be extracted (corrupt, encrypted, empty, not a PDF, too many pages)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SummarizeError(DailyPapersError):
    """A summary could not be produced; `reason` becomes the paper's `failed: <reason>` status.

    `usage` carries the tokens the failed attempts still cost, so run totals and budgets stay true.
    """

    def __init__(self, reason: str, *, usage: Usage | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.usage = usage


class EmbedError(DailyPapersError):
    """Texts could not be embedded (the embeddings server failed or answered something unusable)."""


class PublishError(DailyPapersError):
    """An output could not be written or delivered; the digest itself is stored."""


class ConfigError(DailyPapersError):
    """Settings that cannot be used (bad TOML, bad value)."""

    exit_code = 2
