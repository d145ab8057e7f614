"""The layers import one way (docs/architecture.md): the import-linter contracts in pyproject.toml hold, and
the lower layers, imported alone, load nothing above them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow  # each test runs a subprocess (lint-imports, a fresh interpreter)


def test_the_import_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache", "--config", str(ROOT / "pyproject.toml")], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def loaded_by(module: str) -> set[str]:
    """The dailypapers modules, and the libraries only upper layers use, that importing `module` alone loads."""
    code = (f"import sys, json; import {module}; "
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('dailypapers', 'jinja2', 'typer', 'pydantic_settings'))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         check=True)
    return set(json.loads(out.stdout))


def test_the_archive_loads_no_publisher_config_or_plugin_code() -> None:
    loaded = loaded_by("dailypapers.store")
    assert "dailypapers.store" in loaded
    above = {m for m in loaded if m.startswith(("dailypapers.publish", "dailypapers.config", "dailypapers.plugins",
                                                 "dailypapers.pipeline", "dailypapers.api", "pydantic_settings",
                                                 "jinja2", "typer"))}
    assert above == set()


def test_the_digest_format_loads_only_the_layers_below_it() -> None:
    loaded = {m for m in loaded_by("dailypapers.digestformat") if m.startswith("dailypapers.")}
    below = {"dailypapers.text", "dailypapers.models", "dailypapers.errors", "dailypapers.arxiv_id"}
    assert {m for m in loaded if not m.startswith("dailypapers.digestformat")} == below
