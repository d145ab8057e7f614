"""Embeddings in the archive (`embeddings`, migration 018): one vector per (paper, model), with the key of the
text it was made from, for the papers in editions (those in `search_docs`).

Nearest papers are found by the first of:

1. one product of the query with the model's vectors, held in memory as one float32 matrix (read once a
   process, read again only when the archive changes; about 150 MB at 100,000 papers of 384 numbers), while
   they are at most NUMPY_MAX_VECTORS (about 770 MB);
2. beyond that, sqlite-vec's `vec_distance_cosine`, which scans them from the file on each query and keeps
   nothing: in the archive's own connection when this Python's sqlite3 can load extensions, else in a
   read-only connection to the file through sqlean-py's SQLite (a drop-in sqlite3 built with extension
   loading), when sqlean-py is installed; else the numpy scan still.

Measured by bench/meaning.py on 2 busy cores, the numpy scan answers 100,000 papers in tens of milliseconds (it
reads the 150 MB once a query: splitting it between the cores was slower there) and sqlite-vec through
sqlean-py in hundreds (it reads every vector from the file on each query). `Vectors.vector_backend()` says
which way is used. Vectors are unit length, so the cosine is a dot product and every way ranks alike.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from dailypapers.embed.base import paper_text, text_key
from dailypapers.search import SearchDoc
from dailypapers.store.archive import Archive
from dailypapers.store.connection import BUSY_TIMEOUT_S
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


def sqlean_vec_connection(path: Path) -> Any | None:
    """A read-only connection to the archive at `path` through sqlean-py's SQLite, with sqlite-vec loaded; None
    when sqlean-py is not installed or cannot load it."""
    try:
        import sqlean
        import sqlite_vec
    except ImportError:
        return None
    try:
        conn = sqlean.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False,
                              timeout=BUSY_TIMEOUT_S)
    except sqlean.Error:
        return None
    try:
        conn.enable_load_extension(True)
        sqlite_vec.load(conn)
        conn.enable_load_extension(False)
        return conn
    except (sqlean.Error, AttributeError, OSError):
        conn.close()
        return None


VectorBackend = Literal["sqlite-vec", "sqlean-py + sqlite-vec", "numpy"]
NUMPY_MAX_VECTORS = 500_000
READ_ROWS = 4_096  # vectors read from the archive at a time into the matrix


class Vectors(Archive):
    """The papers' embeddings, and nearest-neighbour queries over them."""

    _backend: VectorBackend | None = None
    _vec_conn: Any = None  # the connection sqlite-vec is loaded in: the archive's own, or sqlean-py's
    _matrix: tuple[tuple[object, ...], list[str], np.ndarray] | None = None

    def vector_backend(self) -> VectorBackend:
        """How nearest papers are found here (see the module's docstring); decided on first use."""
        if self._backend is None:
            if self._vector_count() <= NUMPY_MAX_VECTORS:
                self._backend = "numpy"
            elif load_sqlite_vec(self.db.conn):
                self._backend, self._vec_conn = "sqlite-vec", self.db.conn
            elif self.path is not None and (conn := sqlean_vec_connection(self.path)) is not None:
                self._backend, self._vec_conn = "sqlean-py + sqlite-vec", conn
            else:
                self._backend = "numpy"
        return self._backend

    def _vector_count(self) -> int:
        return int(self.db.execute("select count(*) from embeddings").fetchone()[0])

    def use_sqlean_vec(self) -> bool:
        """Find nearest papers by sqlite-vec through sqlean-py whatever the archive's size, when it loads
        (bench/meaning.py compares the ways); False if it does not."""
        conn = sqlean_vec_connection(self.path) if self.path is not None else None
        if conn is None:
            return False
        self.use_numpy_scan()
        self._backend, self._vec_conn = "sqlean-py + sqlite-vec", conn
        return True

    def use_numpy_scan(self) -> None:
        """Find nearest papers by the numpy scan, whatever else could load (bench/meaning.py compares them)."""
        if self._vec_conn is not None and self._vec_conn is not self.db.conn:
            self._vec_conn.close()
        self._backend, self._vec_conn = "numpy", None

    def close(self) -> None:
        if self._vec_conn is not None and self._vec_conn is not self.db.conn:
            self._vec_conn.close()
        self._vec_conn = None
        self._matrix = None
        super().close()

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

    def recent_vectors(self, model: str, limit: int) -> np.ndarray:
        """The vectors of `model` last made, at most `limit` (rows; none: zero rows of no width)."""
        import numpy as np  # imported when used (see dailypapers.store.connection)

        rows = self.db.execute("select vector from embeddings where model = ? order by created_at desc limit ?",
                               [model, limit]).fetchall()
        if not rows:
            return np.zeros((0, 0), dtype=np.float32)
        return np.vstack([np.frombuffer(r[0], dtype=np.float32) for r in rows])

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
        skip = set(exclude)
        if self.vector_backend() != "numpy":
            rows = self._vec_conn.execute(
                "select e.paper_id, 1 - vec_distance_cosine(e.vector, ?) as score from embeddings e "
                "join search_docs d on d.paper_id = e.paper_id where e.model = ? and e.dim = ? "
                "order by score desc limit ?", [query.tobytes(), model, query.shape[0], limit + len(skip)]).fetchall()
            return [(pid, float(score)) for pid, score in rows if pid not in skip][:limit]
        ids, matrix = self._model_matrix(model, query.shape[0])
        if not ids:
            return []
        scores = matrix @ query
        take = min(len(ids), limit + len(skip))
        top = np.argpartition(scores, len(ids) - take)[len(ids) - take:]
        ranked = top[np.argsort(-scores[top], kind="stable")]
        return [(ids[i], float(scores[i])) for i in ranked if ids[i] not in skip][:limit]

    def _model_matrix(self, model: str, dim: int) -> tuple[list[str], np.ndarray]:
        """The ids and vectors of `model`'s papers in editions, as one float32 matrix, read once and kept until
        the archive changes."""
        import numpy as np  # imported when used (see dailypapers.store.connection)

        # read again only after a write: another connection's commit changes data_version, this one's own
        # writes total_changes (counting rows would scan the table on every query)
        version = self.db.execute("pragma data_version").fetchone()[0]
        key = (model, dim, version, self.db.conn.total_changes)
        if self._matrix is not None and self._matrix[0] == key:
            return self._matrix[1], self._matrix[2]
        self._matrix = None  # the old matrix is freed before the new one is read
        where = "from embeddings e join search_docs d on d.paper_id = e.paper_id where e.model = ? and e.dim = ?"
        count = int(self.db.execute(f"select count(*) {where}", [model, dim]).fetchone()[0])
        matrix = np.empty((count, dim), dtype=np.float32)
        ids: list[str] = []
        cursor = self.db.conn.execute(f"select e.paper_id, e.vector {where}", [model, dim])
        while rows := cursor.fetchmany(READ_ROWS):
            block = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), dim)
            if len(ids) + len(rows) > matrix.shape[0]:  # a write between the count and the read
                matrix = np.resize(matrix, (len(ids) + len(rows), dim))
            matrix[len(ids):len(ids) + len(rows)] = block
            ids.extend(r[0] for r in rows)
        matrix = matrix[:len(ids)]
        self._matrix = (key, ids, matrix)
        return ids, matrix

    def search_docs(self, paper_ids: Sequence[str]) -> dict[str, SearchDoc]:
        """What the search index holds for these papers (those in editions), by id."""
        ids = list(dict.fromkeys(paper_ids))
        if not ids:
            return {}
        rows = self.db.query(f"select * from search_docs where paper_id in ({', '.join('?' * len(ids))})", ids)
        return {str(r["paper_id"]): SearchDoc.from_row(r) for r in rows}
