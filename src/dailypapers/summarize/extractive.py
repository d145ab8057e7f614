"""The offline default: a summary made of the paper's own sentences, picked per section by cues and rank.

No network, deterministic, and grounded by construction: every sentence is quoted verbatim from the text
(whitespace normalised), so the verifier has nothing to flag. The summary stays in the source language.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dailypapers.documents import heading_kind
from dailypapers.errors import SummarizeError
from dailypapers.hookspecs import hookimpl
from dailypapers.models import Paper, Section, Summary, Usage
from dailypapers.summarize.base import SummarizerPlugin, SummaryResult
from dailypapers.text import one_line, sentences

PROMPT_VERSION = "extractive-5"  # bump when the picks change: it is part of the cache key
MAX_TEXT_CHARS = 400_000  # the text is budgeted upstream; this only bounds the work on a hostile input
MIN_SENTENCE = 40
MAX_SENTENCE = 320
MAX_SECTION = 700
PER_SECTION = 3

Role = str  # "new", "method", "results", "limits", "conclusion", "lead"

_NUMBER = re.compile(r"\d")
_MEASURE = re.compile(r"\d(?:[\d.,]*)\s*(?:%|x\b|×|points?\b|pp\b|times\b|배|倍)", re.IGNORECASE)
_QUANTITY = re.compile(r"\d+(?:[.,]\d+)*(?:\s*(?:%|x\b|×|points?\b|pp\b|times\b|배|倍))?", re.IGNORECASE)
_CAPTION = re.compile(r"^(fig(?:ure)?|table|tab|algorithm|listing)\.?\s*[0-9A-Z]+[.:]", re.IGNORECASE)
_CITATION_LIST = re.compile(r"\[\d+(?:[,–-]\s*\d+)*\]")
_URL = re.compile(r"https?://|www\.", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_CUES: dict[Role, tuple[tuple[re.Pattern[str], float], ...]] = {
    "new": tuple(
        (re.compile(p, re.IGNORECASE), w)
        for p, w in (
            (r"\bwe (propose|introduce|present)\b", 3.0),
            (r"\bour (main )?contributions?\b", 3.0),
            (r"\b(this|the present) (paper|work) (proposes|introduces|presents)\b", 3.0),
            (r"\bwe (develop|release|design a|build a|show that)\b", 1.5),
            (r"\b(novel|new|first)\b", 0.8),
            (r"\b(in this (paper|work))\b", 1.0),
            (r"제안|소개한다|소개합니다|提出|提案", 2.5),
        )
    ),
    "method": tuple(
        (re.compile(p, re.IGNORECASE), w)
        for p, w in (
            (r"\bwe (use|train|design|adopt|employ|apply|build|fine-tune|optimi[sz]e|combine|follow)\b", 2.0),
            (
                r"\b(architecture|encoder|decoder|transformer|layers?|attention|module|objective|loss|"
                r"pipeline|procedure|stage|parameters|tokens|training|fine-tuning|dataset|algorithm)\b",
                0.8,
            ),
            (r"\b(consists? of|is composed of|is trained|is based on|we first|then)\b", 1.0),
            (r"학습|구조|모듈|训练|架构|学習|構造", 1.5),
        )
    ),
    "results": tuple(
        (re.compile(p, re.IGNORECASE), w)
        for p, w in (
            (r"\b(outperforms?|surpass(es)?|beats?|exceeds?)\b", 2.5),
            (r"\b(achieves?|reach(es)?|improves?|improvement|gains?|reduces?|faster|speed-?up)\b", 1.5),
            (
                r"\b(accuracy|f1|bleu|score|state[- ]of[- ]the[- ]art|sota|win rate|error rate|"
                r"baselines?)\b",
                1.0,
            ),
            (r"향상|달성|능가|성능|优于|提升|向上|上回", 1.5),
        )
    ),
    "limits": tuple(
        (re.compile(p, re.IGNORECASE), w)
        for p, w in (
            (r"\b(limitations?|limited|fails?|does not|cannot|future work|however)\b", 2.0),
            (r"한계|局限|限界", 2.0),
        )
    ),
    "conclusion": tuple(
        (re.compile(p, re.IGNORECASE), w)
        for p, w in ((r"\b(we (showed|show|demonstrate|conclude)|in summary|overall)\b", 2.0),)
    ),
    "lead": (),
}

# where in the paper each role looks first (parts are the documents' section kinds; unknown sections are "body")
_PLACE: dict[Role, dict[str, float]] = {
    "new": {"abstract": 2.0, "introduction": 1.5, "conclusion": 1.0, "body": 0.5},
    "method": {"method": 2.5, "results": 1.0, "abstract": 0.8, "introduction": 0.5, "body": 0.5},
    "results": {"results": 2.5, "abstract": 1.5, "conclusion": 1.0, "introduction": 0.5, "body": 0.5},
    "limits": {"conclusion": 2.0, "body": 0.3},
    "conclusion": {"conclusion": 2.5, "abstract": 1.0, "body": 0.3},
    "lead": {"abstract": 2.0, "introduction": 1.0, "body": 0.5},
}
_SKIP_PARTS = {"references", "appendix", "title", "table"}  # a table's rows are not sentences


@dataclass(frozen=True)
class _Sentence:
    index: int  # order in the text
    text: str
    part: str  # abstract, introduction, method, ... or body


class ExtractiveSummarizer:
    name = "extractive"
    prompt_version = PROMPT_VERSION

    async def summarize(
        self,
        paper: Paper,
        text: str,
        *,
        lang: str = "ko",
        labels: Sequence[str],
        feedback: Sequence[str] = (),  # nothing to correct: every sentence is the paper's own
    ) -> SummaryResult:
        return SummaryResult(summary=summarize_text(paper, text, labels=labels), usage=Usage())


def summarize_text(paper: Paper, text: str, *, labels: Sequence[str]) -> Summary:
    """The extractive summary of `text` (falling back to the abstract); pure apart from the timestamp."""
    if not labels:
        raise SummarizeError("no section labels")
    source = text if text.strip() else paper.abstract
    sentences = sentences_of(source[:MAX_TEXT_CHARS])
    if not sentences and paper.abstract.strip() and source is not paper.abstract:
        sentences = sentences_of(paper.abstract)
        source = paper.abstract
    if not sentences:
        raise SummarizeError("no usable sentences in the text")
    picks = _pick([_role(label, i) for i, label in enumerate(labels)], sentences)
    sections = tuple(
        Section(label=label, text=" ".join(s.text for s in chosen), emphasis="bold_italic")
        for label, chosen in zip(labels, picks, strict=True)
    )
    return Summary(
        paper_id=paper.id,
        lang=detect_language(source),
        sections=sections,
        model=ExtractiveSummarizer.name,
        prompt_version=PROMPT_VERSION,
        created_at=dt.datetime.now(dt.UTC),
        tldr=contribution_sentence(sentences),
    )


def contribution_sentence(sentences: list[_Sentence]) -> str:
    """The TL;DR: the paper's own sentence that best states its contribution ("we propose ...", early on)."""
    total = len(sentences)
    return min(sentences, key=lambda s: (-_score(s, "new", total), s.index)).text


