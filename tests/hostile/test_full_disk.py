"""A full disk, on a real small file system: a tmpfs the test mounts (it needs root, as in CI; otherwise the
tests are skipped and say why) and unmounts whatever happens.

- A run whose archive's disk fills up fails the papers that did not fit (`failed: store`), stores the day with
  the papers that did, exits 1 (not 4), and a re-run once there is room completes without losing anything.
- A disk that is full to the last byte fails the command with a clear message, and the archive is intact.
- `site` on a full disk leaves the site it had, byte for byte (no half-new folder), and says so.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dailypapers.cli import app
from dailypapers.models import Edition
from dailypapers.store import Store
from dailypapers.store.connection import DISK_RESERVE
from tests.papergen import make_paper
from tests.standins.hf_arxiv import HfArxivStandIn

DAY = dt.date(2026, 6, 12)
pytestmark = pytest.mark.slow  # mount, subprocesses and PDF workers
DISK_BYTES = 24 * 1024 * 1024


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 24 MiB tmpfs mounted for this test; unmounted in teardown, also when the test fails."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system (tmpfs) needs root; CI runs these as root")
    mount_point = tmp_path / f"disk-{uuid.uuid4().hex[:8]}"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_BYTES}", "tmpfs", str(mount_point)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        if subprocess.run(["umount", str(mount_point)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mount_point)], check=True)  # something still holds a file


def free_bytes(path: Path) -> int:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def fill(disk: Path, leave: int) -> Path:
    """A file that takes all the disk's room but `leave` bytes."""
    filler = disk / "filler"
    with open(filler, "ab") as fh:
        size = max(0, free_bytes(disk) - leave)
        chunk = b"\0" * (1024 * 1024)
        while size > 0:
            fh.write(chunk[: min(size, len(chunk))])
            size -= len(chunk)
    return filler


@pytest.mark.parametrize("room", [DISK_RESERVE + 400 * 1024, 400 * 1024], ids=["some papers fit", "none fits"])
def test_a_run_on_a_filling_disk_fails_only_the_papers_that_did_not_fit(small_disk: Path, hf_arxiv: HfArxivStandIn,
                                                                        room: int) -> None:
    for i in range(8):
        hf_arxiv.add_paper(make_paper(f"2606.7100{i}", pages=12), day=DAY, upvotes=20 - i)
    db = small_disk / "archive.db"
    env = {**hf_arxiv.env(), "DAILYPAPERS_DB": str(db), "DAILYPAPERS_OUT_DIR": str(small_disk / "digests"),
           "COLUMNS": "250"}
    Store(db).close()
    filler = fill(small_disk, room)  # room for a few papers' documents beyond the reserve, or none
    first = CliRunner().invoke(app, ["digest", DAY.isoformat()], env=env)
    assert first.exit_code == 1, first.output  # papers failed; the run did not abort (it exited 4)
    with Store(db, readonly=True) as store:
        digest = store.get_digest(Edition(day=DAY))
        outcomes = store.latest_outcomes(Edition(day=DAY))
        assert store.db.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert digest is not None and len(digest.entries) == 8  # the day is stored, every paper listed
    failed = {pid for pid, o in outcomes.items() if o.status == "failed"}
    summarized = {e.paper.id for e in digest.entries if e.summary is not None}
    assert failed and failed | summarized == {e.paper.id for e in digest.entries}
    assert bool(summarized) == (room > DISK_RESERVE)
    assert all(outcomes[p].stage == "store" and "disk holding the archive is full" in (outcomes[p].reason or "")
               for p in failed)
    assert (small_disk / "digests" / "2026" / "06" / "12.md").is_file()  # published with what fitted
    kept = {e.paper.id: e.summary for e in digest.entries if e.summary is not None}

    filler.unlink()  # room again: a re-run completes, and what the first run stored is kept as it was
    second = CliRunner().invoke(app, ["digest", DAY.isoformat()], env=env)
    assert second.exit_code == 0, second.output
    with Store(db, readonly=True) as store:
        again = store.get_digest(Edition(day=DAY))
    assert again is not None and all(e.summary is not None for e in again.entries)
    assert {e.paper.id: e.summary for e in again.entries if e.paper.id in kept} == kept


