"""The embedder protocol, and the text of a paper that is embedded.

An embedder turns texts into L2-normalised float32 rows. Vectors are kept in the archive under the embedder's
`model` (its name and model, so two models' vectors never meet in one comparison) with a key of the text they
were made from: a paper is embedded again only when that text changes (a new summary), so a new day embeds only
its new papers.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from dailypapers.search import SearchDoc

if TYPE_CHECKING:  # the archive imports this module and loads no settings code, nor numpy
    import numpy as np

    from dailypapers.config import Settings

# What is embedded of a paper: the models measured here read ~512 tokens, so more would be cut by them anyway.
MAX_TEXT_CHARS = 2_000
MAX_QUERY_CHARS = 512
QUERY_CACHE = 256  # query vectors an embedder keeps: a query asked again is not embedded again


@runtime_checkable
class Embedder(Protocol):
    name: str  # the plug-in's name (the `embedder` setting)
    model: str  # what stored vectors are keyed by: vectors of different models are never compared

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        """One L2-normalised float32 row per text. `query`: the texts are search queries (some models embed a
        query and a passage differently). Raises EmbedError on failure."""
        ...


@dataclass(frozen=True)
class EmbedderPlugin:
    """What the `register_embedders` hook registers: a name, a line for `dailypapers plugins`, and a factory."""

    name: str
    description: str
    create: Callable[[Settings], Embedder]


def paper_text(doc: SearchDoc) -> str:
    """The text a paper is embedded from: its title, abstract and the summaries its editions show, cut to
    MAX_TEXT_CHARS (the title first, so it is never cut)."""
    parts = [doc.title, doc.abstract, *(text for _, text in doc.summaries)]
    return "\n".join(p.strip() for p in parts if p and p.strip())[:MAX_TEXT_CHARS]


def text_key(text: str) -> str:
    """Names the text a vector was made from: a paper whose key changed is embedded again."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def normalised(rows: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (a zero row stays zero), as float32: a dot product is then the cosine."""
    import numpy as np  # imported when used: a command that embeds nothing does not pay for numpy

    rows = np.asarray(rows, dtype=np.float32)
    if rows.ndim == 1:
        rows = rows[None, :]
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms == 0, 1.0, norms)


class QueryCache:
    """The vectors of the last `size` queries an embedder made, by text: a query asked again (the search page
    and then the API, another mode, the next page of results) is not embedded again. Rows are read-only."""

    def __init__(self, size: int = QUERY_CACHE) -> None:
        self._size = size
        self._rows: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def rows(self, texts: Sequence[str], embed: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """One row per text: those kept, and the others made by `embed` in one call (and kept)."""
        import numpy as np  # imported when used (see above)

        found: dict[str, np.ndarray] = {}
        with self._lock:
            for text in texts:
                if text in self._rows:
                    self._rows.move_to_end(text)
                    found[text] = self._rows[text]
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            made = np.array(embed(missing), dtype=np.float32)
            made.flags.writeable = False
            with self._lock:
                for text, row in zip(missing, made, strict=True):
                    found[text] = self._rows[text] = row
                while len(self._rows) > self._size:
                    self._rows.popitem(last=False)
        return np.vstack([found[t] for t in texts])

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()
