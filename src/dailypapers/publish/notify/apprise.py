"""Other channels through apprise URLs: Discord, Telegram, Microsoft Teams, ntfy, generic JSON webhooks and
the rest apprise knows (https://github.com/caronc/apprise/wiki). Each URL is its own channel, so one that
fails does not hold up the others.

An edition goes out as one message for the edition (date, paper count, site link) and one per paper whose
body is the paper's entry in the digest Markdown (`## Daily Papers (day)` and the entry: readable back by
`digestformat.parse`). It is handed to apprise as *text*, not Markdown: apprise then escapes it for
services that take HTML or Markdown, so a title's `<script>` or `[link](…)` shows as written instead of being
interpreted; mass mentions (`@everyone`, `@here`, `@channel`) are broken with a zero-width space. The ledger
key of a URL is its scheme and a hash, never the URL, which holds tokens.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from dailypapers import digestformat
from dailypapers.config import Settings
from dailypapers.errors import ConfigError
from dailypapers.publish.base import HEADER, ChannelDown, DeliveryLog
from dailypapers.text import clip

if TYPE_CHECKING:  # the message views (and the site's paths under them) load when a channel sends
    from dailypapers.publish.notify.messages import MessageEdition

MAX_TITLE = 250


def header_text(view: MessageEdition) -> tuple[str, str]:
    n = view.count
    title = f"{view.title}: {n} paper{'s' if n != 1 else ''}"
    body = f"{n} paper{'s' if n != 1 else ''} · {view.edition.source} · {view.edition.lang}"
    if view.updates:
        body += "\n\nUpdated:\n" + "\n".join(f"- {u}" for u in view.updates)
    if view.link:
        body += f"\n\n{view.link}"
    return title, body


def paper_text(view: MessageEdition, paper_id: str, *, show_flags: bool) -> tuple[str, str]:
    paper = view.paper(paper_id)
    return (clip(f"{paper.rank}. {paper.title}", MAX_TITLE),
            digestformat.render(view.subset({paper_id}), show_flags=show_flags))


_MASS_MENTION = re.compile(r"@(everyone|here|channel)\b", re.IGNORECASE)


def defuse(text: str) -> str:
    """Mass mentions as text: `@everyone` would ping a whole Discord server."""
    return _MASS_MENTION.sub("@\u200b\\1", text)


def channel_id(url: str) -> str:
    scheme = url.partition("://")[0].lower() or "url"
    return f"apprise:{scheme}:{hashlib.sha256(url.encode()).hexdigest()[:10]}"


class AppriseChannel:
    def __init__(self, url: str, *, show_flags: bool = True) -> None:
        self.id = channel_id(url)
        self.scheme = url.partition("://")[0]
        self._url, self._show_flags = url, show_flags
        self._apprise: Any = None

    def _client(self) -> Any:
        if self._apprise is None:
            import apprise

            client = apprise.Apprise()
            if not client.add(self._url):
                raise ChannelDown(f"apprise cannot use this {self.scheme}:// URL (see apprise's wiki for its form)")
            self._apprise = client
        return self._apprise

    async def notify(self, title: str, body: str) -> bool:
        import apprise

        client = self._client()
        return bool(await asyncio.to_thread(client.notify, body=defuse(body), title=defuse(title),
                                            body_format=apprise.NotifyFormat.TEXT))

    async def send(self, view: MessageEdition, due: Sequence[str], log: DeliveryLog) -> None:
        for item in due:
            title, body = header_text(view) if item == HEADER else paper_text(view, item,
                                                                               show_flags=self._show_flags)
            log.started(item)
            if not await self.notify(title, body):
                # apprise says only that it failed (its log has why): the service is taken as down for this run
                log.failed(item, f"{self.scheme}:// notification failed")
                raise ChannelDown(f"{self.scheme}:// notification failed")
            log.delivered(item)


class AppriseNotifier:
    name = "apprise"
    description = "Discord, Telegram, Teams, ntfy, JSON webhooks ... through apprise URLs (apprise_urls)"

    def channels(self, settings: Settings) -> list[AppriseChannel]:
        urls = [check_url(u.get_secret_value(), "apprise_urls") for u in settings.apprise_urls]
        return [AppriseChannel(u, show_flags=settings.show_flags) for u in urls]


def check_url(url: str, setting: str) -> str:
    """The URL, if it has the form of an apprise URL; else a ConfigError naming the setting (never the URL,
    which may hold a token)."""
    if "://" not in url:
        raise ConfigError(f"{setting} takes URLs such as discord://ID/TOKEN or json://host/path")
    return url
