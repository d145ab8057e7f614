"""Related papers on the live app's paper pages (issue 18), in the real browser, with the bundled model."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dailypapers.config import Settings
from dailypapers.embed.base import Embedder
from dailypapers.meaning import RELATED, embed_archive
from dailypapers.plugins import Registry, plugin_manager
from dailypapers.store import Store

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bundled() -> Embedder:
    made = Registry.load(plugin_manager(entry_points=False)).embedder(Settings(embedder="bundled"))
    assert made is not None
    return made


@pytest.fixture(scope="module")
def embedded_url(archive: Path, bundled: Embedder, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from dailypapers.web import LOOPBACK_HOSTS, create_app

    db = tmp_path_factory.mktemp("related") / "a.db"
    shutil.copy(archive, db)
    with Store(db) as store:
        assert embed_archive(store, bundled).embedded > RELATED
    server = uvicorn.Server(uvicorn.Config(create_app(db, allowed_hosts=LOOPBACK_HOSTS, embedder=bundled),
                                           host="127.0.0.1", port=0, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}/"
    server.should_exit = True
    thread.join(timeout=10)


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
