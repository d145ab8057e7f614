"""An intact archive where nothing may be written: a read-only folder, a read-only mount (tmpfs remounted
read-only, and a read-only bind mount of a folder). `days`, `render`, `search` and `serve` read it (a WAL
archive's reader cannot make its `-shm` index there, so it is read as an immutable file) and say so on stderr;
nothing is written. Mounting needs root (CI runs as root); as root a folder's mode does not stop writes, so
the read-only-folder case drops the capabilities that let root ignore it. Without root or a mount, a test is
skipped and says why."""

from __future__ import annotations

import ctypes
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import SEED_FILE

DAY = "2025-05-06"
pytestmark = pytest.mark.slow  # subprocesses and mounts
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, PR_CAPBSET_DROP = 1, 2, 24


def dailypapers(*args: str, env: dict[str, str], preexec: Callable[[], None] | None = None,
                ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dailypapers", *args], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120, preexec_fn=preexec)


def make_archive(folder: Path) -> Path:
    db = folder / "archive.db"
    made = dailypapers("import", str(SEED_FILE), env={"DAILYPAPERS_DB": str(db)})
    assert made.returncode == 0, made.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["archive.db"]  # closed cleanly: no -wal, no -shm
    return db


def without_root_overrides() -> None:
    """In the child, before exec: root without CAP_DAC_OVERRIDE/READ_SEARCH obeys a folder's mode bits."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here ({' '.join(args)}): {done.stderr.strip()}")


def unmount(point: Path) -> None:
    if subprocess.run(["umount", str(point)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(point)], check=True)


@pytest.fixture
def root() -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting a read-only file system needs root; CI runs these as root")


@pytest.fixture(params=["tmpfs remounted read-only", "read-only bind mount"])
def readonly_mount(request: pytest.FixtureRequest, tmp_path: Path, root: None) -> Iterator[Path]:
    """A folder holding an intact archive, then made read-only by a mount; unmounted in teardown."""
    point = tmp_path / f"ro-{uuid.uuid4().hex[:8]}"
    point.mkdir()
    mounted: list[Path] = []
    try:
        if request.param == "tmpfs remounted read-only":
            mount("-t", "tmpfs", "-o", "size=16m", "tmpfs", str(point))
            mounted.append(point)
            make_archive(point)
            mount("-o", "remount,ro", str(point))
        else:
            source = tmp_path / "published"
            source.mkdir()
            make_archive(source)
            mount("--bind", str(source), str(point))
            mounted.append(point)
            mount("-o", "remount,bind,ro", str(point))
        with pytest.raises(OSError):
            (point / "probe").write_text("x")
        yield point
    finally:
        for m in reversed(mounted):
            unmount(m)


def check_reads(db: Path, preexec: Callable[[], None] | None = None) -> None:
    env = {"DAILYPAPERS_DB": str(db), "COLUMNS": "200"}
    before = sorted(p.name for p in db.parent.iterdir())
    days = dailypapers("days", "--json", env=env, preexec=preexec)
    assert days.returncode == 0, days.stderr
    assert DAY in days.stdout
    assert "read as an immutable file" in days.stderr  # said so
    render = dailypapers("render", DAY, env=env, preexec=preexec)
    assert render.returncode == 0 and render.stdout.startswith(f"## Daily Papers ({DAY})"), render.stderr
    found = dailypapers("search", "model", "--json", env=env, preexec=preexec)
    assert found.returncode == 0 and found.stdout.strip().startswith("["), found.stderr
    check_serve(env, preexec)
    assert sorted(p.name for p in db.parent.iterdir()) == before  # nothing written


def check_serve(env: dict[str, str], preexec: Callable[[], None] | None) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "dailypapers", "serve", "--port", str(port)],
                              env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              preexec_fn=preexec)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                home = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.communicate()[1]
                assert time.monotonic() < deadline, "serve did not answer"
                time.sleep(0.2)
        assert home.status_code == 200 and DAY in home.text
        edition = httpx.get(f"http://127.0.0.1:{port}/api/editions/{DAY}", timeout=5)
        assert edition.status_code == 200 and edition.json()[0]["entries"]
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert "read as an immutable file" in err


def test_an_archive_in_a_read_only_folder_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "published"
    folder.mkdir()
    db = make_archive(folder)
    folder.chmod(0o555)
    try:
        if os.geteuid() == 0:
            try:
                subprocess.run(["true"], preexec_fn=without_root_overrides, check=True)
            except (OSError, subprocess.SubprocessError) as exc:
                pytest.skip(f"cannot drop root's capabilities here: {exc}")
            check_reads(db, without_root_overrides)
        else:
            check_reads(db)
    finally:
        folder.chmod(0o755)


def test_an_archive_on_a_read_only_mount_is_read(readonly_mount: Path) -> None:
    check_reads(readonly_mount / "archive.db")


def test_changes_left_in_the_write_ahead_log_are_named(tmp_path: Path, root: None) -> None:
    """A writer that died left changes in `-wal` and no `-shm`; on a read-only mount they cannot be read: the
    archive is shown without them, and the warning says what to do."""
    point = tmp_path / "ro"
    point.mkdir()
    mount("-t", "tmpfs", "-o", "size=16m", "tmpfs", str(point))
    try:
        db = make_archive(point)
        crash = ("import os, sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('pragma journal_mode=wal'); "
                 "c.execute('create table left_in_the_log (x)'); c.commit(); os._exit(0)")
        subprocess.run([sys.executable, "-c", crash, str(db)], check=True)
        (point / "archive.db-shm").unlink()
        mount("-o", "remount,ro", str(point))
        days = dailypapers("days", "--json", env={"DAILYPAPERS_DB": str(db)})
        assert days.returncode == 0 and DAY in days.stdout, days.stderr
        assert "holds changes that are not read here" in days.stderr
    finally:
        unmount(point)
