"""A labelled set for grounding, generated: made-up papers (prose, a table, headings, references) and
one-section summaries of them, each labelled with the claims a careful reader would flag.

Everything is written from templates with invented models, benchmarks and numbers (no text from real
papers). Three families of cases:

- `benign:*` — faithful rewrites the checker must not flag: hedges, unit spellings, Korean number words,
  reordered clauses and sentences, "respectively", rounding, omitted context, comparisons, table values in
  prose, names written with spaces.
- `relational:*` — a true number or name attached to the wrong thing: swapped benchmark values, the other
  benchmark, swapped category counts, swapped multipliers, a changed qualifier, a baseline's attribution,
  the wrong condition, the wrong metric, a shortened model name, a table cell from the wrong row.
- `mutation:*` — one claim changed into something the paper does not say (another digit, unit or scale, a
  misspelt name), including traps where the wrong value is a heading, equation, list or reference number.

Some of the vocabulary (counted things, conditions) is deliberately outside the checker's lexicon, so the
figures measure the checker, not the generator's agreement with it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from dailypapers.models import Document, TextSection

# ----------------------------------------------------------------------------------------------------
# Made-up vocabulary

_STEMS = ["Orbit", "Veltra", "Corvo", "Lumos", "Talon", "Quillo", "Nexar", "Halden", "Brisa", "Mirel", "Kestra",
          "Sablo", "Tindra", "Ovrel", "Parvo", "Zenith"]
_BENCHES = ["ArcLite", "MathQuest", "CodeHarbor", "LexiBench", "SpokenQA-Lite", "VistaVQA", "ProofDeck",
            "TableTalk", "GeoReason", "StoryCloze-X", "PlanBench-Mini", "ChartSense"]
_BASE_STEMS = ["Nimbus", "Solace", "Atrium", "Vireo", "Kappa", "Dorado", "Helio", "Rhea"]
_QWENLIKE = ["Pella", "Marlo", "Tessa", "Quorra", "Ivo", "Lyra"]
_METHODS = [("StableReinforce", "Stable Reinforce"), ("TokenSieve", "Token Sieve"), ("DeltaRoute", "Delta Route"),
            ("PrismAlign", "Prism Align"), ("EchoDistill", "Echo Distill"), ("GridPlanner", "Grid Planner")]
# (English plural, Korean) pairs of things a dataset counts; the last two are outside the checker's lexicon.
_CATEGORY_PAIRS = [
    (("problems", "문제"), ("domains", "도메인")),
    (("images", "이미지"), ("videos", "비디오")),
    (("dialogues", "대화"), ("languages", "언어")),
    (("questions", "질문"), ("documents", "문서")),
    (("recipes", "레시피"), ("cuisines", "요리 유형")),
    (("molecules", "분자"), ("reactions", "반응")),
]
# (English, Korean) conditions a rate is measured under; the last pair is outside the checker's lexicon.
_CONDITIONS = [
    (("in the zero-shot setting", "제로샷 설정에서"), ("with 5-shot prompting", "5-shot 프롬프트에서")),
    (("on the easy split", "쉬운 분할에서"), ("on the hard split", "어려운 분할에서")),
    (("on English prompts", "영어 프롬프트에서"), ("on Chinese prompts", "중국어 프롬프트에서")),
    (("with retrieval", "검색을 사용할 때"), ("without retrieval", "검색 없이")),
]
_FILLER = [
    "We keep the notation of the previous section and describe each component in turn.",
    "The same observation holds when the training budget is varied within a reasonable range.",
    "This design choice keeps the implementation short and easy to reproduce on commodity hardware.",
    "Each component can be removed on its own, which makes the ablation straightforward to run.",
    "In practice the overhead of this step is small compared with a forward pass of the model.",
    "We follow common practice for the optimiser, the warm-up and the learning rate schedule.",
    "The procedure needs no labels beyond those that the original datasets already provide.",
    "We report the mean over three seeds and keep the evaluation code unchanged across runs.",
]


def _fmt(x: float, decimals: int) -> str:
    return f"{x:.{decimals}f}"


@dataclass
class World:
    """One made-up paper: its names, its numbers, and the Document that states them."""

    seed: int
    model: str
    method: tuple[str, str]  # (CamelCase, written with a space)
    bench_a: str
    bench_b: str
    base1: str  # GPT-4o-like: a version with a letter after it
    base1_short: str  # GPT-4-like: the same without the letter
    base2: str  # Qwen2.5-7B-like
    base2_short: str  # Qwen2-like
    acc_a: str
    acc_b: str
    base_acc_a: str
    base_acc_b: str
    lat: str
    base_lat: str
    speed: str
    mem: str
    tok: str
    train: str
    upto: str
    avg: str
    cond: tuple[tuple[str, str], tuple[str, str]]
    cond_rates: tuple[str, str]
    cats: tuple[tuple[str, str], tuple[str, str]]
    counts: tuple[str, str]
    voices: int
    heading_num: str  # "4.2": a subsection number
    equation_num: str
    ref_name: str  # a model named only in the references
    ref_year: str
    numbers: set[float] = field(default_factory=set)
    document: Document | None = None


def _distinct(rng: random.Random, low: float, high: float, decimals: int, taken: set[float]) -> str:
    """A number no other number of the paper is close to (so a swap is always a real error)."""
    for _ in range(1000):
        x = round(rng.uniform(low, high), decimals)
        if all(abs(x - t) > max(0.25, 0.06 * max(abs(x), abs(t))) for t in taken):
            taken.add(x)
            return _fmt(x, decimals)
    raise RuntimeError("no distinct number left")  # pragma: no cover - the ranges are wide


def make_world(seed: int) -> World:
    rng = random.Random(7919 * seed + 17)
    taken: set[float] = {1.0, 2.0, 3.0, 4.0, 5.0, 7.0, 4.2, 2021.0, 2022.0}
    stem = _STEMS[seed % len(_STEMS)]
    size = rng.choice([3, 7, 13, 34])
    taken.add(float(size))
    a, b = rng.sample(_BENCHES, 2)
    bstem = rng.choice(_BASE_STEMS)
    ver = rng.choice([3, 4, 5])
    qstem = rng.choice(_QWENLIKE)
    qmajor = rng.choice([2, 3])
    qsize = rng.choice([7, 14])
    taken |= {float(ver), float(qmajor), float(qsize), qmajor + 0.5}
    heading = f"{rng.choice([4, 5])}.{rng.choice([2, 3])}"
    taken.add(float(heading))
    equation = str(rng.choice([6, 8, 9]))
    w = World(
        seed=seed,
        model=f"{stem}-{size}B",
        method=_METHODS[seed % len(_METHODS)],
        bench_a=a,
        bench_b=b,
        base1=f"{bstem}-{ver}o",
        base1_short=f"{bstem}-{ver}",
        base2=f"{qstem}{qmajor}.5-{qsize}B",
        base2_short=f"{qstem}{qmajor}",
        acc_a=_distinct(rng, 55, 92, 2, taken),
        acc_b=_distinct(rng, 30, 80, 2, taken),
        base_acc_a=_distinct(rng, 40, 85, 1, taken),
        base_acc_b=_distinct(rng, 20, 70, 1, taken),
        lat=str(int(float(_distinct(rng, 80, 400, 0, taken)))),
        base_lat=str(int(float(_distinct(rng, 450, 1500, 0, taken)))),
        speed=_distinct(rng, 2.1, 4.9, 1, taken),
        mem=_distinct(rng, 1.5, 4.9, 1, taken),
        tok=_distinct(rng, 11, 45, 0, taken),
        train=_distinct(rng, 11, 45, 0, taken),
        upto=_distinct(rng, 9, 25, 1, taken),
        avg=_distinct(rng, 2, 8.9, 1, taken),
        cond=_CONDITIONS[seed % len(_CONDITIONS)],
        cond_rates=(_distinct(rng, 20, 60, 1, taken), _distinct(rng, 30, 75, 1, taken)),
        cats=_CATEGORY_PAIRS[seed % len(_CATEGORY_PAIRS)],
        counts=(
            f"{int(float(_distinct(rng, 1200, 9800, 0, taken))):,}", str(int(float(_distinct(rng, 12, 96, 0, taken))))
        ),
        voices=rng.choice([1, 2, 3]),
        heading_num=heading,
        equation_num=equation,
        ref_name=f"{rng.choice(_BASE_STEMS)}-{rng.choice([7, 8, 9])}X",
        ref_year=str(rng.choice([2019, 2020, 2023])),
    )
    w.numbers = taken
    w.document = _document(w, rng)
    return w


# How the paper states each fact: one template per paper, picked at random (the summaries do not know which).
_ACCURACY = [
    "{model} reaches {acc_a}% on {bench_a} and {acc_b}% on {bench_b}.",
    "On {bench_a}, {model} scores {acc_a}%, while on {bench_b} it scores {acc_b}%.",
    "{model} obtains {acc_a}% and {acc_b}% on {bench_a} and {bench_b}, respectively.",
    "Accuracy is {acc_a}% on {bench_a}; on {bench_b} it is {acc_b}%.",
]
_LATENCY = [
    "{model} answers in {lat} ms, while {base1} needs {base_lat} ms.",
    "{base1} needs {base_lat} ms per request, against {lat} ms for {model}.",
    "With a latency of {lat} ms, {model} is much faster than {base1} ({base_lat} ms).",
]
_MULTIPLIERS = [
    "Decoding is {speed}x faster and memory use is {mem}x lower than with {base2}.",
    "Compared with {base2}, decoding is {speed}x faster, and memory use drops {mem}x.",
    "{model} cuts memory by {mem}x and speeds up decoding by {speed}x over {base2}.",
]
_TOKENS = [
    "{model} needs {tok}% fewer tokens than {base2} to reach the same loss. "
    "Training time drops by {train}% because fewer steps are needed.",
    "Training time falls by {train}%, and {model} reaches the same loss with {tok}% fewer tokens than {base2}.",
]
_QUALIFIED = [
    "{camel} improves accuracy by up to {upto} points, and by {avg} points on average.",
    "The average gain from {camel} is {avg} points, with a maximum of {upto} points.",
    "On average {camel} adds {avg} points of accuracy; the largest gain is up to {upto} points.",
]
_CONDITIONED = [
    "{C1}, {model} solves {r1}% of the {bench_b} problems, and {c2} it solves {r2}%.",
    "{model} solves {r1}% of the {bench_b} problems {c1}, against {r2}% {c2}.",
]
_COUNTS = [
    "The training corpus covers {n1} {cat1} from {n2} {cat2}.",
    "The corpus spans {n2} {cat2} with {n1} {cat1} in total.",
    "{n1} {cat1}, drawn from {n2} {cat2}, make up the training corpus.",
]


def _pick(rng: random.Random, templates: list[str], w: World) -> str:
    (cat1, _), (cat2, _) = w.cats
    (c1, _), (c2, _) = w.cond
    return rng.choice(templates).format(
        model=w.model, acc_a=w.acc_a, acc_b=w.acc_b, bench_a=w.bench_a, bench_b=w.bench_b, lat=w.lat,
        base_lat=w.base_lat, base1=w.base1, base2=w.base2, speed=w.speed, mem=w.mem, tok=w.tok, train=w.train,
        camel=w.method[0], upto=w.upto, avg=w.avg, C1=c1[0].upper() + c1[1:], c1=c1, c2=c2, r1=w.cond_rates[0],
        r2=w.cond_rates[1], n1=w.counts[0], n2=w.counts[1], cat1=cat1, cat2=cat2,
    )


def _filler(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(_FILLER) for _ in range(n))


def _document(w: World, rng: random.Random) -> Document:
    camel = w.method[0]
    title = f"{w.model}: {camel} for Efficient Reasoning\nMira Kovac, Tomas Reyes"
    s: list[TextSection] = [
        TextSection(kind="title", heading="", text=title),
        TextSection(
            kind="abstract",
            heading="Abstract",
            text=(
                f"We present {w.model}, a language model trained with {camel}. "
                f"It reaches {w.acc_a}% accuracy on {w.bench_a} and stays {w.speed}x faster than {w.base1} at "
                f"inference. We release code and data."
            ),
            page=1,
        ),
        TextSection(
            kind="introduction",
            heading="1 Introduction",
            text=(
                f"Large models are expensive to serve, and {camel} is a way to reduce that cost. "
                f"{_filler(rng, 3)}\n\n"
                f"It was pre-trained on {_ENGLISH_MILLIONS[w.voices]} million hours of speech. "
                f"Our contributions are threefold: (1) a training recipe, (2) an analysis of its cost, and (3) an "
                f"open release. Prior work on routing (Kovac et al., {w.ref_year}) motivates the recipe. "
                f"{_filler(rng, 2)}"
            ),
            page=1,
        ),
        TextSection(
            kind="method",
            heading="3 Method",
            text=(
                f"{_pick(rng, _COUNTS, w)} "
                f"The loss is the sum of the two terms in Eq. ({w.equation_num}), weighted equally.\n\n"
                f"L = L_task + L_route ({w.equation_num})\n\n"
                f"{_filler(rng, 4)}"
            ),
            page=3,
        ),
        TextSection(
            kind="results",
            heading="4 Experiments",
            text=(
                f"We compare {w.model} with {w.base1} and {w.base2}. "
                f"{_pick(rng, _ACCURACY, w)} {_filler(rng, 2)}\n\n"
                f"{_pick(rng, _LATENCY, w)} {_pick(rng, _MULTIPLIERS, w)} {_pick(rng, _TOKENS, w)}\n\n"
                f"{_pick(rng, _QUALIFIED, w)} {_pick(rng, _CONDITIONED, w)} {_filler(rng, 2)}"
            ),
            page=5,
        ),
        TextSection(
            kind="table",
            heading=f"Table 2: Accuracy (%) on {w.bench_a} and {w.bench_b}, and latency.",
            text=(
                f"Model | {w.bench_a} | {w.bench_b} | Latency (ms)\n"
                f"{w.model} | {w.acc_a} | {w.acc_b} | {w.lat}\n"
                f"{w.base1} | {w.base_acc_a} | {w.base_acc_b} | {w.base_lat}"
            ),
            page=6,
        ),
        TextSection(
            kind="results",
            heading=f"{w.heading_num} Ablations",
            text=f"Removing {camel} lowers the score on {w.bench_b} noticeably. {_filler(rng, 3)}",
            page=7,
        ),
        TextSection(
            kind="conclusion",
            heading="6 Conclusion",
            text=f"We showed that {camel} makes {w.model} faster and more accurate. {_filler(rng, 2)}",
            page=8,
        ),
        TextSection(
            kind="references",
            heading="References",
            text=(
                f"[1] M. Kovac and T. Reyes. Routing for reasoning. In Proc. {w.ref_year}.\n"
                f"[2] The {w.ref_name} team. {w.ref_name}: a report with 77.7% on every benchmark. 2022."
            ),
            page=9,
        ),
    ]
    return Document(paper_id=f"2601.{w.seed:05d}", origin="html", sections=tuple(s), page_count=9)


# ----------------------------------------------------------------------------------------------------
# Cases


@dataclass(frozen=True)
class Case:
    id: str
    kind: str  # "benign:<type>", "relational:<type>", "mutation:<type>"
    world: int
    lang: str
    summary: str
    expected: frozenset[str]  # the claim texts that must be flagged; empty for a benign rewrite

    @property
    def family(self) -> str:
        return self.kind.split(":", 1)[0]


def _benign(w: World) -> list[tuple[str, str, str]]:
    """(type, lang, summary) of faithful rewrites."""
    (cat1, k1), (cat2, k2) = w.cats
    kc1, c2 = w.cond[0][1], w.cond[1][0]
    m, a, b, b1, b2 = w.model, w.bench_a, w.bench_b, w.base1, w.base2
    acc_a_1 = _fmt(float(w.acc_a), 1)
    native = _KOREAN_NATIVE[int(float(w.speed))]
    return [
        ("hedge", "ko", f"{m}는 {a}에서 약 {acc_a_1}%의 정확도를 기록했습니다."),
        ("hedge", "en", f"{m} scores roughly {acc_a_1}% on {a}."),
        ("hedge", "ko", f"{m}의 응답 지연은 {w.lat}ms 정도로, {b1}보다 짧습니다."),
        ("rounding", "ko", f"{b}에서 {m}는 {_fmt(float(w.acc_b), 1)}%를 달성했습니다."),
        ("unit_spelling", "ko", f"디코딩은 {b2}보다 {w.speed}배 빠르고 메모리 사용은 {w.mem}배 적습니다."),
        ("unit_spelling", "en", f"Decoding runs {w.speed} times faster than {b2}, using {w.mem}-fold less memory."),
        ("unit_spelling", "ko", f"{m}는 {float(w.lat) / 1000:g}초 만에 응답하지만 {b1}는 {w.base_lat} 밀리초가 "
                                f"걸립니다."),
        ("unit_spelling", "ko", f"토큰 사용량은 {b2} 대비 {w.tok}퍼센트 적습니다."),
        ("korean_number_words", "ko", f"{m}는 {b1}보다 {native} 배 이상 빠릅니다."),
        ("korean_number_words", "ko", f"{m}는 {_KOREAN_MILLIONS[w.voices]} 시간 분량의 음성으로 사전 학습되었습니다."),
        ("korean_number_words", "ko", f"{m}의 사전 학습에는 {w.voices}00만 시간의 음성이 쓰였습니다."),
        ("reordered", "ko", f"{b}에서 {w.acc_b}%, {a}에서 {w.acc_a}%를 {m}가 기록했습니다."),
        ("reordered", "en", f"On {b}, {m} reaches {w.acc_b}%; on {a} it reaches {w.acc_a}%."),
        ("reordered", "ko", f"{w.tok}% 적은 토큰으로 같은 손실에 도달하는 것이 {m}의 장점이며, "
                            f"학습 시간은 {w.train}% 줄어듭니다."),
        ("reordered", "ko", f"{b1}는 {w.base_lat}ms가 걸리는 반면, {m}는 {w.lat}ms 안에 응답합니다."),
        ("respectively", "ko", f"{m}는 {a}와 {b}에서 각각 {w.acc_a}%와 {w.acc_b}%를 기록했습니다."),
        ("respectively", "en", f"{m} scores {w.acc_a}% and {w.acc_b}% on {a} and {b}, respectively."),
        ("qualifier_kept", "ko", f"{w.method[0]}는 정확도를 최대 {w.upto}포인트, 평균 {w.avg}포인트 향상시킵니다."),
        ("qualifier_kept", "en", f"Accuracy improves by up to {w.upto} points and by {w.avg} points on average."),
        ("condition_kept", "ko", f"{kc1} {m}는 {b} 문제의 {w.cond_rates[0]}%를 풉니다."),
        ("condition_kept", "en", f"{c2[0].upper()}{c2[1:]} the model solves {w.cond_rates[1]}% of the {b} problems."),
        ("counts", "ko", f"학습 말뭉치는 {w.counts[1]}개 {k2}에 걸친 {w.counts[0]}개의 {k1}로 구성됩니다."),
        ("counts", "en", f"The corpus holds {w.counts[0]} {cat1} drawn from {w.counts[1]} {cat2}."),
        ("table_value", "ko", f"표 2에 따르면 {b1}는 {a}에서 {w.base_acc_a}%에 그칩니다."),
        ("table_value", "en", f"{b1} reaches only {w.base_acc_b}% on {b}."),
        ("omitted_context", "ko", f"정확도는 {w.acc_a}%에 이릅니다."),
        ("comparison", "ko", f"{m}는 {b1}보다 {w.speed}배 빠르게 추론합니다."),
        ("name_spacing", "ko", f"{m.replace('-', ' ')}는 {w.method[1]}로 학습되어 {a}에서 {w.acc_a}%를 얻습니다."),
        ("two_sentences", "ko", f"{m}는 {a}에서 평가되었습니다. 이 벤치마크에서 {w.acc_a}%를 기록했습니다."),
        ("listed", "ko", f"{m}는 {a}와 {b}에서 {w.acc_a}%와 {w.acc_b}%를 기록했습니다."),
        ("parenthetical", "en", f"{m} scores {w.acc_a}% on {a} (vs. {w.base_acc_a}% for {b1})."),
        ("comparison", "ko", f"{m}는 {a}에서 {w.acc_a}%로 {b1}의 {w.base_acc_a}%를 앞섭니다."),
        ("passive", "en", f"An accuracy of {w.acc_b}% is reached on {b} by {m}."),
    ]


_KOREAN_MILLIONS = {1: "백만", 2: "이백만", 3: "삼백만"}
_KOREAN_NATIVE = {2: "두", 3: "세", 4: "네"}
_ENGLISH_MILLIONS = {1: "one", 2: "two", 3: "three"}


def _relational(w: World) -> list[tuple[str, str, str, frozenset[str]]]:
    """(type, lang, summary, flagged claims) of true numbers and names attached to the wrong thing."""
    (cat1, k1), (cat2, k2) = w.cats
    c1, kc2 = w.cond[0][0], w.cond[1][1]
    m, a, b, b1, b2 = w.model, w.bench_a, w.bench_b, w.base1, w.base2
    n1, n2 = w.counts
    r1, r2 = w.cond_rates
    f = frozenset
    return [
        ("benchmark_swap", "ko", f"{m}는 {a}에서 {w.acc_b}%, {b}에서 {w.acc_a}%를 기록했습니다.",
         f({f"{w.acc_b}%", f"{w.acc_a}%"})),
        ("benchmark_swap", "en", f"{m} reaches {w.acc_b}% on {a} and {w.acc_a}% on {b}.",
         f({f"{w.acc_b}%", f"{w.acc_a}%"})),
        ("other_benchmark", "ko", f"{b}에서 {m}는 {w.acc_a}%의 정확도를 달성했습니다.", f({f"{w.acc_a}%"})),
        ("other_benchmark", "en", f"On {a}, the model reaches {w.acc_b}% accuracy.", f({f"{w.acc_b}%"})),
        ("count_swap", "ko", f"학습 말뭉치는 {n1}개 {k2}에 걸친 {n2}개의 {k1}로 구성됩니다.",
         f({f"{n1}개", f"{n2}개"})),
        ("count_swap", "en", f"The corpus holds {n2} {cat1} drawn from {n1} {cat2}.", f({n2, n1})),
        ("multiplier_swap", "ko", f"디코딩은 {b2}보다 {w.mem}배 빠르고 메모리 사용은 {w.speed}배 적습니다.",
         f({f"{w.mem}배", f"{w.speed}배"})),
        ("multiplier_swap", "en", f"Decoding is {w.mem}x faster and memory use is {w.speed}x lower than with {b2}.",
         f({f"{w.mem}x", f"{w.speed}x"})),
        ("qualifier", "ko", f"{w.method[0]}는 정확도를 평균 {w.upto}포인트 향상시킵니다.", f({f"{w.upto}포인트"})),
        ("qualifier", "en", f"Accuracy improves by up to {w.avg} points, and by {w.upto} points on average.",
         f({f"{w.avg} points", f"{w.upto} points"})),
        ("qualifier", "ko", f"{w.method[0]}의 정확도 향상은 최대 {w.avg}포인트입니다.", f({f"{w.avg}포인트"})),
        ("baseline", "ko", f"{b1}는 {w.lat}ms 만에 응답합니다.", f({f"{w.lat}ms"})),
        ("baseline", "en", f"{b1} answers in {w.lat} ms, while {m} needs {w.base_lat} ms.", f({w.lat, w.base_lat})),
        ("condition", "ko", f"{kc2} {m}는 {b} 문제의 {r1}%를 풉니다.", f({f"{r1}%"})),
        ("condition", "en", f"{c1[0].upper()}{c1[1:]} the model solves {r2}% of the {b} problems.", f({f"{r2}%"})),
        ("metric", "ko", f"{m}는 학습 시간을 {b2} 대비 {w.tok}% 줄였습니다.", f({f"{w.tok}%"})),
        ("metric", "en", f"{m} needs {w.train}% fewer tokens than {b2}.", f({f"{w.train}%"})),
        ("metric", "ko", f"{m}의 메모리 사용량은 {b2}보다 {w.speed}배 적습니다.", f({f"{w.speed}배"})),
        ("shorter_name", "ko", f"{m}는 {w.base1_short}보다 {w.speed}배 빠릅니다.", f({w.base1_short})),
        ("shorter_name", "en", f"Baselines include {b1} and {w.base2_short}.", f({w.base2_short})),
        ("table_row", "ko", f"{m}는 {b}에서 {w.base_acc_b}%를 기록했습니다.", f({f"{w.base_acc_b}%"})),
        ("table_row", "en", f"{b1} reaches {w.acc_a}% on {a}.", f({f"{w.acc_a}%"})),
        ("table_column", "ko", f"표 2에서 {b1}는 {a}에서 {w.base_acc_b}%입니다.", f({f"{w.base_acc_b}%"})),
        ("reversed_comparison", "ko", f"{b1}는 {m}보다 {w.speed}배 빠릅니다.", f({f"{w.speed}배"})),
        ("reversed_comparison", "en", f"{b2} decodes {w.speed}x faster than {m}.", f({f"{w.speed}x"})),
    ]


def _mutations(w: World, rng: random.Random) -> list[tuple[str, str, str, frozenset[str]]]:
    """(type, lang, summary, flagged claims) with one claim changed into something the paper never says."""
    taken = set(w.numbers)
    wrong_acc = _distinct(rng, 20, 95, 2, taken)
    wrong_x = _distinct(rng, 5.5, 9.5, 1, taken)
    f = frozenset
    m, a, b = w.model, w.bench_a, w.bench_b
    digit_swapped = w.acc_a[:-1] + str((int(w.acc_a[-1]) + 5) % 10)
    bench_typo = a[:-1] + ("X" if a[-1] != "X" else "Y")
    model_other = m[:-1] + "0B"  # `Orbit-7B` -> `Orbit-70B`
    return [
        ("value", "ko", f"{m}는 {a}에서 {wrong_acc}%를 기록했습니다.", f({f"{wrong_acc}%"})),
        ("digit", "en", f"{m} reaches {digit_swapped}% on {a}.", f({f"{digit_swapped}%"})),
        ("unit", "ko", f"{m}는 {a}에서 {w.acc_a}배 향상되었습니다.", f({f"{w.acc_a}배"})),
        ("unit", "ko", f"{m}는 {w.lat}초 만에 응답합니다.", f({f"{w.lat}초"})),
        ("scale", "ko", f"{model_other}는 {a}에서 {w.acc_a}%를 기록했습니다.", f({model_other})),
        ("multiplier", "en", f"Decoding is {wrong_x}x faster than with {w.base2}.", f({f"{wrong_x}x"})),
        ("name", "ko", f"{m}는 {bench_typo}에서 {w.acc_a}%를 기록했습니다.", f({bench_typo})),
        ("heading_number", "ko", f"{m}는 {b}에서 {w.heading_num}% 향상되었습니다.", f({f"{w.heading_num}%"})),
        ("equation_number", "ko", f"{m}는 {w.equation_num}배 빠릅니다.", f({f"{w.equation_num}배"})),
        ("list_number", "en", f"The recipe cuts the latency of {m} by 3 ms.", f({"3"})),
        ("citation_year", "ko", f"{m}는 {w.ref_year}개의 {w.cats[0][0][1]}로 학습됩니다.", f({f"{w.ref_year}개"})),
        ("reference_only", "ko", f"{m}는 {w.ref_name}를 능가합니다.", f({w.ref_name})),
        ("reference_only", "en", f"{m} reaches 77.7% on {a}.", f({"77.7%"})),
    ]


WORLDS = range(12)


@cache
def world(seed: int) -> World:
    return make_world(seed)


@cache
def cases() -> tuple[Case, ...]:
    out: list[Case] = []
    for seed in WORLDS:
        w = world(seed)
        rng = random.Random(seed * 31 + 5)
        for i, (kind, lang, text) in enumerate(_benign(w)):
            out.append(Case(f"w{seed}-b{i}", f"benign:{kind}", seed, lang, text, frozenset()))
        for i, (kind, lang, text, expected) in enumerate(_relational(w)):
            out.append(Case(f"w{seed}-r{i}", f"relational:{kind}", seed, lang, text, expected))
        for i, (kind, lang, text, expected) in enumerate(_mutations(w, rng)):
            out.append(Case(f"w{seed}-m{i}", f"mutation:{kind}", seed, lang, text, expected))
    return tuple(out)


@dataclass(frozen=True)
class Score:
    """How the checker did on a set of cases: claim-level true/false positives and misses."""

    cases: int
    tp: int
    fp: int
    fn: int
    cases_caught: int  # cases with an expected flag where at least one expected claim was flagged
    cases_with_errors: int
    clean_cases: int  # cases without an expected flag that came out with no flag
    misses: tuple[str, ...]

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0


def score(selected: list[Case], flagged_of: Callable[[Case], set[str]]) -> Score:
    tp = fp = fn = caught = with_errors = clean = 0
    misses: list[str] = []
    for case in selected:
        flagged = flagged_of(case)
        tp += len(flagged & case.expected)
        fp += len(flagged - case.expected)
        fn += len(case.expected - flagged)
        if case.expected:
            with_errors += 1
            caught += bool(flagged & case.expected)
        elif not flagged:
            clean += 1
        if flagged != case.expected:
            misses.append(f"{case.id} {case.kind}: {case.summary!r} flagged {sorted(flagged)}, "
                          f"expected {sorted(case.expected)}")
    return Score(len(selected), tp, fp, fn, caught, with_errors, clean, tuple(misses))
