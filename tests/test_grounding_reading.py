"""What the blind tuning set (bench/data/grounding_blind: dev, heldout_a, seed_day) taught the checker to read,
in cases written here in the same style (not copied from the set): Korean numbers only where the analyzer tags
a numeral, spellings of names and numbers real summaries use, a contrast that ends a clause, numbers derived
from others, and the three outcomes as a reader sees them (undecided is never flagged)."""

from __future__ import annotations

import datetime as dt

import lxml.html
import pytest

from dailypapers.digestformat import render
from dailypapers.models import Claim, Digest, Document, Entry, Paper, Section, Summary, TextSection
from dailypapers.publish.pages import environment
from dailypapers.publish.views import summary_view
from dailypapers.verify import extract_claims, verify_text
from dailypapers.verify.korean import clause_breaks
from dailypapers.verify.relations import parse
from tests.grounding_outcomes import flagged, undecided


def numbers(text: str) -> list[tuple[str, float]]:
    return [(c.text, c.values[0]) for c in extract_claims(text) if c.kind == "number"]




# ---- Korean numbers, read by the analyzer ------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("제안된 구조를 바탕으로 성능을 높였습니다.", []),  # 구조 (structure) holds 구 and 조
        ("3 조건에서 모두 개선되었습니다.", []),  # 3 conditions: a small count, no 3조
        ("16 백본을 비교했습니다.", [("16", 16.0)]),  # 16 backbones, not 1,600
        ("비용은 3분의 1로 줄었습니다.", []),  # a third, not 3 minutes
        ("1.8조 토큰으로 사전 학습했습니다.", [("1.8조", 1.8e12)]),
        ("모두 3억 1,200만 파라미터입니다.", [("3억 1,200만", 3.12e8)]),
        ("4만 1,200장의 이미지를 씁니다.", [("4만 1,200", 41200.0)]),
        ("약 12만 개의 예시와 백만 토큰", [("12만", 1.2e5), ("백만", 1e6)]),
        ("디코딩이 세 배 빨라졌습니다.", [("세 배", 3.0)]),
        ("보상을 0.3만큼 깎습니다.", [("0.3", 0.3)]),  # 만큼 is a particle, not 만
        ("학습은 2시간 45분 걸렸습니다.", [("2시간 45분", 2.75)]),  # one duration
        ("labels for half a million documents", [("half a million", 5e5)]),
        ("성공률이 0.25일 때 가장 큽니다.", [("0.25", 0.25)]),
        ("최대 15일까지 예보합니다.", [("15", 15.0)]),
        ("pLDDT 85 초과 구조만 씁니다.", [("85", 85.0)]),
        ("1천8백만 개의 구조", [("1천8백만", 1.8e7)]),
        ("A100 한 장에서 1초에 3.2쪽을 처리합니다.", [("3.2", 3.2)]),  # 1초에: the unit of a rate
        ("3시간 반(210분)이 걸립니다.", [("210분", 210.0)]),  # one duration, glossed in minutes
    ],
)
def test_a_korean_number_syllable_counts_only_where_the_analyzer_tags_a_numeral(text, expected) -> None:
    assert numbers(text) == expected


def test_lengths_and_areas_in_words_and_in_metres() -> None:
    paper = "The benchmark covers 3,100 km² of flooded area. The average L2 error is 0.53 m."
    assert flagged("It covers 3,100 square kilometers, with an L2 error of 53 cm.", paper) == []
    assert flagged("It covers 3,100 square kilometers, with an L2 error of 53 m.", paper) == ["53"]
    assert [c.unit_class for c in extract_claims("성공률이 0.25일 때") if c.kind == "number"] == [None]


def test_korean_spelled_units_of_bytes_and_length() -> None:
    paper = "The cache occupies 18.6 GB. The error is 0.53 m."
    assert flagged("캐시는 약 18.6기가바이트이고 오차는 53센티미터입니다.", paper) == []
    assert flagged("캐시는 약 18.6메가바이트이고 오차는 53미터입니다.", paper) == ["18.6", "53"]


def test_a_unit_on_a_list_s_first_item_holds_for_the_items_after_it() -> None:
    paper = "We train on 250K hours of speech: 120K hours in English, 70K in Chinese, 18K in Korean, 17K in Japanese."
    assert flagged("한국어 1만 8천 시간을 포함합니다.", paper) == []
    assert flagged("한국어 1만 7천 시간을 포함합니다.", paper) == ["1만 7천"]  # Japanese's, not Korean's


