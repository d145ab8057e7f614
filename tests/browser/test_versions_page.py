"""A paper's newer arXiv version on the live app's paper page (issue 20), in the real browser: what changed,
the new summary under it, and the editions' own summary kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from dailypapers import api
from dailypapers.config import Settings
from tests.browser.conftest import serve_app
from tests.papergen import SynthPaper, make_paper
from tests.standins.hf_arxiv import HfArxivStandIn
from tests.test_versions import DAY, revised

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def updated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, SynthPaper]]:
    """The app over an archive whose first paper got a v2 with a new accuracy (found by `refresh`)."""
    from dailypapers.web import LOOPBACK_HOSTS, create_app

    db = tmp_path_factory.mktemp("versions") / "a.db"
    synth = make_paper("2606.50001", pages=2)
    with HfArxivStandIn() as hf:
        hf.add_paper(synth, day=DAY, html=True, published=dt.datetime(2026, 6, 11, 20, 0, tzinfo=dt.UTC))
        settings = Settings(db=db, out_dir=db.parent / "digests", lang="en", **hf.settings_kwargs())
        api.build_digest(settings, DAY, source="arxiv:cs.CL")
        hf.new_version(revised(synth, (synth.facts["accuracy"], "73.9%")))
        assert len(api.refresh(settings).changes) == 1
    for url in serve_app(create_app(db, allowed_hosts=LOOPBACK_HOSTS, main=("arxiv:cs.CL", "en"))):
        yield url, synth


def test_the_paper_page_shows_what_the_new_version_changed(updated: tuple[str, SynthPaper], page,
                                                           shots: Path) -> None:
    # `updated` first: it runs the archive's event loops before Playwright holds one on this thread
    url, synth = updated
    p = page.page
    p.goto(f"{url}papers/{synth.arxiv_id}.html")
    section = p.locator("section.versions")
    assert section.locator("h2").inner_text() == "Newer versions"
    assert section.locator("li.changed").all_inner_texts() == [f"accuracy {synth.facts['accuracy']} → 73.9%"]
    assert section.is_visible() and section.bounding_box()["y"] < 900  # above the fold, before the editions
    details = section.locator("details.new-summary")
    assert not details.locator(".summary").is_visible()
    details.locator("> summary").click()
    assert "73.9%" in details.locator(".summary").inner_text()
    assert synth.facts["accuracy"] in p.locator("section.appearance .summary").first.inner_text()  # kept
    p.screenshot(path=str(shots / "paper-new-version.png"), full_page=True)
    assert not page.dialogs and not page.csp
