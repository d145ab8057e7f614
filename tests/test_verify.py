"""Grounding: numbers and names in a summary checked against the paper text."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dailypapers.models import Digest, Document, Entry, Paper, Section, Summary, TextSection
from dailypapers.text import clean, one_line
from dailypapers.verify import audit_digest, build_index, extract_claims, verify, verify_text
from tests.hostile.bounded import bounded
from tests.papergen import make_paper

# Written for these tests: a made-up speech model paper.
VOICE_SOURCE = """Sonora: Streaming Voice Models for Live Conversation

Abstract. We present Sonora, a voice-language model that listens and speaks in real time. Sonora ships
more than one million pre-built voices and adapts to a new speaker from a 10-second recording.

1 Introduction
Cascaded pipelines lose tone and rhythm. Sonora replaces them with one end-to-end model built on a
hierarchical multi-scale Transformer. We compare against EchoChat and Parlan-2 as baselines.

4 Results
On text-to-speech, Sonora reaches a word error rate of 3.2, below EchoChat (4.1) and Parlan-2 (5.7).
Latency drops by 3x compared with the cascaded system. Accuracy on SpokenQA-Lite is 71.35%.
"""

KOREAN_TRUE = (
    "Sonora는 실시간으로 듣고 말하는 음성-언어 모델(Voice-Language Model)로, 100만 이상의 사전 구축된 음성을 "
    "제공하며 10초의 녹음으로 새로운 화자에 적응합니다. "
    "계층적 다중 스케일 트랜스포머(Multi-scale Transformer)를 사용하며, "
    "음성 합성(TTS)에서 3.2%의 WER을 보여 EchoChat과 Parlan-2보다 우수하고 지연 시간을 3배 줄였습니다."
)
CONTAMINATION = (
    " 이 모델은 108개의 파이썬 코딩 작업으로 구성된 HumanEval-V 벤치마크를 기반으로 합니다."
)


def _status(claims, text):
    found = [c for c in claims if c.text == text]
    assert found, f"{text!r} not extracted from {[c.text for c in claims]}"
    return found[0].status


def _unsupported(claims):
    return sorted(c.text for c in claims if c.status == "unsupported" and not c.undecided)


def test_contamination_from_another_paper_is_flagged_and_true_numbers_stay_supported():
    claims = verify_text(KOREAN_TRUE + CONTAMINATION, VOICE_SOURCE)
    assert _unsupported(claims) == ["108개", "HumanEval-V"]
    for true in ("Sonora", "100만", "10초", "3.2%", "EchoChat", "Parlan-2", "3배"):
        assert _status(claims, true) == "supported"


def test_the_true_summary_alone_is_clean():
    assert _unsupported(verify_text(KOREAN_TRUE, VOICE_SOURCE)) == []


@pytest.mark.parametrize(
    ("source", "summary"),
    [
        ("over 1 million voices", "100만 개의 음성"),
        ("over 1,000,000 voices", "100만 개의 음성"),
        ("over one million voices", "100만 개의 음성"),
        ("over 1M voices", "100만 개의 음성"),
        ("over 1 million voices", "one million voices"),
        ("120 million samples", "1억 2천만 개의 샘플"),
        ("from 10 seconds of audio", "10초의 오디오"),
        ("a 10-second clip", "10초 분량의 클립"),
        ("ten seconds", "10초"),
        ("runs 3x faster", "3배 빠름"),
        ("runs 3× faster", "3배 빠름"),
        ("runs three times faster", "3.0배 빠름"),
        ("a 3.1-fold speed-up", "3.1x faster"),
        ("a 3.1 times speed-up", "3.1× faster"),
        ("7 billion parameters", "7B 파라미터"),
        ("a 7B model", "70억 개의 파라미터"),
        ("context of 128K tokens", "128,000 토큰"),
        ("learning rate 1e-4", "학습률 0.0001"),
        ("an accuracy of 0.92", "정확도 92%"),
        ("an accuracy of 92%", "accuracy of 0.92"),
        ("an improvement of 13.8", "13.8% 더 우수"),
        ("a gain of 2.5 points", "2.5%p 향상"),
        ("１０２４ tasks", "1,024 tasks"),
    ],
)
def test_numbers_written_differently_are_supported(source, summary):
    claims = verify_text(summary, source)
    assert claims, summary
    assert _unsupported(claims) == [], (source, summary)


@pytest.mark.parametrize(
    ("source_value", "summary_value", "ok"),
    [
        ("92.47", "92.47%", True),
        ("92.47", "92.5%", True),
        ("92.47", "92%", True),
        ("92.47", "92.4%", False),  # two decimals in the source, one in the summary: wrong digit
        ("92.47", "약 92.4%", True),  # a hedge widens by one unit of the last digit
        ("92.47", "about 92.3%", False),
        ("92.5", "92.47%", False),  # the summary may not invent precision
        ("1,024", "about 1,000", True),
        ("1,024", "1,000", False),
        ("1.05 million", "약 100만", True),
        ("71.35", "71.4", True),
        ("71.35", "71.3", True),  # an exact tie counts either way
        ("16.46", "16.5%", True),
        ("16.46", "16.6%", False),
    ],
)
def test_rounding_tolerance(source_value, summary_value, ok):
    claims = verify_text(
        f"The score is {summary_value} overall.", f"We measure {source_value} on the test set."
    )
    assert len(claims) == 1
    assert (claims[0].status == "supported") is ok


@pytest.mark.parametrize(
    ("summary", "ok"),
    [
        ("최고 95-100%의 정확도", True),
        ("최고 95~100%의 정확도", True),
        ("10–15% fewer tokens", True),
        ("10-20% fewer tokens", False),  # one end is not in the paper
        ("3~5 layers", True),
    ],
)
def test_ranges_need_both_ends(summary, ok):
    source = "Accuracy reaches 95 to 100 percent. It needs 10% to 15% fewer tokens with 3, 4 or 5 layers."
    claims = verify_text(summary, source)
    assert [c.kind for c in claims] == ["number"]
    assert (claims[0].status == "supported") is ok


# Units: a number with a recognisable unit is supported only by the same value of the same class (time
# converted to seconds), or by one with no unit written after it; a different known class does not support it.
@pytest.mark.parametrize(
    ("source", "summary", "ok"),
    [
        ("adapts from 10 seconds of audio", "10초의 오디오로 적응합니다", True),
        ("adapts from a 10-second clip", "10초 클립으로 적응합니다", True),
        ("adapts from a 10-second clip", "adapts from a 10 s clip", True),
        ("adapts from a 10 minutes clip", "10초 클립으로 적응합니다", False),
        ("adapts from a 10-second clip", "10분 분량의 클립으로 적응합니다", False),
        ("adapts from a 10-second clip", "adapts from a 10-minute clip", False),
        ("trains for 10 minutes", "10분 동안 학습합니다", True),
        ("trains for 10 minutes", "600초 동안 학습합니다", True),  # converted: the same duration
        ("trains for 10.4 minutes", "약 10분 동안 학습합니다", True),
        ("trains for 2 h", "120 minutes of training", True),
        ("a latency of 40 ms", "지연 시간은 0.04초입니다", True),
        ("a latency of 40 ms", "지연 시간은 40초입니다", False),
        ("the model has 10 layers", "10초 클립으로 적응합니다", False),  # a count of layers is no duration
        ("results are in Table 10", "10초 클립으로 적응합니다", False),  # furniture is not a quantity
        ("decoding runs 3x faster", "디코딩이 3배 빠릅니다", True),
        ("decoding runs 3× faster", "디코딩이 3배 빠릅니다", True),
        ("decoding runs 3 times faster", "디코딩이 3배 빠릅니다", True),
        ("decoding runs three times faster", "decoding is 3.0x faster", True),
        ("decoding is 3% faster", "디코딩이 3배 빠릅니다", False),
        ("decoding is 3% faster", "decoding is 3x faster", False),
        ("decoding runs 3x faster", "decoding is 3% faster", False),
        ("the WER is 3.2 ms lower", "WER이 3.2% 낮습니다", False),
        ("the WER is 3.2 ms lower", "the WER is 3.2 percent lower", False),
        ("a WER of 3.2 against 4.1", "WER이 3.2%입니다", True),  # no unit after 3.2: any class
        ("a gain of 2.1 points", "2.1%p 향상", True),  # percentage points and percent are one class
        ("a gain of 2.1%", "a gain of 2.1 points", True),
        ("1,000 data points", "1,000개의 데이터 포인트", True),  # English "points" is no class
        ("a gain of 2.1 ms", "2.1%p 향상", False),
        ("latency of 10, 20 and 30 ms", "20ms의 지연", True),  # a unit written once, after the list
        ("latency of 10, 20 and 30 ms", "a latency of 20 ms", True),
        # the unit written after the list is the unit of every number in it
        ("latency of 10, 20 and 30 ms", "20초의 지연", False),
        ("a latency of 10-20 ms", "10~20ms의 지연", True),
        ("a latency of 10-20 ms", "10~20초의 지연", False),
        ("a context of 128K tokens", "128K 토큰의 문맥", True),
        ("a model with 128K parameters", "128K 토큰의 문맥", False),
        ("1.2 billion tokens", "12억 개의 토큰", True),  # a count may be of tokens
        ("7B parameters", "70억 개의 매개변수", True),
        ("adapts from 10 seconds of audio", "10개의 오디오 클립", False),
        ("16× H100 GPUs", "16개의 GPU", True),  # `16×` counts devices
        ("a 16,384 MB cache", "16GB 캐시", True),
        ("a 16 MB cache", "16GB 캐시", False),
        ("audio at 16 kHz", "16,000Hz 오디오", True),
        ("a batch of 16 samples", "16 ms per batch", False),  # a bare paper number is no duration
        ("a batch of 16 samples", "16개의 샘플", True),
        ("12 engines", "12%의 엔진", False),  # a count of something is no percentage
        ("a WER of 3.2 against 4.1", "3.2배", True),  # a number with no unit may be a ratio
        ("1,000 data points", "1,000배", False),
    ],
)
def test_units_of_different_classes_do_not_support_each_other(source, summary, ok):
    claims = verify_text(summary, source)
    numbers = [c for c in claims if c.kind == "number"]
    assert len(numbers) == 1, (summary, [c.text for c in claims])
    assert (numbers[0].status == "supported") is ok, (source, summary)


@pytest.mark.parametrize(
    ("text", "unit_class"),
    [
        ("10초", "time"),
        ("10 seconds", "time"),
        ("a 10-second clip", "time"),
        ("10 ms", "time"),
        ("10분간", "time"),
        ("3개월", "time"),
        ("12%", "percent"),
        ("12 퍼센트", "percent"),
        ("2.1%p", "percent"),
        ("3.5 pp", "percent"),
        ("3배의", "multiplier"),
        ("3.1-fold", "multiplier"),
        ("3.1×", "multiplier"),
        ("128K tokens", "tokens"),
        ("a 7B-parameter model", "parameters"),
        ("16개", "count"),
        ("40 GB", "bytes"),
        ("24 kHz", "frequency"),
        ("16 layers", None),
        ("12 분석", None),  # analysis, not minutes
        ("20 일부", None),  # a part, not days
    ],
)
def test_unit_class_of_a_claim(text, unit_class):
    claims = [c for c in extract_claims(text) if c.kind == "number"]
    assert len(claims) == 1, (text, claims)
    assert claims[0].unit_class == unit_class


def test_small_measurements_are_claims_but_small_counts_are_not():
    assert [c.text for c in extract_claims("5초 만에 3개의 답을 냅니다")] == ["5초"]
    assert [c.text for c in extract_claims("within 5 ms, using 3 layers")] == ["5"]
    assert extract_claims("3 배치로 학습합니다") == []  # `배치` (batch) is no `배` (times)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("HumanEval-V", [("HumanEval-V", "supported")]),
        ("HumanEvalV", [("HumanEvalV", "supported")]),
        ("Human-Eval-V", [("Human-Eval-V", "supported")]),
        ("LLaMA-Omni2", [("LLaMA-Omni2", "supported")]),
        ("Llama Omni 2", [("Llama Omni 2", "supported")]),  # one name, matched as a whole
        ("GPT-4o", [("GPT-4o", "supported")]),
        ("gpt4o", [("gpt4o", "supported")]),
        ("RM-R1", [("RM-R1", "supported")]),
        ("RM R1", [("RM R1", "supported")]),
        ("Qwen2.5-7B", [("Qwen2.5-7B", "supported")]),
        ("2WikiMultiHopQA", [("2WikiMultiHopQA", "supported")]),
        ("humaneval v", []),  # lowercase words are not names
        ("HumanEval-X", [("HumanEval-X", "unsupported")]),
        ("LLaMA-Omni3", [("LLaMA-Omni3", "unsupported")]),
        ("RM-R2", [("RM-R2", "unsupported")]),
        ("Qwen3", [("Qwen3", "unsupported")]),
        ("2WikiMultiHopQB", [("2WikiMultiHopQB", "unsupported")]),
    ],
)
def test_names_match_ignoring_case_and_punctuation(written, expected):
    source = (
        "Baselines: HumanEval-V, LLaMA Omni2, GPT-4o, the RM-R1 reward model, Qwen2.5-7B, "
        "2WikiMultiHopQA."
    )
    claims = [
        c for c in verify_text(f"모델은 {written} 위에서 평가됩니다.", source) if c.kind == "name"
    ]
    assert [(c.text, c.status) for c in claims] == expected


def test_name_must_cover_whole_tokens():
    source = "We run a human evaluation with three raters and a helix-bench of tasks."
    assert _unsupported(verify_text("HumanEval과 EvalBench에서 평가했습니다.", source)) == [
        "EvalBench",
        "HumanEval",
    ]
    # ...while `Helix Bench` and `Helix-Bench` in a source are the name HelixBench
    assert _unsupported(verify_text("HelixBench에서", source)) == []
    assert _unsupported(verify_text("HelixBench에서", "results on Helix Bench")) == []


@pytest.mark.parametrize(
    "text",
    [
        "Section 3 and Table 2 show the results; see Figure 4 and Eq. (7).",
        "그림 3과 표 2에 결과가 있습니다. 부록 A와 섹션 5를 참고하세요.",
        "prior work (2021) and later work (kovac et al., 2019) agree [12].",
        "2023년에 공개된 모델입니다.",
        "두 단계로 학습하며 2단계에서 3 epochs 동안 미세 조정합니다.",
        "The method has two stages and four baselines.",
        "Details are at https://github.com/x/Model-7B and www.example.org/GPT-9.",
        "The LLM uses RL, ASR and TTS; WER and SOTA are reported. LLMs and GPUs.",
        "보상 모델(Reward Model)과 음성 롤플레이(Voice Role-Play)를 다룹니다.",
        "We propose a method. It works well. Results improve.",
    ],
)
def test_trivia_is_not_a_claim(text):
    assert extract_claims(text) == []


def test_names_in_english_text_skip_sentence_starts_but_keep_mid_sentence_names():
    texts = [
        c.text
        for c in extract_claims("Voila outperforms Moshi and SpeechGPT. Muon beats AdamW by 12%.")
    ]
    assert texts == ["Moshi", "SpeechGPT", "AdamW", "12%"]


def test_gloss_keeps_real_names():
    expansion = [c.text for c in extract_claims("Muon은 SVD(Singular Value Decomposition)를 피합니다.")]
    assert expansion == ["Muon", "SVD"]
    texts = [
        c.text
        for c in extract_claims("보상 모델(Reward Model; RM)과 대형 언어 모델(LLM), 변환(SVD)")
    ]
    assert texts == ["RM", "SVD"]


def test_evidence_carries_section_heading_and_page():
    doc = Document(
        paper_id="2501.00001",
        origin="pdf",
        page_count=9,
        sections=(
            TextSection(
                kind="abstract", heading="Abstract", text="We study Sonora, a voice model.", page=1
            ),
            TextSection(
                kind="method",
                heading="3 Method",
                text="Training uses 4096 hours of speech.",
                page=3,
            ),
            TextSection(
                kind="results",
                heading="5 Results",
                text="Sonora reaches 71.35% on SpokenQA.",
                page=7,
            ),
        ),
    )
    summary = Summary(
        paper_id="2501.00001",
        sections=(
            Section(label="Technical Details", text="Sonora은 4096시간의 음성으로 학습합니다."),
            Section(
                label="Performance Highlights",
                text="SpokenQA에서 71.4%를 기록했고 MMLU에서 80%입니다.",
            ),
        ),
    )
    claims = {c.text: c for c in verify(summary, doc)}
    hours = claims["4096시간"]
    assert (hours.status, hours.evidence_section, hours.evidence_page) == (
        "supported",
        "3 Method",
        3,
    )
    assert "4096 hours" in hours.evidence
    assert hours.section_label == "Technical Details"
    score = claims["71.4%"]
    assert (score.evidence_section, score.evidence_page) == ("5 Results", 7)
    assert claims["Sonora"].evidence_section == "Abstract"
    assert claims["MMLU"].status == "unsupported" and claims["MMLU"].evidence is None
    assert claims["80%"].status == "unsupported"
    assert claims["SpokenQA"].section_label == "Performance Highlights"


def test_plain_string_source_has_no_section():
    (claim,) = verify_text("정확도 71.35%", "accuracy 71.35 on the test split")
    assert claim.status == "supported"
    assert claim.evidence_section is None and claim.evidence_page is None
    assert "71.35" in claim.evidence and len(claim.evidence) <= 125


def test_duplicate_claims_are_reported_once_per_section():
    claims = verify_text("GPT-4o는 GPT-4o보다 3.2% 높고 다시 3.2%입니다.", "GPT-4o 3.2")
    assert [c.text for c in claims] == ["GPT-4o", "3.2%"]


def test_index_is_reusable_across_texts():
    index = build_index(VOICE_SOURCE)
    assert _unsupported(verify_text(KOREAN_TRUE, index)) == []
    assert _unsupported(verify_text("EchoChat은 4.2를 기록", index)) == ["4.2"]


# ---- hostile inputs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "((((((((((((1" * 500,
        "[[[[[[(((((" * 1000 + "GPT-4o",
        "😀🔥 GPT-4o 😀 3.2% 🚀" * 50,
        "Human\u200bEval-V는 3.2\u200b%를 \u200f\u202eRTL\u202c 기록\x00했다",
        "1" * 5000 + "%",
        "9" * 40 + ".5 and " + "1," * 3000 + "000",
        "-" * 10000 + "~" * 10000,
        "\x00" * 1000,
        "a-" * 20000 + "B",
        "1e-" * 3000,
        "",
    ],
)
def test_hostile_summaries_do_not_crash(text):
    source = VOICE_SOURCE + " GPT-4o HumanEval-V"
    claims = bounded(lambda: verify_text(text, source), 20)
    written, paper = clean(text), one_line(source)
    # every claim is something the summary wrote, reported once, and a supported one quotes the paper
    assert all(c.text in written for c in claims)
    assert len({(c.kind, c.text) for c in claims}) == len(claims)
    for c in claims:
        if c.status == "supported":
            assert c.evidence and c.evidence.strip("…") in paper, c
    if "GPT-4o" in text:
        assert ("GPT-4o", "supported") in [(c.text, c.status) for c in claims]


def test_zero_width_and_bidi_marks_do_not_hide_a_name():
    claims = verify_text("Human\u200bEval-V는 3.2\u200b%를 \u200f기록", "HumanEval-V 3.2")
    assert [(c.text, c.status) for c in claims] == [
        ("HumanEval-V", "supported"),
        ("3.2%", "supported"),
    ]


@pytest.mark.slow  # megabytes: seconds of CPU
def test_huge_summary_and_five_megabyte_source():
    paper = make_paper(pages=20, seed=3)
    filler = paper.text()
    source = VOICE_SOURCE + (filler * (5_000_000 // len(filler) + 1))[:5_000_000]
    summary = (
        KOREAN_TRUE
        + f" {paper.model_name}은 {paper.facts['accuracy']}를 기록합니다."
        + CONTAMINATION
    ) * 400
    assert len(summary) > 100_000
    claims = bounded(lambda: verify_text(summary, source), 20)  # ~1 s here
    assert _unsupported(claims) == ["108개", "HumanEval-V"]
    assert {paper.model_name, paper.facts["accuracy"], "3.2%"} <= {c.text for c in claims}


# ---- verbatim sentences from the source verify clean ----------------------------------------------


def _sentences(seed: int) -> list[str]:
    paper = make_paper(f"2501.0{seed:04d}", pages=3, seed=seed)
    out = []
    # the references are no evidence (a summary quoting them claims what other papers found)
    body = [p for heading, ps in paper.sections if heading != "References" for p in ps]
    for part in [paper.title, paper.abstract, *body]:
        out.extend(s.strip() + "." for s in part.replace("\n", " ").split(". ") if s.strip())
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), data=st.data())
def test_sentences_quoted_from_the_source_have_no_unsupported_claims(seed, data):
    paper = make_paper(f"2501.0{seed:04d}", pages=3, seed=seed)
    sentences = _sentences(seed)
    picked = data.draw(st.lists(st.sampled_from(sentences), min_size=1, max_size=12))
    claims = verify_text(" ".join(picked), paper.text())
    assert _unsupported(claims) == [], picked


# ---- auditing a digest ----------------------------------------------------------------------------


def _digest() -> Digest:
    def entry(pid: str, text: str | None) -> Entry:
        paper = Paper(id=pid, title=f"Paper {pid}")
        summary = (
            None
            if text is None
            else Summary(paper_id=pid, sections=(Section(label="What's New", text=text),))
        )
        return Entry(paper=paper, summary=summary)

    return Digest(
        day=dt.date(2025, 5, 6),
        entries=(
            entry("2505.00001", KOREAN_TRUE),
            entry("2505.00002", KOREAN_TRUE + CONTAMINATION),
            entry("hep-th/9901001", "EchoChat은 4.1을 기록합니다."),
            entry("2505.00004", None),
        ),
    )


def test_audit_digest_reports_per_paper_status():
    texts = {"2505.00001": VOICE_SOURCE, "2505.00002": VOICE_SOURCE, "hep-th/9901001": None}
    audits = audit_digest(_digest(), texts, {"hep-th/9901001": "no file"})
    assert [(a.paper_id, a.status) for a in audits] == [
        ("2505.00001", "ok"),
        ("2505.00002", "unsupported"),
        ("hep-th/9901001", "no text"),
        ("2505.00004", "no summary"),
    ]
    assert sorted(c.text for c in audits[1].unsupported) == ["108개", "HumanEval-V"]
    assert audits[2].reason == "no file"


# ---- the CLI -----------------------------------------------------------------------------------------------


def _write_digest(path: Path) -> None:
    lines = ["## Daily Papers (2025-05-06)", ""]
    for pid, title, text in [
        ("2505.00001", "Sonora: Streaming Voice Models", KOREAN_TRUE),
        ("2505.00002", "Sonora Again", KOREAN_TRUE + CONTAMINATION),
        ("hep-th/9901001", "An Old Paper", "EchoChat은 4.1을 기록합니다."),
    ]:
        lines += [
            f"### [{title}](https://arxiv.org/abs/{pid})",
            "",
            f"![](https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{pid}.png)",
            "",
            "Vote: 5",
            "",
            "Authors: Mira Kovac, Tomas Lindqvist",
            "",
            f"- ***What's New***: {text}",
            "- ***Technical Details***: Sonora은 간단합니다.",
            "- ***Performance Highlights***: EchoChat보다 우수합니다.",
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")


@pytest.fixture
def cli_run(tmp_path):
    from typer.testing import CliRunner

    from dailypapers.cli import app

    digest = tmp_path / "digest.md"
    _write_digest(digest)
    texts = tmp_path / "texts"
    texts.mkdir()

    def run(*args: str):
        return CliRunner().invoke(
            app, ["--db", str(tmp_path / "db.sqlite"), "verify", str(digest), *args]
        )

    return run, texts


def test_cli_table_exit_codes(cli_run):
    run, texts = cli_run
    (texts / "2505.00001.txt").write_text(VOICE_SOURCE, encoding="utf-8")
    (texts / "2505.00002.md").write_text(VOICE_SOURCE, encoding="utf-8")
    (texts / "hep-th_9901001.txt").write_text(
        "Sonora and EchoChat score 4.1 here.", encoding="utf-8"
    )
    result = run("--documents", str(texts))
    assert result.exit_code == 1, result.output
    assert "HumanEval-V" in result.output and "108개" in result.output
    assert "unsupported" in result.output

    (texts / "2505.00002.md").unlink()
    result = run("--documents", str(texts))
    assert result.exit_code == 2 and "no text" in result.output
    assert run("--documents", str(texts), "--allow-missing").exit_code == 0


def test_cli_json_report(cli_run):
    run, texts = cli_run
    for name in ("2505.00001.txt", "2505.00002.txt"):
        (texts / name).write_text(VOICE_SOURCE, encoding="utf-8")
    result = run("--documents", str(texts), "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    by_id = {p["id"]: p for p in report["papers"]}
    assert by_id["2505.00001"]["status"] == "ok"
    assert by_id["2505.00002"]["unsupported"] == 2
    assert by_id["hep-th/9901001"]["status"] == "no text"
    claim = next(c for c in by_id["2505.00001"]["claims"] if c["text"] == "3.2%")
    assert claim["status"] == "supported" and "3.2" in claim["evidence"]


def test_cli_needs_exactly_one_text_source(cli_run):
    run, texts = cli_run
    assert run().exit_code == 2
    assert run("--documents", str(texts), "--fetch").exit_code == 2
    assert run("--documents", str(texts / "missing")).exit_code == 2


def test_cli_texts_is_a_hidden_alias_of_documents(cli_run):
    run, texts = cli_run
    for name in ("2505.00001.txt", "2505.00002.txt"):
        (texts / name).write_text(VOICE_SOURCE, encoding="utf-8")
    old, new = run("--texts", str(texts), "--json"), run("--documents", str(texts), "--json")
    assert old.exit_code == new.exit_code == 1 and json.loads(old.stdout) == json.loads(new.stdout)
    assert run("--texts", str(texts), "--documents", str(texts)).exit_code == 2
    from typer.testing import CliRunner

    from dailypapers.cli import app

    shown = CliRunner().invoke(app, ["verify", "--help"], env={"COLUMNS": "200"})
    assert "--documents" in shown.output and "--texts" not in shown.output


def test_cli_reports_what_the_paper_says_instead(tmp_path):
    from typer.testing import CliRunner

    from dailypapers.cli import app

    digest = tmp_path / "digest.md"
    digest.write_text(
        "## Daily Papers (2025-05-06)\n\n### [Sonora](https://arxiv.org/abs/2505.00001)\n\nVote: 5\n\n"
        "- ***Performance Highlights***: EchoChat의 단어 오류율은 3.2입니다. "
        "EchoChat은 71.35%의 정확도를 기록합니다.\n",
        encoding="utf-8",
    )
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "2505.00001.txt").write_text(VOICE_SOURCE, encoding="utf-8")

    def run(*args: str):
        return CliRunner().invoke(app, ["--db", str(tmp_path / "db.sqlite"), "verify", str(digest), *args])

    table = run("--documents", str(texts))
    assert table.exit_code == 1
    # contradicted: the sentence gives EchoChat a value of its own (4.1) and 3.2 to Sonora
    assert "3.2  — the paper states it for Sonora, not for EchoChat" in table.output
    # undecided (not flagged): EchoChat is not in the sentence that states 71.35%, where no subject is named
    assert "71.35%  not checked: the paper states it for SpokenQA-Lite" in table.output
    report = json.loads(run("--documents", str(texts), "--json").stdout)
    assert report["papers"][0]["unsupported"] == 1 and report["papers"][0]["undecided"] == 1
    claim = next(c for c in report["papers"][0]["claims"] if c["text"] == "3.2")
    assert claim["status"] == "unsupported" and claim["entity"] == ["EchoChat"] and not claim["undecided"]
    assert "Sonora" in claim["reason"] and "3.2" in claim["evidence"]
    assert claim["evidence_kind"] == "sentence" and claim["decided_by"] == "checker"
    unsure = next(c for c in report["papers"][0]["claims"] if c["text"] == "71.35%")
    assert unsure["undecided"] and "SpokenQA-Lite" in unsure["reason"] and "71.35%" in unsure["evidence"]
    name = next(c for c in report["papers"][0]["claims"] if c["text"] == "EchoChat")
    assert name["status"] == "supported" and "EchoChat" in name["evidence"]
