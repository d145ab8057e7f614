"""The SQLite archive (sqlite-utils): papers, their documents, summaries, digests (day -> ordered entries),
runs and per-paper outcomes, with a full-text search index (`search_fts`, see `dailypapers.search`) over the
titles, authors, summaries and abstracts of the papers in editions.

Dicts in, dicts out at this edge; models everywhere else. Migrations are append-only functions registered
with sqlite-utils' `Migrations`: never edit one that has shipped, add the next.

Opening modes:
- `Store(path)` opens for writing: it refuses an SQLite file that belongs to another application without
  touching it, then switches to WAL and applies pending migrations.
- `Store(path, readonly=True)` (render, days, search, serve) never writes: no migration, no WAL switch, no
  file created. An archive that needs a migration is refused with the command that upgrades it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils import Migrations

from dailypapers.errors import NotFoundError, StoreError
from dailypapers.importing import ImportPlan, ImportReport, Slot
from dailypapers.models import (
    Claim,
    Digest,
    Document,
    Edition,
    Entry,
    Outcome,
    Paper,
    RunReport,
    Section,
    Summary,
    Usage,
    failures_by_stage,
)
from dailypapers.search import RANK_WINDOW, WEIGHTS, SearchDoc, SearchHit, Sort, hit, match_expression, parse_query

MIGRATIONS = Migrations("dailypapers")
_LEGACY_MIGRATIONS = "_migrations"  # the hand-rolled runner's table, before sqlite-utils' Migrations
BUSY_TIMEOUT_S = 30.0  # a concurrent run holding the write lock is waited for, not failed

# (entry, summary key or None) pairs: how a day's entries are read for a merge and written back
KeyedEntries = list[tuple[Entry, str | None]]


class ArchiveMissingError(NotFoundError):
    """A read-only command was pointed at an archive that does not exist yet."""


@MIGRATIONS(name="001_initial")
def _m001_initial(db: sqlite_utils.Database) -> None:
    db["papers"].create(
        {
            "id": str, "version": int, "title": str, "authors": str, "upvotes": int, "thumbnail": str,
            "video": str, "digest_date": str, "published": str, "abstract": str, "links": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"title"},
    )
    db["texts"].create(
        {"paper_id": str, "origin": str, "page_count": int, "sections": str, "fetched_at": str},
        pk="paper_id",
        foreign_keys=[("paper_id", "papers", "id")],
    )
    db["summaries"].create(
        {
            "key": str, "paper_id": str, "language": str, "sections": str, "text": str, "model": str,
            "prompt_version": str, "created_at": str, "claims": str,
        },
        pk="key",
        foreign_keys=[("paper_id", "papers", "id")],
    )
    db["summaries"].create_index(["paper_id"])
    db["digests"].create({"date": str, "updated_at": str}, pk="date")
    db["digest_entries"].create(
        {"date": str, "position": int, "paper_id": str, "upvotes": int, "summary_key": str},
        pk=("date", "position"),
        foreign_keys=[("date", "digests", "date"), ("paper_id", "papers", "id")],
    )
    db["digest_entries"].create_index(["paper_id"])
    db["runs"].create(
        {
            "id": int, "command": str, "day": str, "started_at": str, "finished_at": str,
            "usage": str, "counts": str,
        },
        pk="id",
    )
    db["outcomes"].create(
        {"run_id": int, "day": str, "paper_id": str, "status": str, "reason": str, "stage": str},
        foreign_keys=[("run_id", "runs", "id")],
    )
    db["outcomes"].create_index(["day", "paper_id"])
    db["papers"].enable_fts(["title", "authors"], create_triggers=True, tokenize="trigram")
    db["summaries"].enable_fts(["text"], create_triggers=True, tokenize="trigram")


@MIGRATIONS(name="002_one_name_per_concept")
def _m002_one_name_per_concept(db: sqlite_utils.Database) -> None:
    # Document, lang and day are each concept's one name (models, tables, commands).
    db.execute("alter table texts rename to documents")
    db.execute("alter table summaries rename column language to lang")
    db.execute("alter table papers rename column digest_date to day")
    db.execute("alter table digests rename column date to day")
    db.execute("alter table digest_entries rename column date to day")
    db.execute("update outcomes set stage = 'read' where stage = 'fulltext'")


@MIGRATIONS(name="003_run_details")
def _m003_run_details(db: sqlite_utils.Database) -> None:
    runs = db["runs"]
    assert isinstance(runs, sqlite_utils.db.Table)
    for column in ("source", "lang", "outputs", "publish_errors"):
        runs.add_column(column, str)


@MIGRATIONS(name="004_editions")
def _m004_editions(db: sqlite_utils.Database) -> None:
    # A digest is an edition: (day, source, lang). Days stored before were Hugging Face days; their language
    # is the one most of their summaries are in.
    db.executescript(
        """
        create table digests_new (
            day text not null, source text not null, lang text not null, updated_at text,
            primary key (day, source, lang));
        insert into digests_new
            select d.day, 'hf',
                   coalesce((select s.lang from digest_entries e join summaries s on s.key = e.summary_key
                             where e.day = d.day group by s.lang order by count(*) desc limit 1), 'ko'),
                   d.updated_at
            from digests d;
        create table digest_entries_new (
            day text not null, source text not null, lang text not null, position integer not null,
            paper_id text references papers(id), upvotes integer, summary_key text,
            primary key (day, source, lang, position),
            foreign key (day, source, lang) references digests(day, source, lang));
        insert into digest_entries_new
            select e.day, n.source, n.lang, e.position, e.paper_id, e.upvotes, e.summary_key
            from digest_entries e join digests_new n on n.day = e.day;
        drop table digest_entries;
        drop table digests;
        alter table digests_new rename to digests;
        alter table digest_entries_new rename to digest_entries;
        create index idx_digest_entries_paper_id on digest_entries (paper_id);
        update runs set source = 'hf', lang = coalesce(
                (select d.lang from digests d where d.day = runs.day and d.source = 'hf'), 'ko')
            where source is null and day is not null;
        """
    )


@MIGRATIONS(name="005_import_revisions")
def _m005_import_revisions(db: sqlite_utils.Database) -> None:
    # What an import found different from the archive, field by field, with both values: the earlier version
    # is never lost (see dailypapers.importing).
    db["import_revisions"].create(
        {
            "id": int, "imported_at": str, "origin": str, "day": str, "source": str, "lang": str,
            "paper_id": str, "field": str, "stored": str, "incoming": str, "action": str,
        },
        pk="id",
        not_null={"imported_at", "paper_id", "field", "action"},
    )
    db["import_revisions"].create_index(["paper_id"])


@MIGRATIONS(name="006_search_index")
def _m006_search_index(db: sqlite_utils.Database) -> None:
    # One search row per paper in an edition (`dailypapers.search`). The FTS table is contentless (the text
    # it is given is rewritten for CJK and is never shown); `search_docs` keeps what each row was given, for
    # snippets and to delete the row again. Its id orders rows by day (YYYYMMDD * 10^6 + n), so the newest
    # matches come first from FTS5's own rowid order, with no sort. sqlite-utils' enable_fts cannot make a
    # contentless table, hence the SQL.
    db.executescript(
        """
        create table search_docs (
            id integer primary key, paper_id text not null unique references papers(id), day text,
            title text not null, authors text not null, summaries text not null, abstract text not null);
        create virtual table search_fts using fts5(
            title, authors, body, abstract, chars, content='', tokenize='unicode61 remove_diacritics 2');
        """
    )
    _reindex_search(db, [r[0] for r in db.execute("select distinct paper_id from digest_entries")])


def _search_doc(db: sqlite_utils.Database, paper_id: str) -> SearchDoc | None:
    """What the search index should hold for a paper now: None unless it is in an edition."""
    row = db.execute(
        "select p.title, p.authors, p.abstract, max(e.day) from digest_entries e join papers p on p.id = e.paper_id "
        "where e.paper_id = ?", [paper_id]).fetchone()
    if row is None or row[0] is None:
        return None
    summaries = db.execute(
        "select lang, text from summaries where key in (select summary_key from digest_entries where paper_id = ?) "
        "order by lang, key", [paper_id]).fetchall()
    return SearchDoc(paper_id=paper_id, day=dt.date.fromisoformat(row[3]) if row[3] else None, title=row[0],
                     authors=tuple(json.loads(row[1] or "[]")), summaries=tuple((lang, text or "") for lang, text
                                                                                 in summaries),
                     abstract=row[2] or "")


_FTS_COLUMNS = "title, authors, body, abstract, chars"


def _reindex_search(db: sqlite_utils.Database, paper_ids: Iterable[str]) -> None:
    """Bring the search rows of these papers up to date (added, changed, or removed with their last edition)."""
    for paper_id in dict.fromkeys(paper_ids):
        new = _search_doc(db, paper_id)
        found = db.execute("select id, day, title, authors, summaries, abstract from search_docs where paper_id = ?",
                           [paper_id]).fetchone()
        old = None
        if found is not None:
            old = SearchDoc.from_row(dict(zip(("id", "day", "title", "authors", "summaries", "abstract"), found,
                                              strict=True)) | {"paper_id": paper_id})
        if new == old:
            continue
        if old is not None:
            # a contentless row is deleted by giving FTS5 the values it was indexed with
            db.execute(f"insert into search_fts(search_fts, rowid, {_FTS_COLUMNS}) values ('delete', ?, ?, ?, ?, ?, ?)",
                       [found[0], *old.fts_values()])
            db.execute("delete from search_docs where id = ?", [found[0]])
        if new is None:
            continue
        doc_id = found[0] if old is not None and old.day == new.day else _next_search_id(db, new.day)
        row = new.row()
        db.execute("insert into search_docs (id, paper_id, day, title, authors, summaries, abstract) "
                   "values (?, ?, ?, ?, ?, ?, ?)", [doc_id, *row.values()])
        db.execute(f"insert into search_fts(rowid, {_FTS_COLUMNS}) values (?, ?, ?, ?, ?, ?)",
                   [doc_id, *new.fts_values()])


def _next_search_id(db: sqlite_utils.Database, day: dt.date | None) -> int:
    base = int(day.strftime("%Y%m%d")) * 1_000_000 if day else 0
    top = db.execute("select max(id) from search_docs where id >= ? and id < ?", [base, base + 1_000_000]).fetchone()
    return base if top[0] is None else top[0] + 1


@MIGRATIONS(name="007_leases")
def _m007_leases(db: sqlite_utils.Database) -> None:
    # Who is summarizing what: concurrent runs wait for each other instead of paying twice.
    db["leases"].create({"key": str, "holder": str, "expires_at": str}, pk="key")


# -- deliveries and health reports (issue 13: the daily run) -------------------------------------------------
@MIGRATIONS(name="008_deliveries")
def _m008_deliveries(db: sqlite_utils.Database) -> None:
    # The delivery ledger: one row per (edition, channel, item); item "" is the edition's own message (a Slack
    # thread's parent, an email's header), else a paper id. `pending` is written before a message is sent, so a
    # run killed mid-send knows what may have gone out; `external_id` is what the channel called the message (a
    # Slack ts, an email Message-ID), `thread_id` the thread it went into.
    db.executescript(
        """
        create table deliveries (
            day text not null, source text not null, lang text not null, channel text not null,
            item text not null, status text not null, external_id text, thread_id text,
            attempts integer not null default 0, error text, updated_at text,
            primary key (day, source, lang, channel, item));
        create index idx_deliveries_status on deliveries (status);
        """
    )


@MIGRATIONS(name="009_health_reports")
def _m009_health_reports(db: sqlite_utils.Database) -> None:
    # One health report per `dailypapers run` (or backfill): the whole report as JSON, plus one row per edition
    # it made, linked to that edition's row in `runs`, for queries and `dailypapers runs`.
    db.executescript(
        """
        create table health_reports (
            id integer primary key, command text not null, started_at text not null, finished_at text not null,
            status text not null, exit_code integer not null, summary text not null, report text not null);
        create table health_editions (
            report_id integer not null references health_reports(id), run_id integer references runs(id),
            day text, source text not null, lang text not null, listed integer not null,
            fetched integer not null, summarized integer not null, delivered integer not null,
            undelivered integer not null, no_papers text, skipped text);
        create index idx_health_editions_run on health_editions (run_id);
        create index idx_health_editions_report on health_editions (report_id);
        """
    )


@MIGRATIONS(name="010_drop_trigram_index")
def _m010_drop_trigram_index(db: sqlite_utils.Database) -> None:
    # search_fts (006) answers every search; the first release's trigram tables only cost every write.
    for name in ("papers", "summaries"):
        table = db[name]
        assert isinstance(table, sqlite_utils.db.Table)
        if table.detect_fts():
            table.disable_fts()


@MIGRATIONS(name="011_drop_deliveries_status_index")
def _m011_drop_deliveries_status_index(db: sqlite_utils.Database) -> None:
    # The ledger is only ever read by edition and channel (its primary key); the status index cost every write.
    db.execute("drop index if exists idx_deliveries_status")


@MIGRATIONS(name="012_email_channel_ids")
def _m012_email_channel_ids(db: sqlite_utils.Database) -> None:
    # An email channel's ledger key was `email:<the recipients, sorted, comma-joined>` when that was short (a
    # hash of it only when long): addresses in the ledger and the health reports. It is now always the hash
    # (`notify.email.channel_id`); the ledger's rows move to it, so nothing is sent again.
    for (channel,) in db.execute("select distinct channel from deliveries where channel like 'email:%@%'").fetchall():
        joined = channel[len("email:") :]
        new = "email:" + hashlib.sha256(joined.encode()).hexdigest()[:12]
        db.execute("update deliveries set channel = ? where channel = ?", [new, channel])


@MIGRATIONS(name="013_written_files")
def _m013_written_files(db: sqlite_utils.Database) -> None:
    # Which edition each output file holds (by absolute path), so that a publisher never replaces a file it
    # wrote for another edition (`publish.base.FileLedger`).
    db["written_files"].create(
        {"path": str, "day": str, "source": str, "lang": str, "written_at": str}, pk="path", if_not_exists=True)


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_time(value: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def import_key(summary: Summary) -> str:
    """Key of a summary that came from an existing digest: the same text always maps to the same key."""
    blob = json.dumps([summary.paper_id, summary.lang, [s.model_dump() for s in summary.sections]],
                      ensure_ascii=False, sort_keys=True)
    return "import:" + hashlib.sha256(blob.encode()).hexdigest()[:24]


def _user_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
    return [r[0] for r in rows]


class Store:
    """One SQLite archive. Open it, use it, close it (or use it as a context manager)."""

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
        tables = _user_tables(conn)
        if not tables:
            return
        if _LEGACY_MIGRATIONS in tables:
            legacy = {r[0] for r in conn.execute(f"select name from {_LEGACY_MIGRATIONS}")}
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
        if not _user_tables(self.db.conn):
            raise ArchiveMissingError(f"the archive at {self.path} is empty: `dailypapers import FILE` or "
                                      "`dailypapers digest` fills it")
        if self._legacy_applied() or MIGRATIONS.pending(self.db):
            raise StoreError(
                f"the archive at {self.path} was written by an older dailypapers: run `dailypapers migrate` "
                "(or any command that writes, such as import or digest) to upgrade it"
            )

    def _legacy_applied(self) -> set[str]:
        if _LEGACY_MIGRATIONS not in _user_tables(self.db.conn):
            return set()
        return {r[0] for r in self.db.conn.execute(f"select name from {_LEGACY_MIGRATIONS}")}

    def _adopt_legacy_migrations(self) -> None:
        """Archives made before sqlite-utils' Migrations: record what the old runner applied, once."""
        legacy = self._legacy_applied()
        if not legacy:
            return
        with self.transaction():
            MIGRATIONS.ensure_migrations_table(self.db)
            for name in sorted(legacy):
                self.db[Migrations.migrations_table].insert(
                    {"migration_set": MIGRATIONS.name, "name": name, "applied_at": _now()}
                )
            self.db.execute(f"drop table {_LEGACY_MIGRATIONS}")

    # -- lifecycle -------------------------------------------------------------------------------------------
    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> Store:
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

    # -- papers ----------------------------------------------------------------------------------------------
    def upsert_paper(self, paper: Paper) -> bool:
        """Insert or update a paper, merging: what the new record lacks (an imported digest has no abstract,
        links or dates) keeps its stored value. Returns True if the paper was new."""
        row = _paper_row(paper)
        with self.transaction():
            old = self.get_paper_row(paper.id)
            if old is not None:
                for k, v in row.items():
                    if v in (None, "", "[]", "{}") and old.get(k) not in (None, ""):
                        row[k] = old[k]
                links = {**json.loads(old["links"] or "{}"), **paper.links}
                row["links"] = json.dumps(links, ensure_ascii=False)
            self.db["papers"].upsert(row, pk="id")
            if old is not None:
                _reindex_search(self.db, [paper.id])  # a title or authors of a paper already in an edition
        return old is None

    def get_paper_row(self, paper_id: str) -> dict[str, Any] | None:
        rows = list(self.db.query("select * from papers where id = ?", [paper_id]))
        return rows[0] if rows else None

    def get_paper(self, paper_id: str) -> Paper | None:
        row = self.get_paper_row(paper_id)
        return _paper_from_row(row) if row else None

    # -- documents -------------------------------------------------------------------------------------------
    def save_document(self, doc: Document) -> None:
        with self.transaction():
            self._save_document(doc)

    def _save_document(self, doc: Document) -> None:
        self.db["documents"].upsert(
            {
                "paper_id": doc.paper_id,
                "origin": doc.origin,
                "page_count": doc.page_count,
                "sections": json.dumps([s.model_dump() for s in doc.sections], ensure_ascii=False),
                "fetched_at": _now(),
            },
            pk="paper_id",
        )

    def stored_documents(self, paper_ids: Sequence[str]) -> set[str]:
        """Which of these papers have a stored document."""
        return {r["paper_id"] for r in _rows_in(self.db.conn, "documents", "paper_id", paper_ids,
                                                columns="paper_id")}

    def get_document(self, paper_id: str) -> Document | None:
        rows = list(self.db.query("select * from documents where paper_id = ?", [paper_id]))
        if not rows:
            return None
        r = rows[0]
        return Document(
            paper_id=r["paper_id"], origin=r["origin"], page_count=r["page_count"] or 0,
            sections=tuple(json.loads(r["sections"])),
        )

    # -- summaries -------------------------------------------------------------------------------------------
    def save_summary(self, summary: Summary, key: str) -> bool:
        """Store a summary under its cache key (replacing what was there). Returns True if the key was new."""
        with self.transaction():
            return self._save_summary(summary, key)

    def _save_summary(self, summary: Summary, key: str) -> bool:
        existed = bool(list(self.db.query("select 1 from summaries where key = ?", [key])))
        self.db["summaries"].upsert(_summary_row(summary, key), pk="key")
        if existed:  # a summary replaced under its key: the editions that show it show the new text
            shown = self.db.execute("select paper_id from digest_entries where summary_key = ?", [key])
            _reindex_search(self.db, [r[0] for r in shown])
        return not existed

    def get_summary(self, key: str) -> Summary | None:
        rows = list(self.db.query("select * from summaries where key = ?", [key]))
        return _summary_from_row(rows[0]) if rows else None

    # -- digests ---------------------------------------------------------------------------------------------
    def save_digest(self, digest: Digest, summary_keys: Sequence[str | None]) -> bool:
        """Replace the edition's entry list (papers must be stored already). Returns True if it was new."""
        if len(summary_keys) != len(digest.entries):
            raise ValueError("one summary key (or None) per entry")
        key = _edition_key(digest.edition)
        with self.transaction():
            existed = bool(list(self.db.query(f"select 1 from digests where {_EDITION}", key)))
            before = [r[0] for r in self.db.execute(f"select paper_id from digest_entries where {_EDITION}", key)]
            self.db["digests"].upsert({**key, "updated_at": _now()}, pk=("day", "source", "lang"))
            self.db.execute(f"delete from digest_entries where {_EDITION}", key)
            self.db["digest_entries"].insert_all(
                {**key, "position": i, "paper_id": e.paper.id, "upvotes": e.paper.upvotes, "summary_key": k}
                for i, (e, k) in enumerate(zip(digest.entries, summary_keys, strict=True))
            )
            _reindex_search(self.db, [*before, *(e.paper.id for e in digest.entries)])
        return not existed

    def update_digest(self, edition: Edition, merge: Callable[[KeyedEntries], KeyedEntries]) -> Digest:
        """Read the edition's entries, let `merge` compute the new list, write it and read it back, in one write
        transaction: two runs of the same edition cannot both read the old list and drop each other's entries."""
        with self.transaction():
            previous = self.get_digest(edition)
            keys = self.digest_summary_keys(edition)
            stored = [(e, keys.get(e.paper.id)) for e in previous.entries] if previous else []
            merged = merge(stored)
            fresh = Digest(**edition.model_dump(), entries=tuple(e for e, _ in merged))
            self.save_digest(fresh, [k for _, k in merged])
            digest = self.get_digest(edition)  # the entries with the summaries their keys name
        assert digest is not None
        return digest

    def digest_summary_keys(self, edition: Edition) -> dict[str, str | None]:
        """paper_id -> summary key of each entry of the edition (None where the entry has no summary)."""
        rows = self.db.query(f"select paper_id, summary_key from digest_entries where {_EDITION}",
                             _edition_key(edition))
        return {r["paper_id"]: r["summary_key"] for r in rows}

    def get_digest(self, edition: Edition) -> Digest | None:
        key = _edition_key(edition)
        if not list(self.db.query(f"select 1 from digests where {_EDITION}", key)):
            return None
        rows = self.db.query(
            """
            select e.upvotes as entry_upvotes, p.*, s.key as s_key, s.paper_id as s_paper_id,
                   s.lang as s_lang, s.sections as s_sections, s.model as s_model,
                   s.prompt_version as s_prompt_version, s.created_at as s_created_at, s.claims as s_claims
            from digest_entries e
            join papers p on p.id = e.paper_id
            left join summaries s on s.key = e.summary_key
            where e.day = :day and e.source = :source and e.lang = :lang order by e.position
            """,
            key,
        )
        entries = []
        for r in rows:
            paper = _paper_from_row(r).model_copy(update={"upvotes": r["entry_upvotes"]})
            summary = None
            if r["s_key"] is not None:
                summary = _summary_from_row({k[2:]: v for k, v in r.items() if k.startswith("s_")})
            entries.append(Entry(paper=paper, summary=summary))
        return Digest(**edition.model_dump(), entries=tuple(entries))

    def editions(self, day: dt.date | None = None) -> list[tuple[Edition, int]]:
        """The stored editions (of one day, or all), oldest first, with their paper counts."""
        where, params = ("where d.day = ?", [day.isoformat()]) if day else ("", [])
        rows = self.db.query(
            "select d.day, d.source, d.lang, count(e.position) as n from digests d "
            "left join digest_entries e on e.day = d.day and e.source = d.source and e.lang = d.lang "
            f"{where} group by d.day, d.source, d.lang order by d.day, d.source, d.lang",
            params,
        )
        return [(_edition_from_row(r), r["n"]) for r in rows]

    def editions_updated(self) -> dict[Edition, dt.datetime | None]:
        """When each stored edition last changed (a run or an import wrote its entries)."""
        rows = self.db.execute("select day, source, lang, updated_at from digests")
        return {Edition(day=dt.date.fromisoformat(d), source=s, lang=lg): _parse_time(u) for d, s, lg, u in rows}

    def paper_editions(self, paper_id: str) -> list[tuple[Edition, Summary | None, int | None]]:
        """Every edition that lists the paper, newest first, with the summary and votes it shows there."""
        rows = self.db.query(
            """
            select e.day as e_day, e.source as e_source, e.lang as e_lang, e.upvotes as e_upvotes, s.*
            from digest_entries e left join summaries s on s.key = e.summary_key
            where e.paper_id = ? order by e.day desc, e.source, e.lang
            """,
            [paper_id],
        )
        return [(Edition(day=dt.date.fromisoformat(r["e_day"]), source=r["e_source"], lang=r["e_lang"]),
                 _summary_from_row(r) if r["key"] is not None else None, r["e_upvotes"]) for r in rows]

    # == import (dailypapers.importing): a batch of digests in one transaction, never silently overwriting ==
    def import_digests(self, digests: Sequence[Digest], *, replace: bool = False,
                       origins: Sequence[str] | None = None) -> ImportReport:
        """Load parsed digests as their editions, all or nothing, in one write transaction.

        Each paper is compared field by field with what is stored (see `dailypapers.importing`): what the
        archive lacks is filled in, what differs is reported and kept in `import_revisions`, and stored values
        change only with `replace`. Importing the same files again changes nothing. `origins` names the file
        of each digest (kept in the revisions)."""
        names = list(origins) if origins is not None else [""] * len(digests)
        if len(names) != len(digests):
            raise ValueError("one origin per digest")
        with self.transaction():
            papers = self._papers_by_id({e.paper.id for d in digests for e in d.entries})
            editions = {d.edition: self._edition_slots(d.edition) for d in digests}
            keys = {s.summary_key for slots in editions.values() for s in slots or () if s.summary_key}
            plan = ImportPlan(papers, editions, self._summaries_by_key(keys), replace=replace, key=import_key,
                              now=_now())
            for digest, origin in zip(digests, names, strict=True):
                plan.add(digest, origin)
            # the search rows to bring up to date: papers of the editions written, before and after, and
            # papers whose fields changed (an edition the plan leaves alone changes nothing)
            before = {sl.paper_id for edition in plan.touched for sl in editions.get(edition) or ()}
            self._write_plan(plan)
            shown = {sl.paper_id for slots in plan.touched.values() for sl in slots}
            _reindex_search(self.db, sorted(before | shown | set(plan.changed_papers)))
        return plan.report

    def import_digest(self, digest: Digest, *, replace: bool = False) -> ImportReport:
        """One digest: see `import_digests`."""
        return self.import_digests([digest], replace=replace)

    def revisions(self, paper_id: str | None = None) -> list[dict[str, Any]]:
        """What imports found different (of one paper, or all), oldest first, values decoded from JSON."""
        where, params = ("where paper_id = ?", [paper_id]) if paper_id else ("", [])
        rows = self.db.query(f"select * from import_revisions {where} order by id", params)
        return [{**r, "stored": json.loads(r["stored"]), "incoming": json.loads(r["incoming"])} for r in rows]

    def _papers_by_id(self, ids: set[str]) -> dict[str, Paper]:
        return {r["id"]: _paper_from_row(r) for r in _rows_in(self.db.conn, "papers", "id", sorted(ids))}

    def _summaries_by_key(self, keys: set[str]) -> dict[str, Summary]:
        return {r["key"]: _summary_from_row(r) for r in _rows_in(self.db.conn, "summaries", "key", sorted(keys))}

    def _edition_slots(self, edition: Edition) -> list[Slot] | None:
        """The edition's entries as stored, in order; None when the edition is not stored."""
        key = _edition_key(edition)
        if not _rows(self.db.conn, f"select 1 from digests where {_EDITION}", key):
            return None
        rows = _rows(self.db.conn, f"select paper_id, upvotes, summary_key from digest_entries where {_EDITION} "
                     "order by position", key)
        return [Slot(r["paper_id"], r["upvotes"], r["summary_key"]) for r in rows]

    def _write_plan(self, plan: ImportPlan) -> None:
        """The plan's writes: a few statements per table, each over many rows (executemany)."""
        conn = self.db.conn
        _insert_many(conn, "papers", [_paper_row(p) for p in plan.new_papers.values()])
        changed = [{**_paper_row(p), "pk": p.id} for p in plan.changed_papers.values()]
        if changed:
            columns = [c for c in changed[0] if c not in ("id", "pk")]
            conn.executemany(f"update papers set {', '.join(f'{c} = :{c}' for c in columns)} where id = :pk",
                             changed)
        _insert_many(conn, "summaries", [_summary_row(v, k) for k, v in plan.new_summaries.items()],
                     ignore=True)
        now = _now()
        for edition, slots in plan.touched.items():
            key = _edition_key(edition)
            conn.execute("insert into digests (day, source, lang, updated_at) values (:day, :source, :lang, :now) "
                         "on conflict (day, source, lang) do update set updated_at = excluded.updated_at",
                         {**key, "now": now})
            conn.execute(f"delete from digest_entries where {_EDITION}", key)
            _insert_many(conn, "digest_entries", [
                {**key, "position": i, "paper_id": s.paper_id, "upvotes": s.upvotes, "summary_key": s.summary_key}
                for i, s in enumerate(slots)
            ])
        _insert_many(conn, "import_revisions", plan.revisions)

    # -- leases ----------------------------------------------------------------------------------------------
    def acquire_lease(self, key: str, holder: str, ttl: float, *, alive: Callable[[str], bool]) -> bool:
        """Take the lease on `key` for `ttl` seconds, unless another live holder has it. `alive(holder)` says
        whether a holder still runs (a crashed run's lease is taken over at once, not after its ttl)."""
        now = dt.datetime.now(dt.UTC)
        with self.transaction():
            rows = list(self.db.query("select holder, expires_at from leases where key = ?", [key]))
            if rows and rows[0]["holder"] != holder:
                current = rows[0]
                if dt.datetime.fromisoformat(current["expires_at"]) > now and alive(current["holder"]):
                    return False
            self.db["leases"].upsert(
                {"key": key, "holder": holder, "expires_at": (now + dt.timedelta(seconds=ttl)).isoformat()},
                pk="key",
            )
        return True

    def release_lease(self, key: str, holder: str) -> None:
        with self.transaction():
            self.db.execute("delete from leases where key = ? and holder = ?", [key, holder])

    # -- runs ------------------------------------------------------------------------------------------------
    def save_run(self, report: RunReport) -> int:
        with self.transaction():
            run_id = self.db["runs"].insert(
                {
                    "command": report.command,
                    "day": _iso(report.day),
                    "source": report.source,
                    "lang": report.lang,
                    "started_at": _iso(report.started_at),
                    "finished_at": _iso(report.finished_at),
                    "usage": report.usage.model_dump_json(),
                    "counts": json.dumps(report.counts()),
                    "outputs": json.dumps(list(report.outputs), ensure_ascii=False),
                    "publish_errors": json.dumps(list(report.publish_errors), ensure_ascii=False),
                }
            ).last_pk
            self.db["outcomes"].insert_all(
                {"run_id": run_id, "day": _iso(report.day), **o.model_dump()} for o in report.outcomes
            )
        return int(run_id)

    def add_run_outputs(self, run_id: int, outputs: Sequence[str], publish_errors: Sequence[str]) -> None:
        """Outputs and publish problems of a stored run that came after it was saved (a site built once for
        many editions)."""
        row = self.db["runs"].get(run_id)
        with self.transaction():
            self.db["runs"].update(run_id, {
                "outputs": json.dumps([*json.loads(row["outputs"] or "[]"), *outputs], ensure_ascii=False),
                "publish_errors": json.dumps([*json.loads(row["publish_errors"] or "[]"), *publish_errors],
                                             ensure_ascii=False),
            })

    # -- the files the publishers wrote (publish.base.FileLedger) ---------------------------------------
    def written_for(self, path: Path) -> Edition | None:
        """The edition the file at `path` was last written for by this archive's runs, or None."""
        row = next(self.db.query("select day, source, lang from written_files where path = ?",
                                 [str(Path(path).resolve())]), None)
        return _edition_from_row(row) if row else None

    def record_written(self, path: Path, edition: Edition) -> None:
        with self.transaction():
            self.db["written_files"].upsert(
                {"path": str(Path(path).resolve()), **_edition_key(edition), "written_at": _now()}, pk="path")

    def latest_outcomes(self, edition: Edition) -> dict[str, Outcome]:
        """The most recent outcome of each paper of that edition, across runs."""
        rows = self.db.query(
            "select o.paper_id, o.status, o.reason, o.stage from outcomes o join runs r on r.id = o.run_id "
            "where r.day = :day and r.source = :source and r.lang = :lang order by o.run_id, o.rowid",
            _edition_key(edition),
        )
        return {r["paper_id"]: Outcome(**r) for r in rows}

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        return [_run_row(r) for r in self.db.query("select * from runs order by id desc limit ?", [limit])]

    def failed_outcomes(self, run_ids: Sequence[int]) -> dict[int, list[dict[str, str]]]:
        """run id -> the papers that failed in it (paper_id, stage, reason), in the order they were recorded."""
        if not run_ids:
            return {}
        rows = self.db.execute(
            f"select run_id, paper_id, stage, reason from outcomes where status = 'failed' and run_id in "
            f"({', '.join('?' * len(run_ids))}) order by run_id, rowid", list(run_ids))
        out: dict[int, list[dict[str, str]]] = {}
        for run_id, paper_id, stage, reason in rows:
            out.setdefault(run_id, []).append({"paper_id": paper_id, "stage": stage or "", "reason": reason or ""})
        return out

    def search_ids(self, query: str, limit: int = 50) -> list[str]:
        """Ids of the papers in editions whose title, authors, summaries or abstract match, newest first."""
        return [h.paper_id for h in self.search(query, limit=limit, sort="newest")]

    def search(self, query: str, *, limit: int = 20, sort: Sort = "newest", lang: str | None = None
               ) -> list[SearchHit]:
        """Papers in editions that match every word of `query` (see `dailypapers.search`), newest first or best
        first (`rank`: bm25 over the newest RANK_WINDOW matches), with highlighted snippets (taken from the
        summary in `lang` when it matches)."""
        terms = parse_query(query)
        if not terms or limit < 1:
            return []
        expr = match_expression(terms)
        if sort == "newest":
            found = [(r[0], 0.0) for r in self.db.execute(
                "select rowid from search_fts where search_fts match ? order by rowid desc limit ?", [expr, limit])]
        else:
            # scores of the newest matches, from FTS5's rowid order (no sort of every match), best kept here
            weights = ", ".join(str(w) for w in WEIGHTS)
            window = self.db.execute(
                f"select rowid, bm25(search_fts, {weights}) from search_fts where search_fts match ? "
                "order by rowid desc limit ?", [expr, max(RANK_WINDOW, limit)]).fetchall()
            found = sorted(window, key=lambda r: (r[1], -r[0]))[:limit]
        if not found:
            return []
        rows = {r["id"]: r for r in self.db.query(
            f"select * from search_docs where id in ({', '.join('?' * len(found))})", [i for i, _ in found])}
        return [hit(SearchDoc.from_row(rows[i]), terms, score, lang=lang) for i, score in found if i in rows]


    # -- deliveries and health reports (issue 13) -------------------------------------------------------------
    DELIVERY_STATES = ("pending", "delivered", "failed", "abandoned")

    def deliveries(self, edition: Edition, channel: str | None = None) -> list[dict[str, Any]]:
        """The ledger rows of an edition (of one channel, or all), in the order they were first written."""
        where, params = _EDITION, _edition_key(edition)
        if channel is not None:
            where += " and channel = :channel"
            params = {**params, "channel": channel}
        return list(self.db.query(f"select * from deliveries where {where} order by rowid", params))

    def record_delivery(
        self, edition: Edition, channel: str, item: str, status: str, *, external_id: str | None = None,
        thread_id: str | None = None, error: str | None = None,
    ) -> dict[str, Any]:
        """Write one ledger row at once (its own transaction, so a kill right after loses nothing) and return
        it as written. `pending` counts an attempt; a later state keeps the ids it is not given."""
        if status not in self.DELIVERY_STATES:
            raise ValueError(f"unknown delivery status {status!r}")
        key = {**_edition_key(edition), "channel": channel, "item": item}
        with self.transaction():
            self.db.execute(
                """
                insert into deliveries (day, source, lang, channel, item, status, external_id, thread_id,
                                        attempts, error, updated_at)
                values (:day, :source, :lang, :channel, :item, :status, :external_id, :thread_id,
                        :attempt, :error, :now)
                on conflict (day, source, lang, channel, item) do update set
                    status = excluded.status,
                    external_id = coalesce(excluded.external_id, deliveries.external_id),
                    thread_id = coalesce(excluded.thread_id, deliveries.thread_id),
                    attempts = deliveries.attempts + excluded.attempts,
                    error = excluded.error,
                    updated_at = excluded.updated_at
                """,
                {**key, "status": status, "external_id": external_id, "thread_id": thread_id,
                 "attempt": int(status == "pending"), "error": error, "now": _now()},
            )
            [row] = _rows(self.db.conn, f"select * from deliveries where {_EDITION} and channel = :channel "
                                        "and item = :item", key)
        return row

    def save_health(self, report: dict[str, Any], editions: Sequence[dict[str, Any]]) -> int:
        """Store a health report (`notify.health.HealthReport.stored()`) and its per-edition rows."""
        with self.transaction():
            report_id = self.db["health_reports"].insert(report).last_pk
            self.db["health_editions"].insert_all({"report_id": report_id, **e} for e in editions)
        return int(report_id)

    def health_reports(self, limit: int = 20) -> list[dict[str, Any]]:
        rows = self.db.query("select * from health_reports order by id desc limit ?", [limit])
        return [{**r, "report": json.loads(r["report"])} for r in rows]

    def run_history(self, limit: int = 20) -> list[dict[str, Any]]:
        """`runs` newest first, each with the health row of the daily run that made it (None for a plain
        `digest`), and its failures by stage."""
        rows = list(self.db.query(
            """
            select r.*, h.report_id, h.listed, h.fetched, h.summarized, h.delivered, h.undelivered, h.no_papers
            from runs r left join health_editions h on h.run_id = r.id
            order by r.id desc limit ?
            """,
            [limit],
        ))
        failed = self.failed_outcomes([r["id"] for r in rows])
        return [{**_run_row(r), "failures_by_stage": failures_by_stage(
                    Outcome(paper_id=f["paper_id"], status="failed", stage=f["stage"], reason=f["reason"])
                    for f in failed.get(r["id"], []))} for r in rows]


