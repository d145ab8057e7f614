"""What heldout_h flagged wrongly (g8), in cases written here in the same style (not copied from the set): a
hedge after the counter, a total of two numbers of the sentence, the start of a change that belongs to the
predecessor, a count before a hyphenated word, an abbreviation the paper defines. Each case also keeps a real
error of the same shape flagged, so a rule that merely stops flagging fails here."""

from __future__ import annotations

from tests.grounding_outcomes import flagged

PAPER = (
    "Tallow-2: Denser Shape Completion\n\nAbstract\n\n"
    "We present Tallow-2, the successor of Tallow. Every run takes about 970 A100 GPU hours. "
    "The batch size is 256 sequences of 4,096 tokens. The large model trains for 12 hours on 64 GPUs. "
    "For real scans we use 2,401 car instances from HardScan; we report Fidelity and Minimal Matching Distance (MMD). "
    "On HardScan cars, Tallow-2 reaches a Fidelity of 0.138 and an MMD of 0.388, compared with 0.171 and 0.431 "
    "for Tallow and 0.152 and 0.420 for Mesh Prior Fields. "
    "Its decoder fuses the two views through 3 cross-attention layers, on top of a 16-layer encoder. "
    "We compare with Dense Patch Matching (DPM) and Mesh Prior Fields (MPF). "
    "Dense Patch Matching recovers 58.2% of thin parts, while Mesh Prior Fields recovers 61.7%.\n\n"
    "Table 1: Results on the hard split.\n"
    "Method | Coverage | MMD\n"
    "Dense Patch Matching | 0.601 | 0.502\n"
    "Mesh Prior Fields | 0.634 | 0.470\n"
    "Tallow-2 | 0.712 | 0.388\n"
)


def test_nearly_after_the_number_and_its_counter_is_a_hedge() -> None:
    assert flagged("학습 한 번에 1,000 A100 GPU 시간 가까이 듭니다.", PAPER) == []
    assert flagged("학습 한 번에 1,200 A100 GPU 시간 가까이 듭니다.", PAPER) == ["1,200"]


def test_a_total_of_two_numbers_of_the_sentence_is_left_to_the_judge() -> None:
    assert flagged("배치는 256개 시퀀스 × 4,096 토큰(약 100만 토큰)입니다.", PAPER) == []
    assert flagged("The large model takes 768 GPU hours (12 hours on 64 GPUs).", PAPER) == []
    assert flagged("The large model takes 768 GPU hours.", PAPER) == ["768"]  # no operands in the sentence


def test_the_start_of_a_change_may_be_the_predecessors_measure() -> None:
    text = ("실제 HardScan 자동차 스캔에서는 별도 파인튜닝 없이 Fidelity를 0.171에서 0.138로, "
            "MMD를 0.431에서 0.388로 개선했습니다.")
    assert flagged(text, PAPER) == []
    # a baseline named in the sentence says whose start it is: Tallow's 0.431 is not Mesh Prior Fields'
    wrong = "On HardScan cars Tallow-2 improves MMD from 0.431 to 0.388 over Mesh Prior Fields."
    assert flagged(wrong, PAPER) == ["0.431"]


def test_a_count_before_a_hyphenated_word_is_read() -> None:
    assert flagged("디코더는 cross-attention 3층으로 두 시점을 결합합니다.", PAPER) == []
    assert flagged("디코더는 cross-attention 5층으로 두 시점을 결합합니다.", PAPER) == ["5층"]


def test_an_abbreviation_the_paper_defines_is_the_name() -> None:
    assert flagged("Tallow-2 reaches a Coverage of 0.712, ahead of DPM (0.601) and MPF (0.634).", PAPER) == []
    assert flagged("DPM recovers 58.2% of thin parts.", PAPER) == []
    assert flagged("DPM recovers 61.7% of thin parts.", PAPER) == ["61.7%"]  # Mesh Prior Fields' value


def test_a_size_written_with_by_is_no_name() -> None:
    assert flagged("Each ray stands for one 16-by-16 patch.", "Tallow\n\nEach ray is one 16×16 patch.") == []
    assert flagged("It is trained with the Tallow-3 loss.", "Tallow\n\nEach ray is one 16×16 patch.") == ["Tallow-3"]
