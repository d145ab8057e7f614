"""Text utilities every stage shares: whitespace, scripts, cleaning and sentences. Pure functions.

One rule each, so the readers, the budget, the summarizers, the verifier and the renderers agree on what
a line, a CJK character and a sentence are.
"""

from __future__ import annotations

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

# A sentence ends at . ! ? followed by a space and something that can open a sentence (a capital, a digit,
# a quote or bracket, CJK), or at a CJK full stop. An abbreviation before the stop does not end it.
_BOUNDARY = re.compile(
    r"(?:(?<=[.!?])|(?<=[.!?][\"'”’)\]]))\s+(?=[\"'“‘(\[]?[A-Z0-9\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3\u3040-\u30ff\u4e00-\u9fff])"
    r"|(?<=[。！？])\s*"
)
_ABBREVIATION = re.compile(
    r"(?:\b(?:e\.g|i\.e|et al|etc|vs|cf|Fig|Figs|Eq|Eqs|Sec|Secs|Tab|Ref|Refs|No|Nos|approx|resp|Dr|Mr|Ms|"
    r"Prof|Inc|Ltd|Corp|Jr|Sr|St|vol|ch)"
    r"|(?:^|\s)[A-Z])\.$"  # an initial ("J. Smith"), not a word ending in a capital ("Bench-B.")
)
_PARAGRAPH = re.compile(r"\n\s*\n")


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


def _without_controls(text: str) -> str:
    """Controls, bidi marks and noncharacters (the rule above) as spaces."""
    text = _CONTROL.sub(" ", text)
    return _ASTRAL_NONCHARACTER.sub(" ", text) if _ASTRAL.search(text) else text


def sentences(text: str) -> list[str]:
    """The sentences of a text, in order: paragraphs (blank lines) first, then sentence ends within each."""
    out: list[str] = []
    for paragraph in _PARAGRAPH.split(text):
        flat = one_line(paragraph)
        if not flat:
            continue
        merged: list[str] = []
        for piece in _BOUNDARY.split(flat):
            piece = piece.strip()
            if not piece:
                continue
            if merged and _ABBREVIATION.search(merged[-1]):
                merged[-1] = f"{merged[-1]} {piece}"
            else:
                merged.append(piece)
        out.extend(merged)
    return out
