"""Support: one summary text's claims checked against a source index. Pure.

A name is supported when the paper writes it (whole words, exact version). A number is a relational claim:
(entity, qualifier, value, unit, context), read from its clause in the summary sentence. It is supported
when some paper sentence, table row or caption states the value (in a class the claim accepts, after
rounding) where

- its qualifier agrees (`최대`/up to is not `평균`/average; over is not under),
- its context agrees (a number about tokens is not one about training time; zero-shot is not few-shot;
  "5,560 problems" is not "5,560 domains"),
- every name the summary attaches to it is written there and attached to that value too (not to the
  paper's other benchmark, not as the baseline), a name of the paper's own system may be left implicit,
  and a name missing from the unit may stand in its context (the sentence before it, the section heading,
  the table's caption and header).

When the value is in the paper but only where a name is missing and nothing contradicts it, the checker
cannot decide: the claim is unsupported and `undecided` (an LLM judge may decide it). When the paper
states the value for something else, the claim is unsupported with the `reason` and that evidence.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from dataclasses import dataclass
from typing import Literal

from dailypapers.models import Claim, Qualifier
from dailypapers.text import clean, clip, one_line
from dailypapers.verify import lexicon
from dailypapers.verify.claims import ExtractedClaim, extract_cleaned, name_key
from dailypapers.verify.evidence import RowParsed
from dailypapers.verify.index import SourceIndex, counted, tolerance
from dailypapers.verify.relations import Anchor, Mention, Parsed, bounded_sentences, parse

MAX_SUMMARY_CHARS = 200_000  # a summary section longer than this is hostile or broken: check its start only
MAX_SENTENCE_CHARS = 300  # the summary sentence a claim keeps, for the judge and for readers
MAX_OTHERS_CHARS = 120  # the names a reason says the paper states a value for instead
# Capitalised words that name a kind of thing, not a specific artefact: a number about "the Transformer"
# need not sit next to that word in the paper.
_GENERIC_ENTITY_WORDS = "transformer transformers adam sgd softmax relu gaussian bayesian markov euclidean lora moe"
_GENERIC_ENTITIES = frozenset(_GENERIC_ENTITY_WORDS.split())

Verdict = Literal["pass", "undecided", "fail"]
# Contexts that a sentence states plainly enough to contradict in prose: zero-shot is not 5-shot, Korean is not
# Japanese. What a number measures ("metric") or counts ("noun") is read too loosely from real summaries to
# contradict them there.
_FIRM_DIMENSIONS = frozenset({"shot", "language"})


@dataclass(frozen=True)
class _Relation:
    """What the summary says about one number: its names (with roles), qualifier and context."""

    names: tuple[Mention, ...]
    written: tuple[str, ...]
    qualifier: Qualifier | None
    context: frozenset[lexicon.Concept]
    sentence: str
    # "X는 A와 B에서 81.3%와 64.0%를" (no 각각): which name goes with which number is not said, so one of them
    # attached to the value is enough
    loose: bool = False
    # the number is a change or an end of one ("24.2% 향상", "by 3.4 points", "75.0에서 85.0으로"), not a level
    change: bool = False


# A sentence that compares with something: it may name whose value a change starts from.
_COMPARES = re.compile(r"\b(?:than|over|versus|vs\.?|against|compared|relative\s+to)\b|보다|대비|비해|비교",
                       re.IGNORECASE)
# A number written as a change, or as the start of one: a table cell holds a level, so it says nothing of these.
_CHANGE_AFTER = re.compile(
    r"\s?(?:의\s?)?(?:향상|개선|증가|감소|상승|하락|높|낮|줄|늘|빠|느|차이|격차|앞|뒤|에서\s|"
    r"(?:up|down|gain|improvement|increase|decrease|reduction|drop|boost|higher|lower|better|worse|faster|"
    r"slower|more|less|ahead|behind|above|below|over)\b|→|->)",
    re.IGNORECASE,
)
_CHANGE_BEFORE = re.compile(
    r"(?:\bby|\bfrom|\bof|\bgap|\bmargin|\+|→|->)\s*$|(?:향상|개선|증가|감소|차이|격차)[은는이가]?\s*$", re.IGNORECASE
)


@dataclass(frozen=True)
class _Outcome:
    verdict: Verdict
    occurrence: int
    reason: str = ""


def check_text(text: str, index: SourceIndex, *, section_label: str = "") -> list[Claim]:
    """Check one summary text's claims against the index; one Claim per distinct claim, in text order (a
    number written twice with different relations is reported once, unsupported if either is)."""
    text = clean(text)[:MAX_SUMMARY_CHARS]
    found = extract_cleaned(text)
    sentences = bounded_sentences(text, 0, len(text))
    claims: list[Claim] = []
    by_ident: dict[tuple[str, str], int] = {}
    si = 0
    parsed_cache: dict[int, Parsed] = {}
    # a claim written again with the same relation has the same answer: a long (or hostile) summary repeating
    # itself costs one check per distinct claim
    checked: dict[tuple[object, ...], Claim] = {}
    for claim in found:
        while si + 1 < len(sentences) and claim.start >= sentences[si][1]:
            si += 1
        ident = (claim.kind, claim.key if claim.kind == "name" else claim.text)
        if ident in by_ident and claims[by_ident[ident]].status == "unsupported":
            continue
        s, e = sentences[si] if sentences else (0, len(text))
        if claim.kind == "name":
            if ident in by_ident:
                continue
            result = _check_name(claim, index, section_label, text).model_copy(
                update={"sentence": clip(text[s:e], MAX_SENTENCE_CHARS)}
            )
        else:
            if si not in parsed_cache:
                parsed_cache[si] = parse(text, s, e)
            relation = _relation(text, parsed_cache[si], claim, index)
            names = tuple((m.key, m.baseline) for m in relation.names)
            signature = (claim.text, claim.hedged, claim.unit_class, names, relation.qualifier, relation.context,
                         relation.loose)
            if signature not in checked:
                checked[signature] = _check_number(claim, relation, index, section_label)
            result = checked[signature].model_copy(update={"sentence": relation.sentence})
        if ident in by_ident:
            if result.status == "unsupported":
                claims[by_ident[ident]] = result
            continue
        by_ident[ident] = len(claims)
        claims.append(result)
    claims.extend(_small_counts(text, sentences, index, section_label))
    return [
        c.model_copy(update={"sentence": group.sentence}) if not c.sentence else c
        for group in claims for c in _split_versioned(group, index, section_label)
    ]


# Settings a paper counts in small numbers: below 10 a count is no claim of its own (every text has some), but
# one the paper states otherwise for the same thing is a contradiction ("3 epochs" where it trains for 1 epoch).
_KOREAN_SETTINGS = {
    "에폭": "epoch", "라운드": "round", "층": "layer", "헤드": "head", "시드": "seed", "롤아웃": "rollout",
}
# `2라운드부터` (from the second round), `3번째 층`: an index of one, not how many there are
_KOREAN_COUNT = re.compile(
    rf"(?<![\d.,])([1-9])\s?({'|'.join(_KOREAN_SETTINGS)})(?!\s?(?:째|차|부터|까지|이후|이전|때))"
)


def _small_counts(text: str, sentences: list[tuple[int, int]], index: SourceIndex,
                  section_label: str) -> list[Claim]:
    """The small counts of settings (below 10) that the paper states with other values only: flagged as
    contradicted, one claim per count as written."""
    found = [(v, noun, s, e) for v, noun, s, e in counted(text) if 0 < v < 10]
    found += [(float(m.group(1)), _KOREAN_SETTINGS[m.group(2)], m.start(), m.end())
              for m in _KOREAN_COUNT.finditer(text)]
    out: dict[str, Claim] = {}
    for value, noun, start, end in sorted(found, key=lambda f: f[2]):
        stated = index.counts_of(noun)
        written = text[start:end]
        if written in out or not stated or any(v == value for v, _ in stated):
            continue
        v, pos = stated[0]
        snippet, heading, page, kind = index.evidence(index.unit_of(pos), pos)
        s, e = next(((s, e) for s, e in sentences if s <= start < e), (start, end))
        out[written] = Claim(
            text=written, kind="number", status="unsupported", section_label=section_label,
            reason=f"the paper states {_fmt(v)} {noun}{'s' if v != 1 else ''}",
            sentence=clip(text[s:e], MAX_SENTENCE_CHARS), evidence=snippet, evidence_section=heading,
            evidence_page=page, evidence_kind=kind,
        )
    return list(out.values())


# ----------------------------------------------------------------------------------------------------
# Names


def _check_name(claim: ExtractedClaim, index: SourceIndex, section_label: str, text: str = "") -> Claim:
    pos = index.find_name(claim.key)
    if pos is None:
        pos = _found_as_parts(claim.text, index)
    if pos is None:
        missing = Claim(text=claim.text, kind="name", status="unsupported", section_label=section_label)
        why, near = _unsure_name(claim, index, text)
        if not why:
            return missing
        if near is None:
            return missing.model_copy(update={"undecided": True, "reason": why})
        snippet, heading, page, kind = index.evidence(index.unit_of(near), near)
        return missing.model_copy(update={
            "undecided": True, "reason": why, "evidence": snippet, "evidence_section": heading,
            "evidence_page": page, "evidence_kind": kind,
        })
    snippet, heading, page, kind = index.evidence(index.unit_of(pos), pos)
    return Claim(
        text=claim.text, kind="name", status="supported", section_label=section_label, evidence=snippet,
        evidence_section=heading, evidence_page=page, evidence_kind=kind,
    )


def _unsure_name(claim: ExtractedClaim, index: SourceIndex, text: str) -> tuple[str, int | None]:
    """Why a name the paper does not write is no firm "not found" (for the judge, not a flag), and where the
    paper has its words: without a digit (a version, a size: where a wrong name shows) it is a gloss in brackets
    the summary adds to explain a term (`비전 트랜스포머(ViT)`, `Heun (improved Euler)`), or its words are all in
    one sentence of the paper, written apart (`OpenAI's Operator`, `SimplerEnv ... the Google Robot tasks`)."""
    if any(c.isdigit() for c in claim.text):
        return "", None
    near = index.unit_with_words(claim.text) if " " in claim.text else None
    if text and _bracketed_gloss(text, claim.start):
        return "a gloss the paper does not write", near
    return ("the paper writes its words apart", near) if near is not None else ("", None)


def _bracketed_gloss(text: str, start: int) -> bool:
    """Whether `start` is inside brackets that open right after a word and hold no number: an explanation of
    that word, not a list of systems with their scores."""
    open_at = text.rfind("(", max(0, start - 40), start)
    before = text[max(0, open_at - 8) : open_at].rstrip() if open_at > 0 else ""
    if not before or not before[-1].isalpha() or ")" in text[open_at:start]:
        return False
    close = text.find(")", start)
    inside = text[open_at + 1 : close if close >= 0 else start]
    return not any(c.isdigit() for c in inside) and "," not in inside


_LOWER_TAIL = re.compile(r"(?:-[a-z]{2,})+$")  # `GRPO-style`, `Gemma-based`, `English-to-target`
_SIZE = re.compile(r"\d+(?:\.\d+)?[BMK]")
_ACRONYM = re.compile(r"[A-Za-z]{2,6}")
_JOINED = re.compile(r"-(?:to|vs|and|or|in|on|for)-")


def _found_as_parts(name: str, index: SourceIndex) -> int | None:
    """Where the paper has a name the summary spells its own way: two names run together (`COCO-30K FID`,
    `ShelfScan-5K OrbitDet-2-L`) found one by one; a name with a lowercase word hyphenated to it (`GRPO-style`,
    `Gemma-based`) found as the name; a family's initials (`Stable Diffusion 3.5 Large` for "SD-v3.5-Large"); a
    size in brackets (`OpenVLA 7B` for "OpenVLA (7B)"); an acronym of
    words the paper spells out (`SfM`, "structure from motion"). A versioned name is never taken apart:
    `Llama 3 8B` is not found in "Llama 3 70B" and "Llama 2 8B"."""
    parts = name.split(" ")
    heads = [_LOWER_TAIL.sub("", p) for p in parts]
    if len(parts) == 1:
        head = heads[0]
        if head != name:
            return index.find_name(name_key(head)) if head[:1].isupper() or any(c.isdigit() for c in head) else None
        if _ACRONYM.fullmatch(name) and sum(c.isupper() for c in name) >= 2:
            # a letter a word (`SfM`, "structure from motion"), or a capital and its small letters one word's
            # start (`ViT`, "vision transformer")
            for pieces in (list(name), re.findall(r"[A-Z][a-z]*|[a-z]+", name)):
                words = r"[\s-]+".join(rf"{re.escape(c)}[a-z]*(?:'s)?" for c in pieces)
                m = re.search(rf"\b{words}\b", index.text, re.IGNORECASE)
                if m:
                    return m.start()
            return None
        joined = _JOINED.split(name)
        if len(joined) > 1 and all(j[:1].isupper() for j in joined):  # `SMILES-to-SMILES`, `Text-to-SQL`
            found = [index.find_name(name_key(j)) for j in joined]
            return found[0] if all(f is not None for f in found) else None
        return None
    words = len(list(itertools.takewhile(lambda w: w.isalpha() and w[:1].isupper(), parts)))
    if 2 <= words < len(parts):  # `Stable Diffusion 3.5 Large` for "SD-v3.5-Large"
        rest = r"[-\s]?".join(re.escape(p) for p in parts[words:])
        initials = "".join(w[0] for w in parts[:words])
        m = re.search(rf"\b{initials}[-\s]?v?{rest}\b", index.text)
        if m:
            return m.start()
    if len(parts) == 2 and _SIZE.fullmatch(parts[1]):
        m = re.search(rf"{re.escape(parts[0])}\s?\(\s?{re.escape(parts[1])}\s?\)", index.text, re.IGNORECASE)
        return m.start() if m else None
    # every part a name of its own (letters with a digit or an inner capital), each in the paper
    if not all(_OWN_NAME.search(h) or (h != p and h[:1].isupper()) for h, p in zip(heads, parts, strict=True)):
        return None
    found = [index.find_name(name_key(h)) for h in heads]
    return found[0] if all(f is not None for f in found) else None


_OWN_NAME = re.compile(r"[A-Za-z].*(?:\d|[a-z][A-Z])|[A-Z]{2,}|\d.*[A-Za-z]")


def _split_versioned(claim: Claim, index: SourceIndex, section_label: str) -> list[Claim]:
    """A name with a trailing decimal that the paper does not have (`EchoChat 4.1`) is the name and a number
    (`EchoChat (4.1)`), unless the paper has the name with a longer version (then it is a shortened name). The
    number is checked as the name's own value: the paper must state it for that name."""
    if claim.kind != "name" or claim.status == "supported" or " " not in claim.text:
        return [claim]
    base, _, tail = claim.text.rpartition(" ")
    if "." not in tail or not tail.replace(".", "").isdigit():
        return [claim]
    if index.name_positions(name_key(claim.text), exact=False):
        return [claim]  # `Claude 3.5` where the paper only has `Claude 3.5 Sonnet`: a shortened name
    key = name_key(base)
    found = [c for c in extract_cleaned(tail) if c.kind == "number"]
    if not found or index.find_name(key) is None:
        return [claim]
    name = _check_name(ExtractedClaim(base, "name", 0, len(base), key=key), index, section_label)
    owner = _Relation((Mention(0, len(base), key),), (base,), None, frozenset(), claim.sentence or "")
    return [name, _check_number(found[0], owner, index, section_label)]


