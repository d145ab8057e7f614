"""New arXiv versions (`dailypapers refresh`, and the daily run): one batched query for the current versions,
a newer version summarized again with the old summary kept, and exactly the numbers that changed shown: on
the paper page, in /api/papers/{id}, and as an "updated" note in the next edition's message. The Markdown of
past days is never rewritten."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import httpx
import pytest

from dailypapers import api
from dailypapers.config import Settings
from dailypapers.models import Claim, Edition, Section, Summary
from dailypapers.publish.notify import slack
from dailypapers.publish.notify.apprise import header_text
from dailypapers.publish.notify.messages import message_edition, update_lines
from dailypapers.publish.site import build_site
from dailypapers.store import Store
from dailypapers.versions import claim_changes
from dailypapers.web import create_app
from tests.papergen import SynthPaper, make_paper
from tests.standins.base import Reply
from tests.standins.hf_arxiv import HfArxivStandIn
from tests.standins.openai_server import OpenAIStandIn

DAY = dt.date(2026, 6, 12)


def revised(synth: SynthPaper, *replacements: tuple[str, str]) -> SynthPaper:
    """The paper's next version: every occurrence of each old string replaced (title, abstract and body)."""
    def swap(text: str) -> str:
        for old, new in replacements:
            text = text.replace(old, new)
        return text

    sections = [(h, [swap(p) for p in paras]) for h, paras in synth.sections]
    return dataclasses.replace(synth, title=swap(synth.title), abstract=swap(synth.abstract), sections=sections,
                               facts={k: swap(v) for k, v in synth.facts.items()})


@pytest.fixture
def archive(hf_arxiv: HfArxivStandIn, tmp_path: Path) -> tuple[Settings, list[SynthPaper]]:
    """An arXiv edition of two papers, digested (extractive, English) and written as Markdown."""
    papers = [make_paper(f"2606.2000{i}", pages=2) for i in range(2)]
    for p in papers:
        hf_arxiv.add_paper(p, day=DAY, html=True, published=dt.datetime(2026, 6, 11, 20, 0, tzinfo=dt.UTC))
    settings = Settings(db=tmp_path / "v.db", out_dir=tmp_path / "digests", lang="en",
                        **hf_arxiv.settings_kwargs())
    digest, _ = api.build_digest(settings, DAY, source="arxiv:cs.CL")
    assert digest is not None and len(digest.entries) == 2
    return settings, papers


def text_of(s: Summary) -> str:
    return " ".join(sec.text for sec in s.sections)


def markdown_bytes(settings: Settings) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(Path(settings.out_dir).rglob("*.md"))}


def test_a_new_version_shows_exactly_the_numbers_that_changed(archive, hf_arxiv: HfArxivStandIn) -> None:
    settings, (first, second) = archive
    written = markdown_bytes(settings)
    assert written
    acc, speed = first.facts["accuracy"], first.facts["speedup"]
    with Store.of(settings) as store:
        [(old_key, old_summary)] = store.shown_summaries(first.arxiv_id).values()
    assert acc in text_of(old_summary) and speed in text_of(old_summary)  # the extractive summary quotes both
    hf_arxiv.new_version(revised(first, (acc, "73.9%")))

    before = len(hf_arxiv.requests_to("/api/query"))
    report = api.refresh(settings)
    queries = hf_arxiv.requests_to("/api/query")[before:]
    assert len(queries) == 1  # one batched query for every stored paper
    assert sorted(queries[0].query["id_list"].split(",")) == [first.arxiv_id, second.arxiv_id]
    assert report.asked == 2 and not report.failed and not report.baselined
    [change] = report.changes
    assert (change.paper_id, change.lang, change.from_version, change.to_version) == (first.arxiv_id, "en", 1, 2)
    # exactly the number that changed: the speedup, the gain, the counts stayed and are not listed
    assert [(c.kind, c.label, c.before, c.after) for c in change.changes] == [("changed", "accuracy", acc, "73.9%")]
    assert change.line == f"v2: accuracy {acc} → 73.9%"

    with Store.of(settings) as store:
        assert store.get_paper(first.arxiv_id).version == 2
        assert store.get_paper(second.arxiv_id).version == 1
        assert store.get_summary(old_key) == old_summary  # the old summary is kept, unchanged
        assert change.old_key == old_key and change.new_key != old_key
        assert "73.9%" in text_of(store.get_summary(change.new_key))
        assert store.kept_documents(first.arxiv_id) == [1]  # the v1 text is kept beside the v2 text
        assert "73.9%" in " ".join(s.text for s in store.get_document(first.arxiv_id).sections)
        # the editions still show the summary they were made with
        assert store.shown_summaries(first.arxiv_id)["en"][0] == old_key
    assert markdown_bytes(settings) == written  # past days' Markdown is not rewritten

    again = api.refresh(settings)  # nothing newer: one query, no change
    assert again.changes == () and len(hf_arxiv.requests_to("/api/query")) == before + 2


