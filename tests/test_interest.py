"""A personal ranking (issue 18): the interest profile read from arXiv ids, BibTeX, RIS, Zotero CSV, keywords and
the web app's votes; papers scored against it (recent items weigh more), with the reasons kept; keyword filters;
an arXiv edition with rank = "interest" summarizes only its top N, in profile order."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from dailypapers.embed.profile import (
    ProfileItem,
    centered,
    keep,
    keyword_items,
    rank_by_profile,
    read_profile,
    recency_weights,
)
from dailypapers.errors import InputError, NotFoundError
from dailypapers.interest import profile, rank
from dailypapers.meaning import embed_archive
from dailypapers.models import Edition, Paper
from dailypapers.store import Store
from tests.test_meaning import D1, HashingEmbedder, build

BIB = r"""
@article{ouyang2022,
  title = {Training language models to follow instructions with {Human} Feedback},
  abstract = {We fine-tune with reward models.},
  year = {2022}, eprint = {2203.02155}, archivePrefix = {arXiv}
}
@inproceedings{broken, year = {2020}}
"""
RIS = ("TY  - JOUR\nTI  - Diffusion for proteins\nAB  - Backbones.\nPY  - 2024\n"
       "UR  - https://arxiv.org/abs/2401.00001\nER  - \n")
CSV = ('"Key","Item Type","Publication Year","Title","Abstract Note","Url","Date Added","Extra"\n'
       '"K1","preprint","2023","Sparse autoencoders","Features.","","2025-01-02 10:00:00","arXiv: 2309.08600"\n'
       '"K2","journalArticle","2019","An old one","","","","" \n')


def test_profiles_are_read_from_ids_bibtex_ris_and_zotero_csv() -> None:
    ids = read_profile("mine.txt", "2505.02707  # a comment\n\nhttps://arxiv.org/abs/2203.02155v2\n")
    assert [i.paper_id for i in ids] == ["2505.02707", "2203.02155"] and all(not i.text for i in ids)
    with pytest.raises(InputError, match="line 2"):
        read_profile("mine.txt", "2505.02707\nnot an id\n")
    bib = read_profile("lib.bib", BIB)
    assert [(i.label, i.paper_id, i.added) for i in bib] == [
        ("Training language models to follow instructions with Human Feedback", "2203.02155", dt.date(2022, 1, 1))]
    assert "reward models" in bib[0].text
    ris = read_profile("lib.ris", RIS)
    assert [(i.label, i.paper_id) for i in ris] == [("Diffusion for proteins", "2401.00001")]
    csv = read_profile("zotero.csv", CSV)
    assert [(i.label, i.paper_id, i.added) for i in csv] == [
        ("Sparse autoencoders", "2309.08600", dt.date(2025, 1, 2)), ("An old one", None, dt.date(2019, 1, 1))]
    with pytest.raises(InputError, match=r"\.bib"):
        read_profile("lib.docx", "")
    assert [(i.label, i.sign) for i in keyword_items(["reward model", " -robotics ", "-", ""])] == [
        ("reward model", 1), ("robotics", -1)]
    assert all(i.keyword for i in keyword_items(["x"]))


def test_recent_items_weigh_more_and_the_weights_sum_to_one() -> None:
    items = [ProfileItem("old", "a", added=dt.date(2020, 1, 1)), ProfileItem("new", "b", added=dt.date(2025, 1, 1)),
             ProfileItem("undated", "c")]
    w = recency_weights(items)
    assert w.sum() == pytest.approx(1.0)
    assert w[1] > w[0] > w[2]


def test_papers_rank_by_their_similarity_to_liked_items_less_disliked_ones() -> None:
    e = np.eye(3, dtype=np.float32)
    items = [ProfileItem("liked", "x"), ProfileItem("disliked", "y", sign=-1)]
    choices = rank_by_profile(["a", "b", "c"], np.vstack([e[2], e[0], e[1]]), items, np.vstack([e[0], e[1]]))
    assert [c.paper_id for c in choices] == ["b", "a", "c"]  # near liked, neither, near disliked
    assert choices[0].score == pytest.approx(1.0) and choices[-1].score == pytest.approx(-1.0)
    assert choices[0].reasons == ("liked",)  # the nearest liked items, never a disliked one


def test_the_papers_common_direction_is_taken_away_before_comparing() -> None:
    common = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    rows = np.array([[0.9, 0.1, 0.0], [0.9, 0.0, 0.1]], dtype=np.float32)
    moved = centered(rows, common * 0.9)
    assert np.allclose(moved, [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])  # what is left: what sets them apart
    assert centered(rows, None) is not None and np.allclose(centered(rows, None), rows)
    # uncentered, the generic paper (mostly the common direction) wins; centered, the one on the liked topic
    liked = np.array([[0.95, 0.31, 0.0]], dtype=np.float32)
    papers = np.array([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0], [0.6, 0.0, 0.8]], dtype=np.float32)
    items = [ProfileItem("topic", "t")]
    assert rank_by_profile(["generic", "topic", "other"], papers, items, liked)[0].paper_id == "generic"
    center = np.array([0.9, 0.0, 0.0], dtype=np.float32)
    assert rank_by_profile(["generic", "topic", "other"], papers, items, liked, center)[0].paper_id == "topic"


def test_include_and_exclude_keywords_filter_by_title_and_abstract() -> None:
    papers = [Paper(id="2603.00001", title="Agents that plan", abstract="Tool use."),
              Paper(id="2603.00002", title="A reagent study", abstract="Chemistry."),
              Paper(id="2603.00003", title="Robot agents", abstract="Robotics for agents.")]
    assert [p.id for p in keep(papers, include=["agent"])] == ["2603.00001", "2603.00003"]  # not "reagent"
    assert [p.id for p in keep(papers, include=["AGENT"], exclude=["robotics"])] == ["2603.00001"]
    assert keep(papers) == papers


def test_votes_are_kept_in_the_archive_and_join_the_profile(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    build(db)
    with Store(db) as store:
        store.set_vote("2603.00001", 1)
        store.set_vote("2603.00002", -1)
        store.set_vote("2603.00002", 0)  # taken back
        store.set_vote("2603.00003", -1)
        assert store.vote_of("2603.00001") == 1 and store.vote_of("2603.00002") == 0
        with pytest.raises(InputError):
            store.set_vote("2603.00001", 2)
        with pytest.raises(NotFoundError):
            store.set_vote("2699.00001", 1)
        items = profile(store, keywords=["-robotics"])
        assert {(i.paper_id, i.sign) for i in items} == {(None, -1), ("2603.00001", 1), ("2603.00003", -1)}


def test_a_day_ranks_by_interest_with_reasons_and_keeps_them(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    build(db)
    fake = HashingEmbedder()
    day = [Paper(id=f"2604.0000{i}", title=t, abstract=a) for i, (t, a) in enumerate([
        ("Speculative decoding at scale", "Draft models propose tokens."),
        ("Reward models under overoptimization", "Human preference pairs and RLHF reward models."),
        ("Protein backbone diffusion", "Diffusion models for protein design."),
        ("Reward hacking in RLHF", "Reward models are gamed during RLHF."),
    ])]
    with Store(db) as store:
        embed_archive(store, fake)
        store.set_vote("2603.00001", 1)  # the reward-model paper, 👍
        items = profile(store, keywords=["-protein"])
        chosen, choices = rank(store, fake, day, items, top=2)
        assert {p.id for p in chosen} == {"2604.00001", "2604.00003"}
        assert [c.paper_id for c in choices] == [p.id for p in chosen]
        assert choices[0].reasons == ("Reward Models for Reinforcement Learning from Human Feedback",)
        edition = Edition(day=D1, source="arxiv:cs.CL", lang="ko")
        store.save_choices(edition, choices)
        assert store.choices(edition)[chosen[0].id] == choices[0]
        with pytest.raises(InputError, match="needs a profile"):
            rank(store, fake, day, keyword_items(["-protein"]), top=2)
        with pytest.raises(InputError, match="embedder"):
            rank(store, None, day, items, top=2)


@pytest.mark.slow  # the arXiv stand-in, PDFs read in full
def test_an_arxiv_edition_ranked_by_interest_summarizes_only_its_top_papers(standin_settings, hf_arxiv,
                                                                            tmp_path: Path) -> None:
    import asyncio
    import dataclasses

    from dailypapers.api import abuild_digest
    from dailypapers.plugins import plugin_manager
    from dailypapers.sources.arxiv import announcement_window
    from tests.papergen import make_paper
    from tests.test_meaning import FakePlugin

    day = dt.date(2026, 6, 12)
    window = announcement_window(day)
    assert window is not None
    topics = {"reward": ("Reward models for RLHF preference {}", "Reward models trained on preference pairs."),
              "protein": ("Protein diffusion design {}", "Diffusion models generate protein backbones.")}
    for i in range(12):
        title, abstract = topics["reward" if i % 3 == 0 else "protein"]
        synth = dataclasses.replace(make_paper(f"2606.{i:05d}", pages=1), title=title.format(i), abstract=abstract)
        hf_arxiv.add_paper(synth, day=day, category="cs.CL", published=window[0] + dt.timedelta(minutes=i))
    pm = plugin_manager(entry_points=False)
    pm.register(FakePlugin(HashingEmbedder()), "fake-embedder")
    settings = standin_settings.model_copy(update={
        "embedder": "fake", "summarizer": "extractive", "publishers": [], "profile_keywords": ["reward models"],
        "exclude": ["Protein diffusion design 1"]})  # 2606.00001
    digest, report = asyncio.run(abuild_digest(settings, day, source="arxiv:cs.CL", limit=3, rank="interest",
                                               plugins=pm))
    assert digest is not None, report
    ids = [e.paper.id for e in digest.entries]
    assert len(ids) == 3 and len(report.outcomes) == 3  # only the top 3 were summarized
    assert set(ids) <= {"2606.00000", "2606.00003", "2606.00006", "2606.00009"}  # the reward papers
    with Store(settings.db) as store:
        choices = store.choices(Edition(day=digest.day, source=digest.source, lang=digest.lang))
    assert set(choices) == set(ids) and all(c.reasons == ("reward models",) for c in choices.values())
    assert [choices[i].score for i in ids] == sorted((choices[i].score for i in ids), reverse=True)


async def test_votes_in_the_app_are_its_only_write_and_pages_show_why_a_paper_was_chosen(tmp_path: Path) -> None:
    import httpx
    import lxml.html

    from dailypapers.embed.profile import Choice
    from dailypapers.web import create_app

    db = tmp_path / "a.db"
    build(db)
    edition = Edition(day=D1, source="hf", lang="ko")
    with Store(db) as store:
        store.save_choices(edition, [Choice("2603.00001", 0.8, ("Reward <b>hacking</b>", "RLHF"))])
    app = create_app(db)
    good = {"origin": "http://testserver", "content-type": "application/json"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 5000)),
                                 base_url="http://testserver") as client:
        url = "/api/papers/2603.00002/vote"
        assert (await client.post(url, json={"vote": 1}, headers={"origin": "https://evil.example"})).status_code == 403
        assert (await client.post(url, json={"vote": 1})).status_code == 403  # no Origin
        assert (await client.post(url, content='{"vote": 1}', headers={**good, "content-type": "text/plain"})
                ).status_code == 415  # what a form of another site could send
        assert (await client.post(url, json={"vote": 1}, headers={**good, "sec-fetch-site": "cross-site"})
                ).status_code == 403
        assert (await client.post(url, content='{"vote": 5}', headers=good)).status_code == 422
        assert (await client.post("/api/papers/2699.00001/vote", content='{"vote": 1}', headers=good)
                ).status_code == 404
        answer = await client.post(url, content='{"vote": -1}', headers=good)
        assert answer.status_code == 200 and answer.json() == {"vote": -1}
        info = (await client.get("/api/papers/2603.00002")).json()
        assert info["vote"] == -1
        page = lxml.html.fromstring((await client.get("/" + info["html"].lstrip("/"))).text)
        assert page.cssselect("p.vote")[0].get("data-vote") == "-1"
        chosen = (await client.get("/api/papers/2603.00001")).json()["editions"][0]
        assert chosen["chosen_for"] == ["Reward <b>hacking</b>", "RLHF"] and chosen["interest_score"] == 0.8
        day = (await client.get("/editions/hf/ko/2026-03-02.html")).text
        assert "Chosen for you: near <q>Reward &lt;b&gt;hacking&lt;/b&gt;</q>, <q>RLHF</q>" in day  # escaped
    far = create_app(db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=far, client=("192.0.2.7", 5000)),
                                 base_url="http://testserver") as client:
        refused = await client.post("/api/papers/2603.00002/vote", content='{"vote": 1}', headers=good)
        assert refused.status_code == 403
    with Store(db) as store:
        assert store.votes()[0][:2] == ("2603.00002", -1)


@pytest.mark.slow  # the site's search index is built by a subprocess
def test_the_static_site_shows_why_a_paper_was_chosen(tmp_path: Path) -> None:
    from dailypapers.embed.profile import Choice
    from dailypapers.publish.site import build_site

    db = tmp_path / "a.db"
    build(db)
    with Store(db) as store:
        store.save_choices(Edition(day=D1, source="hf", lang="ko"),
                           [Choice("2603.00001", 0.8, ("Reward <b>hacking</b>", "RLHF"))])
        build_site(store, tmp_path / "site")
    html = (tmp_path / "site/editions/hf/ko/2026-03-02.html").read_text()
    assert "Chosen for you: near <q>Reward &lt;b&gt;hacking&lt;/b&gt;</q>" in html
    assert 'class="vote"' not in (tmp_path / "site/papers/2603.00002.html").read_text()  # the site cannot write


async def test_the_daily_run_passes_each_editions_rank_top_and_filters(tmp_path: Path, monkeypatch) -> None:
    from dailypapers import api, pipeline
    from dailypapers.config import EditionSetting, Settings

    seen: dict[str, object] = {}

    async def fake_digest(settings, day, **kw):  # type: ignore[no-untyped-def]
        seen.update(kw)
        return None, None

    monkeypatch.setattr(api, "abuild_digest", fake_digest)
    spec = EditionSetting(source="arxiv:cs.CL", lang="ko", rank="interest", top=20, exclude=["robotics"])
    plan = api._DailyPlan(None, None, Settings(db=tmp_path / "a.db"), None, None, [], [],  # type: ignore[arg-type]
                          limit=None, force=False, command="run", specs=[spec])
    await plan.digest(None, pipeline.DailyEdition("arxiv:cs.CL", "arxiv:cs.CL", "ko"), pipeline.Caps())
    assert (seen["rank"], seen["limit"], seen["include"], seen["exclude"]) == ("interest", 20, None, ["robotics"])
    await plan.digest(None, pipeline.DailyEdition("hf", "hf", "ko"), pipeline.Caps())
    assert (seen["rank"], seen["limit"]) == (None, None)  # an edition without keys: the settings' own
