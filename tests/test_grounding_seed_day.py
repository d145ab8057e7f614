"""The sample's real day (the 23 GPT-4o summaries of ../shared/seed, as the blind set holds them) against paper
texts written for it blind (bench/data/grounding_blind/seed_day): the Voila entry's leaked prompt example
(108개; HumanEval-V) is flagged, and no other claim of the day is."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.blind import load_grounding
from bench.verify import paper_document

from dailypapers.verify import build_index, verify_text

SEED_DAY = Path(__file__).resolve().parents[1] / "bench" / "data" / "grounding_blind" / "seed_day"


@pytest.mark.slow  # 23 papers indexed
def test_the_sample_day_flags_the_voila_leak_and_nothing_else() -> None:
    data = load_grounding(SEED_DAY)
    flags: dict[str, list[str]] = {}
    for case in data.cases:
        index = build_index(paper_document(case.paper, data.papers[case.paper]))
        found = [c.text for label, text in case.sections.items() for c in verify_text(text, index, section_label=label)
                 if c.status == "unsupported" and not c.undecided]
        if found:
            flags[case.id] = found
    assert len(data.cases) == 23
    leaked = {case.id: case.errors for case in data.cases if case.errors}
    assert leaked == {"seed01": ("108개", "HumanEval-V")}
    assert {k: sorted(v) for k, v in flags.items()} == {"seed01": ["108개", "HumanEval-V"]}