# ----------------------------------------------------------------------------------------------------
# Numbers


def _relation(text: str, parsed: Parsed, claim: ExtractedClaim, index: SourceIndex) -> _Relation:
    ai = parsed.anchor_at(claim.start, claim.end)
    sentence = clip(text[parsed.start : parsed.end], MAX_SENTENCE_CHARS)
    if ai is None:
        return _Relation((), (), None, frozenset(), sentence)
    anchor = parsed.anchors[ai]
    # in the summary a name speaks for the numbers of its own clause only: attaching the sentence's lead to
    # every clause would demand co-occurrences the paper never needed to write
    # (a name the paper never writes is flagged on its own; it says nothing about where the number belongs)
    # a name after the number, with another number between them, goes with that one: "78% of the time versus
    # 69% for pi0" does not say pi0 reached 78% (unless "respectively" pairs them)
    between = [a.start for a in parsed.anchors if a.start > anchor.end]
    # a name written right before another number of the sentence is that number's (`H100 80GB GPU`)
    beside = {a.start for i, a in enumerate(parsed.anchors) if i != ai}
    names = tuple(
        m for m in parsed.mentions
        if parsed.attached(m.start, ai, lead=False) and m.key and m.key not in _GENERIC_ENTITIES
        and index.find_name(m.key) is not None
        and (parsed.pairs or not any(b < m.start for b in between))
        and not (m.end + 1 in beside and text[m.end] == " ")
    )
    owner = parsed.owners[ai] if parsed.owners else None
    if owner is not None:  # `DAPO(47.9%)를 앞섰고`: 47.9% is DAPO's own score, not a comparison with DAPO
        names = tuple(dataclasses.replace(m, baseline=False) if m is parsed.mentions[owner] else m for m in names)
    bracketed = text.rfind("(", parsed.start, anchor.start) > text.rfind(")", parsed.start, anchor.start)
    if not bracketed and not any(not m.baseline and not m.where for m in names):
        # no subject in the number's clause: the sentence's subject, when it is the paper's own system, is it
        # (`HiveMoE-2는 ..., MATH에서는 49.8`): a table row of another system does not support the number (a
        # number in brackets is what it follows: `MAIRA-2(29.2, 55.8)`)
        names += tuple(m for m in parsed.mentions
                       if m.start < parsed.lead_end and not m.baseline and m.key in index.own)[:1]
    written = tuple(dict.fromkeys(text[m.start : m.end] for m in names))
    clause_anchors = sum(1 for a in parsed.anchors if a.segment == anchor.segment)
    measured = {m.key for m in names if not m.baseline and m.key not in index.own}
    loose = clause_anchors >= 2 and len(measured) >= 2 and not parsed.pairs
    change = bool(_CHANGE_AFTER.match(text, claim.end) or _CHANGE_BEFORE.search(text, max(0, claim.start - 24),
                                                                                claim.start))
    return _Relation(names, written, anchor.qualifier, anchor.context, sentence, loose, change)


