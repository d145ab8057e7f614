"""The generated labelled set (tests/grounding_cases.py) through the checker: its composition, and the
figures the issue asks for (relational-error recall, precision on benign rewrites, one-claim mutation
recall). bench/verify.py prints the same figures with their timings."""

from __future__ import annotations

from collections import Counter
from functools import cache

import pytest

from dailypapers.verify import build_index, extract_claims, verify_text
from dailypapers.verify.index import SourceIndex
from tests.grounding_cases import Case, cases, score, world


@cache
def _index(seed: int) -> SourceIndex:
    doc = world(seed).document
    assert doc is not None
    return build_index(doc)


def flagged(case: Case) -> set[str]:
    return {c.text for c in verify_text(case.summary, _index(case.world)) if c.status == "unsupported"}


def test_the_set_has_the_size_and_kinds_the_issue_asks_for() -> None:
    all_cases = cases()
    kinds = Counter(c.kind for c in all_cases)
    families = Counter(c.family for c in all_cases)
    relational = {k for k in kinds if k.startswith("relational:")}
    benign = {k.split(":", 1)[1] for k in kinds if k.startswith("benign:")}
    assert len(all_cases) >= 150
    assert len(relational) >= 8
    assert {"hedge", "unit_spelling", "korean_number_words", "reordered"} <= benign
    assert families["benign"] >= 100 and families["relational"] >= 100 and families["mutation"] >= 50
    assert len({c.summary for c in all_cases}) == len(all_cases)  # no duplicates


@pytest.mark.parametrize("case", [c for c in cases() if c.expected], ids=lambda c: c.id)
def test_every_labelled_claim_is_a_claim(case: Case) -> None:
    # a label the extractor cannot produce would make a miss look like a checker bug (or hide one)
    texts = {c.text for c in extract_claims(case.summary)}
    assert case.expected <= texts, (case.summary, texts)


def test_relational_errors_are_caught() -> None:
    result = score([c for c in cases() if c.family == "relational"], flagged)
    print(f"\nrelational: recall {result.recall:.3f} ({result.tp}/{result.tp + result.fn}), "
          f"cases caught {result.cases_caught}/{result.cases_with_errors}")
    for miss in result.misses:
        print("  ", miss)
    assert result.recall >= 0.8


def test_benign_rewrites_stay_supported() -> None:
    benign = [c for c in cases() if c.family == "benign"]
    result = score(benign, flagged)
    claims = sum(len(verify_text(c.summary, _index(c.world))) for c in benign)
    precision = 1 - result.fp / claims
    print(f"\nbenign: {result.clean_cases}/{len(benign)} cases clean, {result.fp} false flags in {claims} claims")
    for miss in result.misses:
        print("  ", miss)
    assert precision >= 0.98


def test_one_claim_mutations_are_caught() -> None:
    result = score([c for c in cases() if c.family == "mutation"], flagged)
    print(f"\nmutations: recall {result.recall:.3f} ({result.tp}/{result.tp + result.fn}), fp {result.fp}")
    for miss in result.misses:
        print("  ", miss)
    assert result.recall >= 0.97
