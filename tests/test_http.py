"""The HTTP client: retries and backoff, Retry-After, rate limits, allow-list, size caps (no real sleeps)."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import threading
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from dailypapers.config import Settings
from dailypapers.errors import FetchError, HostNotAllowedError, HostUnreachableError, ResponseTooLargeError
from dailypapers.http import BREAKER_THRESHOLD, RETRY_AFTER_MAX, Http, parse_retry_after
from tests.standins.base import Reply, Request, StandIn


class FakeTime:
    """An injected clock and sleep: sleeping advances the clock and is recorded, nothing really waits."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


@pytest.fixture
def server() -> Iterator[StandIn]:
    with StandIn() as s:
        s.route("GET", "/ok", lambda r: Reply.json({"ok": True, "q": r.query}))
        s.route("GET", "/api/", lambda r: Reply.json({"ok": True}))
        s.route("GET", "/big", lambda r: Reply(body=b"x" * 10_000, content_type="application/octet-stream"))
        yield s


def make_settings(server: StandIn, **kw: object) -> Settings:
    base = {"hf_api_url": f"{server.url}/api", "arxiv_api_url": "https://export.arxiv.org/api/query",
            "hf_min_interval": 0.0, "arxiv_min_interval": 0.0, "http_retries": 3, "http_timeout": 5.0}
    base.update(kw)
    return Settings(**base)  # type: ignore[arg-type]


def client(settings: Settings, t: FakeTime, rng: float = 0.0, **kw: object) -> Http:
    return Http(settings, sleep=t.sleep, clock=t.clock, rng=lambda: rng, **kw)  # type: ignore[arg-type]


async def test_get_json_sends_user_agent_and_params(server: StandIn) -> None:
    t = FakeTime()
    settings = make_settings(server)
    async with client(settings, t) as http:
        data = await http.get_json(f"{server.url}/ok", {"p": 2, "date": "2026-06-12"})
    assert data == {"ok": True, "q": {"p": "2", "date": "2026-06-12"}}
    assert server.requests[0].headers["user-agent"] == settings.user_agent
    assert t.sleeps == []


async def test_retries_5xx_with_exponential_backoff(server: StandIn) -> None:
    server.fault("/ok", Reply.json({"e": 1}, status=503), times=3)
    t = FakeTime()
    async with client(make_settings(server), t) as http:
        assert (await http.get_json(f"{server.url}/ok"))["ok"] is True
    assert t.sleeps == [1.0, 2.0, 4.0]
    assert len(server.requests_to("/ok")) == 4


async def test_jitter_adds_up_to_a_quarter(server: StandIn) -> None:
    server.fault("/ok", Reply.json({}, status=502), times=2)
    t = FakeTime()
    async with client(make_settings(server), t, rng=1.0) as http:
        await http.get_json(f"{server.url}/ok")
    assert t.sleeps == [1.25, 2.5]


async def test_gives_up_after_the_configured_retries(server: StandIn) -> None:
    server.fault("/ok", Reply.json({}, status=500), times=10)
    t = FakeTime()
    async with client(make_settings(server, http_retries=2), t) as http:
        with pytest.raises(FetchError) as info:
            await http.get_json(f"{server.url}/ok")
    assert info.value.status == 500
    assert "after 3 attempt" in str(info.value)
    assert len(server.requests_to("/ok")) == 3
    assert t.sleeps == [1.0, 2.0]


async def test_retry_after_seconds_is_honoured(server: StandIn) -> None:
    server.fault("/ok", Reply.json({}, status=429, headers={"Retry-After": "7"}))
    t = FakeTime()
    async with client(make_settings(server), t) as http:
        await http.get_json(f"{server.url}/ok")
    assert t.sleeps == [7.0]


async def test_retry_after_http_date_is_capped(server: StandIn) -> None:
    later = email.utils.format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(hours=5), usegmt=True)
    server.fault("/ok", Reply.json({}, status=503, headers={"Retry-After": later}))
    t = FakeTime()
    async with client(make_settings(server), t) as http:
        await http.get_json(f"{server.url}/ok")
    assert t.sleeps == [RETRY_AFTER_MAX]


