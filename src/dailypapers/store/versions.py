"""New arXiv versions of stored papers (`pipeline.refresh`): which papers to ask arXiv about, the summaries
their editions show, the documents a newer version replaces (kept), and what changed (`paper_versions`)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from dailypapers.models import ClaimChange, Edition, Paper, Summary, VersionChange
from dailypapers.store.archive import Archive
from dailypapers.store.rows import fetch_rows, paper_from_row, parse_time, summary_from_row, utc_now


def _change(r: dict[str, Any]) -> VersionChange:
    return VersionChange(
        paper_id=r["paper_id"], lang=r["lang"], from_version=r["from_version"], to_version=r["to_version"],
        old_key=r["old_key"], new_key=r["new_key"], problem=r["problem"] or "", found_at=parse_time(r["found_at"]),
        changes=tuple(ClaimChange(**c) for c in json.loads(r["changes"] or "[]")),
    )


class Versions(Archive):
    """What the archive knows of papers' versions."""

    def papers_in_editions(self, since: dt.date | None = None) -> list[Paper]:
        """The arXiv papers listed in a day's edition (of `since` or later), by id: what a refresh asks about."""
        where, params = ("where e.day >= ?", [since.isoformat()]) if since else ("", [])
        rows = fetch_rows(self.db.conn, f"select * from papers where id in (select distinct e.paper_id from "
                                        f"digest_entries e {where}) and id not like 'local:%' order by id", params)
        return [paper_from_row(r) for r in rows]

    def shown_summaries(self, paper_id: str) -> dict[str, tuple[str, Summary]]:
        """lang -> (key, summary) that the paper's newest edition in that language shows."""
        rows = fetch_rows(self.db.conn, "select e.lang as e_lang, s.* from digest_entries e join summaries s "
                                        "on s.key = e.summary_key where e.paper_id = ? order by e.day desc",
                          [paper_id])
        out: dict[str, tuple[str, Summary]] = {}
        for r in rows:
            out.setdefault(r["e_lang"], (r["key"], summary_from_row(r)))
        return out

    def keep_document_version(self, paper_id: str, version: int | None) -> None:
        """Copy the paper's stored document (the text of `version`) aside before a newer version's replaces it;
        the first copy of a version stays."""
        with self.transaction():
            self.db.execute(
                "insert or ignore into document_versions (paper_id, version, origin, page_count, sections, "
                "content_hash, fetched_at, kept_at) select paper_id, ?, origin, page_count, sections, content_hash, "
                "fetched_at, ? from documents where paper_id = ?", [version or 0, utc_now(), paper_id])

    def kept_documents(self, paper_id: str) -> list[int]:
        """The versions of the paper whose replaced documents are kept."""
        return [r[0] for r in self.db.execute(
            "select version from document_versions where paper_id = ? order by version", [paper_id])]

    def save_version_change(self, change: VersionChange) -> None:
        """Record (or replace) what a newer version changed in one language; its announcement is kept."""
        with self.transaction():
            self.db.execute(
                "insert into paper_versions (paper_id, lang, from_version, to_version, old_key, new_key, changes, "
                "problem, found_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (paper_id, lang, to_version) "
                "do update set from_version = excluded.from_version, old_key = excluded.old_key, "
                "new_key = excluded.new_key, changes = excluded.changes, problem = excluded.problem",
                [change.paper_id, change.lang, change.from_version, change.to_version, change.old_key,
                 change.new_key, json.dumps([c.model_dump() for c in change.changes], ensure_ascii=False),
                 change.problem, (change.found_at or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")])

    def version_changes(self, paper_id: str | None = None) -> list[VersionChange]:
        """The paper's (or every paper's) newer versions found, newest first."""
        where, params = ("where paper_id = ?", [paper_id]) if paper_id else ("", [])
        rows = fetch_rows(self.db.conn, f"select * from paper_versions {where} "
                                        "order by paper_id, to_version desc, lang", params)
        return [_change(r) for r in rows]

    def newer_versions(self, paper_id: str | None = None) -> dict[str, list[tuple[VersionChange, Summary | None]]]:
        """paper id -> its newer versions found (newest first), each with its new summary: what a paper's page
        and `/api/papers/{id}` show."""
        changes = self.version_changes(paper_id)
        summaries = self.get_summaries(sorted({c.new_key for c in changes if c.new_key}))
        out: dict[str, list[tuple[VersionChange, Summary | None]]] = {}
        for c in changes:
            out.setdefault(c.paper_id, []).append((c, summaries.get(c.new_key) if c.new_key else None))
        return out

    def announce_changes(self, edition: Edition) -> list[VersionChange]:
        """The changes in the edition's language that no edition's message has noted yet, now given to this one,
        with those given to it before (a delivery tried again notes the same): oldest first."""
        key = [edition.day.isoformat(), edition.source]
        with self.transaction():
            self.db.execute("update paper_versions set announced_day = ?, announced_source = ? "
                            "where lang = ? and announced_day is null", [*key, edition.lang])
        rows = fetch_rows(self.db.conn, "select * from paper_versions where lang = ? and announced_day = ? and "
                                        "announced_source = ? order by found_at, paper_id",
                          [edition.lang, *key])
        return [_change(r) for r in rows]
