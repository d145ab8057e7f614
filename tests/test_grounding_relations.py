"""Grounding v2, rule by rule: what is no evidence, which paper numbers support which units, how names are
matched, and how a number is related to its benchmark, baseline, qualifier, condition and metric. Every source
here is written for these tests."""

from __future__ import annotations

import json

import pytest

from dailypapers.models import Claim, Document, Section, Summary, TextSection
from dailypapers.store import Store
from dailypapers.verify import build_index, extract_claims, verify, verify_text
from tests.hostile.bounded import bounded


def status(summary: str, source: str | Document) -> dict[str, str]:
    return {c.text: c.status for c in verify_text(summary, source)}


def unsupported(summary: str, source: str | Document) -> list[str]:
    return sorted(c.text for c in verify_text(summary, source) if c.status == "unsupported" and not c.undecided)


def doc(*sections: tuple[str, str, str], title: str = "Orbit-7B: Routing for Reasoning") -> Document:
    return Document(
        paper_id="2601.00042",
        origin="html",
        sections=(
            TextSection(kind="title", heading="", text=title),
            *(TextSection(kind=k, heading=h, text=t, page=n) for n, (k, h, t) in enumerate(sections, start=1)),
        ),
    )


# ---- what is no evidence ----------------------------------------------------------------------------


def test_heading_numbers_are_no_evidence() -> None:
    paper = doc(("results", "4.2 Results", "Orbit-7B is faster than the baseline."))
    assert unsupported("정확도가 4.2% 올랐고 4.2배 빨라졌습니다.", paper) == ["4.2%", "4.2배"]
    text = "Orbit\n\n4.2 Ablation Study\n\nRemoving the router hurts.\n"
    assert unsupported("The router adds 4.2% accuracy.", text) == ["4.2%"]
    # ...while the heading's names still count: a method may only be named in its heading
    assert unsupported("Ablation Study에서 확인했습니다.", text) == []


@pytest.mark.parametrize(
    ("source", "summary", "bad"),
    [
        ("The loss is the sum of two terms:\nL = L_a + L_b (3)\nwe minimise it.", "3배 빠릅니다", "3배"),
        ("Our contributions:\n1. a router;\n2. a cost model.", "2배 빠릅니다", "2배"),
        ("It has three parts: (1) a router, (2) a cache and (3) a planner.", "3배 빠릅니다", "3배"),
        ("Routing helps (Kovac et al., 2021) and planning too (Reyes, 2019).", "2021개의 문제", "2021개"),
        ("See Table 10 and Figure 4 for 12 more results [18].", "10초 안에 응답", "10초"),
    ],
)
def test_equation_list_and_reference_numbers_and_citation_years_are_no_evidence(source, summary, bad) -> None:
    assert unsupported(summary, source) == [bad]


def test_the_references_section_is_no_evidence() -> None:
    paper = doc(
        ("results", "4 Results", "Orbit-7B reaches 81.3% on ArcLite."),
        ("references", "References", "[1] The Nimbus-9X team. Nimbus-9X reaches 77.7% everywhere. 2022."),
    )
    assert unsupported("Orbit-7B는 Nimbus-9X를 능가하며 77.7%를 기록합니다.", paper) == ["77.7%", "Nimbus-9X"]
    text = "Orbit reaches 81.3% on ArcLite.\n\nReferences\n\n[1] Nimbus-9X reaches 77.7% everywhere.\n"
    assert unsupported("Nimbus-9X는 77.7%입니다.", text) == ["77.7%", "Nimbus-9X"]


