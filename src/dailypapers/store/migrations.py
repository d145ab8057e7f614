"""The archive's schema, as append-only migrations registered with sqlite-utils' `Migrations` (as simonw/llm
keeps its own): never edit one that has shipped, add the next. `Connection` applies what is pending when an
archive is opened for writing."""

from __future__ import annotations

import hashlib

import sqlite_utils
from sqlite_utils import Migrations

from dailypapers.store.searchindex import WORDS_FROM, reindex

MIGRATIONS = Migrations("dailypapers")
LEGACY_MIGRATIONS = "_migrations"  # the hand-rolled runner's table, before sqlite-utils' Migrations


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
    reindex(db, [r[0] for r in db.execute("select distinct paper_id from digest_entries")])


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


@MIGRATIONS(name="014_summary_grounding")
def _m014_summary_grounding(db: sqlite_utils.Database) -> None:
    # The grounding version a summary's claims were checked with: when the checker changes, a stored summary
    # is checked again (no LLM call) instead of being keyed anew and paid for again (`pipeline`).
    if "grounding" not in db["summaries"].columns_dict:
        db["summaries"].add_column("grounding", str)


@MIGRATIONS(name="015_summary_tldr")
def _m015_summary_tldr(db: sqlite_utils.Database) -> None:
    # A summary's one-line TL;DR (cards, per-paper feeds). Summaries stored before it have none: "".
    db.execute("alter table summaries add column tldr text not null default ''")


@MIGRATIONS(name="016_period_editions")
def _m016_period_editions(db: sqlite_utils.Database) -> None:
    # Weekly and monthly editions (`dailypapers.periods`): which papers, in which order, with which votes and
    # summary. Made from the days' editions (their summaries are the days' rows), or imported from a file.
    db.executescript(
        """
        create table period_editions (
            period text not null, start text not null, source text not null, lang text not null,
            updated_at text, primary key (period, start, source, lang));
        create table period_entries (
            period text not null, start text not null, source text not null, lang text not null,
            position integer not null, paper_id text not null references papers(id), upvotes integer,
            summary_key text references summaries(key), primary key (period, start, source, lang, position));
        """
    )


@MIGRATIONS(name="017_syntheses")
def _m017_syntheses(db: sqlite_utils.Database) -> None:
    # An edition's synthesis (`dailypapers.synthesis`), under the key of the content it was made from: a page
    # finds it by its edition's content, and a run over an unchanged edition asks nothing.
    db.executescript(
        """
        create table syntheses (key text primary key, model text not null, synthesis text not null,
            created_at text);
        """
    )


@MIGRATIONS(name="018_document_hashes")
def _m018_document_hashes(db: sqlite_utils.Database) -> None:
    # Each document's `content_hash` (what a summary's cache key is built on), stored as it is saved: a run
    # over a day whose documents are stored builds its keys without reading them. Older rows stay NULL until
    # a run first needs them (`Archive.document_hashes` hashes and keeps them).
    db.execute("alter table documents add column content_hash text")


@MIGRATIONS(name="019_embeddings")
def _m019_embeddings(db: sqlite_utils.Database) -> None:
    # A vector per paper and embedding model (`store/vectors.py`): float32 bytes, unit length; `text_key` names
    # the text it was made from, so only papers whose text changed are embedded again.
    db.executescript(
        """
        create table embeddings (paper_id text not null references papers(id), model text not null,
            text_key text not null, dim integer not null, vector blob not null, created_at text,
            primary key (paper_id, model));
        """
    )


@MIGRATIONS(name="020_versions")
def _m020_versions(db: sqlite_utils.Database) -> None:
    # New arXiv versions of stored papers (`pipeline.refresh`): one row per paper, language and new version,
    # naming the summary shown before (kept) and the new one, with what changed between them (JSON list of
    # `ClaimChange`). `announced_*` is the edition whose message carried the "updated" note (NULL: not yet).
    # A document replaced by a newer version's is kept in `document_versions`: nothing stored is lost.
    db.executescript(
        """
        create table paper_versions (paper_id text not null references papers(id), lang text not null,
            from_version integer, to_version integer not null, old_key text, new_key text,
            changes text not null, problem text not null default '', found_at text not null,
            announced_day text, announced_source text,
            primary key (paper_id, lang, to_version));
        create table document_versions (paper_id text not null references papers(id), version integer,
            origin text, page_count integer, sections text, content_hash text, fetched_at text,
            kept_at text not null, primary key (paper_id, version));
        """
    )


@MIGRATIONS(name="021_interest")
def _m021_interest(db: sqlite_utils.Database) -> None:
    # A reader's 👍/👎 on papers, given in the web app (`vote` 1 or -1; no row: none), part of the interest
    # profile; and the papers an interest-ranked edition chose, with their score and reasons (the labels of the
    # nearest profile items, a JSON list), which pages and the API show.
    db.executescript(
        """
        create table interest_votes (paper_id text primary key references papers(id), vote integer not null,
            voted_at text not null);
        create table interest_choices (day text not null, source text not null, lang text not null,
            paper_id text not null, score real not null, reasons text not null,
            primary key (day, source, lang, paper_id));
        """
    )


@MIGRATIONS(name="022_finished_editions")
def _m022_finished_editions(db: sqlite_utils.Database) -> None:
    # An edition a run finished (every paper ok or flagged, every output written): the fingerprint of what the
    # run was given (the listing, the settings, the code), of the stored edition it left (`Ledger.edition_state`)
    # and the hash of each file it wrote. A re-run given the same finds all three unchanged and skips to the end
    # (`pipeline.run`); anything else does the work again.
    db.executescript(
        """
        create table finished_editions (day text not null, source text not null, lang text not null,
            fingerprint text not null, state text not null, outputs text not null,
            run_id integer references runs(id), finished_at text not null,
            primary key (day, source, lang));
        """
    )


@MIGRATIONS(name="023_search_words")
def _m023_search_words(db: sqlite_utils.Database) -> None:
    # The index's terms that begin with an ASCII character, for a Latin prefix to name its few words
    # (`searchindex.remember_words` keeps it as rows are indexed); filled here from the index's own vocabulary.
    db.execute("create table search_words (word text primary key) without rowid")
    db.execute("create virtual table temp.search_fts_terms using fts5vocab(main, search_fts, row)")
    db.execute(WORDS_FROM.format("temp.search_fts_terms"))
    db.execute("drop table temp.search_fts_terms")