def test_a_number_glossed_with_its_unit_is_one_claim_and_a_short_unit_keeps_its_case() -> None:
    assert numbers("초당 25개(25Hz)의 토큰을 예측합니다.") == [("25Hz", 25.0)]
    paper = "We distill on 500K MS MARCO queries. Answers take 38 ms."
    assert flagged("500K개의 질의로 증류했고 응답은 38ms입니다.", paper) == []  # MS is no millisecond


# ---- names as summaries spell them -----------------------------------------------------------------

NAMES = ("We evaluate on COCO-30K with FID and on ShelfScan-5K. Our detector follows GRPO with a rank 64 "
         "adapter. Baselines are OpenVLA (7B), Llama 3 70B, Llama 2 8B and SD-v3.5-Large. Poses come from "
         "structure from motion.")


@pytest.mark.parametrize(
    ("summary", "ok"),
    [
        ("COCO-30K FID는 낮습니다.", True),  # two names run together
        ("ShelfScan-5K GRPO 조합입니다.", True),
        ("GRPO-style 학습을 씁니다.", True),  # a lowercase word hyphenated to a name
        ("OpenVLA 7B와 비교합니다.", True),  # the size the paper writes in brackets
        ("SfM으로 포즈를 얻습니다.", True),  # an acronym of words the paper spells out
        ("Llama 3 8B와 비교합니다.", False),  # a versioned name is never taken apart
        ("ShelfScan-9K GRPO 조합입니다.", False),  # each part must be in the paper
        ("Stable Diffusion 3.5 Large보다 낫습니다.", True),  # the family's initials: "SD-v3.5-Large"
        ("Stable Diffusion 3 Large보다 낫습니다.", False),
    ],
)
def test_names_written_the_summary_s_way(summary, ok) -> None:
    names = [c for c in verify_text(summary, NAMES) if c.kind == "name"]
    assert names and all((c.status == "supported") is ok for c in names), [(c.text, c.status) for c in names]


# ---- clauses and derived numbers --------------------------------------------------------------------

RESULTS = Document(paper_id="2601.00077", origin="html", sections=(
    TextSection(kind="title", heading="", text="Kestrel-3: Small Robot Policies"),
    TextSection(kind="results", heading="4 Results", page=3, text=(
        "Kestrel-3 reaches 90.4% on LIBERO-Long, 5.2 points ahead of Pi0. Pi0 stays ahead on LIBERO-Object. "
        "On MMDoc, accuracy rises from 21.0% for Kestrel-2 to 31.4% for Kestrel-3. "
        "Kestrel-3 reaches 81.3% on ArcLite and 64.0% on MathQuest.")),
))


def test_a_name_after_another_number_goes_with_that_number() -> None:
    paper = "Kestrel-3: Small Robot Policies\n\nIn 240 trials it succeeds 78% of the time, against 69% for Pi0."
    assert flagged("Kestrel-3 succeeds 78% of the time versus 69% for Pi0.", paper) == []
    assert flagged("Kestrel-3 succeeds 78% of the time versus 78% for Pi0.", paper) == ["78%"]  # Pi0 had 69%


def test_a_bracket_comparing_two_values_and_a_name_beside_its_own_number() -> None:
    paper = ("SlimKV: Two-Bit Caches\n\nSlimKV stays within 0.4 points of the 16-bit cache on LongBench (48.8 vs "
             "49.2). With SlimKV, a 1M-token cache occupies about 18.6 GB, so it fits on one H100 80GB GPU.")
    assert flagged("LongBench 평균 점수가 49.2에서 48.8로 0.4포인트만 떨어졌습니다.", paper) == []
    assert flagged("SlimKV로는 약 18.6 GB에 불과해 H100 80GB GPU 한 장에서 처리합니다.", paper) == []
    assert numbers("320x320 픽셀의 6개 뷰") == []  # a size, neither a name nor a multiplier
    assert flagged("Across 8 MoleculeNet tasks it wins.", "We test 8 MoleculeNet tasks.") == []


