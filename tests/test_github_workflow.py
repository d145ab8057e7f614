"""The workflow `dailypapers init github-actions` writes, run as GitHub would run it: its steps, read from the
YAML that ships, in order, in fresh clones of a repository, against the stand-ins (HF, arXiv, the LLM).

There is no GitHub here, so the few actions it uses are played by their local equivalents (checkout: a clone
of the remote; setup-python: the Python already here; the cache: a folder of saved archives with GitHub's
key and restore-key rules; the Pages upload: a check that its folder holds a site). Every `run:` step is run
by bash as the runner does (`bash -e`), with the job's and the step's environment and the `${{ }}`
expressions it uses filled in; an action or an expression the runner here does not know fails the test, so a
step added to the workflow cannot go untested. `pip` is a stand-in that records what it was asked to install
(the registry is not reached; the `dailypapers` of this checkout is on the PATH).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from dailypapers import digestformat as markdown
from dailypapers.cli import app
from tests.papergen import make_paper
from tests.standins.hf_arxiv import HfArxivStandIn
from tests.standins.openai_server import OpenAIStandIn

pytestmark = pytest.mark.slow  # subprocesses: git, bash, dailypapers runs

DAY = dt.date(2026, 6, 12)
WORKFLOW = ".github/workflows/dailypapers.yml"
KNOWN_ACTIONS = ("actions/checkout@v4", "actions/setup-python@v5", "actions/cache/restore@v4",
                 "actions/cache/save@v4", "actions/upload-pages-artifact@v3")
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


@dataclass
class Runner:
    """One machine that runs the workflow's job again and again, as GitHub's runners do for a repository."""

    tmp: Path
    remote: Path
    machine_env: dict[str, str]
    cache: Path
    runs: int = 0
    log: list[str] = field(default_factory=list)  # what each step did, for failure messages
    uploaded: list[Path] = field(default_factory=list)

    def run(self, *, secrets: dict[str, str], day: str = "") -> dict[str, int]:
        """One workflow run (a scheduled one, or a manual one naming `day`); each step's exit code by name."""
        self.runs += 1
        workflow = yaml.safe_load(self.remote_file(WORKFLOW))
        job = workflow["jobs"]["digest"]
        workspace = self.tmp / f"run{self.runs}"
        context = {"github.workspace": str(workspace), "github.run_id": str(1000 + self.runs),
                   "github.run_attempt": "1", "inputs.day": day}
        context.update({f"secrets.{name}": value for name, value in secrets.items()})

        def fill(value: Any) -> str:
            def one(m: re.Match[str]) -> str:
                expr = m.group(1)
                if expr.startswith("secrets."):
                    return context.get(expr, "")  # an unset secret is empty
                assert expr in context, f"the runner here does not know ${{{{ {expr} }}}}"
                return context[expr]
            return EXPRESSION.sub(one, str(value))

        job_env = {k: fill(v) for k, v in job["env"].items()}
        results: dict[str, int] = {}
        failed = False
        for n, step in enumerate(job["steps"]):
            name = step.get("name") or step.get("uses")
            condition = step.get("if")
            assert condition in (None, "${{ always() }}", "${{ !cancelled() }}"), f"unknown condition {condition}"
            if failed and condition is None:
                results[name] = -1  # skipped, as GitHub skips a step after a failure
                continue
            if "uses" in step:
                code = self.action(step["uses"], {k: fill(v) for k, v in step.get("with", {}).items()}, workspace,
                                   first=n == 0)
            else:
                env = {**self.machine_env, **job_env, **{k: fill(v) for k, v in step.get("env", {}).items()}}
                script = self.tmp / "step.sh"
                script.write_text(fill(step["run"]), encoding="utf-8")
                done = subprocess.run(["bash", "-e", str(script)], cwd=workspace, env=env, capture_output=True,
                                      text=True, timeout=300)
                self.log.append(f"--- run {self.runs} {name}: {done.returncode}\n{done.stdout}{done.stderr}")
                code = done.returncode
            results[name] = code
            failed = failed or code != 0
        return results

    def remote_file(self, path: str) -> str:
        return git("show", f"HEAD:{path}", cwd=self.remote)

    def action(self, uses: str, given: dict[str, str], workspace: Path, *, first: bool) -> int:
        assert uses in KNOWN_ACTIONS, f"the runner here does not play {uses}"
        if uses == "actions/checkout@v4":
            assert first, "the checkout comes first"
            git("clone", "-q", str(self.remote), str(workspace), cwd=self.tmp)
        elif uses == "actions/setup-python@v5":
            assert re.fullmatch(r"3\.\d+", given["python-version"])
        elif uses == "actions/cache/restore@v4":
            # an exact key, else the newest entry whose key starts with a restore key
            saved = sorted(self.cache.iterdir(), key=lambda p: p.stat().st_mtime_ns) if self.cache.exists() else []
            hit = [p for p in saved if p.name == given["key"]] or [p for p in saved
                                                                    if p.name.startswith(given["restore-keys"])]
            if hit:
                shutil.copytree(hit[-1], workspace / given["path"])
        elif uses == "actions/cache/save@v4":
            target = self.cache / given["key"]
            assert not target.exists(), "a cache key is saved only once"
            if (workspace / given["path"]).exists():
                shutil.copytree(workspace / given["path"], target)
        elif uses == "actions/upload-pages-artifact@v3":
            site = workspace / given["path"]
            if not (site / "index.html").is_file():  # the action fails on a missing folder
                self.log.append(f"--- run {self.runs} upload: no site at {site}")
                return 1
            self.uploaded.append(site)
        return 0