def test_a_paper_with_no_new_version_costs_no_llm_call(hf_arxiv: HfArxivStandIn, tmp_path: Path,
                                                        openai_standin: OpenAIStandIn) -> None:
    papers = [make_paper(f"2606.3000{i}", pages=2) for i in range(3)]
    for p in papers:
        hf_arxiv.add_paper(p, day=DAY, html=True, published=dt.datetime(2026, 6, 11, 20, 0, tzinfo=dt.UTC))
    settings = Settings(db=tmp_path / "llm.db", out_dir=tmp_path / "digests", lang="en", judge=False,
                        llm_base_url=openai_standin.base_url, llm_model="standin-model", **hf_arxiv.settings_kwargs())
    api.build_digest(settings, DAY, source="arxiv:cs.CL")
    made = openai_standin.calls
    assert made >= 3

    assert api.refresh(settings).changes == ()
    assert openai_standin.calls == made  # nothing newer: no call at all

    hf_arxiv.new_version(revised(papers[1], (papers[1].facts["accuracy"], "12.5%")))
    report = api.refresh(settings)
    assert [c.paper_id for c in report.changes] == [papers[1].arxiv_id]
    new_calls = openai_standin.bodies()[made:]
    assert new_calls, "the new version is summarized again"
    told = [json_text(b) for b in new_calls]
    assert all(papers[1].title in t for t in told)  # only the updated paper's text was sent
    assert not any(papers[0].title in t or papers[2].title in t for t in told)
    assert report.usage.total_tokens > 0


def json_text(body: dict) -> str:
    return " ".join(str(m.get("content", "")) for m in body.get("messages", []))


def test_a_paper_stored_without_a_version_gets_the_current_one_as_its_baseline(
        hf_arxiv: HfArxivStandIn, tmp_path: Path) -> None:
    synth = make_paper("2606.40001", pages=2)
    hf_arxiv.add_paper(synth, day=DAY, upvotes=5, html=True)  # HF lists it without a version
    settings = Settings(db=tmp_path / "hf.db", out_dir=tmp_path / "digests", lang="en", **hf_arxiv.settings_kwargs())
    api.build_digest(settings, DAY)
    with Store.of(settings) as store:
        assert store.get_paper(synth.arxiv_id).version is None
    report = api.refresh(settings)
    assert report.baselined == (synth.arxiv_id,) and report.changes == ()
    hf_arxiv.new_version(revised(synth, (synth.facts["accuracy"], "50.5%")))
    [change] = api.refresh(settings).changes
    assert (change.from_version, change.to_version) == (1, 2)
    assert [(c.kind, c.after) for c in change.changes] == [("changed", "50.5%")]


