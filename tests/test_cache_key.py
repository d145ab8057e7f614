"""The cache key: stable across machines, and different whenever any of its components differs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dailypapers.documents import content_hash, from_text
from dailypapers.models import DEFAULT_LABELS, Paper
from dailypapers.summarize.extractive import ExtractiveSummarizer
from dailypapers.summarize.llm import LLMSummarizer
from dailypapers.work import WorkSpec, cache_key, legacy_cache_key

PAPER = Paper(id="2501.01234", version=2, title="A Made-Up Paper")
DOC = from_text("1 Introduction\nWe introduce a made-up method. It reaches 71.5% on a made-up benchmark.", PAPER.id)
SPEC = WorkSpec(lang="ko", labels=DEFAULT_LABELS, max_input_tokens=3000)


@dataclass
class Fake:
    name: str = "gpt-4o-mini"
    prompt_version: str = "p1"

    async def summarize(self, *a: object, **k: object) -> object:  # never called
        raise AssertionError


def key(paper: Paper = PAPER, doc=DOC, spec: WorkSpec = SPEC, summarizer: object = None) -> str:
    return cache_key(paper, doc, spec, summarizer or Fake())  # type: ignore[arg-type]


def test_stable_hex() -> None:
    k = key()
    assert re.fullmatch(r"[0-9a-f]{64}", k)
    assert k == key(PAPER.model_copy(), DOC.model_copy(), WorkSpec("ko", tuple(DEFAULT_LABELS), 3000))
    # pinned: a key that drifted between releases or machines would redo every cached summary, at cost
    assert k == PINNED
    # the key summaries had while the grounding version (g4) was part of it: they are still found
    assert legacy_cache_key(PAPER, content_hash(DOC), SPEC, Fake()) == PINNED_G4  # type: ignore[arg-type]
    # the title is not part of the key, and the language code is normalised
    renamed = Paper(id="2501.01234", version=2, title="Another title")
    assert k == key(renamed, spec=WorkSpec("KO ", DEFAULT_LABELS, 3000))


PINNED = "bded05176d2c8e7564b0628fa6d755ffe3e6c7eacc373adc47e97844be93f42e"
PINNED_G4 = "8eded314653624324c68a16b7410c3d544340de63c94d69635af6348e2b17d0e"  # the key of releases up to g4


def test_each_component_changes_the_key() -> None:
    variants = [
        key(PAPER.model_copy(update={"id": "2501.01235"})),
        key(PAPER.model_copy(update={"version": 3})),
        key(PAPER.model_copy(update={"version": None})),
        key(doc=from_text(DOC.text + " More.", PAPER.id)),
        key(doc=DOC.model_copy(update={"origin": "pdf"})),
        key(summarizer=Fake(name="gpt-4o")),
        key(summarizer=Fake(prompt_version="p2")),
        key(spec=WorkSpec("en", DEFAULT_LABELS, 3000)),
        key(spec=WorkSpec("ko", DEFAULT_LABELS[:2], 3000)),
        key(spec=WorkSpec("ko", tuple(reversed(DEFAULT_LABELS)), 3000)),
        key(spec=WorkSpec("ko", DEFAULT_LABELS, 2000)),  # a different budget sends different text
    ]
    assert key() not in variants and len(set(variants)) == len(variants)


def test_a_new_checker_keeps_the_key(monkeypatch) -> None:
    """A new way of checking re-checks stored summaries (`pipeline`): it must not make them new cache misses."""
    import dailypapers.work as work

    before = key()
    monkeypatch.setattr(work, "GROUNDING_VERSION", work.GROUNDING_VERSION + "-next")
    assert key() == before


def test_real_summarizers_have_distinct_keys() -> None:
    llm = LLMSummarizer(model="extractive-lookalike", base_url="http://127.0.0.1:9/v1")
    assert len({key(summarizer=s) for s in (ExtractiveSummarizer(), llm)}) == 2
    assert ExtractiveSummarizer().prompt_version == "extractive-5" and llm.prompt_version == "p2"
