"""Text in a paper that addresses the summarizer instead of the reader: a prompt injection.

The summarizer gets the paper inside delimiters, as data, and is told to ignore instructions in it. A model
may still obey, and then a number the injection planted would pass grounding, because it is in the paper's
text. So the sentences that instruct a summarizer are not evidence: the checker's evidence units
(`verify.evidence`) test every sentence and table row with `is_instruction` and leave out those that instruct, for
every caller (the work step, `dailypapers verify`, the benchmarks); the summarizer still reads the whole paper.

The patterns are deliberately narrow (imperatives aimed at a model or at "the summary"), so that papers about
prompt injection, which quote attacks, lose only those quotes as evidence, not their results.
"""

from __future__ import annotations

import re

# Matched on lowercased text (a case-insensitive search is several times slower); the lookahead holds the first
# letters of the alternatives, so the search skips the other positions fast.
_INSTRUCTION = re.compile(
    r"(?=[acdfilnrswy])(?:"
    r"\b(?:ignore|disregard|forget)\s+(?:all\s+|any\s+|the\s+)?(?:previous|prior|above|earlier|preceding|system)\s+"
    r"(?:instructions?|prompts?|rules?|messages?)"
    r"|\b(?:you\s+are\s+now|you\s+must\s+now|act\s+as\s+(?:a|an|the)\s)"
    r"|\b(?:in|for)\s+(?:your|the|this)\s+(?:summary|summaries|digest|answer|response|reply)\b"
    r"|\b(?:when|while)\s+summari[sz]ing\b"
    r"|\b(?:summari[sz]er|language\s+model|llm|ai\s+assistant|assistant)\s*[,:]\s*(?:please\s+)?"
    r"(?:write|say|state|report|claim|mention|include|output|respond)"
    r"|\b(?:system\s+prompt|new\s+instructions?)\s*:"
    r"|\b(?:state|report|claim|write|say)\s+that\s+(?:this|the)\s+(?:paper|model|method)\s+(?:achieves|reaches|gets)"
    r")"
)


def is_instruction(text: str, start: int = 0, end: int | None = None) -> bool:
    """Whether text[start:end] (a sentence, a table row) instructs a summarizer. Linear in its length."""
    return _INSTRUCTION.search(text[start:end].lower()) is not None
