"""Deciding less firmly where the evidence is loose (g7): what heldout_b to heldout_g flagged wrongly when each was
first read, in cases written here in the same style (not copied from the set). Each case also keeps a real
error of the same shape flagged, so a rule that merely stops flagging fails here."""

from __future__ import annotations

from dailypapers.verify import extract_claims
from dailypapers.verify.relations import parse
from tests.grounding_outcomes import flagged, undecided


def names(text: str) -> list[str]:
    return [c.text for c in extract_claims(text) if c.kind == "name"]


PAPER = (
    "Quillstar: Faster Receipt Reading on Phones\n\nAbstract\n\n"
    "We present Quillstar, a recognizer whose encoder is a vision transformer. "
    "Processing 200 receipts uses 2.3% of a 4,500 mAh battery, against 5.1% for OldScan. "
    "We compare with OpenAI's Operator and with Gemini on the Google Robot tasks of SimplerEnv. "
    "The recognizer is refined for three rounds, and each round keeps the lines whose confidence exceeds 0.8. "
    "It agrees with the human check on 91.2% of receipts, compared with 84.5% for GPT-4o used as a judge."
)


def test_a_unit_written_glued_or_apart_is_one_unit() -> None:
    assert flagged("Quillstar는 영수증 200장에 4,500mAh 배터리의 2.3%만 씁니다.", PAPER) == []
    assert flagged("Quillstar는 영수증 200장에 5,000mAh 배터리의 2.3%만 씁니다.", PAPER) == ["5,000mAh"]


def test_a_gloss_in_brackets_the_paper_does_not_write_is_not_checked() -> None:
    text = "인코더 뒤에 배치 정규화(BatchNorm)를 둡니다."
    assert flagged(text, PAPER) == [] and undecided(text, PAPER) == ["BatchNorm"]
    # a versioned name in brackets is a claim about which model, not a gloss
    assert flagged("인코더는 비전 트랜스포머(ViT-22B)입니다.", PAPER) == ["ViT-22B"]


def test_a_name_whose_words_the_paper_writes_apart_is_not_checked() -> None:
    text = "Quillstar는 OpenAI Operator, Gemini와 비교했습니다."
    assert flagged(text, PAPER) == [] and undecided(text, PAPER) == ["OpenAI Operator"]
    assert flagged("Quillstar는 Anthropic Operator와 비교했습니다.", PAPER) == ["Anthropic Operator"]


def test_a_percentile_and_a_field_acronym_are_no_names() -> None:
    assert names("median latency 9 ms (17 ms at p95) over a DAG of tools, beside HumanEval") == ["HumanEval"]


def test_a_korean_round_number_that_indexes_is_no_count() -> None:
    assert flagged("2라운드부터는 신뢰도 0.8을 넘는 줄만 남깁니다.", PAPER) == []
    assert flagged("인식기를 2라운드 동안 다듬습니다.", PAPER) == ["2라운드"]  # the paper says three rounds


def test_the_own_system_stays_the_subject_beside_a_benchmark_the_paper_names() -> None:
    paper = ("Tillwright: Bimanual Policies\n\nAbstract\n\n"
             "Tillwright averages 80.8% over six Franka tasks and 69.2% over six ALOHA tasks, against 63.3% and "
             "51.7% for pi0. On an RTX 4090 GPU, Tillwright produces a 50-action chunk in 73 ms, and "
             "Tillwright-S in 31 ms.")
    text = ("실제 로봇에서도 Franka 6개 과제 평균 80.8%, ALOHA 6개 과제 평균 69.2%로 pi0(각각 63.3%, 51.7%)를 "
            "17.5포인트씩 앞섰고, RTX 4090에서 50개 행동 청크를 73ms 만에 생성합니다.")
    assert flagged(text, paper) == []  # 69.2% is Tillwright's on ALOHA, not ALOHA's own


def test_a_name_given_its_own_value_in_brackets_does_not_take_another() -> None:
    text = "Quillstar는 사람 검사와 91.2% 일치해 GPT-4o 판정(84.5%)보다 정확했습니다."
    assert flagged(text, PAPER) == []
    # without its own value beside it, GPT-4o given Quillstar's 91.2% is contradicted
    assert flagged("GPT-4o 판정은 사람 검사와 91.2% 일치했습니다.", PAPER) == ["91.2%"]


def test_respectively_in_brackets_leaves_the_sentence_its_clauses() -> None:
    text = "A-1은 Franka에서 80.8%로 pi0(각각 63.3%, 51.7%)를 앞섰고, RTX 4090에서 청크를 73ms 만에 생성합니다."
    parsed = parse(text, 0, len(text))
    segment = {text[a.start:a.end]: a.segment for a in parsed.anchors}
    assert segment["80.8%"] != segment["73ms"]
    # outside brackets "각각" pairs names and numbers across the clauses: one segment
    paired = "A-1과 B-2는 각각 80.8%와 69.2%를 기록했고, RTX 4090에서 73ms 걸립니다."
    parsed = parse(paired, 0, len(paired))
    assert len({a.segment for a in parsed.anchors}) == 1
