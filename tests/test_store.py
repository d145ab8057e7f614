"""The SQLite archive: imports, day lists, search, runs and outcomes, re-opening, and broken files."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Migrations

from dailypapers.digestformat import normalize, parse, render
from dailypapers.errors import StoreError
from dailypapers.models import Claim, Digest, Edition, Entry, Outcome, Paper, RunReport, Section, Summary, Usage
from dailypapers.store import ArchiveMissingError, Store
from dailypapers.store.migrations import MIGRATIONS

D1 = dt.date(2025, 3, 1)
D2 = dt.date(2025, 3, 2)


def entry(pid: str, votes: int | None, title: str, text: str = "An English summary sentence.") -> Entry:
    paper = Paper(id=pid, title=title, authors=("Mina Park", "Leo Grant"), upvotes=votes,
                  thumbnail=f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{pid}.png")
    summary = Summary(paper_id=pid, lang="ko" if any("\uac00" <= c <= "\ud7a3" for c in text) else "en",
                      sections=(Section(label="What's New", text=text),
                                Section(label="Technical Details", text="Details.", emphasis="bold")))
    return Entry(paper=paper, summary=summary)


def day1() -> Digest:
    return Digest(day=D1, entries=(
        entry("2503.00001", 30, "Lantern Routing", "희소 전문가 라우팅(Sparse Routing)을 제안합니다."),
        entry("2503.00002", 12, "Clockwork Gardens"),
        Entry(paper=Paper(id="2503.00003", title="No Summary Yet", upvotes=None)),
    ))


def test_import_is_idempotent_and_digest_reads_back(db_path: Path) -> None:
    with Store(db_path) as store:
        first = store.import_digest(day1())
        assert first.editions_added == 1 and first.counts()["added"] == 3
        again = store.import_digest(day1())
        assert again.editions_added == 0 and again.counts()["unchanged"] == 3 and again.conflicts == []
        assert store.get_digest(Edition(day=D1)) == day1()
        assert store.get_digest(Edition(day=D2)) is None
        assert store.db["papers"].count == 3 and store.db["summaries"].count == 2
        assert store.revisions() == []


def test_a_changed_summary_is_a_conflict_kept_beside_the_stored_one(db_path: Path) -> None:
    with Store(db_path) as store:
        store.import_digest(day1())
        new_text = entry("2503.00002", 12, "Clockwork Gardens", "New text.")
        changed = day1().model_copy(update={"entries": (new_text,)})
        report = store.import_digest(changed)
        [done] = report.conflicts
        assert (done.paper_id, done.status, [c.field for c in done.changes]) == ("2503.00002", "conflicting",
                                                                                 ["summary"])
        assert store.get_digest(Edition(day=D1)) == day1()  # nothing changed, no entry dropped
        [rev] = store.revisions("2503.00002")
        assert rev["action"] == "kept" and rev["incoming"][0]["text"] == "New text."
        assert rev["stored"][0]["text"] == "An English summary sentence."
        # --replace takes the file's summary; the entries the file lacks leave the edition, kept as revisions
        report = store.import_digest(changed, replace=True)
        assert report.counts()["replaced"] == 1 and report.counts()["removed"] == 2
        got = store.get_digest(Edition(day=D1))
        assert [e.paper.id for e in got.entries] == ["2503.00002"]
        assert got.entries[0].summary.sections[0].text == "New text."
        assert [r["action"] for r in store.revisions("2503.00002")] == ["kept", "replaced"]
        assert store.revisions("2503.00001")[0]["field"] == "entry"


def test_stored_values_that_show_alike_are_no_conflict(db_path: Path) -> None:
    # what a run stored is not what its Markdown shows (spaces, a thumbnail beside a video, an escape): the file
    # read back from that Markdown changes nothing
    mp4 = "https://cdn-uploads.huggingface.co/production/uploads/x/clip.mp4"
    raw = entry("2503.00001", 30, "  Lantern\nRouting \x1b[2J").model_copy(deep=True)
    raw = Entry(paper=raw.paper.model_copy(update={"video": mp4, "authors": (" Mina  Park", "Leo Grant")}),
                summary=raw.summary.model_copy(update={"sections": (
                    Section(label="What's New ", text=" An  English\n\nsummary sentence. "),
                    Section(label="Technical Details", text="Details.", emphasis="bold"))}))
    with Store(db_path) as store:
        store.import_digest(Digest(day=D1, entries=(raw,)))
        shown = parse(render(Digest(day=D1, entries=(raw,))))
        assert shown.entries[0] != raw  # the file says it otherwise ...
        report = store.import_digest(shown)
        assert report.counts()["unchanged"] == 1 and report.conflicts == []  # ... and shows the same
        assert store.revisions() == []


def test_an_import_normalizes_each_entry_at_most_once(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dailypapers import importing

    calls: list[str] = []

    def counted(e: Entry) -> Entry:
        calls.append(e.paper.id)
        return normalize(e)

    monkeypatch.setattr(importing, "normalize", counted)
    days = [day1(), day1().model_copy(update={"day": D2})]
    with Store(db_path) as store:
        store.import_digests(days)
        assert calls == []  # papers new to the archive are compared with nothing
        assert store.import_digests(days).counts()["unchanged"] == 6
        assert calls == []  # the same values show alike: nothing to normalize
        edited = [d.model_copy(update={"entries": tuple(
            Entry(paper=e.paper.model_copy(update={"title": e.paper.title + " (edited)"}),
                  summary=e.summary.model_copy(update={"sections": e.summary.sections[::-1]}) if e.summary else None)
            for e in d.entries)}) for d in days]
        report = store.import_digests(edited)
        assert report.counts()["conflicting"] == 6
        # per entry the file's side once; the archive's paper once per paper and its summary once per key
        assert sorted(calls) == sorted(["2503.00001"] * 4 + ["2503.00002"] * 4 + ["2503.00003"] * 3)


def test_an_import_reindexes_only_the_papers_of_the_editions_it_writes(
        db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dailypapers.store import archive

    reindexed: list[list[str]] = []
    real = archive.reindex

    def recording(db: object, ids: list[str]) -> None:
        reindexed.append(list(ids))
        real(db, ids)  # type: ignore[arg-type]

    monkeypatch.setattr(archive, "reindex", recording)
    other = Digest(day=D2, entries=(entry("2503.00007", 5, "Paper Boats"), entry("2503.00008", 6, "Kites")))
    with Store(db_path) as store:
        store.import_digests([day1(), other])
        assert reindexed[-1] == ["2503.00001", "2503.00002", "2503.00003", "2503.00007", "2503.00008"]
        store.import_digests([day1(), other])
        assert reindexed[-1] == []  # nothing written, nothing to reindex
        # one day gains a paper and loses (with --replace) another: only that day's papers are looked at
        changed = day1().model_copy(update={"entries": (*day1().entries[:2], entry("2503.00004", 1, "New"))})
        store.import_digests([changed, other], replace=True)
        assert reindexed[-1] == ["2503.00001", "2503.00002", "2503.00003", "2503.00004"]
        assert store.search_ids("No Summary Yet") == [] and store.search_ids("New") == ["2503.00004"]
        assert store.search_ids("Kites") == ["2503.00008"]


def test_lookups_of_many_ids_go_in_chunks(db_path: Path) -> None:
    from dailypapers.models import Document, TextSection
    from dailypapers.store.rows import CHUNK

    ids = [f"2503.{n:05d}" for n in range(2 * CHUNK + 1)]  # more bound parameters than one query takes
    day = Digest(day=D1, entries=tuple(entry(pid, 1, f"Paper {pid}") for pid in ids))
    with Store(db_path) as store:
        store.import_digest(day)
        assert store.import_digest(day).counts()["unchanged"] == len(ids)  # every paper and summary found
        for pid in (ids[0], ids[CHUNK], ids[-1]):
            store.save_document(Document(paper_id=pid, origin="text",
                                         sections=(TextSection(kind="abstract", heading="", text="x"),)))
        assert store.stored_documents(ids) == {ids[0], ids[CHUNK], ids[-1]}


def test_order_and_per_day_upvotes(db_path: Path) -> None:
    with Store(db_path) as store:
        store.import_digest(day1())
        # The same paper a day later, with more votes, placed below a new one.
        later = Digest(day=D2, entries=(entry("2503.00009", 80, "Paper Boats"),
                                         entry("2503.00001", 45, "Lantern Routing",
                                               "희소 전문가 라우팅(Sparse Routing)을 제안합니다.")))
        report = store.import_digest(later)
        assert report.editions_added == 1 and report.counts()["added"] == 2 and report.conflicts == []
        assert [(e.paper.id, e.paper.upvotes) for e in store.get_digest(Edition(day=D1)).entries] == [
            ("2503.00001", 30), ("2503.00002", 12), ("2503.00003", None)]
        assert [(e.paper.id, e.paper.upvotes) for e in store.get_digest(Edition(day=D2)).entries] == [
            ("2503.00009", 80), ("2503.00001", 45)]
        assert store.editions() == [(Edition(day=D1), 3), (Edition(day=D2), 2)]


def test_search_titles_authors_and_korean_summaries(db_path: Path) -> None:
    with Store(db_path) as store:
        assert store.editions() == []
        store.import_digest(day1())
        assert list(store.search_ids("전문가 라우팅")) == ["2503.00001"]
        assert list(store.search_ids("Clockwork")) == ["2503.00002"]
        assert sorted(store.search_ids("Mina Park")) == ["2503.00001", "2503.00002"]
        assert list(store.search_ids("nothing like this")) == []
        assert list(store.search_ids('quote " and ( parens')) == []  # user text is not FTS syntax


def test_runs_and_latest_outcomes(db_path: Path) -> None:
    t0 = dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.UTC)
    first = RunReport(command="digest", day=D1, source="hf", lang="ko", started_at=t0,
                      finished_at=t0 + dt.timedelta(seconds=90),
                      outcomes=(Outcome(paper_id="2503.00001", status="ok"),
                                Outcome(paper_id="2503.00002", status="failed", reason="timeout",
                                        stage="fetch")),
                      usage=Usage(calls=2, input_tokens=1000, output_tokens=300, cost=0.01))
    second = RunReport(command="digest", day=D1, source="hf", lang="ko", started_at=t0 + dt.timedelta(hours=1),
                       finished_at=t0 + dt.timedelta(hours=1, seconds=10),
                       outcomes=(Outcome(paper_id="2503.00002", status="flagged", reason="1 unsupported"),))
    with Store(db_path) as store:
        id1, id2 = store.save_run(first), store.save_run(second)
        assert id2 > id1
        latest = store.latest_outcomes(Edition(day=D1))
        assert latest["2503.00001"].status == "ok"
        assert latest["2503.00002"] == Outcome(paper_id="2503.00002", status="flagged",
                                               reason="1 unsupported")
        assert store.latest_outcomes(Edition(day=D2)) == {}
        runs = store.runs()
        assert [r["id"] for r in runs] == [id2, id1]
        assert runs[1]["usage"] == first.usage
        assert runs[1]["counts"] == {"ok": 1, "flagged": 0, "failed": 1, "skipped": 0}


def test_run_history_counts_failures_by_stage_as_the_run_report_does(db_path: Path) -> None:
    t0 = dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.UTC)
    report = RunReport(command="run", day=D1, source="hf", lang="ko", started_at=t0, finished_at=t0,
                       outcomes=(Outcome(paper_id="a", status="failed", reason="x", stage="fetch"),
                                 Outcome(paper_id="b", status="failed", reason="y"),
                                 Outcome(paper_id="c", status="failed", reason="z", stage="fetch"),
                                 Outcome(paper_id="d", status="ok")))
    with Store(db_path) as store:
        run_id = store.save_run(report)
        [row] = store.run_history()
    assert row["id"] == run_id and row["report_id"] is None
    assert row["failures_by_stage"] == report.failures_by_stage() == {"fetch": 2, "unknown": 1}
    assert row["counts"] == report.counts() and row["usage"] == report.usage


def test_the_ledger_is_read_once_and_its_copy_kept_as_the_store_has_it(db_path: Path) -> None:
    from dailypapers.events import Events
    from dailypapers.publish.notify.deliver import StoreLog, ledger

    edition = Edition(day=D1)
    with Store(db_path) as store:
        reads: list[str | None] = []
        real = store.deliveries
        store.deliveries = lambda e, c=None: reads.append(c) or real(e, c)  # type: ignore[method-assign]
        store.record_delivery(edition, "slack:C0", "", "delivered", external_id="C0:1")
        log = StoreLog(store, edition, "slack:C0", Events())
        log.started("p1")
        log.delivered("p1", "C0:2", "C0:1")
        log.started("p2")
        log.failed("p2", "refused")
        log.started("p2")
        log.abandoned("p3", "given up")
        assert [log.get(i).status for i in ("", "p1", "p2", "p3")] == ["delivered", "delivered", "pending",
                                                                          "abandoned"]
        assert reads == ["slack:C0"]  # one read, however many gets and writes
        assert log.rows() == ledger(store, edition, "slack:C0")
        assert log.get("p2").attempts == 2 and log.get("p1").thread_id == "C0:1"


def test_summary_claims_survive_the_store(db_path: Path) -> None:
    e = entry("2503.00001", 3, "Claims")
    claim = Claim(text="71.3", kind="number", status="unsupported", section_label="What's New")
    summary = e.summary.model_copy(update={"claims": (claim,), "model": "extractive"})
    with Store(db_path) as store:
        assert store.upsert_paper(e.paper) is True
        assert store.upsert_paper(e.paper) is False
        assert store.get_paper(e.paper.id) == e.paper
        assert store.save_summary(summary, "k1") is True
        assert store.save_summary(summary, "k1") is False
        assert store.get_summary("k1") == summary


def test_an_edition_reads_back_its_summaries_checker_version(db_path: Path) -> None:
    e = entry("2503.00002", 3, "Checked")
    checked = e.summary.model_copy(update={"grounding": "g9"})
    digest = Digest(day=D1, entries=(e.model_copy(update={"summary": checked}),))
    with Store(db_path) as store:
        store.upsert_paper(e.paper)
        store.save_summary(checked, "k2")
        store.save_digest(digest, ["k2"])
        assert store.get_digest(digest.edition) == digest
        assert store.get_digest(digest.edition).entries[0].summary.grounding == "g9"


def test_reopen_keeps_data_and_does_not_rerun_migrations(db_path: Path) -> None:
    with Store(db_path) as store:
        store.import_digest(day1())
        applied = [m.name for m in MIGRATIONS.applied(store.db)]
    with Store(db_path) as store:
        assert [m.name for m in MIGRATIONS.applied(store.db)] == applied  # nothing ran twice
        assert not MIGRATIONS.pending(store.db)
        assert applied[:5] == ["001_initial", "002_one_name_per_concept", "003_run_details", "004_editions",
                               "005_import_revisions"]
        assert {"006_search_index", "007_leases", "008_deliveries", "009_health_reports",
                "011_drop_deliveries_status_index"} <= set(applied)
        indexes = {r[0] for r in store.db.execute("select name from sqlite_master where type = 'index'")}
        assert "idx_deliveries_status" not in indexes  # nothing reads the ledger by status
        assert store.get_digest(Edition(day=D1)) == day1()
        assert store.import_digest(day1()).counts()["unchanged"] == 3


def test_email_ledger_rows_move_to_the_hashed_channel_id(db_path: Path) -> None:
    from dailypapers.publish.notify.email import channel_id

    with Store(db_path) as store:  # rows as an older version wrote them, before 012 ran
        with store.transaction():
            store.db.execute(f"delete from {Migrations.migrations_table} where name = '012_email_channel_ids'")
        store.record_delivery(Edition(day=D1), "email:lead@b.c,t@b.c", "", "delivered", external_id="<m@b.c>")
        store.record_delivery(Edition(day=D1), "email:0123456789ab", "", "delivered")
        store.record_delivery(Edition(day=D1), "slack:C0", "", "delivered")
    with Store(db_path) as store:  # the migration runs again on open
        channels = {r["channel"]: r["external_id"] for r in store.deliveries(Edition(day=D1))}
    assert channels == {channel_id(["t@b.c", "lead@b.c"]): "<m@b.c>", "email:0123456789ab": None, "slack:C0": None}


def test_garbage_file_and_directory_are_store_errors(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database, just bytes " * 300)
    with pytest.raises(StoreError, match="cannot open database"):
        Store(garbage)
    with pytest.raises(StoreError, match="is a directory"):
        Store(tmp_path)


def test_in_memory_store() -> None:
    with Store(":memory:") as store:
        store.import_digest(day1())
        assert store.editions() == [(Edition(day=D1), 3)]


def test_write_failure_is_a_store_error(db_path: Path) -> None:
    with Store(db_path) as store:
        store.import_digest(day1())
        store.db.execute("create trigger no_more before insert on digests "
                         "begin select raise(abort, 'x'); end")
        with pytest.raises(StoreError, match="database write failed"):
            store.import_digest(day1().model_copy(update={"day": D2}))
        # The failed import rolled back as a whole: no half-written day.
        assert store.editions() == [(Edition(day=D1), 3)]


def test_importing_an_old_digest_keeps_what_the_pipeline_stored(tmp_path) -> None:
    full = Paper(id="2501.00001", title="T", authors=("A",), abstract="The abstract.", upvotes=5,
                 links={"pdf": "https://arxiv.org/pdf/2501.00001"},
                 published=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    with Store(tmp_path / "m.db") as store:
        store.upsert_paper(full)
        bare = Paper(id="2501.00001", title="T (imported)", authors=("A",), upvotes=9,
                     thumbnail="https://cdn.example/t.png")
        report = store.import_digest(Digest(day=dt.date(2025, 1, 2), entries=(Entry(paper=bare),)))
        merged = store.get_paper("2501.00001")
        [done] = report.papers
        assert done.status == "conflicting" and [c.field for c in done.changes] == ["title"]
        assert done.filled == ("thumbnail",)
        assert merged is not None
        assert merged.title == "T"  # kept: the import reported the difference and changed nothing
        assert merged.thumbnail == "https://cdn.example/t.png"  # filled: the archive had none
        assert merged.upvotes == 9  # the latest count; the day's own is in its entry
        assert merged.abstract == "The abstract." and merged.published == full.published
        assert merged.links == {"pdf": "https://arxiv.org/pdf/2501.00001"}
        store.import_digest(Digest(day=dt.date(2025, 1, 2), entries=(Entry(paper=bare),)), replace=True)
        assert store.get_paper("2501.00001").title == "T (imported)"
        assert [(r["field"], r["stored"], r["incoming"], r["action"]) for r in store.revisions()] == [
            ("title", "T", "T (imported)", "kept"), ("title", "T", "T (imported)", "replaced")]


# -- opening modes ------------------------------------------------------------------------------------------
def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_read_only_opening_never_writes(tmp_path: Path) -> None:
    path = tmp_path / "a" / "archive.db"
    with pytest.raises(ArchiveMissingError, match="no archive at"):
        Store(path, readonly=True)
    assert not path.parent.exists()  # not even the folder is created
    with Store(path) as store:
        store.import_digest(day1())
    before = path.read_bytes()
    with Store(path, readonly=True) as store:
        assert store.get_digest(Edition(day=D1)) == day1()
        assert store.editions() == [(Edition(day=D1), 3)]
        with pytest.raises(StoreError):
            store.import_digest(day1().model_copy(update={"day": D2}))
    # the database itself is untouched (a WAL reader may leave SQLite's -shm/-wal coordination files)
    assert path.read_bytes() == before


def test_another_applications_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "theirs" / "theirs.db"
    path.parent.mkdir()
    conn = sqlite3.connect(path)
    conn.execute("create table invoices (id integer primary key, total real)")
    conn.execute("insert into invoices (total) values (12.5)")
    conn.commit()
    conn.close()
    before = _snapshot(path.parent)
    for readonly in (False, True):
        with pytest.raises(StoreError, match=r"not a dailypapers archive .*invoices.*left untouched"):
            Store(path, readonly=readonly)
    assert _snapshot(path.parent) == before  # no migrations table, no WAL switch, no -wal/-shm files


def _legacy_archive(path: Path) -> None:
    """An archive as the first release wrote it: the hand-rolled runner's `_migrations` and old names."""
    import sqlite_utils

    from dailypapers.store.migrations import _m001_initial

    db = sqlite_utils.Database(path)
    _m001_initial(db)
    db["_migrations"].insert({"name": "001_initial", "applied_at": "2026-01-01T00:00:00+00:00"})
    db["papers"].insert({"id": "2501.00001", "title": "Old", "authors": '["A"]', "digest_date": "2025-01-02",
                         "links": "{}"})
    db["texts"].insert({"paper_id": "2501.00001", "origin": "text", "page_count": 0,
                        "sections": '[{"kind": "other", "heading": "", "text": "Body.", "page": null}]'})
    db["summaries"].insert({"key": "k", "paper_id": "2501.00001", "language": "ko", "text": "요약",
                            "sections": '[{"label": "What\'s New", "text": "요약", "emphasis": "bold_italic"}]',
                            "claims": "[]"})
    db["digests"].insert({"date": "2025-01-02", "updated_at": "x"})
    db["digest_entries"].insert({"date": "2025-01-02", "position": 0, "paper_id": "2501.00001",
                                 "upvotes": 3, "summary_key": "k"})
    db["runs"].insert({"id": 1, "command": "digest", "day": "2025-01-02", "usage": "{}", "counts": "{}"})
    db["outcomes"].insert({"run_id": 1, "day": "2025-01-02", "paper_id": "2501.00001", "status": "failed",
                           "reason": "x", "stage": "fulltext"})
    db.conn.close()


