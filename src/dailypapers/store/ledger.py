"""The ledger: what each run did (`runs`, `outcomes`), who is summarizing what (`leases`), what went out
(`deliveries`), the health reports of daily runs (`health_reports`, `health_editions`) and which edition each
file the publishers wrote holds (`written_files`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from dailypapers.models import Edition, Outcome, RunReport, failures_by_stage
from dailypapers.store.connection import Connection
from dailypapers.store.rows import EDITION, edition_from_row, edition_key, fetch_rows, iso, run_row, utc_now


class Ledger(Connection):
    """The records of runs, leases, deliveries and health reports."""

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
        report = self.redact.data(report)
        with self.transaction():
            run_id = self.db["runs"].insert(
                {
                    "command": report.command,
                    "day": iso(report.day),
                    "source": report.source,
                    "lang": report.lang,
                    "started_at": iso(report.started_at),
                    "finished_at": iso(report.finished_at),
                    "usage": report.usage.model_dump_json(),
                    "counts": json.dumps(report.counts()),
                    "outputs": json.dumps(list(report.outputs), ensure_ascii=False),
                    "publish_errors": json.dumps(list(report.publish_errors), ensure_ascii=False),
                }
            ).last_pk
            self.db["outcomes"].insert_all(
                {"run_id": run_id, "day": iso(report.day), **o.model_dump()} for o in report.outcomes
            )
        return int(run_id)

    def add_run_outputs(self, run_id: int, outputs: Sequence[str], publish_errors: Sequence[str]) -> None:
        """Outputs and publish problems of a stored run that came after it was saved (a site built once for
        many editions)."""
        row = self.db["runs"].get(run_id)
        outputs, publish_errors = self.redact.data(list(outputs)), self.redact.data(list(publish_errors))
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
        return edition_from_row(row) if row else None

    def record_written(self, path: Path, edition: Edition) -> None:
        with self.transaction():
            self.db["written_files"].upsert(
                {"path": str(Path(path).resolve()), **edition_key(edition), "written_at": utc_now()}, pk="path")

    # -- finished editions (pipeline.run's re-run of a finished edition) ------------------------------------
    def edition_state(self, edition: Edition) -> str:
        """A hash of everything stored that the edition's outputs are made from, in one query: its entries in
        order, their papers' records, the summaries they show (with the checker's version) and the hashes of
        the documents those were made from. Any write that changes one (a run, an import, a summary checked
        again, a paper's new title or version, a document fetched again) changes it."""
        cursor = self.db.conn.execute(
            """
            select e.position, e.upvotes, e.summary_key, p.*, s.sections, s.claims, s.tldr, s.model,
                   s.prompt_version, s.grounding, s.created_at, d.content_hash
            from digest_entries e
            join papers p on p.id = e.paper_id
            left join summaries s on s.key = e.summary_key
            left join documents d on d.paper_id = e.paper_id
            where e.day = :day and e.source = :source and e.lang = :lang order by e.position
            """,
            edition_key(edition),
        )
        digest = hashlib.sha256()
        for row in cursor:  # str, int, float, bytes or None: repr() is exact and stable
            digest.update(repr(row).encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def finished_edition(self, edition: Edition) -> dict[str, Any] | None:
        """What the last run that finished the edition recorded (`record_finished`), or None."""
        rows = fetch_rows(self.db.conn, f"select * from finished_editions where {EDITION}", edition_key(edition))
        if not rows:
            return None
        return {**rows[0], "outputs": json.loads(rows[0]["outputs"])}

    def record_finished(self, edition: Edition, *, fingerprint: str, outputs: dict[str, str], run_id: int) -> None:
        """The edition is finished by run `run_id` given `fingerprint`: its stored state now, and the hash of each
        file it wrote (path -> sha256)."""
        with self.transaction():
            self.db["finished_editions"].upsert(
                {**edition_key(edition), "fingerprint": fingerprint, "state": self.edition_state(edition),
                 "outputs": json.dumps(outputs, ensure_ascii=False), "run_id": run_id, "finished_at": utc_now()},
                pk=("day", "source", "lang"))

    def forget_finished(self, edition: Edition) -> None:
        """The edition is not finished (a paper failed, an output was not written): its next run does the work."""
        with self.transaction():
            self.db.execute(f"delete from finished_editions where {EDITION}", edition_key(edition))

    def run_outcomes(self, run_id: int) -> dict[str, Outcome]:
        """paper id -> its outcome in run `run_id`."""
        rows = fetch_rows(self.db.conn, "select paper_id, status, reason, stage from outcomes where run_id = ?",
                          [run_id])
        return {r["paper_id"]: Outcome(**self.redact.data(r)) for r in rows}

    def latest_outcomes(self, edition: Edition) -> dict[str, Outcome]:
        """The most recent outcome of each paper of that edition, across runs."""
        rows = self.db.query(
            "select o.paper_id, o.status, o.reason, o.stage from outcomes o join runs r on r.id = o.run_id "
            "where r.day = :day and r.source = :source and r.lang = :lang order by o.run_id, o.rowid",
            edition_key(edition),
        )
        return {r["paper_id"]: Outcome(**self.redact.data(r)) for r in rows}

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        return [run_row(self.redact.data(r)) for r in self.db.query("select * from runs order by id desc limit ?",
                                                                     [limit])]

    def failed_outcomes(self, run_ids: Sequence[int]) -> dict[int, list[dict[str, str]]]:
        """run id -> the papers that failed in it (paper_id, stage, reason), in the order they were recorded."""
        if not run_ids:
            return {}
        rows = self.db.execute(
            f"select run_id, paper_id, stage, reason from outcomes where status = 'failed' and run_id in "
            f"({', '.join('?' * len(run_ids))}) order by run_id, rowid", list(run_ids))
        out: dict[int, list[dict[str, str]]] = {}
        for run_id, paper_id, stage, reason in rows:
            out.setdefault(run_id, []).append({"paper_id": paper_id, "stage": stage or "",
                                               "reason": self.redact(reason or "")})
        return out

    # -- deliveries and health reports -----------------------------------------------------------------------
    DELIVERY_STATES = ("pending", "delivered", "failed", "abandoned")

    def deliveries(self, edition: Edition, channel: str | None = None) -> list[dict[str, Any]]:
        """The ledger rows of an edition (of one channel, or all), in the order they were first written."""
        where, params = EDITION, edition_key(edition)
        if channel is not None:
            where += " and channel = :channel"
            params = {**params, "channel": channel}
        return self.redact.data(list(self.db.query(f"select * from deliveries where {where} order by rowid", params)))

    def record_delivery(
        self, edition: Edition, channel: str, item: str, status: str, *, external_id: str | None = None,
        thread_id: str | None = None, error: str | None = None,
    ) -> dict[str, Any]:
        """Write one ledger row at once (its own transaction, so a kill right after loses nothing) and return
        it as written. `pending` counts an attempt; a later state keeps the ids it is not given."""
        if status not in self.DELIVERY_STATES:
            raise ValueError(f"unknown delivery status {status!r}")
        key = {**edition_key(edition), "channel": channel, "item": item}
        error = self.redact(error) if error is not None else None
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
                 "attempt": int(status == "pending"), "error": error, "now": utc_now()},
            )
            [row] = fetch_rows(self.db.conn, f"select * from deliveries where {EDITION} and channel = :channel "
                                        "and item = :item", key)
        return row

    def save_health(self, report: dict[str, Any], editions: Sequence[dict[str, Any]]) -> int:
        """Store a health report (`health.HealthReport.stored()`) and its per-edition rows."""
        report, editions = self.redact.data(report), self.redact.data(list(editions))
        with self.transaction():
            report_id = self.db["health_reports"].insert(report).last_pk
            self.db["health_editions"].insert_all({"report_id": report_id, **e} for e in editions)
        return int(report_id)

    def health_reports(self, limit: int = 20) -> list[dict[str, Any]]:
        rows = self.db.query("select * from health_reports order by id desc limit ?", [limit])
        return [self.redact.data({**r, "report": json.loads(r["report"])}) for r in rows]

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
        rows = self.redact.data(rows)
        failed = self.failed_outcomes([r["id"] for r in rows])
        return [{**run_row(r), "failures_by_stage": failures_by_stage(
                    Outcome(paper_id=f["paper_id"], status="failed", stage=f["stage"], reason=f["reason"])
                    for f in failed.get(r["id"], []))} for r in rows]