@pytest.fixture
def starter(tmp_path: Path, hf_arxiv: HfArxivStandIn, openai_standin: OpenAIStandIn,
            monkeypatch: pytest.MonkeyPatch) -> Runner:
    """A new repository on its remote, with what `dailypapers init github-actions` wrote committed, and a
    runner for it."""
    remote = tmp_path / "remote.git"
    git("init", "-q", "--bare", "-b", "main", str(remote), cwd=tmp_path)
    seed = tmp_path / "seed"
    git("clone", "-q", str(remote), str(seed), cwd=tmp_path)
    monkeypatch.chdir(seed)
    made = CliRunner().invoke(app, ["init", "github-actions", "--install", "pip install dailypapers-from-the-test"])
    assert made.exit_code == 0, made.output
    git("add", "-A", cwd=seed)
    git("-c", "user.name=me", "-c", "user.email=me@example.org", "commit", "-qm", "dailypapers", cwd=seed)
    git("push", "-q", "origin", "main", cwd=seed)
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "pip").write_text(f'#!/bin/sh\necho "$@" >> {tmp_path}/pip.log\n')
    (shim / "pip").chmod(0o755)
    home = tmp_path / "runner-home"
    home.mkdir()
    machine = {
        # the runner's own PATH: the pip stand-in first, then this checkout's dailypapers, then the system
        "PATH": os.pathsep.join([str(shim), str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": str(home), "LANG": "C.UTF-8",
        # the network as the stand-ins play it: HF and arXiv at their settings, OpenAI where the SDK looks
        **hf_arxiv.env(), "OPENAI_BASE_URL": openai_standin.base_url,
    }
    return Runner(tmp=tmp_path, remote=remote, machine_env=machine, cache=tmp_path / "cache")


def test_the_starter_workflow_runs_from_an_empty_first_day_to_a_day_of_papers(
    starter: Runner, hf_arxiv: HfArxivStandIn, openai_standin: OpenAIStandIn, tmp_path: Path
) -> None:
    before = git("rev-parse", "HEAD", cwd=starter.remote)
    # the first scheduled run: no papers yet, no secret set
    first = starter.run(secrets={})
    assert set(first.values()) == {0}, "\n".join(starter.log)
    assert (tmp_path / "pip.log").read_text() == "install dailypapers-from-the-test\n"
    assert git("rev-parse", "HEAD", cwd=starter.remote) == before  # nothing to commit, and no failure
    assert starter.uploaded and (starter.uploaded[-1] / "index.html").is_file()  # Pages gets a site anyway
    assert any(p.name.startswith("dailypapers-archive-") for p in starter.cache.iterdir())
    # a day of papers, and the OPENAI_API_KEY secret is set: the starter's model summarizes
    for i, votes in enumerate([9, 4]):
        hf_arxiv.add_paper(make_paper(f"2606.3000{i}", pages=2), day=DAY, upvotes=votes)
    second = starter.run(secrets={"OPENAI_API_KEY": "sk-test-0123456789"})
    assert set(second.values()) == {0}, "\n".join(starter.log)
    assert openai_standin.calls >= 2
    digest = markdown.parse(starter.remote_file("digests/2026/06/12.md"))
    assert [e.paper.id for e in digest.entries] == ["2606.30000", "2606.30001"]
    assert all(e.summary and e.summary.model != "extractive" for e in digest.entries)
    assert "2606.30000" in starter.remote_file("README.md")
    assert (starter.uploaded[-1] / "papers" / "2606.30000.html").is_file()
    # a manual run of the same day: the archive came back from the cache, so nothing is paid for again
    calls = openai_standin.calls
    head = git("rev-parse", "HEAD", cwd=starter.remote)
    third = starter.run(secrets={"OPENAI_API_KEY": "sk-test-0123456789"}, day=DAY.isoformat())
    assert set(third.values()) == {0}, "\n".join(starter.log)
    assert openai_standin.calls == calls and git("rev-parse", "HEAD", cwd=starter.remote) == head


def test_without_a_key_the_run_is_extractive_and_says_why(starter: Runner, hf_arxiv: HfArxivStandIn,
                                                          openai_standin: OpenAIStandIn) -> None:
    hf_arxiv.add_paper(make_paper("2606.30002", pages=2), day=DAY, upvotes=3)
    results = starter.run(secrets={})
    assert set(results.values()) == {0}, "\n".join(starter.log)
    assert openai_standin.calls == 0
    assert "llm_model is gpt-4o-mini but no API key is set" in "\n".join(starter.log)
    digest = markdown.parse(starter.remote_file("digests/2026/06/12.md"))
    assert [e.summary.model for e in digest.entries] == ["extractive"]
