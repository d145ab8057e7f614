"""The token budget: what of a paper the LLM reads.

The title and abstract always come first. What is left is shared (`SHARES`) so that every part a summary
needs is there even when one part is long: results/experiments 35 %, method 30 %, introduction 20 %,
conclusion 15 %. A share a part does not use (it is short, or absent) goes to the others in `PRIORITY`
order, then to other sections, and the appendix last. References are never sent. Sections of the same kind
split their kind's share. A section that does not fit whole keeps its leading whole sentences; the kept
parts are emitted in reading order with their headings, so the model still reads a paper, only a shorter one.

Tables are results: they live on the results share, but only on what the results prose leaves of it, and
among the leftovers they come after the method, introduction and conclusion, so a paper full of tables
never crowds out how its method works. A table after the references or an appendix counts as appendix. A
table that does not fit whole keeps its header and leading rows, and is written as its caption line
("Table 3: ...", the line `sections.heading_kind` reads as a table) followed by its rows.

The result depends only on the document, `max_tokens`, `BUDGET_VERSION` and the token counter, which is
deterministic (`tokens.COUNTER`): every machine cuts a paper the same way, so cache keys agree.
"""

from __future__ import annotations

from dailypapers.documents.sections import TABLE_HEADING
from dailypapers.documents.tokens import count_tokens
from dailypapers.models import Document, TextSection
from dailypapers.text import sentences

BUDGET_VERSION = "b2"  # bump whenever the selection below changes what is kept (tables came with
# their own kind, so no document of before keeps anything else: "b2" still holds)

# Lower number = served first with leftovers. References are absent on purpose: they are never sent.
PRIORITY: dict[str, int] = {
    "title": 0, "abstract": 1, "results": 2, "method": 3, "introduction": 4, "conclusion": 5, "table": 6,
    "other": 7, "appendix": 8,
}
# Guaranteed shares of what is left after the title and abstract: a long Experiments section must not push
# the method out, or the model has nothing to write "how it works" from.
SHARES: dict[str, float] = {"results": 0.35, "method": 0.30, "introduction": 0.20, "conclusion": 0.15}


def _heading(section: TextSection) -> str:
    if section.kind == "table" and not TABLE_HEADING.match(section.heading):
        return f"Table: {section.heading}"  # an unnumbered caption: still read as a table's first line
    return section.heading


def _render(section: TextSection, parts: list[str]) -> str:
    body = ("\n" if section.kind == "table" else " ").join(parts)
    heading = _heading(section)
    return f"{heading}\n{body}" if heading else body


def _pieces(section: TextSection) -> list[str]:
    """What a section is cut into: a table's rows, or sentences."""
    return section.text.split("\n") if section.kind == "table" else sentences(section.text)


def _fit(section: TextSection, allowance: int, sep: int) -> tuple[list[str], int]:
    """The section whole if it fits in `allowance` tokens, else its heading and leading whole pieces."""
    whole = _render(section, [section.text] if section.text else [])
    cost = count_tokens(whole) + sep
    if cost <= allowance:
        return ([section.text] if section.text else []), cost
    heading = _heading(section)
    used = (count_tokens(heading + "\n") if heading else 0) + sep
    kept: list[str] = []
    for sentence in _pieces(section):
        t = count_tokens(sentence + " ")
        if used + t > allowance:
            break
        kept.append(sentence)
        used += t
    return (kept, used) if kept else ([], 0)


def _select(doc: Document, max_tokens: int) -> str:
    members: dict[str, list[int]] = {}
    back_matter = False  # past the references or an appendix: a table there is the appendix's
    for i, sec in enumerate(doc.sections):
        back_matter = back_matter or sec.kind in ("references", "appendix")
        kind = "appendix" if sec.kind == "table" and back_matter else sec.kind
        if kind in PRIORITY and (sec.text or sec.heading):
            members.setdefault(kind, []).append(i)
    # what each section would cost whole (with the blank line between parts)
    need = {i: count_tokens(_render(doc.sections[i], [doc.sections[i].text])) + 2
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
        amount = int(pool * share)
        spent = give(members.get(kind, []), amount)
        if kind == "results":  # tables are results: they get what the results prose leaves of its share
            spent += give(members.get("table", []), amount - spent)
        remaining -= spent
    for kind in sorted(members, key=lambda k: PRIORITY[k]):  # leftovers, in priority order
        remaining -= give(members[kind], remaining)
    chosen: dict[int, list[str]] = {}
    for i in sorted(alloc):
        if alloc[i] > 0:
            kept, _ = _fit(doc.sections[i], alloc[i], 2)
            if kept or doc.sections[i].kind == "title":
                chosen[i] = kept
    return "\n\n".join(_render(doc.sections[i], chosen[i]) for i in sorted(chosen))


def budget(doc: Document, max_tokens: int) -> str:
    """The paper cut to at most `max_tokens` tokens (see the module docstring for what is kept first)."""
    if max_tokens <= 0:
        return ""
    target = max_tokens
    out = _select(doc, target)
    # per-piece counts can differ slightly from the count of the joined text; shrink until it truly fits
    while out and count_tokens(out) > max_tokens and target > 0:
        target -= max(1, count_tokens(out) - max_tokens)
        out = _select(doc, target)
    return out