def test_a_disk_full_to_the_last_byte_fails_clearly_and_keeps_the_archive(small_disk: Path,
                                                                          hf_arxiv: HfArxivStandIn) -> None:
    for i in range(3):
        hf_arxiv.add_paper(make_paper(f"2606.7200{i}", pages=2), day=DAY, upvotes=9 - i)
        hf_arxiv.add_paper(make_paper(f"2606.7210{i}", pages=2), day=DAY - dt.timedelta(days=1), upvotes=9 - i)
    db = small_disk / "archive.db"
    env = {**hf_arxiv.env(), "DAILYPAPERS_DB": str(db), "DAILYPAPERS_OUT_DIR": str(small_disk / "digests"),
           "COLUMNS": "250"}
    assert CliRunner().invoke(app, ["digest", "2026-06-11"], env=env).exit_code == 0
    before = CliRunner().invoke(app, ["days", "--json"], env=env).stdout
    assert "2026-06-11" in before
    fill(small_disk, 0)
    digest = CliRunner().invoke(app, ["digest", DAY.isoformat()], env=env)
    assert digest.exit_code in (1, 4), digest.output
    assert "full" in digest.stderr + digest.stdout and "Traceback" not in digest.output
    run = CliRunner().invoke(app, ["run", DAY.isoformat(), "--no-deliver"], env=env)
    assert run.exit_code == 1, run.output  # reported, not aborted
    assert "status=failed" in run.stdout and "full" in run.output
    assert CliRunner().invoke(app, ["days", "--json"], env=env).stdout == before
    with sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True) as conn:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"


def test_site_on_a_full_disk_keeps_the_old_site_whole(small_disk: Path, tmp_path: Path,
                                                      hf_arxiv: HfArxivStandIn) -> None:
    for i in range(3):
        hf_arxiv.add_paper(make_paper(f"2606.7300{i}", pages=2), day=DAY, upvotes=9 - i)
        hf_arxiv.add_paper(make_paper(f"2606.7400{i}", pages=2), day=DAY + dt.timedelta(days=3), upvotes=9 - i)
    site = small_disk / "site"
    env = {**hf_arxiv.env(), "DAILYPAPERS_DB": str(tmp_path / "a.db"), "DAILYPAPERS_OUT_DIR": str(tmp_path / "d")}
    assert CliRunner().invoke(app, ["digest", DAY.isoformat()], env=env).exit_code == 0
    built = CliRunner().invoke(app, ["site", str(site), "--no-search"], env=env)
    assert built.exit_code == 0, built.output
    (site / "CNAME").write_text("papers.example.org\n")  # a file the site does not own
    old = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    old_folders = {p for p in site.rglob("*") if p.is_dir()}

    assert CliRunner().invoke(app, ["digest", (DAY + dt.timedelta(days=3)).isoformat()], env=env).exit_code == 0
    filler = fill(small_disk, 24 * 1024)  # room for a few pages of the new build, not all
    failed = CliRunner().invoke(app, ["site", str(site), "--no-search"], env=env)
    assert failed.exit_code == 1 and "the site there is unchanged" in failed.stderr, failed.output
    now = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert now == old  # no new page, no temporary file, nothing removed
    assert {p for p in site.rglob("*") if p.is_dir()} == old_folders  # the new edition's folders are gone too
    filler.unlink()
    rebuilt = CliRunner().invoke(app, ["site", str(site), "--no-search"], env=env)
    assert rebuilt.exit_code == 0, rebuilt.output
    assert (site / "editions" / "hf" / "ko" / f"{DAY + dt.timedelta(days=3)}.html").is_file()
    assert (site / "CNAME").read_text() == "papers.example.org\n"
