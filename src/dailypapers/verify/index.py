"""The source index: a paper's text made searchable once.

The text is cut into evidence units (`evidence.cut`: sentences, table rows, table captions). Every number the
paper states is an occurrence with its value, unit class and unit; lookups are binary searches over sorted
values per class.
Names are matched on a case- and punctuation-free stream of the text, so `HumanEval-V`, `humaneval v` and
`HumanEvalV` are one key. Units are parsed for relations (`relations.parse`) lazily, only when a claim's
value is found in them.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from dailypapers.models import Document
from dailypapers.text import clean, clip, one_line
from dailypapers.verify.claims import (
    WORD_EXTRA,
    WORD_SCALE,
    WORD_VALUE,
    ExtractedClaim,
    UnitClass,
    atom,
    atom_unit,
    atom_value,
    extract_cleaned,
    is_citation_year,
    is_reference,
    name_key,
    unit_at,
)
from dailypapers.verify.evidence import EvidenceKind, EvidenceUnit, RowParsed, Span, Table, cells, cut
from dailypapers.verify.relations import Anchor, Parsed, own_value, parse

# In the source every number counts, also the digits inside names (Llama-2-7B holds 2 and 7B).
# (the leading lookahead lets the engine skip to digits fast; the lookbehinds alone would be tried everywhere)
_SOURCE_NUM_RE = re.compile(rf"(?=[0-9.])(?<![0-9])(?<![0-9][.,]){atom('a_')}", re.VERBOSE)
_SOURCE_WORDNUM_RE = re.compile(
    rf"(?<![a-z0-9])(?:{'|'.join(sorted([*WORD_VALUE, *WORD_EXTRA, *WORD_SCALE], key=len, reverse=True))})"
    rf"(?:\x01+(?:{'|'.join(sorted([*WORD_VALUE, *WORD_SCALE, 'and'], key=len, reverse=True))}))*"
    rf"(?![a-z0-9])"
)
_DIGIT_BEFORE = re.compile(r"[0-9]\x01*$")
_LINE_START_MARKER = re.compile(r"(?:^|\n)[ \t]*[(\[]?$")  # `1. We ...`, `(2) ...` at a line's start
_EQUATION_AFTER = re.compile(r"\)[ \t]*(?:\n|$)")  # `... = x + y (3)`
# The words after a number that do not make it a count of something ("81.3 on ArcLite", "3.2 against 4.1").
_NOT_NOUN_WORDS = """
    on in at of to by for from with than vs versus against over under across after before while when where
    which that compared relative respectively higher lower better worse more less fewer faster slower larger
    smaller greater above below per each and or is are was were be the a an as but if this these we it our its
    among within without via using during average mean overall total accuracy acc score scores error rate wer
    cer bleu rouge precision recall loss perplexity improvement gain increase decrease reduction drop boost
    margin speedup compression ratio success pass win exact top lead absolute percent percentage points point
    times fold
