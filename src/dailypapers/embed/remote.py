"""Any OpenAI-compatible `/v1/embeddings` server (OpenAI, Ollama, vLLM, llama.cpp): `embedder = "openai"` with
`embed_base_url` and `embed_model`. The answer is untrusted: its size is capped and every row must be a finite
vector of one length, one per text, or the batch fails."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import httpx

from dailypapers.config import Settings
from dailypapers.embed.base import MAX_QUERY_CHARS, EmbedderPlugin, QueryCache, normalised
from dailypapers.errors import EmbedError
from dailypapers.hookspecs import hookimpl

if TYPE_CHECKING:  # numpy loads when something is embedded, not when the plug-ins are registered
    import numpy as np

BATCH = 64
MAX_REPLY_BYTES = 64 * 1024 * 1024  # 64 texts x 3072 floats as JSON is ~4 MB; more is not an embeddings answer
MAX_DIM = 8192
OPENAI_BASE_URL = "https://api.openai.com/v1"


class RemoteEmbedder:
    name = "openai"

    def __init__(self, base_url: str, model: str, api_key: str | None, timeout: float,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.model_name = model
        self.model = f"openai:{model}"
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._timeout = timeout
        self._transport = transport
        self._queries = QueryCache()  # a query asked again is not sent again

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        import numpy as np

        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        if query:
            return self._queries.rows([t[:MAX_QUERY_CHARS] for t in texts], self._embed)
        return self._embed(texts)

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        rows: list[np.ndarray] = []
        with httpx.Client(timeout=self._timeout, transport=self._transport, headers=self._headers) as client:
            for start in range(0, len(texts), BATCH):
                rows.append(self._batch(client, list(texts[start:start + BATCH])))
        if len({r.shape[1] for r in rows}) > 1:
            raise EmbedError("the embeddings server answered vectors of different lengths")
        return normalised(np.vstack(rows))

    def _batch(self, client: httpx.Client, batch: list[str]) -> np.ndarray:
        url = f"{self.base_url}/embeddings"
        try:
            with client.stream("POST", url, json={"model": self.model_name, "input": batch}) as reply:
                body = bytearray()
                for piece in reply.iter_bytes():
                    body += piece
                    if len(body) > MAX_REPLY_BYTES:
                        raise EmbedError(f"the embeddings server at {self.base_url} sent more than "
                                         f"{MAX_REPLY_BYTES} bytes")
                status = reply.status_code
        except httpx.HTTPError as exc:
            raise EmbedError(f"the embeddings server at {self.base_url} could not be reached "
                             f"({type(exc).__name__}); check embed_base_url") from None
        if status != 200:
            raise EmbedError(f"the embeddings server at {self.base_url} answered HTTP {status}; check "
                             "embed_base_url, embed_model and embed_api_key")
        return _vectors(bytes(body), len(batch))


def _vectors(body: bytes, count: int) -> np.ndarray:
    """The rows of an embeddings answer, in the order of the input (by each item's `index`)."""
    import numpy as np

    try:
        data: Any = json.loads(body)["data"]
        items = sorted(data, key=lambda item: int(item.get("index", 0)))
        rows = [item["embedding"] for item in items]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise EmbedError("the embeddings server's answer is not an embeddings list") from None
    if len(rows) != count:
        raise EmbedError(f"the embeddings server answered {len(rows)} vectors for {count} texts")
    dims = {len(r) if isinstance(r, list) else -1 for r in rows}
    if len(dims) != 1 or not 0 < next(iter(dims)) <= MAX_DIM:
        raise EmbedError("the embeddings server's vectors are not lists of one length")
    if not all(isinstance(x, int | float) and math.isfinite(x) for r in rows for x in r):
        raise EmbedError("the embeddings server's vectors hold something other than finite numbers")
    return np.asarray(rows, dtype=np.float32)


def from_settings(settings: Settings) -> RemoteEmbedder:
    key = settings.embed_api_key or settings.llm_api_key
    return RemoteEmbedder(settings.embed_base_url or OPENAI_BASE_URL, settings.embed_model,
                          key.get_secret_value() if key else None, settings.embed_timeout)


@hookimpl
def register_embedders(register: Callable[[EmbedderPlugin], None]) -> None:
    register(EmbedderPlugin(
        name="openai",
        description="any OpenAI-compatible /v1/embeddings server (embed_base_url, embed_model, embed_api_key)",
        create=from_settings,
    ))
