"""A run embeds each paper as its summary comes, while the others are still being summarized (issue 24): the
vectors, and the texts they are keyed by, are those `embed_archive` makes after the run; a failure along the
way is a notice, and the run's catch-up embeds what is left. A fake embedder registered through the plug-in
manager, and summarizers registered the same way, on the shelf source of tests/test_plugins.py."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from dailypapers import build_digest, hookimpl
from dailypapers.config import Settings
from dailypapers.embed.base import Embedder
from dailypapers.events import Events, Notice
from dailypapers.meaning import embed_archive
from dailypapers.models import Paper, Section, Summary, Usage
from dailypapers.plugins import plugin_manager
from dailypapers.store import Store
from dailypapers.summarize.base import SummarizerPlugin, SummaryResult
from tests.test_meaning import FakePlugin, HashingEmbedder
from tests.test_plugins import ThirdParty

WAIT_BOUND_S = 30.0  # how long the last paper's summary waits for the first paper's vector (a bound, not a timing)


def stored_vectors(store: Store, model: str) -> dict[str, tuple[str, bytes]]:
    rows = store.db.execute("select paper_id, text_key, vector from embeddings where model = ? order by paper_id",
                            [model]).fetchall()
    return {pid: (key, bytes(vector)) for pid, key, vector in rows}


def plain_vectors(path: Path, model: str, embedder: Embedder | None = None) -> dict[str, tuple[str, bytes]]:
    """What `embed_archive` alone stores for the archive as it is (with `embedder`, else a fresh fake model), on
    a copy without vectors."""
    copy = path.with_name("plain-" + path.name)
    with Store(path) as store:
        store.db.execute("vacuum into ?", [str(copy)])
    with Store(copy) as store:
        store.db.execute("delete from embeddings")
        store.db.conn.commit()
        embed_archive(store, embedder or HashingEmbedder())
        found = stored_vectors(store, model)
    copy.unlink()
    return found


class WordySummarizer:
    """Summaries that name their language and a word (changed between runs to change the summaries)."""

    name = "wordy"
    prompt_version = "wordy-1"

    def __init__(self, word: str = "lamp") -> None:
        self.word = word

    async def summarize(self, paper: Paper, text: str, *, lang: str, labels: Sequence[str],
                        feedback: Sequence[str] = ()) -> SummaryResult:
        sections = tuple(Section(label=label, text=f"{lang}: a {self.word} log for keepers") for label in labels)
        return SummaryResult(Summary(paper_id=paper.id, lang=lang, sections=sections, model=self.name,
                                     prompt_version=self.prompt_version), Usage(calls=1))


class WaitingSummarizer(WordySummarizer):
    """The last shelf paper's summary is held until the first paper's vector is in the archive (seen through a
    connection of its own), for at most WAIT_BOUND_S: `seen` says whether it came while this one was pending."""

    def __init__(self, db: Path, model: str) -> None:
        super().__init__()
        self.db, self.model = db, model
        self.seen: bool | None = None

    async def summarize(self, paper: Paper, text: str, *, lang: str, labels: Sequence[str],
                        feedback: Sequence[str] = ()) -> SummaryResult:
        if paper.title == "Shelf paper 2":
            self.seen = False
            for _ in range(int(WAIT_BOUND_S / 0.02)):
                with Store(self.db, readonly=True) as store:
                    if store.paper_vector(self.model, "local:shelf00000000") is not None:
                        self.seen = True
                        break
                await asyncio.sleep(0.02)
        return await super().summarize(paper, text, lang=lang, labels=labels, feedback=feedback)


class Summarizers:
    def __init__(self, made: WordySummarizer) -> None:
        self.made = made

    @hookimpl
    def register_summarizers(self, register) -> None:
        register(SummarizerPlugin(self.made.name, "a test's summarizer", lambda settings: self.made))


class RecordingEmbedder(HashingEmbedder):
    """The fake model, noting the thread each text was embedded in."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: list[str] = []

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        if not query:
            self.threads.extend(threading.current_thread().name for _ in texts)
        return super().embed(texts, query=query)