def _check_number(claim: ExtractedClaim, rel: _Relation, index: SourceIndex, section_label: str) -> Claim:
    base = Claim(
        text=claim.text, kind="number", status="unsupported", section_label=section_label,
        entity=rel.written, qualifier=rel.qualifier, unit=claim.unit_class,
        context=tuple(sorted(f"{d}:{n}" for d, n in rel.context)), sentence=rel.sentence,
    )
    factors = claim.factors or (1.0,) * len(claim.values)
    outcomes: list[_Outcome] = []
    for value, step, factor in zip(claim.values, claim.tolerances, factors, strict=True):
        hits = index.candidates(value, step, factor, claim, bound=rel.qualifier)
        exact = set(index.candidates(value, step, factor, claim)) if rel.qualifier in ("over", "under") else None
        if not hits:
            derived = _derived(claim, value, rel.sentence)
            if derived:  # a gap, ratio or total of the sentence's own numbers: for the judge, not a flag
                return base.model_copy(update={"undecided": True, "reason": derived})
            return base  # the value is not in the paper: nothing to relate
        end_outcomes = [_relate(rel, index, h) for h in hits]
        best = _best(end_outcomes)
        if best.verdict == "fail" and (derived := _derived(claim, value, rel.sentence)):
            best = _Outcome("undecided", best.occurrence, derived)  # the match may be a coincidence
        if best.verdict == "fail" and exact is not None and best.occurrence not in exact:
            best = _Outcome("undecided", best.occurrence, best.reason)  # "30배 이상" met by a 41.6 elsewhere
        if best.verdict == "undecided" and (cell := _table_says_otherwise(claim, rel, index, set(hits))):
            best = cell
        if best.verdict != "pass":
            return _unsupported(base, best, index)
        outcomes.append(best)
    first = outcomes[0]
    occ = index.occurrences[first.occurrence]
    snippet, heading, page, kind = index.evidence(occ.unit, occ.start)
    return base.model_copy(update={
        "status": "supported", "evidence": snippet, "evidence_section": heading, "evidence_page": page,
        "evidence_kind": kind,
    })


