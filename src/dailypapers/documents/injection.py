"""Text in a paper that addresses the summarizer instead of the reader: a prompt injection.

The summarizer gets the paper inside delimiters, as data, and is told to ignore instructions in it. A model
may still obey, and then a number the injection planted would pass grounding, because it is in the paper's
text. So the sentences that instruct a summarizer are not evidence: `without_instructions` removes them from
the document the claims are checked against (the summarizer still reads the whole paper).

The patterns are deliberately narrow (imperatives aimed at a model or at "the summary"), so that papers about
prompt injection, which quote attacks, lose only those quotes as evidence, not their results.
"""

from __future__ import annotations

import re

from dailypapers.models import Document
from dailypapers.text import sentences

_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget)\s+(?:all\s+|any\s+|the\s+)?(?:previous|prior|above|earlier|preceding|system)\s+"
    r"(?:instructions?|prompts?|rules?|messages?)"
    r"|\b(?:you\s+are\s+now|you\s+must\s+now|act\s+as\s+(?:a|an|the)\s)"
    r"|\b(?:in|for)\s+(?:your|the|this)\s+(?:summary|summaries|digest|answer|response|reply)\b"
    r"|\b(?:when|while)\s+summari[sz]ing\b"
    r"|\b(?:summari[sz]er|language\s+model|LLM|AI\s+assistant|assistant)\s*[,:]\s*(?:please\s+)?"
    r"(?:write|say|state|report|claim|mention|include|output|respond)"
    r"|\b(?:system\s+prompt|new\s+instructions?)\s*:"
    r"|\b(?:state|report|claim|write|say)\s+that\s+(?:this|the)\s+(?:paper|model|method)\s+(?:achieves|reaches|gets)",
    re.IGNORECASE,
)


def instruction_sentences(text: str) -> list[str]:
    """The sentences of `text` that instruct a summarizer."""
    return [s for s in sentences(text) if _INSTRUCTION.search(s)]


def without_instructions(doc: Document) -> Document:
    """The document without the sentences that instruct a summarizer (the same document when it has none)."""
    changed = []
    for section in doc.sections:
        found = instruction_sentences(section.text) if section.text else []
        text = section.text
        for sentence in found:
            text = text.replace(sentence, " ")
        changed.append(section if not found else section.model_copy(update={"text": text}))
    if all(a is b for a, b in zip(changed, doc.sections, strict=True)):
        return doc
    return doc.model_copy(update={"sections": tuple(changed)})
