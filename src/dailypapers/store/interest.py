"""The reader's votes (👍/👎 from the web app) and the choices of interest-ranked editions (migration 021)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from dailypapers.embed.profile import Choice
from dailypapers.errors import InputError, NotFoundError
from dailypapers.models import Edition
from dailypapers.store.archive import Archive
from dailypapers.store.rows import utc_now


class Interest(Archive):
    def set_vote(self, paper_id: str, vote: int) -> None:
        """Record 👍 (1) or 👎 (-1) on a paper of the archive; 0 takes the vote back."""
        if vote not in (-1, 0, 1):
            raise InputError("a vote is 1 (👍), -1 (👎) or 0 (none)")
        if self.get_paper_row(paper_id) is None:
            raise NotFoundError(f"no paper {paper_id!r} in the archive")
        with self.transaction():
            if vote == 0:
                self.db.execute("delete from interest_votes where paper_id = ?", [paper_id])
            else:
                self.db.execute("insert or replace into interest_votes (paper_id, vote, voted_at) values (?, ?, ?)",
                                [paper_id, vote, utc_now()])

    def votes(self) -> list[tuple[str, int, dt.date]]:
        """(paper id, vote, day voted), newest first."""
        rows = self.db.execute("select paper_id, vote, voted_at from interest_votes order by voted_at desc")
        return [(pid, int(vote), dt.date.fromisoformat(str(at)[:10])) for pid, vote, at in rows.fetchall()]

    def vote_of(self, paper_id: str) -> int:
        row = self.db.execute("select vote from interest_votes where paper_id = ?", [paper_id]).fetchone()
        return int(row[0]) if row else 0

    def save_choices(self, edition: Edition, choices: Sequence[Choice]) -> None:
        """What an interest-ranked edition chose, replacing what an earlier run of it chose."""
        key = [edition.day.isoformat(), edition.source, edition.lang]
        with self.transaction():
            self.db.execute("delete from interest_choices where day = ? and source = ? and lang = ?", key)
            self.db.conn.executemany(
                "insert into interest_choices (day, source, lang, paper_id, score, reasons) values (?, ?, ?, ?, ?, ?)",
                [(*key, c.paper_id, c.score, json.dumps(list(c.reasons), ensure_ascii=False)) for c in choices])

    def choices(self, edition: Edition) -> dict[str, Choice]:
        rows = self.db.execute("select paper_id, score, reasons from interest_choices where day = ? and source = ? "
                               "and lang = ?", [edition.day.isoformat(), edition.source, edition.lang]).fetchall()
        return {pid: Choice(pid, float(score), tuple(json.loads(reasons))) for pid, score, reasons in rows}

    def paper_choices(self, paper_id: str) -> dict[Edition, Choice]:
        """The interest-ranked editions that chose this paper, and why."""
        rows = self.db.execute("select day, source, lang, score, reasons from interest_choices where paper_id = ?",
                               [paper_id]).fetchall()
        return {Edition(day=dt.date.fromisoformat(day), source=source, lang=lang):
                Choice(paper_id, float(score), tuple(json.loads(reasons)))
                for day, source, lang, score, reasons in rows}
