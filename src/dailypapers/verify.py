"""Grounding: check every number and name in a summary against the paper's own text. Pure: no I/O.

`verify(summary, source)` returns one `Claim` per distinct number or name in each summary section,
each `supported` (with a snippet of the paper, its section heading and page) or `unsupported`. The
source is indexed once per call (`build_index`), so checking a claim is a binary search (numbers)
or one scan (names).

What is a claim (`extract_claims`)
- Numbers: decimals, thousand separators (1,024), exponents (1e-4), suffixes k/K/M/B/T (7B, 128K),
  English magnitude words (1.5 million, one million), Korean units 십/백/천/만/억/조 (100만, 1억 2천만),
  percentages (%, 퍼센트, percent, 포인트, points, pp, %p), multipliers (x, ×, 배, times, -fold) and
  ranges (95-100%, 3~5, 10–20억). Values are compared after scaling, so `100만`, `1M`, `1 million`,
  `one million` and `1,000,000` are equal, and `3.1x`, `3.1×`, `3.1배`, `3.1 times` are all 3.1.
  The sign is not compared.
- Units (`_UNIT_TABLE`): the text right after a number (after a space or a hyphen: `10 ms`,
  `10-second`, `10초`, `3×`) gives it a unit class when the unit is recognisable, in the summary and
  in the paper alike: time (μs, ms, s/sec/seconds/초, min/minutes/분, h/hours/시간, days/일,
  weeks, months/개월), percent (%, percent, 퍼센트, and percentage points: %p, pp, 포인트 — one
  class, since a gain is written "2.1 points", "2.1%p" and "2.1%" interchangeably; a bare English
  "points" is no class, as in "1,000 data points"), multiplier
  (x, ×, times, -fold, 배), tokens (tokens, 토큰), parameters (parameters, params, 매개변수, 파라미터),
  bytes (KB/MB/GB/TB; KiB… read as their decimal twins), frequency (Hz, kHz, MHz, GHz), and count
  (the Korean counters 개, 명, 층, 회, 번, 단계 …). A Korean unit syllable counts only before a
  particle or a non-Hangul character (`3배의` yes, `3 배치` no). English nouns ("10 layers") are no
  class.
  The rule: a summary number with a class is supported only by a paper number of the same value
  whose class is the same or none (papers write a unit once: "latency of 10, 20 and 30 ms"
  supports `20ms`). A number of a different known class does not support it (`10초` is not
  supported by "10 minutes", `3배` not by "3%"), nor does a reference to the paper's furniture
  (`Table 10`, `[10]`). Time, bytes and frequency are compared after conversion to seconds, bytes
  and Hz, so `600초` is supported by "10 minutes" and `0.04초` by "40 ms" (rounding applies in the
  summary's own unit). A generic count (`16개`) is compatible with tokens, parameters and
  multipliers ("16× H100" counts devices). A summary number with no class is compared by value
  only, as before. The price of "no class supports any class": `10초` is still supported by
  "10 layers" when the paper has no other 10.
- Names: Latin-script tokens (joined by - _ . ') that contain a digit and a letter (GPT-4o,
  Qwen2.5-7B, RM-R1, 2WikiMultiHopQA), or a capital after the first letter (HumanEval-V,
  SpeechGPT, AdamW, SVD, muP). A plain capitalised word (Voila, Moshi) is a name in a Korean/CJK
  text, and in a Latin-script text only when it does not start a sentence (there it is an ordinary
  word). Capitalised words in a gloss, the parenthesis right after a Korean term — `보상 모델(Reward
  Model)` — or an acronym — `SVD(Singular Value Decomposition)` — are translations, not names;
  acronyms and CamelCase in a gloss (`(Reward Model; RM)`)
  still are.
- Matching a name ignores case and punctuation: `LLaMA-Omni2`, `llama omni 2` and `Llama.Omni2`
  are the same key; a key must cover whole source tokens (so `HumanEval` is not found inside
  "human evaluation"), and a plural `s` on either side is ignored.

What is not a claim (trivia that cannot mislead a reader)
- Bare integers below 10 with no scale, decimals or measuring unit ("2단계", "3 epochs", "two
  stages"): every paper text holds them (section, table and footnote numbers), so checking them
  could never fail. A measurement (time, percent, multiplier, bytes, frequency: `3초`, `5 ms`) is a
  claim at any size, since its unit is checked too.
  Spelled-out numbers in a summary are claims only with a magnitude word ("one million"); in the
  SOURCE every spelled-out number counts.
- References to the paper's furniture: Section/Table/Figure/Eq./Appendix/Algorithm/그림/표/섹션/식/부록 N,
  and bracketed citations [12]. Years 1900–2099 in a citation ("et al., 2023", "(2023)") or
  followed by 년.
- Digits inside a name (GPT-4o, Llama-2-7B): the name is the claim. URLs.
- Generic field acronyms (`GENERIC_ACRONYMS`: LLM, AI, RL, ASR, TTS, WER, SOTA, GPU …): the
  standard abbreviation of a generic term, which a faithful summary may use even when the paper
  spells it out. Specific artefacts (models, benchmarks, datasets, metrics with a proper name such
  as BLEU) are never on that list.

Rounding tolerance
- A summary value is supported when some source value, rounded to the summary's precision (the
  place of its last written digit, times its scale), equals it: source 92.47 supports 92.47, 92.5
  and 92, not 92.4; source 1.04 million supports 1.0M and 1M, not 1.1M (a tie at exactly half a
  unit counts either way).
- A hedge (약, 대략, 거의, about, approximately, around, roughly, nearly, ~, ≈ before; 가량, 정도, 안팎, 내외,
  여 after) widens that to one whole unit of the last significant digit, at most 10% of the value:
  `약 92.4%` is supported by 92.47, `about 1,000` by 1,024, `약 100만` by 1.05 million.
- Percent vs fraction: a summary percentage p is also supported by a source fraction p/100 written
  with a decimal point (0.92 supports 92%), and a summary fraction f by a source percentage 100·f.
- A range is supported when both ends are.
- A number derived by the summary's author (a difference, a ratio) that the paper does not state
  is unsupported: that is the point.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from dailypapers.models import Claim, Digest, Document, Summary

__all__ = [
    "GENERIC_ACRONYMS",
    "ExtractedClaim",
    "PaperAudit",
    "SourceIndex",
    "audit_digest",
    "build_index",
    "clean_text",
    "extract_claims",
    "verify",
    "verify_text",
]

# The standard abbreviation of a generic field term (not an artefact someone made and named).
_GENERIC_ACRONYM_WORDS = """
    AI ML DL NLP CV LM LLM VLM MLLM LMM RL SFT RLHF DPO ASR TTS WER CER SOTA GPU CPU TPU API QA VQA CNN
    RNN MLP KV OOD IID FLOP FLOPS CoT ID PDF URL HTML JSON
