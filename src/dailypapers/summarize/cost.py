"""What a summary costs: token counts times a price, USD per million tokens as (input, output).

Prices come from the settings first (`prices`: the user's own, e.g. a negotiated rate or `[0, 0]` for a local
server), then from the maintained `genai-prices` table. A model neither knows has no price: its calls cost 0 in
the totals, and a run with `--max-cost` refuses to start rather than run uncapped.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

Price = tuple[float, float]
Prices = Mapping[str, Price]
_MILLION = 1_000_000


def price_for(model: str, prices: Prices) -> Price | None:
    """The price of `model`: the settings' table, then genai-prices; None when neither knows it.

    Servers and routers decorate names (`openai/gpt-4o-mini`, `gpt-4o-mini-2024-07-18`): after an exact match
    the bare name (after the last `/`) is tried, and in the settings' table the longest entry that prefixes
    it (`gpt-4o-mini` before `gpt-4o`)."""
    bare = model.rsplit("/", 1)[-1]
    for name in (model, bare):
        if name in prices:
            return prices[name]
    candidates = [k for k in prices if bare.startswith(k + "-")]
    if candidates:
        return prices[max(candidates, key=len)]
    return _maintained(model) or (_maintained(bare) if bare != model else None)


@functools.cache
def _maintained(model: str) -> Price | None:
    from genai_prices import Usage, calc_price  # imported when a price is needed: it loads a large table

    try:
        per_input = calc_price(Usage(input_tokens=_MILLION, output_tokens=0), model)
        per_output = calc_price(Usage(input_tokens=0, output_tokens=_MILLION), model)
    except LookupError:
        return None
    return float(per_input.total_price), float(per_output.total_price)


def cost_of(price: Price | None, input_tokens: int, output_tokens: int) -> float:
    """USD for the tokens; 0.0 without a price (a local server, or a model no table knows)."""
    if price is None:
        return 0.0
    per_in, per_out = price
    return (input_tokens * per_in + output_tokens * per_out) / _MILLION
