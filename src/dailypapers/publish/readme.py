"""The README publisher: keeps the latest main edition's digest in a repository's front page, as the system
whose format we keep did. The digest goes between two marker lines; the rest of the file is the owner's:

    <!-- dailypapers:start 2025-05-06 -->
    ## Daily Papers (2025-05-06)
    ...
    <!-- dailypapers:end -->

A file without the markers gets them appended; a missing file is created. Only the main edition (the
configured source and language) is written, and never over a later day: a backfill of last month leaves
today's README alone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from dailypapers.errors import PublishError
from dailypapers.hookspecs import hookimpl
from dailypapers.models import Digest
from dailypapers.publish.base import PublishContext
from dailypapers.publish.files import write_atomic
from dailypapers.publish.markdown import render

START = "<!-- dailypapers:start {day} -->"
END = "<!-- dailypapers:end -->"
_BLOCK = re.compile(r"<!-- dailypapers:start (\d{4}-\d{2}-\d{2}) -->\n.*?<!-- dailypapers:end -->\n?", re.DOTALL)


def update(readme: str, digest: Digest, *, show_flags: bool = True) -> str | None:
    """The README with the digest in its block; None when the block already holds a later day."""
    block = f"{START.format(day=digest.day.isoformat())}\n{render(digest, show_flags=show_flags)}{END}\n"
    m = _BLOCK.search(readme)
    if m is None:
        sep = "" if not readme or readme.endswith("\n\n") else ("\n" if readme.endswith("\n") else "\n\n")
        return readme + sep + block
    if dt.date.fromisoformat(m.group(1)) > digest.day:
        return None
    return readme[: m.start()] + block + readme[m.end() :]


class ReadmePublisher:
    name = "readme"
    description = "the latest main edition in README.md, between dailypapers markers (readme_path)"

    def publish(self, digest: Digest, ctx: PublishContext) -> list[str]:
        if not ctx.main_edition or ctx.out is not None:
            return []
        path = ctx.settings.readme_path
        try:
            old = path.read_text(encoding="utf-8") if path.exists() else ""
            new = update(old, digest, show_flags=ctx.settings.show_flags)
            if new is None or new == old:
                return []
            write_atomic(path, new)
        except (OSError, UnicodeDecodeError) as exc:
            raise PublishError(f"cannot update {path}: {exc}") from None
        return [str(path)]


@hookimpl
def register_publishers(register: Callable[[object], None]) -> None:
    register(ReadmePublisher())
