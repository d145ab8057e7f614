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
from dailypapers.errors import FetchError, HostNotAllowedError, ResponseTooLargeError
from dailypapers.http import RETRY_AFTER_MAX, Http, parse_retry_after
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


async def test_connection_errors_are_retried_then_reported() -> None:
    # a port nobody listens on: bind, learn the port, close
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    settings = Settings(hf_api_url=f"http://127.0.0.1:{port}/api", http_retries=2, hf_min_interval=0.0)
    t = FakeTime()
    async with client(settings, t) as http:
        with pytest.raises(FetchError) as info:
            await http.get_json(f"http://127.0.0.1:{port}/api/daily_papers")
    assert info.value.status is None
    assert "ConnectError" in str(info.value)
    assert t.sleeps == [1.0, 2.0]


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


async def test_extra_allowed_hosts_setting_allows_a_host(server: StandIn) -> None:
    settings = Settings(extra_allowed_hosts=["127.0.0.1"], hf_min_interval=0.0)
    t = FakeTime()
    async with client(settings, t) as http:
        assert (await http.get_json(f"{server.url}/ok"))["ok"] is True


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
        await http.get_json(f"{server.url}/ok")
        t.now += 0.2  # some time passes between requests: only the rest is waited
        await http.get_json(f"{server.url}/ok")
        t.now += 5.0
        await http.get_json(f"{server.url}/ok")
    assert t.sleeps == [0.3]


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


async def test_arxiv_uses_one_connection_at_a_time_but_others_run_in_parallel() -> None:
    with StandIn() as arxiv_server, StandIn() as other:
        arxiv_state = _concurrency_probe(arxiv_server)
        other_state = _concurrency_probe(other)
        settings = Settings(arxiv_api_url=f"{arxiv_server.url}/api/query", hf_api_url=f"{other.url}/api",
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
