"""The static site built incrementally: a rebuild makes only the files whose inputs changed, and what it leaves
is byte for byte what a build from scratch of the same archive writes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from dailypapers.codehash import package_hash
from dailypapers.embed.profile import Choice
from dailypapers.models import Claim, Digest, Edition, Entry, Paper, Section, Summary, Synthesis, Theme, VersionChange
from dailypapers.publish import site
from dailypapers.publish.site import MANIFEST, build_site
from dailypapers.store import Store
from dailypapers.synthesis import content_key
from tests.sitedata import DAY, NEXT_DAY, build_archive, video_entry

DAY3 = dt.date(2025, 5, 8)
JUNE = dt.date(2025, 6, 2)


def files_of(out: Path) -> dict[str, bytes]:
    """Every file of the folder (the manifest aside), by path."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != MANIFEST}


def build(db: Path, out: Path, **kw: object) -> site.SiteReport:
    with Store(db, readonly=True) as store:
        return build_site(store, out, base_url="https://example.org/papers", **kw)  # type: ignore[arg-type]


def assert_as_from_scratch(db: Path, out: Path, tmp_path: Path, *, besides: tuple[str, ...] = (),
                           **kw: object) -> None:
    """`out` holds what a build from scratch makes (and the files `besides`, which no build wrote)."""
    scratch = tmp_path / f"scratch-{len(list(tmp_path.glob('scratch-*')))}"
    build(db, scratch, **kw)
    made, expected = files_of(out), files_of(scratch)
    made = {path: data for path, data in made.items() if path not in besides}
    assert sorted(made) == sorted(expected)
    differ = [path for path in expected if made[path] != expected[path]]
    assert differ == []
    mine, theirs = (json.loads((d / MANIFEST).read_text()) for d in (out, scratch))
    assert mine == theirs  # the same hashes, keys and memo: the next rebuild of either does the same


def tagged(paper_id: str, title: str, category: str, votes: int) -> Entry:
    paper = Paper(id=paper_id, title=title, authors=("Esme Tern",), upvotes=votes,
                  links={"category": category, "categories": f"{category} cs.LG"})
    summary = Summary(paper_id=paper_id, lang="ko", tldr=f"{title}: 12.5% 더 빠릅니다.",
                      sections=(Section(label="What's New", text=f"{title} 모델을 제안합니다."),
                                Section(label="Performance Highlights", text="정확도가 12.5% 오릅니다.")),
                      claims=(Claim(text="12.5%", kind="number", status="supported",
                                    section_label="Performance Highlights", evidence="12.5% higher accuracy",
                                    evidence_section="Results", evidence_page=5),))
    return Entry(paper=paper, summary=summary)


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    db = tmp_path / "a.db"
    build_archive(db)
    return db