"""
_NOT_NOUNS = frozenset(_NOT_NOUN_WORDS.split())
_NEXT_WORD = re.compile(r"[ \t]?-?(?P<w>[a-z][a-z-]{2,})\b")
_LIST_AFTER = re.compile(r"^[^.;:\d()\n]{0,30},\s*(?:and\s+|or\s+)?$")
_LIST_JOIN = re.compile(r"^\s*(?:,\s*(?:and\s+|or\s+)?|\s(?:and|or|to)\s|\s*[-–~]\s*)$")

# Where a paper names the systems it compares with: the names in the list that follows.
_COMPARED = re.compile(
    r"\b(?:[Bb]aselines?\s+(?:are|include|were|is)|compare[sd]?\s+(?:it\s+|ours\s+)?(?:with|against|to)|"
    r"than|versus|vs\.|outperform(?:s|ing)?|surpass(?:es|ing)?|ahead\s+of|behind)\s"
)
# "an MMD of 0.493", "the mean CD of 1.2": a name a paper gives a value with "of" is what is measured
# (found from the "of" and a digit back: a pattern that began with the article would be tried at every word)
_OF_VALUE = re.compile(r"(?<=\s)of\s+[-−]?\.?\d")
_MEASURE = re.compile(r"\b(?:[Aa]n?|[Tt]he|[Ii]ts|[Tt]heir)\s+(?:(?:mean|average|median|lower|higher|best)\s+)?"
                      r"([A-Z][A-Za-z]*[A-Z][A-Za-z0-9@-]*|[A-Z]{2,}[0-9@-]*)\s+(?:score\s+)?$")
# an abbreviation in brackets after a space: "Sliding Tile Attention (STA)" (the words before are read after;
# a pattern that began with the words would be tried at every word of the paper)
_DEFINED = re.compile(r"(?<=\s)\(([A-Z][A-Za-z0-9-]{1,9})\)")
_WORDS_BEFORE = re.compile(r"(?:[A-Za-z][\w-]*\s+){0,4}[A-Za-z][\w-]*\s+$")
MAX_COMPARED_CHARS = 160
MAX_COMPARED = 400  # comparisons read per paper: a hostile text full of "than" costs no more than this
MAX_CANDIDATES = 48  # occurrences of one value checked for relations; a common value's later ones add nothing


@dataclass(frozen=True)
class Occurrence:
    """A number the paper states: its value in the base unit of its class, and where."""

    value: float
    start: int
    end: int
    cls: str  # a unit class, or "bare" (no unit), "noun" (counts a thing), "inname" (a digit of a name)
    unit: int  # index of its evidence unit


class _Bucket:
    def __init__(self, pairs: list[tuple[float, int]]) -> None:
        pairs.sort()
        self.values = [v for v, _ in pairs]
        self.items = [i for _, i in pairs]

    def between(self, low: float, high: float) -> list[int]:
        i = bisect.bisect_left(self.values, low)
        j = bisect.bisect_right(self.values, high)
        return self.items[i:j]


# Which paper numbers may support a summary number of each class. A bare paper number (no unit written)
# stands for a dimensionless class only; a physical quantity needs its own unit, and a count of something
# ("12 engines") supports only a count.
ACCEPTS: dict[str | None, tuple[str, ...]] = {
    "percent": ("percent", "bare", "points"),
    "points": ("points", "percent", "bare"),
    "multiplier": ("multiplier", "bare"),
    "count": ("count", "bare", "noun", "tokens", "parameters", "multiplier", "inname", "points"),
    "tokens": ("tokens", "bare", "count", "noun"),
    "parameters": ("parameters", "bare", "count", "inname"),
}


class SourceIndex:
    """A paper's text made searchable once: evidence units, numbers by value and class, names as a stream."""

    def __init__(
        self,
        text: str,
        spans: list[Span],
        units: list[EvidenceUnit],
        tables: list[Table],
        excluded: list[tuple[int, int]],
        own: frozenset[str],
    ) -> None:
        self.text = text
        self._spans = spans
        self._span_starts = [s.start for s in spans]
        self.units = units
        self._unit_starts = [u.start for u in units]
        self.tables = tables
        self.own = own  # names of the paper's own system: a sentence about "it" is about them
        self._stream = name_stream(text)
        self._row_cells: dict[int, list[tuple[int, int]]] = {}  # a table row's cells, once per row
        self.occurrences: list[Occurrence] = []
        self._collect_numbers(excluded)
        buckets: dict[str, list[tuple[float, int]]] = {}
        fractions: list[tuple[float, int]] = []
        percents: list[tuple[float, int]] = []
        for i, o in enumerate(self.occurrences):
            buckets.setdefault(o.cls, []).append((o.value, i))
            if o.cls == "percent":
                percents.append((o.value, i))
            elif o.cls == "bare" and 0 < o.value <= 1.0 and "." in text[o.start : o.end]:
                fractions.append((o.value, i))
        self._buckets = {cls: _Bucket(pairs) for cls, pairs in buckets.items()}
        self._fractions = _Bucket(fractions)
        self._percents = _Bucket(percents)
        self._name_cache: dict[str, tuple[int, ...]] = {}
        self._parsed: dict[int, Parsed | RowParsed] = {}

    # -- building

    def _collect_numbers(self, excluded: list[tuple[int, int]]) -> None:
        text = self.text
        ex_starts = [s for s, _ in excluded]
        found: list[tuple[int, int, float, tuple[UnitClass, float] | None, str, bool]] = []
        prev_end, prev_inname = -10, False
        for m in _SOURCE_NUM_RE.finditer(text):
            pos, end = m.start(), m.end()
            i = bisect.bisect_right(ex_starts, pos) - 1
            if i >= 0 and pos < excluded[i][1]:
                continue  # a heading: `4.2 Results` is not 4.2 of anything
            parsed = atom_value(m, "a_")
            if parsed is None:
                continue
            value, _, scale = parsed
            inname = _in_name(text, pos, prev_end, prev_inname)
            prev_end, prev_inname = end, inname
            if not inname and _is_furniture(text, m, value):
                continue
            unit = atom_unit(text, m, "a_")
            points = unit is None and (m.group("a_pct") or "").lstrip().lower().startswith("point")
            cls = "inname" if inname else ("points" if points else "")
            found.append((pos, end, value, unit, cls, scale != 1.0))
        # a unit written once after a list applies to every number of it: "latency of 10, 20 and 30 ms"
        for k in range(len(found) - 2, -1, -1):
            pos, end, value, unit, cls, scaled = found[k]
            nxt = found[k + 1]
            if unit is None and not cls and nxt[3] is not None and _LIST_JOIN.match(text[end : nxt[0]]):
                found[k] = (pos, end, value, nxt[3], cls, scaled)
        # ... and one written on a list's first item to the items after it that carry the same scale and none
        # of their own: "120K hours in English, 70K in Chinese, 18K in Korean"
        for k in range(1, len(found)):
            pos, end, value, unit, cls, scaled = found[k]
            prev = found[k - 1]
            if (unit is None and not cls and scaled and prev[5] and prev[3] is not None
                    and _LIST_AFTER.match(text[prev[1] : pos])):
                found[k] = (pos, end, value, prev[3], cls, scaled)
        for pos, end, value, unit, cls, scaled in found:
            u = self.unit_of(pos)
            if unit is None and not cls:
                unit = self._column_unit(u, pos)
            if unit is not None and not cls:
                self.occurrences.append(Occurrence(value * unit[1], pos, end, unit[0], u))
                continue
            if not cls:
                cls = "noun" if not scaled and _counts_something(text, end) else "bare"
            self.occurrences.append(Occurrence(value, pos, end, cls, u))
        for m in _word_numbers(self._stream):
            words = m.group(0).split("\x01")
            if words[0] in WORD_SCALE and _DIGIT_BEFORE.search(self._stream, max(0, m.start() - 3), m.start()):
                continue  # the `million` of `120 million` is not one million
            value = _words_value(words)
            if value is None:
                continue
            i = bisect.bisect_right(ex_starts, m.start()) - 1
            if i >= 0 and m.start() < excluded[i][1]:
                continue
            found_unit = unit_at(text, m.end())
            u = self.unit_of(m.start())
            if found_unit is not None:
                self.occurrences.append(Occurrence(value * found_unit[1], m.start(), m.end(), found_unit[0], u))
            else:
                cls = "noun" if _counts_something(text, m.end()) else "bare"
                self.occurrences.append(Occurrence(value, m.start(), m.end(), cls, u))

    def unit_of(self, pos: int) -> int:
        """The index of the evidence unit that holds `pos`."""
        return max(0, bisect.bisect_right(self._unit_starts, pos) - 1)

    @cached_property
    def systems(self) -> frozenset[str]:
        """The names of systems the paper evaluates: its own, and those it compares with somewhere ("than X",
        "X and Y as baselines", "Baselines are X, Y and Z"), as name keys. Benchmarks and datasets are not in it."""
        found = set(self.own)
        for m in itertools.islice(_COMPARED.finditer(self.text), MAX_COMPARED):
            span = self.text[m.end() : m.end() + MAX_COMPARED_CHARS].split(".")[0]
            # read as mid-sentence text: "Baselines are Uni-Mol, ..." names Uni-Mol
            found.update(c.key for c in extract_cleaned("x " + span) if c.kind == "name")
        return frozenset(found)

    @cached_property
    def measures(self) -> frozenset[str]:
        """Names the paper writes as a quantity, not a system: "an MMD of 0.493", "the CD of 1.2", as name keys."""
        found = set()
        for m in itertools.islice(_OF_VALUE.finditer(self.text), MAX_COMPARED):
            if before := _MEASURE.search(self.text, max(0, m.start() - 60), m.start()):
                found.add(name_key(before.group(1)))
        return frozenset(found)

    @cached_property
    def _flat(self) -> str:
        return " ".join(_QUOTE_NOISE.sub(" ", self.text.lower()).split())

    def contains_quote(self, quote: str) -> bool:
        """Whether a quote (an LLM's, so: whitespace, case, quotes and an ellipsis may differ) is paper text."""
        parts = [" ".join(p.split()) for p in _QUOTE_NOISE.sub(" ", clean(quote).lower()).split("…")]
        parts = [p for p in parts if p]
        return bool(parts) and all(len(p) >= 12 and p in self._flat for p in parts)

    def _column_unit(self, u: int, pos: int) -> tuple[UnitClass, float] | None:
        unit = self.units[u]
        if unit.kind != "row" or unit.table is None:
            return None
        table = self.tables[unit.table]
        col = unit.column + bisect.bisect_right(self._cells(u), (pos, len(self.text))) - 1
        return table.column_units[col] if col < len(table.column_units) else None

    def _cells(self, u: int) -> list[tuple[int, int]]:
        """The cells of a table row (a piece of one), computed once."""
        if u not in self._row_cells:
            unit = self.units[u]
            self._row_cells[u] = cells(self.text, unit.start, unit.end)
        return self._row_cells[u]

    # -- numbers

    def candidates(
        self, value: float, unit: float, factor: float, claim: ExtractedClaim, *, bound: str | None = None
    ) -> list[int]:
        """The occurrences (indices, in text order) that state this value in a class the claim accepts. A
        bound (`over`: "3배 이상", "more than 1M") is also met by a paper value a little past it."""
        tol = tolerance(value, unit, claim.hedged)
        low, high = value - tol, value + tol
        if bound == "over":  # "more than three times" is true of 3.4x; not of 30x
            high = max(high, value * 2)
        elif bound == "under":
            low = min(low, value / 2)
        hits: list[int] = []
        cls = claim.unit_class
        if cls is None:
            for bucket in self._buckets.values():
                hits.extend(bucket.between(low, high))
        else:
            same = self._buckets.get(cls)
            if same is not None:
                hits.extend(same.between(low * factor, high * factor))
            for other in ACCEPTS.get(cls, ()):
                if other != cls and other in self._buckets:
                    hits.extend(self._buckets[other].between(low, high))
        if claim.percent:
            hits.extend(self._fractions.between(low / 100, high / 100))
        elif 0 < value <= 1 and unit < 1 and cls is None:
            hits.extend(self._percents.between(low * 100, high * 100))
        # the first ones in the paper (nsmallest returns them in order), without sorting every hit of a common value
        return heapq.nsmallest(MAX_CANDIDATES, set(hits), key=lambda i: self.occurrences[i].start)

    # -- names

    def name_positions(
        self, key: str, start: int = 0, end: int | None = None, *, exact: bool = True
    ) -> tuple[int, ...]:
        """Where this name is written (ignoring case and punctuation, on whole tokens) within [start, end).

        `exact`: a name with a version must not be followed by more version (`GPT-4` is not in "GPT-4o",
        `Qwen2` not in "Qwen2.5", `GPT-4o` not in "GPT-4o-mini"); without it, those count too."""
        positions = self._all_name_positions(key, exact)
        if start == 0 and end is None:
            return positions
        i = bisect.bisect_left(positions, start)
        j = bisect.bisect_left(positions, len(self.text) if end is None else end)
        return positions[i:j]

    def _all_name_positions(self, key: str, exact: bool) -> tuple[int, ...]:
        cache_key = f"{int(exact)}{key}"
        if cache_key not in self._name_cache:
            found = self._scan_name(key, exact) if key else []
            if key in self._aliases:  # `STA` where the paper wrote "Sliding Tile Attention (STA)", and back
                found = sorted({*found, *self._scan_name(self._aliases[key], exact)})
            self._name_cache[cache_key] = tuple(found)
        return self._name_cache[cache_key]

    @cached_property
    def _aliases(self) -> dict[str, str]:
        """The abbreviations the paper defines, "Sliding Tile Attention (STA)", "Sparse VideoGen (SVG)": each
        name key to the other's, when the abbreviation's letters are the capitals (or the initials) of the words
        just before it."""
        out: dict[str, str] = {}
        for m in itertools.islice(_DEFINED.finditer(self.text), MAX_COMPARED):
            before = _WORDS_BEFORE.search(self.text, max(0, m.start() - 80), m.start())
            if before is None:
                continue
            short = m.group(1)
            letters = "".join(c for c in short if c.isalpha()).lower()
            words = before.group(0).split()
            for n in range(1, len(words) + 1):  # the shortest phrase: "and Sparse VideoGen" is "Sparse VideoGen"
                phrase = " ".join(words[-n:])
                if phrase[0].lower() == letters[:1] and letters in ("".join(c for c in phrase if c.isupper()).lower(),
                               "".join(w[0] for w in words[-n:]).lower()) and len(letters) >= 2:
                    long_key, short_key = name_key(phrase), name_key(short)
                    if long_key != short_key:
                        out.setdefault(short_key, long_key)
                        out.setdefault(long_key, short_key)
                    break
        return out

    def _scan_name(self, key: str, exact: bool) -> list[int]:
        # a plural `s` on either side is ignored, but not on short keys (`mAP` is not "maps") nor after a version
        plural = len(key) > 3 and not _HAS_DIGIT_END.search(key)
        stem = key[:-1] if plural and key.endswith("s") else key
        body = "\x01?".join(re.escape(c) for c in stem)
        # A letter-digit change is a soft boundary on the left: `Qwen` is in `Qwen2.5`, `eval` is not in
        # `HumanEval`. (The pattern starts with its first letter, so the engine scans for it fast.)
        first = "a-z" if stem[0].isalpha() else "0-9"
        last = "a-z" if key[-1].isalpha() else "0-9"
        tail = r"(?:\x01?e?s)?" if plural else ""
        head = re.escape(stem[0])
        pattern = re.compile(rf"{head}(?<![{first}]{head}){body[len(head):]}{tail}(?![{last}])")
        versioned = any(c.isdigit() for c in key)
        out: list[int] = []
        for m in pattern.finditer(self._stream):
            if exact and versioned and _more_version(self.text, self._stream, m.end(), key[-1].isdigit()):
                continue
            out.append(m.start())
        return out

    @cached_property
    def _word_units(self) -> dict[str, dict[int, int]]:
        """Each Latin word of the paper: the units it is in, with its first position there (one pass, made the
        first time a summary's name is looked for word by word)."""
        out: dict[str, dict[int, int]] = {}
        for m in _LATIN_WORD.finditer(self.text):
            out.setdefault(m.group(0), {}).setdefault(self.unit_of(m.start()), m.start())
        return out

    def unit_with_words(self, name: str) -> int | None:
        """The first position of a unit (a sentence, a table row) that holds every word of `name` (of two words or
        more), written apart or not."""
        words = _LATIN_WORD.findall(name)
        if len(words) < 2:
            return None
        common: dict[int, int] | None = None
        for w in words:
            found = self._word_units.get(w, {})
            common = dict(found) if common is None else {u: p for u, p in common.items() if u in found}
            if not common:
                return None
        return min(common.values()) if common else None

    def find_name(self, key: str) -> int | None:
        """Where the paper first has this name exactly, or None."""
        positions = self.name_positions(key)
        return positions[0] if positions else None

    def positions_in_unit(self, key: str, u: int) -> list[int]:
        """Where a name is written in the unit, or for a table row also in its header and caption (where
        `attached_to` knows which numbers it speaks for)."""
        unit = self.units[u]
        found = [p for s, e in self._own_ranges(u) for p in self.name_positions(key, s, e)]
        if unit.kind == "row" and unit.table is not None:
            table = self.tables[unit.table]
            found.extend(self.name_positions(key, *table.caption))
            if table.header and table.header_unit is not None and self.units[table.header_unit] is not unit:
                found.extend(self.name_positions(key, table.header[0][0], table.header[-1][1]))
        return found

    def _own_ranges(self, u: int) -> list[tuple[int, int]]:
        """The unit, and for a later piece of a long table row also the row's label (in its first piece)."""
        unit = self.units[u]
        ranges = [(unit.start, unit.end)]
        if unit.kind == "row" and unit.prev is not None:
            parsed = self.parsed(u)
            assert isinstance(parsed, RowParsed)
            ranges.extend((s, e) for s, e in parsed.text_cells if s < unit.start)
        return ranges

    def in_context(self, key: str, u: int, *, where: bool = True) -> bool:
        """Whether a name is written in the unit's context: its section heading, (for `where` names, the
        benchmarks and datasets a sentence can leave implicit) the sentence before it when that names
        nothing else, or (for a table row) the table's caption and header."""
        unit = self.units[u]
        ranges: list[tuple[int, int]] = [(unit.start, unit.end)]
        if where and unit.prev is not None and self._sole_name_before(unit.prev, key):
            return True
        if unit.table is not None:
            table = self.tables[unit.table]
            ranges.append(table.caption)
            if table.header:
                ranges.append((table.header[0][0], table.header[-1][1]))
        span = bisect.bisect_right(self._span_starts, unit.start) - 1
        if span >= 0 and self._spans[span].heading_end > 0:
            ranges.append((self._spans[span].start, self._spans[span].heading_end))
        return any(self.name_positions(key, s, e) for s, e in ranges)

    def _sole_name_before(self, prev: int, key: str) -> bool:
        """The sentence before names this and nothing else but the paper's own system: "We evaluate on
        EchoBench. It reaches 92.47%." (not "We compare X with EchoChat and Y.", which names several)."""
        unit = self.units[prev]
        if not self.name_positions(key, unit.start, unit.end):
            return False
        parsed = self.parsed(prev)
        if isinstance(parsed, RowParsed):
            return False
        if any(m.key == key and m.baseline for m in parsed.mentions):
            return False  # there it is what something is compared with
        others = {m.key for m in parsed.mentions if m.key != key and m.key not in self.own}
        return not others

    def row_names_another(self, u: int) -> bool:
        """A table row whose label names a system other than the paper's own (not "Ours", not its name)."""
        unit = self.units[u]
        if unit.kind != "row":
            return False
        parsed = self.parsed(u)
        assert isinstance(parsed, RowParsed)
        labels = [self.text[s:e] for s, e in parsed.text_cells if self.text[s:e].strip()]
        if not labels or any(_OURS.search(label) for label in labels):
            return False
        return not any(self.name_positions(key, s, e) for key in self.own for s, e in self._own_ranges(u))

    # -- small counts

    def counts_of(self, noun: str) -> list[tuple[float, int]]:
        """The counts the paper writes before this noun (`3 epochs`, `one epoch`, `a three-round curriculum`,
        `7 hard negatives`: one word may stand between), as (value, position)."""
        return self._counts.get(noun, [])

    @cached_property
    def _counts(self) -> dict[str, list[tuple[float, int]]]:
        out: dict[str, list[tuple[float, int]]] = {}
        for value, noun, start, _ in counted(self.text):
            out.setdefault(noun, []).append((value, start))
        return out

    # -- tables

    def own_cells(self, column_keys: tuple[str, ...]) -> list[tuple[int, list[int]]]:
        """The cells the paper's tables give its own system's row (labelled with its name, or "ours") under
        the columns whose header names every one of `column_keys`: for each, the unit of its row and the
        indices of the occurrences in it. Empty when no table has such a row and column."""
        out: list[tuple[int, list[int]]] = []
        for t, table in enumerate(self.tables):
            if not table.header or not column_keys:
                continue
            h0, h1 = table.header[0][0], table.header[-1][1]
            columns: set[int] | None = None
            for key in column_keys:
                found = {table.header_column(p) for p in self.name_positions(key, h0, h1)} - {-1}
                columns = found if columns is None else columns & found
            if not columns:
                continue
            for u in self._table_rows.get(t, []):
                parsed = self.parsed(u)
                assert isinstance(parsed, RowParsed)
                if not any(self._own_label(self.text[s:e]) for s, e in parsed.text_cells[:1]):
                    continue
                cell = [self._occurrence_at[a.start] for a in parsed.anchors
                        if a.segment in columns and a.start in self._occurrence_at]
                if cell:
                    out.append((u, cell))
        return out

    def column_of(self, occurrence: Occurrence) -> int:
        """The table column an occurrence in a table row sits in (-1 outside a table)."""
        unit = self.units[occurrence.unit]
        if unit.kind != "row" or unit.table is None:
            return -1
        return unit.column + bisect.bisect_right(self._cells(occurrence.unit), (occurrence.start, len(self.text))) - 1

    def in_a_header(self, key: str) -> bool:
        """Whether a table's header row names this (a benchmark's or a metric's column)."""
        return any(table.header and self.name_positions(key, table.header[0][0], table.header[-1][1])
                   for table in self.tables)

    def _own_label(self, label: str) -> bool:
        """Whether a row label names exactly the paper's own system (`Wren` is not the row `Wren-Base`)."""
        return bool(_OURS.search(label)) or name_key(_OURS.sub("", label)) in self.own

    @cached_property
    def _table_rows(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for u, unit in enumerate(self.units):
            if unit.kind == "row" and unit.table is not None:
                out.setdefault(unit.table, []).append(u)
        return out

    @cached_property
    def _occurrence_at(self) -> dict[int, int]:
        return {o.start: i for i, o in enumerate(self.occurrences)}

    # -- relations

    def parsed(self, u: int) -> Parsed | RowParsed:
        """The unit parsed for relations (cached): a sentence by `relations.parse`, a row by its cells."""
        if u not in self._parsed:
            unit = self.units[u]
            if unit.kind == "row" and unit.table is not None:
                self._parsed[u] = self._parse_row(u)
            else:
                self._parsed[u] = parse(self.text, unit.start, unit.end)
        return self._parsed[u]

    def _parse_row(self, u: int) -> RowParsed:
        """One pass over the row's numbers: each finds its cell by bisection."""
        unit = self.units[u]
        table = self.tables[unit.table] if unit.table is not None else None
        assert table is not None
        row = self._cells(u)
        numbers: dict[int, list[Occurrence]] = {}
        for o in self._unit_occurrences(u):
            if o.cls != "inname":
                numbers.setdefault(bisect.bisect_right(row, (o.start, len(self.text))) - 1, []).append(o)
        # a cell that starts with a letter is a name with a number in it (`Marlin-Embed 2-Large`, `ResNet-50`),
        # not a value: a row's label stays its label
        for i in [i for i in numbers if i < len(row) and self.text[row[i][0] : row[i][1]].strip()[:1].isalpha()]:
            del numbers[i]
        text_cells = [cell for i, cell in enumerate(row) if i not in numbers]
        if unit.prev is not None:  # a later piece of a long row: the row's label is in its first piece
            first = self.parsed(unit.prev)
            assert isinstance(first, RowParsed)
            text_cells = [*first.text_cells, *text_cells]
        anchors: list[Anchor] = []
        for i in sorted(numbers):
            col = unit.column + i
            context = set(table.caption_context)
            col_ctx = table.column_context[col] if col < len(table.column_context) else frozenset()
            if col_ctx:  # the column says what it measures; the caption says it for the table
                dims = {d for d, _ in col_ctx}
                context = {c for c in context if c[0] not in dims} | set(col_ctx)
            q = table.column_qualifier[col] if col < len(table.column_qualifier) else None
            anchors.extend(Anchor(o.start, o.end, col, q, frozenset(context)) for o in numbers[i])
        return RowParsed(unit.start, unit.end, tuple(anchors), tuple(text_cells), tuple(row), table, unit.column)

    @cached_property
    def _by_unit(self) -> dict[int, list[Occurrence]]:
        out: dict[int, list[Occurrence]] = {}
        for o in self.occurrences:
            out.setdefault(o.unit, []).append(o)
        return out

    def _unit_occurrences(self, u: int) -> list[Occurrence]:
        return self._by_unit.get(u, [])

    def occurrences_in(self, u: int, start: int) -> Occurrence | None:
        """The number the paper states at `start` in unit `u`, if any."""
        for o in self._unit_occurrences(u):
            if o.start <= start < o.end or o.start == start:
                return o
        return None

    def attached_to(self, u: int, anchor: int, positions: list[int]) -> bool:
        """Whether a name written at `positions` (inside or around unit `u`) speaks about `anchor`. In a table,
        a name in the header speaks for its column only, even when the caption names it too."""
        parsed = self.parsed(u)
        if not isinstance(parsed, RowParsed):
            return any(parsed.attached(p, anchor) for p in positions)
        table = parsed.table
        in_header = [p for p in positions if table.header and table.header[0][0] <= p < table.header[-1][1]]
        if in_header:
            return any(parsed.attached_at(p, anchor) for p in in_header) or any(
                parsed.start <= p < parsed.end and parsed.attached_at(p, anchor) for p in positions
            )
        return any(parsed.attached_at(p, anchor) for p in positions)

    def baseline_at(self, u: int, anchor: int, position: int) -> bool:
        """Whether the name written at `position` is a baseline the number is compared with (`than EchoChat`)
        rather than the thing measured (`EchoChat (4.1)` is EchoChat's own value)."""
        parsed = self.parsed(u)
        if isinstance(parsed, RowParsed):
            return False
        mention = parsed.mention_at(position)
        return bool(mention and mention.baseline and not own_value(self.text, mention, parsed.anchors[anchor].start))

    def names_for(self, u: int, anchor: int) -> list[str]:
        """The names the paper states this number for (not its baselines), as written."""
        parsed = self.parsed(u)
        if isinstance(parsed, RowParsed):
            return [one_line(self.text[s:e]) for s, e in parsed.text_cells if self.text[s:e].strip()]
        return [self.text[m.start : m.end] for m in parsed.names_attached(anchor)]

    # -- where

    def section_of(self, pos: int) -> tuple[str | None, int | None]:
        i = bisect.bisect_right(self._span_starts, pos) - 1
        span = self._spans[i] if i >= 0 else None
        return (span.heading if span else None), (span.page if span else None)

    def evidence(self, u: int, pos: int, limit: int = 160) -> tuple[str, str | None, int | None, EvidenceKind]:
        """The unit's text around `pos` (at most `limit` characters, and the ellipses where it is cut; a table
        row after its table's header row, at most half of it), its section heading (a row's: its table's
        caption) and page, and what kind of evidence it is."""
        unit = self.units[u]
        header = ""
        if unit.kind == "row" and unit.table is not None:
            table = self.tables[unit.table]
            if table.header and not table.header[0][0] <= unit.start < table.header[-1][1]:
                hs = table.header[0][0]
                header = clip(self.text[hs : min(table.header[-1][1], hs + limit)], limit // 2) + " ⏎ "
        room = max(1, limit - len(header))
        s, e = unit.start, unit.end
        if e - s > room:
            s = max(unit.start, min(pos - room // 3, unit.end - room))
            e = min(unit.end, s + room)
        snippet = one_line(self.text[s:e])
        if s > unit.start:
            snippet = "…" + snippet
        if e < unit.end:
            snippet += "…"
        heading, page = self.section_of(pos)
        kind: EvidenceKind = unit.kind if unit.kind != "heading" else "sentence"
        return header + snippet, heading, page, kind


# name_stream's table: ASCII letters lowercased, digits kept, joiners (space - _ . ' @ newline tab) as \x01,
# every other byte (and every non-ASCII character, which `encode` made a "?") as \x00.
_STREAM_TABLE = bytes(
    (c + 32 if 65 <= c <= 90 else c) if (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122)
    else (1 if chr(c) in "-_.'@ \n\t" else 0)
    for c in range(256)
)
_FIRST_NUMBER_WORDS = sorted({*WORD_VALUE, *WORD_EXTRA, *WORD_SCALE})


def name_stream(text: str) -> str:
    """`text` as names are matched: the same length, so a match position is a position in `text`."""
    return text.replace("’", "'").encode("ascii", "replace").translate(_STREAM_TABLE).decode("ascii")


def _word_numbers(stream: str) -> list[re.Match[str]]:
    """The spelled-out numbers of the stream ("four", "twenty-five", "one hundred and twenty"), in order. Each
    first word is found with `str.find` (fast) and the number read from there, so the whole text is not run
    through a regex of forty alternatives."""
    starts: set[int] = set()
    for word in _FIRST_NUMBER_WORDS:
        i = stream.find(word)
        while i >= 0:
            if i == 0 or not stream[i - 1].isalnum():
                starts.add(i)
            i = stream.find(word, i + 1)
    out: list[re.Match[str]] = []
    last = -1
    for i in sorted(starts):
        if i < last:
            continue
        m = _SOURCE_WORDNUM_RE.match(stream, i)
        if m:
            out.append(m)
            last = m.end()
    return out


_HAS_DIGIT_END = re.compile(r"\d$")
_QUOTE_NOISE = re.compile(r"[\"'“”‘’`]|\.\.\.")
_COUNT_WORDS = "|".join(w for w, v in WORD_VALUE.items() if 0 < v < 20)
_COUNTED_NOUNS = ("epoch", "round", "layer", "head", "seed", "beam", "negative", "attempt", "iteration", "rollout",
                 "turn")  # settings a paper counts in small numbers (`counted`)
_COUNTED_NOUN = re.compile(rf"\b({'|'.join(_COUNTED_NOUNS)})(?:s|es)?\b", re.IGNORECASE)
_COUNT_BEFORE = re.compile(rf"(?<![\d.,])\b(\d+|{_COUNT_WORDS})[\s-]+(?:[a-z]+(?:-[a-z]+)?[\s-]+)?$",
                           re.IGNORECASE)  # the word between may be hyphenated: "2 cross-attention layers"


def counted(text: str) -> Iterator[tuple[float, str, int, int]]:
    """The counts written before a setting's noun (`3 epochs`, `one epoch`, `a three-round curriculum`, `7 hard
    negatives`: one word may stand between): (value, noun, start, end). One pass: the nouns are found first (a
    literal alternation, fast), then the count just before each."""
    for m in _COUNTED_NOUN.finditer(text):
        before = _COUNT_BEFORE.search(text, max(0, m.start() - 40), m.start())
        if before is None:
            continue
        word = before.group(1).lower()
        value = float(word) if word.isdigit() else WORD_VALUE.get(word)
        if value is not None:
            yield value, m.group(1).lower(), before.start(), m.end()
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_OURS = re.compile(r"\bours\b|\bour\b|\bproposed\b|\(ours\)", re.IGNORECASE)
_TIER_WORDS = re.compile(
    r"\x01(?:mini|nano|micro|tiny|turbo|pro|max|plus|lite|flash|ultra|sonnet|haiku|opus|preview)(?![a-z0-9])"
)


def _more_version(text: str, stream: str, end: int, ends_in_digit: bool) -> bool:
    """After a versioned name: is more version written (`GPT-4` + `o`, `Qwen2` + `.5`, `GPT-4o` + `-mini`)?"""
    if end >= len(stream):
        return False
    nxt = stream[end]
    if ends_in_digit and nxt.isalpha():
        return True  # `GPT-4o` after `GPT-4`
    if ends_in_digit and text[end] in ".," and end + 1 < len(text) and text[end + 1].isdigit():
        return True  # `Qwen2.5` after `Qwen2`
    return bool(_TIER_WORDS.match(stream, end))


def _in_name(text: str, pos: int, prev_end: int, prev_inname: bool) -> bool:
    """A digit of a name: `GPT-4`, `Qwen2.5`, `Llama-2-7B` (the 7B after a name's digit)."""
    if pos == 0:
        return False
    before = text[pos - 1]
    if before.isalpha():
        return True
    if before in "-_." and pos >= 2:
        if text[pos - 2].isalpha():
            return True
        if text[pos - 2].isdigit() and prev_end == pos - 1 and prev_inname:
            return True
    return False


def _is_furniture(text: str, m: re.Match[str], value: float) -> bool:
    """A number that names the paper's furniture, not a quantity: `Table 10`, `[10]`, a list marker, an
    equation number, a citation year."""
    pos, end = m.start(), m.end()
    if is_reference(text, pos, end):
        return True
    plain = m.group(0) == m.group("a_m") and "." not in m.group("a_m") and "," not in m.group("a_m")
    if not plain:
        return False
    before = text[max(0, pos - 24) : pos]
    after = text[end : end + 6]
    if value < 100 and _LINE_START_MARKER.search(before) and (after[:1] in ".)" or before.endswith("(")):
        return True  # a list marker: `1. `, `(2) `
    if before.endswith("(") and value < 10 and after[:1] == ")":
        return True  # an inline list marker: `(1) ...`
    if before.endswith("(") and value < 1000 and _EQUATION_AFTER.match(after):
        return True  # an equation number at the end of its line
    return is_citation_year(text, m.start("a_m"), m.end("a_m"))


def _counts_something(text: str, end: int) -> bool:
    """Whether a lowercase English noun follows the number: "12 engines", "300 samples"."""
    m = _NEXT_WORD.match(text, end)
    if m is None:
        return False
    word = m.group("w").lower()
    return word not in _NOT_NOUNS and word.rstrip("s") not in _NOT_NOUNS


def tolerance(value: float, unit: float, hedged: bool) -> float:
    """How far a paper value may be from the summary's: half a unit of its last digit (rounding), at most 5%
    of it (`1B` is not 0.5B, `6배` is not 6.5); with a hedge, one unit of its last significant digit, at most
    10%."""
    size = abs(value)
    tol = unit / 2
    if hedged:
        tol = max(unit, min(_significant_unit(value), 0.1 * size))
        tol = max(unit / 2, min(tol, 0.1 * size))
    else:
        tol = min(tol, 0.05 * size) if size else tol
    return tol + unit * 1e-6 + 1e-12


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
    units = cut(source)
    return SourceIndex(units.text, units.spans, units.units, units.tables, units.excluded, units.own)