def detect_language(text: str) -> str:
    """ko, ja, zh or en, from the scripts in a sample of the text."""
    sample = text[:20_000]
    hangul = sum(1 for c in sample if "\uac00" <= c <= "\ud7a3")
    kana = sum(1 for c in sample if "\u3040" <= c <= "\u30ff")
    han = sum(1 for c in sample if "\u4e00" <= c <= "\u9fff")
    latin = sum(1 for c in sample if c.isascii() and c.isalpha())
    cjk = hangul + kana + han
    # CJK characters carry about three Latin letters' worth of text each
    if cjk * 3 < latin:
        return "en"
    if hangul >= max(kana, han * 0.5):
        return "ko"
    if kana:
        return "ja"
    return "zh"


def _role(label: str, position: int) -> Role:
    low = label.lower()
    for role, words in (
        ("new", ("new", "contribution", "novel", "idea")),
        ("method", ("technical", "method", "detail", "approach", "how")),
        ("results", ("performance", "result", "highlight", "experiment", "evaluation")),
        ("limits", ("limitation", "weakness", "caveat")),
        ("conclusion", ("conclusion", "takeaway")),
    ):
        if any(w in low for w in words):
            return role
    return ("new", "method", "results")[position] if position < 3 else "lead"


def sentences_of(text: str) -> list[_Sentence]:
    """The usable sentences of a paper, in order, with the part of the paper each sits in."""
    out: list[_Sentence] = []
    part = "title"
    seen: set[str] = set()
    for block in re.split(r"\n\s*\n", text):
        # a heading is a block of its own, or the first line of one (documents.budget writes "heading\nbody")
        first, _, rest = block.strip().partition("\n")
        heading = _heading(one_line(first))
        if heading is not None:
            part = heading
            block = rest
        flat = one_line(block)
        if not flat:
            continue
        if part == "title" and out == [] and not re.search(r"[.!?。]\s*$", flat):
            continue  # the title and author lines before the first section
        if part == "title":
            part = "body"
        if part in _SKIP_PARTS:
            continue
        for raw in sentences(flat):
            sentence = raw.strip()
            if _usable(sentence) and sentence.lower() not in seen:
                seen.add(sentence.lower())
                out.append(_Sentence(len(out), sentence, part))
    return out