def test_a_rebuild_after_a_new_day_is_the_build_from_scratch(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = build(archive, out, search=False)
    assert len(first.made) == len(first.written) > 20
    again = build(archive, out, search=False)
    assert again.made == () and again.written == () and again.unchanged == len(first.written)
    with Store(archive) as store:  # a new day: a new paper of a tag and one shown before (its page lists both days)
        store.import_digest(Digest(day=DAY3, entries=(tagged("2505.06666", "Origami Agents", "cs.CV", 9),
                                                      video_entry())))
    third = build(archive, out, search=False)
    assert_as_from_scratch(archive, out, tmp_path, search=False)
    made = set(third.made)
    assert {"editions/hf/ko/2025-05-08.html", "editions/hf/ko/2025-05-08.md", "editions/hf/ko/2025-05-07.html",
            "papers/2505.06666.html", "papers/2505.08888.html", "index.html", "archive/index.html",
            "archive/2025-05.html", "feeds/hf/ko.atom", "feeds/hf/ko/papers.atom", "tags/cs.CV.html",
            "tags/cs.CV.atom"} <= made
    # what does not show the new day is not made again, nor is its edition read
    assert not made & {"editions/hf/en/2025-05-06.html", "editions/hf/ko/2025-05-06.html",
                       "editions/hf/ko/2025-05-06.md", "papers/2505.02707.html", "feeds/hf/en.atom",
                       "editions/hf/ko/2025-W19.html", "search.html", "static/style.css"}
    assert len(made) < len(first.made) / 2
    # a day in a new month: its month page is new, and the one before it gains a "next" link
    with Store(archive) as store:
        store.import_digest(Digest(day=JUNE, entries=(tagged("2506.00001", "Kettle Routing", "cs.CL", 3),)))
    june = build(archive, out, search=False)
    assert {"archive/2025-06.html", "archive/2025-05.html"} <= set(june.made)
    assert_as_from_scratch(archive, out, tmp_path, search=False)


def test_a_changed_summary_or_paper_remakes_its_pages_and_those_that_list_it(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(archive, out, search=False)
    with Store(archive) as store:  # a claim's grounding changes: the summary is replaced under its key
        key = store.digest_summary_keys(Edition(day=DAY))["2505.02707"]
        assert key is not None
        summary = store.get_summary(key)
        assert summary is not None
        claims = tuple(c.model_copy(update={"status": "supported", "evidence": "a 3.2% gain"}) if c.text == "3.2%"
                       else c for c in summary.claims)
        store.save_summary(summary.model_copy(update={"claims": claims}), key)
    report = build(archive, out, search=False)
    made = set(report.made)
    assert {"papers/2505.02707.html", "editions/hf/ko/2025-05-06.html", "archive/2025-05.html",
            "editions/hf/ko/2025-W19.html", "feeds/hf/ko.atom"} <= made  # the weekly edition shows that summary
    assert "editions/hf/en/2025-05-06.html" not in made and "papers/2505.08888.html" not in made
    page = (out / "papers/2505.02707.html").read_text()
    assert "a 3.2% gain" in page
    assert_as_from_scratch(archive, out, tmp_path, search=False)

    with Store(archive) as store:  # a paper's record changes (a new title), and a newer version is found
        paper = store.get_paper("2505.08888")
        assert paper is not None
        store.upsert_paper(paper.model_copy(update={"title": "Kettle Video, Revised"}))
        store.save_version_change(VersionChange(paper_id="2505.02707", lang="ko", from_version=1, to_version=2,
                                                old_key=key, problem="the new PDF could not be read",
                                                found_at=dt.datetime(2025, 5, 9, tzinfo=dt.UTC)))
    report = build(archive, out, search=False)
    made = set(report.made)
    assert {"papers/2505.08888.html", "editions/hf/ko/2025-05-07.html", "editions/arxiv-cs.CL/ko/2025-05-07.html",
            "tags/cs.CV.html", "papers/2505.02707.html"} <= made
    assert "Kettle Video, Revised" in (out / "editions/arxiv-cs.CL/ko/2025-05-07.html").read_text()
    assert "editions/hf/en/2025-05-06.html" not in made
    assert_as_from_scratch(archive, out, tmp_path, search=False)


def test_a_stored_synthesis_and_interest_choices_remake_the_edition(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(archive, out, search=False)
    edition = Edition(day=DAY, lang="en")
    with Store(archive) as store:
        digest = store.get_digest(edition)
        assert digest is not None
        first = digest.entries[0].paper.id
        store.save_synthesis(Synthesis(themes=(Theme(title="Voices", text=f"Cloning voices [{first}].",
                                                     paper_ids=(first,)),),
                                       model="test-llm", key=content_key(digest.entries, "en")))
    report = build(archive, out, search=False)
    assert "editions/hf/en/2025-05-06.html" in report.made
    assert "editions/hf/ko/2025-05-06.html" not in report.made
    assert "Cloning voices" in (out / "editions/hf/en/2025-05-06.html").read_text()
    assert_as_from_scratch(archive, out, tmp_path, search=False)
    with Store(archive) as store:
        store.save_choices(edition, [Choice(first, 0.9, ("speech synthesis",))])
    report = build(archive, out, search=False)
    assert "editions/hf/en/2025-05-06.html" in report.made
    assert "speech synthesis" in (out / "editions/hf/en/2025-05-06.html").read_text()
    assert_as_from_scratch(archive, out, tmp_path, search=False)


def test_a_change_of_code_or_templates_remakes_every_file(archive: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    first = build(archive, out, search=False)
    monkeypatch.setattr(site, "code_key", lambda: "another version of the templates")
    again = build(archive, out, search=False)
    assert sorted(again.made) == sorted(first.made) and again.written == ()  # made again, the same bytes
    # the key follows the templates' bytes (and the code's)
    package = tmp_path / "package"
    (package / "templates").mkdir(parents=True)
    (package / "templates/base.html").write_text("<html>{{ x }}</html>")
    monkeypatch.undo()
    monkeypatch.setattr(site, "PACKAGE", package)  # the site's own key, over the parts it names
    package_hash.cache_clear()
    before = site.code_key()
    package_hash.cache_clear()
    (package / "templates/base.html").write_text("<html>{{ y }}</html>")
    assert site.code_key() != before
    package_hash.cache_clear()


def test_a_base_url_change_remakes_every_page(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(archive, out, search=False)
    with Store(archive, readonly=True) as store:
        report = build_site(store, out, base_url="https://elsewhere.example/", search=False)
    assert "index.html" in report.written and "papers/2505.02707.html" in report.written
    assert b"https://elsewhere.example/" in (out / "index.html").read_bytes()


def test_files_the_build_did_not_write_survive(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    mine = {"CNAME": b"papers.example.org\n", "editions/hf/ko/notes.txt": b"kept by hand\n",
            "papers/README": b"mine\n", "pagefind/extra.js": b"// mine\n"}
    for path, data in mine.items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_bytes(data)
    build(archive, out, search=False)
    with Store(archive) as store:  # an edition emptied: its papers' pages go, and nothing else
        store.import_digest(Digest(day=NEXT_DAY, source="arxiv:cs.CL", lang="ko", entries=()), replace=True)
        store.import_digest(Digest(day=NEXT_DAY, entries=()), replace=True)
    report = build(archive, out, search=False)
    assert "papers/2505.08888.html" in report.removed and not (out / "papers/2505.08888.html").exists()
    assert {path: (out / path).read_bytes() for path in mine} == mine
    assert not set(mine) & set(json.loads((out / MANIFEST).read_text())["files"])
    # a page the build wrote and someone removed is made again, though its inputs did not change
    (out / "papers/2505.02707.html").unlink()
    again = build(archive, out, search=False)
    assert again.written == ("papers/2505.02707.html",)
    assert {path: (out / path).read_bytes() for path in mine} == mine
    assert_as_from_scratch(archive, out, tmp_path, besides=tuple(mine), search=False)


@pytest.mark.slow  # a subprocess (Pagefind)
def test_with_search_a_rebuild_after_a_new_day_is_the_build_from_scratch(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(archive, out)
    with Store(archive) as store:
        store.import_digest(Digest(day=JUNE, entries=(tagged("2506.00001", "Kettle Routing", "cs.CL", 3),)))
    report = build(archive, out)
    assert not [p for p in report.written if p.startswith("pagefind/2025-05/")]
    assert_as_from_scratch(archive, out, tmp_path)
