"""Claims: the numbers and names in a summary that the paper must support (see the package docstring for
the rules), and the number grammar (values, scales, units) the source index reads papers with."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from dailypapers.text import CJK as _CJK
from dailypapers.text import clean
from dailypapers.verify.korean import mask_non_numerals

# The standard abbreviation of a generic field term (not an artefact someone made and named).
_GENERIC_ACRONYM_WORDS = """
    AI ML DL NLP CV LM LLM VLM MLLM LMM RL SFT RLHF DPO ASR TTS WER CER SOTA GPU CPU TPU API QA VQA CNN
    RNN MLP KV OOD IID FLOP FLOPS CoT ID PDF URL HTML JSON DAG
"""
GENERIC_ACRONYMS = frozenset(_GENERIC_ACRONYM_WORDS.split())
# Capitalised words that are never names on their own: sentence furniture and the paper's own parts.
_COMMON_CAPITALISED_WORDS = """
    The A An And Or But Of In On At To For From With By As Is Are Was Were Be It Its This That These
    Those We Our Us They Their He She His Her I You Your Here There Then Than When While Where Which Who
    What How Why Each Every All Some Many Most Both Such Also However Moreover Furthermore Finally First
    Second Third Using Based New Table Tables Figure Figures Fig Section Sections Sec Appendix Eq
    Equation Algorithm Chapter Step Stage Lemma Theorem Definition Proposition Corollary Proof Note
    Example Phase Level Round Version Part Abstract Introduction Conclusion Conclusions References
    Experiments Results Discussion Methods Method Background Limitations Acknowledgements Acknowledgments
    Across Among Between Within Without After Before During Under Over Compared Despite Unlike Like Via Through
    Per Only Overall Together Beyond Against Toward Towards Instead Unless Since Because Although Though
    English Chinese Korean Japanese French German Spanish Italian Portuguese Russian Arabic Hindi Vietnamese
    Thai Indonesian Turkish Dutch Polish Mandarin Cantonese
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
# "nearly" after the number and its counter, however many words that takes: "1,000 GPU 시간 가까이"
_HEDGE_AFTER = re.compile(r"\s?(?:가량|정도|안팎|내외|남짓|여)|(?:\s?[^\s.,;:!?()]{1,12}){0,3}?\s?(?:에\s?)?가까[이운]")
_URL = r"https?://\S+|www\.\S+"

