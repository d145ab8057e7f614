"""The stand-ins themselves: a handler that raises fails the test that used it (and the client gets an answer
no client retries), instead of passing as a server error the code under test may retry and survive."""

from __future__ import annotations

import httpx
import pytest

from tests.standins.base import STAND_IN_BUG, Reply, StandIn, StandInBug


@pytest.mark.slow  # a loopback server
def test_a_handler_that_raises_fails_the_test_when_the_stand_in_stops() -> None:
    server = StandIn()
    server.route("GET", "/ok", lambda r: Reply.json({"ok": True}))
    server.route("GET", "/buggy", lambda r: {}["missing"])
    server.start()
    try:
        assert httpx.get(f"{server.url}/ok", timeout=5).status_code == 200
        answer = httpx.get(f"{server.url}/buggy", timeout=5)
        assert answer.status_code == STAND_IN_BUG and 400 <= STAND_IN_BUG < 500  # not retried by any client
    finally:
        with pytest.raises(StandInBug, match=r"GET /buggy:[\s\S]*KeyError: 'missing'"):
            server.stop()
