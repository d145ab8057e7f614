"""The README stays a newcomer's page whose two set-up commands are the ones CI runs, and the documentation
site in docs/ builds with --strict (a broken link fails it)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def setup_commands() -> list[str]:
    section = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", section, re.DOTALL)


def test_the_readme_has_exactly_the_two_set_up_commands_and_ci_runs_the_second_verbatim() -> None:
    install, tests = setup_commands()  # exactly two
    assert "\n" not in install and "\n" not in tests  # one line each, to paste
    assert install.startswith("python3 -m venv .venv && ") and install.endswith(" && .venv/bin/dailypapers digest")
    assert tests.startswith("python3 -m venv .venv && ") and tests.endswith(".venv/bin/python -m pytest -q")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert [ln for ln in ci if ln.strip()][-1] == tests  # verbatim, last, so its summary closes the log


def test_the_readme_is_one_or_two_screens_and_its_links_resolve() -> None:
    lines = README.splitlines()
    assert len(lines) <= 120
    assert "## Five common tasks" in README and "## Where next" in README
    # an offline first run makes extractive summaries in the paper's language: the README says so, and
    # promises no Korean summaries for it
    assert "extractive" in README and "Korean summaries" not in README
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README)
    local = [link for link in links if not re.match(r"[a-z]+://", link)]
    assert local and all((ROOT / link).exists() for link in local), [x for x in local if not (ROOT / x).exists()]


def _build(docs_root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(docs_root / "out")],
                          cwd=docs_root, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})


@pytest.mark.slow  # mkdocs in a subprocess
def test_the_docs_build_strictly_and_a_broken_link_fails_the_build(tmp_path: Path) -> None:
    copy = tmp_path / "project"
    copy.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", copy / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", copy / "docs")
    built = _build(copy)
    assert built.returncode == 0, built.stdout + built.stderr
    assert (copy / "out" / "reference" / "grounding" / "index.html").is_file()
    page = copy / "docs" / "guides" / "site.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nSee [the moon](../no-such-page.md).\n", encoding="utf-8")
    broken = _build(copy)
    assert broken.returncode != 0 and "no-such-page.md" in broken.stdout + broken.stderr
