"""The source index: a paper's text made searchable once, numbers as sorted values (by unit class), names
as a case- and punctuation-free stream."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from dailypapers.models import Document
from dailypapers.text import clean, one_line
from dailypapers.verify.claims import (
    COMPATIBLE,
    WORD_EXTRA,
    WORD_SCALE,
    WORD_VALUE,
    ExtractedClaim,
    UnitClass,
    atom,
    atom_unit,
    atom_value,
    is_reference,
    unit_at,
)

# In the source every number counts, also the digits inside names (Llama-2-7B holds 2 and 7B).
_SOURCE_NUM_RE = re.compile(rf"(?<![0-9])(?<![0-9][.,]){atom('a_')}", re.VERBOSE)
_SOURCE_WORDNUM_RE = re.compile(
    rf"(?<![a-z0-9])(?:{'|'.join(sorted([*WORD_VALUE, *WORD_EXTRA, *WORD_SCALE], key=len, reverse=True))})"
    rf"(?:\x01+(?:{'|'.join(sorted([*WORD_VALUE, *WORD_SCALE, 'and'], key=len, reverse=True))}))*"
    rf"(?![a-z0-9])"
)
_NAME_JOINERS = re.compile(r"[-_.'’ \n\t]")
_NOT_NAME_CHAR = re.compile(r"[^A-Za-z0-9\x01]")
_DIGIT_BEFORE = re.compile(r"[0-9]\x01*$")

# ----------------------------------------------------------------------------------------------------
# The source index


@dataclass(frozen=True)
class _Span:
    start: int
    heading: str | None
    page: int | None


class _Values:
    """Source numbers as a sorted list of values, each with the position of its first occurrence."""

    def __init__(self, pairs: list[tuple[float, int]]) -> None:
        pairs.sort()
        self.values = [v for v, _ in pairs]
        self.positions = [p for _, p in pairs]

    def first(self, low: float, high: float) -> int | None:
        i = bisect.bisect_left(self.values, low)
        j = bisect.bisect_right(self.values, high)
        return min(self.positions[i:j]) if j > i else None


class SourceIndex:
    """A paper's text made searchable once: numbers as values, names as a case- and punctuation-free
    stream."""

    def __init__(self, text: str, spans: list[_Span]) -> None:
        self.text = text
        self._spans = spans
        self._span_starts = [s.start for s in spans]
        # Same length as `text`: letters and digits lowercased, joiners (space - _ . ' newline) as \x01,
        # everything else \x00, so a match position is a position in `text`.
        joined = _NAME_JOINERS.sub("\x01", text)
        self._stream = _NOT_NAME_CHAR.sub("\x00", joined).lower()
        all_values: list[tuple[float, int]] = []
        unclassed: list[tuple[float, int]] = []  # no unit written: may be any class
        classed: dict[str, list[tuple[float, int]]] = {}  # values in the class's base unit
        fractions: list[tuple[float, int]] = []
        percents: list[tuple[float, int]] = []

        def add(value: float, pos: int, unit: tuple[UnitClass, float] | None, reference: bool) -> None:
            all_values.append((value, pos))
            if unit is not None:
                classed.setdefault(unit[0], []).append((value * unit[1], pos))
            elif not reference:  # `Table 10`, `[10]` say nothing about ten seconds
                unclassed.append((value, pos))

        for m in _SOURCE_NUM_RE.finditer(text):
            parsed = atom_value(m, "a_")
            if parsed is None:
                continue
            value, _, scale = parsed
            pos = m.start()
            unit = atom_unit(text, m, "a_")
            reference = unit is None and is_reference(text, pos, m.end())
            add(value, pos, unit, reference)
            if scale != 1.0:  # `7B`: also the bare 7, as a summary may write "7B 모델" or "Llama 2 7B"
                add(float(m.group("a_m").replace(",", "")), pos, unit, reference)
            if unit is not None and unit[0] == "percent":
                percents.append((value, pos))
            elif unit is None and "." in m.group("a_m") and value <= 1.0 and not m.group("a_e"):
                fractions.append((value, pos))
        for m in _SOURCE_WORDNUM_RE.finditer(self._stream):
            words = m.group(0).split("\x01")
            if words[0] in WORD_SCALE and _DIGIT_BEFORE.search(
                self._stream, max(0, m.start() - 3), m.start()
            ):
                continue  # the `million` of `120 million` is not one million
            value = _words_value(words)
            if value is not None:
                add(value, m.start(), unit_at(text, m.end()), False)
        self._all = _Values(all_values)
        self._unclassed = _Values(unclassed)
        self._classed = {cls: _Values(pairs) for cls, pairs in classed.items()}
        self._fractions = _Values(fractions)
        self._percents = _Values(percents)
        self._name_cache: dict[str, int | None] = {}

    # -- lookups

    def find_number(self, claim: ExtractedClaim) -> int | None:
        """Where the source states this number (the first place), or None. A range needs both ends."""
        first: int | None = None
        factors = claim.factors or (1.0,) * len(claim.values)
        for value, unit, factor in zip(claim.values, claim.units, factors, strict=True):
            pos = self._find_value(value, unit, factor, claim)
            if pos is None:
                return None
            first = pos if first is None else min(first, pos)
        return first

    def _find_value(self, value: float, unit: float, factor: float, claim: ExtractedClaim) -> int | None:
        tol = unit / 2
        if claim.hedged:
            tol = max(unit, min(_significant_unit(value), 0.1 * value))
        tol += unit * 1e-6 + 1e-12
        low, high = value - tol, value + tol
        if claim.unit_class is None:
            hits = [self._all.first(low, high)]
        else:
            # same class (converted to its base unit), or a number with no unit written after it
            hits = [self._unclassed.first(low, high)]
            for cls in COMPATIBLE.get(claim.unit_class, (claim.unit_class,)):
                if cls in self._classed:
                    hits.append(self._classed[cls].first(low * factor, high * factor))
        percent = claim.percent
        if percent:
            hits.append(self._fractions.first((value - tol) / 100, (value + tol) / 100))
        elif 0 < value <= 1 and unit < 1 and claim.unit_class is None:
            hits.append(self._percents.first((value - tol) * 100, (value + tol) * 100))
        found = [h for h in hits if h is not None]
        return min(found) if found else None

    def find_name(self, key: str) -> int | None:
        """Where the source has this name (ignoring case and punctuation, on whole tokens), or None."""
        if not key:
            return None
        if key not in self._name_cache:
            stem = key[:-1] if key.endswith("s") and len(key) > 3 else key
            body = "\x01?".join(re.escape(c) for c in stem)
            # A letter-digit change is a soft boundary: `Qwen` is in `Qwen2.5`, `eval` is not in `HumanEval`.
            first = "a-z" if stem[0].isalpha() else "0-9"
            last = "a-z" if key[-1].isalpha() else "0-9"
            pattern = rf"(?<![{first}]){body}(?:\x01?e?s)?(?![{last}])"
            m = re.search(pattern, self._stream)
            self._name_cache[key] = m.start() if m else None
        return self._name_cache[key]

    def locate(self, pos: int) -> tuple[str, str | None, int | None]:
        """The ~120-character snippet around `pos`, and the heading and page of its section."""
        start = max(0, pos - 50)
        end = min(len(self.text), pos + 70)
        snippet = one_line(self.text[start:end])
        if start > 0:
            snippet = "…" + snippet
        if end < len(self.text):
            snippet += "…"
        i = bisect.bisect_right(self._span_starts, pos) - 1
        span = self._spans[i] if i >= 0 else None
        return snippet, (span.heading if span else None), (span.page if span else None)


def _significant_unit(value: float) -> float:
    """The place of the last nonzero digit of an integer-valued number: 1000 for 1,000, 1e6 for 100만."""
    if value <= 0 or value != int(value) or value > 1e18:
        return 0.0
    unit, n = 1.0, int(value)
    while n and n % 10 == 0:
        n //= 10
        unit *= 10
    return unit


def _words_value(words: list[str]) -> float | None:
    """Spelled-out numbers: "four" -> 4, "twenty-five" -> 25, "one hundred and twenty" -> 120,
    "a million" (read as "million") -> 1e6."""
    words = [w for w in words if w]
    if len(words) == 1 and words[0] in WORD_EXTRA:
        return WORD_EXTRA[words[0]]
    total, current = 0.0, 0.0
    for w in words:
        if w in WORD_VALUE:
            current += WORD_VALUE[w]
        elif w == "hundred":
            current = (current or 1.0) * 100
        elif w in WORD_SCALE:
            total += (current or 1.0) * WORD_SCALE[w]
            current = 0.0
        elif w in WORD_EXTRA:
            current += WORD_EXTRA[w]
    return total + current


def build_index(source: Document | str) -> SourceIndex:
    """Index a paper's text once; pass the result to `verify_text` to check many texts against it."""
    if isinstance(source, str):
        return SourceIndex(clean(source), [])
    parts: list[str] = []
    spans: list[_Span] = []
    offset = 0
    for section in source.sections:
        if not section.text:
            continue
        # the heading is paper text too, and the LLM sees it in the budgeted text
        body = clean(f"{section.heading}\n{section.text}" if section.heading else section.text)
        spans.append(_Span(offset, section.heading or section.kind, section.page))
        parts.append(body)
        offset += len(body) + 2
    return SourceIndex("\n\n".join(parts), spans)
