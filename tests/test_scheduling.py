"""`dailypapers init`: the GitHub Actions workflow passes the GitHub workflow JSON schema (SchemaStore's, as
vendored by check-jsonschema, offline) and does what the daily run needs; systemd units and the crontab line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from dailypapers.cli import app
from dailypapers.scheduling import ARCHIVE_DIR, WorkflowOptions, crontab_line, github_workflow, systemd_units

INSTALL = "pip install git+https://github.com/OWNER/dailypapers"


def check_schema(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                           str(path)], capture_output=True, text=True, timeout=120)


@pytest.mark.slow  # subprocesses (git, sh, check-jsonschema, systemd-analyze)
@pytest.mark.parametrize("site_dir", ["site", None])
def test_the_workflow_is_valid_and_does_the_daily_job(tmp_path: Path, site_dir: str | None) -> None:
    path = tmp_path / "wf.yml"
    path.write_text(github_workflow(WorkflowOptions(site_dir=site_dir)))
    checked = check_schema(path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    wf = yaml.safe_load(path.read_text())
    triggers = wf[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["schedule"] == [{"cron": "0 23 * * *"}] and "workflow_dispatch" in triggers
    steps = wf["jobs"]["digest"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    restore = steps[uses.index("actions/cache/restore@v4")]["with"]
    save = steps[uses.index("actions/cache/save@v4")]["with"]
    assert restore["path"] == save["path"] == ARCHIVE_DIR and save["key"] == restore["key"]
    # a key per run attempt: a re-run of a failed run can save its archive too (a key is saved only once)
    assert save["key"] == "dailypapers-archive-${{ github.run_id }}-${{ github.run_attempt }}"
    assert restore["restore-keys"] == "dailypapers-archive-"  # the newest archive of earlier runs
    env = wf["jobs"]["digest"]["env"]
    assert env["DAILYPAPERS_DB"].endswith(f"/{ARCHIVE_DIR}/dailypapers.db")
    assert env["DAILYPAPERS_SLACK_TOKEN"] == "${{ secrets.SLACK_BOT_TOKEN }}"
    assert all("secrets." in v for k, v in env.items() if k not in ("DAILYPAPERS_DB", "DAILYPAPERS_CONFIG"))
    run = next(s for s in steps if s.get("name") == "Run")
    assert run["run"] == "dailypapers run $DAY" and run["env"]["DAY"] == "${{ inputs.day }}"  # no injection
    commit = next(s for s in steps if s.get("name") == "Commit the digests and the README")["run"]
    assert 'for path in digests README.md; do [ ! -e "$path" ] || git add --all -- "$path"; done' in commit
    assert "git push" in commit
    # saved when the run fails and when the job's timeout cancels it: the ledger must survive either
    assert steps[uses.index("actions/cache/save@v4")]["if"] == "${{ always() }}"
    if site_dir:
        assert "actions/upload-pages-artifact@v3" in uses and wf["permissions"]["pages"] == "write"
        assert wf["jobs"]["deploy"]["steps"][0]["uses"] == "actions/deploy-pages@v4"
    else:
        assert "deploy" not in wf["jobs"] and "pages" not in wf["permissions"]


def test_the_install_command_is_one_yaml_string(tmp_path: Path) -> None:
    install = "pip install 'dailypapers[all]' # pinned: see notes: {x}"
    wf = yaml.safe_load(github_workflow(WorkflowOptions(install=install)))
    [step] = [s for s in wf["jobs"]["digest"]["steps"] if s.get("name") == "Install dailypapers"]
    assert step["run"] == install


@pytest.mark.slow  # subprocesses (git, sh, check-jsonschema, systemd-analyze)
def test_a_broken_workflow_fails_the_schema_check(tmp_path: Path) -> None:
    path = tmp_path / "bad.yml"
    path.write_text(github_workflow(WorkflowOptions()).replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest", 1))
    assert check_schema(path).returncode != 0


def test_init_writes_the_workflow_and_a_starter_config_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    first = runner.invoke(app, ["init", "github-actions", "--cron", "30 22 * * 1-5", "--install", INSTALL])
    assert first.exit_code == 0, first.output
    wf = yaml.safe_load((tmp_path / ".github/workflows/dailypapers.yml").read_text())
    assert wf[True]["schedule"] == [{"cron": "30 22 * * 1-5"}]
    # the site publisher is a built-in: the workflow deploys it to Pages
    assert "without Pages" not in first.output and "deploy" in wf["jobs"]
    config = (tmp_path / "dailypapers.toml").read_text()
    assert 'publishers = ["markdown", "readme", "site"]' in config
    assert runner.invoke(app, ["--config", "dailypapers.toml", "config"]).exit_code == 0  # the starter loads
    again = runner.invoke(app, ["init", "github-actions", "--install", INSTALL])
    assert again.exit_code == 2 and "exists: pass --force" in again.output
    assert runner.invoke(app, ["init", "github-actions", "--force", "--install", INSTALL]).exit_code == 0
    bad_cron = runner.invoke(app, ["init", "github-actions", "--force", "--cron", "daily", "--install", INSTALL])
    assert bad_cron.exit_code == 2


def test_init_follows_the_existing_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dailypapers.toml").write_text('publishers = ["markdown", "readme"]\nout_dir = "papers"\n'
                                               'readme_path = "docs/README.md"\n')
    result = CliRunner().invoke(app, ["init", "github-actions", "--install", INSTALL])
    assert result.exit_code == 0, result.output
    wf = yaml.safe_load((tmp_path / ".github/workflows/dailypapers.yml").read_text())
    assert "deploy" not in wf["jobs"] and "pages" not in wf["permissions"]  # no site in publishers: no Pages
    assert "without Pages" in result.output
    commit = next(s for s in wf["jobs"]["digest"]["steps"] if s.get("name") == "Commit the digests and the README")
    assert "for path in papers docs/README.md; do" in commit["run"]
    (tmp_path / "dailypapers.toml").write_text('publishers = ["markdown", "site"]\nsite_dir = "public"\n')
    assert CliRunner().invoke(app, ["init", "github-actions", "--force", "--install", INSTALL]).exit_code == 0
    wf = yaml.safe_load((tmp_path / ".github/workflows/dailypapers.yml").read_text())
    upload = next(s for s in wf["jobs"]["digest"]["steps"] if s.get("name") == "Upload the site")
    assert upload["with"]["path"] == "public" and "deploy" in wf["jobs"]


def test_the_starter_config_matches_the_workflow(tmp_path: Path) -> None:
    import tomllib

    from dailypapers.scheduling import starter_config

    options = WorkflowOptions(out_dir="papers", readme="docs/README.md", site_dir="public")
    config = tomllib.loads(starter_config(options))
    assert (config["out_dir"], config["readme_path"], config["site_dir"]) == ("papers", "docs/README.md", "public")
    assert config["publishers"] == ["markdown", "readme", "site"]
    plain = tomllib.loads(starter_config(WorkflowOptions(site_dir=None)))
    assert plain["publishers"] == ["markdown", "readme"] and "site_dir" not in plain


def test_systemd_units_and_crontab_line(tmp_path: Path) -> None:
    units = systemd_units(command="/opt/dp/bin/dailypapers", workdir="/srv/papers", env_file="/home/me/.env",
                          config="/srv/papers/dailypapers.toml")
    service = units["dailypapers.service"]
    assert "ExecStart=/opt/dp/bin/dailypapers run" in service
    assert "Environment=DAILYPAPERS_CONFIG=/srv/papers/dailypapers.toml" in service
    assert "EnvironmentFile=-/home/me/.env" in service
    assert "Persistent=true" in units["dailypapers.timer"] and "OnCalendar=" in units["dailypapers.timer"]
    assert crontab_line(command="/opt/dp/bin/dailypapers", workdir="/srv/my papers", env_file="/home/me/.env") == (
        "0 23 * * * cd '/srv/my papers' && set -a && { [ ! -f /home/me/.env ] || . /home/me/.env; } && set +a && "
        "/opt/dp/bin/dailypapers run >> '/srv/my papers'/dailypapers.log 2>&1")
    result = CliRunner().invoke(app, ["init", "systemd", "--directory", str(tmp_path), "--workdir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert f"WorkingDirectory={tmp_path}" in (tmp_path / "dailypapers.service").read_text()


def _odd_workdir(tmp_path: Path) -> Path:
    """A work directory with a space, a quote and a % in its name, holding a dailypapers.toml."""
    workdir = tmp_path / "my 'papers' 100%"
    workdir.mkdir()
    (workdir / "dailypapers.toml").write_text('lang = "en"\n', encoding="utf-8")
    return workdir


@pytest.mark.slow  # subprocesses (git, sh, check-jsonschema, systemd-analyze)
def test_the_systemd_units_carry_the_config_and_the_keys_file_and_pass_systemd_analyze(tmp_path: Path) -> None:
    workdir = _odd_workdir(tmp_path)
    keys = tmp_path / "keys.env"
    result = CliRunner().invoke(app, ["init", "systemd", "--directory", str(tmp_path / "units"),
                                      "--workdir", str(workdir), "--env-file", str(keys)])
    assert result.exit_code == 0, result.output
    service = (tmp_path / "units/dailypapers.service").read_text()
    shown = str(workdir).replace("%", "%%")  # systemd expands %-specifiers
    assert f'Environment="DAILYPAPERS_CONFIG={shown}/dailypapers.toml"' in service
    assert f"WorkingDirectory={shown}\n" in service and f"EnvironmentFile=-{keys}\n" in service
    assert "create it, chmod 600" in result.output  # the keys' file does not exist yet
    if shutil.which("systemd-analyze") is None:
        if os.environ.get("CI"):
            pytest.fail("systemd-analyze is missing in CI")
        pytest.skip("systemd-analyze is not installed")
    for name in ("dailypapers.service", "dailypapers.timer"):
        checked = subprocess.run(["systemd-analyze", "verify", str(tmp_path / "units" / name)],
                                 capture_output=True, text=True, timeout=60)
        assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.slow  # subprocesses (git, sh, check-jsonschema, systemd-analyze)
def test_the_crontab_line_runs_with_the_config_and_the_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workdir = _odd_workdir(tmp_path)
    keys = tmp_path / "keys.env"
    keys.write_text("OPENAI_API_KEY=sk-from-the-keys-file\n", encoding="utf-8")
    # a stand-in for dailypapers that shows what the run would see
    fake = tmp_path / "bin" / "dailypapers"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\necho "$1 in $(pwd) config=$DAILYPAPERS_CONFIG key=$OPENAI_API_KEY"\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    result = CliRunner().invoke(app, ["init", "cron", "--workdir", str(workdir), "--env-file", str(keys)])
    assert result.exit_code == 0, result.output
    line = result.stdout.strip()
    assert line.startswith("0 23 * * * ") and line.count("\n") == 0
    # cron hands the rest of the line to /bin/sh, after turning each \\% back into %
    command = line.split(" ", 5)[5].replace("\\%", "%")
    subprocess.run(["/bin/sh", "-c", command], check=True, timeout=60, env={"PATH": os.environ["PATH"]})
    log = (workdir / "dailypapers.log").read_text()
    assert log == f"run in {workdir} config={workdir}/dailypapers.toml key=sk-from-the-keys-file\n"
    # without a keys file the run still starts
    keys.unlink()
    subprocess.run(["/bin/sh", "-c", command], check=True, timeout=60, env={"PATH": os.environ["PATH"]})
    assert (workdir / "dailypapers.log").read_text().endswith(f"config={workdir}/dailypapers.toml key=\n")


class _Dist:
    """importlib.metadata's view of an installed dailypapers."""

    def __init__(self, direct_url: str | None) -> None:
        self.version = "0.1.0"
        self.direct_url = direct_url

    def read_text(self, name: str) -> str | None:
        return self.direct_url if name == "direct_url.json" else None


