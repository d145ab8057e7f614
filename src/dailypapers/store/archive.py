"""The archive: papers, their documents, summaries and editions (day, source, lang -> ordered entries), imports
of digest files (`dailypapers.importing`), and the search queries over the papers in editions."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from dailypapers.models import Digest, Document, Edition, Entry, Paper, Summary
from dailypapers.search import (
    CHARS_COLUMN,
    CJK_RUN,
    IDF_SAMPLE,
    MAX_PREFIX_WORDS,
    RANK_WINDOW,
    WEIGHTS,
    SearchDoc,
    SearchHit,
    Sort,
    Term,
    bm25,
    chars_needle,
    costly_to_count,
    count_overlapping,
    first_literal,
    fts5_varints,
    hit,
    idf,
    instance_counter,
    match_expression,
    parse_query,
    plain_needle,
)
from dailypapers.store.connection import Connection
from dailypapers.store.rows import (
    EDITION,
    ENTRY_COLUMNS,
    ENTRY_READ_COLUMNS,
    EditionPrint,
    edition_from_row,
    edition_key,
    fetch_rows,
    fetch_rows_in,
    insert_many,
    paper_from_row,
    paper_row,
    parse_time,
    prints,
    summary_from_row,
    summary_row,
    utc_now,
)
from dailypapers.store.searchindex import reindex

if TYPE_CHECKING:  # the import planner (and the digest format under it) loads with the first import
    from dailypapers.importing import ImportPlan, ImportReport, Slot

# (entry, summary key or None) pairs: how a day's entries are read for a merge and written back
KeyedEntries = list[tuple[Entry, str | None]]
_NEWEST = "select rowid from search_fts where search_fts match ? order by rowid desc limit ?"


def _listing(entries: KeyedEntries) -> list[tuple[str, int | None, str | None]]:
    """What an edition's stored entry list holds: each paper in order, its votes and its summary's key."""
    return [(e.paper.id, e.paper.upvotes, key) for e, key in entries]


def _document(r: dict[str, Any]) -> Document:
    return Document(paper_id=r["paper_id"], origin=r["origin"], page_count=r["page_count"] or 0,
                    sections=tuple(json.loads(r["sections"])))


def import_key(summary: Summary) -> str:
    """Key of a summary that came from an existing digest: the same text always maps to the same key."""
    blob = json.dumps([summary.paper_id, summary.lang, [s.model_dump() for s in summary.sections]],
                      ensure_ascii=False, sort_keys=True)
    return "import:" + hashlib.sha256(blob.encode()).hexdigest()[:24]



def _json_texts(array: str, stride: int, sep: str) -> str:
    """The strings of a JSON array as the search index was given them, joined by `sep`: the authors (`["A",
    "B"]`, stride 2) or the summaries' texts (`[["ko", "T"], ...]`, stride 4). Stored by json.dumps, a string
    holds a quote only escaped, so without a backslash the array splits at its quotes (no decoding)."""
    if "\\" in array:
        values = json.loads(array)
        return sep.join(v[1] if stride == 4 else v for v in values)
    return sep.join(array.split('"')[stride - 1::stride])


class Archive(Connection):
    """What the archive holds of papers and editions."""

    # -- papers ----------------------------------------------------------------------------------------------
    def upsert_paper(self, paper: Paper) -> bool:
        """Insert or update a paper, merging: what the new record lacks (an imported digest has no abstract,
        links or dates) keeps its stored value. Returns True if the paper was new."""
        with self.transaction():
            return self._upsert(paper, self.get_paper_row(paper.id))

    def upsert_papers(self, papers: Sequence[Paper]) -> None:
        """`upsert_paper` for many papers in one transaction, their stored rows read at once: a paper whose
        record adds nothing to what is stored is not written again (nor its search row rebuilt), so a run
        over a day it has seen writes nothing for its papers."""
        with self.transaction():
            stored = {r["id"]: r for r in fetch_rows_in(self.db.conn, "papers", "id", [p.id for p in papers])}
            for paper in papers:
                self._upsert(paper, stored.get(paper.id))

    def _upsert(self, paper: Paper, old: dict[str, Any] | None) -> bool:
        row = paper_row(paper)
        if old is not None:
            for k, v in row.items():
                if v in (None, "", "[]", "{}") and old.get(k) not in (None, ""):
                    row[k] = old[k]
            links = {**json.loads(old["links"] or "{}"), **paper.links}
            row["links"] = json.dumps(links, ensure_ascii=False)
            if all(old.get(k) == v for k, v in row.items() if k != "updated_at"):
                return False  # nothing new: the stored record stands, and its updated_at with it
        self.db["papers"].upsert(row, pk="id")
        if old is not None:
            reindex(self.db, [paper.id])  # a title or authors of a paper already in an edition
        return old is None

    def get_paper_row(self, paper_id: str) -> dict[str, Any] | None:
        rows = list(self.db.query("select * from papers where id = ?", [paper_id]))
        return rows[0] if rows else None

    def get_paper(self, paper_id: str) -> Paper | None:
        row = self.get_paper_row(paper_id)
        return paper_from_row(row) if row else None

    # -- documents -------------------------------------------------------------------------------------------
    def save_document(self, doc: Document) -> None:
        """Store a paper's document; StoreError when the disk has no room for it (`ensure_room`)."""
        from dailypapers.documents import content_hash  # the readers' package: only for commands that store

        sections = json.dumps([s.model_dump() for s in doc.sections], ensure_ascii=False)
        self.ensure_room(len(sections.encode()))
        with self.transaction():
            self.db["documents"].upsert(
                {"paper_id": doc.paper_id, "origin": doc.origin, "page_count": doc.page_count,
                 "sections": sections, "fetched_at": utc_now(), "content_hash": content_hash(doc)},
                pk="paper_id",
            )

    def stored_documents(self, paper_ids: Sequence[str]) -> set[str]:
        """Which of these papers have a stored document."""
        return {r["paper_id"] for r in fetch_rows_in(self.db.conn, "documents", "paper_id", paper_ids,
                                                columns="paper_id")}

    def get_document(self, paper_id: str) -> Document | None:
        rows = list(self.db.query("select * from documents where paper_id = ?", [paper_id]))
        return _document(rows[0]) if rows else None

    def document_hashes(self, paper_ids: Sequence[str]) -> dict[str, str]:
        """paper_id -> `content_hash` of its stored document, for the papers that have one: what a summary's
        cache key needs, without reading the documents (their hash is stored with them; one stored before
        it was is read and hashed here, once)."""
        from dailypapers.documents import content_hash

        rows = fetch_rows_in(self.db.conn, "documents", "paper_id", paper_ids, columns="paper_id, content_hash")
        hashes = {r["paper_id"]: r["content_hash"] for r in rows}
        older = [pid for pid, h in hashes.items() if h is None]
        for r in fetch_rows_in(self.db.conn, "documents", "paper_id", older) if older else ():
            hashes[r["paper_id"]] = content_hash(_document(r))
        if older and not self.readonly:  # kept, so that they are hashed once
            with self.transaction():
                self.db.conn.executemany("update documents set content_hash = ? where paper_id = ?",
                                         [(hashes[pid], pid) for pid in older])
        return hashes

    # -- summaries -------------------------------------------------------------------------------------------
    def save_summary(self, summary: Summary, key: str) -> bool:
        """Store a summary under its cache key (replacing what was there). Returns True if the key was new;
        StoreError when the disk has no room for it (`ensure_room`)."""
        row = summary_row(summary, key)
        self.ensure_room(sum(len(str(v).encode()) for v in row.values()))
        with self.transaction():
            existed = bool(list(self.db.query("select 1 from summaries where key = ?", [key])))
            self.db["summaries"].upsert(row, pk="key")
            if existed:  # a summary replaced under its key: the editions that show it show the new text
                shown = self.db.execute("select paper_id from digest_entries where summary_key = ?", [key])
                reindex(self.db, [r[0] for r in shown])
            return not existed

    def get_summary(self, key: str) -> Summary | None:
        rows = list(self.db.query("select * from summaries where key = ?", [key]))
        return summary_from_row(rows[0]) if rows else None

    def get_summaries(self, keys: Sequence[str]) -> dict[str, Summary]:
        """key -> stored summary, for the keys that have one, read at once."""
        return {r["key"]: summary_from_row(r) for r in fetch_rows_in(self.db.conn, "summaries", "key", keys)}

    # -- digests ---------------------------------------------------------------------------------------------
    def save_digest(self, digest: Digest, summary_keys: Sequence[str | None]) -> bool:
        """Replace the edition's entry list (papers must be stored already). Returns True if it was new."""
        if len(summary_keys) != len(digest.entries):
            raise ValueError("one summary key (or None) per entry")
        key = edition_key(digest.edition)
        with self.transaction():
            existed = bool(list(self.db.query(f"select 1 from digests where {EDITION}", key)))
            before = [r[0] for r in self.db.execute(f"select paper_id from digest_entries where {EDITION}", key)]
            self.db["digests"].upsert({**key, "updated_at": utc_now()}, pk=("day", "source", "lang"))
            self.db.execute(f"delete from digest_entries where {EDITION}", key)
            self.db["digest_entries"].insert_all(
                {**key, "position": i, "paper_id": e.paper.id, "upvotes": e.paper.upvotes, "summary_key": k}
                for i, (e, k) in enumerate(zip(digest.entries, summary_keys, strict=True))
            )
            reindex(self.db, [*before, *(e.paper.id for e in digest.entries)])
        return not existed

    def update_digest(self, edition: Edition, merge: Callable[[KeyedEntries], KeyedEntries]) -> Digest:
        """Read the edition's entries, let `merge` compute the new list, write it and read it back, in one write
        transaction: two runs of the same edition cannot both read the old list and drop each other's entries."""
        with self.transaction():
            previous = self.get_digest(edition)
            keys = self.digest_summary_keys(edition)
            stored = [(e, keys.get(e.paper.id)) for e in previous.entries] if previous else []
            merged = merge(stored)
            if previous is not None and _listing(merged) == _listing(stored):
                return previous  # a re-run that changed nothing: no write, no search rows rebuilt
            fresh = Digest(**edition.model_dump(), entries=tuple(e for e, _ in merged))
            self.save_digest(fresh, [k for _, k in merged])
            digest = self.get_digest(edition)  # the entries with the summaries their keys name
        assert digest is not None
        return digest

    def digest_summary_keys(self, edition: Edition) -> dict[str, str | None]:
        """paper_id -> summary key of each entry of the edition (None where the entry has no summary)."""
        rows = self.db.query(f"select paper_id, summary_key from digest_entries where {EDITION}",
                             edition_key(edition))
        return {r["paper_id"]: r["summary_key"] for r in rows}

    def get_digest(self, edition: Edition) -> Digest | None:
        key = edition_key(edition)
        if not list(self.db.query(f"select 1 from digests where {EDITION}", key)):
            return None
        rows = self.db.query(
            f"""
            select {ENTRY_READ_COLUMNS}
            from digest_entries e
            join papers p on p.id = e.paper_id
            left join summaries s on s.key = e.summary_key
            where e.day = :day and e.source = :source and e.lang = :lang order by e.position
            """,
            key,
        )
        entries = []
        for r in rows:
            paper = paper_from_row(r).model_copy(update={"upvotes": r["entry_upvotes"]})
            summary = None
            if r["s_key"] is not None:
                summary = summary_from_row({k[2:]: v for k, v in r.items() if k.startswith("s_")})
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
        return [(edition_from_row(r), r["n"]) for r in rows]

    def editions_updated(self) -> dict[Edition, dt.datetime | None]:
        """When each stored edition last changed (a run or an import wrote its entries)."""
        rows = self.db.execute("select day, source, lang, updated_at from digests")
        return {Edition(day=dt.date.fromisoformat(d), source=s, lang=lg): parse_time(u) for d, s, lg, u in rows}

    def edition_prints(self) -> dict[Edition, EditionPrint]:
        """Every stored edition's `EditionPrint`, in one query: what a caller that keeps what it made of each
        edition (the static site) needs to tell which editions changed, without reading them."""
        rows = self.db.execute(
            "select d.day, d.source, d.lang, d.updated_at, e.position, s.key is null, e.paper_id, p.links, "
            f"{ENTRY_COLUMNS} from digests d left join digest_entries e on e.day = d.day and e.source = d.source "
            "and e.lang = d.lang left join papers p on p.id = e.paper_id "
            "left join summaries s on s.key = e.summary_key order by d.day, d.source, d.lang, e.position")
        return {Edition(day=dt.date.fromisoformat(k[0]), source=k[1], lang=k[2]): p for k, p in prints(rows).items()}

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
                 summary_from_row(r) if r["key"] is not None else None, r["e_upvotes"]) for r in rows]

    # == import (dailypapers.importing): a batch of digests in one transaction, never silently overwriting ==
    def import_digests(self, digests: Sequence[Digest], *, replace: bool = False,
                       origins: Sequence[str] | None = None) -> ImportReport:
        """Load parsed digests as their editions, all or nothing, in one write transaction.

        Each paper is compared field by field with what is stored (see `dailypapers.importing`): what the
        archive lacks is filled in, what differs is reported and kept in `import_revisions`, and stored values
        change only with `replace`. Importing the same files again changes nothing. `origins` names the file
        of each digest (kept in the revisions)."""
        from dailypapers.importing import ImportPlan

        names = list(origins) if origins is not None else [""] * len(digests)
        if len(names) != len(digests):
            raise ValueError("one origin per digest")
        self.check_sound()  # an import that changes nothing must not report success over a damaged archive
        with self.transaction():
            papers = self._papers_by_id({e.paper.id for d in digests for e in d.entries})
            editions = {d.edition: self._edition_slots(d.edition) for d in digests}
            keys = {s.summary_key for slots in editions.values() for s in slots or () if s.summary_key}
            plan = ImportPlan(papers, editions, self._summaries_by_key(keys), replace=replace, key=import_key,
                              now=utc_now())
            for digest, origin in zip(digests, names, strict=True):
                plan.add(digest, origin)
            # the search rows to bring up to date: papers of the editions written, before and after, and
            # papers whose fields changed (an edition the plan leaves alone changes nothing)
            before = {sl.paper_id for edition in plan.touched for sl in editions.get(edition) or ()}
            self._write_plan(plan)
            shown = {sl.paper_id for slots in plan.touched.values() for sl in slots}
            reindex(self.db, sorted(before | shown | set(plan.changed_papers)))
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
        return {r["id"]: paper_from_row(r) for r in fetch_rows_in(self.db.conn, "papers", "id", sorted(ids))}

    def _summaries_by_key(self, keys: set[str]) -> dict[str, Summary]:
        return {r["key"]: summary_from_row(r) for r in fetch_rows_in(self.db.conn, "summaries", "key", sorted(keys))}

    def _edition_slots(self, edition: Edition) -> list[Slot] | None:
        """The edition's entries as stored, in order; None when the edition is not stored."""
        from dailypapers.importing import Slot

        key = edition_key(edition)
        if not fetch_rows(self.db.conn, f"select 1 from digests where {EDITION}", key):
            return None
        rows = fetch_rows(self.db.conn, f"select paper_id, upvotes, summary_key from digest_entries where {EDITION} "
                     "order by position", key)
        return [Slot(r["paper_id"], r["upvotes"], r["summary_key"]) for r in rows]

    def _write_plan(self, plan: ImportPlan) -> None:
        """The plan's writes: a few statements per table, each over many rows (executemany)."""
        conn = self.db.conn
        insert_many(conn, "papers", [paper_row(p) for p in plan.new_papers.values()])
        changed = [{**paper_row(p), "pk": p.id} for p in plan.changed_papers.values()]
        if changed:
            columns = [c for c in changed[0] if c not in ("id", "pk")]
            conn.executemany(f"update papers set {', '.join(f'{c} = :{c}' for c in columns)} where id = :pk",
                             changed)
        insert_many(conn, "summaries", [summary_row(v, k) for k, v in plan.new_summaries.items()],
                     ignore=True)
        now = utc_now()
        for edition, slots in plan.touched.items():
            key = edition_key(edition)
            conn.execute("insert into digests (day, source, lang, updated_at) values (:day, :source, :lang, :now) "
                         "on conflict (day, source, lang) do update set updated_at = excluded.updated_at",
                         {**key, "now": now})
            conn.execute(f"delete from digest_entries where {EDITION}", key)
            insert_many(conn, "digest_entries", [
                {**key, "position": i, "paper_id": s.paper_id, "upvotes": s.upvotes, "summary_key": s.summary_key}
                for i, s in enumerate(slots)
            ])
        insert_many(conn, "import_revisions", plan.revisions)


    # -- search ----------------------------------------------------------------------------------------------
    def search_ids(self, query: str, limit: int = 50) -> list[str]:
        """Ids of the papers in editions whose title, authors, summaries or abstract match, newest first."""
        return [h.paper_id for h in self.search(query, limit=limit, sort="newest")]

    def search(self, query: str, *, limit: int = 20, sort: Sort = "newest", lang: str | None = None
               ) -> list[SearchHit]:
        """Papers in editions that match every word of `query` (see `dailypapers.search`), newest first or best
        first (`rank`: bm25 over the newest RANK_WINDOW matches), with highlighted snippets (taken from the
        summary in `lang` when it matches)."""
        terms = parse_query(query)
        found = self._matches(terms, limit, sort)
        if not found:
            return []
        rows = {r["id"]: r for r in self.db.query(
            f"select * from search_docs where id in ({', '.join('?' * len(found))})", [i for i, _ in found])}
        return [hit(SearchDoc.from_row(rows[i]), terms, score, lang=lang) for i, score in found if i in rows]

    def search_ranking(self, query: str, *, limit: int = 20, sort: Sort = "rank") -> list[tuple[str, float]]:
        """The (paper id, score) of what `search` finds, in its order, without reading the papers or making
        snippets (hybrid search fuses this ranking and shows only the fused best)."""
        found = self._matches(parse_query(query), limit, sort)
        if not found:
            return []
        ids = dict(self.db.execute(f"select id, paper_id from search_docs where id in ({', '.join('?' * len(found))})",
                                   [i for i, _ in found]).fetchall())
        return [(str(ids[i]), score) for i, score in found if i in ids]

    def _matches(self, terms: list[Term], limit: int, sort: Sort) -> list[tuple[int, float]]:
        """(search row, score) of the papers matching every term, newest first or by bm25 (see `search`)."""
        if not terms or limit < 1:
            return []
        words = [self.prefix_words(term) for term in terms]
        if sort == "newest":
            return [(r[0], 0.0) for r in self.db.execute(_NEWEST, [match_expression(terms, words), limit])]
        ranked = self._ranked_window(terms, words, max(RANK_WINDOW, limit))
        return sorted(ranked, key=lambda r: (r[1], -r[0]))[:limit]

    def prefix_words(self, term: Term) -> tuple[str, ...]:
        """The index's words that begin with `term`'s ASCII prefix (from `search_words`), when there are at most
        MAX_PREFIX_WORDS of them; else, or for any other term, none (FTS5's prefix query finds them)."""
        prefix = term.ascii_prefix()
        if not prefix:
            return ()
        words = tuple(r[0] for r in self.db.execute(
            "select word from search_words where word >= ? and word < ? order by word limit ?",
            [prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1), MAX_PREFIX_WORDS + 1]))
        return words if len(words) <= MAX_PREFIX_WORDS else ()

    def _ranked_window(self, terms: list[Term], words: list[tuple[str, ...]], window: int
                       ) -> list[tuple[int, float]]:
        """(row, bm25) of the newest `window` matches of `expr`, as FTS5's bm25() with WEIGHTS scores them: by
        bm25() itself when its count of every match of each phrase is cheap, else here, each phrase's number
        of rows estimated from its newest matches (see `dailypapers.search.RANK_WINDOW`)."""
        averages = self.db.execute("select block from search_fts_data where id = 1").fetchone()
        rows, *totals = fts5_varints(averages[0]) if averages else [0]
        expr = match_expression(terms, words)  # the rows: prefixes as their words
        if len(terms) == 1:  # the window is the term's own newest matches: one query serves both
            newest = [r[0] for r in self.db.execute(_NEWEST, [expr, max(window, IDF_SAMPLE)])]
            found, ids = [self._estimate_rows(newest, rows)], newest[:window]
        else:
            found = [self._phrase_rows(term.fts(w), rows) for term, w in zip(terms, words, strict=True)]
            ids = None
        if not costly_to_count(terms, found):
            # bm25() scores the phrases as the query has them: a prefix as itself, or as its one word
            single = [w if len(w) == 1 else () for w in words]
            return self.db.execute(f"select rowid, bm25(search_fts, {', '.join(str(w) for w in WEIGHTS)}) from "
                                   "search_fts where search_fts match ? order by rowid desc limit ?",
                                   [match_expression(terms, single), window]).fetchall()
        avgdl = sum(totals) / rows if rows and sum(totals) else 1.0
        if ids is None:
            ids = [r[0] for r in self.db.execute(_NEWEST, [expr, window])]
        return self._scored_window(terms, ids, [idf(rows, n) for n in found], avgdl)

    def _scored_window(self, terms: list[Term], ids: list[int], idfs: list[float], avgdl: float
                       ) -> list[tuple[int, float]]:
        """(row, bm25) of these rows (matches of every term), scored here from their text and sizes."""
        if not ids:
            return []
        marks = ", ".join("?" * len(ids))
        # Stored as JSON, authors and summaries hold the CJK runs of the texts FTS5 was given; only a Latin word
        # needs them unpacked (the languages, brackets and escapes such as `\n` would read as words), and the
        # text lowered as `instance_counter` expects (in SQL: ASCII only, as FTS5's own folding there).
        latin = any(not is_cjk for term in terms for _, is_cjk in term.needles)
        columns_sql = "lower(title), lower(authors), lower(summaries), lower(abstract)" if latin else \
            "title, authors, summaries, abstract"
        texts = self.db.execute(f"select id, {columns_sql} from search_docs where id in ({marks})", ids).fetchall()
        sizes = dict(self.db.execute(f"select id, sz from search_fts_docsize where id in ({marks})", ids).fetchall())
        # per term: its counter, the weights of the four text columns, the CJK characters it also finds in the
        # column of every CJK character (or None)
        plans = [(instance_counter(term), (WEIGHTS[-1],) * 4 if term.column == CHARS_COLUMN else WEIGHTS[:4],
                  chars_needle(term)) for term in terms]
        both = any(plan[2] for plan in plans)
        chars_weight = WEIGHTS[-1]
        scored = []
        # a JSON array is unpacked only when it holds the first piece of a term counted by its pattern (else
        # that count is 0 there); a CJK word's count is the same in the array
        firsts = [first_literal(term) for term in terms if plain_needle(term) is None]
        for doc_id, title, authors, summaries, abstract in texts:
            if latin:
                if any(first in summaries for first in firsts):
                    summaries = _json_texts(summaries, 4, "\n")
                if any(first in authors for first in firsts):
                    authors = _json_texts(authors, 2, ", ")
            chars = "".join(CJK_RUN().findall(f"{title} {authors} {summaries} {abstract}")) if both else ""
            freqs = []
            for count, (w0, w1, w2, w3), needle in plans:
                f = w0 * count(title) + w1 * count(authors) + w2 * count(summaries) + w3 * count(abstract)
                freqs.append(f + chars_weight * count_overlapping(chars, needle) if needle else f)
            scored.append((doc_id, bm25(freqs, idfs, sum(fts5_varints(sizes[doc_id])), avgdl)))
        return scored

    def _phrase_rows(self, phrase: str, rows: int) -> float:
        """How many rows match `phrase`: counted when under IDF_SAMPLE, else estimated (`_estimate_rows`)."""
        return self._estimate_rows([r[0] for r in self.db.execute(_NEWEST, [phrase, IDF_SAMPLE])], rows)

    def _estimate_rows(self, newest: list[int], rows: int) -> float:
        """How many of the `rows` rows match a phrase whose newest matches (up to IDF_SAMPLE or more) are
        `newest`: their number under IDF_SAMPLE, else from the rows its newest IDF_SAMPLE matches span (its
        share of the newest papers, applied to all of them). The span is counted in FTS5's size records (a
        few bytes a row), not in `search_docs`, whose rows take a page each."""
        if len(newest) < IDF_SAMPLE:
            return len(newest)
        spanned = self.db.execute("select count(*) from search_fts_docsize where id >= ?",
                                  [newest[IDF_SAMPLE - 1]]).fetchone()[0]
        return min(rows, IDF_SAMPLE * rows / max(spanned, IDF_SAMPLE))
