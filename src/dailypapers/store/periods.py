"""Weekly and monthly editions in the archive: each (period, start, source, lang) and its ordered entries, whose
papers and summaries are the archive's rows (a period shows the summary its day stored); and the editions'
syntheses, by the key of the content they were made from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from dailypapers.models import Entry, PeriodDigest, Span, Synthesis
from dailypapers.store.archive import Archive, import_key
from dailypapers.store.rows import (
    ENTRY_COLUMNS,
    ENTRY_READ_COLUMNS,
    EditionPrint,
    fetch_rows,
    insert_many,
    paper_from_row,
    prints,
    summary_from_row,
    utc_now,
)

_KEY = "period = :period and start = :start and source = :source and lang = :lang"


def _key(span: Span, source: str, lang: str) -> dict[str, Any]:
    return {"period": span.period, "start": span.start.isoformat(), "source": source, "lang": lang}


class Periods(Archive):
    """The weekly and monthly editions (on top of the archive's papers and summaries)."""

    def save_period(self, edition: PeriodDigest, summary_keys: Sequence[str | None]) -> None:
        """Store (or replace) a period's edition; `summary_keys` name each entry's stored summary (or None). Its
        papers and summaries must be stored already."""
        if len(summary_keys) != len(edition.entries):
            raise ValueError("one summary key (or None) per entry")
        key = _key(edition.span, edition.source, edition.lang)
        with self.transaction():
            conn = self.db.conn
            conn.execute(f"delete from period_entries where {_KEY}", key)
            conn.execute(f"delete from period_editions where {_KEY}", key)
            insert_many(conn, "period_editions", [{**key, "updated_at": utc_now()}])
            insert_many(conn, "period_entries", [
                {**key, "position": i, "paper_id": e.paper.id, "upvotes": e.paper.upvotes, "summary_key": k}
                for i, (e, k) in enumerate(zip(edition.entries, summary_keys, strict=True))])

    def import_period(self, edition: PeriodDigest) -> int:
        """A weekly or monthly digest file into the archive: its papers (merged as `upsert_paper` merges), its
        summaries (under their import keys; one the archive holds is kept) and the period's entries, replacing
        what was stored for it. Returns how many papers were new to the archive."""
        new = 0
        keys: list[str | None] = []
        with self.transaction():
            for e in edition.entries:
                new += self.upsert_paper(e.paper)
                if e.summary is None:
                    keys.append(None)
                    continue
                key = import_key(e.summary)
                if self.get_summary(key) is None:
                    self.save_summary(e.summary, key)
                keys.append(key)
            self.save_period(edition, keys)
        return new

    def get_period(self, span: Span, source: str, lang: str) -> PeriodDigest | None:
        key = _key(span, source, lang)
        if not fetch_rows(self.db.conn, f"select 1 from period_editions where {_KEY}", key):
            return None
        rows = fetch_rows(self.db.conn, f"""
            select {ENTRY_READ_COLUMNS}
            from period_entries e join papers p on p.id = e.paper_id left join summaries s on s.key = e.summary_key
            where e.period = :period and e.start = :start and e.source = :source and e.lang = :lang
            order by e.position""", key)
        entries = []
        for r in rows:
            paper = paper_from_row(r).model_copy(update={"upvotes": r["entry_upvotes"]})
            summary = summary_from_row({k[2:]: v for k, v in r.items() if k.startswith("s_")}) if r["s_key"] else None
            entries.append(Entry(paper=paper, summary=summary))
        return PeriodDigest(span=span, source=source, lang=lang, entries=tuple(entries))

    def periods(self) -> list[tuple[Span, str, str, int]]:
        """Every stored weekly and monthly edition, oldest first: its span, source, lang and paper count."""
        rows = fetch_rows(self.db.conn, """
            select d.period, d.start, d.source, d.lang, count(e.position) as n from period_editions d
            left join period_entries e on e.period = d.period and e.start = d.start and e.source = d.source
                and e.lang = d.lang
            group by d.period, d.start, d.source, d.lang order by d.start, d.period, d.source, d.lang""", {})
        return [(Span.of(r["period"], dt.date.fromisoformat(r["start"])), r["source"], r["lang"], r["n"])
                for r in rows]

    def period_prints(self) -> dict[tuple[Span, str, str], EditionPrint]:
        """Every weekly and monthly edition's `EditionPrint` (as `Archive.edition_prints`), in one query."""
        rows = self.db.execute(
            "select d.period, d.start, d.source, d.lang, d.updated_at, e.position, s.key is null, e.paper_id, "
            f"p.links, {ENTRY_COLUMNS} from period_editions d left join period_entries e on e.period = d.period and "
            "e.start = d.start and e.source = d.source and e.lang = d.lang left join papers p on p.id = e.paper_id "
            "left join summaries s on s.key = e.summary_key order by d.start, d.period, d.source, d.lang, e.position")
        return {(Span.of(k[0], dt.date.fromisoformat(k[1])), k[2], k[3]): p
                for k, p in prints(rows, key_columns=4).items()}

    def periods_updated(self) -> dict[tuple[Span, str, str], dt.datetime | None]:
        rows = fetch_rows(self.db.conn, "select period, start, source, lang, updated_at from period_editions", {})
        return {(Span.of(r["period"], dt.date.fromisoformat(r["start"])), r["source"], r["lang"]):
                dt.datetime.fromisoformat(r["updated_at"]) if r["updated_at"] else None for r in rows}

    def listed_empty(self, source: str, lang: str, span: Span) -> set[dt.date]:
        """The span's days a run asked the source for and found no paper listed (a holiday): a period made of
        the stored days need not ask for them again. A day the source could not be asked for is not one."""
        rows = self.db.conn.execute(
            "select distinct day from runs where source = ? and lang = ? and day between ? and ? and "
            "coalesce(json_extract(counts, '$.ok'), 0) + coalesce(json_extract(counts, '$.flagged'), 0) + "
            "coalesce(json_extract(counts, '$.failed'), 0) + coalesce(json_extract(counts, '$.skipped'), 0) = 0",
            [source, lang, span.start.isoformat(), span.end.isoformat()])
        return {dt.date.fromisoformat(r[0]) for r in rows}

    def save_synthesis(self, synthesis: Synthesis) -> None:
        with self.transaction():
            self.db.conn.execute(
                "insert or replace into syntheses (key, model, synthesis, created_at) values (?, ?, ?, ?)",
                [synthesis.key, synthesis.model, synthesis.model_dump_json(), utc_now()])

    def get_synthesis(self, key: str) -> Synthesis | None:
        row = self.db.conn.execute("select synthesis from syntheses where key = ?", [key]).fetchone()
        return Synthesis.model_validate_json(row[0]) if row else None
