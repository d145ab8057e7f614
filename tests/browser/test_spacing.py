"""Korean spacing on the static site (Pagefind), in the real browser: `강화학습` and `강화 학습` find the same
papers, the compound in either spelling and the two nouns apart, as `search` and `/api/search` do
(tests/test_search.py)."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator

import pytest

from dailypapers.models import Digest
from dailypapers.publish.site import build_site
from dailypapers.store import Store
from tests.browser.conftest import _Quiet
from tests.test_search import D1, SPACING

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spacing_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("spacing") / "a.db"
    out = tmp_path_factory.mktemp("spacing-site")
    with Store(db) as store:
        store.import_digest(Digest(day=D1, entries=SPACING))
        build_site(store, out)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_static_search_finds_a_korean_compound_whatever_its_spacing(page, spacing_url: str) -> None:
    p = page.page
    found = {}
    for query in ("강화학습", "강화 학습"):
        p.goto(spacing_url + "search.html?q=" + query)
        p.wait_for_selector("#hits li", timeout=15_000)
        found[query] = set(p.locator("#hits li a").all_inner_texts())
    assert found["강화학습"] == found["강화 학습"] == {"Joined", "Spaced", "Apart"}  # as in the app
    assert not page.dialogs and not page.csp
