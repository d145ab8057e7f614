"""The token budget: what of a paper the LLM reads.

The title and abstract always come first. What is left is shared (`SHARES`) so that every part a summary
needs is there even when one part is long: results/experiments 35 %, method 30 %, introduction 20 %,
conclusion 15 %. A share a part does not use (it is short, or absent) goes to the others in `PRIORITY`
order, then to other sections, and the appendix last. References are never sent. Sections of the same kind
split their kind's share. A section that does not fit whole keeps its leading whole sentences; the kept
parts are emitted in reading order with their headings, so the model still reads a paper, only a shorter one.

The result depends only on the document, `max_tokens`, `BUDGET_VERSION` and the token counter, which is
deterministic (`tokens.COUNTER`): every machine cuts a paper the same way, so cache keys agree.
"""

from __future__ import annotations

from dailypapers.documents.sections import from_text
from dailypapers.documents.tokens import count_tokens
from dailypapers.models import Document, TextSection
from dailypapers.text import sentences

BUDGET_VERSION = "b2"  # bump whenever the selection below changes what is kept

# Lower number = served first with leftovers. References are absent on purpose: they are never sent.
PRIORITY: dict[str, int] = {
    "title": 0, "abstract": 1, "results": 2, "method": 3, "introduction": 4, "conclusion": 5, "other": 6,
    "appendix": 7,
}
# Guaranteed shares of what is left after the title and abstract: a long Experiments section must not push
# the method out, or the model has nothing to write "how it works" from.
SHARES: dict[str, float] = {"results": 0.35, "method": 0.30, "introduction": 0.20, "conclusion": 0.15}
def _render(heading: str, parts: list[str]) -> str:
    body = " ".join(parts)
    return f"{heading}\n{body}" if heading else body


def _fit(section: TextSection, allowance: int, sep: int) -> tuple[list[str], int]:
    """The section whole if it fits in `allowance` tokens, else its heading and leading whole sentences."""
    whole = _render(section.heading, [section.text] if section.text else [])
    cost = count_tokens(whole) + sep
    if cost <= allowance:
        return ([section.text] if section.text else []), cost
    used = (count_tokens(section.heading + "\n") if section.heading else 0) + sep
    kept: list[str] = []
    for sentence in sentences(section.text):
        t = count_tokens(sentence + " ")
        if used + t > allowance:
            break
        kept.append(sentence)
        used += t
    return (kept, used) if kept else ([], 0)


def _select(doc: Document, max_tokens: int) -> str:
    members: dict[str, list[int]] = {}
    for i, sec in enumerate(doc.sections):
        if sec.kind in PRIORITY and (sec.text or sec.heading):
            members.setdefault(sec.kind, []).append(i)
    # what each section would cost whole (with the blank line between parts)
    need = {i: count_tokens(_render(doc.sections[i].heading, [doc.sections[i].text])) + 2
            for ids in members.values() for i in ids}
    alloc = dict.fromkeys(need, 0)
    remaining = max_tokens

    def give(ids: list[int], amount: int) -> int:
        """Spread `amount` over `ids`, smallest first, so what a small one does not use goes to the next."""
        spent = 0
        ids = sorted(ids, key=lambda i: need[i] - alloc[i])
        for n, i in enumerate(ids):
            extra = min(need[i] - alloc[i], (amount - spent) // (len(ids) - n))
            alloc[i] += extra
            spent += extra
        return spent

    for kind in ("title", "abstract"):
        remaining -= give(members.get(kind, []), remaining)
    pool = remaining
    for kind, share in SHARES.items():
        remaining -= give(members.get(kind, []), int(pool * share))
    for kind in sorted(members, key=lambda k: PRIORITY[k]):  # leftovers, in priority order
        remaining -= give(members[kind], remaining)
    chosen: dict[int, list[str]] = {}
    for i in sorted(alloc):
        if alloc[i] > 0:
            kept, _ = _fit(doc.sections[i], alloc[i], 2)
            if kept or doc.sections[i].kind == "title":
                chosen[i] = kept
    return "\n\n".join(_render(doc.sections[i].heading, chosen[i]) for i in sorted(chosen))


def budget(doc: Document | str, max_tokens: int) -> str:
    """The paper cut to at most `max_tokens` tokens (see the module docstring for what is kept first)."""
    if isinstance(doc, str):
        doc = from_text(doc, "")
    if max_tokens <= 0:
        return ""
    target = max_tokens
    out = _select(doc, target)
    # per-piece counts can differ slightly from the count of the joined text; shrink until it truly fits
    while out and count_tokens(out) > max_tokens and target > 0:
        target -= max(1, count_tokens(out) - max_tokens)
        out = _select(doc, target)
    return out
