"""The SQLite archive (sqlite-utils): papers, their documents, summaries, digests (day -> ordered entries),
runs and per-paper outcomes, deliveries and health reports, with a full-text search index (`search_fts`, see
`dailypapers.search`) over the titles, authors, summaries and abstracts of the papers in editions. The one
database edge: it reads and writes models (dicts at its own edge) and imports no publisher.

`Store` is the one object callers use; its parts are one module each:

    connection.py   opening (write or read-only), the owner check, migrations applied, write transactions
    migrations.py   the schema, as append-only migrations (sqlite-utils' `Migrations`)
    archive.py      papers, documents, summaries, editions, imports, search queries
    ledger.py       runs and outcomes, leases, deliveries, health reports
    periods.py      weekly and monthly editions (their entries name the days' papers and summaries)
    searchindex.py  search upkeep: the index follows every write that changes an edition
    vectors.py      the papers' embeddings, and nearest papers by them (sqlite-vec, else numpy)
    versions.py     newer arXiv versions of stored papers: kept documents, what changed, its announcement
    interest.py     the reader's 👍/👎 votes, and what interest-ranked editions chose and why
    rows.py         models <-> rows, and the SQL helpers the parts share
"""

from __future__ import annotations

import types
from typing import TYPE_CHECKING

from dailypapers.loading import deferred, import_without


def _sqlite_utils_alone() -> None:
    """sqlite-utils imports numpy, when it is installed, only to give numpy's number types column types, click
    (its command line's library) only to annotate its plug-in hook for commands, and dateutil's parser for
    its date recipes; the archive hands it no numpy values and runs none of its commands or recipes. While
    sqlite-utils loads, numpy is hidden (its `import numpy` fails, as when numpy is absent), click is a
    stand-in module that names its `Group`, and the date parser is deferred (imported when a recipe first
    parses a date), so `days`, `render` and `search` pay for none of them; all load for real whenever
    something else imports them."""
    stand_in = types.ModuleType("click", "a stand-in for sqlite-utils' hook annotation (dailypapers.store)")
    stand_in.Group = type("Group", (), {})  # type: ignore[attr-defined]
    import_without("sqlite_utils", {"numpy": None, "click": stand_in, "dateutil.parser": deferred("dateutil.parser")})


_sqlite_utils_alone()

from dailypapers.errors import ArchiveMissingError  # noqa: E402
from dailypapers.store.archive import KeyedEntries, import_key  # noqa: E402
from dailypapers.store.connection import BUSY_TIMEOUT_S  # noqa: E402
from dailypapers.store.interest import Interest  # noqa: E402
from dailypapers.store.ledger import Ledger  # noqa: E402
from dailypapers.store.periods import Periods  # noqa: E402
from dailypapers.store.vectors import Neighbours, Vectors  # noqa: E402
from dailypapers.store.versions import Versions  # noqa: E402

if TYPE_CHECKING:  # the archive loads no settings code: it is handed them
    from dailypapers.config import Settings

__all__ = ["BUSY_TIMEOUT_S", "ArchiveMissingError", "KeyedEntries", "Neighbours", "Store", "import_key"]


class Store(Periods, Vectors, Versions, Interest, Ledger):
    """One SQLite archive: its papers and editions (`Archive`, with the weekly and monthly ones: `Periods`) and
    its records of runs (`Ledger`), on one connection. Open it, use it, close it (or use it as a context manager)."""

    @classmethod
    def of(cls, settings: Settings, *, readonly: bool = False) -> Store:
        """The settings' archive (`db`), redacting their secrets from the error texts it keeps and gives."""
        return cls(settings.db, readonly=readonly, redact=settings.redactor())
