"""Related papers on the live app's paper pages (issue 18), in the real browser, with the bundled model."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from dailypapers.config import Settings
from dailypapers.embed.base import Embedder
from dailypapers.meaning import RELATED, embed_archive
from dailypapers.plugins import Registry, plugin_manager
from dailypapers.store import Store
from tests.browser.conftest import serve_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bundled() -> Embedder:
    made = Registry.load(plugin_manager(entry_points=False)).embedder(Settings(embedder="bundled"))
    assert made is not None
    return made


@pytest.fixture(scope="module")
def embedded_url(archive: Path, bundled: Embedder, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from dailypapers.web import LOOPBACK_HOSTS, create_app

    db = tmp_path_factory.mktemp("related") / "a.db"
    shutil.copy(archive, db)
    with Store(db) as store:
        assert embed_archive(store, bundled).embedded > RELATED
    yield from serve_app(create_app(db, allowed_hosts=LOOPBACK_HOSTS, embedder=bundled))


def test_a_paper_page_lists_its_related_papers_and_they_lead_to_theirs(page, embedded_url: str,
                                                                        shots: Path) -> None:
    p = page.page
    p.goto(embedded_url + "api/papers/2505.01441/related")
    expected = [h["title"] for h in p.evaluate("() => JSON.parse(document.body.innerText)")]
    assert len(expected) == RELATED
    p.goto(embedded_url + "papers/2505.01441.html")
    section = p.locator("section.related")
    assert section.locator("h2").inner_text() == "Related papers"
    links = section.locator("li a")
    assert links.all_inner_texts() == expected
    assert "Agentic Reasoning and Tool Integration" not in section.inner_text()  # not itself
    p.screenshot(path=str(shots / "paper-related.png"), full_page=True)
    links.first.click()
    p.wait_for_load_state()
    assert p.locator("h1").inner_text() == expected[0]
    assert p.locator("section.related li").count() == RELATED
    assert not page.dialogs and not page.csp
