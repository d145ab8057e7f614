"""`dailypapers init`: set up the scheduled daily run (a GitHub Actions workflow, systemd units, a crontab
line). Files are never overwritten without --force."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dailypapers.cli import app
from dailypapers.cli._common import console, err_console, errors, state, write_stdout
from dailypapers.cli._help import Typer
from dailypapers.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console

init_app = Typer(help="Set up the scheduled daily run: GitHub Actions, systemd or cron.", no_args_is_help=True)
app.add_typer(init_app, name="init")


def _write(path: Path, text: str, *, force: bool) -> None:
    from rich.text import Text
    if path.exists() and not force:
        raise InputError(f"{path} exists: pass --force to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    console.print(Text(f"wrote {path}"), highlight=False, soft_wrap=True)  # a path is copied whole


@init_app.command("github-actions")
@errors
def github_actions(
    ctx: typer.Context,
    path: Annotated[Path, typer.Option(help="Where the workflow goes.")] = Path(".github/workflows/dailypapers.yml"),
    cron: Annotated[str, typer.Option(help="When it runs (UTC), in cron syntax.")] = "0 23 * * *",
    install: Annotated[
        str | None, typer.Option(help="The command that installs dailypapers on the runner (default: `pip install .` "
                                 "when this repository holds dailypapers itself, else where this copy came from).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace existing files.")] = False,
) -> None:
    """Write a workflow that runs `dailypapers run` daily, keeps the archive in the Actions cache, commits the
    digests and the README, and deploys the site to GitHub Pages (when the run publishes the site: "site" in
    `publishers`, as the starter dailypapers.toml it writes for a new repository has it)."""
    from rich.text import Text

    from dailypapers.config import load_settings
    from dailypapers.scheduling import WorkflowOptions, github_workflow, install_command, starter_config

    if len(cron.split()) != 5:
        raise InputError(f"--cron {cron!r}: five fields, e.g. '0 23 * * *'")
    config = Path(WorkflowOptions.config)  # what the workflow runs with (DAILYPAPERS_CONFIG)
    starting = not config.exists()  # ... the starter config written below, for a new repository
    # the settings the workflow will see: its own config file, unless --config names another
    settings = load_settings(config) if not starting and state(ctx).config is None else state(ctx).settings()
    site = starting or "site" in settings.publishers
    install = install_command(Path.cwd(), install)
    options = WorkflowOptions(cron=cron, install=install, out_dir=str(settings.out_dir),
                              readme=str(settings.readme_path), site_dir=str(settings.site_dir) if site else None)
    _write(path, github_workflow(options), force=force)
    if starting:
        _write(config, starter_config(options), force=False)
    console.print(Text(f"the workflow installs dailypapers with: {install}"), highlight=False, soft_wrap=True)
    if not site:
        console.print(Text(f'"site" is not in publishers ({config}): the workflow commits the digests and the '
                           "README, without Pages"), highlight=False)


ConfigFor = Annotated[
    Path | None, typer.Option("--config", help="The settings file the run reads (default: the work directory's "
                              "dailypapers.toml when there is one).")]
EnvFile = Annotated[
    Path | None, typer.Option(help="A file of KEY=value lines with the keys (default: ~/.config/dailypapers/env).")]


@init_app.command("systemd")
@errors
def systemd(
    ctx: typer.Context,
    directory: Annotated[
        Path | None, typer.Option(help="Where the units go (default: ~/.config/systemd/user).")
    ] = None,
    workdir: Annotated[Path | None, typer.Option(help="The directory the run works in (default: here).")] = None,
    config: ConfigFor = None,
    env_file: EnvFile = None,
    force: Annotated[bool, typer.Option("--force", help="Replace existing files.")] = False,
) -> None:
    """Write a systemd user service and a daily timer (`systemctl --user enable --now dailypapers.timer`)."""
    from dailypapers.scheduling import systemd_units

    directory = directory or Path.home() / ".config/systemd/user"
    where = (workdir or Path.cwd()).resolve()
    settings_file, keys = _run_files(where, config or state(ctx).config, env_file)
    for name, text in systemd_units(command=_command(), workdir=str(where), env_file=str(keys),
                                    config=settings_file).items():
        _write(directory / name, text, force=force)
    _say_files(settings_file, keys)
    console.print("enable it: systemctl --user daemon-reload && systemctl --user enable --now dailypapers.timer",
                  soft_wrap=True)


@init_app.command("cron")
@errors
def cron(
    ctx: typer.Context,
    workdir: Annotated[Path | None, typer.Option(help="The directory the run works in (default: here).")] = None,
    config: ConfigFor = None,
    env_file: EnvFile = None,
) -> None:
    """Print a crontab line for the daily run (add it with `crontab -e`)."""
    from dailypapers.scheduling import crontab_line

    where = (workdir or Path.cwd()).resolve()
    settings_file, keys = _run_files(where, config or state(ctx).config, env_file)
    write_stdout(crontab_line(command=_command(), workdir=str(where), env_file=str(keys), config=settings_file)
                 + "\n")
    _say_files(settings_file, keys, out=err_console)


def _run_files(workdir: Path, config: Path | None, env_file: Path | None) -> tuple[str | None, Path]:
    """The settings file the scheduled run names (the one given, else the work directory's dailypapers.toml
    when there is one; the user's own config.toml is read by every run anyway) and the keys' file."""
    from dailypapers.config import LOCAL_CONFIG, user_config_path

    if config is not None and not config.is_file():
        raise InputError(f"--config {config}: no such file")
    local = workdir / LOCAL_CONFIG
    chosen = config.resolve() if config is not None else (local if local.is_file() else None)
    return (str(chosen) if chosen else None), (env_file or user_config_path().parent / "env").expanduser().absolute()


def _say_files(config: str | None, keys: Path, *, out: Console = console) -> None:
    from rich.text import Text
    read = (f"settings: {config}" if config else
            "settings: no dailypapers.toml in the work directory (the user's config.toml is read when it exists)")
    out.print(Text(f"{read}; keys: {keys}{'' if keys.exists() else ' (create it, chmod 600)'}"), highlight=False,
              soft_wrap=True)


def _command() -> str:
    """The absolute path of this `dailypapers` (cron and systemd have a bare PATH)."""
    found = shutil.which("dailypapers")
    return found or f"{sys.executable} -m dailypapers"