def test_a_value_the_paper_gives_to_another_compared_system_is_contradicted() -> None:
    paper = ("MolFuse: Conformer Ensembles\n\nBaselines are Uni-Mol, GEM and Transformer-M. MolFuse reaches an "
             "average ROC-AUC of 79.6, ahead of Uni-Mol at 76.9 and GEM at 74.8.")
    assert flagged("MolFuse scores 79.6 versus 76.9 for Uni-Mol and 74.8 for GEM.", paper) == []
    assert flagged("MolFuse scores 79.6 versus 76.9 for Transformer-M and 74.8 for GEM.", paper) == ["76.9"]


def test_a_name_after_a_contrast_is_not_attached_to_the_numbers_before_it() -> None:
    summary = "Kestrel-3 reaches 90.4% on LIBERO-Long, 5.2 points ahead of Pi0, although Pi0 leads on LIBERO-Object."
    assert flagged(summary, RESULTS) == [] and undecided(summary, RESULTS) == []


def test_units_read_from_korean_words_only_where_they_are_units() -> None:
    claims = extract_claims("최대 15일까지, 85 초과, 0.25일 때, 3시간 반")
    units = {c.text: c.unit_class for c in claims if c.kind == "number"}
    assert units == {"15": "time", "85": None, "0.25": None, "3시간 반": "time"}


def test_a_number_derived_from_its_sentence_is_left_to_the_judge_and_one_made_up_is_flagged() -> None:
    summary = "MMDoc 정확도는 21.0%에서 31.4%로 10.4포인트 올랐습니다."
    assert flagged(summary, RESULTS) == [] and undecided(summary, RESULTS) == ["10.4포인트"]
    assert flagged("MMDoc 정확도는 21.0%에서 31.4%로 12.9포인트 올랐습니다.", RESULTS) == ["12.9포인트"]


def test_a_predecessor_s_value_given_to_the_new_model_is_contradicted_unless_the_summary_says_so() -> None:
    paper = Document(paper_id="2601.00078", origin="html", sections=(
        TextSection(kind="title", heading="", text="Pallas-2: Sparse Retrieval"),
        TextSection(kind="results", heading="4 Results", page=3, text=(
            "Pallas-2 reaches an MRR of 41.2. Keeping every token, as Pallas did, gives only 39.8. "
            "Pallas had 1.1B parameters.")),
    ))
    assert flagged("Pallas-2는 MRR 39.8을 기록합니다.", paper) == ["39.8"]
    assert flagged("Pallas-2는 11억 파라미터였던 이전 Pallas보다 작습니다.", paper) == []


def test_a_clause_that_names_its_own_benchmark_takes_only_the_subject_from_the_sentence_lead() -> None:
    paper = Document(paper_id="2601.00079", origin="html", sections=(
        TextSection(kind="title", heading="", text="Pallas-2: Sparse Retrieval"),
        TextSection(kind="results", heading="4 Results", page=3, text=(
            "On MS MARCO, Pallas-2 reaches an MRR@10 of 41.2, and on 13 BEIR datasets an average nDCG@10 of "
            "53.6.")),
    ))
    assert flagged("Pallas-2는 MS MARCO에서 MRR@10 41.2, BEIR에서 nDCG@10 53.6을 기록했습니다.", paper) == []
    swapped = verify_text("Pallas-2는 MS MARCO에서 MRR@10 53.6을 기록했습니다.", paper)
    assert [c.status for c in swapped if c.kind == "number"] == ["unsupported"]  # 53.6 is BEIR's, not MS MARCO's


def test_a_value_the_sentence_gives_to_another_benchmark_is_contradicted() -> None:
    claims = {c.text: c for c in verify_text("Kestrel-3는 MathQuest에서 81.3%를 기록합니다.", RESULTS)}
    wrong = claims["81.3%"]
    assert wrong.status == "unsupported" and not wrong.undecided and "ArcLite" in wrong.reason


def test_a_korean_clause_ends_at_a_modifier_and_daesin_or_banmyeon() -> None:
    text = ("통과율이 41.7로 오르는 대신 처리량은 1,300개로 줄었고, 정확도는 높은 반면에 속도는 느리며 "
            "Adam 대신 SGD를 씁니다.")
    cut = [text[:b].split()[-1] for b in clause_breaks(text, 0, len(text))]
    # a connective ending before a comma ends its clause too (`줄었고,`); after a noun (`Adam 대신`) none ends
    assert cut == ["대신", "줄었고", "반면에", "느리며"]