_KOREAN_SMALL = {"십": 10.0, "백": 100.0, "천": 1000.0}
_KOREAN_BIG = {"만": 1e4, "억": 1e8, "조": 1e12}
_SUFFIX_SCALE = {"k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "b": 1e9, "T": 1e12}
WORD_SCALE = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_SMALL_WORDS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen \
fifteen sixteen seventeen eighteen nineteen twenty"
_TENS_WORDS = "thirty forty fifty sixty seventy eighty ninety"
WORD_VALUE = {w: float(i) for i, w in enumerate(_SMALL_WORDS.split())} | {
    w: float(10 * i) for i, w in enumerate(_TENS_WORDS.split(), start=3)
}
WORD_EXTRA = {"twice": 2.0, "double": 2.0, "doubles": 2.0, "triple": 3.0, "dozen": 12.0}
_MAX_DIGITS = 30  # longer digit runs are noise (or hostile), not quantities


def atom(p: str) -> str:
    """One number: mantissa, exponent, scale, percent/multiplier unit. `p` prefixes the group names."""
    return rf"""
    (?P<{p}m>(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?|\.\d+)
    (?:[eE](?P<{p}e>[-+−]?\d{{1,3}}))?
    (?:
        \s?(?P<{p}k>(?:[십백천]?(?:[억조]|만(?!큼))|[백천])(?:\s?(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?\s?(?:[십백천]?[만억조]|[백천]))*(?:\s(?:\d{{1,3}},\d{{3}}|\d{{1,4}})(?![\d.,]))?)
      | (?P<{p}s>[kKMBbT])(?![A-Za-z0-9])
      | [\s-](?P<{p}w>thousand|million|billion|trillion)\b
    )?
    (?:
        \s?(?P<{p}pct>%\s?p\b|%\s?포인트|%|퍼센트\s?포인트|퍼센트|포인트|percentage\s+points?\b|percent\b|pp\b|points?\b)
      | \s?(?P<{p}x>[x×](?![A-Za-z0-9])|배(?![치열포경출])|times\b|-?fold\b)
      | (?P<{p}unit>(?:ms|s|h|GB|MB|KB|TB|GiB|[kMG]?Hz|fps|px|D)(?![A-Za-z0-9]))
      | (?P<{p}g>(?!(?:st|nd|rd|th)(?![A-Za-z0-9]))(?:[a-zμ][A-Za-z]{{0,3}}|[A-Z][a-z]{{1,2}})[23²³]?)(?![A-Za-z0-9])
    )?
    """


_RANGE_SEP = r"\s?(?:-|–|—|~|∼|〜)\s?"
_COUNTER = r"(?:개국|개월|개|초|명|시간|분|단계|층|회|번|가지|건|편|쌍|토큰|배치|에폭)?"
_WORDNUM_NAMES = "|".join(sorted(WORD_VALUE, key=len, reverse=True))
_SUMMARY_WORDNUM = (
    rf"(?i:(?<![A-Za-z])(?P<wn>(?:{_WORDNUM_NAMES}|a)(?:[\s-](?:{_WORDNUM_NAMES}))?)\s+"
    rf"(?P<wmag>hundred|thousand|million|billion|trillion)\b)"
)
# Name tokens: Latin letters and digits joined by - _ . ' @ (`GPT-4o`, `HIT@1`).
_NAME_TOKEN = r"(?<![A-Za-z0-9])(?P<name>[A-Za-z0-9]+(?:[-_.'’@][A-Za-z0-9]+)*)"
# Korean number words: Sino-Korean magnitudes of two syllables or more (`백만`, `천만`, `일억`; a lone `만` is
# also the particle of `5초 만에`), and native numerals before 배 or 시간 (`세 배`, `두 시간`).
_KO_DIGIT = {"일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "칠": 7, "팔": 8, "구": 9}
_KO_NATIVE = {"한": 1, "두": 2, "세": 3, "네": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9, "열": 10}
_KO_AFTER_WORD = r"(?=[^\uac00-\ud7a3]|$|[의이가은는을를에도로와과만씩]|개|명|건|편|장|토큰|시간)"
_SUMMARY_KOREAN_WORDS = (
    rf"(?<![\uac00-\ud7a3])(?P<kw>(?:[일이삼사오육칠팔구]?[십백천]|[일이삼사오육칠팔구])[만억조]){_KO_AFTER_WORD}"
    rf"|(?<![\uac00-\ud7a3])(?P<kn>{'|'.join(sorted(_KO_NATIVE, key=len, reverse=True))})\s?(?P<knu>배|시간)"
    rf"(?=[^\uac00-\ud7a3]|$|[의이가은는을를에도로와과만씩]|동안|이상|이하|가량|정도)"
)

CLAIM_TOKENS = re.compile(
    rf"(?P<url>{_URL})"
    rf"|{_SUMMARY_WORDNUM}"
    rf"|{_SUMMARY_KOREAN_WORDS}"
    rf"|(?<![A-Za-z0-9_])(?<![0-9][.,])(?P<num>{atom('a_')}(?:{_RANGE_SEP}{atom('b_')})?){_COUNTER}"
    rf"(?![A-Za-z0-9])"
    rf"|{_NAME_TOKEN}",
    re.VERBOSE,
)
# What may follow a name's first token and still be the same name: a version (`Llama 2`, `Claude 3.5`), a
# size (`7B`, `8x7B`), another capitalised word (`Masked Frame Prediction`, `Stable Reinforce`, `Sonnet`) or
# a tier word (`GPT-4o mini`). One space apart, on the same line.
_NAME_EXTENSION = re.compile(
    r"[ ](?:"
    r"(?P<size>\d+(?:\.\d+)?(?:x\d+)?[BMK](?:-[A-Za-z0-9]+)*)"
    r"|(?P<ver>\d(?:\.\d{1,2})?)(?![\d]|[.,]\d|[A-Za-z%×])"
    r"|(?P<cap>[A-Z][A-Za-z0-9]*(?:[-_.'’@][A-Za-z0-9]+)*)"
    r"|(?P<tier>mini|nano|turbo|pro|max|plus|lite|flash|ultra|instruct|chat|base)"
    r")(?![A-Za-z0-9])"
)
MAX_NAME_WORDS = 6  # a longer run of capitalised words is a title, not a name
_KOREAN_PIECE = re.compile(r"(\d+(?:\.\d+)?)?\s?([십백천]?)([만억조]?)")
_INNER_CAP = re.compile(r"[A-Za-z0-9][A-Z]")
_HAS_DIGIT = re.compile(r"\d")
_HAS_ALPHA = re.compile(r"[A-Za-z]")
_RESOLUTION = re.compile(r"^(?:\d+[x×]\d+|(?:by|of|per|to)-\d+)$")  # `320x320`, `16-by-16`: a size, not a name
_PERCENTILE = re.compile(r"^[pP]\d{2}(?:\.\d+)?$")  # `p95` latency: a statistic, not a name
_ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th)$", re.IGNORECASE)
_SENTENCE_END = ".!?:;\n•·-–*>"


# ----------------------------------------------------------------------------------------------------
# Units: the class of what a number measures, read from the text right after it

# A known class, or "unit:<letters>" for a unit glued to its number that the table does not know (`6.5km2`
# before km2 was known, `4bit`): such a number is supported only by the same value with the same letters.
UnitClass = str

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
    **{u: ("bytes", f) for w, f in (("kilobyte", 1e3), ("megabyte", 1e6), ("gigabyte", 1e9), ("terabyte", 1e12))
       for u in (w, w + "s")},
    **{u: ("bytes", f)
       for u, f in (("킬로바이트", 1e3), ("메가바이트", 1e6), ("기가바이트", 1e9), ("테라바이트", 1e12))},
    **{u: ("frequency", f) for u, f in (("Hz", 1.0), ("kHz", 1e3), ("MHz", 1e6), ("GHz", 1e9))},
    # physical units a paper may use (remote sensing, robotics, audio): compared in m, g, m², dB, Wh
    **{u: ("length", f) for u, f in (("nm", 1e-9), ("μm", 1e-6), ("mm", 1e-3), ("cm", 1e-2), ("m", 1.0), ("km", 1e3))},
    **{u: ("length", f) for w, f in (("millimeter", 1e-3), ("centimeter", 1e-2), ("meter", 1.0), ("kilometer", 1e3))
       for u in (w, w + "s", w[:-2] + "re", w[:-2] + "res")},
    **{u: ("length", f) for u, f in (("밀리미터", 1e-3), ("센티미터", 1e-2), ("미터", 1.0), ("킬로미터", 1e3))},
    **{u: ("area", f) for w, f in (("square meter", 1.0), ("square kilometer", 1e6))
       for u in (w, w + "s", w[:-2] + "re", w[:-2] + "res")},
    **{u: ("mass", f) for u, f in (("mg", 1e-3), ("kg", 1e3))},
    **{u: ("area", f) for us, f in (("mm2 mm²", 1e-6), ("cm2 cm²", 1e-4), ("m2 m²", 1.0), ("km2 km²", 1e6))
       for u in us.split()},
    **{u: ("level", 1.0) for u in ("dB", "dBA", "데시벨")},
    **{u: ("energy", f) for u, f in (("Wh", 1.0), ("kWh", 1e3), ("MWh", 1e6), ("GWh", 1e9))},
    **{u: ("charge", f) for u, f in (("mAh", 1e-3), ("Ah", 1.0))},
    **{u: ("power", f) for u, f in (("mW", 1e-3), ("W", 1.0), ("kW", 1e3), ("MW", 1e6), ("watt", 1.0),
                                    ("watts", 1.0), ("와트", 1.0))},
    **{u: ("energy", f / 3600) for u, f in (("J", 1.0), ("mJ", 1e-3), ("kJ", 1e3), ("joule", 1.0), ("joules", 1.0))},
}
# Measurements make even a small number a claim (`3초`, `5 ms`); counts stay trivia below 10 (`2단계`).
_MEASURES = frozenset(
    {"time", "percent", "multiplier", "bytes", "frequency", "length", "mass", "area", "level", "energy", "charge",
     "power"}
)
_CASE_SENSITIVE_UNITS = frozenset(
    u for u, (c, _) in _UNIT_TABLE.items()
    if (c in ("bytes", "frequency", "length", "mass", "area", "level", "energy", "charge", "power")
        or (c == "time" and len(u) <= 3))
    and not _CJK.search(u)
)  # a short time unit too: `500K MS MARCO queries` holds no 500K milliseconds


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


