"""Text utilities every stage shares: whitespace, scripts, cleaning and sentences. Pure functions.

One rule each, so the readers, the budget, the summarizers, the verifier and the renderers agree on what
a line, a CJK character and a sentence are.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Hangul (jamo, compatibility jamo, syllables), kana, CJK ideographs (extension A, unified, compatibility).
CJK = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")

_ZERO_WIDTH = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad]")
# What is never text, one rule for every reader and printer (`_without_controls`): C0 controls but
# tab/newline/CR, DEL, C1 controls, bidi marks and overrides (they reorder what a reader sees), lone
# surrogates, and all 66 Unicode noncharacters (U+FDD0-FDEF and the last two code points of every plane,
# U+FFFE/FFFF ... U+10FFFE/10FFFF), which PDF extraction sometimes leaves in. The other planes' noncharacters
# have a pattern of their own, tried only on text beyond the BMP: in one character class they make every
# search ten times slower.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
                      "\ufdd0-\ufdef\ufffe\uffff]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_ASTRAL_NONCHARACTER = re.compile(
    "[" + "".join(f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0x10000, 0x110000, 0x10000)) + "]"
)

# A sentence ends at . ! ? (and the quotes or brackets that close with it) followed by whitespace and something
# that can open a sentence (a capital, a digit, a quote or bracket, CJK), at a CJK full stop, or at a blank
# line. An abbreviation or an initial before the stop does not end it.
_BOUNDARY = (  # (no groups: a capturing group makes the search twice as slow); compiled when first used
    r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3\u3040-\u30ff\u4e00-\u9fff])"
    r"|[。！？]\s*"
    r"|\n\s*\n\s*"
)
# Words whose stop ends no sentence, as written ("Fig." and "fig.", but "ms." after a number is milliseconds at
# a sentence's end), and single capitals (initials: "J. Smith", not "Bench-B.").
_ABBREVIATION_WORDS = """
    e.g i.e E.g I.e etc vs cf Cf Fig fig Figs figs Eq eq Eqs eqs Sec Secs Tab Ref Refs approx resp vol Vol ch
    Dr Mr Ms Mrs Prof Inc Ltd Corp Jr Sr St No Nos
"""
_ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())
_LONGEST_ABBREVIATION = max(map(len, _ABBREVIATIONS)) + 1  # and the bracket or quote that may open it


def one_line(text: str) -> str:
    """Whitespace (newlines included) collapsed to single spaces, trimmed."""
    return " ".join(text.split())


def clip(text: str, limit: int) -> str:
    """`one_line(text)` cut to `limit` characters, with an ellipsis when cut."""
    flat = one_line(text)
    return flat if len(flat) <= limit else flat[: max(0, limit - 1)] + "…"


def clean(text: str) -> str:
    """NFKC (full-width digits, ligatures), zero-width characters removed, controls and bidi marks as spaces."""
    return _without_controls(_ZERO_WIDTH.sub("", unicodedata.normalize("NFKC", text)))


def strip_controls(text: str) -> str:
    """Text safe to print on a terminal: control characters (escape sequences start with one), bidi marks
    and noncharacters become spaces; newlines and tabs stay."""
    return _without_controls(text)


def clean_line(text: str) -> str:
    """One line without what is never text (`strip_controls`, then `one_line`): what a title, a name or a
    feed's field is stored and shown as, so it cannot reorder what a reader sees nor fail a UTF-8 write."""
    return one_line(strip_controls(text))


def _without_controls(text: str) -> str:
    """Controls, bidi marks and noncharacters (the rule above) as spaces."""
    text = _CONTROL.sub(" ", text)
    return _ASTRAL_NONCHARACTER.sub(" ", text) if _ASTRAL.search(text) else text


@functools.cache
def _boundary() -> re.Pattern[str]:
    """`_BOUNDARY` compiled: its CJK ranges take milliseconds, paid only by what splits sentences, not by every
    command that prints a line."""
    return re.compile(_BOUNDARY)


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """The sentences of text[start:end] as (start, end) offsets into `text`, in order, without the whitespace
    around them: blank lines end paragraphs, then stops end sentences (the rule above). Linear in the text."""
    end = len(text) if end is None else end
    out: list[tuple[int, int]] = []
    s = start
    for m in _boundary().finditer(text, start, end):
        stop = m.start() + len(m.group(0).rstrip())  # after the stop and what closes with it; a blank line: at it
        if text[m.start()] == "." and _abbreviation(text, s, m.start()):
            continue
        _add_span(text, s, stop, out)
        s = m.end()
    _add_span(text, s, end, out)
    return out


def _abbreviation(text: str, start: int, dot: int) -> bool:
    """Whether the stop at `dot` ends an abbreviation ("e.g.", "Fig.", "et al.") or an initial ("J.")."""
    lo = max(start, dot - _LONGEST_ABBREVIATION)
    space = max(text.rfind(" ", lo, dot), text.rfind("\n", lo, dot), text.rfind("\t", lo, dot))
    if space < 0 and lo > start:
        return False  # a word longer than any abbreviation
    word = text[max(space + 1, lo) : dot].lstrip("([\"'“‘")
    if len(word) == 1 and word.isupper():
        return True
    if word == "al":
        return text[max(start, space - 3) : space + 1].strip() == "et"
    return word in _ABBREVIATIONS


def _add_span(text: str, s: int, e: int, out: list[tuple[int, int]]) -> None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if e > s:
        out.append((s, e))


def sentences(text: str) -> list[str]:
    """The sentences of a text, in order, each on one line (`sentence_spans`)."""
    return [one_line(text[s:e]) for s, e in sentence_spans(text)]
