"""The compact cards at the top of an edition page, the tag pages, and the feeds of papers (a stream's and a
tag's): what the site and the app write, read back as a reader's tools read it (lxml, feedparser)."""

from __future__ import annotations

from pathlib import Path

import feedparser
import httpx
import lxml.etree
import lxml.html
import pytest

from dailypapers.digestformat import parse_period
from dailypapers.models import Paper
from dailypapers.publish.site import build_site
from dailypapers.publish.views import paper_tags
from dailypapers.store import Store
from dailypapers.web import LOOPBACK_HOSTS, create_app
from tests.sitedata import EVIL_ID, XSS_TITLE, build_archive

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("cards")
    build_archive(root / "a.db")
    with Store(root / "a.db", readonly=True) as store:
        build_site(store, root / "out", search=False)
    return root / "a.db", root / "out"


def page(out: Path, path: str) -> lxml.html.HtmlElement:
    return lxml.html.parse(str(out / path)).getroot()


def test_the_sample_day_lists_every_paper_as_a_card_before_the_first_entry(built: tuple[Path, Path]) -> None:
    _, out = built
    doc = page(out, "editions/hf/ko/2025-05-06.html")
    cards = doc.cssselect("ol.cards > li.card")
    entries = doc.cssselect("article.entry")
    assert len(cards) == len(entries) == 23
    order = list(doc.iter())
    assert order.index(cards[-1]) < order.index(entries[0])  # all the cards come before the first full entry
    ids = {a.get("id") for a in entries}
    for card, entry in zip(cards, entries, strict=True):
        href = card.cssselect("h3 a")[0].get("href")
        assert href.startswith("#") and href[1:] == entry.get("id") and href[1:] in ids
        assert card.cssselect("h3 a")[0].text_content() == entry.cssselect("h2 a")[0].text_content()
        assert card.cssselect("p.line")[0].text_content().strip()  # a line for every paper with a summary
    first = cards[0]
    assert first.cssselect(".votes")[0].text == "▲ 56"
    assert first.cssselect("img")[0].get("loading") == "lazy"
    # an imported digest has no TL;DR: the card says the first sentence of What's New
    what_new = entries[0].cssselect("ul.sections li")[0].text_content()
    assert what_new.split(": ", 1)[1].startswith(first.cssselect("p.line")[0].text_content().rstrip("…"))
    assert first.cssselect(".flags")[0].text == "⚠ 1 unverified"  # the sample's planted 3.2%


def test_a_card_without_thumbnail_and_the_tags_of_a_day(built: tuple[Path, Path]) -> None:
    _, out = built
    doc = page(out, "editions/hf/ko/2025-05-07.html")
    video, evil, failed = doc.cssselect("ol.cards > li.card")
    assert not video.cssselect("img") and video.cssselect(".nothumb")[0].text == "▶"
    assert failed.cssselect(".nothumb")[0].text == "3"
    assert video.cssselect("p.line")[0].text == "영상 한 개로 3D 세계를 2.5배 빠르게 만듭니다."  # its TL;DR
    assert failed.cssselect("p.line")[0].text_content() == "No summary (failed: timeout <b>x</b>)."
    assert [a.text for a in video.cssselect("a.tag")] == ["cs.CV", "cs.GR"]
    assert [a.text for a in evil.cssselect("a.tag")] == ["cs.AI"]  # the hostile "categories" are no tags
    assert [a.text_content() for a in doc.cssselect("nav.tags a.tag")] == ["cs.AI 1", "cs.CV 1", "cs.GR 1"]
    assert video.cssselect("a.tag")[0].get("href") == "../../../tags/cs.CV.html"
    # the full entry shows the TL;DR with its checked number
    tldr = doc.cssselect("article.entry p.tldr")[0]
    assert tldr.text_content().startswith("TL;DR: 영상 한 개로")


def test_a_tag_page_lists_its_papers_and_links_their_pages(built: tuple[Path, Path]) -> None:
    _, out = built
    doc = page(out, "tags/cs.CV.html")
    assert doc.cssselect("h1")[0].text == "Papers tagged cs.CV"
    [card] = doc.cssselect("ol.cards > li.card")
    href = card.cssselect("h3 a")[0].get("href")
    assert href == "../papers/2505.08888.html" and (out / "tags" / href).resolve().is_file()
    assert doc.cssselect("nav.tags a.current")[0].get("aria-current") == "page"
    assert sorted(p.name for p in (out / "tags").iterdir()) == [
        "cs.AI.atom", "cs.AI.html", "cs.CV.atom", "cs.CV.html", "cs.GR.atom", "cs.GR.html"]
    evil = page(out, "tags/cs.AI.html")
    assert evil.cssselect("h3 a")[0].text_content().endswith(" ".join(XSS_TITLE.split())[-10:])
    assert not evil.cssselect("script:not([src]), iframe, svg, [onerror], [onload]")


def test_paper_tags_are_arxiv_categories_only() -> None:
    paper = Paper(id="2505.00001", title="T", links={"category": "cs.CL", "categories": "cs.CL stat.ML hep-th "
                                                      "../x <b> cs.CL\u202e a.b.c " + "x" * 40})
    assert paper_tags(paper) == ("cs.CL", "stat.ML", "hep-th")
    assert paper_tags(Paper(id="2505.00002", title="T")) == ()


def _feed(raw: bytes) -> feedparser.FeedParserDict:
    feed = feedparser.parse(raw)
    assert not feed.bozo, feed.bozo_exception
    root = lxml.etree.fromstring(raw)
    for required in ("id", "title", "updated", "author"):
        assert root.find(ATOM + required) is not None, required
    for entry in root.findall(ATOM + "entry"):
        for required in ("id", "title", "updated", "link"):
            assert entry.find(ATOM + required) is not None, required
    return feed


