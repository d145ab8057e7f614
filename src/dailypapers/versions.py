"""What changed in a summary between two versions of a paper: the numbers whose values changed, appeared or
vanished. Pure: no I/O.

Each number claim of a summary (checked by `verify`, so it carries its relation) is matched by that relation:
the names it is stated for (`entity`), its qualifier (max, avg, over, under), its unit class and what it
measures (the "metric:" part of its context). Under one relation, values both summaries state are unchanged;
what is left is paired in order as a changed value, and the rest appeared or vanished. Values are compared as
the checker reads them (`verify.extract_claims`: "71.2 %" is 71.2%), not as strings.

Two summaries of one paper may quote different numbers even where the paper did not change (an LLM picks
others). Given the two versions' texts (indexed, `verify.build_index`), a change is kept only when the paper
changed: a number that left the summary but the new text still states (its sentence checked against the new
text, as the checker checks a summary) did not vanish, one that entered it but the old text already stated
did not appear, and a changed pair whose old value the new text states and whose new value the old text
states is a different choice of numbers, not a change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dailypapers.models import ChangeKind, Claim, ClaimChange, Summary
from dailypapers.verify import SourceIndex, extract_claims, verify_text
from dailypapers.verify.claims import name_key
from dailypapers.verify.lexicon import concepts_in

MAX_CHANGES = 20  # per paper and language: a rewritten paper is "many numbers changed", not a list of 200
_WORD_AT = re.compile(r"[\w@.-]+")

Relation = tuple[tuple[str, ...], str | None, str | None, tuple[str, ...]]


@dataclass(frozen=True)
class _Number:
    relation: Relation
    value: tuple[float, ...] | str  # as the checker reads it; the text when it reads no value
    claim: Claim


def stated(claim: Claim, index: SourceIndex | None) -> bool:
    """Whether the text of `index` states the claim: its summary sentence, checked against that text, has the
    same number supported. False without a text (nothing can be said: the change is kept)."""
    if index is None or not claim.sentence:
        return False
    again = verify_text(claim.sentence, index, section_label=claim.section_label)
    return any(c.kind == "number" and c.text == claim.text and c.status == "supported" for c in again)


def _value(claim: Claim) -> tuple[float, ...] | str:
    found = [c for c in extract_claims(claim.text) if c.kind == "number"]
    if len(found) == 1 and found[0].values:
        return tuple(round(v, 9) for v in found[0].values)
    return " ".join(claim.text.split())


def relation(claim: Claim) -> Relation:
    """What a number is stated for: its names (normalised), qualifier, unit class and metric."""
    metric = tuple(sorted(c for c in claim.context if c.startswith("metric:")))
    return (tuple(sorted({name_key(e) for e in claim.entity})), claim.qualifier, claim.unit, metric)


def _numbers(summary: Summary | None) -> list[_Number]:
    out: list[_Number] = []
    seen: set[tuple[Relation, tuple[float, ...] | str]] = set()
    for claim in summary.claims if summary is not None else ():
        if claim.kind != "number":
            continue
        n = _Number(relation(claim), _value(claim), claim)
        if (n.relation, n.value) not in seen:  # a number said twice (a section and the TL;DR) is one
            seen.add((n.relation, n.value))
            out.append(n)
    return out


def label(claim: Claim) -> str:
    """How a reader names the number: the metric word written nearest to it in its sentence ("accuracy"),
    else the names it is stated for, else its unit class."""
    sentence = claim.sentence
    at = sentence.find(claim.text)
    metrics = {c.partition(":")[2] for c in claim.context if c.startswith("metric:")}
    if at >= 0 and metrics:
        near = [(abs(pos - at), pos) for pos, (dim, name) in concepts_in(sentence)
                if dim == "metric" and name in metrics]
        if near:
            m = _WORD_AT.match(sentence, min(near)[1])
            if m:
                return m.group(0).rstrip(".")
    if claim.entity:
        return ", ".join(claim.entity)
    return claim.unit or ""


def _change(kind: ChangeKind, before: _Number | None, after: _Number | None) -> ClaimChange:
    shown = after or before
    assert shown is not None
    claim = shown.claim
    return ClaimChange(kind=kind, label=label(claim), entity=claim.entity, qualifier=claim.qualifier,
                       unit=claim.unit, before=before.claim.text if before else None,
                       after=after.claim.text if after else None)


def claim_changes(old: Summary | None, new: Summary | None, *, old_text: SourceIndex | None = None,
                  new_text: SourceIndex | None = None, limit: int = MAX_CHANGES) -> tuple[ClaimChange, ...]:
    """The numbers that changed, appeared or vanished from `old` to `new`, in the order the new summary (then
    the old) states them; at most `limit`. With the versions' texts (`old_text`, `new_text`), only what the
    paper changed (see above)."""
    before, after = _numbers(old), _numbers(new)
    relations: list[Relation] = list(dict.fromkeys([n.relation for n in after] + [n.relation for n in before]))
    out: list[ClaimChange] = []
    for rel in relations:
        olds = [n for n in before if n.relation == rel]
        news = [n for n in after if n.relation == rel]
        kept = {n.value for n in olds} & {n.value for n in news}
        olds = [n for n in olds if n.value not in kept]
        news = [n for n in news if n.value not in kept]
        for o, n in zip(olds, news, strict=False):
            if not (stated(o.claim, new_text) and stated(n.claim, old_text)):
                out.append(_change("changed", o, n))
        out.extend(_change("appeared", None, n) for n in news[len(olds):] if not stated(n.claim, old_text))
        out.extend(_change("vanished", o, None) for o in olds[len(news):] if not stated(o.claim, new_text))
    return tuple(out[:limit])

