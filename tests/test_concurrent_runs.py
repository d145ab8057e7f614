"""Two runs of the same edition at once (two crons, a backfill beside the daily run), each with its own
connection to the archive: no entry is lost, no paper is summarized twice, no run fails on a busy database."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from dailypapers.models import DEFAULT_LABELS, Document, Edition, Paper, Section, Summary, TextSection, Usage
from dailypapers.pipeline import Job, holder_alive, lease_holder, run
from dailypapers.store import Store
from dailypapers.summarize.base import SummaryResult
from dailypapers.work import WorkSpec

DAY = dt.date(2026, 7, 1)
SPEC = WorkSpec(lang="ko", labels=DEFAULT_LABELS, max_input_tokens=3000)
TRIALS = 12


class Counting:
    """A summarizer shared by both runs that counts every call (per paper)."""

    name = "counting"
    prompt_version = "c1"

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.lock = threading.Lock()

    async def summarize(self, paper: Paper, text: str, *, lang: str, labels: Sequence[str],
                        feedback: Sequence[str] = ()) -> SummaryResult:
        with self.lock:
            self.calls.append(paper.id)
        await asyncio.sleep(0.002)
        sections = tuple(Section(label=label, text="a plain summary") for label in labels)
        return SummaryResult(Summary(paper_id=paper.id, lang=lang, sections=sections, model=self.name,
                                     prompt_version=self.prompt_version), Usage(calls=1))


async def _fetch(paper: Paper) -> Document:
    return Document(paper_id=paper.id, origin="text", sections=(
        TextSection(kind="abstract", heading="Abstract", text=f"We study the problem {paper.id} poses."),))


def _run(db: Path, papers: list[Paper], summarizer: Counting, errors: list[BaseException],
         start: threading.Barrier) -> None:
    try:
        with Store(db) as store:
            start.wait()
            job = Job(day=DAY, papers=tuple(papers), spec=SPEC)
            asyncio.run(run(job, store=store, summarizer=summarizer, fetch=_fetch))
    except BaseException as exc:  # surfaced by the test, not lost in a thread
        errors.append(exc)


@pytest.mark.slow  # two whole runs at once over one archive: seconds
def test_concurrent_runs_lose_no_entry_and_pay_once(tmp_path: Path) -> None:
    for trial in range(TRIALS):
        db = tmp_path / f"trial{trial}.db"
        Store(db).close()  # created and migrated once, as a first run would
        papers = [Paper(id=f"2607.{trial:02d}{i:03d}", title=f"Paper {i}", upvotes=40 - i) for i in range(30)]
        # disjoint halves plus a shared middle: both runs list papers 10-19
        first, second = papers[:20], papers[10:]
        summarizer, errors = Counting(), []
        start = threading.Barrier(2)
        threads = [threading.Thread(target=_run, args=(db, ps, summarizer, errors, start)) for ps in (first, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not errors, errors
        with Store(db, readonly=True) as store:
            digest = store.get_digest(Edition(day=DAY))
        assert digest is not None
        assert sorted(e.paper.id for e in digest.entries) == sorted(p.id for p in papers), f"trial {trial}"
        assert all(e.summary is not None for e in digest.entries)
        assert sorted(summarizer.calls) == sorted(p.id for p in papers), f"trial {trial}: paid twice"


def test_a_lease_of_a_dead_run_is_taken_over_at_once(tmp_path: Path) -> None:
    with Store(tmp_path / "l.db") as store:
        me, other = lease_holder(), lease_holder()
        assert store.acquire_lease("k", other, 900, alive=holder_alive)
        assert not store.acquire_lease("k", me, 900, alive=holder_alive)  # a live run holds it
        assert store.acquire_lease("k", me, 900, alive=lambda holder: False)  # its holder died
        store.release_lease("k", me)
        assert store.acquire_lease("k", other, 900, alive=holder_alive)
    host = lease_holder().split(":")[0]
    assert holder_alive(f"{host}:999999999:x") is False  # no such process on this host
    assert holder_alive("elsewhere.example:1:x") is True  # another machine: trust the expiry