def unit_at(text: str, pos: int) -> tuple[UnitClass, float] | None:
    """The class and factor of the unit written at `pos` (`10 ms`, `10-second`, `10초`, `3×`), if any."""
    m = _UNIT_AFTER.match(text, pos)
    if m is None:
        return None
    written = m.group("en") or m.group("ko")
    if written is None:
        return None
    key = re.sub(r"\s+", " ", written)
    word_after = _NOT_A_UNIT_BEFORE.get(key)
    if word_after is not None and word_after.match(text, m.end()):
        return None
    return _UNIT_TABLE.get(key) or _UNIT_TABLE.get(key.lower())


# A Korean unit syllable that starts another word, read on: `0.25일 때` (is 0.25 when), `85 초과` (above 85).
_NOT_A_UNIT_BEFORE = {
    "일": re.compile(r"\s?(?:때|수|까(?!지)|지라도|뿐|경우)"),
    "초": re.compile(r"과"),
}


def atom_unit(text: str, m: re.Match[str], p: str) -> tuple[UnitClass, float] | None:
    """The unit of one atom: its own percent/multiplier symbol, or the unit written right after its scale."""
    end = max(m.end(g) for g in (f"{p}m", f"{p}e", f"{p}k", f"{p}s", f"{p}w") if m.group(g) is not None)
    found = unit_at(text, end)
    if found is not None:
        return found
    if m.group(f"{p}pct") and not m.group(f"{p}pct").lstrip().lower().startswith("point"):
        return ("percent", 1.0)
    if m.group(f"{p}x"):
        return ("multiplier", 1.0)
    glued = m.group(f"{p}g")
    if glued:  # `6.5km2` with an unknown unit keeps its number, and its unit must match
        return (f"unit:{glued.lower()}", 1.0)
    return None


