"""The words that say what a number is about, in English and Korean: qualifiers (up to, average, over,
under), metrics and counted things, and conditions (zero-/few-shot, language, difficulty, domain).

A concept is (dimension, name). Two numbers whose contexts name concepts of the same dimension that do not
overlap are about different things: "10-15% fewer tokens" is not "10-15% less training time". The groups are
coarse on purpose (accuracy, success rate and score are one `quality`), because a faithful summary paraphrases
and a false flag costs more trust than a missed near-synonym.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache
from typing import TypeVar

from dailypapers.models import Qualifier
from dailypapers.text import HANGUL

Concept = tuple[str, str]  # (dimension, name)
_T = TypeVar("_T")

# ----------------------------------------------------------------------------------------------------
# Qualifiers: the bound or statistic a number is stated with.

QUALIFIER_WORDS: dict[str, str] = {"max": "up to", "avg": "average", "over": "over", "under": "under"}
# Pairs that cannot describe the same number: a maximum is not an average, a lower bound not an upper bound.
_QUALIFIER_CONFLICTS = frozenset(
    {frozenset(("max", "avg")), frozenset(("over", "under")), frozenset(("max", "over"))}
)


def qualifiers_conflict(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and frozenset((a, b)) in _QUALIFIER_CONFLICTS


# Right before the number (a few words may sit between a statistic and its number: "평균 정확도 92%",
# "an average accuracy of 92%"); a bound must touch it ("more than 1M", "at least 3").
_STAT_BEFORE = re.compile(
    r"(?:(?P<max>\bup\s+to|\bas\s+(?:high|much|many|large|fast|low|few)\s+as|\bmaximum(?:\s+of)?|\bmax\.?"
    r"|\bpeak(?:\s+of)?|\bat\s+best|최대|최고)"
    r"|(?P<avg>\b(?:an\s+)?average(?:d)?(?:\s+of)?|\bavg\.?|\bmean(?:\s+of)?|\bon\s+average|평균(?:적으로)?))"
    r"(?:\s+[^\s\d]{1,24}){0,2}?\s*(?:of\s+|is\s+|은\s+|는\s+|이\s+|가\s+)?$",
    re.IGNORECASE,
)
_BOUND_BEFORE = re.compile(
    r"(?:(?P<over>\bover|\bmore\s+than|\babove|\bat\s+least|\bexceed(?:s|ing)?|\bbeyond|\bgreater\s+than"
    r"|\bupwards\s+of|\bin\s+excess\s+of|>|≥)"
    r"|(?P<under>\bunder|\bless\s+than|\bfewer\s+than|\bbelow|\bwithin|\bat\s+most|\bno\s+more\s+than"
    r"|\blower\s+than|<|≤))\s*(?:the\s+|a\s+)?$",
    re.IGNORECASE,
)
# After the number (its unit or counter may come first: "100만 개 이상", "10 ms or less").
_AFTER = re.compile(
    r"^[^\s\d]*\s?(?:[^\s\d]{1,4}\s)?(?:"
    r"(?P<over>이상|초과|넘는|넘게|넘어|넘|상회|or\s+more|or\s+higher|or\s+above|\+)"
    r"|(?P<under>이하|미만|이내|안에|채\s?안\s?되|안\s?되는|걸리지\s?않|or\s+less|or\s+fewer|or\s+lower)"
    r"|(?P<max>까지)"
    r")",
    re.IGNORECASE,
)
_ON_AVERAGE = re.compile(r"\bon\s+average\b|\bin\s+average\b|평균적으로", re.IGNORECASE)


def qualifier(before: str, after: str, segment_rest: str) -> Qualifier | None:
    """The qualifier of a number from the text right before it, right after it, and the rest of its clause
    after it ("improves by 4.2 points on average")."""
    m = _BOUND_BEFORE.search(before)
    if m:
        return "over" if m.group("over") else "under"
    m = _AFTER.match(after)
    if m:
        return "over" if m.group("over") else "under" if m.group("under") else "max"
    m = _STAT_BEFORE.search(before)
    if m:
        return "max" if m.group("max") else "avg"
    if _ON_AVERAGE.search(segment_rest[:60]):
        return "avg"
    return None


# ----------------------------------------------------------------------------------------------------
# Concepts: what a number measures or counts, and the condition it was measured under.

# dimension -> concept -> (English words, Korean words). English words match whole words (plural s allowed);
# Korean words match anywhere (particles attach to them).
_LEXICON: dict[str, dict[str, tuple[str, str]]] = {
    "metric": {
        "quality": (
            "accuracy acc score success-rate pass-rate solve-rate win-rate f1 exact-match bleu rouge "
            "pass@1 pass@k top-1 top-5 precision recall auc",
            "정확도 정답률 성공률 통과율 해결률 승률 점수 정밀도 재현율",
        ),
        "error": (
            "error error-rate wer cer mistake hallucination-rate perplexity", "오류 오차 에러 오답 환각 퍼플렉서티"
        ),
        "time": (
            "latency delay time speed speedup speed-up faster slower throughput wall-clock runtime hours seconds",
            "지연 시간 속도 빠르 빠른 빠릅 빨라 빠름 빨리 느리 느린 느립 느려 처리량 가속",
        ),
        "tokens": ("token", "토큰"),
        "memory": ("memory vram footprint", "메모리"),
        "cost": ("cost compute flops price", "비용 연산량"),
        "parameters": ("parameter param weight", "파라미터 매개변수 가중치"),
        "energy": ("energy emission co2 carbon power", "에너지 배출 전력 탄소"),
        "size": ("compression size", "압축 크기"),
    },
    "shot": {
        "zero": ("zero-shot 0-shot", "제로샷 제로-샷"),
        "one": ("one-shot 1-shot", "원샷 원-샷"),
        "few": ("few-shot 3-shot 5-shot 8-shot 10-shot 16-shot 25-shot 32-shot", "퓨샷 퓨-샷 소수-샷 3-샷 5-샷 8-샷"),
    },
    "language": {
        "english": ("english", "영어"),
        "chinese": ("chinese mandarin", "중국어"),
        "korean": ("korean", "한국어"),
        "japanese": ("japanese", "일본어"),
        "multilingual": ("multilingual cross-lingual", "다국어"),
    },
    "difficulty": {
        "easy": ("easy simple", "쉬운 쉬움"),
        "medium": ("medium moderate", "중간-난이도 보통"),
        "hard": ("hard difficult challenging", "어려운 어려움 고난도"),
    },
    "distribution": {
        "in": ("in-domain in-distribution seen", "도메인-내 분포-내 학습-분포"),
        "out": ("out-of-domain out-of-distribution ood unseen held-out", "도메인-외 분포-외 미학습"),
    },
    "domain": {
        "math": ("math mathematics mathematical arithmetic", "수학 산술"),
        "code": ("code coding programming", "코드 코딩 프로그래밍"),
        "science": ("science scientific physics chemistry biology", "과학 물리 화학 생물"),
        "medical": ("medical clinical biomedical", "의료 의학 임상"),
        "legal": ("legal law", "법률 법학"),
    },
}
# Things a number counts: matched only right next to it ("5,560 problems", "5,560개의 문제", "문제 5,560개").
_NOUNS: dict[str, tuple[str, str]] = {
    "items": (
        "problem question task item prompt query instruction exercise puzzle theorem proof",
        "문제 문항 질문 과제 작업 태스크 항목 프롬프트 쿼리 질의 지시 명령어 퍼즐 정리 증명",
    ),
    "samples": (
        "sample example instance pair demonstration trajectory episode",
        "샘플 표본 예제 예시 인스턴스 쌍 시연 궤적 에피소드",
    ),
    "categories": (
        "domain category subject topic type class genre", "도메인 분야 카테고리 범주 주제 과목 유형 클래스 장르"
    ),
    "languages": ("language", "언어"),
    "layers": ("layer block head", "레이어 층 블록 헤드"),
    "images": ("image photo picture", "이미지 사진 그림"),
    "videos": ("video clip frame", "비디오 동영상 영상 클립 프레임"),
    "audio": ("voice speaker utterance recording", "음성 목소리 화자 발화 녹음"),
    "people": ("user participant annotator rater human expert", "사용자 참가자 주석자 평가자 어노테이터 사람 전문가"),
    "devices": ("gpu accelerator device node tpu", "가속기 장치 노드 GPU TPU"),
    "steps": ("step epoch iteration round update", "스텝 에폭 반복 라운드 업데이트"),
    "documents": ("document paper article page book", "문서 논문 기사 페이지 책"),
    "models": ("model baseline system agent", "모델 기준선 베이스라인 시스템 에이전트"),
    "benchmarks": ("benchmark dataset suite", "벤치마크 데이터셋 데이터-세트"),
    "dialogues": ("dialogue dialog conversation turn", "대화 턴"),
    "words": ("word sentence character", "단어 문장 문자"),
}
# Dimensions a clause's lead ("In the zero-shot setting, ...") gives to every number after it.
# A metric's name (`minFDE@6`, `NDCG@30`, `BLEU-4`) is shared by every value a sentence reports with it: "X's
# minFDE@6 rises to 2.05 m, while Y stays at 1.49 m" gives 1.49 m a minFDE@6 too. (A benchmark or a system
# written beside another value does own that value.)
_METRIC_NAME = re.compile(
    r"@|^(?:min|max|mean|avg)?(?:ade|fde|map|ndcg|mrr|cider|fid|fvd|psnr|ssim|lpips|bleu|rouge|meteor|chrf|wer|cer"
    r"|f1|auc|auroc|auprc|mae|rmse|mse|iou|miou|em|acc|top|recall|precision|pass|spice|clipscore)"
    r"[\d\-_.]*[a-z]?$",
    re.IGNORECASE,
)


def is_metric_name(written: str) -> bool:
    return bool(_METRIC_NAME.search(written.strip()))


PROPAGATING = frozenset({"shot", "language", "difficulty", "distribution", "domain"})


def _alternation(words: list[str], *, korean: bool = False) -> str:
    return "|".join(_word(w, korean) for w in sorted(set(words), key=len, reverse=True))


def _word(w: str, korean: bool) -> str:
    """One word of an alternation. Korean words match anywhere (particles attach to them); a Latin word in a
    Korean list (`GPU`) only as a whole word (not inside "xGPU" or "GPUx"; a plural is fine). (English lists
    are bounded as a whole.)"""
    pattern = re.escape(w).replace(r"\-", "[- ]?")
    if korean and _LATIN.search(w) and not HANGUL.search(w):
        return rf"(?<![A-Za-z0-9]){pattern}(?=(?:e?s)?(?![A-Za-z0-9]))"
    return pattern


_LATIN = re.compile(r"[A-Za-z]")


def _words(entries: Iterable[tuple[_T, tuple[str, str]]]) -> tuple[list[str], list[str], dict[str, _T]]:
    """The English words, the Korean words, and what each (normalised) stands for."""
    table: dict[str, _T] = {}
    english: list[str] = []
    korean: list[str] = []
    for value, (en, ko) in entries:
        for words, out in ((en, english), (ko, korean)):
            for w in words.split():
                out.append(w)
                table[_norm(w)] = value
    return english, korean, table


@cache
def _concept_regex() -> tuple[re.Pattern[str], dict[str, Concept]]:
    english, korean, table = _words(
        ((dim, name), words) for dim, concepts in _LEXICON.items() for name, words in concepts.items()
    )
    pattern = (
        rf"(?<![A-Za-z0-9])(?:{_alternation(english)})(?:e?s)?(?![A-Za-z0-9])"
        rf"|(?<![\uac00-\ud7a3])(?:{_alternation(korean, korean=True)})"
    )
    return re.compile(pattern, re.IGNORECASE), table


@cache
def _noun_regex() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, str]]:
    english, korean, table = _words(_NOUNS.items())
    # after an English number: its unit or scale, up to two lowercase modifiers, then the noun
    after_en = re.compile(
        rf"^\S*?\s?(?:(?!(?:on|in|of|for|at|by|to|than|and|or|with|from|over|across|the|a|an)\s)[a-z-]+\s){{0,2}}?"
        rf"(?P<n>{_alternation(english)})(?:e?s)?(?![A-Za-z])",
        re.IGNORECASE,
    )
    # after a Korean counter: `5,560개의 (형식) 문제`
    after_ko = re.compile(rf"^(?:의)?\s?(?:\S+\s){{0,2}}?(?P<n>{_alternation(korean, korean=True)})")
    return after_en, after_ko, table


_KOREAN_NOUN_BEFORE = re.compile(r"(?P<n>[\uac00-\ud7a3A-Za-z]+)\s?$")


@lru_cache(maxsize=4096)  # fed every concept word a text has: bounded
def _norm(word: str) -> str:
    return _NORM.sub("", word.lower())


_NORM = re.compile(r"[\s-]+")


def concepts_in(text: str) -> list[tuple[int, Concept]]:
    """Every concept word in `text`, with its position."""
    regex, table = _concept_regex()
    out: list[tuple[int, Concept]] = []
    for m in regex.finditer(text):
        word = _norm(m.group(0))
        concept = table.get(word) or table.get(word.rstrip("s")) or table.get(word[:-2] if word.endswith("es") else "")
        if concept is not None:
            out.append((m.start(), concept))
    return out


_KOREAN_COUNTER_END = re.compile(r"(?:개|명|가지|건|편|쌍|장)$")


def counted_noun(number: str, after: str, before: str) -> str | None:
    """What a number counts: the noun right after it ("5,560 problems", "5,560개의 문제") or, after a Korean
    counter, the noun right before it (`문제 5,560개`)."""
    after_en, after_ko, table = _noun_regex()
    if _KOREAN_COUNTER_END.search(number):
        m = after_ko.match(after)
        if m:
            return table.get(_norm(m.group("n")))
        mb = _KOREAN_NOUN_BEFORE.search(before)
        if mb:
            word = _norm(mb.group("n"))
            for stem, name in table.items():
                if len(stem) > 1 and word.startswith(stem):
                    return name
        return None
    m = after_en.match(after)
    return table.get(_norm(m.group("n"))) if m else None


def concepts_conflict(a: frozenset[Concept], b: frozenset[Concept]) -> str | None:
    """The dimension in which two contexts disagree (both name it, with no concept in common), or None."""
    dims_a: dict[str, set[str]] = {}
    for dim, name in a:
        dims_a.setdefault(dim, set()).add(name)
    dims_b: dict[str, set[str]] = {}
    for dim, name in b:
        dims_b.setdefault(dim, set()).add(name)
    for dim, names in dims_a.items():
        other = dims_b.get(dim)
        if other and not (names & other):
            return dim
    return None
