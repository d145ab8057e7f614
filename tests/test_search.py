"""Search: the CJK-aware index (1-2 character Korean words, compounds, `3D`), ranking, snippets, upkeep, CLI."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from dailypapers.cli import app
from dailypapers.models import Digest, Edition, Entry, Paper, Section, Summary
from dailypapers.search import Term, expand_cjk, index_text, parse_query, snippet, split_compounds
from dailypapers.store import Store

D1, D2 = dt.date(2025, 5, 5), dt.date(2025, 5, 6)


def entry(pid: str, title: str, text: str, *, lang: str = "ko", authors: tuple[str, ...] = ("Mina Park",),
          votes: int = 1) -> Entry:
    return Entry(paper=Paper(id=pid, title=title, authors=authors, upvotes=votes),
                 summary=Summary(paper_id=pid, lang=lang, sections=(Section(label="What's New", text=text),)))


def archive(store: Store) -> None:
    store.import_digest(Digest(day=D1, entries=(
        entry("2505.00001", "Lantern Routing for Sparse Experts", "강화학습은 대규모 언어 모델을 개선합니다."),
        entry("2505.00002", "Origami Transformers", "이 모델은 3D 장면을 생성합니다.", authors=("Kofi Lind",)),
    )))
    store.import_digest(Digest(day=D2, entries=(
        entry("2505.00003", "RM-R1: Reward Modeling as Reasoning", "보상 모델(Reward Model) 학습 방법을 제안합니다."),
        entry("2505.00004", "Kettle Memory", "A memory for agents in 3D worlds.", lang="en"),
    )))


def test_short_korean_words_compounds_and_3d_are_found(db_path: Path) -> None:
    with Store(db_path) as store:
        archive(store)
        assert set(store.search_ids("모델")) == {"2505.00001", "2505.00002", "2505.00003"}  # 모델을, 모델은, 모델(
        assert set(store.search_ids("학습")) == {"2505.00001", "2505.00003"}  # inside the compound 강화학습
        assert store.search_ids("강화학습은") == ["2505.00001"]
        assert set(store.search_ids("3D")) == {"2505.00002", "2505.00004"}
        assert store.search_ids("생") == ["2505.00002"]  # one character: 생성합니다
        assert store.search_ids("다") == ["2505.00003", "2505.00002", "2505.00001"]  # newest first
        assert store.search_ids("모델 3D") == ["2505.00002"]  # every word must occur
        assert store.search_ids("transform") == ["2505.00002"]  # a Latin word matches from its start
        assert store.search_ids("RM-R1") == ["2505.00003"]
        assert set(store.search_ids("Park")) == {"2505.00001", "2505.00003", "2505.00004"}
        assert store.search_ids("former") == []  # ... not from its middle
        assert store.search_ids("3") == []  # short Latin words match whole words only
        assert store.search_ids('"모델" OR (NEAR *') == []  # user text is never FTS syntax
        assert store.search_ids("   ") == []


def test_ranking_prefers_titles_and_snippets_mark_the_words(db_path: Path) -> None:
    with Store(db_path) as store:
        archive(store)
        store.import_digest(Digest(day=D2, source="arxiv:cs.CL", lang="en", entries=(
            entry("2505.00009", "Memory Kettles", "Memory, memory and more memory in a kettle.", lang="en"),)))
        hits = store.search("memory", sort="rank")
        assert [h.paper_id for h in hits] == ["2505.00009", "2505.00004"]
        assert hits[0].score <= hits[1].score
        first = hits[0]
        assert [t for t, m in first.title.segments() if m] == ["Memory"]
        assert first.snippet is not None and first.snippet_lang == "en"
        assert [t for t, m in first.snippet.segments() if m] == ["Memory", "memory", "memory"]
        ko = store.search("학습", lang="ko")[0]
        assert ko.snippet is not None and "".join(t for t, m in ko.snippet.segments() if m) == "학습"
        assert json.loads(json.dumps(ko.to_json()))["snippet_highlights"]


def test_the_index_follows_changes(db_path: Path) -> None:
    with Store(db_path) as store:
        archive(store)
        assert store.search_ids("Kettle") == ["2505.00004"]
        # a new summary replaces the edition's (asked for: import keeps what is stored unless told to replace)
        store.import_digest(Digest(day=D2, entries=(
            entry("2505.00003", "RM-R1: Reward Modeling as Reasoning", "추론 기반 보상 모델."),)), replace=True)
        assert store.search_ids("학습") == ["2505.00001"]
        assert store.search_ids("추론") == ["2505.00003"]
        assert store.search_ids("Kettle") == []  # no longer in any edition
        # a paper renamed in place
        store.upsert_paper(Paper(id="2505.00001", title="Lighthouse Routing", authors=("Mina Park",)))
        assert store.search_ids("Lighthouse") == ["2505.00001"]
        assert store.search_ids("Lantern") == []
        # a summary saved again under its key
        digest = store.get_digest(Edition(day=D1))
        assert digest is not None
        key = store.digest_summary_keys(Edition(day=D1))["2505.00002"]
        assert key is not None
        summary = digest.entries[1].summary
        assert summary is not None
        store.save_summary(summary.model_copy(update={"sections": (Section(label="x", text="완전히 새 문장"),)}), key)
        assert store.search_ids("문장") == ["2505.00002"]
        assert store.search_ids("장면") == []
        store.db.execute("insert into search_fts(search_fts) values ('integrity-check')")


def test_a_paper_in_a_newer_edition_moves_up(db_path: Path) -> None:
    with Store(db_path) as store:
        archive(store)
        assert store.search_ids("모델")[-1] == "2505.00001"
        store.import_digest(Digest(day=dt.date(2025, 5, 7), entries=(
            entry("2505.00001", "Lantern Routing for Sparse Experts", "강화학습은 대규모 언어 모델을 개선합니다."),)))
        assert store.search_ids("모델")[0] == "2505.00001"


# -- the same words, found exactly: a property against a plain substring oracle ------------------------
_HANGUL = "가나다라모델학습"
_docs = st.lists(st.text(alphabet=_HANGUL + " ab", min_size=1, max_size=30), min_size=1, max_size=6)


@pytest.mark.slow  # a large generated archive: seconds
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=_docs, data=st.data())
def test_a_korean_query_finds_exactly_the_papers_that_contain_it(tmp_path_factory, texts, data) -> None:
    db = tmp_path_factory.mktemp("prop") / "p.db"
    with Store(db) as store:
        store.import_digest(Digest(day=D1, entries=tuple(
            entry(f"2505.{i:05d}", f"T{i}", text) for i, text in enumerate(texts))))
        source = data.draw(st.sampled_from(texts))
        words = re.findall(f"[{_HANGUL}]+", source)
        if not words:
            return
        word = data.draw(st.sampled_from(words))
        start = data.draw(st.integers(0, len(word) - 1))
        query = word[start : data.draw(st.integers(start + 1, len(word)))]
        # a compound the analyzer splits (모델학습) is its nouns, each of which must occur
        pieces = split_compounds(query).split()
        expected = {f"2505.{i:05d}" for i, text in enumerate(texts) if all(p in text for p in pieces)}
        assert set(store.search_ids(query, limit=100)) == expected


def test_text_for_the_index_and_for_pagefind() -> None:
    assert index_text("강화학습은 RL") == " 강화 화학 학습 습은 은  RL"
    assert expand_cjk("강화학습은 Voila는") == "화학습은 학습은 습은 은 는"
    assert expand_cjk("강화 학습, 보상 Reward 모델") == "화 습 상 델 강화학습"  # two Korean words also as one
    terms = parse_query("모델 3D 강화학습 모 RM-R1 Voila는")
    assert [t.fts() for t in terms] == ['"모델"', '"3D"', '"강화"', '"학습"', 'chars : "모"', '"RM R1"',
                                        '"Voila 는" *']


def test_korean_compounds_are_split_between_their_nouns() -> None:
    assert split_compounds("강화학습") == split_compounds("강화 학습") == "강화 학습"
    assert split_compounds("강화학습은 보상모델") == "강화 학습은 보상 모델"  # a particle stays on its noun
    assert split_compounds("대규모 트랜스포머") == "대규모 트랜스포머"  # one-syllable nouns, loanwords: as typed
    assert split_compounds("RLHF reward") == "RLHF reward"


SPACING = (
    entry("2505.00011", "Joined", "강화학습으로 에이전트를 훈련합니다."),
    entry("2505.00012", "Spaced", "강화 학습으로 에이전트를 훈련합니다."),
    entry("2505.00013", "Apart", "학습 데이터를 강화합니다."),  # both nouns, not as a compound
    entry("2505.00014", "Neither", "보상 모델을 제안합니다."),
)


def test_korean_spacing_finds_the_same_papers_in_the_cli_and_the_api(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with Store(db) as store:
        store.import_digest(Digest(day=D1, entries=SPACING))
        for query in ("강화학습", "강화 학습"):
            assert set(store.search_ids(query)) == {"2505.00011", "2505.00012", "2505.00013"}, query
    runner = CliRunner()
    found = {}
    for query in ("강화학습", "강화 학습", "강화학습으로"):
        out = runner.invoke(app, ["--db", str(db), "search", query, "--json", "--mode", "words"])
        assert out.exit_code == 0, out.output
        found[query] = {h["paper_id"] for h in json.loads(out.output)}
    assert found["강화학습"] == found["강화 학습"] == {"2505.00011", "2505.00012", "2505.00013"}
    assert found["강화학습으로"] == {"2505.00011", "2505.00012"}  # 학습으로: as it is written in both


async def test_korean_spacing_finds_the_same_papers_in_the_api(tmp_path: Path) -> None:
    import httpx

    from dailypapers.web import create_app

    db = tmp_path / "a.db"
    with Store(db) as store:
        store.import_digest(Digest(day=D1, entries=SPACING))
    app_ = create_app(db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app_), base_url="http://testserver") as client:
        found = {}
        for query in ("강화학습", "강화 학습"):
            answer = await client.get("/api/search", params={"q": query})
            assert answer.status_code == 200
            found[query] = {h["paper_id"] for h in answer.json()}
            page = await client.get("/search.html", params={"q": query})
            assert "Joined" in page.text and "Spaced" in page.text and "Neither" not in page.text
        assert found["강화학습"] == found["강화 학습"] == {"2505.00011", "2505.00012", "2505.00013"}


def test_snippet_is_a_window_around_the_first_match() -> None:
    text = "서론 " * 80 + "핵심 모델 결과" + " 결론" * 80
    snip = snippet(text, parse_query("모델"))
    assert snip is not None
    assert snip.text.startswith("…") and snip.text.endswith("…") and len(snip.text) < 200
    assert [t for t, m in snip.segments() if m] == ["모델"]
    assert snippet("nothing here", parse_query("모델")) is None


def test_search_command(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with Store(db) as store:
        archive(store)
    runner = CliRunner()
    out = runner.invoke(app, ["--db", str(db), "search", "학습", "--json", "--limit", "5", "--sort", "rank"])
    assert out.exit_code == 0, out.output
    hits = json.loads(out.output)
    assert [h["paper_id"] for h in hits] == ["2505.00003", "2505.00001"]
    h = hits[0]
    assert [h["snippet"][a:b] for a, b in h["snippet_highlights"]] == ["학습"]
    out = runner.invoke(app, ["--db", str(db), "search", "모델", "--sort", "newest"])
    assert out.exit_code == 0, out.output
    assert out.output.index("RM-R1") < out.output.index("Lantern")
    out = runner.invoke(app, ["--db", str(db), "search", "zzzz"])
    assert out.exit_code == 0 and "no paper matches" in out.output


# -- `rank` scores the window itself: the same scores as FTS5's bm25() -----------------------------------
def _fts5_bm25(store: Store, query: str) -> list[tuple[str, float]]:
    """The ranking before: FTS5's own bm25() over the newest RANK_WINDOW matches (the oracle)."""
    from dailypapers.search import RANK_WINDOW, WEIGHTS, match_expression

    weights = ", ".join(str(w) for w in WEIGHTS)
    if not parse_query(query):
        return []
    window = store.db.execute(
        f"select d.paper_id, bm25(search_fts, {weights}), f.rowid from search_fts f join search_docs d on "
        "d.id = f.rowid where search_fts match ? order by f.rowid desc limit ?",
        [match_expression(parse_query(query)), RANK_WINDOW]).fetchall()
    return [(pid, score) for pid, score, _ in sorted(window, key=lambda r: (r[1], -r[2]))]


