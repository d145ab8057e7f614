"""What a summary cost: token counts times a price table (USD per million tokens, (input, output))."""

from __future__ import annotations

from collections.abc import Mapping

Prices = Mapping[str, tuple[float, float]]


def price_for(model: str, prices: Prices) -> tuple[float, float] | None:
    """The price of `model`, or None when the table does not know it.

    Servers and routers decorate names (`openai/gpt-4o-mini`, `gpt-4o-mini-2024-07-18`), so after an exact
    match the longest table entry that prefixes the bare name wins (`gpt-4o-mini` before `gpt-4o`).
    """
    if model in prices:
        return prices[model]
    bare = model.rsplit("/", 1)[-1]
    if bare in prices:
        return prices[bare]
    candidates = [k for k in prices if bare.startswith(k + "-")]
    if not candidates:
        return None
    return prices[max(candidates, key=len)]


def cost_of(model: str, input_tokens: int, output_tokens: int, prices: Prices) -> float:
    """USD for the tokens; 0.0 for a model with no price (a local server, or one the table lacks)."""
    price = price_for(model, prices)
    if price is None:
        return 0.0
    per_in, per_out = price
    return (input_tokens * per_in + output_tokens * per_out) / 1_000_000