def _best(outcomes: list[_Outcome]) -> _Outcome:
    """A pass if any; else an undecided one; else the first contradiction."""
    for verdict in ("pass", "undecided"):
        for o in outcomes:
            if o.verdict == verdict:
                return o
    return outcomes[0]


def _unsupported(base: Claim, outcome: _Outcome, index: SourceIndex) -> Claim:
    occ = index.occurrences[outcome.occurrence]
    snippet, heading, page, kind = index.evidence(occ.unit, occ.start)
    return base.model_copy(update={
        "reason": outcome.reason, "undecided": outcome.verdict == "undecided", "evidence": snippet,
        "evidence_section": heading, "evidence_page": page, "evidence_kind": kind,
    })


def _relate(rel: _Relation, index: SourceIndex, occurrence: int) -> _Outcome:
    """Does this occurrence of the value support the claim's relation?"""
    occ = index.occurrences[occurrence]
    u = occ.unit
    parsed = index.parsed(u)
    ai = parsed.anchor_at(occ.start, occ.end)
    if ai is None:  # a number the relation parser does not anchor (a spelled-out word): value only
        return _Outcome("pass" if not rel.names else "undecided", occurrence, _missing(rel.written))
    anchor = parsed.anchors[ai]
    if lexicon.qualifiers_conflict(rel.qualifier, anchor.qualifier):
        assert anchor.qualifier is not None and rel.qualifier is not None  # a conflict needs two
        said, wrote = lexicon.QUALIFIER_WORDS[anchor.qualifier], lexicon.QUALIFIER_WORDS[rel.qualifier]
        return _Outcome("fail", occurrence, f"the paper says {said}, not {wrote}")
    # In prose, where a number belongs is read from loosely written sentences on both sides: a relation that
    # does not match there is undecided (for the judge), not contradicted. A table row says it exactly.
    firm: Verdict = "fail" if index.units[u].kind == "row" else "undecided"
    dim = lexicon.concepts_conflict(rel.context, anchor.context)
    if dim is not None:
        theirs = ", ".join(sorted(n for d, n in anchor.context if d == dim))
        sure: Verdict = "fail" if dim in _FIRM_DIMENSIONS else firm
        return _Outcome(sure, occurrence, f"the paper states it for {theirs} ({dim})")
    absent: list[Mention] = []
    loose_attached: list[bool] = []
    for mention in rel.names:
        positions = index.positions_in_unit(mention.key, u)
        if not positions:
            absent.append(mention)
            continue
        if mention.baseline:
            # a baseline need only be in the unit ("X보다 3배", "3x faster than X"), unless the paper measures it
            # there and compares it with something else: "Y is 3x faster than X" is not "X is 3x faster than Y",
            # or compares the value with another baseline: "4.5 points above ArcPO" is not "DAPO보다 4.5포인트"
            theirs = _baselines_of(index, u, ai, positions)
            if theirs:
                return _Outcome("fail", occurrence, f"the paper compares it with {theirs}, "
                                                    f"not {_written(rel, mention)}")
            if index.attached_to(u, ai, positions) and not any(
                index.baseline_at(u, ai, p) for p in positions
            ) and not _measured_attached(rel, index, u, ai):
                why = f"the paper states it for {_written(rel, mention)}, the other way round"
                return _Outcome(firm, occurrence, why)
            continue
        attached = index.attached_to(u, ai, positions)
        if rel.loose and mention.key not in index.own:
            loose_attached.append(attached)
            continue
        if not attached:
            others = _others(index, u, ai, rel)
            if mention.key in index.own and not _rival_names(index, u, ai, rel):
                # the paper's own system, named in another clause: still the implicit subject here, beside a
                # benchmark or a setting ("X averages 80.8% over Franka tasks and 69.2% over ALOHA tasks")
                continue
            where = f"for {others}" if others else "in another clause"
            # firm in prose too when the same sentence gives the name a value of its own: "81.26% on ArcLite
            # and 64.0% on MathQuest" contradicts "81.3% on MathQuest"
            # (unless the number says what a thing is, or the value's clause holds the summary's other name)
            context_only = _describes_a_thing(rel) or lexicon.is_metric_name(_written(rel, mention)) or (
                _from_unnamed(rel) and mention.key in index.measures) or any(
                m.key != mention.key and m.key not in index.own
                and (ps := index.positions_in_unit(m.key, u)) and index.attached_to(u, ai, ps)
                for m in rel.names
            )
            owns = not context_only and _owns_another(index, u, ai, positions,
                                                      _bracketed_after(rel.sentence, _written(rel, mention)))
            sure = "fail" if firm == "fail" or owns else firm
            return _Outcome(sure, occurrence, f"the paper states it {where}, not for {_written(rel, mention)}")
        if all(index.baseline_at(u, ai, p) for p in positions if index.attached_to(u, ai, [p])):
            return _Outcome(firm, occurrence, f"{_written(rel, mention)} is what the paper compares with there")
    if loose_attached and not any(loose_attached):
        return _Outcome(firm, occurrence, f"the paper states it for {_others(index, u, ai, rel) or 'others'}")
    # The paper's own system is the implicit subject of its sentences ("we", "our model", "it"): a name of it
    # may be left out of a sentence, but not out of a table row that names another system.
    own_absent = [m for m in absent if m.key in index.own and not m.baseline]
    absent = [m for m in absent if m.key not in index.own]
    if own_absent and index.row_names_another(u):
        return _Outcome("fail", occurrence, f"the paper states it for {_others(index, u, ai, rel)}")
    sibling = _sibling(index, u, ai, own_absent, rel.written, rel.sentence) if own_absent else ""
    if sibling:  # the paper's own system, but the sentence gives the value to its predecessor
        return _Outcome("fail", occurrence, f"the paper states it for {sibling}")
    if not absent:
        return _Outcome("pass", occurrence)
    for m in absent:
        theirs = _baselines_of(index, u, ai, []) if m.baseline else ""
        if theirs:  # the summary's baseline may belong to a clause before (`ahead of X, and ... 52.6`)
            return _Outcome("fail", occurrence, f"the paper compares it with {theirs}, not {_written(rel, m)}")
    if any(not m.baseline for m in absent):
        # a name the summary measures is not there, and the paper states the value for something else
        others = _others(index, u, ai, rel)
        if others:
            measured = [m for m in absent if not m.baseline]
            sibling = _sibling(index, u, ai, measured, rel.written, rel.sentence)
            rival = "" if sibling else _rival(index, u, ai, measured)
            sure = "fail" if sibling or rival else firm
            return _Outcome(sure, occurrence, f"the paper states it for {sibling or rival or others}")
    # "We evaluate on EchoBench. It reaches 92.47%": where a value was measured may be said just before; who
    # measured it may not (that is what an attribution error looks like)
    unknown = [m for m in absent if not index.in_context(m.key, u, where=m.where or m.baseline)]
    if not unknown:
        return _Outcome("pass", occurrence)
    return _Outcome("undecided", occurrence, _missing(tuple(_written(rel, m) for m in unknown)))


