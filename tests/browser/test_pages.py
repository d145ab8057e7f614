"""The site and the app in a real browser: pages, grounding without JavaScript, search, the feed link, phones,
dark mode, Korean fonts, and injection that stays inert. Each test saves a screenshot to look at."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import feedparser
import pytest

from dailypapers.models import Digest, Entry, Paper, Section, Summary
from dailypapers.publish.site import build_site
from dailypapers.store import Store
from tests.browser.conftest import serve_folder
from tests.sitedata import EVIL_ID, XSS_AUTHOR, XSS_TITLE

INJECTED = ("script:not([src]), iframe, svg, object, embed, img[src=x], [onerror], [onload], [onmouseover], "
            "[onclick], a[href^='javascript:'], [src^='javascript:'], a[href^='data:']")


def test_home_edition_and_korean_fonts(page, static_url: str, shots: Path) -> None:
    p = page.page
    p.goto(static_url + "index.html")
    assert p.locator("h1").first.inner_text() == "Daily Papers (2025-05-07)"
    p.goto(static_url + "editions/hf/ko/2025-05-06.html")
    assert p.locator("article.entry").count() == 23
    # Korean glyphs are drawn by a CJK font, not as boxes or by a fallback: ask the renderer which platform
    # font drew the text of a Korean summary (document.fonts.check says true for a font that is not there)
    fonts = _platform_fonts(p, 'div.summary[lang="ko"] ul.sections li')
    assert fonts, "no font drew the summary"
    assert {f["familyName"] for f in fonts} == {"Noto Sans CJK KR"}, fonts  # every glyph, Hangul and Latin
    assert sum(f["glyphCount"] for f in fonts) > 100, fonts
    p.screenshot(path=str(shots / "edition-desktop.png"))
    assert not page.dialogs and not page.csp


def _platform_fonts(p, selector: str) -> list[dict]:  # type: ignore[no-untyped-def]
    """The fonts that drew the text of the first element matching `selector` (CSS.getPlatformFontsForNode)."""
    cdp = p.context.new_cdp_session(p)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        document = cdp.send("DOM.getDocument", {"depth": 0})
        node = cdp.send("DOM.querySelector", {"nodeId": document["root"]["nodeId"], "selector": selector})
        assert node["nodeId"], selector
        return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
    finally:
        cdp.detach()


def test_grounding_shows_evidence_on_focus_without_javascript(browser, static_url: str, shots: Path) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1100, "height": 1000})
    p = context.new_page()
    p.goto(static_url + "papers/2505.02707.html")
    claim = p.locator(".claim.supported", has_text="108").first
    tip = claim.locator(".ev")
    assert not tip.is_visible()
    claim.focus()
    assert tip.is_visible() and "108 carefully crafted" in tip.inner_text() and "p. 6" in tip.inner_text()
    p.screenshot(path=str(shots / "paper-evidence-focus.png"))
    p.keyboard.press("Tab")  # the next checked claim takes focus and shows its own evidence
    assert not tip.is_visible()
    unsupported = p.locator("mark.claim.unsupported")
    assert unsupported.inner_text().startswith("3.2%")
    checks = p.locator("details.checks").first
    checks.locator("summary").click()
    assert checks.locator("li.unsupported").inner_text().startswith("3.2%: not found in the paper")
    # not checked: no warning mark, its reason and the paper's words on focus and in the list
    assert p.locator("mark.claim", has_text="Whisper").count() == 0
    unsure = p.locator("span.claim.undecided", has_text="Whisper").first
    unsure.focus()
    assert "Not checked: the checker could not tell" in unsure.locator(".ev").inner_text()
    assert "1 not checked" in checks.locator("summary").inner_text()
    assert checks.locator("li.undecided").inner_text().startswith("Whisper: not checked:")
    p.screenshot(path=str(shots / "paper-checks-open.png"))
    context.close()


def test_phone_dark_mode(browser, static_url: str, shots: Path) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark", is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    p = context.new_page()
    p.goto(static_url + "editions/hf/ko/2025-05-06.html")
    assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    bg = p.evaluate("getComputedStyle(document.body).backgroundColor")
    assert bg == "rgb(21, 23, 27)"
    p.locator(".claim.supported").first.tap()
    p.screenshot(path=str(shots / "edition-phone-dark.png"))
    context.close()


@pytest.mark.parametrize("query, expect", [("학습", "학습"), ("3D", "3D"), ("모", "모"), ("transform", "Transform")])
def test_static_search_finds_korean_words_of_any_length(page, static_url: str, shots: Path, query: str,
                                                        expect: str) -> None:
    p = page.page
    p.goto(static_url + "search.html?q=" + query)
    p.wait_for_selector("#hits li", timeout=15_000)
    marks = p.locator("#hits mark").all_inner_texts()
    assert marks and all(m.lower().startswith(expect.lower()) or expect in m for m in marks)
    assert p.locator("#q").input_value() == query
    if query == "학습":
        p.screenshot(path=str(shots / "search-static.png"))
    assert not page.dialogs and not page.csp


def test_static_search_finds_a_day_added_to_the_index_incrementally(page, archive: Path, tmp_path: Path) -> None:
    """A rebuild after one new day (in a new month) indexes only that month: the search finds the new paper and
    the older ones, whose index part was left as it was."""
    db, out = tmp_path / "a.db", tmp_path / "site"
    shutil.copy(archive, db)
    with Store(db, readonly=True) as store:
        build_site(store, out)
    new = Entry(paper=Paper(id="2506.00001", title="Zephyrine Kettles", authors=("Ines Vale",), upvotes=3),
                summary=Summary(paper_id="2506.00001", lang="ko",
                                sections=(Section(label="What's New", text="주전자혜성 학습을 제안합니다."),)))
    with Store(db) as store:
        store.import_digest(Digest(day=dt.date(2025, 6, 2), entries=(new,)))
    with Store(db, readonly=True) as store:
        report = build_site(store, out)
    assert not [p for p in report.written if p.startswith("pagefind/2025-05/")]  # the old month stays
    server = serve_folder(out)
    base = next(server)
    try:
        p = page.page
        for query in ("Zephyrine", "혜성"):  # only in the new paper (혜성 inside a compound)
            p.goto(base + "search.html?q=" + query)
            p.wait_for_selector("#hits li", timeout=15_000)
            assert p.locator("#hits li a").all_inner_texts() == ["Zephyrine Kettles"]
        p.goto(base + "search.html?q=학습")  # the new paper and the older ones, from both parts
        p.wait_for_selector("#hits li", timeout=15_000)
        titles = p.locator("#hits li a").all_inner_texts()
        assert "Zephyrine Kettles" in titles and len(titles) > 1
        assert not page.dialogs and not page.csp
    finally:
        server.close()


def test_live_search_and_run_health(page, live_url: str, shots: Path) -> None:
    p = page.page
    p.goto(live_url + "search.html?q=모델")
    assert p.locator("ol.hits li").count() > 5
    assert set(p.locator("ol.hits mark").all_inner_texts()) == {"모델"}
    p.screenshot(path=str(shots / "search-live.png"))
    p.goto(live_url + "runs.html")
    assert "fetch" in p.locator("table.stages").inner_text()
    p.screenshot(path=str(shots / "runs.png"))
    assert not page.dialogs and not page.csp


def test_feed_link_is_discoverable_and_parses(page, static_url: str) -> None:
    p = page.page
    p.goto(static_url + "editions/hf/ko/2025-05-07.html")
    href = p.locator('link[rel=alternate][type="application/atom+xml"]').first.get_attribute("href")
    feed_url = p.evaluate("h => new URL(h, document.baseURI).href", href)
    response = p.request.get(feed_url)
    assert response.ok and feed_url.endswith("feeds/hf/ko.atom")
    feed = feedparser.parse(response.body())
    assert feed.entries[0].id == "urn:dailypapers:edition:hf:ko:2025-05-07"
    p.locator("a", has_text="Atom feed").click()
    assert p.url == feed_url


@pytest.mark.parametrize("where", ["static", "live"])
def test_injection_stays_inert(page, static_url: str, live_url: str, shots: Path, where: str) -> None:
    base = static_url if where == "static" else live_url
    p = page.page
    for path in ("editions/hf/ko/2025-05-07.html", f"papers/{EVIL_ID}.html", "index.html"):
        p.goto(base + path)
        for claim in p.locator(".claim").all():
            claim.hover()
            claim.focus()
        assert p.evaluate("window.__xss") is None, path
        assert p.locator(INJECTED).count() == 0, path
    p.goto(base + f"papers/{EVIL_ID}.html")
    assert p.locator("h1").inner_text() == " ".join(XSS_TITLE.split())
    assert p.locator("ol.authors-list li").first.inner_text() == XSS_AUTHOR
    p.screenshot(path=str(shots / f"injection-{where}.png"))
    p.goto(base + "search.html?q=Evil")
    p.wait_for_selector("ol.hits li, #hits li", timeout=15_000)
    assert p.evaluate("window.__xss") is None and p.locator(INJECTED).count() == 0
    assert not page.dialogs


def test_the_api_docs_list_every_operation_and_run_one(page, live_url: str, shots: Path) -> None:
    p = page.page
    schema = p.request.get(live_url + "openapi.json").json()
    assert schema["openapi"].startswith("3.1")  # what FastAPI writes, and what the viewer must read
    p.goto(live_url + "docs")
    p.locator(".opblock").first.wait_for(timeout=15_000)
    listed = {(b.locator(".opblock-summary-method").inner_text().lower(),
               b.locator(".opblock-summary-path").inner_text().replace("\u200b", ""))
              for b in p.locator(".opblock").all()}
    operations = {(method, path) for path, ops in schema["paths"].items() for method in ops}
    assert listed == operations and len(operations) >= 5
    assert "Unable to render" not in p.locator("body").inner_text()
    # an operation really runs from the page
    block = p.locator(".opblock", has=p.locator(".opblock-summary-path", has_text="/api/runs"))
    block.locator(".opblock-summary").click()
    block.locator("button.try-out__btn").click()
    block.locator("button.execute").click()
    block.locator(".live-responses-table tr.response .response-col_status").first.wait_for(timeout=15_000)
    assert block.locator(".live-responses-table tr.response .response-col_status").first.inner_text().strip() == "200"
    p.screenshot(path=str(shots / "api-docs.png"), full_page=True)
    assert not page.dialogs and not page.csp


def test_the_runs_table_fits_a_1280_pixel_window(browser, live_url: str, shots: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    p = context.new_page()
    p.goto(live_url + "runs.html")  # the run page is the live app's (the static site has none)
    sizes = p.evaluate("""() => ({table: document.querySelector('table.runs').scrollWidth,
                                  wrap: document.querySelector('.table-wrap').clientWidth,
                                  page: document.documentElement.scrollWidth})""")
    assert sizes["table"] <= sizes["wrap"] and sizes["page"] <= 1280, sizes  # every column in sight
    cells = p.locator("table.runs tbody tr:not(.detail)").first.locator("td").all_inner_texts()
    assert cells[5] == "1 ok · 1 flagged · 1 failed" and cells[7].endswith("$0.0123"), cells
    p.screenshot(path=str(shots / "runs-1280.png"))
    context.close()


def test_the_sample_day_at_a_glance_fits_three_screens_and_every_card_reaches_its_entry(
        browser, static_url: str, shots: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    p = context.new_page()
    p.goto(static_url + "editions/hf/ko/2025-05-06.html")
    cards = p.locator("ol.cards > li.card")
    assert cards.count() == 23
    box = p.locator("ol.cards").bounding_box()
    first_entry = p.locator("article.entry").first.bounding_box()
    assert box is not None and first_entry is not None
    # the card block is at most three 1280x800 screens tall, and all of it is above the first full entry
    assert box["height"] <= 3 * 800, box
    assert box["y"] + box["height"] <= first_entry["y"]
    p.screenshot(path=str(shots / "cards-desktop.png"))
    for i in range(23):
        link = cards.nth(i).locator("h3 a")
        target = link.get_attribute("href")
        assert target and target.startswith("#p-")
        link.click()
        entry = p.locator(f"article.entry[id='{target[1:]}']")
        assert p.evaluate("location.hash") == target
        top = entry.bounding_box()
        # scrolled to the entry: its top at the screen's top (the last ones, near the page's end, lower down)
        assert top is not None and -2 < top["y"] < 800 - 40, (target, top)
        assert entry.locator("h2 a").inner_text() == link.inner_text()
    context.close()
    for name, options in (("cards-phone", {"viewport": {"width": 390, "height": 844}, "is_mobile": True,
                                            "device_scale_factor": 2}),
                          ("cards-dark", {"viewport": {"width": 1280, "height": 800}, "color_scheme": "dark"})):
        context = browser.new_context(**options)
        p = context.new_page()
        p.goto(static_url + "editions/hf/ko/2025-05-07.html")
        # nothing sticks out of the screen sideways on a phone; the card's text is clipped, not the card
        assert p.evaluate("document.documentElement.scrollWidth") <= options["viewport"]["width"]
        widths = p.eval_on_selector_all("ol.cards > li.card", "els => els.map(e => e.getBoundingClientRect().right)")
        assert max(widths) <= options["viewport"]["width"]
        p.screenshot(path=str(shots / f"{name}.png"))
        context.close()


def test_a_tag_page_works_without_javascript(browser, static_url: str, shots: Path) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    p = context.new_page()
    p.goto(static_url + "editions/hf/ko/2025-05-07.html")
    p.locator("ol.cards a.tag", has_text="cs.GR").click()
    assert p.url.endswith("/tags/cs.GR.html")
    assert p.locator("ol.cards > li.card h3 a").all_inner_texts() == ["Kettle Video: 3D Worlds from One Clip"]
    p.locator("ol.cards > li.card h3 a").click()
    assert p.url.endswith("/papers/2505.08888.html")
    p.screenshot(path=str(shots / "tag-page.png"))
    context.close()


def test_the_weekly_edition_and_the_synthesis_on_desktop_phone_and_dark(browser, static_url: str,
                                                                          shots: Path) -> None:
    for name, options in (("weekly-desktop", {"viewport": {"width": 1280, "height": 800}}),
                          ("weekly-phone", {"viewport": {"width": 390, "height": 844}, "is_mobile": True,
                                            "device_scale_factor": 2}),
                          ("weekly-dark", {"viewport": {"width": 1280, "height": 800}, "color_scheme": "dark"})):
        context = browser.new_context(**options)
        p = context.new_page()
        p.goto(static_url + "editions/hf/ko/2025-W19.html")
        assert p.locator("h1").inner_text() == "Weekly Papers (2025-05-05 – 2025-05-11)"
        themes = p.locator("section.synthesis ul.themes > li")
        assert 3 <= themes.count() <= 7
        synthesis, cards = p.locator("section.synthesis").bounding_box(), p.locator("ol.cards").bounding_box()
        assert synthesis is not None and cards is not None and synthesis["y"] < cards["y"]
        assert p.evaluate("document.documentElement.scrollWidth") <= options["viewport"]["width"]
        p.screenshot(path=str(shots / f"{name}.png"))
        cite = themes.first.locator("a.cite").first
        target = cite.get_attribute("href")
        cite.click()
        assert target and p.evaluate("location.hash") == target
        box = p.locator(f"article.entry[id='{target[1:]}']").bounding_box()
        assert box is not None and -2 < box["y"] < options["viewport"]["height"]
        context.close()
