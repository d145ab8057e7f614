"""Search upkeep: the search index (`search_docs`, `search_fts`; see `dailypapers.search`) follows the editions.
Every write that changes what an edition shows of a paper calls `reindex` within its own transaction;
`Archive.search` reads the index."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

import sqlite_utils

from dailypapers.search import SearchDoc


def search_doc(db: sqlite_utils.Database, paper_id: str, *, shown: tuple[dict[str, str], str] | None = None
               ) -> SearchDoc | None:
    """What the search index should hold for a paper now: None unless it is in an edition. `shown`: what it will
    hold once the edition (its `edition_key`) shows the paper with that summary key, the other editions as they
    are (a run merges its day at its end: `Vectors.embedding_due` embeds the paper before)."""
    if shown is None:
        entries, params = "select day, summary_key from digest_entries where paper_id = :paper_id", {}
    else:
        entries = ("select day, summary_key from digest_entries where paper_id = :paper_id "
                   "and not (day = :day and source = :source and lang = :lang) union all select :day, :key")
        params = {**shown[0], "key": shown[1]}
    params["paper_id"] = paper_id
    row = db.execute(f"select p.title, p.authors, p.abstract, (select max(day) from ({entries})) from papers p "
                     "where p.id = :paper_id", params).fetchone()
    if row is None or row[3] is None:
        return None
    summaries = db.execute(
        f"select lang, text from summaries where key in (select summary_key from ({entries})) order by lang, key",
        params).fetchall()
    return SearchDoc(paper_id=paper_id, day=dt.date.fromisoformat(row[3]) if row[3] else None, title=row[0],
                     authors=tuple(json.loads(row[1] or "[]")), summaries=tuple((lang, text or "") for lang, text
                                                                                 in summaries),
                     abstract=row[2] or "")


FTS_COLUMNS = "title, authors, body, abstract, chars"
FTS_TOKENIZE = "unicode61 remove_diacritics 2"  # search_fts's tokenizer (migration 006)
# The index's terms that begin with an ASCII character (`search_words`, migration 023): what a Latin prefix
# (`transform` for Transformers) stands for, so a query names those few words instead of having FTS5 merge
# every match of every word with the prefix (`Archive.prefix_words`). Added as rows are indexed, never removed
# (a word no row holds any more matches nothing).
_NEW_TERMS = (
    f"create virtual table if not exists temp.search_new using fts5({FTS_COLUMNS}, content='', "
    f"tokenize='{FTS_TOKENIZE}')",
    "create virtual table if not exists temp.search_new_terms using fts5vocab(temp, search_new, row)",
)
WORDS_FROM = "insert or ignore into search_words (word) select term from {} where unicode(term) < 128"


def reindex(db: sqlite_utils.Database, paper_ids: Iterable[str]) -> None:
    """Bring the search rows of these papers up to date (added, changed, or removed with their last edition)."""
    added: list[tuple[str, ...]] = []
    for paper_id in dict.fromkeys(paper_ids):
        new = search_doc(db, paper_id)
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
            db.execute(f"insert into search_fts(search_fts, rowid, {FTS_COLUMNS}) values ('delete', ?, ?, ?, ?, ?, ?)",
                       [found[0], *old.fts_values()])
            db.execute("delete from search_docs where id = ?", [found[0]])
        if new is None:
            continue
        doc_id = found[0] if old is not None and old.day == new.day else next_search_id(db, new.day)
        row = new.row()
        db.execute("insert into search_docs (id, paper_id, day, title, authors, summaries, abstract) "
                   "values (?, ?, ?, ?, ?, ?, ?)", [doc_id, *row.values()])
        values = new.fts_values()
        db.execute(f"insert into search_fts(rowid, {FTS_COLUMNS}) values (?, ?, ?, ?, ?, ?)", [doc_id, *values])
        added.append(values)
    if added:
        remember_words(db, added)


def remember_words(db: sqlite_utils.Database, rows: list[tuple[str, ...]]) -> None:
    """Add the terms of these index rows (tokenized by FTS5 itself, in a scratch table) to `search_words`;
    nothing before migration 023 made that table."""
    if not db.execute("select 1 from sqlite_master where name = 'search_words'").fetchone():
        return
    for sql in _NEW_TERMS:
        db.execute(sql)
    db.conn.executemany(f"insert into temp.search_new({FTS_COLUMNS}) values (?, ?, ?, ?, ?)", rows)
    db.execute(WORDS_FROM.format("temp.search_new_terms"))
    db.execute("insert into temp.search_new(search_new) values ('delete-all')")


def next_search_id(db: sqlite_utils.Database, day: dt.date | None) -> int:
    base = int(day.strftime("%Y%m%d")) * 1_000_000 if day else 0
    top = db.execute("select max(id) from search_docs where id >= ? and id < ?", [base, base + 1_000_000]).fetchone()
    return base if top[0] is None else top[0] + 1
