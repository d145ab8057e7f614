"""HF Daily Papers: parsing saved responses, and fetching (paging, empty days, bad dates) via the stand-in."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from dailypapers.config import Settings
from dailypapers.errors import FetchError, InputError
from dailypapers.http import Http
from dailypapers.sources.hf_daily import PAGE_SIZE, fetch_day, parse_daily
from dailypapers.store import Store
from tests.papergen import make_paper
from tests.standins.base import Reply
from tests.standins.hf_arxiv import HfArxivStandIn, Listed, hf_item

DAY = dt.date(2026, 6, 12)


def _saved(tmp_path: Path, items: list[dict]) -> bytes:
    """Write the response to disk and read it back, as a saved capture would be."""
    path = tmp_path / "daily.json"
    path.write_bytes(json.dumps(items).encode())
    return path.read_bytes()


def test_parse_saved_response(tmp_path: Path) -> None:
    a = Listed(make_paper("2606.00001"), DAY, upvotes=5, hidden_authors=["Secret Person"],
               media=["https://cdn-uploads.huggingface.co/production/uploads/u/abc.png",
                      "https://cdn-uploads.huggingface.co/production/uploads/u/demo.MP4"])
    b = Listed(make_paper("2606.00002"), DAY, upvotes=40)
    c = Listed(make_paper("2606.00003"), DAY, upvotes=5)
    raw = json.loads(_saved(tmp_path, [hf_item(a), hf_item(b), hf_item(c), hf_item(a)]))
    papers = parse_daily(raw, day=DAY)
    assert [p.id for p in papers] == ["2606.00002", "2606.00001", "2606.00003"]  # votes desc, ties by id
    first = papers[1]
    assert first.title == a.synth.title  # the "\n  " wrap is gone
    assert "\n" not in first.title
    assert first.authors == tuple(a.synth.authors)  # order kept, hidden author skipped
    assert "Secret Person" not in first.authors
    assert first.video == "https://cdn-uploads.huggingface.co/production/uploads/u/demo.MP4"
    assert first.thumbnail == "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2606.00001.png"
    assert first.links == {"github": "https://github.com/example/2606.00001",
                           "project": "https://example.org/2606.00001"}
    # paper.publishedAt (the arXiv date), not HF's shifted top-level one
    assert first.published == dt.datetime(2026, 6, 10, 17, 59, 1, tzinfo=dt.UTC)
    assert first.day == DAY
    assert first.abstract == a.synth.abstract
    assert papers[0].video is None


def test_parse_reads_top_level_when_paper_lacks_fields() -> None:
    item = {"paper": {"id": "2410.18977", "authors": [{"name": "  Ana \n Lima "}], "upvotes": 3,
                      "title": None},
            "title": "Old   shape\n  title", "summary": "Top level summary.", "mediaUrls": ["https://x/v.mp4"],
            "thumbnail": "/papers/thumb.png", "submittedOnDailyAt": "2024-10-25T08:00:00.000Z"}
    [paper] = parse_daily([item])
    assert paper.title == "Old shape title"
    assert paper.authors == ("Ana Lima",)
    assert paper.abstract == "Top level summary."
    assert paper.video == "https://x/v.mp4"
    assert paper.thumbnail == "/papers/thumb.png"
    assert paper.day == dt.date(2024, 10, 25)


def test_parse_skips_hostile_and_broken_items() -> None:
    good = {"paper": {"id": "2606.00009", "title": "Fine", "authors": [], "upvotes": 1}}
    items = [
        "not an object",
        {"paper": {"id": "../../etc/passwd", "title": "Path trick"}},
        {"paper": {"id": "2606.00010", "title": "   "}},
        {"paper": {"id": 2606.00011, "title": "Number id"}},
        {"paper": {"id": "2606.00012", "title": "JS link", "githubRepo": "javascript:alert(1)",
                   "upvotes": "many"}},
        good,
    ]
    papers = parse_daily(items)
    assert [p.id for p in papers] == ["2606.00009", "2606.00012"]
    js = papers[1]
    assert js.links == {}
    assert js.upvotes is None  # not a count: shown without votes (and the caller is warned)


def test_titles_and_names_lose_what_is_never_text(tmp_path: Path) -> None:
    # JSON may spell lone surrogates ("\\ud800"), bidi overrides and controls: none reaches the archive
    raw = (b'[{"paper": {"id": "2606.00013", "title": "Safe\\u202e\\ud800\\u001b[2JTitle", '
           b'"authors": [{"name": "Ann\\udfff\\u2066One"}], "summary": "An\\u0085abstract\\ufdd0."}}]')
    paper = parse_daily(json.loads(raw))[0]
    assert (paper.title, paper.authors, paper.abstract) == ("Safe [2JTitle", ("Ann One",), "An abstract .")
    with Store(tmp_path / "db.sqlite") as store:  # a lone surrogate could not even be stored
        store.upsert_paper(paper)
        assert store.get_paper("2606.00013") == paper


def test_parse_rejects_a_non_list() -> None:
    with pytest.raises(FetchError):
        parse_daily({"error": "nope"})


async def test_fetch_pages_until_a_short_page(hf_arxiv: HfArxivStandIn, standin_settings: Settings) -> None:
    # PAGE_SIZE + 5 papers: two pages; one paper also appears on the second page (dedupe)
    for i in range(PAGE_SIZE + 5):
        hf_arxiv.add_paper(make_paper(f"2606.{i:05d}", pages=1), day=DAY, upvotes=i % 7, pdf=b"")
    hf_arxiv.raw_days[DAY.isoformat()] = [hf_item(hf_arxiv.listed["2606.00000"])]
    async with Http(standin_settings) as http:
        papers = await fetch_day(http, standin_settings, DAY)
    assert len(papers) == PAGE_SIZE + 5
    assert len({p.id for p in papers}) == len(papers)
    votes = [p.upvotes or 0 for p in papers]
    assert votes == sorted(votes, reverse=True)
    requests = hf_arxiv.requests_to("/api/daily_papers")
    pages = [(r.query["p"], r.query["limit"], r.query["date"]) for r in requests]
    assert pages == [("0", str(PAGE_SIZE), "2026-06-12"), ("1", str(PAGE_SIZE), "2026-06-12")]


async def test_fetch_latest_day_sends_no_date(hf_arxiv: HfArxivStandIn, standin_settings: Settings) -> None:
    hf_arxiv.add_paper(make_paper("2606.00001", pages=1), day=DAY, upvotes=2, pdf=b"")
    async with Http(standin_settings) as http:
        papers = await fetch_day(http, standin_settings, None)
    assert [p.id for p in papers] == ["2606.00001"]
    assert "date" not in hf_arxiv.requests[0].query


async def test_empty_day_and_404_mean_no_papers(hf_arxiv: HfArxivStandIn, standin_settings: Settings) -> None:
    async with Http(standin_settings) as http:
        assert await fetch_day(http, standin_settings, dt.date(2026, 6, 13)) == []
        hf_arxiv.fault("/api/daily_papers", Reply.json({"error": "Not found"}, status=404))
        assert await fetch_day(http, standin_settings, dt.date(2026, 6, 14)) == []
    assert len(hf_arxiv.requests) == 2  # no retries for either


async def test_http_400_is_a_bad_date(hf_arxiv: HfArxivStandIn, standin_settings: Settings) -> None:
    hf_arxiv.fault("/api/daily_papers", Reply.json({"error": "Invalid date"}, status=400))
    async with Http(standin_settings) as http:
        with pytest.raises(InputError, match="bad date"):
            await fetch_day(http, standin_settings, dt.date(2025, 12, 31))


async def test_fetch_survives_a_429_with_retry_after(
    hf_arxiv: HfArxivStandIn, standin_settings: Settings
) -> None:
    hf_arxiv.add_paper(make_paper("2606.00001", pages=1), day=DAY, upvotes=2, pdf=b"")
    hf_arxiv.fault("/api/daily_papers", Reply.json({"error": "rate limited"}, status=429,
                                                   headers={"Retry-After": "0"}))
    async with Http(standin_settings) as http:
        papers = await fetch_day(http, standin_settings, DAY)
    assert [p.id for p in papers] == ["2606.00001"]
    assert len(hf_arxiv.requests) == 2
