"""The SQLite archive (sqlite-utils): papers, their full texts, summaries, digests (day -> ordered entries),
runs and per-paper outcomes, with an FTS5 index over titles, authors and summary text.

Dicts in, dicts out at this edge; models everywhere else. Migrations are append-only functions: never edit one
that has shipped, add the next.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from dailypapers.errors import StoreError
from dailypapers.models import (
    Claim,
    Digest,
    Document,
    Entry,
    Outcome,
    Paper,
    RunReport,
    Section,
    Summary,
    Usage,
)


@dataclass(frozen=True)
class ImportCounts:
    days: int = 0
    papers: int = 0
    summaries: int = 0

    def __add__(self, other: ImportCounts) -> ImportCounts:
        return ImportCounts(self.days + other.days, self.papers + other.papers, self.summaries + other.summaries)


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


# Append only.
MIGRATIONS: tuple[tuple[str, Callable[[sqlite_utils.Database], None]], ...] = (
    ("001_initial", _m001_initial),
)


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def import_key(summary: Summary) -> str:
    """Key of a summary that came from an existing digest: the same text always maps to the same key."""
    blob = json.dumps([summary.paper_id, summary.language, [s.model_dump() for s in summary.sections]],
                      ensure_ascii=False, sort_keys=True)
    return "import:" + hashlib.sha256(blob.encode()).hexdigest()[:24]


class Store:
    """One SQLite database. Open it, use it, close it (or use it as a context manager)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path) if str(path) != ":memory:" else None
        try:
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                if self.path.exists() and self.path.is_dir():
                    raise StoreError(f"database path {self.path} is a directory; pass a file with --db")
                conn = sqlite3.connect(str(self.path), check_same_thread=False)
            else:
                conn = sqlite3.connect(":memory:", check_same_thread=False)
            self.db = sqlite_utils.Database(conn)
            if self.path is not None:
                self.db.enable_wal()
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open database {path}: {exc} (point --db or DAILYPAPERS_DB elsewhere)") from exc
        except OSError as exc:
            raise StoreError(f"cannot create database {path}: {exc}") from exc

    # -- lifecycle -------------------------------------------------------------------------------------------
    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        try:
            with self.db.conn:
                yield
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"database write failed: {exc}") from exc

    def _migrate(self) -> None:
        self.db["_migrations"].create({"name": str, "applied_at": str}, pk="name", if_not_exists=True)
        done = {r["name"] for r in self.db["_migrations"].rows}
        for name, step in MIGRATIONS:
            if name in done:
                continue
            with self.db.conn:
                step(self.db)
                self.db["_migrations"].insert({"name": name, "applied_at": _now()})

    # -- papers ----------------------------------------------------------------------------------------------
    def upsert_paper(self, paper: Paper) -> bool:
        """Insert or update a paper, merging: what the new record lacks (an imported digest has no abstract,
        links or dates) keeps its stored value. Returns True if the paper was new."""
        row = _paper_row(paper)
        old = self.get_paper_row(paper.id)
        if old is not None:
            for k, v in row.items():
                if v in (None, "", "[]", "{}") and old.get(k) not in (None, ""):
                    row[k] = old[k]
            row["links"] = json.dumps({**json.loads(old["links"] or "{}"), **paper.links}, ensure_ascii=False)
        self.db["papers"].upsert(row, pk="id")
        return old is None

    def get_paper_row(self, paper_id: str) -> dict[str, Any] | None:
        rows = list(self.db.query("select * from papers where id = ?", [paper_id]))
        return rows[0] if rows else None

    def get_paper(self, paper_id: str) -> Paper | None:
        row = self.get_paper_row(paper_id)
        return _paper_from_row(row) if row else None

    # -- texts -----------------------------------------------------------------------------------------------
    def save_text(self, doc: Document) -> None:
        self.db["texts"].upsert(
            {
                "paper_id": doc.paper_id,
                "origin": doc.origin,
                "page_count": doc.page_count,
                "sections": json.dumps([s.model_dump() for s in doc.sections], ensure_ascii=False),
                "fetched_at": _now(),
            },
            pk="paper_id",
        )

    def get_text(self, paper_id: str) -> Document | None:
        rows = list(self.db.query("select * from texts where paper_id = ?", [paper_id]))
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
        existed = bool(list(self.db.query("select 1 from summaries where key = ?", [key])))
        self.db["summaries"].upsert(
            {
                "key": key,
                "paper_id": summary.paper_id,
                "language": summary.language,
                "sections": json.dumps([s.model_dump() for s in summary.sections], ensure_ascii=False),
                "text": "\n".join(s.text for s in summary.sections),
                "model": summary.model,
                "prompt_version": summary.prompt_version,
                "created_at": _iso(summary.created_at),
                "claims": json.dumps([c.model_dump() for c in summary.claims], ensure_ascii=False),
            },
            pk="key",
        )
        return not existed

    def get_summary(self, key: str) -> Summary | None:
        rows = list(self.db.query("select * from summaries where key = ?", [key]))
        return _summary_from_row(rows[0]) if rows else None

    # -- digests ---------------------------------------------------------------------------------------------
    def save_digest(self, digest: Digest, summary_keys: Sequence[str | None]) -> bool:
        """Replace the day's entry list (papers must be stored already). Returns True if the day was new."""
        if len(summary_keys) != len(digest.entries):
            raise ValueError("one summary key (or None) per entry")
        day = digest.date.isoformat()
        existed = bool(list(self.db.query("select 1 from digests where date = ?", [day])))
        self.db["digests"].upsert({"date": day, "updated_at": _now()}, pk="date")
        self.db.execute("delete from digest_entries where date = ?", [day])
        self.db["digest_entries"].insert_all(
            {"date": day, "position": i, "paper_id": e.paper.id, "upvotes": e.paper.upvotes, "summary_key": key}
            for i, (e, key) in enumerate(zip(digest.entries, summary_keys, strict=True))
        )
        return not existed

    def digest_summary_keys(self, day: dt.date) -> dict[str, str | None]:
        """paper_id -> summary key of each entry of the day (None where the entry has no summary)."""
        rows = self.db.query("select paper_id, summary_key from digest_entries where date = ?", [day.isoformat()])
        return {r["paper_id"]: r["summary_key"] for r in rows}

    def get_digest(self, day: dt.date) -> Digest | None:
        iso = day.isoformat()
        if not list(self.db.query("select 1 from digests where date = ?", [iso])):
            return None
        rows = self.db.query(
            """
            select e.upvotes as entry_upvotes, p.*, s.key as s_key, s.paper_id as s_paper_id,
                   s.language as s_language, s.sections as s_sections, s.model as s_model,
                   s.prompt_version as s_prompt_version, s.created_at as s_created_at, s.claims as s_claims
            from digest_entries e
            join papers p on p.id = e.paper_id
            left join summaries s on s.key = e.summary_key
            where e.date = ? order by e.position
            """,
            [iso],
        )
        entries = []
        for r in rows:
            paper = _paper_from_row(r).model_copy(update={"upvotes": r["entry_upvotes"]})
            summary = None
            if r["s_key"] is not None:
                summary = _summary_from_row({k[2:]: v for k, v in r.items() if k.startswith("s_")})
            entries.append(Entry(paper=paper, summary=summary))
        return Digest(date=day, entries=tuple(entries))

    def days(self) -> list[tuple[dt.date, int]]:
        rows = self.db.query(
            "select d.date, count(e.position) as n from digests d "
            "left join digest_entries e on e.date = d.date group by d.date order by d.date"
        )
        return [(dt.date.fromisoformat(r["date"]), r["n"]) for r in rows]

    def import_digest(self, digest: Digest) -> ImportCounts:
        """Load a parsed digest. Idempotent: importing the same digest again adds nothing."""
        papers = summaries = 0
        keys: list[str | None] = []
        with self.transaction():
            for entry in digest.entries:
                papers += self.upsert_paper(entry.paper)
                if entry.summary is None:
                    keys.append(None)
                    continue
                key = import_key(entry.summary)
                summaries += self.save_summary(entry.summary, key)
                keys.append(key)
            new_day = self.save_digest(digest, keys)
        return ImportCounts(days=int(new_day), papers=papers, summaries=summaries)

    # -- runs ------------------------------------------------------------------------------------------------
    def save_run(self, report: RunReport) -> int:
        with self.transaction():
            run_id = self.db["runs"].insert(
                {
                    "command": report.command,
                    "day": _iso(report.day),
                    "started_at": _iso(report.started_at),
                    "finished_at": _iso(report.finished_at),
                    "usage": report.usage.model_dump_json(),
                    "counts": json.dumps(report.counts()),
                }
            ).last_pk
            self.db["outcomes"].insert_all(
                {"run_id": run_id, "day": _iso(report.day), **o.model_dump()} for o in report.outcomes
            )
        return int(run_id)

    def latest_outcomes(self, day: dt.date) -> dict[str, Outcome]:
        """The most recent outcome of each paper on that day, across runs."""
        rows = self.db.query(
            "select paper_id, status, reason, stage from outcomes where day = ? order by run_id, rowid",
            [day.isoformat()],
        )
        return {r["paper_id"]: Outcome(**r) for r in rows}

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        rows = self.db.query("select * from runs order by id desc limit ?", [limit])
        return [{**r, "usage": Usage.model_validate_json(r["usage"]), "counts": json.loads(r["counts"])}
                for r in rows]

    def search_ids(self, query: str, limit: int = 50) -> list[str]:
        """Paper ids whose title, authors or summary text match (FTS5 trigram, so Korean works too)."""
        phrase = '"' + query.replace('"', '""') + '"'  # user text is a phrase, never FTS syntax
        rows = self.db.query(
            "select id from papers where rowid in (select rowid from papers_fts where papers_fts match :q) "
            "or id in (select s.paper_id from summaries s join summaries_fts f on f.rowid = s.rowid "
            "where summaries_fts match :q) order by id limit :limit",
            {"q": phrase, "limit": limit},
        )
        return [r["id"] for r in rows]


