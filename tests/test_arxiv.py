"""arXiv: id grammar, Atom parsing (saved bytes), Error entries, metadata batches and categories."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dailypapers.config import Settings
from dailypapers.errors import InputError
from dailypapers.http import Http
from dailypapers.sources import arxiv
from tests.papergen import make_paper
from tests.standins.hf_arxiv import HfArxivStandIn, Listed, atom_entry, atom_error, atom_feed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2505.02707", ("2505.02707", None)),
        ("2505.02707v2", ("2505.02707", 2)),
        ("arXiv:2505.02707v1", ("2505.02707", 1)),
        ("  ARXIV:2505.02707 ", ("2505.02707", None)),
        ("0704.0001", ("0704.0001", None)),
        ("1412.9999v3", ("1412.9999", 3)),
        ("hep-th/9901001", ("hep-th/9901001", None)),
        ("hep-th/9901001v2", ("hep-th/9901001", 2)),
        ("math.GT/0309136", ("math.GT/0309136", None)),
        ("https://arxiv.org/abs/2505.02707", ("2505.02707", None)),
        ("http://arxiv.org/abs/2606.13677v1", ("2606.13677", 1)),
        ("https://arxiv.org/pdf/2505.02707v3.pdf", ("2505.02707", 3)),
        ("https://arxiv.org/pdf/2505.02707", ("2505.02707", None)),
        ("https://arxiv.org/html/2505.02707v1/", ("2505.02707", 1)),
        ("https://export.arxiv.org/abs/hep-th/9901001v1", ("hep-th/9901001", 1)),
        ("https://www.arxiv.org/abs/2505.02707?context=cs", ("2505.02707", None)),
    ],
)
def test_canonical_id_accepts(text: str, expected: tuple[str, int | None]) -> None:
    assert arxiv.canonical_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "", "2505.0270", "2505.027071", "2513.02707", "2500.02707", "0612.0001",  # before April 2007
        "1501.0001",  # 4 digits after 2015
        "1412.00001",  # 5 digits before 2015
        "2505.02707v0", "2505.02707v", "hep-th/990100", "HEP-TH/9901001", "../2505.02707",
        "https://example.com/abs/2505.02707", "2505.02707 extra",
    ],
)
def test_canonical_id_rejects(text: str) -> None:
    with pytest.raises(InputError, match="not an arXiv id"):
        arxiv.canonical_id(text)


def test_urls(standin_settings: Settings) -> None:
    s = Settings(arxiv_pdf_url="https://mirror.example/pdf/", arxiv_html_url="https://mirror.example/html")
    assert arxiv.pdf_url(s, "2505.02707") == "https://mirror.example/pdf/2505.02707"
    assert arxiv.pdf_url(s, "2505.02707", 2) == "https://mirror.example/pdf/2505.02707v2"
    assert arxiv.html_url(s, "hep-th/9901001", 1) == "https://mirror.example/html/hep-th/9901001v1"


def test_parse_saved_feed(tmp_path: Path) -> None:
    a = Listed(make_paper("2606.13677"), dt.date(2026, 6, 12), 0, category="cs.RO")
    b = Listed(make_paper("2606.00002"), dt.date(2026, 6, 12), 0)
    path = tmp_path / "feed.xml"
    path.write_bytes(atom_feed([atom_entry(a, version=2), atom_entry(b)]))
    papers = arxiv.parse_feed(path.read_bytes())
    assert [p.id for p in papers] == ["2606.13677", "2606.00002"]
    p = papers[0]
    assert p.version == 2
    assert p.title == a.synth.title  # line wrap collapsed
    assert p.abstract == a.synth.abstract
    assert p.authors == tuple(a.synth.authors)
    assert p.published == dt.datetime(2026, 6, 10, 17, 59, 1, tzinfo=dt.UTC)
    assert p.links["pdf"] == "https://arxiv.org/pdf/2606.13677v2"
    assert p.links["category"] == "cs.RO"
    assert p.upvotes is None


def test_feed_text_loses_controls_and_bidi_marks() -> None:
    synth = make_paper("2606.00003")
    entry = atom_entry(Listed(synth, dt.date(2026, 6, 12), 0))
    title = entry.split("<title>")[1].split("</title>")[0]
    entry = entry.replace(title, "Safe&#x202E;&#x200F;Title").replace("<name>", "<name>&#x2067;", 1)
    p = arxiv.parse_feed(atom_feed([entry]))[0]
    assert p.title == "Safe Title" and p.authors[0] == synth.authors[0]


def test_error_entry_raises_with_arxivs_message() -> None:
    with pytest.raises(InputError, match=r"incorrect id format for 1234\.bad"):
        arxiv.parse_feed(atom_error("incorrect id format for 1234.bad"))


def test_empty_feed_is_no_papers() -> None:
    assert arxiv.parse_feed(atom_feed([])) == []


async def test_fetch_metadata_in_batches(
    hf_arxiv: HfArxivStandIn, standin_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(arxiv, "BATCH", 2)
    for i in range(1, 6):
        hf_arxiv.add_paper(make_paper(f"2606.0000{i}", pages=1), pdf=b"")
    ids = ["arXiv:2606.00003", "2606.00001v1", "2606.00005", "2606.00004", "2606.00001", "2606.09999"]
    async with Http(standin_settings) as http:
        papers = await arxiv.fetch_metadata(http, standin_settings, ids)
    assert [p.id for p in papers] == ["2606.00003", "2606.00001", "2606.00005", "2606.00004"]  # 09999 unknown
    assert papers[1].version == 1
    batches = [r.query["id_list"] for r in hf_arxiv.requests_to("/api/query")]
    assert batches == ["2606.00003,2606.00001v1", "2606.00005,2606.00004", "2606.09999"]


async def test_fetch_category_newest_first(hf_arxiv: HfArxivStandIn, standin_settings: Settings) -> None:
    base = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    for i in range(1, 6):
        hf_arxiv.add_paper(make_paper(f"2606.0000{i}", pages=1), pdf=b"", category="cs.CL",
                           published=base + dt.timedelta(days=i))
    hf_arxiv.add_paper(make_paper("2606.00009", pages=1), pdf=b"", category="cs.CV")
    async with Http(standin_settings) as http:
        papers = await arxiv.fetch_category(http, standin_settings, "cs.CL", 3)
    assert [p.id for p in papers] == ["2606.00005", "2606.00004", "2606.00003"]
    q = hf_arxiv.requests_to("/api/query")[0].query
    assert q == {"search_query": "cat:cs.CL", "sortBy": "submittedDate", "sortOrder": "descending",
                 "start": "0", "max_results": "3"}


async def test_bad_category_and_bad_count(standin_settings: Settings) -> None:
    async with Http(standin_settings) as http:
        with pytest.raises(InputError, match="category"):
            await arxiv.fetch_category(http, standin_settings, "cs.CL OR all:x")
        with pytest.raises(InputError):
            await arxiv.fetch_category(http, standin_settings, "cs.CL", 0)


async def test_malformed_id_gets_arxivs_error(hf_arxiv: HfArxivStandIn, standin_settings: Settings) -> None:
    # the stand-in answers a malformed id with an Error entry, as arXiv does
    async with Http(standin_settings) as http:
        xml = await http.get_text(standin_settings.arxiv_api_url, {"id_list": "abc.def"})
    with pytest.raises(InputError, match="incorrect id format"):
        arxiv.parse_feed(xml)


def test_the_announcement_window_of_a_day() -> None:
    utc = dt.UTC
    # a Wednesday in summer (EDT, UTC-4): Tuesday 14:00 to Wednesday 14:00 US Eastern
    assert arxiv.announcement_window(dt.date(2026, 6, 10)) == (
        dt.datetime(2026, 6, 9, 18, 0, tzinfo=utc), dt.datetime(2026, 6, 10, 18, 0, tzinfo=utc))
    # a Monday in winter (EST, UTC-5) reaches back over the weekend to Friday
    assert arxiv.announcement_window(dt.date(2026, 1, 12)) == (
        dt.datetime(2026, 1, 9, 19, 0, tzinfo=utc), dt.datetime(2026, 1, 12, 19, 0, tzinfo=utc))
    assert arxiv.announcement_window(dt.date(2026, 6, 13)) is None  # Saturday: no announcement


async def test_a_category_day_lists_that_days_announcements(hf_arxiv, standin_settings) -> None:
    wednesday = dt.date(2026, 6, 10)
    inside = make_paper("2606.20001")
    before = make_paper("2606.20002")
    after = make_paper("2606.20003")
    for synth, when in ((inside, dt.datetime(2026, 6, 10, 9, 30)), (before, dt.datetime(2026, 6, 9, 17, 59)),
                        (after, dt.datetime(2026, 6, 10, 18, 0))):
        hf_arxiv.listed[synth.arxiv_id] = Listed(synth, None, 0, category="cs.CL",
                                                 published=when.replace(tzinfo=dt.UTC))
    async with Http(standin_settings) as http:
        papers = await arxiv.fetch_category(http, standin_settings, "cs.CL", 50, wednesday)
        assert [p.id for p in papers] == [inside.arxiv_id]
        assert papers[0].day == wednesday
        assert await arxiv.fetch_category(http, standin_settings, "cs.CL", 50, dt.date(2026, 6, 13)) == []
        newest = await arxiv.fetch_category(http, standin_settings, "cs.CL", 2)
        assert [p.id for p in newest] == [after.arxiv_id, inside.arxiv_id]
