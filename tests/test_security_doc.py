"""SECURITY.md names, for each promise, the tests that prove it: every file and test it names exists, so the
page cannot point at a test that was renamed or removed."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# `test_x.py::test_y`, `hostile/test_x.py` (all), and `::test_z` (a test of the file named before it)
REFERENCE = re.compile(r"`((?:[\w/]+/)?test_\w+\.py)?(?:::(test_\w+))?`")


def defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


def test_every_test_security_md_names_exists() -> None:
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("|") and "test_" in line]
    assert len(rows) >= 15  # one per promise
    named = 0
    for row in rows:
        current: Path | None = None
        for file, test in REFERENCE.findall(row.split("|")[-2]):  # the "proved by" column
            if file:
                current = ROOT / "tests" / file
                assert current.is_file(), file
            if test:
                assert current is not None, f"{test} names no file: {row[:60]}"
                assert test in defined_tests(current), f"{current.relative_to(ROOT)}::{test}"
                named += 1
    assert named >= 40