def _table_says_otherwise(claim: ExtractedClaim, rel: _Relation, index: SourceIndex, hits: set[int]) -> _Outcome | None:
    """A contradiction a table states outright: the clause names a column (a benchmark, a metric) and speaks of
    the paper's own system; the table's cell there holds another value, and the claimed value is in the same
    row under another column, or in the same column for another row, of one kind with it ("LIBERO-Goal에서
    81.2%" where the own row has 85.0 under LIBERO-Goal and 81.2 under LIBERO-Long)."""
    if (rel.qualifier is not None or rel.change or claim.hedged or claim.unit_class not in (None, "percent")
            or _NOT_A_LEVEL.search(claim.text)):
        return None
    measured = [m for m in rel.names if not m.baseline]
    columns = tuple(sorted({m.key for m in measured if index.in_a_header(m.key)}))
    if not columns or any(m.key not in columns and m.key not in index.own for m in measured):
        return None  # another system is named with the number: who it belongs to is the prose rules' call
    cells = index.own_cells(columns)
    if any(i in hits for _, cell in cells for i in cell):
        return None  # some table gives the own system this value there
    for u, cell in cells:
        said = index.occurrences[cell[0]]
        table = index.units[u].table
        for h in hits:
            other = index.occurrences[h]
            if other.cls != said.cls or index.units[other.unit].table != table:
                continue
            if other.unit == u or index.column_of(other) == index.column_of(said):  # same row, or same column
                label = next(iter(index.names_for(u, 0)), "")
                heads = ", ".join(_written(rel, m) for m in measured if m.key in columns)
                return _Outcome("fail", cell[0],
                                f"the paper's table gives {label} {index.text[said.start:said.end]} on {heads}")
    return None


