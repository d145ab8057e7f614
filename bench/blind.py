"""Blind evaluation sets: load and validate (no product code is imported here, so whoever writes a set can
check its form without seeing what it will measure).

    .venv/bin/python bench/blind.py grounding bench/data/grounding_blind/dev
    .venv/bin/python bench/blind.py retrieval bench/data/retrieval_blind
    .venv/bin/python bench/blind.py injection bench/data/injection_blind

Formats: bench/data/*/FORMAT.md.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

SECTIONS = ("What's New", "Technical Details", "Performance Highlights")
EDIT_KINDS = ("benign", "error", "realistic")
REALISTIC = ("wrong-benchmark", "wrong-baseline", "wrong-model-size", "wrong-condition", "wrong-metric",
             "swapped-values", "predecessor-name", "derived-number", "other")


class Invalid(ValueError):
    pass


def read_jsonl(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise Invalid(f"{path}:{n}: not JSON: {exc}") from None
        if not isinstance(row, dict):
            raise Invalid(f"{path}:{n}: not an object")
        row["_where"] = f"{path.name}:{n}"
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------------------------- grounding


@dataclass(frozen=True)
class BaseSummary:
    id: str
    paper: str
    lang: str
    sections: dict[str, str]
    errors: tuple[str, ...]


@dataclass(frozen=True)
class Case:
    """One summary to check: a base summary, or a base summary with one edit applied."""

    id: str
    paper: str
    lang: str
    family: str  # base | benign | error | realistic
    category: str
    sections: dict[str, str]
    errors: tuple[str, ...]  # the wrong claims as written
    edited_section: str | None = None
    edited: str = ""  # the replacement text (errors are substrings of it)
    base: str = ""  # the id of the base summary an edit was made on


@dataclass
class GroundingSet:
    root: Path
    papers: dict[str, str] = field(default_factory=dict)  # id -> text
    cases: list[Case] = field(default_factory=list)


def load_grounding(root: Path) -> GroundingSet:
    out = GroundingSet(root)
    for path in sorted((root / "papers").glob("*.txt")):
        out.papers[path.stem.replace("_", "/")] = path.read_text(encoding="utf-8")
    bases: dict[str, BaseSummary] = {}
    for row in read_jsonl(root / "summaries.jsonl"):
        where = row["_where"]
        sections = row.get("sections")
        if not isinstance(sections, dict) or not sections:
            raise Invalid(f"{where}: no sections")
        if row.get("paper") not in out.papers:
            raise Invalid(f"{where}: paper {row.get('paper')!r} has no papers/<id>.txt")
        for err in row.get("errors", []):
            if not any(err in text for text in sections.values()):
                raise Invalid(f"{where}: error {err!r} is not in the summary")
        base = BaseSummary(row["id"], row["paper"], row.get("lang", "ko"), dict(sections),
                           tuple(row.get("errors", [])))
        if base.id in bases:
            raise Invalid(f"{where}: summary id {base.id} twice")
        bases[base.id] = base
        out.cases.append(Case(base.id, base.paper, base.lang, "base", "base", base.sections, base.errors))
    seen: set[str] = set()
    for name in ("edits.jsonl", "realistic.jsonl"):
        path = root / name
        if not path.exists():
            continue
        for row in read_jsonl(path):
            out.cases.append(_edit_case(row, bases, seen))
    return out


def _edit_case(row: dict, bases: dict[str, BaseSummary], seen: set[str]) -> Case:
    where = row["_where"]
    for key in ("id", "summary", "section", "original", "edited", "kind", "errors"):
        if key not in row:
            raise Invalid(f"{where}: no {key!r}")
    if row["id"] in seen:
        raise Invalid(f"{where}: edit id {row['id']} twice")
    seen.add(row["id"])
    base = bases.get(row["summary"])
    if base is None:
        raise Invalid(f"{where}: no base summary {row['summary']!r}")
    kind = row["kind"]
    if kind not in EDIT_KINDS:
        raise Invalid(f"{where}: kind {kind!r} is not one of {EDIT_KINDS}")
    section = row["section"]
    if section not in base.sections:
        raise Invalid(f"{where}: the summary has no section {section!r}")
    text = base.sections[section]
    if row["original"] not in text:
        raise Invalid(f"{where}: `original` is not an exact substring of {base.id}'s {section}")
    if row["original"] == row["edited"]:
        raise Invalid(f"{where}: `edited` is the same as `original`")
    errors = tuple(row["errors"])
    if kind == "benign" and errors:
        raise Invalid(f"{where}: a benign edit lists errors")
    if kind != "benign" and not errors:
        raise Invalid(f"{where}: an {kind} edit lists no error")
    if kind == "realistic" and row.get("category") not in REALISTIC:
        raise Invalid(f"{where}: realistic category {row.get('category')!r} is not one of {REALISTIC}")
    for err in errors:
        if err not in row["edited"]:
            raise Invalid(f"{where}: error {err!r} is not an exact substring of `edited`")
    sections = dict(base.sections)
    sections[section] = text.replace(row["original"], row["edited"], 1)
    # the base summary's own errors stay errors where the edit kept them
    kept = tuple(e for e in base.errors if any(e in t for t in sections.values()))
    return Case(row["id"], base.paper, base.lang, kind, str(row.get("category", "")), sections, errors + kept,
                section, row["edited"], base.id)


def check_grounding(root: Path) -> str:
    s = load_grounding(root)
    fam = Counter(c.family for c in s.cases)
    langs = Counter(c.lang for c in s.cases if c.family == "base")
    cats = Counter(c.category for c in s.cases if c.family == "realistic")
    for pid, text in s.papers.items():
        if not re.search(r"^Abstract$", text, re.M):
            raise Invalid(f"papers/{pid}.txt: no 'Abstract' line")
        if not re.search(r"^References$", text, re.M):
            raise Invalid(f"papers/{pid}.txt: no 'References' line")
        if not re.search(r"^Table \d+:", text, re.M):
            raise Invalid(f"papers/{pid}.txt: no 'Table N:' line")
    return (f"{root}: {len(s.papers)} papers; {fam['base']} summaries ({dict(langs)}); {fam['benign']} benign edits, "
            f"{fam['error']} error edits, {fam['realistic']} realistic errors {dict(cats)}")


# ---------------------------------------------------------------------------------------------- retrieval


@dataclass
class RetrievalSet:
    papers: list[dict]
    queries: list[dict]
    profiles: list[dict]


def load_retrieval(root: Path) -> RetrievalSet:
    papers = read_jsonl(root / "papers.jsonl")
    ids = [p.get("id") for p in papers]
    if len(set(ids)) != len(ids):
        raise Invalid("papers.jsonl: an id twice")
    known = set(ids)
    for p in papers:
        for key in ("id", "title", "abstract"):
            if not isinstance(p.get(key), str) or not p[key].strip():
                raise Invalid(f"{p['_where']}: no {key}")
    queries = read_jsonl(root / "queries.jsonl")
    for q in queries:
        if not isinstance(q.get("query"), str) or not q["query"].strip():
            raise Invalid(f"{q['_where']}: no query")
        rel = q.get("relevant")
        if not isinstance(rel, dict) or not rel:
            raise Invalid(f"{q['_where']}: no relevant papers")
        for pid, grade in rel.items():
            if pid not in known or grade not in (1, 2):
                raise Invalid(f"{q['_where']}: relevant {pid!r}: unknown paper or grade not 1/2")
    profiles = read_jsonl(root / "profiles.jsonl") if (root / "profiles.jsonl").exists() else []
    for pr in profiles:
        for key in ("liked", "held_out"):
            if not pr.get(key) or any(pid not in known for pid in pr[key]):
                raise Invalid(f"{pr['_where']}: {key}: missing or an unknown paper")
    return RetrievalSet(papers, queries, profiles)


def check_retrieval(root: Path) -> str:
    s = load_retrieval(root)
    langs = Counter(q.get("lang", "?") for q in s.queries)
    return f"{root}: {len(s.papers)} papers, {len(s.queries)} queries {dict(langs)}, {len(s.profiles)} profiles"


# ---------------------------------------------------------------------------------------------- injection


def load_injection(root: Path) -> dict[str, list[dict]]:
    out = {}
    for name in ("dev", "heldout"):
        rows = read_jsonl(root / f"{name}.jsonl")
        for r in rows:
            if not isinstance(r.get("text"), str) or r.get("label") not in ("injection", "ordinary"):
                raise Invalid(f"{r['_where']}: needs text and label injection|ordinary")
        out[name] = rows
    return out


def check_injection(root: Path) -> str:
    sets = load_injection(root)
    return "; ".join(f"{k}: {dict(Counter(r['label'] for r in v))}" for k, v in sets.items())


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("grounding", "retrieval", "injection"):
        print(__doc__)
        return 2
    check = {"grounding": check_grounding, "retrieval": check_retrieval, "injection": check_injection}[argv[0]]
    try:
        print(check(Path(argv[1])))
    except (Invalid, OSError, KeyError) as exc:
        print(f"invalid: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
