"""Embeddings: what a paper means, as a vector (`base.Embedder`), from a model shipped inside a package
(`bundled`) or any OpenAI-compatible `/v1/embeddings` server (`remote`); and how rankings are fused (`fusion`)."""