# ---- units ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "summary", "ok"),
    [
        ("We run 12 engines in parallel.", "12%의 개선", False),  # a count of something is no percentage
        ("It uses 16 samples per prompt.", "16초 안에", False),  # ...nor a duration
        ("1,000 data points are labelled.", "1,000배 빠름", False),  # ...nor a multiplier
        ("It uses 16 samples per prompt.", "16개의 샘플", True),  # ...but a count
        ("The WER is 3.2 against 4.1 for EchoChat.", "WER 3.2%", True),  # a bare number may be a percentage
        ("The area is 6.5 km2 in total.", "면적은 6.5km2입니다", True),
        ("The area is 4.5 km2 in total.", "면적은 6.5km2입니다", False),
        ("The area is 6.5 ha in total.", "면적은 6.5km2입니다", False),
        ("The arm reaches 5 mm precision.", "정밀도 5mm", True),
        ("The arm reaches 5 cm precision.", "정밀도 5mm", False),
        ("The arm reaches 50 mm precision.", "정밀도 5cm", True),  # converted within the class
        ("Noise drops by 20 dB.", "소음이 20dB 줄었습니다", True),
        ("Noise drops by 20 percent.", "소음이 20dB 줄었습니다", False),
        ("It weighs 3 kg.", "무게는 3000g입니다", False),  # grams are not a known unit: letters must match
        ("It runs at 1080p.", "1080p 영상", True),
        ("It runs at 720p.", "1080p 영상", False),
    ],
)
def test_a_paper_number_supports_a_unit_only_of_its_own_class(source, summary, ok) -> None:
    numbers = [c for c in verify_text(summary, source) if c.kind == "number"]
    assert len(numbers) == 1, [c.text for c in numbers]
    assert (numbers[0].status == "supported") is ok, (source, summary)


def test_an_unknown_unit_keeps_the_integer_part() -> None:
    assert [(c.text, c.kind) for c in extract_claims("약 6.5km2의 면적")] == [("6.5km2", "number")]
    assert [(c.text, c.kind) for c in extract_claims("a 12.5 dBA drop")] == [("12.5", "number")]


@pytest.mark.parametrize(
    ("source", "summary", "ok"),
    [
        ("a 0.5B model", "1B 모델", False),  # no coarse rounding: 1B is not 0.5B
        ("a speed-up of 6.5", "6배 빠름", False),
        ("a speed-up of 6.5", "약 6배 빠름", True),  # a hedge may round
        ("1.04 billion tokens", "10억 개의 토큰", True),
        ("1.2 billion tokens", "10억 개의 토큰", False),
        ("it is 3.4x faster", "세 배 이상 빠릅니다", True),  # a lower bound met
        ("it is 3.4x faster", "네 배 이상 빠릅니다", False),
    ],
)
def test_rounding_is_capped(source, summary, ok) -> None:
    numbers = [c for c in verify_text(summary, source) if c.kind == "number"]
    assert len(numbers) == 1 and (numbers[0].status == "supported") is ok, (source, summary, numbers)


# ---- names ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("summary", "names"),
    [
        ("ReplaceMe는 Llama 2 7B 기반 모델에서", ["ReplaceMe", "Llama 2 7B"]),
        ("CosyVoice 2는 HIT@1에서 앞섭니다", ["CosyVoice 2", "HIT@1"]),
        ("Masked Frame Prediction을 씁니다", ["Masked Frame Prediction"]),
        ("GPT-4o mini와 Claude 3.5 Sonnet", ["GPT-4o mini", "Claude 3.5 Sonnet"]),
        ("Sonora 3배 빠름", ["Sonora"]),  # a measurement is no version
    ],
)
def test_versioned_and_multi_word_names_are_one_claim(summary, names) -> None:
    assert [c.text for c in extract_claims(summary) if c.kind == "name"] == names


@pytest.mark.parametrize(
    ("source", "summary", "ok"),
    [
        ("We fine-tune Llama-2-7B.", "Llama 2 7B", True),
        ("We fine-tune Llama-2-7B.", "Llama 2 13B", False),
        ("Speech by CosyVoice 2 and HIT@1 of 40%.", "CosyVoice 2", True),
        ("Speech by CosyVoice 2 and HIT@1 of 40%.", "CosyVoice 3", False),
        ("Speech by CosyVoice 2 and HIT@1 of 40%.", "HIT@10", False),
        ("We add masked frame prediction.", "Masked Frame Prediction", True),
        ("We predict masked frames.", "Masked Frame Prediction", False),  # a whole name, not word by word
        ("It is trained with StableReinforce.", "Stable Reinforce", True),  # CamelCase written with a space
        ("We report the maps of each class.", "mAP", False),
        ("Compared with GPT-4o and Qwen2.5-7B.", "GPT-4", False),  # a shorter name is another model
        ("Compared with GPT-4o and Qwen2.5-7B.", "Qwen2", False),
        ("Compared with GPT-4o-mini.", "GPT-4o", False),
        ("Compared with Qwen2-7B-Instruct.", "Qwen2", True),  # a size or variant is the same family
        ("Compared with GPT-4o.", "GPT-4o", True),
    ],
)
def test_names_match_whole_and_versions_exactly(source, summary, ok) -> None:
    claims = [c for c in verify_text(f"{summary}를 사용합니다.", source) if c.kind == "name"]
    assert [c.text for c in claims] == [summary]
    assert (claims[0].status == "supported") is ok, (source, summary)


