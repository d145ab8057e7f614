"""The shared text rules: whitespace, cleaning, terminal safety, and the one sentence splitter."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dailypapers.text import CJK, clean, clip, one_line, sentence_spans, sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We train it. It works.", ["We train it.", "It works."]),
        ("As shown by Smith et al. (2024), it works. Next.", ["As shown by Smith et al. (2024), it works.", "Next."]),
        ("See Fig. 3 and Eq. 2 for details. Then more.", ["See Fig. 3 and Eq. 2 for details.", "Then more."]),
        ("Models, e.g. GPT-4o, i.e. large ones, vs. small ones. Done.",
         ["Models, e.g. GPT-4o, i.e. large ones, vs. small ones.", "Done."]),
        ("J. Smith and A. B. Jones wrote it. It is good.", ["J. Smith and A. B. Jones wrote it.", "It is good."]),
        ("It improves by 3.5%. The rest is 12.1 points.", ["It improves by 3.5%.", "The rest is 12.1 points."]),
        ('He said "it works." Then left.', ['He said "it works."', "Then left."]),
        ("Scores rise (see Table 2). 2024 was good.", ["Scores rise (see Table 2).", "2024 was good."]),
        ("모델을 제안합니다. 성능이 향상되었습니다.", ["모델을 제안합니다.", "성능이 향상되었습니다."]),
        ("我们提出模型。效果很好。", ["我们提出模型。", "效果很好。"]),
        ("first paragraph ends\n\nsecond one starts", ["first paragraph ends", "second one starts"]),
        ("wrapped\nline stays one sentence.", ["wrapped line stays one sentence."]),
        ("a lowercase start. does not split", ["a lowercase start. does not split"]),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@given(st.text(max_size=300))
def test_sentences_keep_every_word(text: str) -> None:
    """Splitting never drops or invents words: the sentences hold the text's words, in order."""
    assert " ".join(sentences(text)).split() == one_line(text).split()


def test_sentence_spans_are_offsets_into_the_text() -> None:
    text = "  We train it.\nIt works\nacross lines. See Fig. 2 (Smith et al.).\n\nA new paragraph"
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == [
        "We train it.", "It works\nacross lines.", "See Fig. 2 (Smith et al.).", "A new paragraph"
    ]
    # a part of a text: offsets stay the text's
    assert sentence_spans(text, 15, 50) == [(15, 37), (38, 50)]
    assert text[38:50] == "See Fig. 2 ("


@given(st.text(alphabet=st.sampled_from(list("aB1 .!?。\n\")(e.gJ,%")), max_size=300))
def test_sentence_spans_are_ordered_trimmed_and_make_the_sentences(text: str) -> None:
    spans = sentence_spans(text)
    assert all(s < e for s, e in spans)
    assert all(e1 <= s2 for (_, e1), (s2, _) in pairwise(spans))
    assert all(not text[s].isspace() and not text[e - 1].isspace() for s, e in spans)
    assert [one_line(text[s:e]) for s, e in spans] == sentences(text)


def test_one_line_clip_clean_and_cjk() -> None:
    assert one_line("  a\n\tb  c ") == "a b c"
    assert clip("abcdef", 4) == "abc…" and clip("abc", 4) == "abc"
    assert clean("ｆｕｌｌ１\u200bwidth\x07!") == "full1width !"
    assert clean("bad\ufffeX\uffff") == "bad X "  # noncharacters PDF extraction leaves in
    assert CJK.findall("Voila는 中文 かな") == ["는", "中", "文", "か", "な"]