def test_baselines_listed_with_bracketed_asides_are_all_baselines() -> None:
    summary = ("Wren은 Recall@50 0.815와 MRR@10 0.356을 기록해 BM25(Recall@50 0.610), ColBERT-L, "
               "Wren-Base(0.744)를 앞섰습니다.")
    parsed = parse(summary, 0, len(summary))
    roles = {summary[m.start : m.end]: m.baseline for m in parsed.mentions if "@" not in summary[m.start : m.end]}
    assert roles == {"Wren": False, "BM25": True, "ColBERT-L": True, "Wren-Base": True}


def test_a_metric_named_in_one_clause_of_a_contrast_is_shared_by_the_other() -> None:
    paper = ("Gull: Map-Free Forecasting\n\nOn 900 scenes with stale maps, the baseline's minADE@6 grows to "
             "1.92 m, whereas Gull stays at 1.05 m. Gull reaches 71.0 on NuRoute and 64.2 on CityLanes.")
    assert flagged("지도가 낡은 장면에서도 Gull의 minADE@6는 1.05m로 안정적이었습니다.", paper) == []
    assert flagged("Gull은 CityLanes에서 71.0을 기록했습니다.", paper) == ["71.0"]  # a benchmark owns its value


def test_a_small_multiple_made_from_two_numbers_of_its_sentence_is_for_the_judge() -> None:
    paper = "Finch: Fast Decoding\n\nFinch decodes a batch in 21 ms, while the baseline needs 88 ms."
    assert flagged("Finch는 배치를 21ms에 디코딩해 기준 모델(88ms)보다 약 네 배 빠릅니다.", paper) == []
    assert undecided("Finch는 배치를 21ms에 디코딩해 기준 모델(88ms)보다 약 네 배 빠릅니다.", paper) == ["네 배"]
    assert flagged("Finch decodes at 0.42 accuracy, 2.1 times the baseline's 0.2.", "Finch: X\n\nIt reaches 0.42 "
                   "against 0.2 for the baseline.") == []
    assert flagged("Finch는 배치를 21ms에 디코딩해 기준 모델보다 약 아홉 배 빠릅니다.", paper) == ["아홉 배"]


def test_a_table_cell_of_the_own_system_contradicts_a_value_given_to_another_column() -> None:
    paper = Document(paper_id="2601.00081", origin="html", sections=(
        TextSection(kind="title", heading="", text="Heron: Video Priors for Robots"),
        TextSection(kind="results", heading="4 Results", page=3, text=(
            "Heron reaches 77.4% on LIBERO-Long, against 50.9% for OpenVLA.")),
        TextSection(kind="table", heading="Table 2: Success rates", text=(
            "Method | LIBERO-Spatial | LIBERO-Goal | LIBERO-Long\nOpenVLA | 84.7 | 79.2 | 50.9\n"
            "Heron | 90.1 | 86.3 | 77.4")),
    ))
    assert flagged("Heron은 LIBERO-Long에서 77.4%를 기록했습니다.", paper) == []
    assert flagged("Heron은 LIBERO-Goal에서 77.4%를 기록했습니다.", paper) == ["77.4%"]  # the table: 86.3
    assert flagged("Heron은 LIBERO-Goal에서 79.2%를 기록했습니다.", paper) == ["79.2%"]  # OpenVLA's cell
    # a change, a hedged value, or a number another system is named with is left to the prose rules
    assert flagged("Heron은 LIBERO-Goal에서 OpenVLA(79.2%)를 앞섰습니다.", paper) == []
    assert flagged("Heron은 LIBERO-Goal에서 약 77%를 기록했습니다.", paper) == []


def test_a_row_label_with_a_version_number_stays_the_row_s_label() -> None:
    paper = Document(paper_id="2601.00082", origin="html", sections=(
        TextSection(kind="title", heading="", text="Osprey 3: Embeddings in Three Sizes"),
        TextSection(kind="table", heading="Table 1: Retrieval", text=(
            "Model | Params | MIRACL | KoSearch\nOsprey 3-Small | 0.6B | 61.0 | 64.2\n"
            "Osprey 3-Large | 1.5B | 70.4 | 73.9")),
    ))
    assert flagged("KoSearch에서는 Small이 64.2, Large가 73.9를 기록했습니다.", paper) == []
    assert flagged("KoSearch에서는 Small이 73.9를 기록했습니다.", paper) == ["73.9"]