def test_a_name_with_a_score_after_it_is_the_name_and_the_score() -> None:
    claims = verify_text("EchoChat 4.1을 앞섭니다.", "Sonora beats EchoChat (4.1) on TTS.")
    assert [(c.text, c.kind, c.status) for c in claims] == [
        ("EchoChat", "name", "supported"), ("4.1", "number", "supported")
    ]
    # the score is the name's: a 4.1 the paper states for something else does not support it
    paper = "Sonora: Fast Speech\n\nSonora reaches 4.1 on TTS, and EchoChat (3.9) trails it."
    claims = verify_text("EchoChat 4.1을 앞섭니다.", paper)
    assert [(c.text, c.kind, c.status) for c in claims] == [
        ("EchoChat", "name", "supported"), ("4.1", "number", "unsupported")
    ]
    assert claims[1].reason.endswith("not for EchoChat")


@pytest.mark.parametrize(
    ("text", "year", "cited"),
    [
        ("Routing helps (Kovac et al., 2021) a lot.", "2021", True),
        ("As Kovac et al. 2021 show, routing helps.", "2021", True),
        ("Planning too [Reyes, 2019; Novak, 2020].", "2020", True),
        ("Prior results (2019, 2020) agree.", "2020", True),
        ("이 방법은 2024년에 발표되었습니다.", "2024", True),
        ("It was trained on 2021 problems.", "2021", False),
        ("The context holds (2048) tokens.", "2048", False),  # past the years a citation has
        ("Frames are resized to (1920, 1080).", "1920", False),
    ],
)
def test_a_citation_year_is_one_rule_for_the_summary_and_the_paper(text: str, year: str, cited: bool) -> None:
    from dailypapers.verify import build_index

    in_summary = year in [c.text for c in extract_claims(text) if c.kind == "number"]
    index = build_index(text)
    in_paper = year in [index.text[o.start : o.end] for o in index.occurrences]
    assert in_summary == in_paper == (not cited)


# ---- relations --------------------------------------------------------------------------------------

RESULTS = (
    "We compare Orbit-7B with Nimbus-3o and Pella2.5-7B. "
    "Orbit-7B reaches 81.26% on ArcLite and 64.0% on MathQuest. "
    "Orbit-7B answers in 120 ms, while Nimbus-3o needs 340 ms. "
    "Decoding is 3.1x faster and memory use is 2.4x lower than with Pella2.5-7B. "
    "Orbit-7B needs 15% fewer tokens than Pella2.5-7B to reach the same loss. "
    "Training time drops by 22%. "
    "The router improves accuracy by up to 13.8 points, and by 4.2 points on average. "
    "In the zero-shot setting, Orbit-7B solves 45.6% of the MathQuest problems, and with 5-shot prompting it "
    "solves 55.7%. "
    "The corpus covers 5,560 problems from 36 domains."
)
PAPER = doc(("results", "4 Experiments", RESULTS))


@pytest.mark.parametrize(
    ("summary", "bad"),
    [
        # faithful: rewritten, reordered, hedged, paired with "respectively"
        ("Orbit-7B는 ArcLite에서 약 81.3%, MathQuest에서 64%를 기록했습니다.", []),
        ("MathQuest에서 64.0%, ArcLite에서 81.26%를 Orbit-7B가 기록했습니다.", []),
        ("Orbit-7B scores 81.3% and 64.0% on ArcLite and MathQuest, respectively.", []),
        ("Orbit-7B는 Nimbus-3o보다 빠른 120ms에 응답합니다.", []),
        ("정확도는 최대 13.8포인트, 평균 4.2포인트 오릅니다.", []),
        ("5-shot 프롬프트에서는 55.7%를 풉니다.", []),
        ("5,560개의 문제가 36개 도메인에 걸쳐 있습니다.", []),
        # a true number attached to the wrong thing
        ("Orbit-7B는 ArcLite에서 64.0%, MathQuest에서 81.26%를 기록했습니다.", ["64.0%", "81.26%"]),
        ("MathQuest에서 81.3%를 기록했습니다.", ["81.3%"]),
        ("Nimbus-3o는 120ms 만에 응답합니다.", ["120ms"]),
        ("정확도는 평균 13.8포인트 오릅니다.", ["13.8포인트"]),
        ("제로샷에서 55.7%를 풉니다.", ["55.7%"]),
    ],
)
def test_a_number_is_supported_only_with_its_benchmark_baseline_qualifier_condition_and_metric(summary, bad) -> None:
    assert unsupported(summary, PAPER) == sorted(bad)


