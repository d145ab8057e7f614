"""`dailypapers digest` and `dailypapers config` argument handling through Typer's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dailypapers.cli import app


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, list(args), env=env)


def test_config_shows_effective_settings_with_the_key_redacted(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('lang = "ja"\nconcurrency = 7\nllm_model = "from-file"\n', encoding="utf-8")
    secret = "sk-abcdefghijklmnop1234"
    result = invoke("--config", str(cfg), "config",
                    env={"DAILYPAPERS_LLM_API_KEY": secret, "DAILYPAPERS_LLM_MODEL": "from-env"})
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)  # the files read are listed on stderr
    assert shown["lang"] == "ja" and shown["concurrency"] == 7  # from the file
    assert shown["llm_model"] == "from-env"  # env beats the file
    assert secret not in result.output and shown["llm_api_key"].startswith("sk-")


@pytest.mark.parametrize(
    ("args", "env", "needle"),
    [
        (["digest", "2025-13-40"], {}, "bad date"),
        (["digest", "--concurrency", "0"], {}, "concurrency"),
        (["--config", "{cfg}", "digest"], {}, "cannot read config file"),
        (["digest", "--source", "/no/such/folder"], {}, "unknown source"),
        (["digest", "--base-url", "http://127.0.0.1:9/v1"], {}, "llm_model"),
        (["digest", "--lang", "k0r!"], {}, "unknown language code"),
    ],
)
def test_bad_input_is_one_line_and_no_traceback(tmp_path: Path, args: list[str], env: dict, needle: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("this is = not [toml", encoding="utf-8")
    args = [a.replace("{cfg}", str(bad)) for a in args]
    result = invoke("--db", str(tmp_path / "x.db"), *args, env=env)
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and needle in lines[0], result.output


def test_limit_below_one_is_refused_before_any_request(tmp_path: Path) -> None:
    result = invoke("--db", str(tmp_path / "x.db"), "digest", "--limit", "0")
    assert result.exit_code == 2
    assert "--limit must be at least 1" in result.output
