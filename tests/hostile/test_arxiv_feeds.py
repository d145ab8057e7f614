"""arXiv API answers that are not whole: an Atom feed cut off mid-entry is an error for that request, asked for
again like a request that failed on the network, and never a paper without a title and authors; an entry
that has no title is that paper's failure."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dailypapers.cli import app
from dailypapers.models import Edition
from dailypapers.sources.arxiv import IncompleteFeedError, parse_feed
from dailypapers.store import Store
from tests.papergen import make_paper
from tests.standins.base import Reply
from tests.standins.hf_arxiv import HfArxivStandIn, Listed, atom_entry, atom_feed

BASE = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
IDS = ["2606.30001", "2606.30002", "2606.30003"]


def listed(hf_arxiv: HfArxivStandIn) -> list[Listed]:
    return [hf_arxiv.add_paper(make_paper(pid, pages=1), category="cs.CL", published=BASE + dt.timedelta(hours=i))
            for i, pid in enumerate(IDS)]


def cut_feed(entries: list[Listed]) -> bytes:
    """The feed, cut off inside its last entry, right before that entry's title (the reported answer)."""
    whole = atom_feed([atom_entry(p) for p in entries])
    last = whole.index(entries[-1].synth.arxiv_id.encode())
    return whole[: whole.index(b"<title>", last)]


def run(tmp_path: Path, hf_arxiv: HfArxivStandIn) -> tuple[int, str]:
    env = {**hf_arxiv.env(), "DAILYPAPERS_DB": str(tmp_path / "a.db"), "DAILYPAPERS_OUT_DIR": str(tmp_path / "d"),
           "COLUMNS": "250"}
    result = CliRunner().invoke(app, ["digest", "--source", "arxiv:cs.CL", "--limit", "3"], env=env)
    return result.exit_code, result.output


def test_a_feed_cut_off_mid_entry_does_not_parse(hf_arxiv: HfArxivStandIn) -> None:
    entries = sorted(listed(hf_arxiv), key=lambda p: p.published, reverse=True)
    with pytest.raises(IncompleteFeedError, match="cut off"):
        parse_feed(cut_feed(entries))
    assert [p.id for p in parse_feed(atom_feed([atom_entry(p) for p in entries]))] == IDS[::-1]


def test_a_cut_off_answer_is_asked_for_again(tmp_path: Path, hf_arxiv: HfArxivStandIn) -> None:
    entries = sorted(listed(hf_arxiv), key=lambda p: p.published, reverse=True)
    hf_arxiv.fault("/api/query", Reply(body=cut_feed(entries), content_type="application/atom+xml"))
    code, output = run(tmp_path, hf_arxiv)
    assert code == 0, output
    assert len(hf_arxiv.requests_to("/api/query")) == 2  # the cut-off answer, then the whole one
    with Store(tmp_path / "a.db", readonly=True) as store:
        [(edition, _)] = store.editions()
        digest = store.get_digest(edition)
    assert digest is not None
    assert all(e.paper.title and e.paper.authors for e in digest.entries)


def test_an_answer_that_stays_cut_off_fails_the_listing(tmp_path: Path, hf_arxiv: HfArxivStandIn) -> None:
    entries = sorted(listed(hf_arxiv), key=lambda p: p.published, reverse=True)
    hf_arxiv.fault("/api/query", Reply(body=cut_feed(entries), content_type="application/atom+xml"), times=10)
    code, output = run(tmp_path, hf_arxiv)
    assert code == 1 and "cut off or damaged" in output and "after 3 attempt(s)" in output, output
    assert len(hf_arxiv.requests_to("/api/query")) == 3  # 1 + http_retries, as for a network error
    assert not (tmp_path / "d").exists()  # nothing published


def test_an_entry_without_a_title_is_that_papers_failure(tmp_path: Path, hf_arxiv: HfArxivStandIn) -> None:
    entries = sorted(listed(hf_arxiv), key=lambda p: p.published, reverse=True)
    untitled = atom_entry(entries[1]).replace(f"<title>{entries[1].synth.title.split(': ')[0]}", "<title>")
    untitled = untitled[: untitled.index("<title>")] + untitled[untitled.index("</title>") + len("</title>\n"):]
    feed = atom_feed([atom_entry(entries[0]), untitled, atom_entry(entries[2])])
    hf_arxiv.fault("/api/query", Reply(body=feed, content_type="application/atom+xml"))
    code, output = run(tmp_path, hf_arxiv)
    assert code == 1, output
    with Store(tmp_path / "a.db", readonly=True) as store:
        [(edition, _)] = store.editions()
        outcomes = store.latest_outcomes(Edition(day=edition.day, source=edition.source, lang=edition.lang))
    failed = entries[1].synth.arxiv_id
    assert outcomes[failed].status == "failed" and outcomes[failed].stage == "list"
    assert "without a title" in (outcomes[failed].reason or "")
    assert all(outcomes[p.synth.arxiv_id].status in ("ok", "flagged") for p in (entries[0], entries[2]))