# ----------------------------------------------------------------------------------------------------
# Extraction


@dataclass(frozen=True)
class ExtractedClaim:
    """A claim found in a text: what it says (`text`, as written), where (`start`, `end`), and for a
    number the values to look for. A range has two `values`; `tolerances` are what each one's last digit
    is worth (its place times the scale), from which how far a paper's value may be follows; `percent` marks
    a percentage; `hedged` an "about". `unit_class` is what the number measures when its unit is recognisable
    (`10초`: time), and `factors` convert each value to the class's base unit (seconds, bytes, Hz; 1
    otherwise)."""

    text: str
    kind: Literal["number", "name"]
    start: int
    end: int
    values: tuple[float, ...] = ()
    tolerances: tuple[float, ...] = ()
    percent: bool = False
    hedged: bool = False
    key: str = ""  # a name's normalised form: lowercase letters and digits only
    unit_class: UnitClass | None = None
    factors: tuple[float, ...] = ()


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
    total, unit, pending = 0.0, 1.0, 0.0  # `1천8백만`: the pieces before a big unit are counted in it
    for number, small, big in _KOREAN_PIECE.findall((mantissa + units).replace(",", "")):
        if not (number or small or big):
            continue
        parsed = _mantissa(number) if number else (1.0, 0)
        if parsed is None:
            return None
        value, decimals = parsed
        part = value * _KOREAN_SMALL.get(small, 1.0)
        if big:
            scale = _KOREAN_SMALL.get(small, 1.0) * _KOREAN_BIG[big]
            total += (pending + part) * _KOREAN_BIG[big]
            pending = 0.0
        else:
            scale = _KOREAN_SMALL.get(small, 1.0)
            pending += part
        unit = scale * 10.0**-decimals
    return total + pending, unit


