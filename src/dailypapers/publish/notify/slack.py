"""Slack: one parent message per edition, one reply per paper in its thread (Block Kit), through slack_sdk.

Rendering is pure (`header_message`, `paper_message`) and reads back (`read_paper_blocks`), so what Slack
shows can be checked against the Markdown: the same title link, votes, authors, sections and flag markers.

Slack's limits (Block Kit reference; `msg_blocks_too_long` is answered well below the 40,000-character text
limit): a section's text at most 3,000 characters, 50 blocks a message, and in practice about 12,000
characters of blocks a message (counted as the characters of the blocks' texts). A section longer than
SECTION_CHARS is split over several section blocks (block ids `s<i>.<part>`, `p<i>.<part>` for a plain bullet;
`+` when the split was at a space, `~` when inside a word); a paper whose blocks would pass MESSAGE_CHARS has
its last sections cut, with a link to the full text on the site. The notification `text` stays under
TEXT_CHARS.

Untrusted text is escaped for mrkdwn (`&`, `<`, `>`: no injected links or @channel), and a link's URL is
percent-encoded where mrkdwn would read it as syntax. The flag marker reads back exactly: a `;` inside a
claim and a `⚠️(` inside a text are backslash-escaped (see `flag_marker`).

Every message carries metadata (`event_type` dailypapers_delivery, the edition and the item), so a run
killed between Slack's answer and the ledger's write finds the message it sent instead of posting it twice
(this needs the `channels:history` scope; without it the message is sent again and the run says so).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from dailypapers.config import Settings
from dailypapers.digestformat import EXTRACTIVE_LINE, FLAG_OPEN, FLAG_SEP
from dailypapers.errors import ConfigError
from dailypapers.models import Edition
from dailypapers.publish.base import HEADER, ChannelDown, DeliveryLog
from dailypapers.text import clip

if TYPE_CHECKING:  # the message views (and the site's paths under them) load when a channel sends
    from dailypapers.publish.notify.messages import MessageEdition, MessagePaper, MessageSection

SECTION_CHARS = 3_000
MAX_BLOCKS = 50
MESSAGE_CHARS = 11_000
TEXT_CHARS = 3_000
MAX_AUTHORS_CHARS = 1_500  # a context block's text holds 3,000 characters, escaped
EVENT_TYPE = "dailypapers_delivery"
MAX_PAGES = 20  # of 15 messages: how far a lost message is looked for
LOOKBACK_S = 300  # how far before a pending attempt a lost message is looked for (clock skew, slow answers)
# Errors about one message's content: that paper fails alone. Any other error stops the channel for this run.
ITEM_ERRORS = frozenset({"invalid_blocks", "invalid_blocks_format", "msg_too_long", "msg_blocks_too_long",
                         "invalid_metadata_format", "invalid_metadata_schema", "metadata_too_large",
                         "too_many_attachments", "no_text"})

Message = dict[str, Any]  # chat.postMessage arguments: text, blocks, metadata


def escape(text: str) -> str:
    """Text safe inside mrkdwn: Slack's three control characters as entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def link(url: str, label: str) -> str:
    """`<url|label>`: the URL with the characters mrkdwn reads as syntax percent-encoded."""
    safe = url.replace("%", "%25").replace("|", "%7C").replace("<", "%3C").replace(">", "%3E").replace(" ", "%20")
    return f"<{safe}|{escape(label)}>"