def _paper_row(p: Paper) -> dict[str, Any]:
    return {
        "id": p.id,
        "version": p.version,
        "title": p.title,
        "authors": json.dumps(list(p.authors), ensure_ascii=False),
        "upvotes": p.upvotes,
        "thumbnail": p.thumbnail,
        "video": p.video,
        "digest_date": _iso(p.digest_date),
        "published": _iso(p.published),
        "abstract": p.abstract,
        "links": json.dumps(p.links, ensure_ascii=False),
        "updated_at": _now(),
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
        digest_date=dt.date.fromisoformat(r["digest_date"]) if r["digest_date"] else None,
        published=dt.datetime.fromisoformat(r["published"]) if r["published"] else None,
        abstract=r["abstract"] or "",
        links=json.loads(r["links"] or "{}"),
    )


def _summary_from_row(r: dict[str, Any]) -> Summary:
    return Summary(
        paper_id=r["paper_id"],
        language=r["language"],
        sections=tuple(Section(**s) for s in json.loads(r["sections"])),
        model=r["model"],
        prompt_version=r["prompt_version"],
        created_at=dt.datetime.fromisoformat(r["created_at"]) if r["created_at"] else None,
        claims=tuple(Claim(**c) for c in json.loads(r["claims"] or "[]")),
    )