def atom_value(m: re.Match[str], p: str) -> tuple[float, float, float] | None:
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
        scale = WORD_SCALE[m.group(f"{p}w").lower()]
    if not m.group(f"{p}k"):
        value, unit = value * scale, unit * scale
    return value, unit, scale


def _is_trivia_number(
    text: str, m: re.Match[str], value: float, unit: float, scale: float, unit_class: UnitClass | None
) -> bool:
    start, end = m.start(), m.end()
    if is_reference(text, start, end):
        return True
    plain = not (m.group("a_pct") or m.group("a_x") or m.group("b_m")) and scale == 1.0
    plain = plain and unit_class not in _MEASURES and not (unit_class or "").startswith("unit:")
    if plain and unit == 1.0 and value < 10 and not m.group("a_e"):
        return True  # a bare small count: every text has it
    if plain and unit == 1.0 and is_citation_year(text, m.start("a_m"), m.end("a_m")):
        return True
    if value == 1.0 and _PER_UNIT.match(text, m.end("a_m")):
        return True  # `1초에 3.2쪽`, `1초당`: the unit of a rate, not a duration
    return text[max(0, start - 2) : start].endswith("제") and text.startswith(("장", "절"), end)


_PER_UNIT = re.compile(r"\s?(?:초|분|시간|일)(?:에|당|마다)")


def is_reference(text: str, start: int, end: int) -> bool:
    """A number naming the paper's furniture (`Table 10`, `[10]`), not a quantity: not one with a unit of
    measure after it (`the deepest stage (80 cm resolution)`)."""
    if text.startswith("]", end):
        return True
    if not _TRIVIA_BEFORE.search(text, max(0, start - 16), start):
        return False
    unit = unit_at(text, end)
    return unit is None or unit[0] not in _MEASURES


# A year in a citation: after "et al.", an author's name and comma, an opening bracket or a separator, and
# before its closing (`(Kovac et al., 2021)`, `[Reyes, 2019; ...]`, `Smith et al. 2020`); or a Korean year.
CITATION_YEARS = (1950, 2035)  # not 2048 (a size), nor 1920 (a resolution)
_CITATION_BEFORE = re.compile(r"(?:et\s+al\.?,?|[A-Z][A-Za-z-]+,|[(\[;,]|and\s+[A-Z][A-Za-z-]+,?)\s*$")
_CITATION_AFTER = re.compile(r"[a-z]?\s*[);,\]]")
_ET_AL_BEFORE = re.compile(r"\bet\s+al\.?,?\s*$")


def is_citation_year(text: str, start: int, end: int) -> bool:
    """Whether text[start:end], four digits, is a year in a citation or a Korean year (`2024년`): no quantity.
    One rule for the summary's claims and the paper's evidence."""
    if end - start != 4 or not text[start:end].isdigit():
        return False
    if not CITATION_YEARS[0] <= int(text[start:end]) <= CITATION_YEARS[1]:
        return False
    if text.startswith("년", end):
        return True
    before = text[max(0, start - 24) : start]
    if _ET_AL_BEFORE.search(before):
        return True
    return bool(_CITATION_BEFORE.search(before) and _CITATION_AFTER.match(text, end))


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


