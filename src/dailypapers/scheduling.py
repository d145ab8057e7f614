"""Scheduling the daily run: the GitHub Actions workflow, systemd units and crontab line that
`dailypapers init` writes. Pure functions of their options (but `install_command`, which looks at how this copy
was installed); the CLI writes the files.

The workflow does what the system whose format we keep did every day: run, commit the digests and the
README, and (with the site publisher) deploy the site to GitHub Pages. The archive is carried between runs in
the Actions cache (a new key per run attempt, restored from the newest by prefix, saved whatever became of
the run), so cached summaries are never paid for twice and the delivery ledger is never lost; keys come from
repository secrets, and an unset secret is an empty variable, which the settings read as unset.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import tomllib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from dailypapers.errors import InputError

ARCHIVE_DIR = ".dailypapers"
SECRETS: tuple[tuple[str, str], ...] = (
    # environment variable the settings read, repository secret it comes from
    ("OPENAI_API_KEY", "OPENAI_API_KEY"),
    ("DAILYPAPERS_LLM_API_KEY", "DAILYPAPERS_LLM_API_KEY"),
    ("DAILYPAPERS_SLACK_TOKEN", "SLACK_BOT_TOKEN"),
    ("DAILYPAPERS_SMTP_PASSWORD", "SMTP_PASSWORD"),
    ("DAILYPAPERS_APPRISE_URLS", "APPRISE_URLS"),
    ("DAILYPAPERS_OPS_URLS", "OPS_URLS"),
)


SELF_INSTALL = "pip install ."  # the repository holds dailypapers itself: the tool and its archive in one


@dataclass(frozen=True)
class WorkflowOptions:
    cron: str = "0 23 * * *"  # 23:00 UTC: 08:00 in Korea, after Hugging Face's list of the day settles
    install: str = SELF_INSTALL  # the command that installs dailypapers on the runner (`install_command`)
    python: str = "3.12"
    config: str = "dailypapers.toml"
    out_dir: str = "digests"
    readme: str = "README.md"
    site_dir: str | None = "site"  # None: no site publisher, no Pages deployment
    branch_message: str = "Daily papers"


# A new key per run attempt (a cache key cannot be saved twice, so a re-run needs its own), restored from the
# newest by prefix. The archive is saved whatever became of the run (`always()`: a failed run, and one the job
# timeout cancelled, still recorded what it delivered; without it the next run would send everything again).
CACHE_KEY = "dailypapers-archive-${{ github.run_id }}-${{ github.run_attempt }}"


def holds_the_project(folder: Path) -> bool:
    """Whether `folder` is a checkout of dailypapers itself (its pyproject.toml names the project)."""
    try:
        data = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return data.get("project", {}).get("name") == "dailypapers"


def install_command(folder: Path, given: str | None = None) -> str:
    """How the workflow installs dailypapers: the command given (`--install`), else from the repository itself
    when it holds the project, else from where this copy came (the registry at this version, the git URL it
    was installed from, or the remote of the checkout it runs from). InputError when none can be told."""
    if given:
        return given
    if holds_the_project(folder):
        return SELF_INSTALL
    found = _this_installation()
    if found is None:
        raise InputError(
            "cannot tell where the workflow should install dailypapers from: this copy was installed from a "
            "folder with no git remote; pass --install, e.g. --install 'pip install "
            "git+https://github.com/OWNER/dailypapers'")
    return found


def _this_installation() -> str | None:
    """A pip command that installs this copy of dailypapers on another machine, or None."""
    try:
        dist = metadata.distribution("dailypapers")
    except metadata.PackageNotFoundError:
        return None
    raw = dist.read_text("direct_url.json")
    if raw is None:  # installed from a registry
        return f"pip install dailypapers=={dist.version}"
    try:
        direct = json.loads(raw)
    except ValueError:
        return None
    url = direct.get("url", "")
    vcs = direct.get("vcs_info")
    if vcs and vcs.get("vcs") == "git":
        commit = vcs.get("commit_id")
        return f"pip install {shlex.quote(f'git+{url}' + (f'@{commit}' if commit else ''))}"
    if url.startswith("file://") and "dir_info" in direct:
        remote = _git_remote(Path(url2pathname(urlsplit(url).path)))
        return f"pip install {shlex.quote(f'git+{remote}')}" if remote else None
    return None


def _git_remote(checkout: Path) -> str | None:
    """The https URL of the checkout's `origin` (an ssh remote as its https form), or None."""
    try:
        found = subprocess.run(["git", "-C", str(checkout), "remote", "get-url", "origin"], capture_output=True,
                               text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    url = found.stdout.strip() if found.returncode == 0 else ""
    if m := re.fullmatch(r"(?:ssh://)?git@([^:/]+)[:/](.+)", url):  # the runner has no key: read it over https
        url = f"https://{m.group(1)}/{m.group(2)}"
    return url if url.startswith("https://") else None


def _q(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value)


def github_workflow(o: WorkflowOptions) -> str:
    env = "\n".join(f"      {var}: ${{{{ secrets.{secret} }}}}" for var, secret in SECRETS)
    pages_permissions = "  pages: write\n  id-token: write\n" if o.site_dir else ""
    upload = (
        f"""      - name: Upload the site
        if: ${{{{ !cancelled() }}}}
        uses: actions/upload-pages-artifact@v3
        with:
          path: {_q(o.site_dir)}
""" if o.site_dir else "")
    deploy = (
        """
  deploy:
    needs: digest
    if: ${{ !cancelled() && needs.digest.result != 'skipped' }}
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - name: Deploy the site to GitHub Pages
        id: deployment
        uses: actions/deploy-pages@v4
""" if o.site_dir else "")
    paths = " ".join(shlex.quote(p) for p in (o.out_dir, o.readme))
    # The run publishes the site only when it made an edition: on a first run with no papers (a weekend, a
    # holiday) it is built here from the archive as it is, so the Pages upload always has a site.
    build_site = (
        f"""      - name: Build the site (when the run did not)
        if: ${{{{ !cancelled() }}}}
        run: {_q(f"[ -d {shlex.quote(o.site_dir)} ] || dailypapers site {shlex.quote(o.site_dir)}")}
""" if o.site_dir else "")
    return f"""# Written by `dailypapers init github-actions`: the daily run, as a scheduled workflow.
# Secrets (Settings -> Secrets and variables -> Actions): OPENAI_API_KEY or DAILYPAPERS_LLM_API_KEY for the
# summaries, SLACK_BOT_TOKEN, SMTP_PASSWORD, APPRISE_URLS (a JSON list), OPS_URLS; unset ones are ignored.
# Everything else is in {o.config}.
name: dailypapers

on:
  schedule:
    - cron: {_q(o.cron)}
  workflow_dispatch:
    inputs:
      day:
        description: "The day to run, YYYY-MM-DD (empty: the latest)"
        required: false
        default: ""

permissions:
  contents: write
{pages_permissions}
concurrency:
  group: dailypapers
  cancel-in-progress: false

jobs:
  digest:
    runs-on: ubuntu-latest
    timeout-minutes: 60
    env:
      DAILYPAPERS_CONFIG: {_q(o.config)}
      DAILYPAPERS_DB: ${{{{ github.workspace }}}}/{ARCHIVE_DIR}/dailypapers.db
{env}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: {_q(o.python)}
      - name: Install dailypapers
        run: {_q(o.install)}
      - name: Restore the archive
        uses: actions/cache/restore@v4
        with:
          path: {ARCHIVE_DIR}
          key: {CACHE_KEY}
          restore-keys: dailypapers-archive-
      - name: Run
        env:
          DAY: ${{{{ inputs.day }}}}
        run: dailypapers run $DAY
      - name: Save the archive
        if: ${{{{ always() }}}}
        uses: actions/cache/save@v4
        with:
          path: {ARCHIVE_DIR}
          key: {CACHE_KEY}
{build_site}      - name: Commit the digests and the README
        if: ${{{{ !cancelled() }}}}
        run: |
          git config user.name "github-actions[bot]"
          git config user.email "41898282+github-actions[bot]@users.noreply.github.com"
          for path in {paths}; do [ ! -e "$path" ] || git add --all -- "$path"; done  # none yet on an empty day
          git diff --cached --quiet || git commit -m "{o.branch_message} $(date -u +%Y-%m-%d)"
          git push
{upload}{deploy}"""


def starter_config(o: WorkflowOptions) -> str:
    """A dailypapers.toml for a new repository, matching the workflow `o` describes (its digest folder, its
    README, its site when it has one); secrets are left to the environment."""
    publishers = '["markdown", "readme", "site"]' if o.site_dir else '["markdown", "readme"]'
    site_dir = f"site_dir = {_q(o.site_dir)}\n" if o.site_dir else ""
    return f"""# dailypapers settings for the daily run (`dailypapers config` shows the effective values).
# Keys and tokens do not belong here: they come from the environment (repository secrets in GitHub Actions).
source = "hf"
lang = "ko"
# editions = [{{source = "hf", lang = "ko"}}, {{source = "hf", lang = "en"}}]
publishers = {publishers}
out_dir = {_q(o.out_dir)}
readme_path = {_q(o.readme)}
{site_dir}# the model summarizes once the OPENAI_API_KEY secret is set; until then the summaries are extractive
llm_model = "gpt-4o-mini"
# max_cost = 0.50
# site_url = "https://OWNER.github.io/REPO"
# slack_channel = "C0123456789"          # with the SLACK_BOT_TOKEN secret
# smtp_host = "smtp.example.org"
# smtp_user = "papers@example.org"       # with the SMTP_PASSWORD secret
# email_from = "papers@example.org"
# email_to = ["team@example.org"]
"""


def systemd_units(*, command: str, workdir: str, env_file: str, config: str | None = None,
                  on_calendar: str = "*-*-* 23:00:00 UTC") -> dict[str, str]:
    """`dailypapers.service` (one run) and `dailypapers.timer` (daily, catching up a missed day). The service
    names its settings file (`config`, as DAILYPAPERS_CONFIG) and reads keys from `env_file` (optional: `-`)."""
    config_line = f"Environment={_systemd_quote(f'DAILYPAPERS_CONFIG={config}')}\n" if config else ""
    service = f"""[Unit]
Description=dailypapers: the daily digest of AI papers
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
WorkingDirectory={_percent(workdir)}
{config_line}# keys: a file only you can read (chmod 600), lines such as OPENAI_API_KEY=... DAILYPAPERS_SLACK_TOKEN=...
EnvironmentFile=-{_percent(env_file)}
ExecStart={_percent(command)} run
"""
    timer = f"""[Unit]
Description=Run dailypapers every day

[Timer]
OnCalendar={on_calendar}
Persistent=true
RandomizedDelaySec=5min

[Install]
WantedBy=timers.target
"""
    return {"dailypapers.service": service, "dailypapers.timer": timer}


def crontab_line(*, command: str, workdir: str, env_file: str, config: str | None = None, minute: int = 0,
                 hour: int = 23) -> str:
    """One crontab line: in `workdir`, with the keys of `env_file` exported when it exists (the same file as the
    systemd unit's) and DAILYPAPERS_CONFIG=`config`, the run appends to dailypapers.log."""
    q = shlex.quote
    keys = f"set -a && {{ [ ! -f {q(env_file)} ] || . {q(env_file)}; }} && set +a"
    settings = f"DAILYPAPERS_CONFIG={q(config)} " if config else ""
    line = f"cd {q(workdir)} && {keys} && {settings}{command} run >> {q(workdir)}/dailypapers.log 2>&1"
    # cron turns an unescaped % into a new line (the rest becomes the command's input)
    return f"{minute} {hour} * * * " + line.replace("%", "\\%")


def _percent(value: str) -> str:
    """A path for a unit file: `%` doubled, since systemd expands `%h` and the like. (WorkingDirectory and
    EnvironmentFile take the rest of the line as it is; the command is words, as `_command` made it.)"""
    return value.replace("%", "%%")


def _systemd_quote(value: str) -> str:
    """An Environment= assignment: quoted (C-style escapes) when it holds a space, a quote or a backslash."""
    value = _percent(value)
    if any(c in value for c in " \t\"'\\"):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value
