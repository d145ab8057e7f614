"""Token counting for the budget: deterministic, offline, the same on every machine.

A tokenizer whose vocabulary file may or may not be cached on a machine (tiktoken downloads its files on
first use) would make the budgeted text, and with it the summary cache key, differ between machines that
read the same paper. This counter is a pure function of the text; `COUNTER` names it in every cache key,
so changing the rule below must change `COUNTER`.

The rule: one token per CJK character (Hangul, kana, Han: tokenizers spend about one each) and one per four
other characters, rounded up. It is an estimate for cutting text to size; what a run costs is taken from
the token counts the LLM server reports, never from this.
"""

from __future__ import annotations

import math

from dailypapers.text import CJK

COUNTER = "estimate-1"  # part of every cache key: change it together with the rule


def count_tokens(text: str) -> int:
    """Tokens in `text` by the rule above."""
    cjk = len(CJK.findall(text))
    return cjk + math.ceil((len(text) - cjk) / 4)