def is_name_token(token: str, text: str, start: int, cjk: bool) -> bool:
    """Whether one token is a name: a digit and a letter, a capital after the first letter, or a
    capitalised word (in CJK text, or mid-sentence in Latin text) that is no translation gloss."""
    if not _HAS_ALPHA.search(token) or _ORDINAL.match(token) or _RESOLUTION.match(token) or _PERCENTILE.match(token):
        return False
    bare = token[:-1] if token.endswith("s") and len(token) > 2 and token[:-1].isupper() else token
    if bare in GENERIC_ACRONYMS or token in _CASE_SENSITIVE_UNITS:  # `GB`, `kHz` are units, not names
        return False
    parts = re.split(r"[-_.'’@]", token)
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


def _strip_possessive(token: str) -> str:
    for suffix in ("'s", "’s"):
        if token.endswith(suffix):
            return token[: -len(suffix)]
    return token


def name_at(text: str, start: int, token: str, cjk: bool, *, decimal_versions: bool = True) -> str | None:
    """The name that starts with `token` at `start`, extended over the words that belong to it (`Llama 2 7B`,
    `Masked Frame Prediction`, `Claude 3.5 Sonnet`); None when the token starts no name. Without
    `decimal_versions`, `EchoChat 4.1` is the name `EchoChat` (a paper writes a score after a name more often
    than a version)."""
    token = _strip_possessive(token)
    single = is_name_token(token, text, start, cjk)
    first_ok = single or (
        token[:1].isupper() and token not in _COMMON_CAPITALISED and _HAS_ALPHA.search(token) is not None
        and not _in_gloss(text, start)
    )
    if not first_ok:
        return None
    end = start + len(token)
    words, extended = 1, False
    while words < MAX_NAME_WORDS:
        m = _NAME_EXTENSION.match(text, end)
        if m is None:
            break
        if m.group("cap"):
            word = _strip_possessive(m.group("cap"))
            if word in _COMMON_CAPITALISED or word in GENERIC_ACRONYMS or word in _CASE_SENSITIVE_UNITS:
                break
            nxt = m.start("cap") + len(word)
        elif m.group("ver"):
            if (not decimal_versions and "." in m.group("ver")) or unit_at(text, m.end()) is not None or (
                _KOREAN_UNIT_NEXT.match(text, m.end())
            ):
                break  # `Sonora 3배`, `EchoChat 4 ms`: a measurement, not a version
            nxt = m.end()
        elif m.group("size"):
            nxt = m.end()
        else:  # a tier word belongs only to a versioned name: `GPT-4o mini`, not `Sonora mini`
            if not _HAS_DIGIT.search(text[start:end]):
                break
            nxt = m.end()
        end, words, extended = nxt, words + 1, True
    if not single and not extended:
        return None  # a capitalised word that starts a sentence is a name only with the words after it
    return text[start:end]


# A Korean unit or counter right after a number ends a version: `Sonora 3배`, `3개`.
_KOREAN_UNIT_NEXT = re.compile(r"\s?(?:배|초|분|개|명|층|회|번|가지|건|편|시간|단계|만|억|조|천|백|장|대|쌍|종)")


