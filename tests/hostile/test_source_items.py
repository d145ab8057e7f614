"""Hostile source data: one bad item of a Hugging Face answer is repaired or skipped with a warning, and the
day goes on; an arXiv answer that is not an Atom feed is an error, not "no papers"."""

from __future__ import annotations

import datetime as dt

import pytest

from dailypapers.config import Settings
from dailypapers.errors import FetchError
from dailypapers.http import Http
from dailypapers.sources import arxiv
from tests.helpers import list_papers
from tests.papergen import make_paper
from tests.standins.base import Reply
from tests.standins.hf_arxiv import HfArxivStandIn, hf_item

DAY = dt.date(2026, 6, 12)


def _item(paper_id: str, **paper_fields: object) -> dict:
    base = {"paper": {"id": paper_id, "title": f"Paper {paper_id}", "authors": [{"name": "A B"}], "upvotes": 3,
                      **paper_fields}, "title": f"Paper {paper_id}"}
    return base


async def test_bad_items_are_repaired_or_skipped_and_the_day_goes_on(
    hf_arxiv: HfArxivStandIn, standin_settings: Settings
) -> None:
    good = make_paper("2606.30001")
    hf_arxiv.add_paper(good, day=DAY, upvotes=9)
    hf_arxiv.raw_days[DAY.isoformat()] = [
        _item("2606.30002", upvotes=float("inf")),
        _item("2606.30003", upvotes=float("nan")),
        _item("2606.30004", upvotes=2**64),
        _item("2606.30005", upvotes=-5),
        _item("2606.30006", authors=5, mediaUrls=7),
        _item("2606.30007", upvotes="many"),
        "not an item",
        {"paper": ["a list, not an object"]},
        {"paper": {"id": {"nested": True}, "title": "x"}},
        {"paper": {"id": "2606.30008", "title": {"not": "text"}}},
        {"paper": {"id": "not-an-arxiv-id", "title": "A paper HF knows by another id"}},
        42,
    ]
    warnings: list[str] = []
    async with Http(standin_settings) as http:
        papers = await list_papers("hf", DAY, http, standin_settings, warn=warnings.append)
    by_id = {p.id: p for p in papers}
    assert next(iter(by_id)) == good.arxiv_id  # the good paper, first by votes
    for pid in ("2606.30002", "2606.30003", "2606.30004", "2606.30005", "2606.30007"):
        assert by_id[pid].upvotes is None  # shown without votes, not lost
    assert by_id["2606.30006"].authors == () and by_id["2606.30006"].video is None
    assert "2606.30008" not in by_id  # no usable title: nothing to list
    assert len([w for w in warnings if "vote count" in w]) == 5
    assert any("'inf'" in w or "inf" in w for w in warnings)
    # every item dropped is named, in one warning for the page (SECURITY.md: "skipped with a warning")
    [skipped] = [w for w in warnings if w.startswith("skipped")]
    assert skipped.startswith("skipped 6 items of the Hugging Face answer (item 7: not an object but str; "
                              "item 8: no paper id; item 9: no paper id; item 10: 2606.30008 has no title; "
                              "item 11: its id 'not-an-arxiv-id' is not an arXiv id; and 1 more)"), skipped


@pytest.mark.parametrize("body", [b"", b"<html><body>Service temporarily unavailable</body></html>",
                                  b"{\"json\": true}"])
async def test_an_arxiv_answer_that_is_not_a_feed_is_an_error(
    hf_arxiv: HfArxivStandIn, standin_settings: Settings, body: bytes
) -> None:
    hf_arxiv.fault("/api/query", Reply(body=body, content_type="text/html"))
    async with Http(standin_settings) as http:
        with pytest.raises(FetchError, match="not an arXiv API answer"):
            await arxiv.fetch_category(http, standin_settings, "cs.CL", 5)


def test_the_stand_in_item_shape_is_what_the_real_api_sends() -> None:
    # the helper above builds items in the same nesting the stand-in (and the real API) uses
    from tests.standins.hf_arxiv import Listed

    item = hf_item(Listed(make_paper("2606.30009"), DAY, 1))
    assert set(_item("x")) <= set(item) and set(_item("x")["paper"]) <= set(item["paper"])
