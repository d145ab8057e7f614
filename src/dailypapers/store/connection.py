"""Opening an archive: the SQLite connection, its owner check, its migrations and its write transactions.
The parts of the store (`Archive`, `Ledger`) are built on this one connection.

Opening modes:
- `Store(path)` opens for writing: it refuses an SQLite file that belongs to another application without
  touching it, then switches to WAL and applies pending migrations, all in one write transaction (`_upgrade`):
  commands started together on a new archive wait for each other, and none sees it half-made.
- `Store(path, readonly=True)` (render, days, search, serve) never writes: no migration, no WAL switch, no
  file created. An archive that needs a migration is refused with the command that upgrades it. In a folder
  that cannot be written (a read-only mount), the archive is read as an immutable file, with a warning.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

import sqlite_utils
from sqlite_utils import Migrations

from dailypapers.errors import ArchiveMissingError, StoreError
from dailypapers.redaction import NO_REDACTION, Redactor
from dailypapers.store.migrations import LEGACY_MIGRATIONS, MIGRATIONS
from dailypapers.store.rows import user_tables, utc_now

_log = logging.getLogger(__name__)
BUSY_TIMEOUT_S = 30.0  # a concurrent run holding the write lock is waited for, not failed
# Free space kept on the archive's disk for a run's own records (the day's entries, the run, its health
# report): a paper's document or summary that would eat into it is that paper's failure, so a disk that fills
# up fails the papers that did not fit, not the run. The WAL alone may take 4 MB before a checkpoint.
DISK_RESERVE = 8 * 1024 * 1024


class Connection:
    """One SQLite archive, opened. Open it, use it, close it (or use it as a context manager)."""

    def __init__(self, path: Path | str, *, readonly: bool = False, redact: Redactor = NO_REDACTION) -> None:
        self.path = Path(path) if str(path) != ":memory:" else None
        self.readonly = readonly
        # error texts (outcomes' reasons, delivery and publish errors, health reports) are redacted as they are
        # written and again as they are read, so an archive written before a secret was known serves none either
        self.redact = redact
        try:
            conn = self._connect()
            try:
                self.db = sqlite_utils.Database(conn, execute_plugins=False)
                self._check_owner(conn)
                if readonly:
                    self._check_current()
                else:
                    self._upgrade(conn)
                self.db.execute("PRAGMA foreign_keys = ON")
                self.db.execute("PRAGMA synchronous = NORMAL")
            except BaseException:
                conn.close()
                raise
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open database {path}: {exc} (point --db or DAILYPAPERS_DB elsewhere)") from exc
        except OSError as exc:
            raise StoreError(f"cannot create database {path}: {exc}") from exc

    def _connect(self) -> sqlite3.Connection:
        if self.path is None:
            return sqlite3.connect(":memory:", check_same_thread=False)
        if self.path.is_dir():
            raise StoreError(f"database path {self.path} is a directory; pass a file with --db")
        if self.readonly:
            if not self.path.exists():
                raise ArchiveMissingError(
                    f"no archive at {self.path} yet: `dailypapers import FILE` or `dailypapers digest` fills it"
                )
            return self._connect_readonly(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return sqlite3.connect(str(self.path), check_same_thread=False, timeout=BUSY_TIMEOUT_S)

    def _connect_readonly(self, path: Path) -> sqlite3.Connection:
        """`mode=ro`; or, in a folder this process cannot write (a read-only mount or volume), where a WAL
        archive's reader cannot make its `-shm` index, the file as immutable: no lock, no index, nothing
        written (then it must not change while it is read, and the write-ahead log is not read: a warning
        says so when the log holds changes)."""
        uri = path.resolve().as_uri()
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, check_same_thread=False, timeout=BUSY_TIMEOUT_S)
        try:
            conn.execute("select count(*) from sqlite_master").fetchone()  # the -shm index is made here
            return conn
        except sqlite3.OperationalError as exc:
            conn.close()
            code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
            if code not in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN) or os.access(path.parent, os.W_OK):
                raise
        wal = path.with_name(path.name + "-wal")
        unread = wal.exists() and wal.stat().st_size > 0
        _log.warning(
            "the archive at %s is in a folder this process cannot write (a read-only mount?): it is read as an "
            "immutable file, which must not change while it is read%s", path,
            f"; its write-ahead log ({wal.name}) holds changes that are not read here: open the archive once "
            "where its folder is writable (any command) to fold them in" if unread else "")
        return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, check_same_thread=False)

    def _upgrade(self, conn: sqlite3.Connection) -> None:
        """Create or migrate the archive, one process at a time and all at once: several commands opening a new
        archive together (two crons on a fresh machine) find it either untouched or complete. The pending
        migrations run in one write transaction (BEGIN IMMEDIATE: the others wait for the write lock, then
        find nothing pending), so a half-made archive is never committed; an archive that is current takes no
        lock at all."""
        if self.path is not None:
            self._enable_wal()
        if not self._legacy_applied() and not MIGRATIONS.pending(self.db):
            return
        with self.transaction():
            self._check_owner(conn)  # again, under the lock: another process may have made it meanwhile
            self._adopt_legacy_migrations()
            MIGRATIONS.apply(self.db)

    def _enable_wal(self) -> None:
        """WAL mode (readers never wait for the writer). Switching takes an exclusive lock, for which SQLite
        does not wait when another connection is switching too: retried until BUSY_TIMEOUT_S."""
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                self.db.enable_wal()
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def _check_owner(self, conn: sqlite3.Connection) -> None:
        """Refuse, before any write, a database that holds tables but none of our migration records. An empty
        migrations table alone is ours: what an older dailypapers left when it was stopped while creating."""
        tables = user_tables(conn)
        if not tables:
            return
        if LEGACY_MIGRATIONS in tables:
            legacy = {r[0] for r in conn.execute(f"select name from {LEGACY_MIGRATIONS}")}
            if "001_initial" in legacy:
                return
        if MIGRATIONS.applied(self.db):
            return
        if tables == [Migrations.migrations_table] and not self.db[Migrations.migrations_table].count:
            return
        shown = ", ".join(sorted(tables)[:5]) + (" …" if len(tables) > 5 else "")
        raise StoreError(
            f"{self.path or 'the database'} is not a dailypapers archive (it holds other tables: {shown}); "
            "it was left untouched: point --db or DAILYPAPERS_DB at another file"
        )

    def _check_current(self) -> None:
        if not user_tables(self.db.conn):
            raise ArchiveMissingError(f"the archive at {self.path} is empty: `dailypapers import FILE` or "
                                      "`dailypapers digest` fills it")
        if self._legacy_applied() or MIGRATIONS.pending(self.db):
            raise StoreError(
                f"the archive at {self.path} was written by an older dailypapers: run `dailypapers migrate` "
                "(or any command that writes, such as import or digest) to upgrade it"
            )

    def _legacy_applied(self) -> set[str]:
        if LEGACY_MIGRATIONS not in user_tables(self.db.conn):
            return set()
        return {r[0] for r in self.db.conn.execute(f"select name from {LEGACY_MIGRATIONS}")}

    def _adopt_legacy_migrations(self) -> None:
        """Archives made before sqlite-utils' Migrations: record what the old runner applied, once."""
        legacy = self._legacy_applied()
        if not legacy:
            return
        with self.transaction():
            MIGRATIONS.ensure_migrations_table(self.db)
            for name in sorted(legacy):
                self.db[Migrations.migrations_table].insert(
                    {"migration_set": MIGRATIONS.name, "name": name, "applied_at": utc_now()}
                )
            self.db.execute(f"drop table {LEGACY_MIGRATIONS}")

    def check_sound(self) -> None:
        """StoreError when SQLite's quick check finds the archive damaged (a page of a table, an index, the
        search index), so that a bulk write (an import, a migration) refuses to add to it instead of reporting
        success over the damage. A scan of the whole file: for commands run by hand, not for every run."""
        try:
            problems = [str(r[0]) for r in self.db.execute("pragma quick_check").fetchall()]
        except sqlite3.DatabaseError as exc:
            problems = [str(exc)]
        if problems == ["ok"]:
            return
        first = " ".join(problems[0].replace("*** in database main ***", "").split())[:160]
        raise StoreError(f"the archive at {self.path} is damaged ({first}): nothing was written; restore it from a "
                         f"backup, or copy out what is readable with `sqlite3 {self.path} .recover | sqlite3 NEW.db`")

    def ensure_room(self, size: int) -> None:
        """StoreError unless writing about `size` bytes (twice: the WAL, then the database) leaves
        DISK_RESERVE free on the archive's disk."""
        if self.path is None:
            return
        try:
            st = os.statvfs(self.path.parent)
        except OSError:  # no way to know: the write itself will say
            return
        free = st.f_bavail * st.f_frsize
        if free - 2 * size < DISK_RESERVE:
            raise StoreError(f"not stored: the disk holding the archive is full ({free / 1e6:.1f} MB free, "
                             f"{DISK_RESERVE / 1e6:.0f} MB kept for the run's records); free some space and run "
                             "again")

    # -- lifecycle -------------------------------------------------------------------------------------------
    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction. It takes the write lock at the start (BEGIN IMMEDIATE), waiting up to
        BUSY_TIMEOUT_S for another run to finish its write: a transaction that read first and wrote later
        could not wait (SQLite answers "database is locked" at once), and a read-modify-write could interleave
        with another process's."""
        conn = self.db.conn
        try:
            if conn.in_transaction:
                with self.db.atomic():  # nested: a savepoint
                    yield
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                conn.rollback()
                raise
            conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
                raise StoreError(f"database write failed: the disk holding the archive ({self.path}) is full: "
                                 "free some space and run again (what was stored before is kept)") from exc
            raise StoreError(f"database write failed: {exc}") from exc