def test_the_change_is_shown_on_the_pages_the_api_and_the_next_message(archive, hf_arxiv: HfArxivStandIn,
                                                                        tmp_path: Path) -> None:
    settings, (first, _) = archive
    acc = first.facts["accuracy"]
    hf_arxiv.new_version(revised(first, (acc, "73.9%"), (first.title, first.title + " (revised)")))
    api.refresh(settings)
    line = f"v2: accuracy {acc} → 73.9%"

    # the static site's paper page
    with Store.of(settings) as store:
        build_site(store, tmp_path / "site", search=False)
    page = next((tmp_path / "site" / "papers").glob(f"{first.arxiv_id}*.html")).read_text()
    assert "Newer versions" in page and f"accuracy {acc} → 73.9%" in page
    assert page.count("73.9%") >= 2  # the change, and the new summary under it

    # the web app: the page and /api/papers/{id}
    async def ask() -> tuple[str, dict]:
        transport = httpx.ASGITransport(app=create_app(Path(settings.db), main=("arxiv:cs.CL", "en")))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
            html = (await c.get(f"/papers/{first.arxiv_id}.html")).text
            data = (await c.get(f"/api/papers/{first.arxiv_id}")).json()
        return html, data

    import asyncio

    html, data = asyncio.run(ask())
    assert f"accuracy {acc} → 73.9%" in html
    [newer] = data["versions"]
    assert newer["line"] == line and newer["change"]["to_version"] == 2
    assert newer["change"]["changes"] == [{"kind": "changed", "label": "accuracy",
                                           "entity": [first.model_name, first.benchmarks[0]], "qualifier": None,
                                           "unit": "percent", "before": acc, "after": "73.9%"}]
    assert "73.9%" in " ".join(s["text"] for s in newer["summary"]["sections"])
    assert acc in " ".join(s["text"] for s in data["editions"][0]["summary"]["sections"])  # the edition's, kept

    # the next edition's message notes it once; the edition after does not again
    with Store.of(settings) as store:
        nxt = Edition(day=DAY + dt.timedelta(days=3), source="arxiv:cs.CL", lang="en")
        changes = store.announce_changes(nxt)
        assert [c.paper_id for c in changes] == [first.arxiv_id]
        assert store.announce_changes(nxt) == changes  # a delivery tried again notes the same
        assert store.announce_changes(nxt.model_copy(update={"day": nxt.day + dt.timedelta(days=1)})) == []
        assert store.announce_changes(nxt.model_copy(update={"lang": "ko"})) == []
        titles = {first.arxiv_id: store.get_paper(first.arxiv_id).title}
    digest = store_digest(settings)
    view = dataclasses.replace(message_edition(digest), updates=update_lines(changes, titles))
    assert view.updates == (f"{first.arxiv_id} {first.title} (revised): {line}",)
    blocks = {b.get("block_id"): b for b in slack.header_message(view)["blocks"]}
    assert f"accuracy {acc} → 73.9%" in blocks["updates"]["text"]["text"]
    assert line in header_text(view)[1]


def store_digest(settings: Settings):
    with Store.of(settings) as store:
        return store.get_digest(Edition(day=DAY, source="arxiv:cs.CL", lang="en"))


def number(text: str, entity: tuple[str, ...] = (), unit: str | None = "percent", context: tuple[str, ...] = (),
           sentence: str = "") -> Claim:
    return Claim(text=text, kind="number", status="supported", entity=entity, unit=unit, context=context,
                 sentence=sentence or f"It reaches {text}.")


def summary(*claims: Claim) -> Summary:
    return Summary(paper_id="2606.00001", lang="en", sections=(Section(label="", text="x"),), claims=claims)


def test_numbers_are_matched_by_their_relation_not_their_position() -> None:
    acc = ("metric:quality",)
    old = summary(number("71.2%", ("Orbit",), context=acc, sentence="Orbit reaches 71.2% accuracy."),
                  number("64.0%", ("EchoChat",), context=acc), number("3x", (), unit="multiplier"),
                  number("12 GB", ("Orbit",), unit="bytes"))
    new = summary(number("64.0 %", ("EchoChat",), context=acc),  # the same value, written otherwise
                  number("73.9%", ("Orbit",), context=acc, sentence="Orbit reaches 73.9% accuracy."),
                  number("3x", (), unit="multiplier"), number("8 ms", ("Orbit",), unit="time"))
    changes = claim_changes(old, new)
    assert [(c.kind, c.label, c.before, c.after) for c in changes] == [
        ("changed", "accuracy", "71.2%", "73.9%"),
        ("appeared", "Orbit", None, "8 ms"),
        ("vanished", "Orbit", "12 GB", None),
    ]
    assert [c.text for c in changes] == ["accuracy 71.2% → 73.9%", "Orbit 8 ms (new)", "Orbit 12 GB (gone)"]
    assert claim_changes(old, old) == ()
    # the same value stated for another name is a change of both, not "unchanged"
    moved = summary(number("71.2%", ("EchoChat",), context=acc), number("64.0%", ("Orbit",), context=acc))
    assert {(c.kind, c.after) for c in claim_changes(summary(*old.claims[:2]), moved)} == {
        ("changed", "64.0%"), ("changed", "71.2%")}