_EDITION = "day = :day and source = :source and lang = :lang"
_CHUNK = 500  # ids per `in (...)` query, well under SQLite's limit on bound parameters


def _rows(conn: sqlite3.Connection, sql: str, params: Sequence[Any] | dict[str, Any]) -> list[dict[str, Any]]:
    """Rows as dicts, read on the connection as it is (sqlite-utils' query() wraps each read in a savepoint)."""
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def _rows_in(conn: sqlite3.Connection, table: str, column: str, keys: Sequence[str], *,
             columns: str = "*") -> list[dict[str, Any]]:
    """The rows of `table` whose `column` is one of `keys`, asked _CHUNK keys at a time."""
    out: list[dict[str, Any]] = []
    for start in range(0, len(keys), _CHUNK):
        chunk = list(keys[start : start + _CHUNK])
        out.extend(_rows(conn, f"select {columns} from {table} where {column} in ({','.join('?' * len(chunk))})",
                         chunk))
    return out


def _insert_many(conn: sqlite3.Connection, table: str, rows: list[dict[str, Any]], *, ignore: bool = False) -> None:
    if not rows:
        return
    columns = list(rows[0])
    conn.executemany(
        f"insert {'or ignore ' if ignore else ''}into {table} ({', '.join(columns)}) "
        f"values ({', '.join(':' + c for c in columns)})",
        rows,
    )


