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

The in-memory scan of a query (`nearest`) goes in two steps, with the results of the full float32 product:

- every paper is scored roughly, on an int8 copy of the matrix (`Int8Codes`: each dimension scaled to -127..127,
  a quarter of the memory), by numkong's integer dot product (SIMD kernels; numpy has none for int8);
- the best of those (`RESCORED` more than asked) are scored exactly from the float32 rows, and so is every
  other paper whose rough score plus its bound could still reach the last one asked: each row's rounding error
  and the query's bound the gap (Cauchy-Schwarz), so no paper that belongs in the list is left out.

Measured by bench/meaning.py on 2 busy cores at 100,000 papers, the float32 product took about 24-34 ms of CPU
a query (it reads the 150 MB each time: splitting it between the cores was slower there) and the int8 scan with
its exact re-scoring a few; sqlite-vec through sqlean-py took hundreds (it reads every vector from the file on
each query). Without numkong the float32 product is used. `Vectors.vector_backend()` says which way is used.
Vectors are unit length, so the cosine is a dot product and every way ranks alike.

Related papers (`nearest_each`: every paper's nearest others, for the site's paper pages and `meaning.related`)
are found as one block matrix product for many papers at a time, in blocks of at most RELATED_BLOCK scores so
memory stays bounded; the lists of a few papers (up to FEW_LISTS: a paper page of the app, `dailypapers
related`) from their int8 candidates, as a query's, scored exactly the same way. Their scores are summed in
float64 and rounded to float32, so the score of two papers is the same whichever block, order or call computed
it (a float32 sum's last bits depend on the BLAS kernel), and ties are broken by paper id: the site's lists,
made anew or reused from its last build (`previous`), are the lists made from scratch, and the app's list of
one paper is the site's.
"""

from __future__ import annotations

import itertools
import math
import sqlite3
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from dailypapers.embed.base import paper_text, text_key
from dailypapers.models import Edition
from dailypapers.search import SearchDoc
from dailypapers.store.archive import Archive
from dailypapers.store.connection import BUSY_TIMEOUT_S
from dailypapers.store.rows import edition_key, utc_now
from dailypapers.store.searchindex import search_doc

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


@dataclass(frozen=True)
class Neighbours:
    """Papers' nearest others by one model's vectors (`Vectors.nearest_each`), best first, each with its score;
    and the key of the text each vector of the candidates was made from, by which a later call reuses a list."""

    model: str
    limit: int
    keys: Mapping[str, str] = field(default_factory=dict)  # every candidate paper -> its vector's text key
    near: Mapping[str, list[tuple[str, float]]] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {"model": self.model, "limit": self.limit, "keys": dict(self.keys),
                "near": {pid: [[q, s] for q, s in found] for pid, found in self.near.items()}}

    @classmethod
    def from_json(cls, data: object) -> Neighbours | None:
        """What `to_json` wrote; None for anything else (a site from before, a hand-edited file)."""
        try:
            assert isinstance(data, dict)
            model, limit, keys, near = data["model"], data["limit"], data["keys"], data["near"]
            assert isinstance(model, str) and isinstance(limit, int) and isinstance(keys, dict)
            assert all(isinstance(k, str) and isinstance(v, str) for k, v in keys.items())
            assert isinstance(near, dict) and type(limit) is int and limit >= 1
            lists = {pid: _neighbour_list(pid, found, limit) for pid, found in near.items()}
        except (AssertionError, KeyError, TypeError, ValueError):
            return None
        return cls(model, limit, keys, lists)


def _neighbour_list(pid: object, found: object, limit: int) -> list[tuple[str, float]]:
    """One paper's list as `Neighbours.to_json` wrote it, checked: at most `limit` other papers, each once,
    with a finite score, best first (AssertionError for anything else: a hand-edited or corrupt file)."""
    assert isinstance(pid, str) and isinstance(found, list) and len(found) <= limit
    out: list[tuple[str, float]] = []
    for item in found:
        assert isinstance(item, list) and len(item) == 2
        other, score = item
        assert isinstance(other, str) and other != pid and type(score) in (int, float) and math.isfinite(score)
        out.append((other, float(score)))
    assert len({q for q, _ in out}) == len(out) and all(a[1] >= b[1] for a, b in itertools.pairwise(out))
    return out


RELATED_BLOCK = 1 << 22  # scores held at once by `nearest_each` (float32: 16 MB)
FEW_LISTS = 16  # `nearest_each` makes up to this many lists from int8 candidates, more by the block product
SCORE_ROWS = 16_384  # vectors copied to float64 at a time (25 MB at 384 numbers)


def _ranked(found: Iterable[tuple[str, float]], limit: int) -> list[tuple[str, float]]:
    """The best `limit` of (paper, score): highest score first, a tie by paper id."""
    return sorted(found, key=lambda f: (-f[1], f[0]))[:limit]


def _best_of_rows(ids: Sequence[str], scores: np.ndarray, limit: int) -> list[list[tuple[str, float]]]:
    """Each row's best `limit` columns (as `_ranked` orders them): `limit` by one partition of the block, and
    every column tied with the last of them, so a tie at the edge goes by id too."""
    import numpy as np

    n = scores.shape[1]
    if limit >= n:
        return [_ranked(((ids[j], float(v)) for j, v in enumerate(row) if v != -np.inf), limit) for row in scores]
    top = np.argpartition(scores, n - limit, axis=1)[:, n - limit:]
    edge = np.take_along_axis(scores, top, axis=1).min(axis=1)
    ties = (scores >= edge[:, None]).sum(axis=1) > limit
    out = []
    for i, row in enumerate(scores):
        cols = np.flatnonzero(row >= edge[i]) if ties[i] else top[i]
        out.append(_ranked(((ids[j], float(row[j])) for j in cols if row[j] != -np.inf), limit))
    return out


RESCORED = 64  # rows scored exactly beyond those asked (at least as many again as asked)
SLACK = 1e-5  # float32 rounding of a score, allowed for when a rough score is compared with an exact one


@dataclass(frozen=True)
class Int8Codes:
    """A float32 matrix's rows as int8 codes: row ~ scales * codes, each dimension scaled to -127..127 by its
    largest value; with each row's rounding error |row - scales * codes| and the length of its codes, by which
    `nearest_rows` bounds how far a rough score can be from the exact one."""

    scales: np.ndarray  # (dim,) float32
    codes: np.ndarray  # (rows, dim) int8
    errors: np.ndarray  # (rows,) float32
    lengths: np.ndarray  # (rows,) float32

    @classmethod
    def of(cls, matrix: np.ndarray) -> Int8Codes | None:
        """The codes of `matrix`, made a block of rows at a time (no float copy of the whole); None when numkong
        (the int8 dot product) cannot load here."""
        import numpy as np

        try:
            import numkong  # noqa: F401
        except ImportError:
            return None
        top = np.zeros(matrix.shape[1], dtype=np.float32)
        for start in range(0, matrix.shape[0], SCORE_ROWS):
            np.maximum(top, np.abs(matrix[start:start + SCORE_ROWS]).max(axis=0), out=top)
        scales = np.where(top > 0, top / 127, 1).astype(np.float32)
        codes = np.empty(matrix.shape, dtype=np.int8)
        errors = np.empty(matrix.shape[0], dtype=np.float32)
        lengths = np.empty(matrix.shape[0], dtype=np.float32)
        for start in range(0, matrix.shape[0], SCORE_ROWS):
            block = matrix[start:start + SCORE_ROWS]
            coded = np.clip(np.rint(block / scales), -127, 127)
            codes[start:start + len(block)] = coded
            errors[start:start + len(block)] = np.linalg.norm(block - coded * scales, axis=1)
            lengths[start:start + len(block)] = np.linalg.norm(coded, axis=1)
        return cls(scales, codes, errors, lengths)


def nearest_rows(matrix: np.ndarray, codes: Int8Codes, query: np.ndarray, take: int) -> tuple[np.ndarray, np.ndarray]:
    """The `take` rows of `matrix` with the highest dot product with `query`, best first (a tie by row), and
    their float32 scores: the best of `candidate_rows`. The same rows as the full float32 product's, but for
    ties within float32 rounding."""
    import numpy as np

    vector = np.asarray(query, dtype=np.float32)
    rows, exact = candidate_rows(matrix, codes, query, take, lambda rows: matrix[rows] @ vector)
    best = np.lexsort((rows, -exact))[:take]
    return rows[best], exact[best]


def candidate_rows(matrix: np.ndarray, codes: Int8Codes, query: np.ndarray, take: int,
                   score: Callable[[np.ndarray], np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Rows of `matrix` among which are the `take` with the highest dot product with `query` (and every row
    tied with the last of them), with their `score` (the exact dot products of those rows, however computed):
    the rows the int8 codes score best (RESCORED more than `take`), and every other row whose rough score plus
    its bound reaches the `take`-th exact one (see the module's docstring)."""
    import numkong
    import numpy as np

    n = matrix.shape[0]
    take = min(take, n)
    q = np.asarray(query, dtype=np.float64)
    scaled = q * codes.scales
    step = float(np.abs(scaled).max()) / 127
    if take < 1 or step == 0 or n <= take + RESCORED:
        every = np.arange(n)
        return every, score(every)
    qcodes = np.rint(scaled / step).astype(np.int8)
    gap = float(np.linalg.norm(scaled - step * qcodes))  # the query's own rounding
    rough = np.asarray(numkong.cdist(codes.codes, qcodes[None, :], metric="dot", out_dtype="float32")).ravel()
    rough *= np.float32(step)
    length = float(np.linalg.norm(q))
    # |exact - rough| <= gap * |codes of the row| + |query| * |the row's rounding error|
    kept = min(n, take + max(take, RESCORED))
    rows = np.argpartition(rough, n - kept)[n - kept:]
    exact = score(rows)
    last = float(np.partition(exact, kept - take)[kept - take])  # the take-th best exact score
    floor = float(rough[rows].min())  # no row left out scored higher roughly
    if floor + gap * float(codes.lengths.max()) + length * float(codes.errors.max()) >= last - SLACK:
        reach = rough + (gap * codes.lengths + length * codes.errors) >= last - SLACK
        reach[rows] = False
        more = np.flatnonzero(reach)
        rows = np.concatenate([rows, more])
        exact = np.concatenate([exact, score(more)])
    return rows, exact


VectorBackend = Literal["sqlite-vec", "sqlean-py + sqlite-vec", "numpy"]
NUMPY_MAX_VECTORS = 500_000
READ_ROWS = 4_096  # vectors read from the archive at a time into the matrix


class Vectors(Archive):
    """The papers' embeddings, and nearest-neighbour queries over them."""

    _backend: VectorBackend | None = None
    _vec_conn: Any = None  # the connection sqlite-vec is loaded in: the archive's own, or sqlean-py's
    _matrix: tuple[tuple[object, ...], list[str], np.ndarray] | None = None
    _codes: tuple[tuple[object, ...], Int8Codes | None] | None = None  # (the matrix's key, its codes)
    _rows: tuple[tuple[object, ...], dict[str, int]] | None = None  # (the matrix's key, each paper's row)
    _int8 = True  # the in-memory scan goes through int8 codes first (`nearest_rows`) when numkong loads

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

    def use_numpy_scan(self, *, int8: bool = True) -> None:
        """Find nearest papers by the in-memory scan, whatever else could load; `int8=False`: by the float32
        product alone, without the int8 codes first (bench/meaning.py compares them)."""
        if self._vec_conn is not None and self._vec_conn is not self.db.conn:
            self._vec_conn.close()
        self._backend, self._vec_conn, self._int8 = "numpy", None, int8

    def close(self) -> None:
        if self._vec_conn is not None and self._vec_conn is not self.db.conn:
            self._vec_conn.close()
        self._vec_conn = None
        self._matrix = self._codes = self._rows = None
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

    def embedding_due(self, model: str, paper_id: str, edition: Edition, summary_key: str) -> Pending | None:
        """What `pending_embeddings` will list for this paper once `edition` shows it with the summary
        `summary_key` (a run merges its day only at its end, and embeds each paper before, as its summary comes):
        the text and key to embed, or None when its `model` vector was made from that text already (or the paper
        is not stored)."""
        doc = search_doc(self.db, paper_id, shown=(edition_key(edition), summary_key))
        if doc is None:
            return None
        text = paper_text(doc)
        key = text_key(text)
        have = self.db.execute("select text_key from embeddings where model = ? and paper_id = ?",
                               [model, paper_id]).fetchone()
        return None if have is not None and have[0] == key else Pending(paper_id, text, key)

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
        take = min(len(ids), limit + len(skip))
        codes = self._int8_codes() if self._int8 else None
        if codes is not None:
            rows, scores = nearest_rows(matrix, codes, query, take)
            return [(ids[i], float(s)) for i, s in zip(rows, scores, strict=True) if ids[i] not in skip][:limit]
        scores = matrix @ query
        top = np.argpartition(scores, len(ids) - take)[len(ids) - take:]
        ranked = top[np.argsort(-scores[top], kind="stable")]
        return [(ids[i], float(scores[i])) for i in ranked if ids[i] not in skip][:limit]

    def _positions(self) -> dict[str, int]:
        """Each paper's row in the matrix held now (made once a matrix: 100,000 ids take tens of ms)."""
        assert self._matrix is not None
        if self._rows is None or self._rows[0] != self._matrix[0]:
            self._rows = (self._matrix[0], {pid: i for i, pid in enumerate(self._matrix[1])})
        return self._rows[1]

    def _int8_codes(self) -> Int8Codes | None:
        """The int8 codes of the matrix held now (`_model_matrix`), made on the first query after it was read
        (the site's related papers, which use the float32 matrix alone, do not pay for them)."""
        assert self._matrix is not None
        if self._codes is None or self._codes[0] != self._matrix[0]:
            self._codes = (self._matrix[0], Int8Codes.of(self._matrix[2]))
        return self._codes[1]

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
        self._matrix = self._codes = self._rows = None  # the old matrix is freed before the new one is read
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

    def nearest_each(self, model: str, *, limit: int, papers: Collection[str] | None = None,
                     previous: Neighbours | None = None) -> Neighbours:
        """The `limit` nearest other papers in editions of each of `papers` (every paper in editions with a
        vector of `model` when None; a paper without one has no entry), best first, a tie by id (see the module's
        docstring). A list in `previous` (what an earlier call returned) is reused when its paper's vector and
        every one it lists are as they were: it is merged with the papers whose vector is new or changed, which
        gives the list made from scratch; the others are made anew, a block of papers at a time."""
        import numpy as np  # imported when used (see dailypapers.store.connection)

        row = self.db.execute("select dim from embeddings where model = ? limit 1", [model]).fetchone()
        if row is None or limit < 1:
            return Neighbours(model, limit)
        ids, matrix = self._model_matrix(model, int(row[0]))
        if previous is not None and (previous.model, previous.limit) != (model, limit):
            previous = None
        # the text keys are what a later call reuses lists by: not read for one paper's list asked alone
        keys = dict(self.db.execute(
            "select e.paper_id, e.text_key from embeddings e join search_docs d on d.paper_id = e.paper_id "
            "where e.model = ? and e.dim = ?", [model, int(row[0])]).fetchall()) if (
            previous is not None or papers is None) else {}
        at = self._positions()
        wanted = list(ids) if papers is None else list(dict.fromkeys(papers))
        changed = [pid for pid in ids if previous.keys.get(pid) != keys.get(pid)] if previous is not None else []
        new = set(changed)
        reuse: dict[str, list[tuple[str, float]]] = {}
        anew: list[str] = []
        for pid in wanted:
            last = previous.near.get(pid) if previous is not None and pid in at and pid not in new else None
            if last is not None and all(q in at and q not in new for q, _ in last):
                reuse[pid] = last  # its best of the papers that stay: only the changed ones can come in
            else:
                anew.append(pid)
        step = max(1, RELATED_BLOCK // max(1, len(ids)))  # query rows a block
        found = {pid: dict(last) for pid, last in reuse.items()}
        cols = [at[c] for c in changed] if reuse else []
        for start in range(0, len(cols), step):
            block = cols[start:start + step]
            scores = _scores(matrix[block], matrix)  # changed x all: the same numbers as all x changed
            for pid in reuse:
                j = at[pid]
                found[pid].update((ids[c], float(scores[k, j])) for k, c in enumerate(block) if c != j)
        near = {pid: _ranked(f.items(), limit) for pid, f in found.items()}
        rows = [(pid, at.get(pid)) for pid in anew]
        codes = self._int8_codes() if self._int8 and ids and len(rows) <= FEW_LISTS else None
        if codes is not None:
            # a few papers' lists (a paper page of the app, `dailypapers related`): each from its candidates by
            # the int8 codes, scored as the block product scores them (`_scores`), so a list is the site's
            for pid, i in rows:
                q = matrix[i] if i is not None else self.paper_vector(model, pid)
                if q is None or q.shape[0] != matrix.shape[1]:
                    continue
                found, exact = candidate_rows(matrix, codes, q, limit + (i is not None),
                                              lambda r, q=q: _scores(q[None, :], matrix[r])[0])
                near[pid] = _ranked(((ids[j], float(v)) for j, v in zip(found, exact, strict=True) if j != i),
                                    limit)
            rows = []
        for start in range(0, len(rows), step):
            block = rows[start:start + step]
            queries = [matrix[i] if i is not None else self.paper_vector(model, pid) for pid, i in block]
            kept = [(k, pid, i) for k, ((pid, i), q) in enumerate(zip(block, queries, strict=True))
                    if q is not None and q.shape[0] == matrix.shape[1]]
            if not kept or not ids:
                continue
            scores = _scores(np.vstack([queries[k] for k, _, _ in kept]), matrix)
            for r, (_, _, i) in enumerate(kept):
                if i is not None:
                    scores[r, i] = -np.inf  # not its own neighbour
            for (_, pid, _), best in zip(kept, _best_of_rows(ids, scores, limit), strict=True):
                near[pid] = best
        return Neighbours(model, limit, keys, {pid: near[pid] for pid in wanted if pid in near})

    def doc_titles(self) -> dict[str, str]:
        """The title of every paper in editions, by id (one read, however many)."""
        return {str(pid): str(title or "") for pid, title in
                self.db.execute("select paper_id, title from search_docs").fetchall()}

    def search_docs(self, paper_ids: Sequence[str]) -> dict[str, SearchDoc]:
        """What the search index holds for these papers (those in editions), by id."""
        ids = list(dict.fromkeys(paper_ids))
        if not ids:
            return {}
        rows = self.db.query(f"select * from search_docs where paper_id in ({', '.join('?' * len(ids))})", ids)
        return {str(r["paper_id"]): SearchDoc.from_row(r) for r in rows}


def _scores(queries: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Each query row's dot product with each matrix row, summed in float64 and rounded to float32: the same
    number for two vectors whichever block computed it."""
    import numpy as np

    out = np.empty((queries.shape[0], matrix.shape[0]), dtype=np.float32)
    q = queries.astype(np.float64)
    for start in range(0, matrix.shape[0], SCORE_ROWS):  # the float64 copy a slice of the matrix at a time
        out[:, start:start + SCORE_ROWS] = q @ matrix[start:start + SCORE_ROWS].astype(np.float64).T
    return out
