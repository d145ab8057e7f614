"""Relations: which names, qualifier and context a number is attached to inside one sentence. Pure functions
over text, and one parser for both sides (a summary sentence and a paper's sentence), so a sentence quoted
from the paper relates its numbers exactly as the paper does.

A sentence is cut into clauses at commas, semicolons, "and/while/but" and Korean connective endings
(`-며`, `-고`, `-지만`, where the analyzer tags them: `korean`), but only where both sides hold a number:
"On ArcLite, Orbit reaches 81.3" stays one
clause, "81.3 on ArcLite and 64.0 on MathQuest" becomes two. A name is attached to the numbers of its own
clause; a name in the sentence's lead (before its first number) is also attached to later clauses that do
not name their own subject ("Sonora is 3x faster ... and answers within 10 seconds"); with "respectively"
(`각각`) names and numbers pair up in order. A name after "than/over/compared with" (`보다`, `대비`, `를
상회`) is a baseline: it is compared with, not measured.

Everything here is linear in the sentence: the sentence is at most `MAX_UNIT_CHARS` long (longer ones are
cut), and every pattern is anchored or bounded.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, partial

from dailypapers.models import Qualifier
from dailypapers.text import CJK, sentence_spans
from dailypapers.verify import lexicon
from dailypapers.verify.claims import CLAIM_TOKENS, is_reference, name_at, name_key
from dailypapers.verify.korean import clause_breaks
from dailypapers.verify.lexicon import Concept

MAX_UNIT_CHARS = 700  # a longer "sentence" (a PDF without stops, a hostile text) is cut into pieces

_PIECE_BREAK = re.compile(
    r"\s*[,;:]\s+|\s*[，；]\s*"
    r"|\s+(?:and|but|while|whereas|although|though|yet)\s+"
    r"|\s+[—–]\s+"
    r"|(?<=반면)\s|(?<=반면에)\s"
    r"|(?<=[%\d배초])(?:와|과)\s(?!\d)"  # "A에서 81.3%와 B에서 64%", not the list "81.3%와 64%"
    r"|\s*\(\s*(?=[^()]{0,60}\d)|(?<=[\d%x×])\s*\)",  # a parenthetical with a number of its own
    re.IGNORECASE,
)
_COMPARISON_PIECE = re.compile(
    r"\s*(?:ahead\s+of|behind|above|below|better\s+than|higher\s+than|lower\s+than|compared\s+with|versus|vs\.?)\s",
    re.IGNORECASE,
)
_CONTRAST = re.compile(r"\b(?:but|while|whereas|although|though|yet)\b|지만|반면", re.IGNORECASE)
_RESPECTIVELY = re.compile(r"\brespectively\b|각각", re.IGNORECASE)
# Korean topic and subject particles right after a name: the sentence is about it.
_SUBJECT_PARTICLE = re.compile(r"(?:은|는|이|가)(?![\uac00-\ud7a3])")
_WHERE_AFTER = re.compile(r"\s?(?:에서|에\s?대해|에\s?대한|데이터셋|벤치마크|\s(?:benchmark|dataset|split|suite)s?\b)")
_WHERE_BEFORE = re.compile(r"\b(?:on|in|at|across|from|over)\s+(?:the\s+)?$", re.IGNORECASE)
_COORDINATOR = re.compile(r"^\s*(?:,|and|or|과|와|및|，)\s*(?:and\s+)?$|^(?:과|와)\s+및?\s*$", re.IGNORECASE)
_ASIDE = re.compile(r"\([^()]{0,80}\)")  # a bracketed aside between two coordinated names
_BASELINE_BEFORE = re.compile(
    r"(?:\bthan|\bover|\bvs\.?|\bversus|\bagainst|\bcompared\s+(?:to|with)|\brelative\s+to|\boutperform\w*"
    r"|\bbeat\w*|\bsurpass\w*|\bexceed\w*|\bbelow|\babove|\bunlike|\bbehind|\bahead\s+of|\btrail\w*)"
    r"\s+(?:with\s+|for\s+|on\s+|in\s+|to\s+|that\s+of\s+)?"
    r"(?:the\s+|a\s+|strong\s+|prior\s+|previous\s+|our\s+|its\s+|their\s+|earlier\s+|original\s+)*"
    r"(?:baselines?\s+)?(?:such\s+as\s+|like\s+|including\s+)?$",
    re.IGNORECASE,
)
_BASELINE_AFTER = re.compile(
    r"^\s?(?:\([^()]{0,40}\)\s?)?(?:보다|대비|에\s?비해|에\s?비하여|[와과]\s?(?:의\s?)?비교|의\s?(?:절반|[두세네]\s?배)|"
    r"[을를]\s?(?:크게\s?|모두\s?)?(?:상회|능가|앞서|앞섰|앞지르|앞질렀|넘어서|넘어섰|이기|이겼|웃돌))"
)
_OWN_VALUE_BETWEEN = re.compile(r"^\s*(?:[(:=]|의|at)\s*$")  # `EchoChat (4.1)`, `EchoChat: 4.1`, `EchoChat의 4.1`
# Between a number and its unit word: a space, a scale, a Korean counter and particle ("13 billion parameters",
# "32,000 tokens", "5,560개의 문제").
_UNIT_GAP = re.compile(r"(?:\s|-)*(?:(?:thousand|million|billion|trillion|[kKMB])\s*)?(?:개|명)?(?:의)?\s*$")
_OWNER_BEFORE = re.compile(r"\b(?:for|by)\s+(?:the\s+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Mention:
    """A name inside a parsed sentence: where, its key, and its role."""

    start: int
    end: int
    key: str
    baseline: bool = False  # compared with ("than EchoChat", "EchoChat보다"), not measured
    subject: bool = False  # marked as the sentence's topic in Korean ("Sonora는")
    where: bool = False  # where something was measured: "on ArcLite", "ArcLite에서" (a benchmark, a dataset)


@dataclass(frozen=True)
class Anchor:
    """A number inside a parsed sentence, with what its clause says about it."""

    start: int
    end: int
    segment: int
    qualifier: Qualifier | None
    context: frozenset[Concept]


class Anchored:
    """A parsed unit (a sentence, `Parsed`; a table row, `units.RowParsed`): its numbers are `anchors`."""

    anchors: tuple[Anchor, ...]

    def anchor_at(self, start: int, end: int) -> int | None:
        """The anchor overlapping [start, end), or None."""
        for i, a in enumerate(self.anchors):
            if a.start < end and start < a.end:
                return i
        return None


def segment_index(ends: list[int], pos: int) -> int:
    """The clause that holds `pos`, given where the clauses end (the last one holds what is past it)."""
    return min(bisect.bisect_right(ends, pos), len(ends) - 1)


@dataclass(frozen=True)
class Parsed(Anchored):
    """One sentence cut into clauses, its numbers (anchors) and names (mentions)."""

    start: int
    end: int
    segments: tuple[tuple[int, int], ...]
    anchors: tuple[Anchor, ...]
    mentions: tuple[Mention, ...]
    lead_end: int  # names before this position (in the first clause) speak for the whole sentence
    own_lead: tuple[bool, ...]  # per clause: it names its own subject before its first number
    pairs: tuple[tuple[int, int], ...] = ()  # (mention index, anchor index) under "respectively"
    owners: tuple[int | None, ...] = ()  # per anchor: the mention whose own value it is, `EchoChat (4.1)`

    def segment_of(self, pos: int) -> int:
        return segment_index(self._ends, pos)

    @cached_property
    def _ends(self) -> list[int]:
        return [e for _, e in self.segments]

    @cached_property
    def _lead_subject(self) -> Mention | None:
        """The sentence's subject in its lead: the name marked as topic (`Sonora는`), else the first name there
        that says neither where nor what it is compared with."""
        lead = [m for m in self.mentions if m.start < self.lead_end]
        marked = [m for m in lead if m.subject]
        plain = [m for m in lead if not m.where and not m.baseline]
        return (marked or plain or [None])[0]

    @cached_property
    def _named_segments(self) -> frozenset[int]:
        return frozenset(self.segment_of(m.start) for m in self.mentions)

    def attached(self, mention_start: int, anchor: int, *, lead: bool = True) -> bool:
        """Whether the name written at `mention_start` speaks about the number `anchor`: in its clause, paired
        with it by "respectively", or (with `lead`, the paper's side) in the sentence's lead when its clause
        names no subject, or in the clause before when its clause names nothing at all."""
        if self.pairs:
            for mi, ai in self.pairs:
                if self.mentions[mi].start == mention_start:
                    return ai == anchor
        owner = self.owners[anchor] if self.owners else None
        if owner is not None:  # `X is faster than EchoChat (4.1)`: 4.1 is EchoChat's, not X's
            return self.mentions[owner].start == mention_start
        if self.owners and any(o is not None and self.mentions[o].start == mention_start for o in self.owners):
            return False  # `MAIRA-2의 64.8%`: a name that owns a number of its own is not another's subject
        seg = self.anchors[anchor].segment
        mseg = self.segment_of(mention_start)
        if mseg == seg:
            return True
        if lead and mseg == seg - 1 and seg not in self._named_segments:
            return True  # a clause that names nothing continues the one before: "..., and 5-shot 55.7%"
        if lead and mention_start < self.lead_end and seg in self._named_segments:
            # a clause that names things of its own takes only the sentence's subject from the lead: "On MS
            # MARCO, X reaches an MRR@10 of 41.2, and on BEIR an nDCG@10 of 53.6" gives 53.6 to X, not to MS
            # MARCO or MRR@10
            subject = self._lead_subject
            if subject is None or subject.start != mention_start:
                return False
        return lead and mention_start < self.lead_end and not self.own_lead[seg]

    def mention_at(self, start: int) -> Mention | None:
        for m in self.mentions:
            if m.start <= start < m.end:
                return m
        return None

    def names_attached(self, anchor: int) -> list[Mention]:
        """The names (not baselines) this number is stated for."""
        owner = self.owners[anchor] if self.owners else None
        return [
            m for i, m in enumerate(self.mentions)
            if (not m.baseline or i == owner) and self.attached(m.start, anchor)
        ]


# ----------------------------------------------------------------------------------------------------
# Sentences


def bounded_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The sentences of text[start:end] (`dailypapers.text.sentence_spans`), long ones cut (`cut_long`)."""
    return [piece for s, e in sentence_spans(text, start, end) for piece in cut_long(text, s, e)]


def cut_long(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """text[s:e] (trimmed) in pieces of at most `MAX_UNIT_CHARS`, cut at whitespace where there is some."""
    out: list[tuple[int, int]] = []
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    while e - s > MAX_UNIT_CHARS:
        cut = text.rfind(" ", s + MAX_UNIT_CHARS // 2, s + MAX_UNIT_CHARS)
        cut = cut if cut > s else s + MAX_UNIT_CHARS
        out.append((s, cut))
        s = cut
        while s < e and text[s].isspace():
            s += 1
    if e > s:
        out.append((s, e))
    return out


# ----------------------------------------------------------------------------------------------------
# Parsing one sentence


def parse(text: str, start: int, end: int) -> Parsed:
    """Clauses, numbers and names of text[start:end] (one sentence or table-free line)."""
    cjk = CJK.search(text, start, end) is not None
    anchors_raw: list[tuple[int, int]] = []
    names: list[tuple[int, int, str]] = []
    skip = start
    for m in CLAIM_TOKENS.finditer(text, start, end):
        if m.start() < skip or m.group("url"):
            continue
        if m.group("name") is not None:
            found = name_at(text, m.start(), m.group("name"), cjk, decimal_versions=False)
            if found is not None:
                name_end = min(m.start() + len(found), end)
                names.append((m.start(), name_end, name_key(found)))
                skip = name_end
            continue
        if m.group("num") is not None and is_reference(text, m.start(), m.end()):
            continue
        anchors_raw.append((m.start(), m.end()))
    segments = _segments(text, start, end, anchors_raw)
    seg_of = partial(segment_index, [e for _, e in segments])
    first_anchor = [next((a for a in anchors_raw if s <= a[0] < e), None) for s, e in segments]
    lead_end = first_anchor[0][0] if first_anchor and first_anchor[0] else start
    mentions = _mentions(text, names, segments, seg_of, anchors_raw)
    # a clause names its own subject before its number: "while EchoChat needs 300 ms", "below EchoChat (4.1)"
    # or after it as its owner: "against 285 ms for Orbit-34B", "reached by EchoChat"
    own_lead = tuple(
        i > 0 and fa is not None and any(
            (s <= mm.start < fa[0] and (not mm.baseline or _OWN_VALUE_BETWEEN.match(text[mm.end : fa[0]])))
            or (fa[0] < mm.start < e and not mm.baseline
                and _OWNER_BEFORE.search(text, max(s, mm.start - 12), mm.start))
            for mm in mentions
        )
        for i, ((s, e), fa) in enumerate(zip(segments, first_anchor, strict=True))
    )
    # words inside names are no context: `Token Sieve` says nothing about tokens
    masked = _mask(text, start, end, names)
    anchors = _anchors(masked, start, segments, seg_of, anchors_raw, lead_end)
    owners = tuple(
        next((i for i, mm in enumerate(mentions) if own_value(text, mm, a.start)), None) for a in anchors
    )
    pairs: tuple[tuple[int, int], ...] = ()
    if _respectively(text, start, end) and len(anchors) >= 2:
        listed = [i for i, mm in enumerate(mentions) if not mm.baseline and not mm.subject
                  and not (not cjk and mm.start < lead_end)]
        if len(listed) == len(anchors):
            pairs = tuple(zip(listed, range(len(anchors)), strict=True))
    return Parsed(start, end, tuple(segments), tuple(anchors), tuple(mentions), lead_end, own_lead, pairs, owners)


def _mask(text: str, start: int, end: int, names: list[tuple[int, int, str]]) -> str:
    """text[start:end] with its names blanked out (the same length: position p of `text` is p - start here).
    Only the sentence is copied, never the whole paper."""
    parts = []
    pos = start
    for s, e, _ in names:
        parts.append(text[pos:s])
        parts.append(" " * (e - s))
        pos = e
    parts.append(text[pos:end])
    return "".join(parts)


def _breaks(text: str, start: int, end: int, anchors: int) -> list[tuple[int, int]]:
    """Where text[start:end] may be cut into clauses: punctuation and English connectives by pattern, Korean
    connective endings (`-며`, `-고`, `-지만`, `-면서`, `-는데`) where the analyzer tags them (`korean`). The
    analyzer is asked only where a cut can matter: between two numbers, or before a contrast after one."""
    found = [(m.start(), m.end()) for m in _PIECE_BREAK.finditer(text, start, end)]
    if (anchors >= 2 or (anchors == 1 and "지만" in text[start:end])) and CJK.search(text, start, end):
        found += [(b, b + 1) for b in clause_breaks(text, start, end)]
        found.sort()
    return found


def _respectively(text: str, start: int, end: int) -> bool:
    """Whether the sentence pairs its names and numbers in order ("respectively", 각각), outside brackets: in
    `pi0(각각 63.3%, 51.7%)를 앞섰고, ...` it pairs only the bracket's numbers, not the sentence's clauses."""
    for m in _RESPECTIVELY.finditer(text, start, end):
        if text.count("(", start, m.start()) <= text.count(")", start, m.start()):
            return True
    return False


def _segments(text: str, start: int, end: int, anchors: list[tuple[int, int]]) -> list[tuple[int, int]]:
    if _respectively(text, start, end):
        return [(start, end)]  # "81.3 and 64.0 on A and B, respectively" pairs across its clauses
    pieces: list[tuple[int, int]] = []
    contrast_at = end  # where a contrast after the last number starts: "..., although X leads on Y"
    s = start
    for b_start, b_end in _breaks(text, start, end, len(anchors)):
        if b_start > s:
            pieces.append((s, b_start))
            s = b_end
            contrast = _CONTRAST.search(text, b_start, b_end) or _CONTRAST.match(text, b_end) or (
                text.endswith(("지만", "반면", "반면에"), start, b_start))
            if contrast and contrast_at == end and not any(s <= a[0] < end for a in anchors):
                contrast_at = b_start
    pieces.append((s, end))
    # a piece without a number belongs to the next one ("On ArcLite, Orbit reaches 81.3"), the last to the one
    # before it, unless a contrast opens it: its names speak of something else than the numbers before
    merged: list[tuple[int, int]] = []
    pending = start
    for ps, pe in pieces:
        if any(ps <= a[0] < pe for a in anchors):
            merged.append((pending, pe))
            pending = pe
        elif merged and pending == merged[-1][1] and _COMPARISON_PIECE.match(text, ps, pe):
            merged[-1] = (merged[-1][0], pe)  # "81.3, ahead of X, and ...": the comparison is the number's before
            pending = pe
    if not merged:
        return [(start, end)]
    if contrast_at < end and contrast_at >= merged[-1][1]:
        merged[-1] = (merged[-1][0], contrast_at)
        merged.append((contrast_at, end))
    else:
        merged[-1] = (merged[-1][0], end)
    return merged


def _mentions(
    text: str, names: list[tuple[int, int, str]], segments: list[tuple[int, int]], seg_of: Callable[[int], int],
    anchors: list[tuple[int, int]],
) -> list[Mention]:
    # Coordinated names share a role: "than EchoChat and Parlan-2", "SpeechGPT 및 Moshi를 상회", also across a
    # bracketed aside: "BM25(R@100 0.742), SAILER, CaseLens-Base(0.803)를 앞섰고" (the aside's names are its own)
    sentence_start = segments[0][0] if segments else 0
    aside = [text.count("(", sentence_start, s) > text.count(")", sentence_start, s) for s, _, _ in names]
    chained_to: list[int | None] = [None] * len(names)
    for i in range(1, len(names)):
        j = i - 1
        if not aside[i]:
            j = next((k for k in range(i - 1, -1, -1) if not aside[k]), i - 1)
        between = text[names[j][1] : names[i][0]]
        bare = between if aside[i] else _ASIDE.sub("", between)
        if (seg_of(names[j][0]) == seg_of(names[i][0]) or bare != between) and _COORDINATOR.match(bare):
            chained_to[i] = j
    before = [False] * len(names)
    for i, (s, _, _) in enumerate(names):
        if (j := chained_to[i]) is not None:
            before[i] = before[j]
            continue
        seg_start = segments[seg_of(s)][0]
        prev_anchor_end = max((a[1] for a in anchors if seg_start <= a[1] <= s), default=seg_start)
        window_start = max(seg_start, prev_anchor_end, s - 80)
        before[i] = bool(_BASELINE_BEFORE.search(text, window_start, s))
    after = [False] * len(names)
    for i in range(len(names) - 1, -1, -1):
        _, e, _ = names[i]
        nxt = next((k for k in range(i + 1, len(names)) if chained_to[k] == i), None)
        if nxt is not None:
            after[i] = after[nxt]
            continue
        after[i] = bool(_BASELINE_AFTER.match(text[e : e + 24]))
    out = []
    for i, (s, e, key) in enumerate(names):
        subject = bool(_SUBJECT_PARTICLE.match(text, e)) and not after[i]
        where = bool(_WHERE_AFTER.match(text, e) or _WHERE_BEFORE.search(text, max(0, s - 12), s))
        out.append(Mention(s, e, key, baseline=before[i] or after[i], subject=subject, where=where))
    return out


def _anchors(
    masked: str, base: int, segments: list[tuple[int, int]], seg_of: Callable[[int], int],
    anchors: list[tuple[int, int]], lead_end: int,
) -> list[Anchor]:
    """The anchors of a sentence: `masked` is the sentence (names blanked), `base` where it starts in the text;
    segments, anchors and `lead_end` are positions in the text."""

    def at(s: int, e: int) -> str:
        return masked[s - base : e - base]

    seg_concepts: list[list[tuple[int, Concept]]] = [lexicon.concepts_in(at(s, e)) for s, e in segments]
    lead_concepts = frozenset(
        c for pos, c in seg_concepts[0] if segments[0][0] + pos < lead_end and c[0] in lexicon.PROPAGATING
    ) if segments else frozenset()
    # A concept written right after a number is that number's unit or noun ("32,000 tokens"), not the clause's.
    own: dict[int, set[Concept]] = {}
    shared: list[set[Concept]] = [set() for _ in segments]
    for seg, (s, _) in enumerate(segments):
        for pos, c in seg_concepts[seg]:
            word = s + pos
            owner = next(
                (i for i, (_, b) in enumerate(anchors) if b <= word and _UNIT_GAP.match(masked, b - base, word - base)),
                None,
            )
            if owner is None:
                shared[seg].add(c)
            else:
                own.setdefault(owner, set()).add(c)
    out: list[Anchor] = []
    for i, (a, b) in enumerate(anchors):
        seg = seg_of(a)
        s, e = segments[seg]
        prev_end = max(s, anchors[i - 1][1] if i > 0 and anchors[i - 1][1] > s else s)
        next_start = min(e, anchors[i + 1][0] if i + 1 < len(anchors) and anchors[i + 1][0] < e else e)
        q = lexicon.qualifier(at(max(prev_end, a - 48), a), at(b, min(next_start, b + 32)), at(b, e))
        context = shared[seg] | own.get(i, set())
        dims = {d for d, _ in context}
        context |= {c for c in lead_concepts if c[0] not in dims}
        noun = lexicon.counted_noun(at(a, b), at(b, min(e, b + 40)), at(max(s, a - 16), a))
        if noun is not None:
            context.add(("noun", noun))
        out.append(Anchor(a, b, seg, q, frozenset(context)))
    return out


def own_value(text: str, mention: Mention, anchor_start: int) -> bool:
    """`EchoChat (4.1)`: the number starting at `anchor_start` is the named thing's own value, even when the
    name is a baseline."""
    if not (mention.end <= anchor_start and _OWN_VALUE_BETWEEN.match(text[mention.end : anchor_start])):
        return False
    # "on LongBench (48.8 vs 49.2)": a bracket that compares two values gives neither to the name before it
    close = text.find(")", anchor_start, anchor_start + 60)
    return close < 0 or not _VERSUS.search(text, anchor_start, close)


_VERSUS = re.compile(r"\bvs\.?|\bversus\b|\bagainst\b|→|->|대비", re.IGNORECASE)
