"""Settings layering: flags > environment > TOML file > defaults, through pydantic-settings' own sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from dailypapers.config import config_files, load_settings
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
    with pytest.raises(ConfigError, match=r"absent\.toml does not exist"):
        load_settings(tmp_path / "absent.toml")
    monkeypatch.setenv("DAILYPAPERS_CONFIG", str(tmp_path / "also-absent.toml"))
    with pytest.raises(ConfigError, match=r"also-absent\.toml does not exist"):
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


def test_the_working_directorys_dailypapers_toml_sits_between_the_users_config_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_env: Path
) -> None:
    user = isolated_env / "config" / "dailypapers" / "config.toml"
    user.parent.mkdir(parents=True)
    user.write_text('lang = "ja"\nconcurrency = 2\nmax_cost = 0.25\n', encoding="utf-8")
    folder = tmp_path / "repo"
    folder.mkdir()
    (folder / "dailypapers.toml").write_text('lang = "en"\nconcurrency = 3\nout_dir = "papers"\n', encoding="utf-8")
    named = tmp_path / "named.toml"
    named.write_text("concurrency = 5\n", encoding="utf-8")
    assert load_settings().lang == "ja"  # elsewhere: the user's config alone
    monkeypatch.chdir(folder)
    s = load_settings()
    assert (s.lang, s.concurrency, s.max_cost, s.out_dir) == ("en", 3, 0.25, Path("papers"))
    assert config_files() == [user, Path("dailypapers.toml")]
    assert load_settings(named).concurrency == 5  # a named file comes last of the files
    monkeypatch.setenv("DAILYPAPERS_CONCURRENCY", "7")
    assert load_settings(named).concurrency == 7  # and the environment beats every file
    # the workflow names ./dailypapers.toml itself: read once
    monkeypatch.setenv("DAILYPAPERS_CONFIG", "dailypapers.toml")
    assert config_files() == [user, Path("dailypapers.toml")]


def test_a_broken_file_is_named_whichever_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dailypapers.toml").write_text("lang = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"cannot read config file dailypapers\.toml"):
        load_settings()


def test_config_prints_the_files_it_read_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  isolated_env: Path) -> None:
    import json

    from typer.testing import CliRunner

    from dailypapers.cli import app

    monkeypatch.chdir(tmp_path)
    nothing = CliRunner().invoke(app, ["config"])
    assert nothing.exit_code == 0 and "no settings file read (looked for" in nothing.stderr
    user = isolated_env / "config" / "dailypapers" / "config.toml"
    user.parent.mkdir(parents=True)
    user.write_text('lang = "ja"\n', encoding="utf-8")
    (tmp_path / "dailypapers.toml").write_text('lang = "en"\n', encoding="utf-8")
    named = tmp_path / "more.toml"
    named.write_text("concurrency = 6\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["--config", str(named), "config"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    listed = [line.split(". ", 1)[1] for line in result.stderr.splitlines() if line.startswith("  ")]
    assert listed == [str(user.resolve()), str((tmp_path / "dailypapers.toml").resolve()), str(named.resolve())]
    shown = json.loads(result.stdout)  # stdout is the settings' JSON alone
    assert (shown["lang"], shown["concurrency"]) == ("en", 6)


def test_the_config_that_init_writes_is_what_commands_in_that_folder_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from dailypapers.cli import app

    monkeypatch.chdir(tmp_path)
    made = CliRunner().invoke(app, ["init", "github-actions", "--install", "pip install x"])
    assert made.exit_code == 0, made.output
    assert load_settings().publishers == ["markdown", "readme", "site"]  # the starter's, not the default
