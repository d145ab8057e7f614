"""Opening an archive: the SQLite connection, its owner check, its migrations and its write transactions.
The parts of the store (`Archive`, `Ledger`) are built on this one connection.

Opening modes:
- `Store(path)` opens for writing: it refuses an SQLite file that belongs to another application without
  touching it, then switches to WAL and applies pending migrations.
- `Store(path, readonly=True)` (render, days, search, serve) never writes: no migration, no WAL switch, no
  file created. An archive that needs a migration is refused with the command that upgrades it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

import sqlite_utils
from sqlite_utils import Migrations

from dailypapers.errors import NotFoundError, StoreError
from dailypapers.store.migrations import LEGACY_MIGRATIONS, MIGRATIONS
from dailypapers.store.rows import user_tables, utc_now

BUSY_TIMEOUT_S = 30.0  # a concurrent run holding the write lock is waited for, not failed


class ArchiveMissingError(NotFoundError):
    """A read-only command was pointed at an archive that does not exist yet."""


class Connection:
    """One SQLite archive, opened. Open it, use it, close it (or use it as a context manager)."""

    def __init__(self, path: Path | str, *, readonly: bool = False) -> None:
        self.path = Path(path) if str(path) != ":memory:" else None
        self.readonly = readonly
        try:
            conn = self._connect()
            try:
                self.db = sqlite_utils.Database(conn, execute_plugins=False)
                self._check_owner(conn)
                if readonly:
                    self._check_current()
                else:
                    if self.path is not None:
                        self.db.enable_wal()
                    self._adopt_legacy_migrations()
                    MIGRATIONS.apply(self.db)
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
            uri = self.path.resolve().as_uri() + "?mode=ro"
            return sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=BUSY_TIMEOUT_S)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return sqlite3.connect(str(self.path), check_same_thread=False, timeout=BUSY_TIMEOUT_S)

    def _check_owner(self, conn: sqlite3.Connection) -> None:
        """Refuse, before any write, a database that holds tables but none of our migration records."""
        tables = user_tables(conn)
        if not tables:
            return
        if LEGACY_MIGRATIONS in tables:
            legacy = {r[0] for r in conn.execute(f"select name from {LEGACY_MIGRATIONS}")}
            if "001_initial" in legacy:
                return
        if MIGRATIONS.applied(self.db):
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
            raise StoreError(f"database write failed: {exc}") from exc