# a scaled size (`7B`, `200K`) or a gain in points is not what a table's score cell holds
_NOT_A_LEVEL = re.compile(r"\d\s?[KMBT]\b|포인트|points?\b|%\s?p\b|pp\b", re.IGNORECASE)


def _derived(claim: ExtractedClaim, value: float, sentence: str) -> str:
    """Why a value the paper does not state may still be right: it is the difference, sum, product, ratio or
    relative change of two other numbers of its own sentence ("from 21.0% to 31.4%, a 10.4-point gain"). Small
    counts say nothing: every pair of numbers makes some of them; a small multiple does ("약 네 배 빠른": 74 ms
    over 18 ms), since only a ratio of two numbers of one kind makes it."""
    multiple = claim.unit_class == "multiplier"
    if (value < 1 and not claim.percent) or (value.is_integer() and value < 10 and not multiple):
        return ""
    numbers = [c for c in extract_cleaned(sentence) if c.kind == "number" and c.text != claim.text]
    unit = claim.tolerances[0] if claim.tolerances else 0.0
    tol = max(unit, tolerance(value, unit, claim.hedged), abs(value) * 0.005)  # the operands are rounded too
    for x, y in itertools.combinations(numbers, 2):
        a, b = (c.values[0] * (c.factors[0] if c.factors else 1.0) for c in (x, y))
        lo, hi = min(a, b), max(a, b)
        made = {"gap": (hi - lo,), "sum": (hi + lo,), "product": (hi * lo,), "ratio": (hi / lo if lo else 0.0,),
                "relative": ((hi - lo) / lo * 100 if lo else 0.0, (hi - lo) / hi * 100 if hi else 0.0),
                "times": (x.values[0] * y.values[0],)}  # as written: 14 hours on 32 GPUs, 448 GPU hours
        if any(abs(m - value) <= tol for op in _made_from(claim.unit_class, value, x.unit_class, y.unit_class)
               for m in made[op]):
            return f"not stated: it may be derived from {_fmt(a)} and {_fmt(b)}"
    return ""


