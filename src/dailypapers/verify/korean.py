"""Korean read with a real morphological analyzer (kiwipiepy, whose model ships in the kiwipiepy-model
package): which Hangul syllables of a text are numerals. `구조` (structure) holds 구 (nine) and 조 (trillion),
`16 백본` (16 backbones) holds 백 (hundred), `3 조건` (3 conditions) holds 조: the analyzer tags those as
nouns, and `백만`, `세 배` as numerals (NR) or numeral determiners (MM). A magnitude glued to digits (`1.8조`,
`12만`, `1억 2천만`) is always a numeral. The number grammar
(`claims`) keeps its regexes for digits and units, and reads a Korean number syllable only where the
analyzer tags a numeral.

The model loads once per process (about 1.3 s) on first use, only for a text that holds a candidate syllable.
"""

from __future__ import annotations

import re
import threading
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiwipiepy import Kiwi

# Syllables the number grammar reads as Korean numbers: Sino-Korean digits and magnitudes, native numerals.
NUMBER_SYLLABLES = "일이삼사오육칠팔구십백천만억조한두세네섯곱덟홉열"
_CANDIDATE = re.compile(f"[{NUMBER_SYLLABLES}]")
_NUMERAL_TAGS = frozenset({"NR", "MM", "SN"})
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _ATTACHES(tag: str) -> bool:
    """A token that may follow a numeral inside its word: a counter (NNB), a particle (J*), a suffix or a
    numeral (`1만 8천`, `만`+`에`), the copula."""
    return tag in ("NNB", "NR", "SN", "VCP", "XSN") or tag.startswith("J")
MASK = "ㆍ"  # not a Hangul syllable, not a number, not a particle: a masked syllable reads as nothing
MAX_ANALYZED_CHARS = 20_000  # a longer text is analysed in its first part only (a summary is far shorter)

_lock = threading.Lock()


@cache
def _kiwi() -> Kiwi:
    from kiwipiepy import Kiwi  # imported on first use: ~1 s of model loading no command pays unless it checks

    return Kiwi()


def mask_non_numerals(text: str) -> str:
    """`text` with every number syllable that the analyzer does not tag as a numeral replaced by `MASK`
    (same length: offsets stay valid)."""
    if not _CANDIDATE.search(text):
        return text
    head = text[:MAX_ANALYZED_CHARS]
    with _lock:  # one analyzer per process; its calls are not documented as thread-safe
        tokens = _kiwi().tokenize(head)
    numeral = bytearray(len(head))
    for i, t in enumerate(tokens):
        if t.tag not in _NUMERAL_TAGS:
            continue
        end = t.start + t.len
        # a numeral ends its word, or a counter or particle follows it (`16백 개`, `1.8조의`): `16 백본`
        # (16 backbones), where the analyzer may read 백 as a numeral and 본 as the next noun, is no 1,600
        glued = end < len(head) and _HANGUL.match(head, end)
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if t.tag != "SN" and glued and not (nxt is not None and nxt.start == end and _ATTACHES(nxt.tag)):
            continue
        numeral[t.start : end] = b"\x01" * (end - t.start)
    chars = list(text)
    kept = -2
    for m in _CANDIDATE.finditer(head):
        i = m.start()
        # a magnitude glued to digits (`1.8조`, `2천만`) is a numeral whatever the analyzer makes of the next
        # word: Korean writes no noun glued to a digit with a number syllable first
        if numeral[i] or (i > 0 and head[i - 1].isdigit()) or kept == i - 1:
            kept = i
            continue
        chars[i] = MASK
    return "".join(chars)
