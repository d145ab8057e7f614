"""The in-memory nearest-paper scan (store/vectors.py): int8 codes score every paper roughly, then the best and
every paper whose bound still reaches the list are scored exactly, so the list is the exact one."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pytest

from dailypapers.models import Digest, Entry, Paper
from dailypapers.store import Store
from dailypapers.store.vectors import Int8Codes, Pending, nearest_rows

MODEL = "test:vectors"


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=-1, keepdims=True)).astype(np.float32)


def crowded(rng: np.random.Generator, rows: int, dim: int) -> np.ndarray:
    """Vectors as a text model makes them: one shared direction and a little else, so scores crowd into a
    narrow band where int8 rounding reorders neighbours."""
    shared = rng.standard_normal(dim)
    return unit(shared + 0.08 * rng.standard_normal((rows, dim)))


def exact_best(matrix: np.ndarray, query: np.ndarray, take: int) -> list[int]:
    scores = matrix.astype(np.float64) @ query.astype(np.float64)
    return [int(i) for i in np.lexsort((np.arange(len(scores)), -scores))[:take]]


def test_the_int8_scan_finds_the_exact_nearest_rows_where_rounding_reorders_them() -> None:
    rng = np.random.default_rng(11)
    matrix = crowded(rng, 4000, 96)
    codes = Int8Codes.of(matrix)
    assert codes is not None and codes.codes.dtype == np.int8
    assert np.abs(codes.codes.astype(np.float32) * codes.scales - matrix).max() <= codes.scales.max() / 2 + 1e-6
    reordered = 0
    for query in unit(matrix[rng.integers(0, 4000, 12)] + 0.05 * rng.standard_normal((12, 96))):
        for take in (1, 10, 50):
            rows, scores = nearest_rows(matrix, codes, query, take)
            assert [int(i) for i in rows] == exact_best(matrix, query, take)
            assert np.allclose(scores, matrix[rows] @ query, atol=1e-6)
        rough = codes.codes.astype(np.int64) @ np.rint(query * codes.scales / np.abs(query * codes.scales).max()
                                                       * 127).astype(np.int64)
        reordered += [int(i) for i in np.argsort(-rough, kind="stable")[:50]] != exact_best(matrix, query, 50)
    assert reordered  # the int8 ranking alone differs: the exact re-scoring is what makes these lists right


def test_the_int8_scan_asked_for_more_rows_than_there_are_returns_them_all_in_order() -> None:
    rng = np.random.default_rng(5)
    matrix = crowded(rng, 30, 16)
    codes = Int8Codes.of(matrix)
    assert codes is not None
    rows, _ = nearest_rows(matrix, codes, matrix[3], 100)
    assert [int(i) for i in rows] == exact_best(matrix, matrix[3], 30) and rows[0] == 3


def cdist_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, ...]]:
    """The shapes of the matrices numkong's int8 product (a dependency: its absence fails here) is asked for."""
    import numkong

    calls: list[tuple[int, ...]] = []
    real = numkong.cdist
    monkeypatch.setattr(numkong, "cdist", lambda *a, **k: calls.append(a[0].shape) or real(*a, **k))
    return calls


def archive(path: Path, matrix: np.ndarray) -> list[str]:
    ids = [f"2604.{i:05d}" for i in range(len(matrix))]
    with Store(path) as store:
        store.import_digest(Digest(day=dt.date(2026, 4, 1), entries=tuple(
            Entry(paper=Paper(id=pid, title=f"Paper {i}", abstract="An abstract.")) for i, pid in enumerate(ids))))
        store.save_embeddings(MODEL, zip((Pending(pid, "", "key") for pid in ids), matrix, strict=True))
    return ids


def test_nearest_papers_go_through_the_int8_codes_and_are_the_exact_ones(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    calls = cdist_calls(monkeypatch)
    rng = np.random.default_rng(2)
    matrix = crowded(rng, 400, 64)
    ids = archive(tmp_path / "a.db", matrix)
    query = unit(matrix[7] + 0.05 * rng.standard_normal(64))
    want = [ids[i] for i in exact_best(matrix, query, 21) if ids[i] != ids[7]][:20]
    with Store(tmp_path / "a.db", readonly=True) as store:
        assert store.vector_backend() == "numpy"
        found = store.nearest(MODEL, query, limit=20, exclude=[ids[7]])
        assert [pid for pid, _ in found] == want
        assert calls == [(400, 64)]  # every paper scored once on its int8 codes
        store.use_numpy_scan(int8=False)
        assert [pid for pid, _ in store.nearest(MODEL, query, limit=20, exclude=[ids[7]])] == want
        assert len(calls) == 1  # the float32 product alone, as asked


def test_the_codes_follow_the_archive_and_without_numkong_the_float_scan_answers(tmp_path: Path,
                                                                                monkeypatch: pytest.MonkeyPatch
                                                                                ) -> None:
    rng = np.random.default_rng(3)
    matrix = crowded(rng, 300, 32)
    ids = archive(tmp_path / "a.db", matrix)
    query = matrix[0]
    with Store(tmp_path / "a.db", readonly=True) as reader, Store(tmp_path / "a.db") as writer:
        assert reader.nearest(MODEL, query, limit=1)[0][0] == ids[0]
        moved = unit(-matrix[0])  # another connection's write: the matrix and its codes are made again
        writer.save_embeddings(MODEL, [(Pending(ids[0], "", "key2"), moved)])
        assert reader.nearest(MODEL, query, limit=300)[-1][0] == ids[0]
        assert reader.nearest(MODEL, -query, limit=3)[0][0] == ids[0]
    monkeypatch.setitem(sys.modules, "numkong", None)  # an install where it cannot load
    assert Int8Codes.of(matrix) is None
    with Store(tmp_path / "a.db", readonly=True) as reader:
        assert reader.nearest(MODEL, -query, limit=1)[0][0] == ids[0]


def test_a_few_papers_related_lists_come_from_int8_candidates_and_are_the_sites(tmp_path: Path,
                                                                                monkeypatch: pytest.MonkeyPatch
                                                                                ) -> None:
    calls = cdist_calls(monkeypatch)
    rng = np.random.default_rng(4)
    matrix = crowded(rng, 500, 48)
    matrix[[40, 41, 42]] = matrix[9]  # three copies of paper 9: its list holds ties, broken by id
    matrix[[60, 61]] = matrix[10]
    ids = archive(tmp_path / "a.db", matrix)
    with Store(tmp_path / "a.db", readonly=True) as store:
        every = store.nearest_each(MODEL, limit=5)  # every paper at once: the block product, as the site
        assert calls == []
        for i in (9, 10, 40, 123, 499):
            one = store.nearest_each(MODEL, limit=5, papers=[ids[i]]).near[ids[i]]
            assert one == every.near[ids[i]]
        assert len(calls) == 5  # each list from its int8 candidates
        assert [pid for pid, _ in every.near[ids[9]]][:3] == [ids[40], ids[41], ids[42]]
        few = store.nearest_each(MODEL, limit=3, papers=[ids[0], ids[1]])
        assert few.near == {pid: every.near[pid][:3] for pid in ids[:2]}
