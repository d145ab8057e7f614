"""Shared fixtures: an isolated data/config dir and a fresh database for every test."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["tests.standins.fixtures", "tests.standins.openai_fixtures"]

SEED_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "seed"
SEED_FILE = SEED_DIR / "000_489a1fdfcdb5ea28.txt"


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
    for var in ("OPENAI_API_KEY", "DAILYPAPERS_DB", "DAILYPAPERS_CONFIG", "DAILYPAPERS_LLM_BASE_URL",
                "DAILYPAPERS_LLM_MODEL", "DAILYPAPERS_LLM_API_KEY", "DAILYPAPERS_LANG"):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.db"
