"""Embeddings in the archive (`embeddings`, migration 018): one vector per (paper, model), with the key of the
text it was made from, for the papers in editions (those in `search_docs`).

Nearest papers are found by sqlite-vec's `vec_distance_cosine` inside SQLite when this Python can load
extensions, else by one numpy product over the model's vectors, read once and kept until the table changes.
Vectors are unit length, so the cosine is a dot product and both paths rank alike.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dailypapers.embed.base import paper_text, text_key
from dailypapers.search import SearchDoc
from dailypapers.store.archive import Archive
from dailypapers.store.rows import utc_now

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class Pending:
    """A paper whose vector is missing or was made from another text."""

    paper_id: str
    text: str
    key: str


def load_sqlite_vec(conn: sqlite3.Connection) -> bool:
    """Whether sqlite-vec could be loaded into this connection (some Python builds cannot load extensions)."""
    if not hasattr(conn, "enable_load_extension"):
        return False
    try:
        import sqlite_vec

        conn.enable_load_extension(True)
        try:
            sqlite_vec.load(conn)
        finally:
            conn.enable_load_extension(False)
        return True
    except (ImportError, sqlite3.Error, AttributeError):
        return False


class Vectors(Archive):
    """The papers' embeddings, and nearest-neighbour queries over them."""

    _vec_loaded: bool | None = None
    _matrix: tuple[tuple[object, ...], list[str], np.ndarray] | None = None

    def pending_embeddings(self, model: str, limit: int | None = None) -> list[Pending]:
        """The papers in editions whose `model` vector is missing or stale, newest first."""
        have = dict(self.db.execute("select paper_id, text_key from embeddings where model = ?", [model]).fetchall())
        out: list[Pending] = []
        for row in self.db.query("select * from search_docs order by id desc"):
            text = paper_text(SearchDoc.from_row(row))
            key = text_key(text)
            if have.get(str(row["paper_id"])) != key:
                out.append(Pending(str(row["paper_id"]), text, key))
                if limit is not None and len(out) >= limit:
                    break
        return out

    def save_embeddings(self, model: str, rows: Iterable[tuple[Pending, np.ndarray]]) -> int:
        """Store vectors (replacing a paper's older one for this model); returns how many."""
        import numpy as np  # imported when used (see dailypapers.store.connection)

        now = utc_now()
        values = [(p.paper_id, model, p.key, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes(), now)
                  for p, v in rows]
        with self.transaction():
            self.db.conn.executemany(
                "insert or replace into embeddings (paper_id, model, text_key, dim, vector, created_at) "
                "values (?, ?, ?, ?, ?, ?)", values)
        return len(values)

    def has_embeddings(self, model: str | None = None) -> bool:
        """Whether the archive holds vectors of `model` (of any model when None)."""
        if model is None:
            return self.db.execute("select 1 from embeddings limit 1").fetchone() is not None
        return self.db.execute("select 1 from embeddings where model = ? limit 1", [model]).fetchone() is not None

    def embedded_count(self, model: str) -> int:
        return int(self.db.execute("select count(*) from embeddings where model = ?", [model]).fetchone()[0])

    def paper_vector(self, model: str, paper_id: str) -> np.ndarray | None:
        import numpy as np  # imported when used (see dailypapers.store.connection)

        row = self.db.execute("select vector from embeddings where model = ? and paper_id = ?",
                              [model, paper_id]).fetchone()
        return np.frombuffer(row[0], dtype=np.float32) if row else None

    def nearest(self, model: str, vector: np.ndarray, *, limit: int = 10, exclude: Sequence[str] = ()
                ) -> list[tuple[str, float]]:
        """The papers in editions nearest to `vector` (cosine, best first), without those in `exclude`."""
        import numpy as np  # imported when used (see dailypapers.store.connection)

        if limit < 1:
            return []
        query = np.asarray(vector, dtype=np.float32).ravel()
        if self._vec_loaded is None:
            self._vec_loaded = load_sqlite_vec(self.db.conn)
        skip = set(exclude)
        if self._vec_loaded:
            rows = self.db.execute(
                "select e.paper_id, 1 - vec_distance_cosine(e.vector, ?) as score from embeddings e "
                "join search_docs d on d.paper_id = e.paper_id where e.model = ? and e.dim = ? "
                "order by score desc limit ?", [query.tobytes(), model, query.shape[0], limit + len(skip)]).fetchall()
            return [(pid, float(score)) for pid, score in rows if pid not in skip][:limit]
        ids, matrix = self._model_matrix(model, query.shape[0])
        if not ids:
            return []
        scores = matrix @ query
        take = min(len(ids), limit + len(skip))
        top = np.argpartition(-scores, take - 1)[:take]
        ranked = sorted(top, key=lambda i: -scores[i])
        return [(ids[i], float(scores[i])) for i in ranked if ids[i] not in skip][:limit]

    def _model_matrix(self, model: str, dim: int) -> tuple[list[str], np.ndarray]:
        import numpy as np  # imported when used (see dailypapers.store.connection)

        # read again only after a write: another connection's commit changes data_version, this one's own
        # writes total_changes (counting rows would scan the table on every query)
        version = self.db.execute("pragma data_version").fetchone()[0]
        key = (model, dim, version, self.db.conn.total_changes)
        if self._matrix is not None and self._matrix[0] == key:
            return self._matrix[1], self._matrix[2]
        rows = self.db.execute(
            "select e.paper_id, e.vector from embeddings e join search_docs d on d.paper_id = e.paper_id "
            "where e.model = ? and e.dim = ?", [model, dim]).fetchall()
        ids = [r[0] for r in rows]
        matrix = (np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), dim)
                  if rows else np.zeros((0, dim), dtype=np.float32))
        self._matrix = (key, ids, matrix)
        return ids, matrix

    def search_docs(self, paper_ids: Sequence[str]) -> dict[str, SearchDoc]:
        """What the search index holds for these papers (those in editions), by id."""
        ids = list(dict.fromkeys(paper_ids))
        if not ids:
            return {}
        rows = self.db.query(f"select * from search_docs where paper_id in ({', '.join('?' * len(ids))})", ids)
        return {str(r["paper_id"]): SearchDoc.from_row(r) for r in rows}