def _scored_here(store: Store, query: str) -> list[tuple[str, float]]:
    """The window scored by the store itself (what `rank` does when bm25() would count long), with the IDF
    and average length bm25() uses: exact here, where every phrase is in fewer than IDF_SAMPLE rows."""
    from dailypapers.search import RANK_WINDOW, fts5_varints, idf, match_expression

    terms = parse_query(query)
    if not terms:
        return []
    rows, *totals = fts5_varints(store.db.execute("select block from search_fts_data where id = 1").fetchone()[0])
    idfs = [idf(rows, store._phrase_rows(t.fts(), rows)) for t in terms]
    ids = [r[0] for r in store.db.execute("select rowid from search_fts where search_fts match ? order by rowid desc "
                                          "limit ?", [match_expression(terms), RANK_WINDOW])]
    scored = store._scored_window(terms, ids, idfs, sum(totals) / rows)
    papers = dict(store.db.execute("select id, paper_id from search_docs").fetchall())
    return [(papers[i], score) for i, score in sorted(scored, key=lambda r: (r[1], -r[0]))]


_MIXED = st.text(alphabet="가나다모델학습하 aAbBéÉ3D-_.,'\n", min_size=1, max_size=40)


@pytest.mark.slow  # a generated archive per example: seconds
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=st.lists(st.tuples(_MIXED, _MIXED, _MIXED), min_size=1, max_size=8), data=st.data())
def test_rank_scores_every_match_as_fts5s_bm25_does(tmp_path_factory, docs, data) -> None:
    db = tmp_path_factory.mktemp("rank") / "r.db"
    with Store(db) as store:
        store.import_digest(Digest(day=D1, entries=tuple(
            entry(f"2505.{i:05d}", title or "t", text, authors=(author or "a",))
            for i, (title, text, author) in enumerate(docs))))
        title, text, author = data.draw(st.sampled_from(docs))
        words = (title + " " + text + " " + author).split()
        query = " ".join(data.draw(st.lists(st.sampled_from(words), min_size=1, max_size=3))) if words else "가"
        expected = _fts5_bm25(store, query)
        got = _scored_here(store, query)
        # the same papers in the same order, scores equal to rounding; a letter outside ASCII in another case
        # (é for É) is the one known difference: FTS5 folds it, the window's count does not
        if not any(c in query for c in "éÉ"):
            assert [p for p, _ in got] == [p for p, _ in expected]
            assert [s for _, s in got] == pytest.approx([s for _, s in expected], rel=1e-9, abs=1e-12)
        else:
            assert sorted(p for p, _ in got) == sorted(p for p, _ in expected)


