"""The Markdown publisher: an edition's digest written in the digest format (`dailypapers.digestformat`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dailypapers.digestformat import render
from dailypapers.errors import PublishError
from dailypapers.hookspecs import hookimpl
from dailypapers.models import Digest, Edition
from dailypapers.publish.base import PublishContext
from dailypapers.publish.files import write_atomic


def default_path(edition: Edition, root: Path, *, main: bool = True) -> Path:
    """Where an edition's digest goes under `root`: `YYYY/MM/DD.md` for the main edition (the configured
    source and language), `<source>/<lang>/YYYY/MM/DD.md` for every other."""
    day = edition.day
    folder = root if main else root.joinpath(*edition.slug.split("/"))
    return folder / f"{day:%Y}" / f"{day:%m}" / f"{day:%d}.md"


class MarkdownPublisher:
    """The edition's digest as Markdown, written atomically (see `default_path`, or `digest --out`)."""

    name = "markdown"
    description = "the digest file in the seed format (out_dir/YYYY/MM/DD.md, or --out)"

    def publish(self, digest: Digest, ctx: PublishContext) -> list[str]:
        path = ctx.out or default_path(digest.edition, ctx.settings.out_dir, main=ctx.main_edition)
        try:
            write_atomic(path, render(digest, show_flags=ctx.settings.show_flags))
        except OSError as exc:
            raise PublishError(f"cannot write {path}: {exc.strerror or exc}") from None
        return [str(path)]


@hookimpl
def register_publishers(register: Callable[[object], None]) -> None:
    register(MarkdownPublisher())