_SCORES = frozenset({"percent", "points", None})


def _made_from(cls: str | None, value: float, ka: str | None, kb: str | None) -> tuple[str, ...]:
    """How a number of class `cls` may be made from two numbers of kinds `ka` and `kb`: a gain from two
    scores, a relative change from two of any one kind, a speed-up from two times, a total from two counts."""
    ops: tuple[str, ...] = ()
    if cls == "percent" and ka == kb:
        ops = ("relative",)  # "170% (11.2 to 30.3 tokens/s)"
    if cls is None and value.is_integer() and {ka, kb} <= _SCORES | {"count"}:
        return ("gap", "relative", "sum", "product")  # "18 tasks with 20 trials each (360 trials)"
    if cls in _SCORES and {ka, kb} <= _SCORES:
        return ("gap", "relative")
    if cls == "multiplier" and ({ka, kb} <= {"multiplier", "time"} or (ka == kb and ka in _SCORES)):
        return ("ratio",)  # "4x faster (18 ms vs 74 ms)", "2.4 times SASRec's 0.0089" (0.0214)
    if cls in ("count", "tokens", "parameters") and ka == kb == cls:
        return ("sum", "product")
    if value.is_integer() and value >= 100 and {"count", None} & {ka, kb} and cls in (ka, kb, None):
        return ("times",)  # a total: "512 sequences of 2,048 tokens (about 1M tokens)", "448 GPU hours"
    return ops


def _fmt(v: float) -> str:
    return f"{v:g}"


_VERSION_TAIL = re.compile(r"v?\d+$")


def _family(key: str) -> str:
    """`lexicol2` -> `lexicol`, `foliovl` -> `foliovl`: a name's family, without its version number."""
    return _VERSION_TAIL.sub("", key) or key


def _sibling(index: SourceIndex, u: int, ai: int, measured: list[Mention], rel_names: tuple[str, ...],
             sentence: str) -> str:
    """The name the paper states the value for when it is another version of a name the summary measures with
    it (`LexiCol` for `LexiCol-2`): a predecessor's number given to its successor, or the other way round. A
    sibling the summary names in the same sentence (`30억 파라미터였던 이전 RadiScribe`) is no contradiction."""
    parsed = index.parsed(u)
    if isinstance(parsed, RowParsed):
        return ""
    written = {name_key(w) for w in rel_names} | {c.key for c in extract_cleaned(sentence) if c.kind == "name"}
    for m in measured:
        fam = _family(m.key)
        if len(fam) < 4:
            continue
        for name in index.names_for(u, ai):
            key = name_key(name)
            if key != m.key and _family(key) == fam and key not in written:
                return name
    return ""


def _baselines_of(index: SourceIndex, u: int, ai: int, mine: list[int]) -> str:
    """The other baseline the paper's sentence compares this value with, when the summary's baseline (written
    at `mine`, or absent) is not attached to it there."""
    parsed = index.parsed(u)
    if isinstance(parsed, RowParsed) or (mine and index.attached_to(u, ai, mine)):
        return ""
    others = [index.text[m.start : m.end] for m in parsed.mentions
              if m.baseline and m.start not in mine and parsed.attached(m.start, ai, lead=False)]
    return ", ".join(dict.fromkeys(one_line(o) for o in others))


def _rival(index: SourceIndex, u: int, ai: int, measured: list[Mention]) -> str:
    """Another system the paper's sentence gives the value to, when the summary gives it to a system the
    paper compares (its own or a baseline): "76.9 for Transformer-M" where the paper has "Uni-Mol at 76.9"."""
    if not any(m.key in index.systems for m in measured):
        return ""
    parsed = index.parsed(u)
    if isinstance(parsed, RowParsed):
        return ""
    mine = {x.key for x in measured}
    owner = parsed.owners[ai] if parsed.owners else None
    for i, m in enumerate(parsed.mentions):
        if (m.key in index.systems and m.key not in mine and (not m.baseline or i == owner)
                and parsed.attached(m.start, ai, lead=False) and _beside(m.start, m.end, parsed.anchors[ai])):
            return index.text[m.start : m.end]
    return ""