def test_rank_scores_a_phrase_of_single_characters_in_the_column_of_all_of_them(db_path: Path) -> None:
    with Store(db_path) as store:
        store.import_digest(Digest(day=D1, entries=(entry("2505.00001", "가_가", "가가가 나"),
                                                    entry("2505.00002", "t", "가-가 모델"))))
        for query in ("가_가", "가-가", "가가"):
            got, expected = _scored_here(store, query), _fts5_bm25(store, query)
            assert [p for p, _ in got] == [p for p, _ in expected]
            assert [s for _, s in got] == pytest.approx([s for _, s in expected], rel=1e-9, abs=1e-12)


def test_rank_estimates_a_common_phrases_document_count_from_its_newest_matches(db_path: Path) -> None:
    from dailypapers.search import IDF_FLOOR, IDF_SAMPLE

    days = [D1 + dt.timedelta(days=d) for d in range(6)]
    with Store(db_path) as store:
        for d, day in enumerate(days):  # 모델 in every paper, 학습 in one of two
            store.import_digest(Digest(day=day, entries=tuple(
                entry(f"2505.{d * 100 + i:05d}", f"T{d}-{i}", "모델" + (" 학습" if i % 2 else ""))
                for i in range(100))))
        rows = 600
        assert store._phrase_rows('"모델"', rows) == rows  # every paper: FTS5's floor either way
        estimate = store._phrase_rows('"학습"', rows)
        assert abs(estimate - 300) <= 300 * 0.05  # half of the newest IDF_SAMPLE matches' span, of all papers
        assert store._phrase_rows('"없는"', rows) == 0
        assert IDF_SAMPLE < 300 and IDF_FLOOR < 1e-5
        # both are common: FTS5's floor for both, so the ranking is bm25()'s
        oracle = [p for p, _ in _fts5_bm25(store, "모델 학습")][:20]
        assert [p for p, _ in _scored_here(store, "모델 학습")][:20] == oracle
        assert [h.paper_id for h in store.search("모델 학습", sort="rank")] == [
            p for p, _ in _fts5_bm25(store, "모델 학습")][:20]
        # a compound in every paper: the window is scored here (bm25() would count its every match), alike
        oracle = [p for p, _ in _fts5_bm25(store, "모 학습")][:20]
        assert [h.paper_id for h in store.search("모 학습", sort="rank")] == oracle