def test_the_feed_of_papers_lists_each_paper_once_with_stable_ids(built: tuple[Path, Path], tmp_path: Path) -> None:
    db, out = built
    raw = (out / "feeds/hf/ko/papers.atom").read_bytes()
    feed = _feed(raw)
    ids = [e.id for e in feed.entries]
    assert len(ids) == len(set(ids)) == 23 + 3  # the sample day's papers and the next day's, each once
    newest = feed.entries[0]
    assert newest.id == "urn:dailypapers:paper:2505.08888:ko"
    assert newest.title == "Kettle Video: 3D Worlds from One Clip"
    assert [a.name for a in newest.authors] == ["Hana Sato", "Bo Vale"]
    assert newest.summary == "영상 한 개로 3D 세계를 2.5배 빠르게 만듭니다."
    assert [t.term for t in newest.tags] == ["cs.CV", "cs.GR"]
    assert [ln.href for ln in newest.links] == ["../../../papers/2505.08888.html"]
    assert 'href="https://arxiv.org/abs/2505.08888"' in newest.content[0].value
    voila = next(e for e in feed.entries if e.id == "urn:dailypapers:paper:2505.02707:ko")
    content = voila.content[0].value
    for label in ("What's New", "Technical Details", "Performance Highlights"):
        assert label in content
    body = lxml.html.fragment_fromstring(lxml.etree.fromstring(raw).find(f"{ATOM}entry/{ATOM}content").text,
                                         create_parent="div")
    assert not body.cssselect("script, iframe, svg, [onerror], [onload], [onclick]")
    # a rebuild elsewhere gives the same entries, ids and bytes
    with Store(db, readonly=True) as store:
        build_site(store, tmp_path / "again", search=False)
    assert (tmp_path / "again/feeds/hf/ko/papers.atom").read_bytes() == raw
    tag = _feed((out / "tags/cs.AI.atom").read_bytes())
    assert [e.id for e in tag.entries] == [f"urn:dailypapers:paper:{EVIL_ID}:ko"]


async def test_the_app_serves_the_tag_pages_and_the_feeds_of_papers(built: tuple[Path, Path]) -> None:
    db, out = built
    app = create_app(db, allowed_hosts=LOOPBACK_HOSTS)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as client:
        tag = await client.get("/tags/cs.CV.html")
        assert tag.status_code == 200 and "Papers tagged cs.CV" in tag.text
        assert (await client.get("/tags/nope.html")).status_code == 404
        feed = await client.get("/tags/cs.CV.atom")
        assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml")
        assert [e.id for e in _feed(feed.content).entries] == ["urn:dailypapers:paper:2505.08888:ko"]
        papers = await client.get("/feeds/hf/ko/papers.atom")
        parsed = _feed(papers.content)
        assert [e.id for e in parsed.entries] == [e.id for e in _feed((out / "feeds/hf/ko/papers.atom").read_bytes()
                                                                      ).entries]
        assert parsed.entries[0].link == "http://127.0.0.1/papers/2505.08888.html"
        edition = await client.get("/editions/hf/ko/2025-05-06.html")
        assert edition.text.count('<li class="card') == 23


def test_the_weekly_edition_has_its_page_markdown_and_feed(built: tuple[Path, Path]) -> None:
    _, out = built
    doc = page(out, "editions/hf/ko/2025-W19.html")
    assert doc.cssselect("h1")[0].text == "Weekly Papers (2025-05-05 – 2025-05-11)"
    cards = doc.cssselect("ol.cards > li.card")
    votes = [int(v.text.removeprefix("▲ ")) for v in doc.cssselect("ol.cards .votes")]
    assert len(cards) == 20 and votes == sorted(votes, reverse=True) and votes[0] == 56
    for card in cards:  # each card reaches its entry on the page
        assert doc.cssselect(f"article.entry[id='{card.cssselect('h3 a')[0].get('href')[1:]}']")
    weekly = parse_period((out / "editions/hf/ko/2025-W19.md").read_text())
    assert weekly.span.label == "2025-W19" and len(weekly.entries) == 20
    feed = _feed((out / "feeds/hf/ko/weekly.atom").read_bytes())
    assert [e.id for e in feed.entries] == ["urn:dailypapers:period:hf:ko:2025-W19"]
    assert feed.entries[0].title == "Weekly Papers (2025-05-05 – 2025-05-11) · 20 papers"
    archive = page(out, "archive/index.html")
    assert [a.get("href") for a in archive.cssselect("ul.periods a")][:1] == ["../editions/hf/ko/2025-W19.html"]
    discovered = [ln.get("href") for ln in doc.cssselect('link[rel=alternate][type="application/atom+xml"]')]
    assert discovered == ["../../../feeds/hf/ko/weekly.atom"]


async def test_the_app_serves_the_weekly_edition(built: tuple[Path, Path]) -> None:
    db, out = built
    app = create_app(db, allowed_hosts=LOOPBACK_HOSTS)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as client:
        html = await client.get("/editions/hf/ko/2025-W19.html")
        assert html.status_code == 200 and html.text.count('<li class="card') == 20
        md = await client.get("/editions/hf/ko/2025-W19.md")
        assert md.text == (out / "editions/hf/ko/2025-W19.md").read_text()
        feed = await client.get("/feeds/hf/ko/weekly.atom")
        assert [e.id for e in _feed(feed.content).entries] == ["urn:dailypapers:period:hf:ko:2025-W19"]
        assert (await client.get("/editions/hf/ko/2025-W20.html")).status_code == 404
        assert (await client.get("/feeds/hf/ko/monthly.atom")).status_code == 404
        archive = await client.get("/archive/index.html")
        assert "Weekly Papers (2025-05-05 – 2025-05-11)" in archive.text