def _number_claim(text: str, m: re.Match[str]) -> ExtractedClaim | None:
    a = atom_value(m, "a_")
    if a is None:
        return None
    values, tolerances = [a[0]], [a[1]]
    a_unit = atom_unit(text, m, "a_")
    units_of = [a_unit]
    if m.group("b_m"):
        b = atom_value(m, "b_")
        if b is None:
            return None
        # `95-100%`, `10–20억`: a unit or scale written once applies to both ends
        if a[2] == 1.0 and b[2] != 1.0:
            values[0], tolerances[0] = a[0] * b[2], a[1] * b[2]
        values.append(b[0])
        tolerances.append(b[1])
        # `10-20 ms`: a unit written once, after the second end, applies to both
        b_unit = atom_unit(text, m, "b_")
        units_of = [a_unit or b_unit, b_unit or a_unit]
    classes = {u[0] for u in units_of if u is not None}
    unit_class = classes.pop() if len(classes) == 1 else None  # `10%-2x` is noise: no class
    if unit_class is None and (m.group("a_pct") or "").lstrip().lower().startswith("point"):
        unit_class = "points"  # "8.3 points": a gain in points, not a multiplier
    if not m.group("b_m") and _is_trivia_number(text, m, a[0], a[1], a[2], unit_class):
        return None
    percent = bool(m.group("a_pct") or m.group("b_pct")) or unit_class == "percent"
    return ExtractedClaim(
        text=m.group(0).strip(),
        kind="number",
        start=m.start(),
        end=m.end(),
        values=tuple(values),
        tolerances=tuple(tolerances),
        percent=percent,
        hedged=_is_hedged(text, m.start(), m.end()),
        unit_class=unit_class,
        factors=tuple(u[1] if u is not None and unit_class and unit_class != "points" else 1.0 for u in units_of),
    )


def _korean_word_claim(text: str, m: re.Match[str]) -> ExtractedClaim:
    """`백만` (1e6), `일억` (1e8), `세 배` (3x), `두 시간` (2 h)."""
    if m.group("kw"):
        word = m.group("kw")
        digit = _KO_DIGIT.get(word[0], 0) if len(word) > 1 and word[0] in _KO_DIGIT else 0
        rest = word[1:] if digit else word
        small = _KOREAN_SMALL.get(rest[0], 1.0) if len(rest) > 1 else 1.0
        value = (digit or 1) * small * _KOREAN_BIG[rest[-1]]
        found = unit_at(text, m.end())
        return ExtractedClaim(
            word, "number", m.start(), m.end(), (value,), (value,), hedged=_is_hedged(text, m.start(), m.end()),
            unit_class=found[0] if found else None, factors=(found[1] if found else 1.0,),
        )
    value = float(_KO_NATIVE[m.group("kn")])
    cls, factor = _UNIT_TABLE[m.group("knu")]
    return ExtractedClaim(
        m.group(0), "number", m.start(), m.end(), (value,), (1.0,), hedged=_is_hedged(text, m.start(), m.end()),
        unit_class=cls, factors=(factor,),
    )