def test_rank_scores_common_single_words_itself_in_bm25s_order(db_path: Path, monkeypatch) -> None:
    """Words found in COSTLY_WORD_ROWS papers together are scored by the store (bm25() would count their every
    match): a one-word query's order is bm25()'s whatever the estimate (its IDF scales every score alike), and
    so is the order of words in half the papers or more (FTS5's floor IDF)."""
    from dailypapers import search
    from dailypapers.store import archive as archive_module

    days = [D1 + dt.timedelta(days=d) for d in range(6)]
    with Store(db_path) as store:
        for d, day in enumerate(days):  # 모델 in every paper, 학습 in three of four, some titles with 모델 too
            store.import_digest(Digest(day=day, entries=tuple(
                entry(f"2505.{d * 100 + i:05d}", f"T{d}-{i}" + (" 모델" if i % 7 == 0 else ""),
                      "모델 " * (1 + i % 3) + "학습 " * (i % 4) + "끝" * (i % 5))
                for i in range(100))))
        scored: list[list[Term]] = []
        original = archive_module.Archive._scored_window

        def recording(self, terms, *args):
            scored.append(terms)
            return original(self, terms, *args)

        monkeypatch.setattr(archive_module.Archive, "_scored_window", recording)
        for query in ("모델", "학습", "모델 학습"):
            expected = [p for p, _ in _fts5_bm25(store, query)][:20]
            assert [h.paper_id for h in store.search(query, sort="rank")] == expected
            assert not scored  # a few hundred papers: bm25() itself
        monkeypatch.setattr(search, "COSTLY_WORD_ROWS", 100)
        for query in ("모델", "학습", "모델 학습"):
            expected = [p for p, _ in _fts5_bm25(store, query)][:20]
            assert [h.paper_id for h in store.search(query, sort="rank")] == expected
        assert len(scored) == 3  # each scored by the store