def test_an_archive_of_the_first_release_is_upgraded_only_by_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _legacy_archive(path)
    with pytest.raises(StoreError, match="older dailypapers: run `dailypapers migrate`"):
        Store(path, readonly=True)
    with Store(path) as store:
        applied = [m.name for m in MIGRATIONS.applied(store.db)]
        assert applied[:5] == ["001_initial", "002_one_name_per_concept", "003_run_details", "004_editions",
                               "005_import_revisions"]
        assert not MIGRATIONS.pending(store.db)
        assert "_migrations" not in store.db.table_names()
        assert store.search_ids("요약") == ["2501.00001"]  # the search index is filled from what was there
        digest = store.get_digest(Edition(day=dt.date(2025, 1, 2)))
        assert digest is not None and digest.entries[0].summary.lang == "ko"
        assert digest.entries[0].paper.day == dt.date(2025, 1, 2)
        assert store.get_document("2501.00001").text == "Body."
        assert store.latest_outcomes(Edition(day=dt.date(2025, 1, 2)))["2501.00001"].stage == "read"
    with Store(path, readonly=True) as store:
        assert store.editions() == [(Edition(day=dt.date(2025, 1, 2)), 1)]


def test_the_migrate_command_upgrades_and_read_commands_refuse(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from dailypapers.cli import app

    path = tmp_path / "old.db"
    _legacy_archive(path)
    refused = CliRunner().invoke(app, ["--db", str(path), "days"])
    assert refused.exit_code == 4 and "dailypapers migrate" in refused.stderr
    done = CliRunner().invoke(app, ["--db", str(path), "migrate"])
    assert done.exit_code == 0 and "up to date" in done.stdout
    assert "2025-01-02" in CliRunner().invoke(app, ["--db", str(path), "days"]).stdout


def test_new_papers_go_after_the_paper_the_file_lists_before_them(db_path: Path) -> None:
    def listed(*ids: str) -> Digest:
        return Digest(day=D1, entries=tuple(Entry(paper=Paper(id=i, title=f"T{i}")) for i in ids))

    with Store(db_path) as store:
        store.import_digest(listed("2503.00001", "2503.00002"))
        report = store.import_digest(listed("2503.00007", "2503.00001", "2503.00008", "2503.00009", "2503.00002",
                                            "2503.00006"))
        assert report.counts()["added"] == 4 and report.counts()["unchanged"] == 2
        store.import_digest(listed("2503.00002", "2503.00005"))
        got = [e.paper.id for e in store.get_digest(Edition(day=D1)).entries]
    assert got == ["2503.00007", "2503.00001", "2503.00008", "2503.00009", "2503.00002", "2503.00005",
                   "2503.00006"]


def test_a_batch_is_one_transaction(db_path: Path) -> None:
    digests = [day1(), day1().model_copy(update={"day": D2}), day1().model_copy(update={"source": "local:x"})]
    with Store(db_path) as store:
        sent: list[str] = []
        store.db.conn.set_trace_callback(sent.append)
        report = store.import_digests(digests, origins=["a.md", "b.md", "c.md"])
        store.db.conn.set_trace_callback(None)
        assert report.editions_added == 3 and len(report.papers) == 9
        assert [s for s in sent if s.split()[0].upper() in ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")] == [
            "BEGIN IMMEDIATE", "COMMIT"]
        assert len(store.editions()) == 3


def test_a_batch_compares_each_file_with_what_the_files_before_it_added(db_path: Path) -> None:
    from dailypapers.digestformat import read_days

    first = Digest(day=D1, entries=(entry("2503.00001", 3, "Lantern Routing"),))
    second = Digest(day=D2, entries=(entry("2503.00001", 5, "Lantern Routing, Revised"),))
    with Store(db_path) as store:
        report = store.import_digests([first, second])
        assert [(p.edition.day, p.status, [c.field for c in p.changes]) for p in report.papers] == [
            (D1, "added", []), (D2, "conflicting", ["title"])]
        assert store.get_paper("2503.00001").title == "Lantern Routing"
        assert [(e.paper.title, e.paper.upvotes) for e in store.get_digest(Edition(day=D2)).entries] == [
            ("Lantern Routing", 5)]  # the day's own votes; the paper's title as stored
        # an author whose name holds a comma is one author, through the file and the archive
        [variants] = read_days(Path(__file__).parent / "data" / "digest_variants.md").days
        store.import_digest(variants)
        assert store.get_paper("2403.03333").authors == ("Smith, John", "Lena Moreau")