def test_parse_retry_after_forms() -> None:
    now = dt.datetime(2026, 6, 12, 12, 0, tzinfo=dt.UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Fri, 12 Jun 2026 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Fri, 12 Jun 2026 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


@pytest.mark.parametrize("status", [400, 403, 404, 410])
async def test_other_4xx_are_not_retried(server: StandIn, status: int) -> None:
    server.fault("/ok", Reply.json({"error": "no"}, status=status))
    t = FakeTime()
    async with client(make_settings(server), t) as http:
        with pytest.raises(FetchError) as info:
            await http.get_json(f"{server.url}/ok")
    assert info.value.status == status
    assert f"HTTP {status}" in str(info.value)
    assert len(server.requests_to("/ok")) == 1
    assert t.sleeps == []


def _closed_port() -> int:
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


async def test_a_refused_connection_is_not_retried_and_the_host_is_marked_down() -> None:
    port = _closed_port()
    settings = Settings(hf_api_url=f"http://127.0.0.1:{port}/api", http_retries=5, hf_min_interval=0.0)
    t = FakeTime()
    async with client(settings, t) as http:
        for _ in range(BREAKER_THRESHOLD):
            with pytest.raises(HostUnreachableError) as info:
                await http.get_json(f"http://127.0.0.1:{port}/api/daily_papers")
        assert http.attempts == BREAKER_THRESHOLD  # one attempt each, no retries
        # the breaker is open: no more attempts at all
        with pytest.raises(HostUnreachableError):
            await http.get_json(f"http://127.0.0.1:{port}/api/daily_papers")
        assert http.attempts == BREAKER_THRESHOLD
    message = str(info.value)
    assert "cannot reach 127.0.0.1" in message and "ConnectError" in message
    assert "check the network connection and the hf_api_url setting" in message and "--source DIR" in message
    assert info.value.status is None
    assert t.sleeps == []


async def test_a_name_that_does_not_resolve_fails_at_once_for_the_whole_run() -> None:
    import socket

    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        try:
            raise socket.gaierror(-2, "Name or service not known")
        except socket.gaierror as exc:
            raise httpx.ConnectError("[Errno -2] Name or service not known") from exc

    t = FakeTime()
    settings = Settings(hf_api_url="https://huggingface.co/api")
    async with client(settings, t, transport=httpx.MockTransport(handler)) as http:
        with pytest.raises(HostUnreachableError, match=r"cannot reach huggingface.co .*hf_api_url"):
            await http.get_json("https://huggingface.co/api/daily_papers")
        with pytest.raises(HostUnreachableError):
            await http.get_json("https://huggingface.co/api/daily_papers")
    assert len(calls) == 1 and t.sleeps == []


async def test_a_connect_timeout_is_retried() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) < 3:
            raise httpx.ConnectTimeout("timed out")
        return httpx.Response(200, json={"ok": True})

    t = FakeTime()
    async with client(Settings(http_retries=5), t, transport=httpx.MockTransport(handler)) as http:
        assert await http.get_json("https://huggingface.co/api/x") == {"ok": True}
    assert len(calls) == 3 and t.sleeps == [1.0, 2.0]


async def test_a_trickling_server_fails_at_the_deadline_without_retries(server: StandIn) -> None:
    server.route("GET", "/slowpdf", lambda r: Reply(body=b"%PDF" + b"x" * 4000, trickle=0.05,
                                                     content_type="application/pdf"))
    settings = make_settings(server, download_deadline=0.5, http_timeout=5.0)
    started = time.monotonic()
    async with Http(settings) as http:
        with pytest.raises(FetchError, match=r"no complete answer within 0.5 s \(download_deadline\)"):
            await http.get_bytes(f"{server.url}/slowpdf")
        assert http.attempts == 1
    assert time.monotonic() - started < 5  # bounded by the deadline, not by the body's 12 s


async def test_redirect_loops_bad_gzip_and_deep_json_are_fetch_errors(server: StandIn) -> None:
    server.route("GET", "/loop", lambda r: Reply(status=302, headers={"Location": "/loop"}, body=b""))
    server.route("GET", "/gzip", lambda r: Reply(body=b"not gzip at all", content_type="application/json",
                                                 headers={"Content-Encoding": "gzip"}))
    server.route("GET", "/deep", lambda r: Reply(body=b"[" * 100_000 + b"]" * 100_000))
    t = FakeTime()
    async with client(make_settings(server), t) as http:
        with pytest.raises(FetchError, match="too many redirects"):
            await http.get_json(f"{server.url}/loop")
        with pytest.raises(FetchError, match="cannot be decoded"):
            await http.get_json(f"{server.url}/gzip")
        with pytest.raises(FetchError, match="nested too deeply"):
            await http.get_json(f"{server.url}/deep")


