"""The archive CLI (import, render, days, --version): real runs against a database in tmp_path."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dailypapers import __version__
from dailypapers.cli import app
from tests.conftest import SEED_FILE

DATA = Path(__file__).parent / "data"
SRC = Path(__file__).resolve().parents[1] / "src"

needs_seed = pytest.mark.skipif(not SEED_FILE.is_file(), reason=f"golden sample not found at {SEED_FILE}")


def run(db: Path, *args: str):
    return CliRunner().invoke(app, ["--db", str(db), *args])


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.exit_code not in (0, None), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    err = result.stderr.strip()
    assert err.startswith("error: ") and "\n" not in err, err
    for f in fragments:
        assert f in err, err


@needs_seed
def test_import_then_render_prints_the_seed_exactly(db_path: Path) -> None:
    r = run(db_path, "import", str(SEED_FILE))
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == "imported 1 file(s), 1 day(s) (1 new): papers 23 added, 0 unchanged, 0 conflicting"
    assert r.stderr == ""  # the sample has no oddity
    r = run(db_path, "render", "2025-05-06")
    assert r.exit_code == 0, r.output
    assert r.stdout == SEED_FILE.read_text(encoding="utf-8")


@needs_seed
def test_import_twice_adds_nothing(db_path: Path) -> None:
    assert run(db_path, "import", str(SEED_FILE)).exit_code == 0
    r = run(db_path, "import", str(SEED_FILE))
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == "imported 1 file(s), 1 day(s) (0 new): papers 0 added, 23 unchanged, 0 conflicting"
    assert run(db_path, "render", "2025-05-06").stdout == SEED_FILE.read_text(encoding="utf-8")


def test_import_several_files_days_and_json(db_path: Path) -> None:
    r = run(db_path, "import", str(DATA / "digest_early.md"), str(DATA / "digest_video.md"))
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == "imported 2 file(s), 2 day(s) (2 new): papers 4 added, 0 unchanged, 0 conflicting"
    r = run(db_path, "days")
    assert r.exit_code == 0
    rows = re.findall(r"(\d{4}-\d{2}-\d{2})\W+(\w+)\W+(\w+)\W+(\d+)", r.stdout)
    # each file is an edition: HF by default, in its summaries' language
    assert rows == [("2023-08-14", "hf", "en", "2"), ("2024-11-02", "hf", "ko", "2")]
    listed = json.loads(run(db_path, "days", "--json").stdout)
    assert listed == [{"day": "2023-08-14", "source": "hf", "lang": "en", "papers": 2},
                      {"day": "2024-11-02", "source": "hf", "lang": "ko", "papers": 2}]
    r = run(db_path, "render", "2024-11-02", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["day"] == "2024-11-02"
    assert [e["paper"]["upvotes"] for e in data["entries"]] == [12, 3]
    assert data["entries"][0]["paper"]["video"].endswith("boats.mp4")
    assert data["entries"][0]["summary"]["sections"][3] == {
        "label": "Limitations", "text": "접힌 모델은 다시 펼 수 없습니다.", "emphasis": "bold"}
    r = run(db_path, "render", "2024-11-02")
    assert r.stdout == (DATA / "digest_video.md").read_text(encoding="utf-8")


def test_flag_markers_survive_import_and_show_flags_hides_them(db_path: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    flagged = tmp_path / "flagged.md"
    text = (DATA / "digest_video.md").read_text(encoding="utf-8").replace(
        "- ***Performance Highlights***: The best model holds out until step 7.",
        "- ***Performance Highlights***: The best model holds out until step 7. ⚠️(unverified: 7; Kettle)")
    flagged.write_text(text, encoding="utf-8")
    assert run(db_path, "import", str(flagged)).exit_code == 0
    assert run(db_path, "render", "2024-11-02").stdout == text
    monkeypatch.setenv("DAILYPAPERS_SHOW_FLAGS", "false")
    plain = (DATA / "digest_video.md").read_text(encoding="utf-8")
    assert run(db_path, "render", "2024-11-02").stdout == plain


def test_days_on_an_empty_archive(db_path: Path) -> None:
    r = run(db_path, "days")
    assert r.exit_code == 0
    assert "no days stored yet" in r.stdout


def test_version() -> None:
    r = CliRunner().invoke(app, ["--version"])
    assert r.exit_code == 0
    assert r.stdout.strip() == f"dailypapers {__version__}"


# -- bad input: one line, non-zero exit, no traceback --------------------------------------------------------
def test_missing_file(db_path: Path, tmp_path: Path) -> None:
    assert_one_line_error(run(db_path, "import", str(tmp_path / "nope.md")), "no such file", "nope.md")


def test_non_digest_files(db_path: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# Shopping\n\n- milk\n", encoding="utf-8")
    assert_one_line_error(run(db_path, "import", str(notes)), "notes.md", "not a digest")
    binary = tmp_path / "pic.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert_one_line_error(run(db_path, "import", str(binary)), "binary file")
    # an odd line is not a reason to refuse a file: it is kept, and reported with its file and line
    odd = tmp_path / "odd.md"
    odd.write_text("## Daily Papers (2025-01-02)\n\n### [T](https://arxiv.org/abs/2501.00001)\n\n???\n",
                   encoding="utf-8")
    r = run(db_path, "import", str(odd))
    assert r.exit_code == 0, r.output
    assert r.stderr == f"warning: {odd}:5: a line that is no part of an entry was kept as a summary line: '???'\n"


def test_a_bad_file_in_a_batch_imports_nothing(db_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text("## Daily Papers (2025-02-30)\n", encoding="utf-8")
    assert_one_line_error(run(db_path, "import", str(DATA / "digest_video.md"), str(bad)), "bad date")
    assert "no days stored yet" in run(db_path, "days").stdout


def test_bad_date_unknown_day_unknown_format(db_path: Path) -> None:
    assert_one_line_error(run(db_path, "render", "2025-13-01"), "bad date '2025-13-01'")
    assert_one_line_error(run(db_path, "render", "yesterday-ish"), "bad date")
    missing = run(db_path, "render", "2020-01-01")
    assert_one_line_error(missing, "no archive at", "dailypapers import FILE")
    assert missing.exit_code == 3 and not db_path.exists()  # reading never creates an archive
    run(db_path, "import", str(DATA / "digest_video.md"))
    r = run(db_path, "render", "2020-01-01")
    assert_one_line_error(r, "no digest stored for 2020-01-01")
    assert r.exit_code == 3
    assert_one_line_error(run(db_path, "render", "2020-01-01", "--format", "pdf"), "unknown format 'pdf'")


def test_unreadable_database(tmp_path: Path) -> None:
    directory = tmp_path / "adir"
    directory.mkdir()
    for args in (["days"], ["render", "2025-05-06"], ["import", str(DATA / "digest_early.md")]):
        r = run(directory, *args)
        assert_one_line_error(r, "is a directory")
        assert r.exit_code == 4
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not an sqlite database at all " * 200)
    r = run(garbage, "days")
    assert_one_line_error(r, "cannot open database", "garbage.db")
    assert r.exit_code == 4


# -- the real entry points -----------------------------------------------------------------------------------
def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH", "")) if p)
    env["COLUMNS"] = "60"  # a narrow terminal must still give one-line errors
    return env


def _console_script() -> str | None:
    beside = Path(sys.executable).parent / "dailypapers"
    if beside.exists():
        return str(beside)
    return shutil.which("dailypapers")


@pytest.mark.slow  # subprocesses
@pytest.mark.parametrize("entry", ["module", "script"])
def test_installed_entry_points(entry: str, tmp_path: Path) -> None:
    if entry == "module":
        cmd = [sys.executable, "-m", "dailypapers"]
    else:
        script = _console_script()
        if script is None:
            pytest.skip("the `dailypapers` console script is not installed (pip install -e . provides it)")
        cmd = [script]
    db = str(tmp_path / "sub.db")
    source = SEED_FILE if SEED_FILE.is_file() else DATA / "digest_video.md"
    day = "2025-05-06" if SEED_FILE.is_file() else "2024-11-02"

    def call(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([*cmd, "--db", db, *args], capture_output=True, env=_env(), timeout=60)

    r = call("import", str(source))
    assert r.returncode == 0, r.stderr.decode()
    r = call("render", day)
    assert r.returncode == 0, r.stderr.decode()
    assert r.stdout == source.read_bytes()
    r = call("import", str(tmp_path / "missing-file-with-a-rather-long-name-to-test-wrapping.md"))
    assert r.returncode == 2
    err = r.stderr.decode().strip()
    assert err.startswith("error: no such file") and "\n" not in err and "Traceback" not in err


def test_error_messages_keep_emoji_codes_as_text(tmp_path) -> None:
    from typer.testing import CliRunner

    from dailypapers.cli import app

    bad = tmp_path / "passwd.md"
    bad.write_text("root:x:0:0:root:/root:/bin/bash :smile:\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "e.db"), "import", str(bad)])
    assert result.exit_code != 0
    assert "root:x:0:0" in result.output and ":smile:" in result.output


def test_editions_are_imported_rendered_and_chosen(db_path: Path, tmp_path: Path) -> None:
    video = DATA / "digest_video.md"
    assert run(db_path, "import", str(video)).exit_code == 0
    assert run(db_path, "import", str(video), "--source", "local:mirror", "--lang", "en").exit_code == 0
    listed = json.loads(run(db_path, "days", "--json").stdout)
    assert [(e["source"], e["lang"]) for e in listed] == [("hf", "ko"), ("local:mirror", "en")]
    # two editions that day: the configured one (hf, ko) is the default, the other is asked for by name
    assert run(db_path, "render", "2024-11-02").stdout == video.read_text(encoding="utf-8")
    mirror = run(db_path, "render", "2024-11-02", "--source", "local:mirror", "--format", "json")
    assert json.loads(mirror.stdout)["source"] == "local:mirror"
    missing = run(db_path, "render", "2024-11-02", "--lang", "ja")
    assert_one_line_error(missing, "no digest stored for 2024-11-02 ja")
    ambiguous = CliRunner().invoke(app, ["--db", str(db_path), "render", "2024-11-02"],
                                   env={"DAILYPAPERS_LANG": "ja"})
    assert_one_line_error(ambiguous, "2024-11-02 has 2 editions", "--source local:mirror --lang en")


# -- import: every variant, never a silent overwrite ----------------------------------------------------------
def test_import_reads_every_variant_and_warns_once_per_oddity(db_path: Path) -> None:
    variants = DATA / "digest_variants.md"
    r = run(db_path, "import", str(variants))
    assert r.exit_code == 0, r.output
    warnings = r.stderr.splitlines()
    assert [w.split(": ")[1] for w in warnings] == [f"{variants}:{n}" for n in (13, 29, 32, 34, 44, 49)]
    assert "2403.02222 is listed again (first at line 18; it differs in title, votes, summary)" in warnings[-1]
    assert r.stdout.strip() == "imported 1 file(s), 1 day(s) (1 new): papers 3 added, 0 unchanged, 0 conflicting"
    rendered = run(db_path, "render", "2024-03-05").stdout
    # the rendered day imports again as the same records: nothing odd, nothing different
    again = db_path.parent / "again.md"
    again.write_text(rendered, encoding="utf-8")
    r = run(db_path, "import", str(again))
    assert r.stderr == "" and "papers 0 added, 3 unchanged, 0 conflicting" in r.stdout
    assert run(db_path, "render", "2024-03-05").stdout == rendered


def test_an_edited_copy_is_reported_field_by_field_and_changes_nothing_unless_replace(
        db_path: Path, tmp_path: Path) -> None:
    original = (DATA / "digest_video.md").read_text(encoding="utf-8")
    assert run(db_path, "import", str(DATA / "digest_video.md")).exit_code == 0
    edited = tmp_path / "edited.md"
    edited.write_text(original.replace("Kettle: A Benchmark", "Kettle (edited): A Benchmark")
                      .replace("Vote: 3", "Vote: 30"), encoding="utf-8")
    r = run(db_path, "import", str(edited))
    assert r.exit_code == 0, r.output
    lines = r.stdout.strip().splitlines()
    assert lines == [
        "2024-11-02 hf ko 2411.00043 title: archive 'Kettle: A Benchmark for Boiling Points of Reasoning', file "
        "'Kettle (edited): A Benchmark for Boiling Points of Reasoning'; kept the archive's (--replace takes the "
        "file's)",
        "2024-11-02 hf ko 2411.00043 votes: archive '3', file '30'; kept the archive's (--replace takes the file's)",
        "imported 1 file(s), 1 day(s) (0 new): papers 0 added, 1 unchanged, 1 conflicting",
    ]
    assert run(db_path, "render", "2024-11-02").stdout == original  # nothing overwritten
    r = run(db_path, "import", str(edited), "--replace")
    assert "papers 0 added, 1 unchanged, 0 conflicting, 1 replaced" in r.stdout
    assert run(db_path, "render", "2024-11-02").stdout == edited.read_text(encoding="utf-8")
    # the original title is not gone: both imports kept it
    listed = json.loads(run(db_path, "revisions", "2411.00043", "--json").stdout)
    revisions = [(x["field"], x["stored"], x["action"]) for x in listed]
    assert revisions == [("title", "Kettle: A Benchmark for Boiling Points of Reasoning", "kept"),
                         ("votes", 3, "kept"),
                         ("title", "Kettle: A Benchmark for Boiling Points of Reasoning", "replaced"),
                         ("votes", 3, "replaced")]
    table = CliRunner().invoke(app, ["--db", str(db_path), "revisions"], env={"COLUMNS": "300"}).stdout
    assert "Kettle: A Benchmark" in table and "2411.00043" in table
    assert "no revisions" in run(db_path, "revisions", "2411.00042").stdout


@needs_seed
def test_importing_the_sample_over_a_built_day_adds_and_drops_nothing(db_path: Path, tmp_path: Path) -> None:
    from dailypapers.digestformat import read_digest, render
    from dailypapers.models import Digest, Entry, Paper, Section, Summary
    from dailypapers.store import Store

    seed = read_digest(SEED_FILE)
    ours = Paper(id="2505.09999", title="A Paper Only Our Run Found", upvotes=70)
    built = Digest(day=seed.day, entries=(
        Entry(paper=ours, summary=Summary(paper_id=ours.id, sections=(Section(label="What's New", text="우리."),))),
        seed.entries[0], seed.entries[3]))
    with Store(db_path) as store:
        store.import_digest(built)
    r = run(db_path, "import", str(SEED_FILE))
    assert r.exit_code == 0, r.output
    assert "papers 21 added, 2 unchanged, 0 conflicting" in r.stdout
    with Store(db_path) as store:
        stored = store.get_digest(seed.edition)
    assert [e.paper.id for e in stored.entries] == [ours.id] + [e.paper.id for e in seed.entries]
    assert render(stored).endswith(SEED_FILE.read_text(encoding="utf-8").split("\n\n", 1)[1])


def test_a_warning_is_one_line_however_narrow_the_terminal(capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from dailypapers.cli._common import warn

    monkeypatch.setenv("COLUMNS", "40")
    warn("arXiv does not know " + ", ".join(f"2606.0{n:04d}" for n in range(12)) + "; kept what the files say")
    assert capsys.readouterr().err.count("\n") == 1
