"""The re-run of a finished edition (`pipeline.run` with `Finish`): given the same over an unchanged edition it
does nothing again (no call, no write but the run's record, the same outcomes); anything that changes what the
run would make does the work again: a new paper, other settings, another model, a new checker version, a paper
that failed, an output file edited or gone, the stored edition changed by another writer. And through `run`,
the daily job: a channel that did not get the edition gets it on the re-run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from dailypapers import pipeline, work
from dailypapers.api import build_digest, run
from dailypapers.config import Settings
from dailypapers.events import Events, PaperDone
from dailypapers.models import Digest, Edition, Paper, RunReport
from dailypapers.pipeline import Finish, Job
from dailypapers.publish.base import PublishContext, publish_all
from dailypapers.publish.markdown import MarkdownPublisher
from dailypapers.store import Store
from tests.standins.hf_arxiv import HfArxivStandIn
from tests.standins.openai_server import OpenAIStandIn
from tests.standins.slack import SlackStandIn
from tests.test_daily_run import add_day
from tests.test_pipeline import SPEC, FakeFetcher, FakeSummarizer, papers

DAY = dt.date(2025, 5, 6)
EDITION = Edition(day=DAY, source="hf", lang=SPEC.lang)


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "p.db") as s:
        yield s


async def run_day(store: Store, ps: list[Paper], summarizer: FakeSummarizer, *, inputs: str = "settings",
                  fetcher: FakeFetcher | None = None, settled: bool = True, events: Events | None = None,
                  **kw: Any) -> tuple[Digest, RunReport]:
    """One run of the day with the Markdown publisher, as `api` runs it."""
    settings = Settings(db=store.path, out_dir=store.path.parent / "digests")
    context = PublishContext(settings=settings)
    events = events or Events()
    job = Job(day=DAY, papers=tuple(ps), spec=kw.pop("spec", SPEC), **kw)
    return await pipeline.run(
        job, store=store, summarizer=summarizer, fetch=fetcher or FakeFetcher(), events=events,
        publish=lambda digest: publish_all(digest, [MarkdownPublisher()], context, events),
        finish=Finish(inputs, lambda: settled))


def markdown(store: Store) -> Path:
    return store.path.parent / "digests" / "2025" / "05" / "06.md"


async def test_an_unchanged_finished_edition_is_not_done_again(store: Store) -> None:
    ps = papers(4)
    summ = FakeSummarizer()
    first_digest, first = await run_day(store, ps, summ)
    assert not first.unchanged and len(summ.calls) == 4
    written = markdown(store).stat().st_mtime_ns
    seen: list[PaperDone] = []
    digest, again = await run_day(store, ps, summ, events=Events(lambda e: seen.append(e)
                                                                  if isinstance(e, PaperDone) else None))
    assert again.unchanged and len(summ.calls) == 4
    assert [o.label for o in again.outcomes] == [o.label for o in first.outcomes] == ["ok"] * 4
    assert [e.outcome.paper_id for e in seen] == [p.id for p in ps]  # the progress still hears of every paper
    assert digest == first_digest and again.outputs == first.outputs
    assert markdown(store).stat().st_mtime_ns == written  # not rendered again
    assert again.run_id is not None and again.run_id != first.run_id  # the re-run is on record


async def test_a_forced_run_does_the_work_again(store: Store) -> None:
    ps = papers(2)
    summ = FakeSummarizer()
    await run_day(store, ps, summ)
    _, again = await run_day(store, ps, summ, force=True)
    assert not again.unchanged and len(summ.calls) == 4


async def test_a_new_paper_is_digested(store: Store) -> None:
    summ = FakeSummarizer()
    await run_day(store, papers(3), summ)
    digest, again = await run_day(store, papers(4), summ)
    assert not again.unchanged
    assert [c[0] for c in summ.calls[3:]] == [papers(4)[3].id]  # only the new one is summarized
    assert len(digest.entries) == 4 and papers(4)[3].id in markdown(store).read_text()


async def test_new_votes_rank_the_day_again(store: Store) -> None:
    ps = papers(3)
    summ = FakeSummarizer()
    await run_day(store, ps, summ)
    voted = [ps[0], ps[1], ps[2].model_copy(update={"upvotes": 500})]
    digest, again = await run_day(store, voted, summ)
    assert not again.unchanged and len(summ.calls) == 3
    assert digest.entries[0].paper.id == ps[2].id


async def test_other_settings_or_another_model_do_the_work_again(store: Store) -> None:
    ps = papers(2)
    await run_day(store, ps, FakeSummarizer())
    _, other_settings = await run_day(store, ps, FakeSummarizer(), inputs="show_flags=false")
    assert not other_settings.unchanged

    class OtherModel(FakeSummarizer):
        name = "another-model"

    other = OtherModel()
    _, other_model = await run_day(store, ps, other)
    assert not other_model.unchanged and len(other.calls) == 2  # another model's summaries are its own


async def test_other_labels_do_the_work_again(store: Store) -> None:
    ps = papers(2)
    summ = FakeSummarizer()
    await run_day(store, ps, summ)
    spec = work.WorkSpec(lang=SPEC.lang, labels=("A", "B", "C"), max_input_tokens=SPEC.max_input_tokens)
    _, again = await run_day(store, ps, summ, spec=spec)
    assert not again.unchanged and len(summ.calls) == 4


async def test_a_new_checker_version_checks_the_summaries_again(store: Store,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    ps = papers(2)
    summ = FakeSummarizer()
    await run_day(store, ps, summ)
    monkeypatch.setattr(pipeline, "GROUNDING_VERSION", "g-next")
    monkeypatch.setattr(work, "GROUNDING_VERSION", "g-next")
    _, again = await run_day(store, ps, summ)
    assert not again.unchanged and len(summ.calls) == 2  # checked again, not paid for again
    keys = [k for k in store.digest_summary_keys(EDITION).values() if k is not None]
    assert {s.grounding for s in store.get_summaries(keys).values()} == {"g-next"}
    _, third = await run_day(store, ps, summ)
    assert third.unchanged


async def test_a_paper_that_failed_is_tried_again(store: Store) -> None:
    ps = papers(3)
    summ = FakeSummarizer(fail={ps[1].id})
    _, first = await run_day(store, ps, summ)
    assert [o.status for o in first.outcomes] == ["ok", "failed", "ok"]
    summ.fail.clear()
    _, again = await run_day(store, ps, summ)
    assert not again.unchanged and [o.status for o in again.outcomes] == ["ok"] * 3
    _, third = await run_day(store, ps, summ)
    assert third.unchanged


async def test_a_run_that_left_something_undone_is_not_finished(store: Store) -> None:
    ps = papers(2)
    summ = FakeSummarizer()
    await run_day(store, ps, summ, settled=False)  # e.g. the synthesis could not be made
    _, again = await run_day(store, ps, summ)
    assert not again.unchanged


async def test_an_edited_or_deleted_output_is_written_again(store: Store) -> None:
    ps = papers(2)
    summ = FakeSummarizer()
    await run_day(store, ps, summ)
    path = markdown(store)
    original = path.read_text()
    path.write_text(original + "\nmy own line\n")
    _, edited = await run_day(store, ps, summ)
    assert not edited.unchanged and path.read_text() == original
    path.unlink()
    _, deleted = await run_day(store, ps, summ)
    assert not deleted.unchanged and path.read_text() == original
    _, third = await run_day(store, ps, summ)
    assert third.unchanged


async def test_an_edition_another_writer_changed_is_done_again(store: Store) -> None:
    ps = papers(2)
    summ = FakeSummarizer()
    await run_day(store, ps, summ)
    store.upsert_paper(ps[0].model_copy(update={"title": "A corrected title"}))  # e.g. a refresh or an import
    digest, again = await run_day(store, ps, summ)
    # the listing puts back its own title: what the stored edition held differed, so the work was done
    assert not again.unchanged and digest.entries[0].paper.title == ps[0].title
    assert "A corrected title" not in markdown(store).read_text()


async def test_a_run_without_finish_records_nothing(store: Store) -> None:
    ps = papers(2)
    summ = FakeSummarizer()
    job = Job(day=DAY, papers=tuple(ps), spec=SPEC)
    await pipeline.run(job, store=store, summarizer=summ, fetch=FakeFetcher())
    assert store.finished_edition(EDITION) is None


# -- through the library, with the stand-ins --------------------------------------------------------------
@pytest.fixture
def llm_settings(tmp_path: Path, hf_arxiv: HfArxivStandIn, openai_standin: OpenAIStandIn) -> Settings:
    return Settings(db=tmp_path / "r.db", out_dir=tmp_path / "digests", llm_base_url=openai_standin.base_url,
                    llm_model="standin-model", llm_api_key="sk-test", refresh_days=0, **hf_arxiv.settings_kwargs())


def test_a_re_run_asks_the_model_nothing_and_another_model_or_language_does_the_work(
        llm_settings: Settings, hf_arxiv: HfArxivStandIn, openai_standin: OpenAIStandIn) -> None:
    add_day(hf_arxiv, dt.date(2026, 6, 12), 2)
    day = dt.date(2026, 6, 12)
    _, first = build_digest(llm_settings, day)
    calls = openai_standin.calls
    assert first.succeeded and calls > 0 and not first.unchanged
    _, again = build_digest(llm_settings, day)
    assert again.unchanged and openai_standin.calls == calls
    _, shown = build_digest(llm_settings.model_copy(update={"show_flags": False}), day)
    assert not shown.unchanged and openai_standin.calls == calls  # rendered again, nothing asked
    _, english = build_digest(llm_settings, day, lang="en")
    assert not english.unchanged and openai_standin.calls > calls
    calls = openai_standin.calls
    _, model = build_digest(llm_settings.model_copy(update={"llm_model": "standin-model-2"}), day)
    assert not model.unchanged and openai_standin.calls > calls


def test_the_daily_re_run_delivers_to_a_channel_that_missed_the_edition(
        llm_settings: Settings, hf_arxiv: HfArxivStandIn, slack_api: SlackStandIn) -> None:
    day = dt.date(2026, 6, 12)
    add_day(hf_arxiv, day, 2)
    settings = Settings(**{**llm_settings.model_dump(exclude={"llm_api_key"}), **slack_api.settings_kwargs()},
                        llm_api_key="sk-test")
    build_digest(settings, day)  # the edition is finished, not delivered
    slack_api.fail("invalid_auth")  # the first post fails, and the run stops sending
    first = run(settings, day)
    assert first.editions[0].undelivered == 2 and not slack_api.posted
    second = run(settings, day)
    assert second.exit_code == 0, second.text()
    assert second.editions[0].delivered == 2 and len(slack_api.posted) == 3  # the parent and each paper
    with Store.of(settings) as store:
        assert store.runs(1)[0]["counts"] == {"ok": 2, "flagged": 0, "failed": 0, "skipped": 0}
    third = run(settings, day)
    assert third.exit_code == 0 and len(slack_api.posted) == 3  # nothing due: nothing sent again
