"""The Markdown publisher: an edition's digest written in the digest format (`dailypapers.digestformat`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dailypapers.digestformat import period_span, read_days, render, render_period
from dailypapers.errors import FormatError, InputError, PublishError
from dailypapers.hookspecs import hookimpl
from dailypapers.models import Digest, Edition, PeriodDigest, Span
from dailypapers.publish.base import FileLedger, PublishContext
from dailypapers.publish.files import write_atomic


def default_path(edition: Edition, root: Path, *, main: bool = True) -> Path:
    """Where an edition's digest goes under `root`: `YYYY/MM/DD.md` for the main edition (the configured
    source and language), `<source>/<lang>/YYYY/MM/DD.md` for every other."""
    day = edition.day
    folder = root if main else root.joinpath(*edition.slug.split("/"))
    return folder / f"{day:%Y}" / f"{day:%m}" / f"{day:%d}.md"


def period_path(span: Span, slug: str, root: Path, *, main: bool = True) -> Path:
    """Where a weekly or monthly edition goes under `root`: `weekly/2025-W19.md`, `monthly/2025-05.md` (under
    `<source>/<lang>/` for an edition other than the main one)."""
    folder = root if main else root.joinpath(*slug.split("/"))
    return folder / ("weekly" if span.period == "week" else "monthly") / f"{span.label}.md"


def write_period(edition: PeriodDigest, path: Path, *, show_flags: bool) -> None:
    """The edition's Markdown at `path`, replacing only a digest of the same period (never another file)."""
    if path.is_file():
        try:
            held = period_span(path.read_text(encoding="utf-8", errors="replace")[:1000])
        except FormatError:
            held = None
        if held != edition.span:
            raise PublishError(f"{path} exists and is not the {edition.span.label} digest: not replaced (move it "
                               "away, or name another file with --out)")
    try:
        write_atomic(path, render_period(edition, show_flags=show_flags))
    except OSError as exc:
        raise PublishError(f"cannot write {path}: {exc.strerror or exc}") from None


class MarkdownPublisher:
    """The edition's digest as Markdown, written atomically (see `default_path`, or `digest --out`)."""

    name = "markdown"
    description = "the digest file in the seed format (out_dir/YYYY/MM/DD.md, or --out)"

    def publish(self, digest: Digest, ctx: PublishContext) -> list[str]:
        path = ctx.out or default_path(digest.edition, ctx.settings.out_dir, main=ctx.main_edition)
        refusal = replace_refusal(path, digest.edition, ctx.files, named=ctx.out is not None)
        if refusal:
            raise PublishError(refusal)
        try:
            write_atomic(path, render(digest, show_flags=ctx.settings.show_flags))
        except OSError as exc:
            raise PublishError(f"cannot write {path}: {exc.strerror or exc}") from None
        if ctx.files is not None:
            ctx.files.record_written(path, digest.edition)
        return [str(path)]


def replace_refusal(path: Path, edition: Edition, files: FileLedger | None, *, named: bool) -> str | None:
    """Why the digest of `edition` may not replace the file at `path`, or None when it may (no file there).

    A file the archive (`files`) wrote for this edition may be replaced, and, when the user named the path
    (`named`: `digest --out`), one it wrote for any edition. A file it has no record of may be replaced only
    when it is a digest of the same day (one an earlier archive wrote: after the Actions cache was evicted, or
    before this record was kept); anything else (another edition's digest, a file that is not a digest) is
    never lost."""
    if not path.is_file():
        return None  # nothing to lose (a directory fails the write, with its own message)
    owner = files.written_for(path) if files is not None else None
    if owner is not None:
        if owner == edition or named:
            return None
        return (f"{path} holds the {owner} edition, not replaced by the {edition} one (another source or "
                "language goes to out_dir/<source>/<lang>/; --out names another file)")
    try:
        days = read_days(path).days
    except (FormatError, InputError):
        return f"{path} exists and is not a digest: not replaced (move it away, or name another file with --out)"
    if [d.day for d in days] != [edition.day]:
        shown = ", ".join(d.day.isoformat() for d in days)
        return (f"{path} holds the digest of {shown}, not replaced by the {edition} edition (move it away, or "
                "name another file with --out)")
    return None


@hookimpl
def register_publishers(register: Callable[[object], None]) -> None:
    register(MarkdownPublisher())