def test_the_workflow_installs_from_the_repository_when_it_holds_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dailypapers import scheduling

    (tmp_path / "pyproject.toml").write_text('[project]\nname = "dailypapers"\nversion = "0.1.0"\n')
    assert scheduling.install_command(tmp_path) == "pip install ."
    assert scheduling.install_command(tmp_path, "pip install other") == "pip install other"  # --install wins
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["init", "github-actions"])
    assert result.exit_code == 0, result.output
    wf = yaml.safe_load((tmp_path / ".github/workflows/dailypapers.yml").read_text())
    [step] = [s for s in wf["jobs"]["digest"]["steps"] if s.get("name") == "Install dailypapers"]
    assert step["run"] == "pip install ."
    assert "installs dailypapers with: pip install ." in result.output


@pytest.mark.slow  # subprocesses (git, sh, check-jsonschema, systemd-analyze)
def test_elsewhere_the_workflow_installs_what_this_copy_was_installed_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dailypapers import scheduling

    def installed(direct_url: str | None) -> None:
        monkeypatch.setattr(scheduling.metadata, "distribution", lambda name: _Dist(direct_url))

    installed(None)  # from a registry
    assert scheduling.install_command(tmp_path) == "pip install dailypapers==0.1.0"
    installed('{"url": "https://github.com/me/dailypapers", "vcs_info": {"vcs": "git", "commit_id": "abc123"}}')
    assert scheduling.install_command(tmp_path) == "pip install git+https://github.com/me/dailypapers@abc123"
    # an editable install from a checkout: its origin, read over https (the runner has no ssh key)
    checkout = tmp_path / "my checkout"
    subprocess.run(["git", "init", "-q", str(checkout)], check=True, timeout=60)
    subprocess.run(["git", "-C", str(checkout), "remote", "add", "origin", "git@github.com:me/dailypapers.git"],
                   check=True, timeout=60)
    installed(f'{{"url": "{checkout.as_uri()}", "dir_info": {{"editable": true}}}}')
    assert scheduling.install_command(tmp_path) == "pip install git+https://github.com/me/dailypapers.git"
    # a checkout without a remote: nothing to point the runner at, and init says what to do
    bare = tmp_path / "bare"
    subprocess.run(["git", "init", "-q", str(bare)], check=True, timeout=60)
    installed(f'{{"url": "{bare.as_uri()}", "dir_info": {{"editable": true}}}}')
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["init", "github-actions"])
    assert result.exit_code == 2
    assert "cannot tell where the workflow should install dailypapers from" in result.output
    assert "--install" in result.output and not (tmp_path / ".github").exists()


def test_the_starter_config_names_a_model_for_the_day_a_key_is_set() -> None:
    import tomllib

    from dailypapers.scheduling import starter_config

    assert tomllib.loads(starter_config(WorkflowOptions()))["llm_model"] == "gpt-4o-mini"