def _beside(start: int, end: int, anchor: Anchor) -> bool:
    """Whether a name written at [start, end) is right beside the number `anchor`, not a clause away."""
    return min(abs(start - anchor.end), abs(anchor.start - end)) <= _BESIDE_CHARS


def _from_unnamed(rel: _Relation) -> bool:
    """Whether the number is a change or its end ("MMD를 0.521에서 0.493으로"), with no baseline named: the start
    of a change is what something before had, so a measure the paper gives it for another system is no
    contradiction. ("from 14.6 to 22.4 over YOLO-World-L" names whose start it is.)"""
    return rel.change and not any(m.baseline for m in rel.names) and not _COMPARES.search(rel.sentence)


def _describes_a_thing(rel: _Relation) -> bool:
    """`40GB GPU 한 장`, "8 A100 GPUs": a number that says what a thing is, not what the name measured."""
    return any(dim == "noun" for dim, _ in rel.context)


def _bracketed_after(sentence: str, name: str) -> list[float]:
    """The values (in their class's base unit) a summary sentence gives a name in brackets right after it:
    `GPT-4o 판정(84.5%)` gives GPT-4o 84.5%."""
    out: list[float] = []
    for m in re.finditer(rf"{re.escape(name)}[^()\d]{{0,8}}\(([^()]*)\)", sentence):
        out += [v * f for c in extract_cleaned(m.group(1)) if c.kind == "number"
                for v, f in zip(c.values, c.factors or (1.0,) * len(c.values), strict=True)]
    return out


def _owns_another(index: SourceIndex, u: int, ai: int, positions: list[int], said: list[float] | None = None
                  ) -> bool:
    """Whether the name written at `positions` is what another number of the unit, of the same kind, measures;
    unless the summary gives the name that number too, in brackets after it (`said`: `GPT-4o 판정(84.5%)보다`):
    then the summary agrees with the paper, and the name reached this value only through how its sentence was
    parsed."""
    parsed = index.parsed(u)
    mine = index.occurrences_in(u, parsed.anchors[ai].start)
    said = said or []
    for other in range(len(parsed.anchors)):
        # in the other number's own clause, not carried there from the sentence's lead
        if other == ai or isinstance(parsed, RowParsed) or not any(parsed.attached(p, other, lead=False)
                                                                     for p in positions):
            continue
        if any(index.baseline_at(u, other, p) for p in positions):
            continue
        theirs = index.occurrences_in(u, parsed.anchors[other].start)
        if mine is None or theirs is None or theirs.cls != mine.cls:
            continue
        if any(abs(v - theirs.value) <= 1e-6 * max(1.0, abs(v)) for v in said):
            continue
        # written right beside that number ("64.0% on MathQuest", "EchoChat (4.1)"), not a clause away
        if any(_beside(p, p, parsed.anchors[other]) for p in positions):
            return True
    return False


_BESIDE_CHARS = 40


def _measured_attached(rel: _Relation, index: SourceIndex, u: int, ai: int) -> bool:
    """Whether one of the names the summary measures is written in the unit and attached to the value."""
    measured = [m for m in rel.names if not m.baseline]
    if not measured:
        return True  # nothing measured by name: nothing to turn round
    return any(
        (positions := index.positions_in_unit(m.key, u)) and index.attached_to(u, ai, positions) for m in measured
    )


def _other_names(index: SourceIndex, u: int, ai: int, rel: _Relation) -> list[str]:
    """The names the paper attaches to the value there that the summary does not."""
    mine = {m.key for m in rel.names}
    return [n for n in index.names_for(u, ai) if name_key(n) not in mine]


def _others(index: SourceIndex, u: int, ai: int, rel: _Relation) -> str:
    """The names the paper states the value for instead, for a reason (clipped: a row's text cells may be long)."""
    return clip(", ".join(dict.fromkeys(one_line(n) for n in _other_names(index, u, ai, rel))), MAX_OTHERS_CHARS)


def _rival_names(index: SourceIndex, u: int, ai: int, rel: _Relation) -> list[str]:
    """The other systems the paper gives the value to: of the names attached to it (not the summary's), those
    it evaluates (`systems`) and the own system's variants. A table row's label always counts: a row is one
    system's."""
    names = _other_names(index, u, ai, rel)
    if isinstance(index.parsed(u), RowParsed):
        return names
    # a variant of the paper's own system (`Tillwright-S` beside `Tillwright`) is a system too
    return [n for n in names if name_key(n) in index.systems
            or any(name_key(n).startswith(_family(o)) for o in index.own if len(_family(o)) >= 4)]


def _written(rel: _Relation, mention: Mention) -> str:
    for w in rel.written:
        if name_key(w) == mention.key:
            return w
    return mention.key


def _missing(names: tuple[str, ...]) -> str:
    return f"the paper does not state it with {', '.join(names)}" if names else ""

