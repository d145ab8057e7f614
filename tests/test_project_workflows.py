"""The project's own GitHub workflows: CI runs the project's CI script on every push, and a release builds the
sdist and the wheel and checks them with twine (its build steps are run here, read from the YAML that ships)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


@pytest.mark.slow  # a subprocess (check-jsonschema)
@pytest.mark.parametrize("name", ["ci.yml", "release.yml"])
def test_the_workflows_pass_the_github_workflow_schema(name: str) -> None:
    checked = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                              str(WORKFLOWS / name)], capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_ci_runs_the_projects_ci_script_on_every_push() -> None:
    wf = load("ci.yml")
    assert {"push", "pull_request"} <= set(wf[True])  # YAML 1.1 reads the key `on` as true
    job = wf["jobs"]["test"]
    assert job["container"].startswith("python:3.") and "bookworm" in job["container"]  # Debian: apt, chromium
    assert [s.get("run") for s in job["steps"] if "run" in s] == ["bash .ci/run"]


@pytest.mark.slow  # a real build, with pip fetching hatchling into its isolated environment
def test_the_release_build_makes_an_sdist_and_a_wheel_that_twine_accepts(tmp_path: Path) -> None:
    wf = load("release.yml")
    assert wf[True]["push"]["tags"] == ["v*"]
    publish = wf["jobs"]["publish"]
    assert publish["permissions"] == {"id-token": "write"} and publish["environment"] == "pypi"
    # the project as a clean clone holds it: tracked files and new ones, nothing ignored
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60, check=True).stdout
    checkout = tmp_path / "checkout"
    for rel in filter(None, listed.split("\0")):
        source = ROOT / rel
        if source.is_file():
            (checkout / rel).parent.mkdir(parents=True, exist_ok=True)
            (checkout / rel).write_bytes(source.read_bytes())
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])}
    for step in wf["jobs"]["build"]["steps"]:
        if "run" not in step:
            assert step["uses"].split("@")[0] in ("actions/checkout", "actions/setup-python", "actions/upload-artifact")
            continue
        done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=checkout, env=env, capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, f"{step['name']}: {done.stdout}{done.stderr}"
    dist = sorted(p.name for p in (checkout / "dist").iterdir())
    assert len(dist) == 2 and dist[0].endswith(".whl") and dist[1].endswith(".tar.gz"), dist
    with zipfile.ZipFile(checkout / "dist" / dist[0]) as wheel:
        names = set(wheel.namelist())
    # the package data the site and the web app need travel in the wheel
    assert {"dailypapers/templates/base.html", "dailypapers/templates/static/style.css"} <= names
    assert not any(n.startswith("tests/") for n in names)
