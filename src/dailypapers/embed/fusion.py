"""Reciprocal rank fusion (Cormack et al., 2009): each ranking gives an item 1 / (k + rank); ranks, not
scores, are added, so bm25 and cosine need no common scale."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

RRF_K = 60  # the paper's constant: a first place counts about twice a thirtieth, not a hundred times

H = TypeVar("H", bound=Hashable)


def reciprocal_rank_fusion(rankings: Sequence[Sequence[H]], *, k: int = RRF_K) -> list[tuple[H, float]]:
    """The items of all rankings with their fused scores, best first; ties keep the order in which items were
    first seen."""
    scores: dict[H, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(dict.fromkeys(ranking), 1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    order = {item: i for i, item in enumerate(scores)}
    return sorted(scores.items(), key=lambda pair: (-pair[1], order[pair[0]]))
