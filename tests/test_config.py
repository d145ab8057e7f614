"""Settings layering: flags > environment > TOML file > defaults, through pydantic-settings' own sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from dailypapers.config import load_settings
from dailypapers.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_flags_beat_env_beat_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = write(tmp_path, 'lang = "ja"\nconcurrency = 3\nmax_cost = 0.5\n')
    monkeypatch.setenv("dailypapers_lang", "en")  # env names are case-insensitive, and still beat the file
    s = load_settings(cfg, concurrency=9)
    assert (s.lang, s.concurrency, s.max_cost) == ("en", 9, 0.5)


def test_openai_api_key_is_read_but_the_projects_own_variable_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-openai-var")
    assert load_settings().llm_api_key.get_secret_value() == "sk-from-openai-var"
    monkeypatch.setenv("DAILYPAPERS_LLM_API_KEY", "sk-from-our-var")
    assert load_settings().llm_api_key.get_secret_value() == "sk-from-our-var"
    assert load_settings(llm_api_key="sk-flag").llm_api_key.get_secret_value() == "sk-flag"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("lang = \n", "cannot read config file"),
        ('no_such_setting = "x"\n', "no_such_setting"),
        ("concurrency = 0\n", "concurrency"),
    ],
)
def test_a_bad_file_is_a_config_error_naming_the_problem(tmp_path: Path, text: str, needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        load_settings(write(tmp_path, text))


def test_a_named_file_must_exist_but_the_default_one_may_be_absent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load_settings().lang == "ko"  # no file in the default place: defaults
    with pytest.raises(ConfigError, match="absent.toml does not exist"):
        load_settings(tmp_path / "absent.toml")
    monkeypatch.setenv("DAILYPAPERS_CONFIG", str(tmp_path / "also-absent.toml"))
    with pytest.raises(ConfigError, match="also-absent.toml does not exist"):
        load_settings()


def test_every_invalid_setting_is_reported_at_once(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('concurrency = 0\nmax_pages = "many"\nno_such_setting = 1\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(config)
    message = str(info.value)
    assert message.startswith("invalid settings (3): ")
    assert "concurrency" in message and "max_pages" in message and "no_such_setting" in message


def test_db_and_config_work_after_the_command_name_too(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from dailypapers.cli import app

    db = tmp_path / "after.db"
    config = tmp_path / "c.toml"
    config.write_text('lang = "en"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["days", "--db", str(db), "--json"])
    assert result.exit_code == 0 and result.stdout.strip() == "[]"
    shown = CliRunner().invoke(app, ["config", "--config", str(config), "--db", str(db)])
    assert '"lang": "en"' in shown.stdout and str(db) in shown.stdout