@pytest.mark.parametrize("location", ["http://127.0.0.1:abc/", "http://[::1", "h\x7ftp://x", "http://xn--/"])
async def test_a_redirect_to_a_malformed_address_is_not_retried(server: StandIn, location: str) -> None:
    """Asking again gets the same broken `Location`: one request, one error that says what was wrong (it was
    retried as a broken connection, 6 times over 37 s)."""
    server.route("GET", "/broken", lambda r: Reply(status=302, headers={"Location": location}))
    t = FakeTime()
    async with client(make_settings(server), t) as http:
        with pytest.raises(FetchError, match="redirected to a malformed address"):
            await http.get_bytes(f"{server.url}/broken")
    assert len(server.requests_to("/broken")) == 1 and t.sleeps == []


async def test_truncated_body_is_retried(server: StandIn) -> None:
    body = b'{"ok": true, "padding": "' + b"y" * 5000 + b'"}'
    server.fault("/ok", Reply(body=body, truncate_to=100))
    t = FakeTime()
    async with client(make_settings(server), t) as http:
        data = await http.get_json(f"{server.url}/ok")
    assert data["ok"] is True
    assert len(server.requests_to("/ok")) == 2
    assert t.sleeps == [1.0]


async def test_host_not_in_allow_list_is_refused_without_a_request(server: StandIn) -> None:
    t = FakeTime()
    async with client(make_settings(server), t) as http:
        with pytest.raises(HostNotAllowedError):
            await http.get_bytes("https://evil.example/paper.pdf")
        with pytest.raises(HostNotAllowedError):
            await http.get_bytes("file:///etc/passwd")
    assert server.requests == []


async def test_redirect_to_a_foreign_host_is_refused(server: StandIn) -> None:
    server.route("GET", "/moved", lambda r: Reply(status=302, headers={"Location": "http://evil.example/x"}))
    t = FakeTime()
    async with client(make_settings(server), t) as http:
        with pytest.raises(HostNotAllowedError):
            await http.get_bytes(f"{server.url}/moved")


async def test_extra_allowed_hosts_setting_allows_an_origin(server: StandIn) -> None:
    port = server.url.rsplit(":", 1)[1]
    t = FakeTime()
    for allowed in (f"127.0.0.1:{port}", server.url):
        async with client(Settings(extra_allowed_hosts=[allowed]), t) as http:
            assert (await http.get_json(f"{server.url}/ok"))["ok"] is True
    async with client(Settings(extra_allowed_hosts=["127.0.0.1"]), t) as http:  # ports 80 and 443 only
        with pytest.raises(HostNotAllowedError, match=f"http://127.0.0.1:{port} is not allowed"):
            await http.get_json(f"{server.url}/ok")


async def test_a_redirect_to_another_port_of_an_allowed_host_is_refused(server: StandIn) -> None:
    other = _closed_port()
    server.route("GET", "/hop", lambda r: Reply(status=302, headers={"Location": f"http://127.0.0.1:{other}/x"}))
    t = FakeTime()
    async with client(make_settings(server), t) as http:
        with pytest.raises(HostNotAllowedError, match=f"127.0.0.1:{other} is not allowed"):
            await http.get_bytes(f"{server.url}/hop")


async def test_declared_size_over_the_cap_is_refused(server: StandIn) -> None:
    t = FakeTime()
    async with client(make_settings(server), t) as http:
        with pytest.raises(ResponseTooLargeError):
            await http.get_bytes(f"{server.url}/big", max_bytes=1000)
        body, _ = await http.get_bytes(f"{server.url}/big", max_bytes=10_000)
    assert len(body) == 10_000


async def test_size_cap_is_enforced_while_streaming() -> None:
    """No Content-Length: the client must stop reading once the cap is passed, not after the whole body."""
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(1000):
            sent += 1
            yield b"z" * 1024

    class Stream(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            async for c in chunks():
                yield c

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Stream(), headers={"content-type": "application/pdf"})

    settings = Settings(hf_min_interval=0.0, arxiv_min_interval=0.0)
    t = FakeTime()
    async with client(settings, t, transport=httpx.MockTransport(handler)) as http:
        with pytest.raises(ResponseTooLargeError):
            await http.get_bytes("https://arxiv.org/pdf/2501.01234", max_bytes=10 * 1024)
    assert sent <= 12


async def test_arxiv_requests_are_spaced_by_the_min_interval(server: StandIn) -> None:
    settings = make_settings(server, arxiv_api_url=f"{server.url}/ok", arxiv_min_interval=3.0)
    t = FakeTime()
    async with client(settings, t) as http:
        for _ in range(3):
            await http.get_json(f"{server.url}/ok")
    assert t.sleeps == [3.0, 3.0]


