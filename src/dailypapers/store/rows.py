"""Rows in, models out: how the archive's records are written as rows and read back, and the few SQL helpers
every part of the store shares. Dicts at this edge; models everywhere else."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import marshal
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from dailypapers.models import Claim, Edition, Paper, Section, Summary, Usage

EDITION = "day = :day and source = :source and lang = :lang"
CHUNK = 500  # ids per `in (...)` query, well under SQLite's limit on bound parameters


# What an edition's page reads of each entry (`Archive.get_digest`, `Periods.get_period`): the entry's votes, its
# paper's row and its summary's columns (prefixed `s_`). `prints` fingerprints exactly these.
ENTRY_COLUMNS = (
    "e.upvotes as entry_upvotes, p.*, s.key as s_key, s.paper_id as s_paper_id, s.lang as s_lang, "
    "s.sections as s_sections, s.model as s_model, s.prompt_version as s_prompt_version, "
    "s.created_at as s_created_at, s.claims as s_claims, s.tldr as s_tldr"
)
# What reading an entry gives besides (`Archive.get_digest`, `Periods.get_period`): the checker version of its
# summary's claims. Not fingerprinted: a summary checked again to the same claims makes the same page.
ENTRY_READ_COLUMNS = f"{ENTRY_COLUMNS}, s.grounding as s_grounding"


@dataclass(frozen=True)
class EditionPrint:
    """An edition as stored, in brief: a fingerprint of everything reading it gives (when it was updated, its
    entries in order, their papers' rows and summaries: a summary replaced under its key, or a paper's record
    changed, changes it), its papers in order with their `links` (as stored: JSON), and whether an entry has
    no summary (a page then says why, from the runs' outcomes)."""

    fingerprint: str
    papers: tuple[tuple[str, str], ...]
    unsummarized: bool


def prints(rows: Iterable[Sequence[Any]], *, key_columns: int = 3) -> dict[tuple[Any, ...], EditionPrint]:
    """`EditionPrint`s from rows of (edition key columns..., updated_at, position, summary key is null, paper id,
    paper links, ENTRY_COLUMNS...) in order of edition and position (the edition's row left-joined to its entries;
    every entry's paper is a row of `papers`, which the foreign key holds to)."""
    hashers: dict[tuple[Any, ...], Any] = {}
    papers: dict[tuple[Any, ...], list[tuple[str, str]]] = {}
    bare: dict[tuple[Any, ...], bool] = {}
    for row in rows:
        key = tuple(row[:key_columns])
        h = hashers.get(key)
        if h is None:
            h = hashers[key] = hashlib.sha256()
            papers[key], bare[key] = [], False
        h.update(marshal.dumps(tuple(row[key_columns:])))
        if row[key_columns + 1] is not None:  # an entry (an edition without any has one row of nulls)
            papers[key].append((row[key_columns + 3], row[key_columns + 4] or "{}"))
            bare[key] = bare[key] or bool(row[key_columns + 2])
    return {k: EditionPrint(h.hexdigest(), tuple(papers[k]), bare[k]) for k, h in hashers.items()}


def iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def parse_time(value: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")



def user_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
    return [r[0] for r in rows]



def fetch_rows(conn: sqlite3.Connection, sql: str, params: Sequence[Any] | dict[str, Any]) -> list[dict[str, Any]]:
    """Rows as dicts, read on the connection as it is (sqlite-utils' query() wraps each read in a savepoint)."""
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def fetch_rows_in(conn: sqlite3.Connection, table: str, column: str, keys: Sequence[str], *,
             columns: str = "*") -> list[dict[str, Any]]:
    """The rows of `table` whose `column` is one of `keys`, asked CHUNK keys at a time."""
    out: list[dict[str, Any]] = []
    for start in range(0, len(keys), CHUNK):
        chunk = list(keys[start : start + CHUNK])
        out.extend(fetch_rows(conn, f"select {columns} from {table} where {column} in ({','.join('?' * len(chunk))})",
                         chunk))
    return out


def insert_many(conn: sqlite3.Connection, table: str, rows: list[dict[str, Any]], *, ignore: bool = False) -> None:
    if not rows:
        return
    columns = list(rows[0])
    conn.executemany(
        f"insert {'or ignore ' if ignore else ''}into {table} ({', '.join(columns)}) "
        f"values ({', '.join(':' + c for c in columns)})",
        rows,
    )


def run_row(r: dict[str, Any]) -> dict[str, Any]:
    """A `runs` row with its JSON columns decoded."""
    return {**r, "usage": Usage.model_validate_json(r["usage"]), "counts": json.loads(r["counts"]),
            "outputs": json.loads(r["outputs"] or "[]"), "publish_errors": json.loads(r["publish_errors"] or "[]")}


def edition_key(edition: Edition) -> dict[str, Any]:
    return {"day": edition.day.isoformat(), "source": edition.source, "lang": edition.lang}


def edition_from_row(r: dict[str, Any]) -> Edition:
    return Edition(day=dt.date.fromisoformat(r["day"]), source=r["source"], lang=r["lang"])


def paper_row(p: Paper) -> dict[str, Any]:
    return {
        "id": p.id,
        "version": p.version,
        "title": p.title,
        "authors": json.dumps(list(p.authors), ensure_ascii=False),
        "upvotes": p.upvotes,
        "thumbnail": p.thumbnail,
        "video": p.video,
        "day": iso(p.day),
        "published": iso(p.published),
        "abstract": p.abstract,
        "links": json.dumps(p.links, ensure_ascii=False),
        "updated_at": utc_now(),
    }


def summary_row(summary: Summary, key: str) -> dict[str, Any]:
    return {
        "key": key,
        "paper_id": summary.paper_id,
        "lang": summary.lang,
        "sections": json.dumps([s.model_dump() for s in summary.sections], ensure_ascii=False),
        "text": "\n".join(s.text for s in summary.sections),
        "model": summary.model,
        "prompt_version": summary.prompt_version,
        "created_at": iso(summary.created_at),
        "claims": json.dumps([c.model_dump() for c in summary.claims], ensure_ascii=False),
        "grounding": summary.grounding,
        "tldr": summary.tldr,
    }


def paper_from_row(r: dict[str, Any]) -> Paper:
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


def summary_from_row(r: dict[str, Any]) -> Summary:
    return Summary(
        paper_id=r["paper_id"],
        lang=r["lang"],
        sections=tuple(Section(**s) for s in json.loads(r["sections"])),
        model=r["model"],
        prompt_version=r["prompt_version"],
        created_at=dt.datetime.fromisoformat(r["created_at"]) if r["created_at"] else None,
        claims=tuple(Claim(**c) for c in json.loads(r["claims"] or "[]")),
        grounding=r.get("grounding"),
        tldr=r.get("tldr") or "",
    )
