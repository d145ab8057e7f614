"""Korean read with a real morphological analyzer (kiwipiepy, whose model ships in the kiwipiepy-model
package): whether a Hangul number word is a numeral. `구조` (structure) holds 구 (nine) and 조 (trillion),
`16 백본` (16 backbones) holds 백 (hundred), `3 조건` (3 conditions) holds 조: the analyzer tags those as nouns,
and `백만`, `십만`, `1.8 조` as numerals (NR). A magnitude glued to digits (`1.8조`, `12만`, `1억 2천만`) is
always a numeral, and the number grammar (`claims`) keeps its regexes for digits, units and native numerals
before a unit (`세 배`).

Only the words the grammar could read as a number are asked about, each with the words around it: most
Korean text costs one regex search. The model loads once per process (about 1.3 s) on first use.
"""

from __future__ import annotations

import re
import threading
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiwipiepy import Kiwi

# What the grammar may read as a Korean number and the analyzer must confirm: a Sino-Korean magnitude word
# not inside a longer word's start (`구조`, `백만`, `이만`), and a magnitude a space after digits (`16 백본`).
_ASK = re.compile(
    r"(?<![\uac00-\ud7a3])(?:[일이삼사오육칠팔구]?[십백천]|[일이삼사오육칠팔구])[만억조]"
    r"|(?<=\d )[십백천만억조]"
)
_NUMERAL_TAGS = frozenset({"NR", "MM", "SN"})
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
MASK = "ㆍ"  # not a Hangul syllable, not a number, not a particle: a masked syllable reads as nothing
_CONTEXT_CHARS = 24  # the words around a questioned word the analyzer sees
MAX_QUESTIONS = 200  # a text with more (hostile, or not prose) keeps the rest unmasked: the grammar's reading

_lock = threading.Lock()


@cache
def _kiwi() -> Kiwi:
    from kiwipiepy import Kiwi  # imported on first use: the model loads only for a text that needs it

    return Kiwi()


def _attaches(tag: str) -> bool:
    """A token that may follow a numeral inside its word: a counter (NNB), a particle (J*), a suffix, another
    numeral (`1만 8천`), the copula."""
    return tag in ("NNB", "NR", "SN", "VCP", "XSN") or tag.startswith("J")


def mask_non_numerals(text: str) -> str:
    """`text` with the number syllables the analyzer does not read as a numeral replaced by `MASK` (the same
    length: offsets stay valid)."""
    asked = list(_ASK.finditer(text))[:MAX_QUESTIONS]
    if not asked:
        return text
    chars = list(text)
    with _lock:  # one analyzer per process; its calls are not documented as thread-safe
        kiwi = _kiwi()
        for m in asked:
            start = max(0, m.start() - _CONTEXT_CHARS)
            start = text.find(" ", start, m.start()) + 1 if " " in text[start : m.start()] else start
            end = min(len(text), m.end() + _CONTEXT_CHARS)
            window = text[start:end]
            if not _numeral(kiwi.tokenize(window), window, m.start() - start, m.end() - start):
                for i in range(m.start(), m.end()):
                    chars[i] = MASK
    return "".join(chars)


def _numeral(tokens: list, window: str, start: int, end: int) -> bool:
    """Whether the analyzer reads window[start:end] as a numeral that ends its word (or is followed by a
    counter or particle): `16 백본`, read as 백 + 본 by a tired analyzer, is still no 1,600."""
    for i, t in enumerate(tokens):
        if not (t.start < end and start < t.start + t.len):
            continue
        if t.tag not in _NUMERAL_TAGS:
            return False
        stop = t.start + t.len
        if stop >= end:
            glued = stop < len(window) and _HANGUL.match(window, stop)
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            return not glued or (nxt is not None and nxt.start == stop and _attaches(nxt.tag))
    return False


# Connective endings that join two clauses (and, while, but, whereas): a clause of a Korean sentence ends after
# one of them. Which syllable is an ending is the analyzer's call: `최고` (best) and `재고` (stock) end no clause.
_CLAUSE_ENDINGS = frozenset({"고", "며", "으며", "면서", "으면서", "지만", "는데", "은데", "ㄴ데", "데"})
# A clause that a verb's modifier ending (ETM) turns into "...하는 대신" (instead, in exchange) or "...한 반면"
# (whereas) also ends there: `P-C가 19.8로 오르는 대신 처리량은 ...`. After a noun (`Adam 대신 SGD`) it ends none.
_CLAUSE_NOUNS = frozenset({"대신", "반면"})
MAX_ANALYZED_SENTENCE = 2_000  # a longer "sentence" (chars) is cut by punctuation alone


def clause_breaks(text: str, start: int, end: int) -> list[int]:
    """Where the clauses of the Korean sentence text[start:end] end: the offsets (in `text`) just after a
    connective ending (tagged EC) that a space or a comma follows (`앞섰고, RTX 4090에서`)."""
    if end - start > MAX_ANALYZED_SENTENCE or not _HANGUL.search(text, start, end):
        return []
    sentence = text[start:end]
    with _lock:
        tokens = _kiwi().tokenize(sentence)
    out = []
    for i, t in enumerate(tokens):
        stop = t.start + t.len
        if i + 1 < len(tokens) and tokens[i + 1].tag == "JKB" and tokens[i + 1].start == stop:
            stop += tokens[i + 1].len  # `반면에`
        ends = t.tag == "EC" and t.form in _CLAUSE_ENDINGS
        ends = ends or (t.tag == "NNG" and t.form in _CLAUSE_NOUNS and i > 0 and tokens[i - 1].tag == "ETM")
        if ends and stop < len(sentence) and (sentence[stop].isspace() or sentence[stop] == ","):
            out.append(start + stop)
    return out
