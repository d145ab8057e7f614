"""The README publisher: keeps the latest main edition's digest in a repository's front page, as the system
whose format we keep did.

A missing README, or one that holds nothing but a digest (exactly what `digestformat.render` writes for it,
trailing whitespace aside), becomes the digest itself, in the digest format byte for byte. A README with any
text of its own keeps it, even after a digest's header: the digest goes between two marker lines, appended
the first time, replaced after:

    <!-- dailypapers:start 2025-05-06 -->
    ## Daily Papers (2025-05-06)
    ...
    <!-- dailypapers:end -->

Only the main edition (the configured source and language) is written, and never over a later day: a
backfill of last month leaves today's README alone. `dailypapers site --readme PATH` writes through `write`
too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

from dailypapers.digestformat import parse, render
from dailypapers.errors import FormatError, PublishError
from dailypapers.hookspecs import hookimpl
from dailypapers.models import Digest
from dailypapers.publish.base import PublishContext
from dailypapers.publish.files import write_atomic

START = "<!-- dailypapers:start {day} -->"
END = "<!-- dailypapers:end -->"
_BLOCK = re.compile(r"<!-- dailypapers:start (\d{4}-\d{2}-\d{2}) -->\n.*?<!-- dailypapers:end -->\n?", re.DOTALL)


def digest_only(readme: str) -> dt.date | None:
    """The day of a README that is nothing but one day's digest as `render` writes it (lines' trailing
    whitespace aside, as older digests had it), else None: a README with anything more is someone's."""
    text = readme.removeprefix("\ufeff")
    if not text.startswith("## Daily Papers ("):
        return None
    try:
        digest = parse(text)
    except FormatError:
        return None

    def lines(x: str) -> list[str]:
        return [line.rstrip() for line in x.rstrip().split("\n")]

    return digest.day if lines(render(digest)) == lines(text) else None


def update(readme: str, digest: Digest, *, show_flags: bool = True) -> str | None:
    """The README with the digest in it (see the module docstring); None when it already holds a later day."""
    text = render(digest, show_flags=show_flags)
    m = _BLOCK.search(readme)
    if m is None:
        if not readme.strip():
            return text
        day = digest_only(readme)
        if day is not None:  # a README that is a digest: it is replaced whole, by a day no older
            return None if day > digest.day else text
        sep = "" if readme.endswith("\n\n") else ("\n" if readme.endswith("\n") else "\n\n")
        return readme + sep + f"{START.format(day=digest.day.isoformat())}\n{text}{END}\n"
    if dt.date.fromisoformat(m.group(1)) > digest.day:
        return None
    return readme[: m.start()] + f"{START.format(day=digest.day.isoformat())}\n{text}{END}\n" + readme[m.end() :]


def write(path: Path, digest: Digest, *, show_flags: bool = True) -> bool:
    """Update the README file at `path`; whether it changed. Raises PublishError."""
    try:
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        new = update(old, digest, show_flags=show_flags)
        if new is None or new == old:
            return False
        write_atomic(path, new)
    except (OSError, UnicodeDecodeError) as exc:
        raise PublishError(f"cannot update {path}: {exc}") from None
    return True


class ReadmePublisher:
    name = "readme"
    description = "the latest main edition in README.md, between dailypapers markers (readme_path)"

    def publish(self, digest: Digest, ctx: PublishContext) -> list[str]:
        if not ctx.main_edition or ctx.out is not None:
            return []
        path = ctx.settings.readme_path
        return [str(path)] if write(path, digest, show_flags=ctx.settings.show_flags) else []


@hookimpl
def register_publishers(register: Callable[[object], None]) -> None:
    register(ReadmePublisher())