@pytest.mark.parametrize(
    ("summary", "unsure"),
    [
        ("디코딩은 2.4배 빠르고 메모리는 3.1배 적게 씁니다.", ["2.4배", "3.1배"]),
        ("학습 시간은 15% 줄었습니다.", ["15%"]),
        ("36개의 문제가 5,560개 도메인에 걸쳐 있습니다.", ["36개", "5,560개"]),
    ],
)
def test_what_a_number_measures_or_counts_in_prose_is_undecided_not_flagged(summary, unsure) -> None:
    """Read from a prose sentence, a metric or a counted noun that differs is left to the judge: on the blind
    tuning set (bench/data/grounding_blind) most such conflicts were the reader's, not the summary's."""
    claims = [c for c in verify_text(summary, PAPER) if c.kind == "number"]
    assert unsupported(summary, PAPER) == []
    assert sorted(c.text for c in claims if c.undecided) == sorted(unsure)
    assert all(c.reason.startswith("the paper states it for") for c in claims if c.undecided)


def test_a_table_row_relates_its_label_and_column_header() -> None:
    paper = doc(
        ("results", "4 Results", "Orbit-7B is compared with Nimbus-3o."),
        ("table", "Table 2: Accuracy (%) and latency.",
         "Model | ArcLite | MathQuest | Latency (ms)\nOrbit-7B | 81.26 | 64.0 | 120\nNimbus-3o | 70.1 | 52.3 | 340"),
    )
    assert unsupported("Nimbus-3o는 ArcLite에서 70.1%, 지연은 340ms입니다.", paper) == []
    assert unsupported("Orbit-7B는 MathQuest에서 70.1%입니다.", paper) == ["70.1%"]  # another row
    assert unsupported("Nimbus-3o는 ArcLite에서 52.3%입니다.", paper) == ["52.3%"]  # another column
    assert unsupported("Nimbus-3o는 70.1배 빠릅니다.", paper) == ["70.1배"]  # the caption says %
    (claim,) = [c for c in verify_text("Nimbus-3o의 지연은 340ms입니다.", paper) if c.kind == "number"]
    caption = "Table 2: Accuracy (%) and latency."
    assert (claim.evidence_kind, claim.evidence_section, claim.evidence_page) == ("row", caption, 2)
    assert claim.evidence and "Latency (ms)" in claim.evidence and "340" in claim.evidence


def test_a_claim_carries_its_relation_and_the_evidence_against_it() -> None:
    (claim,) = [c for c in verify_text("MathQuest에서 81.3%를 기록했습니다.", PAPER) if c.kind == "number"]
    assert claim.status == "unsupported" and not claim.undecided
    assert claim.entity == ("MathQuest",) and claim.unit == "percent"
    assert "ArcLite" in claim.reason and "81.26%" in (claim.evidence or "")
    assert claim.evidence_section == "4 Experiments" and claim.evidence_kind == "sentence"
    assert claim.feedback == f"81.3% ({claim.reason})"  # what a regeneration is told
    (up_to,) = [c for c in verify_text("정확도는 최대 13.8포인트 오릅니다.", PAPER) if c.kind == "number"]
    assert (up_to.status, up_to.qualifier) == ("supported", "max")
    assert "metric:quality" in up_to.context


def test_a_sentence_quoted_from_a_table_or_the_text_verifies_clean() -> None:
    for sentence in RESULTS.split(". "):
        assert unsupported(sentence, PAPER) == [], sentence


def test_latin_words_in_the_korean_word_lists_match_whole_words_only() -> None:
    from dailypapers.verify import lexicon

    assert lexicon.concepts_in("an uneasy balance") == []  # "easy" was found inside it (a difficulty)
    assert lexicon.concepts_in("the easy split") == [(4, ("difficulty", "easy"))]
    assert lexicon.counted_noun("8개", "의 GPU로", "") == "devices" and lexicon.counted_noun("8개", "의 GPUs", "")
    assert lexicon.counted_noun("8개", "의 GPUx 보드", "") is None


