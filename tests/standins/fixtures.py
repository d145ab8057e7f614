"""pytest plugin (loaded from conftest.py): the HF Daily Papers + arXiv stand-in and settings for it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from dailypapers.config import Settings
from tests.standins.hf_arxiv import HfArxivStandIn
from tests.standins.slack import SlackStandIn
from tests.standins.smtp import SmtpStandIn
from tests.standins.webhook import WebhookStandIn


@pytest.fixture
def hf_arxiv() -> Iterator[HfArxivStandIn]:
    with HfArxivStandIn() as server:
        yield server


@pytest.fixture
def standin_settings(hf_arxiv: HfArxivStandIn, tmp_path: Any) -> Settings:
    """Settings with every base URL on the stand-in, no politeness delays, and a fresh database."""
    return Settings(db=tmp_path / "fetch.db", **hf_arxiv.settings_kwargs())


@pytest.fixture
def slack_api() -> Iterator[SlackStandIn]:
    with SlackStandIn() as server:
        yield server


@pytest.fixture(params=["none", "starttls", "ssl"])
def smtp(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[SmtpStandIn]:
    """A loopback SMTP server in each security mode the settings offer."""
    with SmtpStandIn(request.param, tmp_path) as server:
        yield server


@pytest.fixture
def smtp_plain(tmp_path: Any) -> Iterator[SmtpStandIn]:
    with SmtpStandIn("none", tmp_path) as server:
        yield server


@pytest.fixture
def webhook() -> Iterator[WebhookStandIn]:
    with WebhookStandIn() as server:
        yield server
