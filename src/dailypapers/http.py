"""The one HTTP client: every network request of dailypapers goes through `Http`.

It sends a descriptive User-Agent, applies timeouts, retries transient failures (408, 429, 5xx gateway errors,
connection errors, timeouts, truncated bodies) with exponential backoff and jitter while honouring
`Retry-After`, spaces requests per host group (arXiv's terms allow one request every 3 s over ONE connection;
HF gets a smaller interval), refuses hosts outside the allow-list before any byte is sent, and stops a
download as soon as it passes its size cap. Bodies are read into memory, one buffer per request, never
a shared file.

Clock, sleep and the jitter source are injectable so tests can check every computed wait without sleeping.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import json
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from dailypapers.config import Settings
from dailypapers.errors import FetchError, HostNotAllowedError, ResponseTooLargeError

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
BACKOFF_BASE = 1.0  # seconds before the first retry; doubles each time
BACKOFF_MAX = 60.0  # no computed backoff waits longer than this
RETRY_AFTER_MAX = 120.0  # a server asking for more than this gets this; we do not hang a run for hours
JITTER = 0.25  # up to +25 % on top of the computed backoff, so concurrent clients do not retry in lock-step

Params = Mapping[str, str | int | float] | None


@dataclass
class _HostGroup:
    """Requests to one group of hosts share a spacing interval and, for arXiv, a single connection."""

    interval: float
    single_connection: bool
    last: float | None = None  # clock() of the latest request start or end
    spacing: asyncio.Lock = field(default_factory=asyncio.Lock)
    connection: asyncio.Lock = field(default_factory=asyncio.Lock)


def parse_retry_after(value: str | None, *, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None if absent/garbled."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - now).total_seconds())


def backoff_delay(attempt: int, rng: Callable[[], float]) -> float:
    """Wait before retry number `attempt` (0-based): BACKOFF_BASE * 2**attempt, capped, plus jitter."""
    base = min(BACKOFF_MAX, BACKOFF_BASE * (2**attempt))
    return base * (1.0 + JITTER * rng())


def _netloc(url: str) -> str:
    parts = urlsplit(url)
    return (parts.hostname or "") + (f":{parts.port}" if parts.port else "")


class Http:
    """Async HTTP client. Use as `async with Http(settings) as http: await http.get_json(url)`."""

    def __init__(
        self,
        settings: Settings,
        *,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: Callable[[], float] = random.random,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self._sleep = sleep
        self._clock = clock
        self._rng = rng
        self._allowed = settings.allowed_hosts()
        self._client = httpx.AsyncClient(
            headers={"User-Agent": settings.user_agent},
            timeout=httpx.Timeout(settings.http_timeout),
            follow_redirects=True,
            transport=transport,
            # a redirect to a host outside the allow-list is refused like a direct request
            event_hooks={"request": [self._check_request]},
        )
        arxiv = _HostGroup(settings.arxiv_min_interval, single_connection=True)
        hf = _HostGroup(settings.hf_min_interval, single_connection=False)
        self._groups: dict[str, _HostGroup] = {}
        # HF first, arXiv second: if one server plays both (a mirror, a test), the stricter arXiv rule wins.
        for netloc in ("huggingface.co", _netloc(settings.hf_api_url)):
            self._groups[netloc] = hf
        for netloc in ("arxiv.org", "export.arxiv.org", _netloc(settings.arxiv_api_url),
                       _netloc(settings.arxiv_pdf_url), _netloc(settings.arxiv_html_url)):
            self._groups[netloc] = arxiv
        self._others: dict[str, _HostGroup] = {}
        self.attempts = 0  # requests actually sent (each retry counts), for tests and reports

    async def __aenter__(self) -> Http:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    # -- public API ------------------------------------------------------------------------------------------
    async def get_json(self, url: str, params: Params = None) -> Any:
        body, _ = await self.get_bytes(url, params, max_bytes=self.settings.max_json_bytes,
                                       accept="application/json")
        try:
            return json.loads(body)
        except ValueError as exc:
            raise FetchError(f"GET {url}: the response is not valid JSON ({exc})", url=url) from None

    async def get_text(self, url: str, params: Params = None, *, max_bytes: int | None = None) -> str:
        cap = max_bytes or self.settings.max_json_bytes
        body, content_type = await self.get_bytes(url, params, max_bytes=cap)
        charset = "utf-8"
        for part in content_type.split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip('"')
        try:
            return body.decode(charset, errors="replace")
        except LookupError:  # an unknown charset name from the server
            return body.decode("utf-8", errors="replace")

    async def get_bytes(
        self, url: str, params: Params = None, *, max_bytes: int | None = None, accept: str | None = None
    ) -> tuple[bytes, str]:
        """GET with retries; returns (body, content-type). Raises FetchError and its subclasses."""
        self._check_host(url)
        cap = max_bytes or self.settings.max_pdf_bytes
        headers = {"Accept": accept} if accept else {}
        attempts = 1 + max(0, self.settings.http_retries)
        last_problem = ""
        for attempt in range(attempts):
            wait: float | None = None
            try:
                status, body, content_type, retry_after = await self._attempt(url, params, headers, cap)
            except httpx.TransportError as exc:  # connect/read errors, timeouts, truncated bodies
                last_problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            else:
                if status < 400:
                    return body, content_type
                reason = httpx.codes.get_reason_phrase(status)
                if status not in RETRY_STATUSES:
                    raise FetchError(f"GET {url}: HTTP {status} {reason}".rstrip(), url=url, status=status)
                last_problem = f"HTTP {status} {reason}".rstrip()
                wait = retry_after
                if attempt == attempts - 1:
                    raise FetchError(f"GET {url}: {last_problem} after {attempts} attempt(s)", url=url,
                                     status=status)
            if attempt < attempts - 1:
                delay = min(wait, RETRY_AFTER_MAX) if wait is not None else backoff_delay(attempt, self._rng)
                await self._sleep(delay)
        raise FetchError(f"GET {url}: {last_problem} after {attempts} attempt(s)", url=url)

    # -- internals -------------------------------------------------------------------------------------------
    def _check_host(self, url: str) -> None:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or host not in self._allowed:
            raise HostNotAllowedError(
                f"refusing to fetch {url}: host {host or '?'} is not allowed "
                "(add it to the extra_allowed_hosts setting if you trust it)",
                url=url,
            )

    async def _check_request(self, request: httpx.Request) -> None:
        self._check_host(str(request.url))

    def _group(self, url: str) -> _HostGroup:
        netloc = _netloc(url)
        group = self._groups.get(netloc)
        if group is None:
            group = self._others.setdefault(netloc, _HostGroup(0.0, single_connection=False))
        return group

    async def _wait_turn(self, group: _HostGroup) -> None:
        async with group.spacing:
            if group.last is not None and group.interval > 0:
                wait = group.last + group.interval - self._clock()
                if wait > 0:
                    await self._sleep(wait)
            group.last = self._clock()

    async def _attempt(
        self, url: str, params: Params, headers: dict[str, str], cap: int
    ) -> tuple[int, bytes, str, float | None]:
        group = self._group(url)
        if group.single_connection:
            async with group.connection:
                return await self._send(group, url, params, headers, cap)
        return await self._send(group, url, params, headers, cap)

    async def _send(
        self, group: _HostGroup, url: str, params: Params, headers: dict[str, str], cap: int
    ) -> tuple[int, bytes, str, float | None]:
        await self._wait_turn(group)
        self.attempts += 1
        try:
            async with self._client.stream("GET", url, params=params, headers=headers) as response:
                content_type = response.headers.get("content-type", "")
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                if response.status_code >= 400:
                    await response.aclose()  # the error body is not needed
                    return response.status_code, b"", content_type, retry_after
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > cap:
                    raise ResponseTooLargeError(
                        f"GET {url}: the response is {int(declared):,} bytes, over the {cap:,}-byte cap",
                        url=url, status=response.status_code,
                    )
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > cap:
                        raise ResponseTooLargeError(
                            f"GET {url}: the response passed the {cap:,}-byte cap while downloading",
                            url=url, status=response.status_code,
                        )
                    chunks.append(chunk)
                return response.status_code, b"".join(chunks), content_type, retry_after
        finally:
            # the end of a request also counts for spacing: a slow PDF download is not followed at once
            group.last = self._clock()