"""
GENERIC_ACRONYMS = frozenset(_GENERIC_ACRONYM_WORDS.split())
# Capitalised words that are never names on their own: sentence furniture and the paper's own parts.
_COMMON_CAPITALISED_WORDS = """
    The A An And Or But Of In On At To For From With By As Is Are Was Were Be It Its This That These
    Those We Our Us They Their He She His Her I You Your Here There Then Than When While Where Which Who
    What How Why Each Every All Some Many Most Both Such Also However Moreover Furthermore Finally First
    Second Third Using Based New Table Tables Figure Figures Fig Section Sections Sec Appendix Eq
    Equation Algorithm Chapter Step Stage Lemma Theorem Definition Proposition Corollary Proof Note
    Example
"""
_COMMON_CAPITALISED = frozenset(_COMMON_CAPITALISED_WORDS.split())
_TRIVIA_BEFORE = re.compile(
    r"(?:\b(?:Section|Sections|Sec|Table|Tables|Tab|Figure|Figures|Fig|Eq|Eqs|Equation|Equations|Appendix|"
    r"Algorithm|Chapter|Lemma|Theorem|Definition|Proposition|Corollary|Line|Lines|Step|Stage|Phase)s?\.?"
    r"|그림|표|섹션|절|식|수식|부록|알고리즘|제|\[)\s*\(?\s*$",
    re.IGNORECASE,
)
_HEDGE_BEFORE = re.compile(
    r"(?:약|대략|거의|about|approximately|approx\.?|around|roughly|nearly|almost|circa|~|∼|≈)\s*$",
    re.IGNORECASE,
)
_HEDGE_AFTER = re.compile(r"\s?(?:가량|정도|안팎|내외|남짓|여)")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_ZERO_WIDTH = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_URL = r"https?://\S+|www\.\S+"

_KOREAN_SMALL = {"십": 10.0, "백": 100.0, "천": 1000.0}
_KOREAN_BIG = {"만": 1e4, "억": 1e8, "조": 1e12}
_SUFFIX_SCALE = {"k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}
_WORD_SCALE = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_SMALL_WORDS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen \
fifteen sixteen seventeen eighteen nineteen twenty"
_TENS_WORDS = "thirty forty fifty sixty seventy eighty ninety"
_WORD_VALUE = {w: float(i) for i, w in enumerate(_SMALL_WORDS.split())} | {
    w: float(10 * i) for i, w in enumerate(_TENS_WORDS.split(), start=3)
}
_WORD_EXTRA = {"twice": 2.0, "double": 2.0, "doubles": 2.0, "triple": 3.0, "dozen": 12.0}
_MAX_DIGITS = 30  # longer digit runs are noise (or hostile), not quantities


def _atom(p: str) -> str:
    """One number: mantissa, exponent, scale, percent/multiplier unit. `p` prefixes the group names."""
    return rf"""
    (?P<{p}m>(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?|\.\d+)
    (?:[eE](?P<{p}e>[-+−]?\d{{1,3}}))?
    (?:
        \s?(?P<{p}k>(?:[십백천]?[만억조]|[백천])(?:\s?\d+(?:\.\d+)?\s?(?:[십백천]?[만억조]|[백천]))*)
      | (?P<{p}s>[kKMBT])(?![A-Za-z0-9])
      | \s(?P<{p}w>thousand|million|billion|trillion)\b
    )?
    (?:
        \s?(?P<{p}pct>%\s?p\b|%\s?포인트|%|퍼센트\s?포인트|퍼센트|포인트|percentage\s+points?\b|percent\b|pp\b|points?\b)
      | \s?(?P<{p}x>[x×](?![A-Za-z0-9])|배(?![치열포경출])|times\b|-?fold\b)
      | (?P<{p}unit>(?:ms|s|h|GB|MB|KB|TB|GiB|[kMG]?Hz|fps|px|D)(?![A-Za-z0-9]))
    )?
    """


_RANGE_SEP = r"\s?(?:-|–|—|~|∼|〜)\s?"
_COUNTER = r"(?:개국|개월|개|초|명|시간|분|단계|층|회|번|가지|건|편|쌍|토큰|배치|에폭)?"
_WORDNUM_NAMES = "|".join(sorted(_WORD_VALUE, key=len, reverse=True))
_SUMMARY_WORDNUM = (
    rf"(?i:(?<![A-Za-z])(?P<wn>(?:{_WORDNUM_NAMES}|a)(?:[\s-](?:{_WORDNUM_NAMES}))?)\s+"
    rf"(?P<wmag>hundred|thousand|million|billion|trillion)\b)"
)
_NAME_TOKEN = r"(?<![A-Za-z0-9])(?P<name>[A-Za-z0-9]+(?:[-_.'’][A-Za-z0-9]+)*)"

_SUMMARY_RE = re.compile(
    rf"(?P<url>{_URL})"
    rf"|{_SUMMARY_WORDNUM}"
    rf"|(?<![A-Za-z0-9_])(?<![0-9][.,])(?P<num>{_atom('a_')}(?:{_RANGE_SEP}{_atom('b_')})?){_COUNTER}"
    rf"(?![A-Za-z0-9])"
    rf"|{_NAME_TOKEN}",
    re.VERBOSE,
)
# In the source every number counts, also the digits inside names (Llama-2-7B holds 2 and 7B).
_SOURCE_NUM_RE = re.compile(rf"(?<![0-9])(?<![0-9][.,]){_atom('a_')}", re.VERBOSE)
_SOURCE_WORDNUM_RE = re.compile(
    rf"(?<![a-z0-9])(?:{'|'.join(sorted([*_WORD_VALUE, *_WORD_EXTRA, *_WORD_SCALE], key=len, reverse=True))})"
    rf"(?:\x01+(?:{'|'.join(sorted([*_WORD_VALUE, *_WORD_SCALE, 'and'], key=len, reverse=True))}))*"
    rf"(?![a-z0-9])"
)
_KOREAN_PIECE = re.compile(r"(\d+(?:\.\d+)?)?\s?([십백천]?)([만억조]?)")
_NAME_JOINERS = re.compile(r"[-_.'’ \n\t]")
_NOT_NAME_CHAR = re.compile(r"[^A-Za-z0-9\x01]")
_INNER_CAP = re.compile(r"[A-Za-z0-9][A-Z]")
_HAS_DIGIT = re.compile(r"\d")
_DIGIT_BEFORE = re.compile(r"[0-9]\x01*$")
_HAS_ALPHA = re.compile(r"[A-Za-z]")
_ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th)$", re.IGNORECASE)
_SENTENCE_END = ".!?:;\n•·-–*>"


# ----------------------------------------------------------------------------------------------------
# Units: the class of what a number measures, read from the text right after it

UnitClass = Literal["time", "percent", "multiplier", "bytes", "frequency", "tokens", "parameters", "count"]

# Written unit -> (class, factor to the class's base unit). Time is compared in seconds, bytes in bytes,
# frequency in Hz; the other classes have no conversion. Percentage points are the percent class: papers and
# summaries write a gain as "2.1 points", "2.1%p" and "2.1%" interchangeably. A bare English "points" has no
# class: "1,000 data points" is a count.
_UNIT_TABLE: dict[str, tuple[UnitClass, float]] = {
    **dict.fromkeys(("μs", "microsecond", "microseconds", "마이크로초"), ("time", 1e-6)),
    **dict.fromkeys(("ms", "msec", "msecs", "millisecond", "milliseconds", "밀리초"), ("time", 1e-3)),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds", "초"), ("time", 1.0)),
    **dict.fromkeys(("min", "mins", "minute", "minutes", "분"), ("time", 60.0)),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "시간"), ("time", 3600.0)),
    **dict.fromkeys(("day", "days", "일"), ("time", 86400.0)),
    **dict.fromkeys(("week", "weeks"), ("time", 7 * 86400.0)),
    **dict.fromkeys(("month", "months", "개월"), ("time", 30 * 86400.0)),
    **dict.fromkeys(
        ("%", "%p", "% p", "percent", "percentage point", "percentage points", "pp",
         "퍼센트", "퍼센트포인트", "퍼센트 포인트", "포인트"),
        ("percent", 1.0),
    ),
    **dict.fromkeys(("x", "×", "times", "fold", "배"), ("multiplier", 1.0)),
    **dict.fromkeys(("token", "tokens", "토큰"), ("tokens", 1.0)),
    **dict.fromkeys(("parameter", "parameters", "param", "params", "매개변수", "파라미터"), ("parameters", 1.0)),
    **dict.fromkeys(
        ("개", "개국", "명", "층", "회", "번", "가지", "건", "편", "쌍", "단계", "에폭"), ("count", 1.0)
    ),
    # binary units are read as their decimal twins: summaries write GB for GiB
    **{u: ("bytes", f) for us, f in (("KB KiB", 1e3), ("MB MiB", 1e6), ("GB GiB", 1e9), ("TB TiB", 1e12))
       for u in us.split()},
    **{u: ("frequency", f) for u, f in (("Hz", 1.0), ("kHz", 1e3), ("MHz", 1e6), ("GHz", 1e9))},
}
# Measurements make even a small number a claim (`3초`, `5 ms`); counts stay trivia below 10 (`2단계`).
_MEASURES = frozenset({"time", "percent", "multiplier", "bytes", "frequency"})
# A generic count (`16개`) may be of tokens, parameters, or devices written `16× H100`.
_COMPATIBLE: dict[str, tuple[str, ...]] = {
    "count": ("count", "tokens", "parameters", "multiplier"),
    "tokens": ("tokens", "count"),
    "parameters": ("parameters", "count"),
    "multiplier": ("multiplier", "count"),
}
_CASE_SENSITIVE_UNITS = frozenset(u for u, (c, _) in _UNIT_TABLE.items() if c in ("bytes", "frequency"))


def _unit_alternation(units: list[str]) -> str:
    return "|".join(re.escape(u).replace(r"\ ", r"\s?") for u in sorted(units, key=len, reverse=True))


_LATIN_UNITS = [u for u in _UNIT_TABLE if not _CJK.search(u)]
_KOREAN_UNITS = [u for u in _UNIT_TABLE if _CJK.search(u) and not u.startswith("%")]
# A Korean unit syllable counts only before a particle or a non-Hangul character: `3배의`, `10초 이내`, but
# not `3 배치` (batch), `10 분석` (analysis), `10 일부` (part).
_KOREAN_PARTICLE = (
    r"(?:[의에을를이가은는으로과와도만씩간동내당까보마짜분대째나며입였후뒤전미초안여남밖뿐처된되면]|부터|정도)"
)
_UNIT_AFTER = re.compile(
    rf"(?:[ \t]|-)?(?:"
    rf"(?P<en>(?i:{_unit_alternation([u for u in _LATIN_UNITS if u not in _CASE_SENSITIVE_UNITS])})"
    rf"|{_unit_alternation(sorted(_CASE_SENSITIVE_UNITS))})(?![A-Za-z0-9])"
    rf"|(?P<ko>{_unit_alternation(_KOREAN_UNITS)})(?={_KOREAN_PARTICLE}|[^\uac00-\ud7a3]|$)"
    rf")"
)


def _unit_at(text: str, pos: int) -> tuple[UnitClass, float] | None:
    """The class and factor of the unit written at `pos` (`10 ms`, `10-second`, `10초`, `3×`), if any."""
    m = _UNIT_AFTER.match(text, pos)
    if m is None:
        return None
    written = m.group("en") or m.group("ko")
    if written is None:
        return None
    key = re.sub(r"\s+", " ", written)
    return _UNIT_TABLE.get(key) or _UNIT_TABLE.get(key.lower())


def _atom_unit(text: str, m: re.Match[str], p: str) -> tuple[UnitClass, float] | None:
    """The unit of one atom: its own percent/multiplier symbol, or the unit written right after its scale."""
    end = max(m.end(g) for g in (f"{p}m", f"{p}e", f"{p}k", f"{p}s", f"{p}w") if m.group(g) is not None)
    found = _unit_at(text, end)
    if found is not None:
        return found
    if m.group(f"{p}pct") and not m.group(f"{p}pct").lstrip().lower().startswith("point"):
        return ("percent", 1.0)
    if m.group(f"{p}x"):
        return ("multiplier", 1.0)
    return None


# ----------------------------------------------------------------------------------------------------
# Extraction


@dataclass(frozen=True)
class ExtractedClaim:
    """A claim found in a text: what it says (`text`, as written), where (`start`, `end`), and for a
    number the values to look for. A range has two `values`; `units` are the rounding units (place of
    the last digit times the scale); `percent` marks a percentage; `hedged` an "about". `unit_class` is
    what the number measures when its unit is recognisable (`10초`: time), and `factors` convert each
    value to the class's base unit (seconds, bytes, Hz; 1 otherwise)."""

    text: str
    kind: Literal["number", "name"]
    start: int
    end: int
    values: tuple[float, ...] = ()
    units: tuple[float, ...] = ()
    percent: bool = False
    hedged: bool = False
    key: str = ""  # a name's normalised form: lowercase letters and digits only
    unit_class: UnitClass | None = None
    factors: tuple[float, ...] = ()


def clean_text(text: str) -> str:
    """NFKC (full-width digits, ligatures), no zero-width characters, controls and bidi marks as spaces."""
    text = unicodedata.normalize("NFKC", text)
    return _CONTROL.sub(" ", _ZERO_WIDTH.sub("", text))


def name_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _mantissa(s: str) -> tuple[float, int] | None:
    """The value of a written mantissa and its number of decimals; None for noise."""
    digits = s.replace(",", "")
    if len(digits) > _MAX_DIGITS:
        return None
    decimals = len(digits.split(".", 1)[1]) if "." in digits else 0
    return float(digits), decimals


def _korean_value(mantissa: str, units: str) -> tuple[float, float] | None:
    """`1억 2천만` -> (1.2e8, unit 1e7): each piece is digits times an optional small and big unit."""
    total, unit = 0.0, 1.0
    for number, small, big in _KOREAN_PIECE.findall(mantissa + units):
        if not (number or small or big):
            continue
        parsed = _mantissa(number) if number else (1.0, 0)
        if parsed is None:
            return None
        value, decimals = parsed
        scale = _KOREAN_SMALL.get(small, 1.0) * _KOREAN_BIG.get(big, 1.0)
        total += value * scale
        unit = scale * 10.0**-decimals
    return total, unit


def _atom_value(m: re.Match[str], p: str) -> tuple[float, float, float] | None:
    """(value, rounding unit, scale) of one atom match; None for noise."""
    parsed = _mantissa(m.group(f"{p}m"))
    if parsed is None:
        return None
    value, decimals = parsed
    unit = 10.0**-decimals
    scale = 1.0
    exp = m.group(f"{p}e")
    if exp:
        e = int(exp.replace("−", "-"))
        value, unit = value * 10.0**e, unit * 10.0**e
    if m.group(f"{p}k"):
        kv = _korean_value(m.group(f"{p}m"), m.group(f"{p}k"))
        if kv is None:
            return None
        value, unit = kv
        scale = unit
    elif m.group(f"{p}s"):
        scale = _SUFFIX_SCALE[m.group(f"{p}s")]
    elif m.group(f"{p}w"):
        scale = _WORD_SCALE[m.group(f"{p}w").lower()]
    if not m.group(f"{p}k"):
        value, unit = value * scale, unit * scale
    return value, unit, scale


def _is_trivia_number(
    text: str, m: re.Match[str], value: float, unit: float, scale: float, unit_class: UnitClass | None
) -> bool:
    start, end = m.start(), m.end()
    before = text[max(0, start - 16) : start]
    after = text[end : end + 3]
    if _TRIVIA_BEFORE.search(before) or after.startswith("]"):
        return True
    plain = not (m.group("a_pct") or m.group("a_x") or m.group("b_m")) and scale == 1.0
    plain = plain and unit_class not in _MEASURES
    if plain and unit == 1.0 and value < 10 and not m.group("a_e"):
        return True  # a bare small count: every text has it
    mant = m.group("a_m")
    if plain and unit == 1.0 and len(mant) == 4 and 1900 <= value <= 2099:
        if after.startswith("년") or "et al" in text[max(0, start - 24) : start]:
            return True
        if re.search(r"[(,]\s*$", before) and re.match(r"[a-z]?\s*[);]", text[end : end + 4]):
            return True
    return text[max(0, start - 2) : start].endswith("제") and after.startswith(("장", "절"))


def _is_reference(text: str, start: int, end: int) -> bool:
    """A number naming the paper's furniture (`Table 10`, `[10]`), not a quantity."""
    return bool(_TRIVIA_BEFORE.search(text, max(0, start - 16), start)) or text.startswith("]", end)


def _is_hedged(text: str, start: int, end: int) -> bool:
    return bool(_HEDGE_BEFORE.search(text[max(0, start - 16) : start]) or _HEDGE_AFTER.match(text, end))


def _in_gloss(text: str, start: int) -> bool:
    """Inside a parenthesis that follows a CJK word, `보상 모델(Reward Model)`, or an acronym."""
    window = text[max(0, start - 80) : start]
    open_at = window.rfind("(")
    if open_at < 0 or ")" in window[open_at:]:
        return False
    head = window[:open_at].rstrip()
    if not head:
        return False
    if _CJK.match(head[-1]):
        return True
    # an acronym's expansion, `SVD(Singular Value Decomposition)`, is ordinary words too
    last = re.search(r"[A-Za-z0-9-]+$", head)
    return bool(last and _INNER_CAP.search(last.group(0)))


def _starts_sentence(text: str, start: int) -> bool:
    window = text[max(0, start - 8) : start].rstrip(" \t\"'“‘(")
    if not window:
        return start - 8 <= 0 or not text[max(0, start - 8) : start].strip()
    return window[-1] in _SENTENCE_END


def _is_name(token: str, text: str, start: int, cjk: bool) -> bool:
    if not _HAS_ALPHA.search(token) or _ORDINAL.match(token):
        return False
    bare = token[:-1] if token.endswith("s") and len(token) > 2 and token[:-1].isupper() else token
    if bare in GENERIC_ACRONYMS or token in _CASE_SENSITIVE_UNITS:  # `GB`, `kHz` are units, not names
        return False
    parts = re.split(r"[-_.'’]", token)
    if _HAS_DIGIT.search(token):
        return True
    if any(_INNER_CAP.search(p) for p in parts):
        return True
    if not token[0].isupper() or token in _COMMON_CAPITALISED or len(token) < 2:
        return False
    # A capitalised word: a name in CJK text (unless it glosses a translation), else only mid-sentence.
    if _in_gloss(text, start):
        return False
    return cjk or not _starts_sentence(text, start)


def _number_claim(text: str, m: re.Match[str]) -> ExtractedClaim | None:
    a = _atom_value(m, "a_")
    if a is None:
        return None
    values, units = [a[0]], [a[1]]
    a_unit = _atom_unit(text, m, "a_")
    units_of = [a_unit]
    if m.group("b_m"):
        b = _atom_value(m, "b_")
        if b is None:
            return None
        # `95-100%`, `10–20억`: a unit or scale written once applies to both ends
        if a[2] == 1.0 and b[2] != 1.0:
            values[0], units[0] = a[0] * b[2], a[1] * b[2]
        values.append(b[0])
        units.append(b[1])
        # `10-20 ms`: a unit written once, after the second end, applies to both
        b_unit = _atom_unit(text, m, "b_")
        units_of = [a_unit or b_unit, b_unit or a_unit]
    classes = {u[0] for u in units_of if u is not None}
    unit_class = classes.pop() if len(classes) == 1 else None  # `10%-2x` is noise: no class
    if not m.group("b_m") and _is_trivia_number(text, m, a[0], a[1], a[2], unit_class):
        return None
    percent = bool(m.group("a_pct") or m.group("b_pct")) or unit_class == "percent"
    return ExtractedClaim(
        text=m.group(0).strip(),
        kind="number",
        start=m.start(),
        end=m.end(),
        values=tuple(values),
        units=tuple(units),
        percent=percent,
        hedged=_is_hedged(text, m.start(), m.end()),
        unit_class=unit_class,
        factors=tuple(u[1] if u is not None and unit_class else 1.0 for u in units_of),
    )


def _extract(text: str) -> list[ExtractedClaim]:
    cjk = bool(_CJK.search(text))
    out: list[ExtractedClaim] = []
    for m in _SUMMARY_RE.finditer(text):
        if m.group("url"):
            continue
        if m.group("wn") is not None:
            words = re.split(r"[\s-]+", m.group("wn").lower())
            base = sum(_WORD_VALUE.get(w, 1.0 if w == "a" else 0.0) for w in words)
            scale = _WORD_SCALE[m.group("wmag").lower()]
            found = _unit_at(text, m.end())
            out.append(
                ExtractedClaim(
                    m.group(0),
                    "number",
                    m.start(),
                    m.end(),
                    (base * scale,),
                    (scale,),
                    hedged=_is_hedged(text, m.start(), m.end()),
                    unit_class=found[0] if found else None,
                    factors=(found[1] if found else 1.0,),
                )
            )
        elif m.group("num") is not None:
            claim = _number_claim(text, m)
            if claim is not None:
                out.append(claim)
        else:
            token = m.group("name")
            for suffix in ("'s", "’s"):
                if token.endswith(suffix):
                    token = token[: -len(suffix)]
            if _is_name(token, text, m.start(), cjk):
                out.append(
                    ExtractedClaim(token, "name", m.start(), m.start() + len(token), key=name_key(token))
                )
    return out


def extract_claims(text: str) -> list[ExtractedClaim]:
    """The numbers and names in a summary text that the paper must support, in text order.

    Offsets refer to `clean_text(text)` (NFKC, no zero-width or control characters)."""
    return _extract(clean_text(text))


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
            parsed = _atom_value(m, "a_")
            if parsed is None:
                continue
            value, _, scale = parsed
            pos = m.start()
            unit = _atom_unit(text, m, "a_")
            reference = unit is None and _is_reference(text, pos, m.end())
            add(value, pos, unit, reference)
            if scale != 1.0:  # `7B`: also the bare 7, as a summary may write "7B 모델" or "Llama 2 7B"
                add(float(m.group("a_m").replace(",", "")), pos, unit, reference)
            if unit is not None and unit[0] == "percent":
                percents.append((value, pos))
            elif unit is None and "." in m.group("a_m") and value <= 1.0 and not m.group("a_e"):
                fractions.append((value, pos))
        for m in _SOURCE_WORDNUM_RE.finditer(self._stream):
            words = m.group(0).split("\x01")
            if words[0] in _WORD_SCALE and _DIGIT_BEFORE.search(
                self._stream, max(0, m.start() - 3), m.start()
            ):
                continue  # the `million` of `120 million` is not one million
            value = _words_value(words)
            if value is not None:
                add(value, m.start(), _unit_at(text, m.end()), False)
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
            for cls in _COMPATIBLE.get(claim.unit_class, (claim.unit_class,)):
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
        snippet = " ".join(self.text[start:end].split())
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
    if len(words) == 1 and words[0] in _WORD_EXTRA:
        return _WORD_EXTRA[words[0]]
    total, current = 0.0, 0.0
    for w in words:
        if w in _WORD_VALUE:
            current += _WORD_VALUE[w]
        elif w == "hundred":
            current = (current or 1.0) * 100
        elif w in _WORD_SCALE:
            total += (current or 1.0) * _WORD_SCALE[w]
            current = 0.0
        elif w in _WORD_EXTRA:
            current += _WORD_EXTRA[w]
    return total + current


def build_index(source: Document | str) -> SourceIndex:
    """Index a paper's text once; pass the result to `verify_text` to check many texts against it."""
    if isinstance(source, str):
        return SourceIndex(clean_text(source), [])
    parts: list[str] = []
    spans: list[_Span] = []
    offset = 0
    for section in source.sections:
        if not section.text:
            continue
        # the heading is paper text too, and the LLM sees it in the budgeted text
        body = clean_text(f"{section.heading}\n{section.text}" if section.heading else section.text)
        spans.append(_Span(offset, section.heading or section.kind, section.page))
        parts.append(body)
        offset += len(body) + 2
    return SourceIndex("\n\n".join(parts), spans)


# ----------------------------------------------------------------------------------------------------
# Verification


def verify_text(text: str, source: Document | str | SourceIndex, *, section_label: str = "") -> list[Claim]:
    """Check one text's claims against the source; one Claim per distinct claim, in text order."""
    index = source if isinstance(source, SourceIndex) else build_index(source)
    claims: list[Claim] = []
    seen: set[tuple[str, str]] = set()
    for found in extract_claims(text):
        ident = (found.kind, found.key if found.kind == "name" else found.text)
        if ident in seen:
            continue
        seen.add(ident)
        pos = index.find_name(found.key) if found.kind == "name" else index.find_number(found)
        if pos is None:
            claims.append(
                Claim(text=found.text, kind=found.kind, status="unsupported", section_label=section_label)
            )
            continue
        snippet, heading, page = index.locate(pos)
        claims.append(
            Claim(
                text=found.text,
                kind=found.kind,
                status="supported",
                section_label=section_label,
                evidence=snippet,
                evidence_section=heading,
                evidence_page=page,
            )
        )
    return claims


def verify(summary: Summary, source: Document | str) -> list[Claim]:
    """Every number and name in every section of `summary`, checked against `source` (indexed once)."""
    index = build_index(source)
    claims: list[Claim] = []
    for section in summary.sections:
        claims.extend(verify_text(section.text, index, section_label=section.label))
    return claims


# ----------------------------------------------------------------------------------------------------
# Auditing a whole digest

AuditStatus = Literal["ok", "unsupported", "no text", "no summary"]


@dataclass(frozen=True)
class PaperAudit:
    """One digest entry checked against its paper: `claims` is empty unless there was a summary and a text."""

    paper_id: str
    title: str
    status: AuditStatus
    claims: tuple[Claim, ...] = ()
    reason: str = ""  # why there is no text

    @property
    def unsupported(self) -> tuple[Claim, ...]:
        return tuple(c for c in self.claims if c.status == "unsupported")


def audit_digest(
    digest: Digest, texts: Mapping[str, Document | str | None], reasons: Mapping[str, str] | None = None
) -> list[PaperAudit]:
    """Verify each entry's summary against `texts[paper.id]` (None or absent: no text, `reasons` says why)."""
    reasons = reasons or {}
    out: list[PaperAudit] = []
    for entry in digest.entries:
        paper, summary = entry.paper, entry.summary
        if summary is None:
            out.append(PaperAudit(paper.id, paper.title, "no summary"))
            continue
        source = texts.get(paper.id)
        if source is None:
            out.append(PaperAudit(paper.id, paper.title, "no text", reason=reasons.get(paper.id, "")))
            continue
        claims = tuple(verify(summary, source))
        bad = any(c.status == "unsupported" for c in claims)
        out.append(PaperAudit(paper.id, paper.title, "unsupported" if bad else "ok", claims))
    return out