def _mrkdwn(text: str, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if block_id:
        block["block_id"] = block_id
    return block


def _context(text: str, block_id: str) -> dict[str, Any]:
    return {"type": "context", "block_id": block_id, "elements": [{"type": "mrkdwn", "text": text}]}


def metadata(edition: Edition, item: str) -> dict[str, Any]:
    return {"event_type": EVENT_TYPE,
            "event_payload": {"day": edition.day.isoformat(), "source": edition.source, "lang": edition.lang,
                              "item": item}}


def header_message(view: MessageEdition, *, update: bool = False) -> Message:
    """The parent message of the edition's thread: date, paper count, the link to the site."""
    n = view.count
    count = f"{n} paper{'s' if n != 1 else ''}"
    line = f"*{escape(view.title)}* · {count} · {escape(view.edition.source)} · {escape(view.edition.lang)}"
    blocks = [_mrkdwn(line, "header")]
    if view.themes:  # the edition's synthesis, a bullet a theme (Slack caps a section's text at 3,000)
        blocks.append(_mrkdwn("\n".join(f"• {escape(t)}" for t in view.themes)[:2900], "themes"))
    if view.updates:  # papers of earlier editions with a newer arXiv version
        blocks.append(_mrkdwn(("*Updated*\n" + "\n".join(f"• {escape(u)}" for u in view.updates))[:2900], "updates"))
    if view.link:
        blocks.append(_context(link(view.link, "Read it on the site"), "link"))
    text = f"{view.title}: {count}" + (f" — {view.link}" if view.link else "")
    return {"text": escape(text)[:TEXT_CHARS], "blocks": blocks, "metadata": metadata(view.ledger_edition, HEADER)}


def _split(text: str, limit: int) -> list[tuple[str, str]]:
    """Pieces of at most `limit` characters, each with how it joins the previous one: "+" at a space (which
    the split removed), "~" inside a word."""
    pieces: list[tuple[str, str]] = []
    joint = ""
    while len(text) > limit:
        cut = text.rfind(" ", limit // 2, limit + 1)
        if cut > 0:
            pieces.append((joint, text[:cut]))
            text, joint = text[cut + 1 :], "+"
        else:
            cut = limit
            amp = text.rfind("&", limit - 5, limit)  # never cut an entity (`&amp;`) in two
            if amp >= 0 and ";" not in text[amp:limit]:
                cut = amp
            pieces.append((joint, text[:cut]))
            text, joint = text[cut:], "~"
    pieces.append((joint, text))
    return pieces


# The flag marker read back unambiguously, as the Markdown does it (`digestformat._render_section`) but with
# backslashes only where they are needed, since Slack shows them: `⚠️(` in a text or a claim is written `⚠️\(`
# (so the marker's own opening is the only bare one), `;` in a claim `\;` (so `; ` only separates claims), and
# a backslash before `\`, `(`, `;` or the end is doubled (so those escapes are never ambiguous).
_GUARD_TEXT = re.compile(r"\\(?=[\\(]|\Z)|(?<=⚠\ufe0f)\(")
_GUARD_CLAIM = re.compile(r"\\(?=[\\(;]|\Z)|(?<=⚠\ufe0f)\(|;")
_UNGUARD_TEXT = re.compile(r"\\([\\(])")
_UNGUARD_CLAIM = re.compile(r"\\([\\(;])")
_CLAIM_SEP = re.compile(r"\\.|" + re.escape(FLAG_SEP))


def _guard(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda m: "\\" + m.group(), text)


def flag_marker(sec: MessageSection) -> str:
    """The section's flag marker as a Slack text shows it (before mrkdwn escaping)."""
    if not sec.flags:
        return ""
    return FLAG_OPEN + FLAG_SEP.join(_guard(c, _GUARD_CLAIM) for c in sec.flags) + ")"


def _section_body(sec: MessageSection) -> str:
    return escape(_guard(sec.text, _GUARD_TEXT) + flag_marker(sec))


def _read_section_body(body: str) -> tuple[str, tuple[str, ...]]:
    """The text and the claims of a section body (`_section_body` reversed)."""
    body = unescape(body)
    k = body.find(FLAG_OPEN)  # bare only in the marker
    if k < 0 or not body.endswith(")"):
        return _UNGUARD_TEXT.sub(r"\1", body), ()
    inner, claims, start = body[k + len(FLAG_OPEN) : -1], [], 0
    for m in _CLAIM_SEP.finditer(inner):  # `; ` where it is not escaped
        if m.group() == FLAG_SEP:
            claims.append(inner[start : m.start()])
            start = m.end()
    claims.append(inner[start:])
    return _UNGUARD_TEXT.sub(r"\1", body[:k]), tuple(_UNGUARD_CLAIM.sub(r"\1", c) for c in claims)


def _section_blocks(i: int, sec: MessageSection) -> list[dict[str, Any]]:
    """A section's blocks: ids `s<i>...` for a labelled section, `p<i>...` for a plain bullet (whose text may
    itself start with `*`)."""
    label = f"*{escape(sec.label)}*\n" if sec.label else ""
    kind = "s" if sec.label else "p"
    out = []
    for part, (joint, piece) in enumerate(_split(_section_body(sec), SECTION_CHARS - len(label) - 8)):
        out.append(_mrkdwn((label if part == 0 else "") + piece, f"{kind}{i}{joint or '.'}{part}"))
    return out


def _chars(block: dict[str, Any]) -> int:
    """What a block counts against MESSAGE_CHARS: the characters of its text objects."""
    texts = [block["text"]] if block["type"] == "section" else block["elements"]
    return sum(len(t["text"]) for t in texts)


def paper_message(view: MessageEdition, paper: MessagePaper) -> Message:
    """One paper's reply: the title link, votes and authors, then the summary sections with their flags."""
    title = link(paper.url, paper.title) if paper.url else escape(paper.title)
    blocks: list[dict[str, Any]] = [_mrkdwn(f"*{title}*", "title")]
    meta = []
    if paper.votes is not None:
        meta.append(f"Vote: {paper.votes}")
    if paper.authors:
        more = f" and {paper.more_authors} more" if paper.more_authors else ""
        meta.append("Authors: " + escape(clip(", ".join(paper.authors), MAX_AUTHORS_CHARS)) + more)
    if meta:
        blocks.append(_context(" · ".join(meta), "meta"))
    if paper.extractive:
        blocks.append(_context(escape(EXTRACTIVE_LINE), "note"))
    used = sum(_chars(b) for b in blocks)
    for i, sec in enumerate(paper.sections):
        part = _section_blocks(i, sec)
        size = sum(_chars(b) for b in part)
        if used + size > MESSAGE_CHARS or len(blocks) + len(part) > MAX_BLOCKS - 1:
            more = link(view.link, "the rest on the site") if view.link else "the rest in the digest"
            blocks.append(_context(f"… {more}", "cut"))
            break
        blocks.extend(part)
        used += size
    if not paper.sections:
        blocks.append(_context("No summary yet.", "nosummary"))
    votes = f" ({paper.votes} votes)" if paper.votes is not None else ""
    # the notification text is mrkdwn too: a title's `<!channel>` must not ping anyone
    text = escape(f"{paper.rank}. {paper.title}{votes}")
    return {"text": text[:TEXT_CHARS], "blocks": blocks, "metadata": metadata(view.ledger_edition, paper.paper_id)}


@dataclass(frozen=True)
class ReadBack:
    """What a paper's reply says, read from its blocks (for round-trip checks and tools)."""

    title: str
    url: str | None
    votes: int | None
    authors: str
    extractive: bool
    sections: tuple[MessageSection, ...]


_TITLE = re.compile(r"\*<([^|>]*)\|(.*)>\*", re.DOTALL)
_VOTE = re.compile(r"Vote: (-?\d+)")
_BLOCK = re.compile(r"([sp])(\d+)([.+~])(\d+)")


def read_paper_blocks(blocks: Sequence[dict[str, Any]]) -> ReadBack:
    """The inverse of `paper_message` on its blocks."""
    title, url, votes, authors, extractive = "", None, None, "", False
    parts: dict[int, list[tuple[str, str]]] = {}
    plain: set[int] = set()
    for b in blocks:
        bid = b.get("block_id", "")
        text = b["text"]["text"] if b["type"] == "section" else b["elements"][0]["text"]
        if bid == "title":
            m = _TITLE.fullmatch(text)
            if m:
                url = m.group(1).replace("%20", " ").replace("%3E", ">").replace("%3C", "<").replace("%7C", "|")
                url = url.replace("%25", "%")
                title = unescape(m.group(2))
            else:
                title = unescape(text.removeprefix("*").removesuffix("*"))
        elif bid == "meta":
            # the authors come last and may hold the separator themselves: split at their label only
            head, label, names = text.partition("Authors: ")
            if label:
                authors = unescape(names)
            if m := _VOTE.fullmatch(head.removesuffix(" · ")):
                votes = int(m.group(1))
        elif bid == "note":
            extractive = True
        elif m := _BLOCK.fullmatch(bid):
            i = int(m.group(2))
            parts.setdefault(i, []).append(("" if m.group(3) == "." else m.group(3), text))
            if m.group(1) == "p":
                plain.add(i)
    from dailypapers.publish.notify.messages import MessageSection

    sections = []
    for i in sorted(parts):
        body = ""
        for joint, piece in parts[i]:
            body += {"": "", "+": " ", "~": ""}[joint] + piece
        label = ""
        if i not in plain:
            label, _, body = body.removeprefix("*").partition("*\n")
        text, flags = _read_section_body(body)
        sections.append(MessageSection(unescape(label), text, flags))
    return ReadBack(title, url, votes, authors, extractive, tuple(sections))


# -- the channel ---------------------------------------------------------------------------------------------
Sleep = Callable[[float], None]


def _retry_handler(max_wait: float, sleep: Sleep) -> Any:
    """slack_sdk's rate-limit retry, honouring a fractional Retry-After and giving up past `max_wait` (the
    429 then surfaces as `ratelimited` and the channel resumes on the next run)."""
    from slack_sdk.http_retry import RateLimitErrorRetryHandler

    class RetryAfter(RateLimitErrorRetryHandler):  # type: ignore[misc]
        def _can_retry(self, *, state: Any, request: Any, response: Any = None, error: Any = None) -> bool:
            return response is not None and response.status_code == 429 and _retry_after(response) <= max_wait

        def prepare_for_next_attempt(self, *, state: Any, request: Any, response: Any = None,
                                     error: Any = None) -> None:
            state.next_attempt_requested = True
            sleep(_retry_after(response))
            state.increment_current_attempt()

    return RetryAfter(max_retry_count=3)


def _read_retry_handler() -> Any:
    """slack_sdk's retry after a dropped connection, for the reads (`conversations.*`) only: a post whose
    connection dropped may have arrived, and sending it again would post it twice. Such a post stays `pending`
    in the ledger, and the next run looks for it (`SlackChannel.find`) before sending it again."""
    from slack_sdk.http_retry import ConnectionErrorRetryHandler

    class ReadsOnly(ConnectionErrorRetryHandler):  # type: ignore[misc]
        def _can_retry(self, *, state: Any, request: Any, response: Any = None, error: Any = None) -> bool:
            method = urlsplit(request.url).path.rsplit("/", 1)[-1]
            return method.startswith("conversations.") and bool(
                super()._can_retry(state=state, request=request, response=response, error=error))

    return ReadsOnly()


def _retry_after(response: Any) -> float:
    for k, v in response.headers.items():
        if k.lower() == "retry-after":
            try:
                return max(0.0, float(v[0] if isinstance(v, list) else v))
            except (TypeError, ValueError):
                break
    return 1.0


class SlackChannel:
    def __init__(self, *, token: str, channel: str, base_url: str, timeout: float, max_wait: float,
                 sleep: Sleep = time.sleep) -> None:
        self.id = f"slack:{channel}"
        self.channel = channel
        self._token, self._base_url, self._timeout = token, base_url, timeout
        self._max_wait, self._sleep = max_wait, sleep
        self._client: Any = None

    @classmethod
    def from_settings(cls, settings: Settings, channel: str) -> SlackChannel:
        """A channel of the settings' Slack workspace (slack_token, slack_base_url, the timeouts)."""
        if settings.slack_token is None:
            raise ConfigError(f"the Slack channel {channel} needs slack_token (DAILYPAPERS_SLACK_TOKEN)")
        return cls(token=settings.slack_token.get_secret_value(), channel=channel, base_url=settings.slack_base_url,
                   timeout=settings.http_timeout, max_wait=settings.slack_max_retry_wait)

    def client(self) -> Any:
        if self._client is None:
            from slack_sdk import WebClient

            self._client = WebClient(
                token=self._token, base_url=self._base_url, timeout=max(1, round(self._timeout)),
                retry_handlers=[_read_retry_handler(), _retry_handler(self._max_wait, self._sleep)],
            )
        return self._client

    async def call(self, method: str, **args: Any) -> dict[str, Any]:
        """One Web API method through slack_sdk's own wrapper (`chat.postMessage` -> `chat_postMessage`, which
        knows how each method wants its arguments sent), in a worker thread as the client is synchronous.
        Returns the answer's data; raises ItemRejected (this message's content) or ChannelDown (the rest)."""
        from slack_sdk.errors import SlackApiError, SlackClientError

        call = getattr(self.client(), method.replace(".", "_"))
        try:
            response = await asyncio.to_thread(call, **args)
        except SlackApiError as exc:
            error = str(exc.response.get("error", "")) or f"http {exc.response.status_code}"
            if error in ITEM_ERRORS:
                raise ItemRejected(error) from None
            hint = " (check slack_token and slack_channel)" if error in _AUTH_ERRORS else ""
            raise SlackDown(f"slack {method}: {error}{hint}", error=error) from None
        except (SlackClientError, OSError) as exc:  # no answer: what was sent may have arrived
            raise SlackDown(f"slack {method}: {type(exc).__name__}: {exc}", maybe_sent=True) from None
        return dict(response.data)

    async def post(self, message: Message, thread: str | None = None) -> str:
        """Post and return the message's external id, `<channel id>:<ts>`."""
        args: dict[str, Any] = {"channel": self.channel, **message, "unfurl_links": False, "unfurl_media": False}
        if thread:
            args["channel"], args["thread_ts"] = thread.split(":", 1)
        data = await self.call("chat.postMessage", **args)
        return f"{data['channel']}:{data['ts']}"

    async def find(self, edition: Edition, item: str, thread: str | None, since: str | None) -> str | None:
        """A message this channel already posted for the item (by its metadata), or None; None too when Slack
        will not say (no channels:history scope, a channel given by name, not in the channel) or the thread is
        gone: the caller then sends again. Any other failure (the network, a 5xx, a rate limit past the wait)
        is raised as ChannelDown, so the item stays `pending` and the next run looks again.
        Only messages from a few minutes before the attempt began (`since`, ISO) are asked for, so the answer's
        first page (15 messages for some apps) holds it even in a busy channel or a long thread."""
        channel = thread.split(":", 1)[0] if thread else self.channel
        window: dict[str, Any] = {}
        if since:
            window["oldest"] = f"{dt.datetime.fromisoformat(since).timestamp() - LOOKBACK_S:.6f}"
        want = metadata(edition, item)["event_payload"]
        args: dict[str, Any] = {"channel": channel, "include_all_metadata": True, "limit": 15, **window}
        method = "conversations.history"
        if thread:
            method, args["ts"] = "conversations.replies", thread.split(":", 1)[1]
        for _ in range(MAX_PAGES):  # a busy day: page through with Slack's cursor, boundedly
            try:
                data = await self.call(method, **args)
            except SlackDown as exc:
                if exc.error in _CANNOT_LOOK:
                    return None
                raise
            except ItemRejected as exc:
                raise ChannelDown(f"slack {method}: {exc}") from None
            for message in data.get("messages", []):
                meta = message.get("metadata") or {}
                if meta.get("event_type") == EVENT_TYPE and meta.get("event_payload") == want:
                    return f"{channel}:{message['ts']}"
            cursor = (data.get("response_metadata") or {}).get("next_cursor")
            if not data.get("has_more") or not cursor:
                return None
            args["cursor"] = cursor
        return None

    async def send(self, view: MessageEdition, due: Sequence[str], log: DeliveryLog) -> None:
        header = log.get(HEADER)
        thread = header.external_id if header is not None and header.status == "delivered" else None
        for item in due:
            row = log.get(item)
            if row is not None and row.status == "pending":  # an earlier run may have sent it and died
                found = await self.find(view.ledger_edition, item, None if item == HEADER else thread, row.updated_at)
                if found is not None:
                    log.delivered(item, found, None if item == HEADER else thread)
                    thread = found if item == HEADER else thread
                    continue
                log.notice(f"{item or 'the edition message'} may have been sent by an interrupted run; "
                           "sending it again")
            if item == HEADER:
                thread = await self._deliver(log, item, header_message(view), None)
                if thread is None:
                    raise ChannelDown("slack rejected the edition's message")
                continue
            if thread is None:
                raise ChannelDown("the edition's parent message is not posted")
            await self._deliver(log, item, paper_message(view, view.paper(item)), thread)

    async def _deliver(self, log: DeliveryLog, item: str, message: Message, thread: str | None) -> str | None:
        """Post one message with its ledger writes around it; its external id, or None if Slack refused it."""
        log.started(item)
        try:
            posted = await self.post(message, thread)
        except ItemRejected as exc:
            log.failed(item, f"slack rejected the message: {exc}")
            return None
        except ChannelDown as exc:
            if not exc.maybe_sent:  # Slack answered no: nothing to look for next time
                log.failed(item, str(exc))
            raise
        log.delivered(item, posted, thread)
        return posted


class ItemRejected(Exception):
    """Slack refused one message for its content."""


class SlackDown(ChannelDown):
    """ChannelDown with Slack's error code (`error`), when Slack answered with one."""

    def __init__(self, message: str, *, error: str | None = None, maybe_sent: bool = False) -> None:
        super().__init__(message, maybe_sent=maybe_sent)
        self.error = error


# Slack's answers to conversations.* that mean the message cannot be looked for (or is not there): no
# channels:history scope, the app not in the channel, a channel given by name, the thread deleted.
_CANNOT_LOOK = frozenset({"missing_scope", "not_in_channel", "channel_not_found", "thread_not_found"})
_AUTH_ERRORS = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "channel_not_found",
                "not_in_channel", "missing_scope", "is_archived"}


class SlackNotifier:
    name = "slack"
    description = "one thread per edition in a Slack channel (slack_token, slack_channel)"

    def channels(self, settings: Settings) -> list[SlackChannel]:
        if settings.slack_token is None and settings.slack_channel is None:
            return []
        if settings.slack_token is None or not settings.slack_channel:
            raise ConfigError("Slack needs both slack_token (DAILYPAPERS_SLACK_TOKEN) and slack_channel")
        return [SlackChannel.from_settings(settings, settings.slack_channel)]

