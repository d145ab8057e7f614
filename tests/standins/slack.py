"""A stand-in for the Slack Web API (tests only): `chat.postMessage` (with `thread_ts` and message metadata),
`conversations.history` and `conversations.replies`, with Slack's answers: `{"ok": false, "error": ...}` for
a bad token, an unknown channel or thread and oversized blocks (checked against Slack's documented limits),
and HTTP 429 with Retry-After on demand.

    slack.fail("invalid_auth")            # the next post answers ok:false
    slack.reply_errors.append("invalid_blocks")   # the next reply in a thread does
    slack.rate_limit(retry_after="0")     # the next request answers 429
    slack.on_post = callback              # called with each accepted message (e.g. to kill the client)
    slack.hang_ups = 1                    # the next accepted post is kept but never answered
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from tests.standins.base import Reply, Request, StandIn

TOKEN = "xoxb-standin-token"
CHANNELS = {"C0PAPERS": "papers", "C0OPS": "ops"}


@dataclass
class Posted:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    thread_ts: str | None = None
    metadata: dict[str, Any] | None = None
    args: dict[str, Any] = field(default_factory=dict)


class SlackStandIn(StandIn):
    def __init__(self) -> None:
        super().__init__()
        self.posted: list[Posted] = []
        self.errors: list[str] = []  # ok:false answers queued for the next posts
        self.reply_errors: list[str] = []  # ... for the next posts into a thread
        self.on_post: Callable[[Posted], None] | None = None
        self.history_allowed = True  # False: conversations.* answer missing_scope
        self.hang_ups = 0  # accepted posts left to keep without answering (the connection drops)
        self._ts = 0.0
        self._mutex = threading.Lock()
        self.route("POST", "/api/chat.postMessage", self._post)
        self.route("GET", "/api/conversations.history", self._history)
        self.route("POST", "/api/conversations.history", self._history)
        self.route("GET", "/api/conversations.replies", self._replies)
        self.route("POST", "/api/conversations.replies", self._replies)

    @property
    def base_url(self) -> str:
        return f"{self.url}/api/"

    def settings_kwargs(self, channel: str = "C0PAPERS") -> dict[str, Any]:
        return {"slack_token": TOKEN, "slack_channel": channel, "slack_base_url": self.base_url}

    def fail(self, error: str, times: int = 1) -> None:
        self.errors.extend([error] * times)

    def rate_limit(self, retry_after: str = "0", times: int = 1) -> None:
        self.fault("/api/", Reply.json({"ok": False, "error": "ratelimited"}, status=429,
                                       headers={"Retry-After": retry_after}), times=times)

    def replies_to(self, parent: Posted) -> list[Posted]:
        return [p for p in self.posted if p.thread_ts == parent.ts]

    def parents(self) -> list[Posted]:
        return [p for p in self.posted if p.thread_ts is None]

    # -- the wire ----------------------------------------------------------------------------------------------
    @staticmethod
    def _args(req: Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(req.query)
        if req.body:
            if req.headers.get("content-type", "").startswith("application/json"):
                args.update(json.loads(req.body))
            else:
                args.update({k: v[-1] for k, v in parse_qs(req.body.decode()).items()})
        for key in ("blocks", "metadata"):  # form-encoded calls send these as JSON strings
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        return args

    def _auth(self, req: Request, args: dict[str, Any]) -> str | None:
        token = req.headers.get("authorization", "").removeprefix("Bearer ") or args.get("token")
        return None if token == TOKEN else "invalid_auth"

    def _channel(self, name: str) -> str | None:
        name = str(name).lstrip("#")
        for cid, cname in CHANNELS.items():
            if name in (cid, cname):
                return cid
        return None

    @staticmethod
    def _error(error: str) -> Reply:
        return Reply.json({"ok": False, "error": error})

    def _post(self, req: Request) -> Reply:
        args = self._args(req)
        if error := self._auth(req, args):
            return self._error(error)
        with self._mutex:
            if self.errors:
                return self._error(self.errors.pop(0))
            if self.reply_errors and args.get("thread_ts"):
                return self._error(self.reply_errors.pop(0))
            channel = self._channel(args.get("channel", ""))
            if channel is None:
                return self._error("channel_not_found")
            blocks = args.get("blocks") or []
            if problem := _check_blocks(blocks, args.get("text")):
                return self._error(problem)
            thread_ts = args.get("thread_ts")
            if thread_ts and not any(p.ts == thread_ts and p.channel == channel for p in self.posted):
                return self._error("thread_not_found")
            self._ts = max(self._ts + 0.000001, time.time())  # Slack's ts: the epoch time, unique per channel
            posted = Posted(channel, f"{self._ts:.6f}", args.get("text", ""), blocks, thread_ts,
                            args.get("metadata"), args)
            self.posted.append(posted)
        if self.on_post is not None:
            self.on_post(posted)
        with self._mutex:
            if self.hang_ups:
                self.hang_ups -= 1
                return Reply(hang_up=True)
        return Reply.json({"ok": True, "channel": channel, "ts": posted.ts,
                           "message": {"type": "message", "text": posted.text, "ts": posted.ts}})

    def _message(self, p: Posted, with_metadata: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "message", "ts": p.ts, "text": p.text, "blocks": p.blocks}
        if p.thread_ts:
            out["thread_ts"] = p.thread_ts
        if with_metadata and p.metadata:
            out["metadata"] = p.metadata
        return out

    def _read(self, req: Request) -> tuple[dict[str, Any], str | Reply]:
        args = self._args(req)
        if error := self._auth(req, args):
            return args, self._error(error)
        if not self.history_allowed:
            return args, self._error("missing_scope")
        channel = self._channel(args.get("channel", ""))
        if channel is None or not str(args.get("channel", "")).startswith("C"):  # ids only, as Slack
            return args, self._error("channel_not_found")
        return args, channel

    def _history(self, req: Request) -> Reply:
        args, channel = self._read(req)
        if isinstance(channel, Reply):
            return channel
        meta = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        oldest = float(args.get("oldest") or 0)
        messages = [self._message(p, meta) for p in reversed(self.posted)
                    if p.channel == channel and p.thread_ts is None and float(p.ts) >= oldest]
        return self._page(args, messages)

    def _replies(self, req: Request) -> Reply:
        args, channel = self._read(req)
        if isinstance(channel, Reply):
            return channel
        ts = args.get("ts")
        if not any(p.ts == ts and p.channel == channel for p in self.posted):
            return self._error("thread_not_found")
        meta = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        oldest = float(args.get("oldest") or 0)
        messages = [self._message(p, meta) for p in self.posted
                    if p.channel == channel and (p.ts == ts or (p.thread_ts == ts and float(p.ts) >= oldest))]
        return self._page(args, messages)  # the parent first, then the replies, oldest first, as Slack

    @staticmethod
    def _page(args: dict[str, Any], messages: list[dict[str, Any]]) -> Reply:
        """One page of `limit` messages; `response_metadata.next_cursor` leads to the next."""
        start, limit = int(args.get("cursor") or 0), int(args.get("limit", 100))
        page, more = messages[start : start + limit], len(messages) > start + limit
        return Reply.json({"ok": True, "messages": page, "has_more": more,
                           "response_metadata": {"next_cursor": str(start + limit) if more else ""}})


def _check_blocks(blocks: list[dict[str, Any]], text: str | None) -> str | None:
    """Slack's limits on a message: 50 blocks, 3,000 characters of section text, 255-character block ids,
    unique block ids, mrkdwn text objects; a message needs text or blocks."""
    if not blocks and not text:
        return "no_text"
    if len(blocks) > 50:
        return "invalid_blocks"
    if text is not None and len(text) > 40_000:
        return "msg_too_long"
    ids = [b.get("block_id") for b in blocks if b.get("block_id")]
    if len(ids) != len(set(ids)) or any(len(i) > 255 for i in ids):
        return "invalid_blocks"
    total = 0
    for b in blocks:
        texts = [b["text"]] if b.get("type") == "section" else b.get("elements", [])
        if b.get("type") not in ("section", "context") or not texts or len(texts) > 10:
            return "invalid_blocks"
        for t in texts:
            if t.get("type") not in ("mrkdwn", "plain_text") or not t.get("text"):
                return "invalid_blocks"
            if len(t["text"]) > 3_000:
                return "invalid_blocks"
            total += len(t["text"])
    return "msg_blocks_too_long" if total > 12_000 else None