def test_a_latin_prefix_is_searched_as_the_words_it_begins(db_path: Path, monkeypatch) -> None:
    """`transform` names the index's words that begin with it (search_words) instead of FTS5's prefix query,
    which merges every match first: the same papers in both orders."""
    from dailypapers.search import match_expression

    with Store(db_path) as store:
        store.import_digest(Digest(day=D1, entries=tuple(
            entry(f"2505.{i:05d}", title, text, lang="en", authors=(author,)) for i, (title, text, author) in
            enumerate([("Transformers All the Way", "A transformer, TRANSFORMED.", "Ana Transform"),
                       ("Naïve Routing", "Caféine and transforms", "Bo Vale"),
                       ("Sparse Things", "no match here", "Transformer Lee"),
                       ("Other", "transfer learning", "Cy Sato")]))))
        assert store.prefix_words(parse_query("Transf")[0]) == ("transfer", "transform", "transformed",
                                                                  "transformer", "transformers", "transforms")
        assert store.prefix_words(parse_query("caf")[0]) == ("cafeine",)  # folded as FTS5 folds it
        assert store.prefix_words(parse_query("naï")[0]) == ()  # not ASCII: FTS5's prefix query
        assert store.prefix_words(parse_query("3D")[0]) == ()  # whole words only

        def fts5_prefix(query: str) -> list[str]:
            rows = store.db.execute("select d.paper_id from search_fts f join search_docs d on d.id = f.rowid "
                                    "where search_fts match ? order by f.rowid desc",
                                    [match_expression(parse_query(query))]).fetchall()
            return [r[0] for r in rows]

        for query in ("transform", "Transf", "caf", "naï", "transformers routing", "zzz"):
            assert store.search_ids(query) == fts5_prefix(query)
            assert sorted(store.search_ids(query)) == sorted(h.paper_id for h in store.search(query, sort="rank"))
        assert store.search_ids("transform") == ["2505.00002", "2505.00001", "2505.00000"]  # not "transfer"
        for query in ("caf", "transformers routing", "transform"):  # bm25() of the query's own phrases
            expected = _fts5_bm25(store, query)
            got = [(h.paper_id, h.score) for h in store.search(query, sort="rank")]
            assert [p for p, _ in got] == [p for p, _ in expected]
            assert [s for _, s in got] == pytest.approx([s for _, s in expected], rel=1e-12)
        monkeypatch.setattr("dailypapers.store.archive.MAX_PREFIX_WORDS", 2)  # many words: FTS5's own query
        assert store.prefix_words(parse_query("transf")[0]) == ()
        assert store.search_ids("transf") == fts5_prefix("transf")