def test_a_section_heading_is_shown_as_cleaned() -> None:
    paper = doc(("results", "４ Ｒｅｓｕｌｔｓ\u200b", "Orbit-7B reaches 81.3% on ArcLite."))
    (claim,) = [c for c in verify_text("Orbit-7B는 ArcLite에서 81.3%를 기록했습니다.", paper) if c.kind == "number"]
    assert claim.status == "supported" and claim.evidence_section == "4 Results"


def test_a_sentence_is_parsed_without_copying_the_paper() -> None:
    # the words inside names are masked for context ("Token Sieve" says nothing about tokens): only the sentence
    # is copied, not the whole text around it (a 3 MB paper cost 0.5 ms per parsed sentence)
    from dailypapers.verify.relations import _mask, parse

    sentence = "Token Sieve cuts latency by 2.4x on ArcLite."
    text = "x. " * 50_000 + sentence + " y." * 50_000
    start = 150_000
    assert _mask(text, start, start + len(sentence), [(start, start + 11, "tokensieve")]) == " " * 11 + sentence[11:]
    parsed = parse(text, start, start + len(sentence))
    (anchor,) = parsed.anchors
    assert text[anchor.start : anchor.end] == "2.4x" and ("metric", "tokens") not in anchor.context
    assert ("metric", "time") in anchor.context


def test_claims_stored_before_the_new_fields_still_load(tmp_path) -> None:
    from dailypapers.models import Paper

    store = Store(tmp_path / "db.sqlite")
    store.upsert_paper(Paper(id="2601.00042", title="Orbit"))
    summary = Summary(paper_id="2601.00042", sections=(Section(label="What's New", text="Orbit-7B"),))
    store.save_summary(summary, "k1")
    old = [{"text": "71.3", "kind": "number", "status": "unsupported", "section_label": "What's New",
            "evidence": None, "evidence_section": None, "evidence_page": None}]
    store.db.execute("update summaries set claims = ? where key = ?", [json.dumps(old), "k1"])
    loaded = store.get_summary("k1")
    assert loaded is not None
    assert loaded.claims == (Claim(text="71.3", kind="number", status="unsupported", section_label="What's New"),)
    assert loaded.claims[0].decided_by == "checker" and loaded.claims[0].entity == ()


# ---- hostile inputs ---------------------------------------------------------------------------------


