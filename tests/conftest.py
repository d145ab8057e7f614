"""Shared fixtures: an isolated data/config dir and a fresh database for every test."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["tests.standins.fixtures", "tests.standins.openai_fixtures"]

SEED_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "seed"
SEED_FILE = SEED_DIR / "000_489a1fdfcdb5ea28.txt"

# A test that uses one of these starts a server (a stand-in, the app under uvicorn) or the browser: it is
# `slow`, so `pytest -m "not slow"` is the quick loop (CI runs everything). Tests that start subprocesses or
# PDF workers without them carry the mark themselves.
SLOW_FIXTURES = frozenset({"hf_arxiv", "standin_settings", "openai_standin", "slack_api", "smtp", "smtp_plain",
                           "webhook", "browser", "page", "live_url", "static_url", "server"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def quick_tests_stay_quick(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test not marked `slow` may not start a subprocess, a PDF worker or a stand-in server: it fails saying
    so, and the mark keeps `pytest -m "not slow"` the quick loop it is meant to be."""
    if request.node.get_closest_marker("slow") is not None:
        return
    import subprocess

    from dailypapers.documents import pdf
    from tests.standins.base import StandIn

    def refuse(what: str):  # type: ignore[no-untyped-def]
        def refused(*args: object, **kwargs: object) -> None:
            pytest.fail(f"this test starts {what}: mark it @pytest.mark.slow", pytrace=False)
        return refused

    monkeypatch.setattr(subprocess, "Popen", refuse("a subprocess"))
    monkeypatch.setattr(pdf, "_in_worker", refuse("a PDF worker"))
    monkeypatch.setattr(StandIn, "start", refuse("a stand-in server"))


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads the developer's real config or database, or a key from their environment."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    # A test that forgets to point a base URL at a stand-in fails fast on a closed loopback port instead of
    # reaching for the real services (tests that need a URL set their own, which wins).
    for name in ("HF_API_URL", "ARXIV_API_URL", "ARXIV_PDF_URL", "ARXIV_HTML_URL"):
        monkeypatch.setenv(f"DAILYPAPERS_{name}", "http://127.0.0.1:9/unset-in-tests")
    monkeypatch.setenv("DAILYPAPERS_HTTP_RETRIES", "0")
    # Runs embed their papers with the bundled model by default (a second or so a run): tests that are not
    # about meaning leave it off; those that are set `embedder` themselves (tests/test_meaning.py)
    monkeypatch.setenv("DAILYPAPERS_EMBEDDER", "off")
    for var in ("OPENAI_API_KEY", "DAILYPAPERS_DB", "DAILYPAPERS_CONFIG", "DAILYPAPERS_LLM_BASE_URL",
                "DAILYPAPERS_LLM_MODEL", "DAILYPAPERS_LLM_API_KEY", "DAILYPAPERS_LANG"):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.db"