def test_a_measure_after_a_furniture_word_is_a_quantity_and_a_hyphenated_scale_word_scales() -> None:
    paper = "Kite\n\nThe deepest stage (40 cm resolution) is cached. We label 2.3 million pairs."
    assert flagged("The deepest stage, at 40 cm resolution, is cached.", paper) == []
    assert flagged("a 2.3-million-pair training set", paper) == []
    assert flagged("a 3.2-million-pair training set", paper) == ["3.2-million"]
    assert numbers("see Stage 2 and Table 3") == []


def test_acronyms_of_word_starts_and_names_joined_by_a_small_word() -> None:
    paper = "Kite\n\nKite runs a Diffusion Transformer on product SMILES and reactant SMILES."
    assert flagged("Kite는 확산 트랜스포머(DiT)와 SMILES-to-SMILES 변환을 씁니다.", paper) == []
    assert flagged("Kite는 DiT와 SMILES-to-SELFIES 변환을 씁니다.", paper) == ["SMILES-to-SELFIES"]


def test_a_small_count_of_a_setting_is_flagged_only_where_the_paper_counts_it_otherwise() -> None:
    paper = "Kite\n\nWe fine-tune for one epoch with 7 hard negatives per query, and run 8 rounds of search."
    assert flagged("Kite는 1 에폭 동안 학습하며 질의당 7 hard negatives와 8 rounds를 씁니다.", paper) == []
    assert flagged("Kite fine-tunes for three epochs. After three epochs it stops.", paper) == ["three epochs"]
    assert flagged("Kite fine-tunes for 1.5 epochs.", paper) == ["1.5"]  # not in the paper; no count of 5
    assert flagged("Kite는 5라운드 동안 탐색합니다.", paper) == ["5라운드"]
    assert flagged("Kite uses 3 heads and 2 stages.", paper) == []  # counts the paper never gives: no claim


# ---- three outcomes, as a reader sees them ----------------------------------------------------------

def _summary() -> Summary:
    text = "정확도는 81.3%이고 지연은 12ms이며 처리량은 99배입니다."
    return Summary(paper_id="2601.00077", lang="ko", sections=(Section(label="Performance Highlights", text=text),),
                   claims=(
                       Claim(text="81.3%", kind="number", status="supported", section_label="Performance Highlights",
                             evidence="reaches 81.3% on ArcLite"),
                       Claim(text="12ms", kind="number", status="unsupported", undecided=True,
                             section_label="Performance Highlights", reason="the paper states it for Pi0",
                             evidence="Pi0 answers in 12 ms"),
                       Claim(text="99배", kind="number", status="unsupported", section_label="Performance Highlights"),
                   ))


def test_undecided_is_not_flagged_in_the_markdown_and_is_shown_as_not_checked_on_pages() -> None:
    summary = _summary()
    assert [c.text for c in summary.unsupported] == ["99배"] and [c.text for c in summary.undecided] == ["12ms"]
    paper = Paper(id="2601.00077", title="Kestrel-3", authors=("A B",), upvotes=3)
    markdown = render(Digest(day=dt.date(2026, 12, 1), entries=(Entry(paper=paper, summary=summary),)))
    assert "⚠️(unverified: 99배)" in markdown and "12ms)" not in markdown
    html = environment().from_string('{% from "_macros.html" import summary_block %}{{ summary_block(s) }}').render(
        s=summary_view(summary, "p"), extractive_note="")
    page = lxml.html.fromstring(html)
    assert [m.text_content().split("Unverified")[0] for m in page.cssselect("mark.claim.unsupported")] == ["99배"]
    (unsure,) = page.cssselect("span.claim.undecided")
    assert "Not checked: the paper states it for Pi0" in unsure.text_content()
    assert "1 unverified" in page.cssselect("details.checks summary")[0].text_content()
    assert "1 not checked" in page.cssselect("details.checks summary")[0].text_content()
    assert page.cssselect("details.checks li.undecided")