@pytest.mark.slow  # megabytes: seconds of CPU
def test_a_huge_unpunctuated_source_and_summary_finish() -> None:
    # 5 MB of paper text with every stop removed (one "sentence"), then a dense run of numbers and names
    from tests.papergen import make_paper

    text = make_paper(pages=20, seed=5).text().replace(". ", " ").replace(".\n", "\n")
    dense = "Orbit-7B reaches 81.26 on ArcLite and 64.0 on MathQuest while Nimbus-3o needs 340 ms and " * 2_000
    source = dense + (text * (5_000_000 // len(text) + 1))[: 5_000_000 - len(dense)]
    summary = "Orbit-7B는 ArcLite에서 81.3%, MathQuest에서 64%를 기록했으며 Nimbus-3o는 340ms가 걸리고 " * 2_000
    assert len(source) == 5_000_000 and len(summary) > 100_000
    claims = bounded(lambda: verify_text(summary, source), 20)  # ~1.5 s here
    assert {c.text for c in claims} == {"Orbit-7B", "81.3%", "64%", "ArcLite", "MathQuest", "Nimbus-3o", "340ms"}
    assert all(c.status == "supported" for c in claims), [c for c in claims if c.status != "supported"][:3]


@pytest.mark.slow  # megabytes: seconds of CPU
def test_a_huge_table_row_is_cut_into_pieces_that_keep_their_columns_and_label() -> None:
    # two rows of 30,000 cells each (~400 KB): a row is cut like a long sentence, each number still finds its
    # column (by bisection, not by counting separators from the row's start) and the row's label
    columns = 30_000
    header = "Model | " + " | ".join(f"B{i}" for i in range(columns))
    orbit = "Orbit-7B | " + " | ".join(f"{i / 100:.2f}" for i in range(columns))
    nimbus = "Nimbus-3o | " + " | ".join(f"{1000 + i / 100:.2f}" for i in range(columns))
    paper = doc(("table", "Table 1: Accuracy (%) on every suite.", f"{header}\n{orbit}\n{nimbus}"))
    summaries = {
        "Orbit-7B는 B20000에서 200.00%를 기록했습니다.": "supported",  # its column, its row
        "Orbit-7B는 B20001에서 200.00%를 기록했습니다.": "unsupported",  # the column next to it
        "Nimbus-3o는 B29999에서 1299.99%를 기록했습니다.": "supported",  # the last cell of the last row
        "Nimbus-3o는 B29999에서 299.99%를 기록했습니다.": "unsupported",  # Orbit-7B's row
    }

    def check() -> dict[str, str]:
        index = build_index(paper)
        return {s: next(c.status for c in verify_text(s, index) if c.kind == "number") for s in summaries}

    # before: 20 s (build_index 2 s, then separators counted from the row's start for every number); now ~2 s
    assert bounded(check, 15) == summaries


def test_evidence_and_reasons_from_a_huge_table_stay_short() -> None:
    # a 45 KB header row and a row of 600 text cells: before, the evidence held the whole header and the reason
    # every text cell of the row
    header = "Model | " + " | ".join(f"Suite{i}" for i in range(5_000))
    row = "Nimbus-3o | " + " | ".join(f"note{i}" for i in range(600)) + " | 81.3"
    paper = doc(("table", "Table 1: Accuracy (%).", f"{header}\n{row}"))
    (claim,) = [c for c in verify_text("Orbit-7B는 Suite601에서 81.3%를 기록했습니다.", paper) if c.kind == "number"]
    assert claim.status == "unsupported" and claim.reason.startswith("the paper states it for Nimbus-3o, note0")
    assert len(claim.reason) < 200  # the names in it clipped to 120 characters
    assert claim.evidence and len(claim.evidence) <= 160 + 2 and "81.3" in claim.evidence
    assert claim.evidence.startswith("Model | Suite0 | Suite1") and " ⏎ " in claim.evidence


def test_verify_reads_a_summary_against_a_document_with_tables() -> None:
    # (it used PAPER, which has no table) the prose, and a table whose numbers only it states
    tabled = doc(
        ("results", "4 Experiments", RESULTS),
        ("table", "Table 3: Accuracy (%) on held-out suites.", "Model | DeltaQA | OmegaMath\nOrbit-7B | 77.4 | 58.9"),
    )
    summary = Summary(
        paper_id="2601.00042",
        sections=(
            Section(label="Performance Highlights", text="Orbit-7B는 ArcLite에서 81.3%를 기록했습니다."),
            Section(label="Details", text=(
                "DeltaQA에서 77.4%, OmegaMath에서 58.9%입니다. OmegaMath에서 77.4%는 아닙니다."
            )),
        ),
    )
    claims = verify(summary, tabled)
    assert [c.status for c in claims if c.section_label == "Performance Highlights"] == ["supported"] * 3
    assert all(c.sentence for c in claims)
    table = {c.text: c for c in claims if c.section_label == "Details" and c.kind == "number"}
    assert table["58.9%"].status == "supported" and table["58.9%"].evidence_kind == "row"
    assert table["58.9%"].evidence_section == "Table 3: Accuracy (%) on held-out suites."
    assert table["77.4%"].status == "unsupported"  # stated under DeltaQA, written again for OmegaMath


def test_a_claim_as_the_site_shows_it_carries_its_evidence_and_reason() -> None:
    from dailypapers.models import Section, Summary
    from dailypapers.publish.views import summary_view

    texts = ("ArcLite에서 최대 81.3%를 기록했습니다.", "MathQuest에서 81.3%를 기록했습니다.")
    summary = Summary(paper_id="x", sections=tuple(Section(label=f"L{i}", text=t) for i, t in enumerate(texts)))
    checked = summary.model_copy(update={"claims": tuple(verify(summary, PAPER))})
    numbers = [c for c in summary_view(checked, "p").claims if c.kind == "number"]
    supported, wrong = numbers
    assert supported.supported and "81.26%" in (supported.evidence or "") and supported.where == "4 Experiments, p. 1"
    assert [c.where for c in numbers] == ["4 Experiments, p. 1", "4 Experiments, p. 1"]
    assert not wrong.supported and wrong.reason  # what the paper says instead, and where
    assert wrong.evidence and "ArcLite" in wrong.evidence
