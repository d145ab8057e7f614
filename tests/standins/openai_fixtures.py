"""pytest fixtures for the stand-in OpenAI server (registered by `pytest_plugins` in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.standins.openai_server import OpenAIStandIn


@pytest.fixture
def openai_standin() -> Iterator[OpenAIStandIn]:
    """A running stand-in that accepts JSON-schema output; reconfigure `.supports`, `.responder` per test."""
    with OpenAIStandIn() as server:
        yield server
