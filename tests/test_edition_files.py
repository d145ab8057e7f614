"""Each edition of a day has a file of its own, and no command replaces a file it did not write for the same
edition (issue 21: `digest --lang en` and `digest --source DIR` used to write over the main digest)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dailypapers import digestformat as markdown
from dailypapers.cli import app
from dailypapers.models import Edition
from dailypapers.store import Store
from tests.papergen import make_paper
from tests.pdfgen import make_pdf
from tests.standins.hf_arxiv import HfArxivStandIn

DAY = dt.date(2026, 6, 12)


@pytest.fixture
def setup(tmp_path: Path, hf_arxiv: HfArxivStandIn) -> dict[str, str]:
    for i, votes in enumerate([7, 31]):
        hf_arxiv.add_paper(make_paper(f"2606.2000{i}", pages=2), day=DAY, upvotes=votes)
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "notes-on-pruning.pdf").write_bytes(make_pdf(make_paper("2606.29999", pages=2), title_metadata=False))
    return {**hf_arxiv.env(), "DAILYPAPERS_DB": str(tmp_path / "a.db"),
            "DAILYPAPERS_OUT_DIR": str(tmp_path / "digests"), "DAILYPAPERS_LOCAL_METADATA": "false", "COLUMNS": "200"}


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["digest", DAY.isoformat(), *args], env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout + result.stderr


def stored(db: Path, source: str, lang: str) -> str:
    with Store(db, readonly=True) as store:
        digest = store.get_digest(Edition(day=DAY, source=source, lang=lang))
    assert digest is not None
    return markdown.render(digest)


def test_three_editions_of_one_day_are_three_intact_files(tmp_path: Path, setup: dict[str, str]) -> None:
    out = tmp_path / "digests"
    main, english, local = (out / "2026/06/12.md", out / "hf/en/2026/06/12.md", out / "local-papers/ko/2026/06/12.md")
    code, said = run(setup)
    assert code == 0, said
    first = main.read_bytes()
    code, said = run(setup, "--lang", "en")
    assert code == 0, said
    assert f"wrote {english}" in said
    code, said = run(setup, "--source", str(tmp_path / "papers"))
    assert code == 0, said
    assert f"wrote {local}" in said
    assert main.read_bytes() == first  # the main edition's file was not touched
    db = tmp_path / "a.db"
    # each file is its own edition, exactly as the archive holds it
    assert main.read_text(encoding="utf-8") == stored(db, "hf", "ko")
    assert english.read_text(encoding="utf-8") == stored(db, "hf", "en")
    assert local.read_text(encoding="utf-8") == stored(db, "local:papers", "ko")
    assert [e.paper.id for e in markdown.read_digest(local).entries] != [e.paper.id for e in
                                                                         markdown.read_digest(main).entries]
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.md")) == [
        "2026/06/12.md", "hf/en/2026/06/12.md", "local-papers/ko/2026/06/12.md"]


def test_a_backfill_of_another_language_writes_its_own_file(tmp_path: Path, setup: dict[str, str]) -> None:
    out = tmp_path / "digests"
    assert run(setup)[0] == 0
    first = (out / "2026/06/12.md").read_bytes()
    result = CliRunner().invoke(app, ["digest", "--lang", "en", "--from", DAY.isoformat(), "--to", DAY.isoformat()],
                                env=setup)
    assert result.exit_code == 0, result.output
    assert (out / "2026/06/12.md").read_bytes() == first
    assert (out / "hf/en/2026/06/12.md").read_text(encoding="utf-8") == stored(tmp_path / "a.db", "hf", "en")


def test_a_file_written_for_another_edition_is_never_replaced(tmp_path: Path, setup: dict[str, str]) -> None:
    out = tmp_path / "digests"
    assert run(setup)[0] == 0  # hf ko is the main edition: digests/2026/06/12.md
    korean = (out / "2026/06/12.md").read_bytes()
    # the configuration changes its main language: the same path, another edition
    code, said = run({**setup, "DAILYPAPERS_LANG": "en"})
    assert code == 1
    assert "holds the 2026-06-12 hf ko edition, not replaced by the 2026-06-12 hf en one" in said
    assert (out / "2026/06/12.md").read_bytes() == korean
    assert stored(tmp_path / "a.db", "hf", "en")  # nothing lost: the edition is stored, render or site show it
    # the same edition again replaces its own file
    assert run(setup, "--force")[0] == 0


def test_a_file_that_is_not_ours_is_kept(tmp_path: Path, setup: dict[str, str]) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# my notes\n\nnot a digest\n", encoding="utf-8")
    code, said = run(setup, "--out", str(notes))
    assert code == 1 and "notes.md exists and is not a digest: not replaced" in said
    assert notes.read_text(encoding="utf-8") == "# my notes\n\nnot a digest\n"
    # a digest of another day that the archive did not write is kept too
    older = tmp_path / "digests/2026/06/12.md"
    older.parent.mkdir(parents=True)
    older.write_text("## Daily Papers (2026-06-11)\n\n### [A paper](https://arxiv.org/abs/2606.00001)\n",
                     encoding="utf-8")
    code, said = run(setup)
    assert code == 1 and "holds the digest of 2026-06-11" in said
    # a digest of the same day that an earlier archive wrote (an evicted Actions cache) is the day's file
    older.write_text("## Daily Papers (2026-06-12)\n\n### [A paper](https://arxiv.org/abs/2606.00001)\n",
                     encoding="utf-8")
    code, said = run(setup)
    assert code == 0, said
    assert older.read_text(encoding="utf-8") == stored(tmp_path / "a.db", "hf", "ko")
    # --out names the file: it may replace a digest this archive wrote for another edition
    code, said = run(setup, "--lang", "en", "--out", str(older))
    assert code == 0, said
    assert older.read_text(encoding="utf-8") == stored(tmp_path / "a.db", "hf", "en")
