"""The `site` publisher plug-in: after a run, the static site (`publish.site`) brought up to date.

Kept apart from the site's builder so that registering it loads nothing of the site's stack (templates,
feeds, Pagefind): a run whose publishers do not include the site, or a command that only lists the plug-ins,
does without it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from dailypapers.hookspecs import hookimpl

if TYPE_CHECKING:
    from dailypapers.models import Digest
    from dailypapers.publish.base import PublishContext


class SitePublisher:
    """After a run: the site in `site_dir` brought up to date (the README is the `readme` publisher's)."""

    name = "site"
    description = "a static HTML site with feeds and search (site_dir, site_url)"
    whole_archive = True  # every page is built from the archive: a run of many editions builds it once

    def publish(self, digest: Digest, ctx: PublishContext) -> list[str]:
        from dailypapers.publish.site import build_from_settings

        main = (digest.source, digest.lang) if ctx.main_edition else None
        return [str(build_from_settings(ctx.settings, main=main, embedding_model=ctx.embedding_model).index)]


@hookimpl
def register_publishers(register: Callable[[object], None]) -> None:
    register(SitePublisher())
