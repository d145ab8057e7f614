"""Several commands creating one new archive at once (two crons on a fresh machine): real processes, released
together, each opening the same new file for writing and writing to it. Every one must succeed, and the archive
must be whole; a half-made archive of ours is never mistaken for another application's."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dailypapers.errors import StoreError
from dailypapers.models import Edition, Paper
from dailypapers.store import Store
from dailypapers.store.migrations import MIGRATIONS
from tests.conftest import SEED_FILE
from tests.papergen import make_paper
from tests.standins.hf_arxiv import HfArxivStandIn

DAY = dt.date(2026, 6, 12)
PROCESSES = 5
TRIALS = 20


def _open_and_write(db: str, n: int, start: Any, results: Any) -> None:
    try:
        start.wait(30)
        with Store(db) as store:
            store.upsert_paper(Paper(id=f"2601.{n:05d}", title=f"Paper {n}"))
        results.put((n, "ok"))
    except BaseException as exc:  # reported to the test, not lost in a child
        results.put((n, f"{type(exc).__name__}: {exc}"))


@pytest.mark.slow  # processes
def test_processes_creating_one_new_archive_all_succeed(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")  # the children start in milliseconds, so they really collide
    failures: list[str] = []
    for trial in range(TRIALS):
        db = tmp_path / f"trial{trial}" / "new.db"  # the folder does not exist yet either
        start, results = ctx.Barrier(PROCESSES), ctx.Queue()
        children = [ctx.Process(target=_open_and_write, args=(str(db), n, start, results)) for n in range(PROCESSES)]
        for child in children:
            child.start()
        answers = dict(results.get(timeout=120) for _ in children)
        for child in children:
            child.join(30)
        failures += [f"trial {trial}, process {n}: {a}" for n, a in sorted(answers.items()) if a != "ok"]
        with Store(db, readonly=True) as store:  # current: a read-only opening refuses a half-made archive
            assert store.db["papers"].count == PROCESSES
            assert not MIGRATIONS.pending(store.db)
            assert store.db.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert not failures, "\n".join(failures)


@pytest.mark.slow  # subprocesses
def test_three_imports_on_a_new_archive_all_succeed(tmp_path: Path) -> None:
    """The reported case, through the command itself."""
    db = tmp_path / "fresh.db"
    env = {**os.environ, "DAILYPAPERS_DB": str(db)}
    commands = [subprocess.Popen([sys.executable, "-m", "dailypapers", "import", str(SEED_FILE)], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    finished = [c.communicate(timeout=120) for c in commands]
    assert [c.returncode for c in commands] == [0, 0, 0], [err for _, err in finished]
    days = subprocess.run([sys.executable, "-m", "dailypapers", "days", "--json"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert days.returncode == 0 and '"2025-05-06"' in days.stdout, days.stderr


def test_an_empty_migrations_table_is_a_half_made_archive_of_ours(tmp_path: Path) -> None:
    """What an older dailypapers left when it was stopped right after making its migrations table: ours, and
    finished by the next writer (it said "not a dailypapers archive" before)."""
    db = tmp_path / "half.db"
    with sqlite3.connect(db) as conn:
        conn.execute("create table _sqlite_migrations (id integer primary key, migration_set text, name text, "
                     "applied_at text)")
        conn.execute("create unique index idx_m on _sqlite_migrations (migration_set, name)")
    with Store(db) as store:
        assert not MIGRATIONS.pending(store.db)
        assert store.db["papers"].exists()


def test_another_sqlite_utils_application_is_still_refused(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as conn:
        conn.execute("create table _sqlite_migrations (id integer primary key, migration_set text, name text, "
                     "applied_at text)")
        conn.execute("insert into _sqlite_migrations (migration_set, name) values ('someapp', '001')")
        conn.execute("create table notes (body text)")
    before = db.read_bytes()
    with pytest.raises(StoreError, match="not a dailypapers archive"):
        Store(db).close()
    assert db.read_bytes() == before


def test_two_runs_on_a_new_archive_both_succeed(tmp_path: Path, hf_arxiv: HfArxivStandIn) -> None:
    """Two crons on a fresh machine: `dailypapers run` twice at once (the second exited 4)."""
    for i in range(3):
        hf_arxiv.add_paper(make_paper(f"2606.5100{i}", pages=1), day=DAY, upvotes=9 - i)
    env = {**os.environ, **hf_arxiv.env(), "DAILYPAPERS_DB": str(tmp_path / "fresh.db"),
           "DAILYPAPERS_OUT_DIR": str(tmp_path / "digests")}
    commands = [subprocess.Popen([sys.executable, "-m", "dailypapers", "run", DAY.isoformat(), "--no-deliver"],
                                 env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(2)]
    finished = [c.communicate(timeout=300) for c in commands]
    assert [c.returncode for c in commands] == [0, 0], [err for _, err in finished]
    with Store(tmp_path / "fresh.db", readonly=True) as store:
        digest = store.get_digest(Edition(day=DAY))
    assert digest is not None and len(digest.entries) == 3
