"""👍/👎 on the live app's paper pages (issue 18), in the real browser: the app's one write, sent by its own page
under its content security policy, kept in the archive, shown again after a reload."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from dailypapers.store import Store
from tests.browser.conftest import serve_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def voting_url(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    from dailypapers.web import LOOPBACK_HOSTS, create_app

    db = tmp_path_factory.mktemp("votes") / "a.db"
    shutil.copy(archive, db)
    for url in serve_app(create_app(db, allowed_hosts=LOOPBACK_HOSTS)):
        yield url, db


def test_a_vote_is_kept_and_shown_after_a_reload(page, voting_url: tuple[str, Path], shots: Path) -> None:
    url, db = voting_url
    p = page.page
    p.goto(url + "papers/2505.01441.html")
    up, down = p.locator("p.vote button[data-v='1']"), p.locator("p.vote button[data-v='-1']")
    assert up.get_attribute("aria-pressed") == "false"
    with p.expect_response(lambda r: r.url.endswith("/vote") and r.status == 200):
        up.click()
    assert up.get_attribute("aria-pressed") == "true"
    p.reload()
    assert p.locator("p.vote").get_attribute("data-vote") == "1"
    p.screenshot(path=str(shots / "paper-vote.png"))
    with p.expect_response(lambda r: r.url.endswith("/vote") and r.status == 200):
        down.click()
    with Store(db, readonly=True) as store:
        assert store.vote_of("2505.01441") == -1
    assert not page.dialogs and not page.csp