async def test_hf_interval_and_time_already_passed(server: StandIn) -> None:
    settings = make_settings(server, hf_min_interval=0.5)
    t = FakeTime()
    async with client(settings, t) as http:
        await http.get_json(f"{server.url}/api/daily_papers")
        t.now += 0.2  # some time passes between requests: only the rest is waited
        await http.get_json(f"{server.url}/api/daily_papers")
        t.now += 5.0
        await http.get_json(f"{server.url}/api/daily_papers")
        await http.get_json(f"{server.url}/ok")  # not under hf_api_url: another endpoint, not paced
    assert t.sleeps == [0.3]


async def test_full_texts_go_in_bursts_and_fallbacks_go_first() -> None:
    started: list[tuple[str, float]] = []
    t = FakeTime()

    def handler(request: httpx.Request) -> httpx.Response:
        started.append((request.url.path, t.now))
        return httpx.Response(200, content=b"%PDF-1.4 x", headers={"content-type": "application/pdf"})

    async def yielding_sleep(seconds: float) -> None:
        await t.sleep(seconds)
        await asyncio.sleep(0)  # let other requests queue up meanwhile, as a real wait would

    base = "https://export.arxiv.org"
    settings = Settings(arxiv_pdf_url=f"{base}/pdf", arxiv_api_url=f"{base}/api/query", arxiv_min_interval=3.0,
                        fulltext_burst=4, fulltext_period=2.0)
    waits: list[tuple[str, float]] = []
    http = Http(settings, sleep=yielding_sleep, clock=t.clock, rng=lambda: 0.0,
                transport=httpx.MockTransport(handler), on_wait=lambda name, s: waits.append((name, s)))
    async with http:
        first = [http.get_bytes(f"{base}/pdf/{i}") for i in range(6)]
        fallback = http.get_bytes(f"{base}/pdf/fallback", priority=0)
        await asyncio.gather(*first, fallback)
        await http.get_bytes(f"{base}/api/query")  # the query API is its own endpoint on the same host
    assert started[:4] == [(f"/pdf/{i}", 1000.0) for i in range(4)]  # the first burst
    # /pdf/4 was already next when the fallback arrived; the fallback then goes before /pdf/5
    assert started[4:7] == [("/pdf/4", 1002.0), ("/pdf/fallback", 1002.0), ("/pdf/5", 1002.0)]
    assert started[7] == ("/api/query", 1002.0)  # not paced by the full texts' bursts
    assert waits == [("arXiv full texts", 2.0)]


def _concurrency_probe(server: StandIn) -> dict[str, int]:
    state = {"now": 0, "max": 0}
    lock = threading.Lock()

    def slow(_: Request) -> Reply:
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.05)
        with lock:
            state["now"] -= 1
        return Reply.json({"ok": True})

    server.route("GET", "/slow", slow)
    return state


@pytest.mark.slow  # stand-in servers
async def test_arxiv_uses_one_connection_at_a_time_but_others_run_in_parallel() -> None:
    with StandIn() as arxiv_server, StandIn() as other:
        arxiv_state = _concurrency_probe(arxiv_server)
        other_state = _concurrency_probe(other)
        settings = Settings(arxiv_api_url=f"{arxiv_server.url}/slow", hf_api_url=f"{other.url}/api",
                            arxiv_min_interval=0.0, hf_min_interval=0.0)
        async with Http(settings) as http:
            await asyncio.gather(*(http.get_json(f"{arxiv_server.url}/slow") for _ in range(4)))
            await asyncio.gather(*(http.get_json(f"{other.url}/slow") for _ in range(4)))
    assert arxiv_state["max"] == 1
    assert other_state["max"] > 1


async def test_concurrent_downloads_get_their_own_bodies(server: StandIn) -> None:
    server.route("GET", "/echo/", lambda r: Reply(body=(r.path * 2000).encode(), content_type="text/plain"))
    t = FakeTime()
    async with client(make_settings(server), t) as http:
        results = await asyncio.gather(*(http.get_bytes(f"{server.url}/echo/{i}") for i in range(8)))
    for i, (body, content_type) in enumerate(results):
        assert body == (f"/echo/{i}" * 2000).encode()
        assert content_type == "text/plain"


async def test_invalid_json_is_a_fetch_error(server: StandIn) -> None:
    server.route("GET", "/notjson", lambda r: Reply(body=b"<html>oops</html>", content_type="text/html"))
    t = FakeTime()
    async with client(make_settings(server), t) as http:
        with pytest.raises(FetchError, match="not valid JSON"):
            await http.get_json(f"{server.url}/notjson")