def test_a_paper_whose_new_text_cannot_be_fetched_fails_alone_and_is_found_again(
        archive, hf_arxiv: HfArxivStandIn) -> None:
    settings, (first, second) = archive
    hf_arxiv.new_version(revised(first, (first.facts["accuracy"], "73.9%")))
    hf_arxiv.new_version(revised(second, (second.facts["accuracy"], "44.4%")))
    for prefix in (f"/html/{first.arxiv_id}", f"/pdf/{first.arxiv_id}"):
        hf_arxiv.fault(prefix, Reply(status=404, body=b"gone", content_type="text/plain"))
    report = api.refresh(settings)
    assert [(f.paper_id, f.status, f.stage) for f in report.failed] == [(first.arxiv_id, "failed", "fetch")]
    assert [c.paper_id for c in report.changes] == [second.arxiv_id]
    with Store.of(settings) as store:
        assert store.get_paper(first.arxiv_id).version == 1  # not marked done: the next refresh tries again
        assert store.version_changes(first.arxiv_id) == []
    [again] = api.refresh(settings).changes
    assert again.paper_id == first.arxiv_id and again.line == f"v2: accuracy {first.facts['accuracy']} → 73.9%"


def test_the_refresh_command_lists_what_changed(archive, hf_arxiv: HfArxivStandIn,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from dailypapers.cli import app

    settings, (first, _) = archive
    for key, value in hf_arxiv.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("DAILYPAPERS_DB", str(settings.db))
    monkeypatch.setenv("DAILYPAPERS_LANG", "en")
    monkeypatch.setenv("COLUMNS", "200")
    later = CliRunner().invoke(app, ["refresh", "--since", (DAY + dt.timedelta(days=1)).isoformat()])
    assert later.exit_code == 0, later.output
    assert "0 papers asked about" in later.output  # no edition since then: nothing asked
    hf_arxiv.new_version(revised(first, (first.facts["accuracy"], "73.9%")))
    done = CliRunner().invoke(app, ["refresh", "--since", DAY.isoformat()])
    assert done.exit_code == 0, done.output
    assert f"v2: accuracy {first.facts['accuracy']} → 73.9%" in done.output
    assert "2 papers asked about, 1 with a newer version" in done.output


def test_with_both_texts_only_what_the_paper_changed_is_a_change() -> None:
    from dailypapers.verify import build_index, verify

    v1 = ("Orbit reaches 71.2% accuracy on ArcLite. Orbit runs 3.1x faster than EchoChat. "
          "Orbit uses 12 GB of memory.")
    v2 = ("Orbit reaches 73.9% accuracy on ArcLite. Orbit runs 3.1x faster than EchoChat. "
          "Orbit uses 12 GB of memory.")

    def summarized(text: str, paper: str) -> Summary:  # a summary checked against its version, as a run does
        made = Summary(paper_id="2606.00001", lang="en", sections=(Section(label="", text=text),))
        return made.model_copy(update={"claims": tuple(verify(made, paper))})

    # the v1 summary quotes the speedup, the v2 summary the memory instead: neither left or entered the paper
    old = summarized("Orbit reaches 71.2% accuracy on ArcLite. Orbit runs 3.1x faster than EchoChat.", v1)
    new = summarized("Orbit reaches 73.9% accuracy on ArcLite. Orbit uses 12 GB of memory.", v2)
    assert {c.kind for c in claim_changes(old, new)} == {"changed", "appeared", "vanished"}  # summaries alone
    changes = claim_changes(old, new, old_text=build_index(v1), new_text=build_index(v2))
    assert [(c.kind, c.label, c.before, c.after) for c in changes] == [("changed", "accuracy", "71.2%", "73.9%")]


def test_update_notes_are_bounded_and_escaped_in_every_outlet() -> None:
    from dailypapers.models import ClaimChange, Digest, VersionChange
    from dailypapers.publish.notify.deliver import HEADER
    from dailypapers.publish.notify.email import render_html
    from dailypapers.publish.notify.messages import MAX_UPDATES

    changed = (ClaimChange(kind="changed", label="accuracy", before="1%", after="2%"),)
    changes = [VersionChange(paper_id=f"2606.{i:05d}", lang="en", from_version=1, to_version=2, changes=changed)
               for i in range(MAX_UPDATES + 3)]
    hostile = {"2606.00000": "<!channel> <script>alert(1)</script> & @everyone " + "x" * 5000}
    lines = update_lines(changes, hostile)
    assert len(lines) == MAX_UPDATES + 1 and lines[-1] == "and 3 more updated papers"
    assert all(len(line) <= 600 for line in lines)
    digest = Digest(day=DAY, source="hf", lang="en", entries=())
    view = dataclasses.replace(message_edition(digest), updates=lines)
    text = slack.header_message(view)["blocks"][1]["text"]["text"]
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text and len(text) <= 3000
    html = render_html(view, [HEADER])
    assert "<script>" not in html and "&lt;script&gt;" in html
