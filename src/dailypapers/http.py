"""The one HTTP client: every network request of dailypapers goes through `Http`.

It sends a descriptive User-Agent, applies timeouts and an overall deadline per request, retries transient
failures (408, 429, 5xx gateway errors, read errors, timeouts, truncated bodies) with exponential backoff and
jitter while honouring `Retry-After`, refuses origins (scheme, host, port) outside the allow-list before any
byte is sent (redirects included), and stops a download as soon as it passes its size cap.

Politeness is per **endpoint**, an URL prefix taken from the settings (not a host name, so one mirror or test
server can play several endpoints):
- the arXiv query API (`arxiv_api_url`): one connection, `arxiv_min_interval` (3 s) between requests, as
  arXiv's terms of use ask of its API;
- arXiv full texts (`arxiv_pdf_url`, `arxiv_html_url`): bursts of `fulltext_burst` (4) requests per
  `fulltext_period` (2 s: a second of burst, a second of pause), as arXiv's bulk-access guidance allows, over
  several connections; a paper's PDF fallback goes before other papers' first attempts (`priority`);
- the Hugging Face API (`hf_api_url`): `hf_min_interval` between requests.
A wait longer than a moment is reported through `on_wait(endpoint name, seconds)`.

A host that is clearly down does not cost a run minutes: a name that does not resolve fails at once and is not
retried, a refused connection is not retried, and after `BREAKER_THRESHOLD` consecutive connection failures
(or one name-resolution failure) a per-host circuit breaker fails every further request to it immediately,
with a message that says what to check.

Clock, sleep and the jitter source are injectable so tests can check every computed wait without sleeping.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import email.utils
import heapq
import itertools
import json
import random
import socket
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from dailypapers.loading import import_without

# httpx imports its own command line (`httpx.main`: click, pygments, rich's progress and syntax) when click is
# installed, and falls back to a stub when it is not: without click while httpx loads, a command that uses the
# network does not pay for a command line it never runs
import_without("httpx", {"click": None})

import httpx  # noqa: E402

from dailypapers.config import Settings, origin  # noqa: E402
from dailypapers.errors import (  # noqa: E402
    FetchError,
    HostNotAllowedError,
    HostUnreachableError,
    ResponseTooLargeError,
)

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
BACKOFF_BASE = 1.0  # seconds before the first retry; doubles each time
BACKOFF_MAX = 60.0  # no computed backoff waits longer than this
RETRY_AFTER_MAX = 120.0  # a server asking for more than this gets this; we do not hang a run for hours
JITTER = 0.25  # up to +25 % on top of the computed backoff, so concurrent clients do not retry in lock-step
BREAKER_THRESHOLD = 3  # consecutive connection failures that mark a host as down for the rest of the run
REPORTED_WAIT = 1.0  # waits at least this long are reported through on_wait

Params = Mapping[str, str | int | float] | None
OnWait = Callable[[str, float], None]


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


class Pace:
    """When requests to one endpoint may start: at least `interval` seconds after the previous request ended,
    and at most `burst` starts within any `period` seconds. Waiting requests go in (priority, arrival) order,
    lower priority first."""

    def __init__(self, *, interval: float = 0.0, burst: int = 0, period: float = 0.0,
                 clock: Callable[[], float], sleep: Callable[[float], Awaitable[Any]]) -> None:
        self.interval, self.burst, self.period = interval, burst, period
        self._clock, self._sleep = clock, sleep
        self._starts: collections.deque[float] = collections.deque()
        self._last_end: float | None = None
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._head: asyncio.Future[None] | None = None

    def _needed(self) -> float:
        now = self._clock()
        wait = 0.0
        if self.interval > 0 and self._last_end is not None:
            wait = self._last_end + self.interval - now
        if self.burst > 0:
            while self._starts and self._starts[0] <= now - self.period:
                self._starts.popleft()
            if len(self._starts) >= self.burst:
                wait = max(wait, self._starts[0] + self.period - now)
        return wait

    async def turn(self, priority: int, on_wait: Callable[[float], None]) -> None:
        """Wait until this request may start (then it counts as started)."""
        ticket: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._order), ticket))
        self._next()
        try:
            await ticket
            wait = self._needed()
            while wait > 0:
                if wait >= REPORTED_WAIT:
                    on_wait(wait)
                await self._sleep(wait)
                wait = self._needed()
            self._starts.append(self._clock())
        finally:
            if self._head is ticket:
                self._head = None
            elif not ticket.done():
                ticket.cancel()
            self._next()

    def ended(self) -> None:
        self._last_end = self._clock()

    def _next(self) -> None:
        while self._head is None and self._waiting:
            _, _, ticket = heapq.heappop(self._waiting)
            if not ticket.done():
                self._head = ticket
                ticket.set_result(None)


class Pacing(Protocol):
    """When requests to one endpoint may start (`Pace`, or a stand-in for one shared by many processes: the ray
    engine's pacing actor)."""

    async def turn(self, priority: int, on_wait: Callable[[float], None]) -> None: ...

    def ended(self) -> None: ...


@dataclass
class Endpoint:
    name: str  # shown to the user: "arXiv API", "arXiv full texts", "Hugging Face"
    prefix: str
    setting: str  # the setting that names its URL, for error messages
    pace: Pacing
    single_connection: bool = False
    connection: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass
class _Breaker:
    failures: int = 0
    down: str = ""  # the failure that opened it


def connection_failure(exc: BaseException) -> str | None:
    """What kind of connection failure `exc` is, from its causes: 'dns', 'refused', or None (another). A host
    with several addresses (localhost: ::1 and 127.0.0.1) fails with a group of errors ("All connection attempts
    failed"): refused when every address refused."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            break
        if isinstance(seen, socket.gaierror):
            return "dns"
        if isinstance(seen, ConnectionRefusedError):
            return "refused"
        if isinstance(seen, BaseExceptionGroup):
            kinds = {connection_failure(e) for e in seen.exceptions}
            return kinds.pop() if len(kinds) == 1 else None
        seen = seen.__cause__ or seen.__context__
    text = str(exc).lower()
    if "name or service not known" in text or "name resolution" in text or "nodename nor servname" in text:
        return "dns"
    if "connection refused" in text:
        return "refused"
    return None


ARXIV_API, FULL_TEXTS, HUGGING_FACE = "arXiv API", "arXiv full texts", "Hugging Face"
ENDPOINTS = (ARXIV_API, FULL_TEXTS, HUGGING_FACE)


def pacing(settings: Settings) -> dict[str, dict[str, Any]]:
    """Each endpoint's `Pace` arguments (interval, burst, period), from the settings."""
    return {
        ARXIV_API: {"interval": settings.arxiv_min_interval},
        FULL_TEXTS: {"burst": settings.fulltext_burst, "period": settings.fulltext_period},
        HUGGING_FACE: {"interval": settings.hf_min_interval},
    }


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
        on_wait: OnWait | None = None,
        paces: Mapping[str, Pacing] | None = None,
    ) -> None:
        """`paces`: by endpoint name (`ENDPOINTS`), the pacing to use instead of this client's own (one pace
        shared by the clients of many processes)."""
        self.settings = settings
        self._sleep = sleep
        self._clock = clock
        self._rng = rng
        self._on_wait = on_wait or (lambda name, seconds: None)
        self._allowed = settings.allowed_origins()
        self._client = httpx.AsyncClient(
            headers={"User-Agent": settings.user_agent},
            timeout=httpx.Timeout(settings.http_timeout),
            follow_redirects=True,
            transport=transport,
            # a redirect to an origin outside the allow-list is refused like a direct request
            event_hooks={"request": [self._check_request]},
        )

        def pace(**kw: Any) -> Pace:
            return Pace(clock=clock, sleep=sleep, **kw)

        shared = dict(paces or {})
        own = {name: shared.get(name) or pace(**kw) for name, kw in pacing(settings).items()}
        self._endpoints = sorted(
            (
                Endpoint(ARXIV_API, settings.arxiv_api_url, "arxiv_api_url", own[ARXIV_API], single_connection=True),
                Endpoint(FULL_TEXTS, settings.arxiv_pdf_url, "arxiv_pdf_url", own[FULL_TEXTS]),
                Endpoint(FULL_TEXTS, settings.arxiv_html_url, "arxiv_html_url", own[FULL_TEXTS]),
                Endpoint(HUGGING_FACE, settings.hf_api_url, "hf_api_url", own[HUGGING_FACE]),
            ),
            key=lambda e: -len(e.prefix),  # the longest prefix wins
        )
        self._breakers: dict[str, _Breaker] = {}
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
        except (ValueError, RecursionError) as exc:  # RecursionError: JSON nested thousands deep
            problem = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            raise FetchError(f"GET {url}: the response is not valid JSON ({problem})", url=url) from None

    async def get_text(self, url: str, params: Params = None, *, max_bytes: int | None = None,
                       priority: int = 1) -> str:
        cap = max_bytes or self.settings.max_json_bytes
        body, content_type = await self.get_bytes(url, params, max_bytes=cap, priority=priority)
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
        self, url: str, params: Params = None, *, max_bytes: int | None = None, accept: str | None = None,
        priority: int = 1,
    ) -> tuple[bytes, str]:
        """GET with retries; returns (body, content-type). Raises FetchError and its subclasses.

        `priority` orders requests waiting for the same endpoint: 0 goes before 1 (a fallback before others'
        first attempts)."""
        self._check_url(url)
        host = origin(url)[1]
        cap = max_bytes or self.settings.max_pdf_bytes
        headers = {"Accept": accept} if accept else {}
        attempts = 1 + max(0, self.settings.http_retries)
        last_problem = ""
        for attempt in range(attempts):
            self._check_breaker(url, host)
            wait: float | None = None
            try:
                status, body, content_type, retry_after = await self._attempt(url, params, headers, cap, priority)
            except httpx.TransportError as exc:  # connect/read errors, timeouts, truncated bodies
                last_problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                kind = connection_failure(exc)
                if kind is not None or isinstance(exc, httpx.ConnectTimeout):
                    self._connection_failed(host, kind, last_problem)
                if kind is not None:  # a name that does not resolve or a closed port: retrying will not help
                    raise self._unreachable(url, host, last_problem) from None
            else:
                self._breakers.pop(host, None)
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
    def _check_url(self, url: str) -> None:
        scheme, host, port = where = origin(url)
        if where not in self._allowed:
            shown = f"{scheme}://{host}:{port}" if host else url
            raise HostNotAllowedError(
                f"refusing to fetch {url}: {shown} is not allowed "
                "(add it to the extra_allowed_hosts setting if you trust it)",
                url=url,
            )

    async def _check_request(self, request: httpx.Request) -> None:
        self._check_url(str(request.url))

    def _endpoint(self, url: str) -> Endpoint | None:
        for endpoint in self._endpoints:
            if url.startswith(endpoint.prefix.rstrip("/") + "/") or url == endpoint.prefix:
                return endpoint
        return None

    def _check_breaker(self, url: str, host: str) -> None:
        breaker = self._breakers.get(host)
        if breaker is not None and breaker.down:
            raise self._unreachable(url, host, breaker.down)

    def _connection_failed(self, host: str, kind: str | None, problem: str) -> None:
        breaker = self._breakers.setdefault(host, _Breaker())
        breaker.failures += 1
        if kind == "dns" or breaker.failures >= BREAKER_THRESHOLD:
            breaker.down = problem

    def _unreachable(self, url: str, host: str, problem: str) -> HostUnreachableError:
        endpoint = self._endpoint(url)
        setting = f" and the {endpoint.setting} setting" if endpoint else ""
        checks = f"cannot reach {host} ({problem}): check the network connection{setting}"
        return HostUnreachableError(f"{checks}; local PDFs work offline with --source DIR", url=url, problem=checks)

    async def _attempt(
        self, url: str, params: Params, headers: dict[str, str], cap: int, priority: int
    ) -> tuple[int, bytes, str, float | None]:
        endpoint = self._endpoint(url)
        if endpoint is None:
            return await self._send(url, params, headers, cap)
        async with endpoint.connection if endpoint.single_connection else contextlib.nullcontext():
            await endpoint.pace.turn(priority, lambda seconds: self._on_wait(endpoint.name, seconds))
            try:
                return await self._send(url, params, headers, cap)
            finally:
                # the end of a request also counts for spacing: a slow download is not followed at once
                endpoint.pace.ended()

    async def _send(
        self, url: str, params: Params, headers: dict[str, str], cap: int
    ) -> tuple[int, bytes, str, float | None]:
        self.attempts += 1
        deadline = self.settings.download_deadline
        try:
            async with asyncio.timeout(deadline), self._client.stream("GET", url, params=params,
                                                                      headers=headers) as response:
                return await self._read(url, response, cap)
        except TimeoutError:  # the whole request, not one read: a trickling server fails, and is not retried
            raise FetchError(f"GET {url}: no complete answer within {deadline:g} s (download_deadline)",
                             url=url) from None
        except httpx.TooManyRedirects:
            raise FetchError(f"GET {url}: too many redirects", url=url) from None
        except httpx.DecodingError as exc:
            raise FetchError(f"GET {url}: the response cannot be decoded ({exc})", url=url) from None
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise FetchError(f"GET {url}: {exc}", url=url) from None
        except httpx.RemoteProtocolError as exc:
            if "location header" not in str(exc).lower():
                raise  # a broken connection: retried by the caller
            # a redirect to an address that is no URL: asking again gets the same answer
            raise FetchError(f"GET {url}: the server redirected to a malformed address ({exc})", url=url) from None
        except UnicodeError as exc:  # a redirect to a host name IDNA cannot encode
            raise FetchError(f"GET {url}: the server redirected to a malformed address ({exc})", url=url) from None

    async def _read(self, url: str, response: httpx.Response, cap: int) -> tuple[int, bytes, str, float | None]:
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
