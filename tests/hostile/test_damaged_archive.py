"""An archive with a damaged page (here, of its search index): `import` and `migrate` refuse to write into it
and say so (import exited 0 and left an archive that fails SQLite's integrity check), and nothing is written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dailypapers.cli import app
from tests.conftest import SEED_FILE


def damage(db: Path, table: str) -> None:
    """Overwrite the cell pointers of the table's leaf pages (found with SQLite's dbstat table)."""
    with sqlite3.connect(db) as conn:
        try:
            pages = [r[0] for r in conn.execute("select pageno from dbstat where name = ? and pagetype = 'leaf'",
                                                [table])]
        except sqlite3.OperationalError:
            pytest.skip("this SQLite has no dbstat table to find the pages of a table")
        page_size = conn.execute("pragma page_size").fetchone()[0]
    assert pages, table
    with open(db, "r+b") as fh:
        for number in pages[:1]:
            fh.seek((number - 1) * page_size + 8)
            fh.write(b"\xff" * 64)


@pytest.mark.parametrize("table", ["search_fts_data", "search_docs"])
def test_a_damaged_search_index_is_not_written_over(tmp_path: Path, table: str) -> None:
    db = tmp_path / "a.db"
    env = {"DAILYPAPERS_DB": str(db)}
    assert CliRunner().invoke(app, ["import", str(SEED_FILE)], env=env).exit_code == 0
    damage(db, table)
    before = db.read_bytes()
    again = CliRunner().invoke(app, ["import", "--replace", str(SEED_FILE)], env=env)
    assert again.exit_code == 4, again.output
    assert "is damaged" in again.stderr and "nothing was written" in again.stderr and ".recover" in again.stderr
    assert db.read_bytes() == before
    migrate = CliRunner().invoke(app, ["migrate"], env=env)
    assert migrate.exit_code == 4 and "is damaged" in migrate.stderr
