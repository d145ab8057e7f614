"""The cache key: stable, and different whenever any of its components differs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dailypapers.models import DEFAULT_LABELS, Paper
from dailypapers.summarize import ExtractiveSummarizer, LLMSummarizer, cache_key

PAPER = Paper(id="2501.01234", version=2, title="A Made-Up Paper")
TEXT = "We introduce a made-up method. It reaches 71.5% on a made-up benchmark."


@dataclass
class Fake:
    name: str = "gpt-4o-mini"
    prompt_version: str = "p1"

    async def summarize(self, *a: object, **k: object) -> object:  # never called
        raise AssertionError


def test_stable_hex() -> None:
    key = cache_key(PAPER, TEXT, Fake(), "ko", DEFAULT_LABELS)
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert key == cache_key(PAPER.model_copy(), str(TEXT), Fake(), "ko", list(DEFAULT_LABELS))
    # pinned: a key that drifted between releases would redo every cached summary
    assert key == "4a6a5961a1e920d721c1cb3e21d2f3d79907addc37f377f5630976b4da4a02d8"
    # the title is not part of the key, and the language code is normalised
    other = Paper(id="2501.01234", version=2, title="Another title")
    assert key == cache_key(other, TEXT, Fake(), "KO ", DEFAULT_LABELS)


def test_each_component_changes_the_key() -> None:
    base = cache_key(PAPER, TEXT, Fake(), "ko", DEFAULT_LABELS)
    variants = [
        cache_key(PAPER.model_copy(update={"id": "2501.01235"}), TEXT, Fake(), "ko", DEFAULT_LABELS),
        cache_key(PAPER.model_copy(update={"version": 3}), TEXT, Fake(), "ko", DEFAULT_LABELS),
        cache_key(PAPER.model_copy(update={"version": None}), TEXT, Fake(), "ko", DEFAULT_LABELS),
        cache_key(PAPER, TEXT + " More.", Fake(), "ko", DEFAULT_LABELS),
        cache_key(PAPER, TEXT, Fake(name="gpt-4o"), "ko", DEFAULT_LABELS),
        cache_key(PAPER, TEXT, Fake(prompt_version="p2"), "ko", DEFAULT_LABELS),
        cache_key(PAPER, TEXT, Fake(), "en", DEFAULT_LABELS),
        cache_key(PAPER, TEXT, Fake(), "ko", DEFAULT_LABELS[:2]),
        cache_key(PAPER, TEXT, Fake(), "ko", tuple(reversed(DEFAULT_LABELS))),
    ]
    assert base not in variants and len(set(variants)) == len(variants)


def test_real_summarizers_have_distinct_keys() -> None:
    llm = LLMSummarizer(model="extractive-lookalike", base_url="http://127.0.0.1:9/v1")
    keys = {cache_key(PAPER, TEXT, s, "ko", DEFAULT_LABELS) for s in (ExtractiveSummarizer(), llm)}
    assert len(keys) == 2
    assert ExtractiveSummarizer().prompt_version == "extractive-3" and llm.prompt_version == "p1"