class FlakyEmbedder(HashingEmbedder):
    """Fails its first call (a crash of the model, not an EmbedError), then works."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("the model crashed")
        return super().embed(texts, query=query)


def manager(summarizer: WordySummarizer, embedder: HashingEmbedder):
    pm = plugin_manager(entry_points=False)
    pm.register(ThirdParty(), "third-party")
    pm.register(Summarizers(summarizer), "summarizers")
    pm.register(FakePlugin(embedder), "fake-embedder")
    return pm


def settings_for(tmp_path: Path, summarizer: str, **more: object) -> Settings:
    return Settings(db=tmp_path / "p.db", summarizer=summarizer, publishers=["markdown"], out_dir=tmp_path / "d",
                    embedder="fake", concurrency=3, **more)


def test_a_paper_is_embedded_while_another_is_still_summarized(tmp_path: Path) -> None:
    fake = RecordingEmbedder()
    settings = settings_for(tmp_path, "wordy")
    waiting = WaitingSummarizer(settings.db, fake.model)
    digest, report = build_digest(settings, source="shelf:north", plugins=manager(waiting, fake))
    assert digest is not None and report.counts()["ok"] == 3
    assert waiting.seen is True  # the first paper's vector was stored before the last paper's summary came
    assert fake.threads[0].startswith("dailypapers-embed")  # off the event loop's thread
    assert len(fake.embedded) == 3 == len(set(fake.embedded))  # each paper once: the catch-up had nothing left
    with Store(settings.db) as store:
        assert store.pending_embeddings(fake.model) == []
        along = stored_vectors(store, fake.model)
    assert along == plain_vectors(settings.db, fake.model) and len(along) == 3


def test_the_vectors_are_those_of_embed_archive_over_editions_and_changed_summaries(tmp_path: Path) -> None:
    """A paper's text holds the summaries of all its editions: the Korean edition, then the English one of the
    same day (each paper now shows both), then the Korean one again with new summaries (the old ones replaced)."""
    fake = HashingEmbedder()
    wordy = WordySummarizer()
    pm = manager(wordy, fake)
    settings = settings_for(tmp_path, "wordy")
    runs = [({"lang": "ko"}, False), ({"lang": "en"}, False), ({"lang": "ko"}, True)]
    for number, (edition, force) in enumerate(runs):
        if force:
            wordy.word = "harbour"
        fake.embedded.clear()
        digest, report = build_digest(settings, source="shelf:north", plugins=pm, force=force, **edition)
        assert digest is not None and report.counts()["ok"] == 3
        # three texts changed, each embedded once: what was embedded along the run was the text kept
        assert len(fake.embedded) == 3 == len(set(fake.embedded)), number
        assert all(("en: a" in t) == (number > 0) and ("harbour" in t) == (number == 2) for t in fake.embedded)
        with Store(settings.db) as store:
            assert store.pending_embeddings(fake.model) == []
            along = stored_vectors(store, fake.model)
        assert along == plain_vectors(settings.db, fake.model), number
    fake.embedded.clear()
    build_digest(settings, source="shelf:north", plugins=pm, lang="ko")  # a finished day: nothing embedded
    assert fake.embedded == []


def test_a_failure_along_the_run_is_a_notice_and_the_catch_up_embeds_the_rest(tmp_path: Path) -> None:
    flaky = FlakyEmbedder()
    settings = settings_for(tmp_path, "wordy")
    notices: list[str] = []
    events = Events(lambda e: notices.append(e.message) if isinstance(e, Notice) else None)
    digest, report = build_digest(settings, source="shelf:north", plugins=manager(WordySummarizer(), flaky),
                                  events=events)
    assert digest is not None and report.counts()["ok"] == 3 and report.publish_errors == ()
    assert [n for n in notices if "not embedded" in n] == [
        "papers not embedded during the run (the model crashed): the rest are embedded as it publishes"]
    with Store(settings.db) as store:
        assert store.embedded_count(flaky.model) == 3 and store.pending_embeddings(flaky.model) == []
        assert stored_vectors(store, flaky.model) == plain_vectors(settings.db, flaky.model)


@pytest.mark.parametrize("embedder", ["off"])
def test_without_an_embedder_a_run_embeds_nothing(tmp_path: Path, embedder: str) -> None:
    fake = RecordingEmbedder()
    settings = settings_for(tmp_path, "wordy").model_copy(update={"embedder": embedder})
    digest, report = build_digest(settings, source="shelf:north", plugins=manager(WordySummarizer(), fake))
    assert digest is not None and report.counts()["ok"] == 3
    assert fake.embedded == []
    with Store(settings.db) as store:
        assert not store.has_embeddings()


@pytest.mark.slow  # a stand-in server on loopback
def test_the_remote_embedder_embeds_along_the_run_the_same(tmp_path: Path) -> None:
    """`embedder = "openai"` against the stand-in `/v1/embeddings`: the vectors the run stored are those a plain
    `embed_archive` stores with the same server."""
    from dailypapers.embed.remote import RemoteEmbedder
    from tests.standins.openai_server import OpenAIStandIn

    with OpenAIStandIn() as server:
        settings = settings_for(tmp_path, "wordy").model_copy(update={
            "embedder": "openai", "embed_base_url": server.base_url, "embed_model": "standin-embed"})
        pm = plugin_manager(entry_points=False)
        pm.register(ThirdParty(), "third-party")
        pm.register(Summarizers(WordySummarizer()), "summarizers")
        digest, report = build_digest(settings, source="shelf:north", plugins=pm)
        assert digest is not None and report.counts()["ok"] == 3
        model = "openai:standin-embed"
        embedded = [t for r in server.embedding_requests() for t in r.json()["input"]]
        assert len(embedded) == 3 == len(set(embedded))  # each paper once
        with Store(settings.db) as store:
            assert store.pending_embeddings(model) == []
            along = stored_vectors(store, model)
        plain = plain_vectors(settings.db, model, RemoteEmbedder(server.base_url, "standin-embed", None, 10.0))
        assert along == plain and len(along) == 3