def extract_cleaned(text: str) -> list[ExtractedClaim]:
    """`extract_claims` of a text already `clean`ed (offsets are offsets in it)."""
    cjk = bool(_CJK.search(text))
    original = text
    # Korean number syllables count only where the analyzer tags a numeral (`구조` is no 9조): the grammar
    # reads a copy where the others are masked, and claims keep the text as written
    text = mask_non_numerals(text) if cjk else text
    out: list[ExtractedClaim] = []
    skip = 0  # the end of the last multi-word name: its words are not claims of their own
    for m in CLAIM_TOKENS.finditer(text):
        if m.start() < skip or m.group("url"):
            continue
        if m.group("kw") or m.group("kn"):
            out.append(_korean_word_claim(text, m))
        elif m.group("wn") is not None:
            words = re.split(r"[\s-]+", m.group("wn").lower())
            base = sum(WORD_VALUE.get(w, 1.0 if w == "a" else 0.0) for w in words)
            scale = WORD_SCALE[m.group("wmag").lower()]
            start, tolerance = m.start(), scale
            half = re.search(r"\bhalf\s+$", text[max(0, start - 8) : start], re.I)
            if words == ["a"] and half:  # "half a million"
                base, start, tolerance = 0.5, start - len(half.group(0)), scale / 10
            found = unit_at(text, m.end())
            out.append(
                ExtractedClaim(
                    text[start : m.end()],
                    "number",
                    start,
                    m.end(),
                    (base * scale,),
                    (tolerance,),
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
            name = name_at(text, m.start(), m.group("name"), cjk)
            if name is not None:
                end = m.start() + len(name)
                skip = end
                out.append(ExtractedClaim(name, "name", m.start(), end, key=name_key(name)))
    if text is not original:
        out = [c if c.kind == "name" else replace(c, text=original[c.start : c.end].strip()) for c in out]
    out = _compound_durations(original, [c for c in out if not _fraction_part(original, c)])
    return [c for i, c in enumerate(out) if not (i + 1 < len(out) and _glossed_by(original, c, out[i + 1]))]


_DURATION_GAP = re.compile(r"\s?$")
_HALF_AFTER = re.compile(r"(?:시간|분|초|일)?\s?반(?![\uac00-\ud7a3])")


def _compound_durations(text: str, claims: list[ExtractedClaim]) -> list[ExtractedClaim]:
    """`3시간 30분`, `1분 30초`, `3시간 반`: one duration (3.5 h), not numbers the paper never wrote apart."""
    out: list[ExtractedClaim] = []
    for c in claims:
        half = _HALF_AFTER.match(text, c.end) if c.kind == "number" and c.unit_class == "time" else None
        if half and len(c.values) == 1:
            c = replace(c, text=text[c.start : half.end()], end=half.end(), values=(c.values[0] + 0.5,),
                        tolerances=(min(c.tolerances[0], 0.5),))
        prev = out[-1] if out else None
        if (prev is not None and prev.kind == c.kind == "number" and prev.unit_class == c.unit_class == "time"
                and len(prev.values) == len(c.values) == 1 and prev.factors and c.factors
                and prev.factors[0] > c.factors[0] and _DURATION_GAP.match(text[prev.end : c.start])):
            big = prev.factors[0]
            value = prev.values[0] + c.values[0] * c.factors[0] / big
            out[-1] = replace(prev, text=text[prev.start : c.end], end=c.end, values=(value,),
                              tolerances=(c.tolerances[0] * c.factors[0] / big,))
            continue
        out.append(c)
    return out


def _glossed_by(text: str, claim: ExtractedClaim, nxt: ExtractedClaim) -> bool:
    """`초당 12.5개(12.5Hz)`: a number glossed by the same value with a unit in brackets right after it is one
    claim, the bracketed one (what the paper writes)."""
    if not (claim.kind == nxt.kind == "number" and text[claim.end : nxt.start].strip() == "("):
        return False
    if claim.values == nxt.values:
        return True
    # `3시간 반(210분)`: the same duration in another unit
    mine = [v * f for v, f in zip(claim.values, claim.factors or (1.0,) * len(claim.values), strict=True)]
    theirs = [v * f for v, f in zip(nxt.values, nxt.factors or (1.0,) * len(nxt.values), strict=True)]
    return (claim.unit_class is not None and claim.unit_class == nxt.unit_class and len(mine) == len(theirs)
            and all(abs(a - b) <= 1e-6 * max(abs(a), 1.0) for a, b in zip(mine, theirs, strict=True)))


_FRACTION = re.compile(r"\s?분의\s?\d")


def _fraction_part(text: str, claim: ExtractedClaim) -> bool:
    """`3분의 1` (a third) is no 3 minutes: a Korean fraction's parts are no claims."""
    if claim.kind != "number":
        return False
    if claim.text.endswith("분") and _FRACTION.match(text, claim.end - 1):
        return True
    return bool(re.search(r"분의\s?$", text[max(0, claim.start - 4) : claim.start]))


def extract_claims(text: str) -> list[ExtractedClaim]:
    """The numbers and names in a summary text that the paper must support, in text order.

    Offsets refer to `clean(text)` (NFKC, no zero-width or control characters)."""
    return extract_cleaned(clean(text))