def _heading(line: str) -> str | None:
    """The part of the paper a heading line opens (the documents' rule, shared with the PDF and HTML readers)."""
    kind = heading_kind(line.lstrip("#").strip())
    if kind is None or (len(line) > 80 and kind != "table"):  # a table's caption line may be long
        return None
    return "body" if kind == "other" else kind




def _usable(sentence: str) -> bool:
    if not MIN_SENTENCE <= len(sentence) <= MAX_SENTENCE:
        return False
    if _CONTROL.search(sentence) or _CAPTION.match(sentence) or _URL.search(sentence):
        return False
    if not re.search(r"[.!?。！？]$", sentence):
        return False
    letters = sum(1 for c in sentence if c.isalpha())
    if letters < 0.6 * len(sentence.replace(" ", "")):
        return False  # tables, formulas, extraction debris
    if len(_CITATION_LIST.findall(sentence)) > 2:
        return False
    return not re.search(r"\bIn Proc\.|\bProceedings\b|\barXiv:\d", sentence)


def _score(s: _Sentence, role: Role, total: int) -> float:
    cue = sum(w for pattern, w in _CUES[role] if pattern.search(s.text))
    place = _PLACE[role].get(s.part, _PLACE[role].get("body", 0.3))
    if role == "results":
        if _MEASURE.search(s.text):
            cue += 2.5
        elif _NUMBER.search(s.text) and cue:  # a bare number (a table index) is no result by itself
            cue += 1.0
        else:
            cue *= 0.6  # a result without a number says less, but a text may have none
    if role in ("new", "lead"):
        place += 1.0 - s.index / max(total, 1)  # contributions are stated early
    if role == "method" and s.text.lower().startswith(("we ", "our ", "the model", "it ")):
        cue += 0.3
    return cue + place


def _pick(roles: list[Role], sentences: list[_Sentence]) -> list[list[_Sentence]]:
    """Each section takes its best sentences in turns, so no sentence appears twice."""
    total = len(sentences)
    ranked = [sorted(sentences, key=lambda s, r=role: (-_score(s, r, total), s.index)) for role in roles]
    chosen: list[list[_Sentence]] = [[] for _ in roles]
    used: set[int] = set()
    for turn in range(PER_SECTION):
        for k, role in enumerate(roles):
            length = sum(len(s.text) + 1 for s in chosen[k])
            for s in ranked[k]:
                if s.index in used:
                    continue
                score = _score(s, role, total)
                # later turns only take sentences that really carry the section's cue
                if turn > 0 and score < 3.0:
                    break
                if chosen[k] and length + len(s.text) > MAX_SECTION:
                    continue
                if role == "results" and chosen[k] and _numbers(s.text) <= _numbers_of(chosen[k]):
                    continue  # restates results already quoted
                chosen[k].append(s)
                used.add(s.index)
                break
    for k in range(len(roles)):
        if not chosen[k]:  # a text too short to give every section its own sentence
            chosen[k] = [ranked[k][0]]
    return [sorted(c, key=lambda s: s.index) for c in chosen]


def _numbers(text: str) -> set[str]:
    """Quantities with their unit ("2.4x" and "2.4 points" differ)."""
    return {re.sub(r"\s+", "", m.group(0)).lower() for m in _QUANTITY.finditer(text)}


def _numbers_of(sentences: list[_Sentence]) -> set[str]:
    return set().union(*(_numbers(s.text) for s in sentences))


@hookimpl
def register_summarizers(register: Callable[[SummarizerPlugin], None]) -> None:
    register(SummarizerPlugin(
        name="extractive",
        description="offline: quotes the paper's own sentences per section (no network, no key)",
        create=lambda settings: ExtractiveSummarizer(),
    ))
