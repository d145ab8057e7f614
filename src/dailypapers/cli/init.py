"""`dailypapers init`: set up the scheduled daily run (a GitHub Actions workflow, systemd units, a crontab
line). Files are never overwritten without --force."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from dailypapers.cli import app
from dailypapers.cli._common import console, errors, state, write_stdout
from dailypapers.config import load_settings
from dailypapers.errors import InputError

init_app = typer.Typer(help="Set up the scheduled daily run: GitHub Actions, systemd or cron.", no_args_is_help=True)
app.add_typer(init_app, name="init")


def _write(path: Path, text: str, *, force: bool) -> None:
    if path.exists() and not force:
        raise InputError(f"{path} exists: pass --force to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    console.print(Text(f"wrote {path}"), highlight=False)


@init_app.command("github-actions")
@errors
def github_actions(
    ctx: typer.Context,
    path: Annotated[Path, typer.Option(help="Where the workflow goes.")] = Path(".github/workflows/dailypapers.yml"),
    cron: Annotated[str, typer.Option(help="When it runs (UTC), in cron syntax.")] = "0 23 * * *",
    install: Annotated[str, typer.Option(help="The command that installs dailypapers.")] = "pip install dailypapers",
    force: Annotated[bool, typer.Option("--force", help="Replace existing files.")] = False,
) -> None:
    """Write a workflow that runs `dailypapers run` daily, keeps the archive in the Actions cache, commits the
    digests and the README, and deploys the site to GitHub Pages (when the run publishes the site: "site" in
    `publishers`, as the starter dailypapers.toml it writes for a new repository has it)."""
    from dailypapers.scheduling import WorkflowOptions, github_workflow, starter_config

    if len(cron.split()) != 5:
        raise InputError(f"--cron {cron!r}: five fields, e.g. '0 23 * * *'")
    config = Path(WorkflowOptions.config)  # what the workflow runs with (DAILYPAPERS_CONFIG)
    starting = not config.exists()  # ... the starter config written below, for a new repository
    # the settings the workflow will see: its own config file, unless --config names another
    settings = load_settings(config) if not starting and state(ctx).config is None else state(ctx).settings()
    site = starting or "site" in settings.publishers
    options = WorkflowOptions(cron=cron, install=install, out_dir=str(settings.out_dir),
                              readme=str(settings.readme_path), site_dir=str(settings.site_dir) if site else None)
    _write(path, github_workflow(options), force=force)
    if starting:
        _write(config, starter_config(options), force=False)
    if not site:
        console.print(Text(f'"site" is not in publishers ({config}): the workflow commits the digests and the '
                           "README, without Pages"), highlight=False)


@init_app.command("systemd")
@errors
def systemd(
    directory: Annotated[
        Path | None, typer.Option(help="Where the units go (default: ~/.config/systemd/user).")
    ] = None,
    workdir: Annotated[Path | None, typer.Option(help="The directory the run works in (default: here).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace existing files.")] = False,
) -> None:
    """Write a systemd user service and a daily timer (`systemctl --user enable --now dailypapers.timer`)."""
    from dailypapers.scheduling import systemd_units

    directory = directory or Path.home() / ".config/systemd/user"
    for name, text in systemd_units(command=_command(), workdir=str((workdir or Path.cwd()).resolve())).items():
        _write(directory / name, text, force=force)
    console.print("enable it: systemctl --user daemon-reload && systemctl --user enable --now dailypapers.timer")


@init_app.command("cron")
@errors
def cron(
    workdir: Annotated[Path | None, typer.Option(help="The directory the run works in (default: here).")] = None,
) -> None:
    """Print a crontab line for the daily run (add it with `crontab -e`)."""
    from dailypapers.scheduling import crontab_line

    write_stdout(crontab_line(command=_command(), workdir=str((workdir or Path.cwd()).resolve())) + "\n")


def _command() -> str:
    """The absolute path of this `dailypapers` (cron and systemd have a bare PATH)."""
    found = shutil.which("dailypapers")
    return found or f"{sys.executable} -m dailypapers"