def _run_row(r: dict[str, Any]) -> dict[str, Any]:
    """A `runs` row with its JSON columns decoded."""
    return {**r, "usage": Usage.model_validate_json(r["usage"]), "counts": json.loads(r["counts"]),
            "outputs": json.loads(r["outputs"] or "[]"), "publish_errors": json.loads(r["publish_errors"] or "[]")}


def _edition_key(edition: Edition) -> dict[str, Any]:
    return {"day": edition.day.isoformat(), "source": edition.source, "lang": edition.lang}


def _edition_from_row(r: dict[str, Any]) -> Edition:
    return Edition(day=dt.date.fromisoformat(r["day"]), source=r["source"], lang=r["lang"])


def _paper_row(p: Paper) -> dict[str, Any]:
    return {
        "id": p.id,
        "version": p.version,
        "title": p.title,
        "authors": json.dumps(list(p.authors), ensure_ascii=False),
        "upvotes": p.upvotes,
        "thumbnail": p.thumbnail,
        "video": p.video,
        "day": _iso(p.day),
        "published": _iso(p.published),
        "abstract": p.abstract,
        "links": json.dumps(p.links, ensure_ascii=False),
        "updated_at": _now(),
    }


def _summary_row(summary: Summary, key: str) -> dict[str, Any]:
    return {
        "key": key,
        "paper_id": summary.paper_id,
        "lang": summary.lang,
        "sections": json.dumps([s.model_dump() for s in summary.sections], ensure_ascii=False),
        "text": "\n".join(s.text for s in summary.sections),
        "model": summary.model,
        "prompt_version": summary.prompt_version,
        "created_at": _iso(summary.created_at),
        "claims": json.dumps([c.model_dump() for c in summary.claims], ensure_ascii=False),
    }


def _paper_from_row(r: dict[str, Any]) -> Paper:
    return Paper(
        id=r["id"],
        version=r["version"],
        title=r["title"],
        authors=tuple(json.loads(r["authors"] or "[]")),
        upvotes=r["upvotes"],
        thumbnail=r["thumbnail"],
        video=r["video"],
        day=dt.date.fromisoformat(r["day"]) if r["day"] else None,
        published=dt.datetime.fromisoformat(r["published"]) if r["published"] else None,
        abstract=r["abstract"] or "",
        links=json.loads(r["links"] or "{}"),
    )


def _summary_from_row(r: dict[str, Any]) -> Summary:
    return Summary(
        paper_id=r["paper_id"],
        lang=r["lang"],
        sections=tuple(Section(**s) for s in json.loads(r["sections"])),
        model=r["model"],
        prompt_version=r["prompt_version"],
        created_at=dt.datetime.fromisoformat(r["created_at"]) if r["created_at"] else None,
        claims=tuple(Claim(**c) for c in json.loads(r["claims"] or "[]")),
    )