def test_migration_023_lists_the_words_of_an_archive_indexed_before_it(db_path: Path) -> None:
    with Store(db_path) as store:
        archive(store)
        words = store.db.execute("select word from search_words order by word").fetchall()
        # the archive as the code before 023 left it: no word list, the migration not applied
        store.db.execute("drop table search_words")
        store.db.execute("delete from _sqlite_migrations where name = '023_search_words'")
        store.db.conn.commit()
    with pytest.raises(Exception, match="dailypapers migrate"), Store(db_path, readonly=True):
        pass  # a reader asks for the upgrade
    with Store(db_path) as store:  # upgrades
        assert store.db.execute("select word from search_words order by word").fetchall() == words
        assert ("lantern",) in words and ("3d",) in words and all(w[0].isascii() for (w,) in words)
        assert store.search_ids("lantern") == ["2505.00001"]
        assert store.search_ids("mem") == ["2505.00004"]


def test_a_query_of_many_words_is_searched_by_its_first_sixteen() -> None:
    from dailypapers.search import MAX_QUERY_TERMS

    words = [f"w{i}x" for i in range(40)]
    terms = parse_query(" ".join(words))
    assert [t.text for t in terms] == words[:MAX_QUERY_TERMS] and MAX_QUERY_TERMS == 16


def test_fts5_varints_reads_one_two_and_nine_byte_values() -> None:
    from dailypapers.search import fts5_varints

    # 7, 16, 312 (0x82 0x38), 0, 294 (0x82 0x26); then a ninth byte, which carries all eight bits
    assert fts5_varints(bytes([0x07, 0x10, 0x82, 0x38, 0x00, 0x82, 0x26])) == [7, 16, 312, 0, 294]
    assert fts5_varints(b"\xff" * 8 + b"\x01" + b"\x05") == [2**64 - 255, 5]
    assert fts5_varints(b"") == []
