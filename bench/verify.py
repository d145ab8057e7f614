"""Benchmark (not a test): grounding quality on the generated labelled set, and grounding time per paper.

Quality, on tests/grounding_cases.py (made-up papers with prose, a table, headings and references; one-section
summaries labelled with the claims a careful reader would flag):
- relational-error recall: of the labelled claims in `relational:*` cases (a true number or name attached to
  the wrong benchmark, baseline, qualifier, condition, metric, row or column, or a shortened model name), the
  share flagged. Target >= 0.8.
- precision: of all flags over the whole set, the share that are labelled errors (a flag in a benign rewrite,
  or on a claim the label does not name, is a false flag); and of the claims of benign rewrites, the share kept
  supported. Target >= 0.98.
- one-claim mutation recall: of the labelled claims in `mutation:*` cases (a value, digit, unit, scale or name
  changed, or replaced by a heading, equation, list, citation or reference number), the share flagged. Target
  >= 0.97.
Time, without the judge, on the work step's path: a 20-page synthetic paper (tests/papergen.py) as a Document
(its sections as the text reader makes them, and a results table) indexed as the work step indexes it
(`build_index(document)`: units, tables, prompt-injection filtering), and two summaries (Korean and English, ~15
claims each) checked, in rounds that interleave the papers. Target < 50 ms per paper.

Blind set (the headline): bench/data/grounding_blind (FORMAT.md), real-style summaries and their one-claim edits
written by helpers who had not read verify/. A claim is flagged when the checker publishes it (`unsupported`
and not `undecided`: contradicted or not found); undecided claims are counted apart. Per folder:
- precision: of the flags in base summaries, and of the flags an edit adds to its base summary, the share that
  name a labelled error (a flag and an error match when one contains the other, spaces and case ignored);
- recall: of the labelled errors of the one-claim error edits, the share flagged; realistic: of the realistic
  LLM errors, the share flagged; clean: base summaries with no labelled error and no flag.
`dev`, `seed_day` and the held-out folders after their one reading are looked at while tuning; the newest
held-out folder is not, and is the reported figure.
Targets: precision >= 0.99, recall >= 0.97, realistic >= 0.90.

Run: .venv/bin/python bench/verify.py [--no-time] [--blind-only] [--tuning] [-v]
(--tuning: the looked-at sets only; -v: their false flags and misses)
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import NamedTuple

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / "src"), str(Path(__file__).resolve().parents[1])]

from bench.blind import Case as BlindCase  # noqa: E402
from bench.blind import load_grounding  # noqa: E402
from tests.grounding_cases import Case, cases, score, world  # noqa: E402
from tests.papergen import SynthPaper, make_paper  # noqa: E402
from tests.test_verify_labelled import CASES as HAND_CASES  # noqa: E402

from dailypapers.documents import from_text  # noqa: E402
from dailypapers.models import Document, Section, Summary, TextSection  # noqa: E402
from dailypapers.verify import build_index, verify, verify_text  # noqa: E402
from dailypapers.verify.index import SourceIndex  # noqa: E402

TARGET_MS = 50.0
PAPERS = range(20)
ROUNDS = 5
UNKNOWN_NAMES = ("GPT-4o", "Qwen2.5-7B")  # in every timing summary, in no synthetic paper
BLIND = Path(__file__).resolve().parent / "data" / "grounding_blind"
# tuned on: never the headline. Each held-out folder is read once, then looked at: heldout_b (2026-12-07:
# precision 0.673, recall 0.353, realistic 0.321), heldout_c (2026-12-07: precision 0.889, recall 0.831,
# realistic 0.488), heldout_d (2026-12-07: precision 0.902, recall 0.653, realistic 0.571; tuned on from the
# second session of 2026-12-07, once heldout_e was being written). heldout_e read once (2026-12-07 15:39 UTC:
# precision 0.881, recall 0.661, realistic 0.304), tuned on from 15:50 UTC, once heldout_f was being written.
# heldout_f read once (2026-12-07 16:02 UTC: precision 0.870, recall 0.646, realistic 0.338), tuned on from
# 18:10 UTC, once heldout_g was written. heldout_g read once (2026-12-07 18:13 UTC, the checker of 9c57280:
# precision 0.957, recall 0.649, realistic 0.279), tuned on from then. heldout_h read once (2026-12-07 18:57 UTC:
# precision 0.910, recall 0.815, realistic 0.312), tuned on from 21:15 UTC, once heldout_i was read. heldout_i
# written 2026-12-07 (21:08 UTC) by a helper who had not read verify/, its tests, this benchmark or the git
# history; read once (2026-12-07 21:10 UTC, the checker of e6bed45: precision 0.924, recall 0.723, realistic
# 0.204; the same with g8). heldout_j written 2026-12-07 (21:22 UTC) the same way; read once (22:08 UTC, g8:
# precision 0.928, recall 0.698, realistic 0.243).
LOOKED_AT = ("dev", "heldout_a", "heldout_b", "heldout_c", "heldout_d", "heldout_e", "heldout_f", "heldout_g",
             "heldout_h", "seed_day")
HELD_OUT = tuple(name for name in ("heldout_i", "heldout_j") if (BLIND / name).exists())  # only its figures are read


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


class Flag(NamedTuple):
    """A published (or undecided) claim: as written, and the summary sentence it is in."""

    text: str
    sentence: str = ""


def _hits(flag: Flag, errors: tuple[str, ...]) -> bool:
    """A flag names an error when one contains the other, or when the flagged number sits in the same sentence
    as a wrong name (`83.2%` flagged beside the wrong baseline the label names)."""
    f = _key(flag.text)
    sentence = _key(flag.sentence)
    return any(f in _key(e) or _key(e) in f or (_key(e) in sentence and _NAME_LIKE.search(e)) for e in errors)


_NAME_LIKE = re.compile(r"[A-Z]")  # a wrong name ("CosyVoice 2"), not a wrong number ("about 25%")


def _check(case: BlindCase, index: SourceIndex) -> tuple[list[Flag], list[Flag]]:
    """The published flags of a case's summary (in order, repeats kept) and its undecided claims."""
    flags: list[Flag] = []
    undecided: list[Flag] = []
    for label, text in case.sections.items():
        for c in verify_text(text, index, section_label=label):
            if c.status == "unsupported":
                (undecided if c.undecided else flags).append(Flag(c.text, c.sentence))
    return flags, undecided


_TABLE = re.compile(r"^(Table \d+:[^\n]*)\n((?:[^\n]*\|[^\n]*\n?)+)", re.M)


def paper_document(pid: str, text: str) -> Document:
    """A blind-set paper as the HTML reader gives it: its prose as sections, each `Table N:` block as a table
    section (the caption as heading, one row a line) after them."""
    tables = [TextSection(kind="table", heading=m.group(1).strip(), text=m.group(2).strip())
              for m in _TABLE.finditer(text)]
    doc = from_text(_TABLE.sub("", text), pid)
    return doc.model_copy(update={"sections": (*doc.sections, *tables)})


def blind_folder(name: str) -> dict[str, float]:
    data = load_grounding(BLIND / name)
    indexes = {pid: build_index(paper_document(pid, text)) for pid, text in data.papers.items()}
    base_flags: dict[str, list[Flag]] = {}
    tp = fp = undecided = 0
    false_benign = false_base = clean_base = bases = 0
    caught = {"error": 0, "realistic": 0}
    surfaced = {"error": 0, "realistic": 0}  # flagged or not checked: what a judge is asked about
    total = {"error": 0, "realistic": 0}
    misses: list[str] = []
    false: list[str] = []
    for case in data.cases:
        flags, unsure = _check(case, indexes[case.paper])
        undecided += len(unsure)
        if case.family == "base":
            base_flags[case.id] = flags
            bases += 1
            good = [f for f in flags if _hits(f, case.errors)]
            tp += len(good)
            fp += len(flags) - len(good)
            if len(flags) > len(good):
                false_base += 1
                false.append(f"{case.id}: {[f.text for f in flags if f not in good]}")
            clean_base += not flags and not case.errors
            continue
        added = list(flags)
        for f in base_flags.get(case.base, []):  # the base summary's own flags, by the claim as written
            same = next((a for a in added if a.text == f.text), None)
            if same is not None:
                added.remove(same)
        new_errors = case.errors
        good = [f for f in added if _hits(f, new_errors)]
        tp += len(good)
        fp += len(added) - len(good)
        if len(added) > len(good):
            false_benign += case.family == "benign"
            false.append(f"{case.id} ({case.family}/{case.category}): {[f.text for f in added if f not in good]}")
        if case.family in total:
            labelled = [e for e in case.errors if e in case.edited]
            total[case.family] += len(labelled)
            hit = sum(1 for e in labelled if any(_hits(f, (e,)) for f in flags))
            caught[case.family] += hit
            surfaced[case.family] += sum(1 for e in labelled if any(_hits(f, (e,)) for f in [*flags, *unsure]))
            if hit < len(labelled):
                misses.append(f"{case.id} ({case.family}/{case.category}): {labelled}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = caught["error"] / total["error"] if total["error"] else float("nan")
    realistic = caught["realistic"] / total["realistic"] if total["realistic"] else float("nan")
    benign = sum(1 for c in data.cases if c.family == "benign")
    print(f"  {name}: precision {precision:.3f} ({tp}/{tp + fp} flags)"
          + (f", recall {recall:.3f} ({caught['error']}/{total['error']})" if total["error"] else "")
          + (f", realistic {realistic:.3f} ({caught['realistic']}/{total['realistic']})" if total["realistic"]
             else "")
          + f"; benign edits with a false flag {false_benign}/{benign}, base summaries with one "
            f"{false_base}/{bases} (clean {clean_base}); undecided claims {undecided}")
    if total["error"]:
        print(f"    flagged or not checked (what the judge, when configured, is asked about): errors "
              f"{surfaced['error']}/{total['error']}, realistic {surfaced['realistic']}/{total['realistic']}")
    if "-v" in sys.argv and name not in HELD_OUT:
        for line in false:
            print("    false:", line)
        for line in misses:
            print("    missed:", line)
    return {"precision": precision, "recall": recall, "realistic": realistic}


def blind() -> None:
    print("blind set (bench/data/grounding_blind), flags as published (contradicted or not found):")
    print(" tuned on (looked at):")
    for name in LOOKED_AT:
        blind_folder(name)
    if "--tuning" in sys.argv:
        return  # while tuning: the held-out figures are not looked at
    print(" HELD-OUT (the reported figure; targets precision >= 0.99, recall >= 0.97, realistic >= 0.90):")
    for name in HELD_OUT:
        blind_folder(name)


def quality() -> None:
    indexes: dict[int, SourceIndex] = {}

    def index_of(case: Case) -> SourceIndex:
        if case.world not in indexes:
            doc = world(case.world).document
            assert doc is not None
            indexes[case.world] = build_index(doc)
        return indexes[case.world]

    flags: dict[str, set[str]] = {}
    claims: dict[str, int] = {}
    for case in cases():
        found = verify_text(case.summary, index_of(case))
        flags[case.id] = {c.text for c in found if c.status == "unsupported"}
        claims[case.id] = len(found)

    def flagged(case: Case) -> set[str]:
        return flags[case.id]

    everything = list(cases())
    by_family: dict[str, list[Case]] = defaultdict(list)
    for case in everything:
        by_family[case.family].append(case)
    kinds = Counter(c.kind.split(":", 1)[1] for c in by_family["relational"])
    print(
        f"labelled set: {len(everything)} cases from {len(indexes)} made-up papers — "
        f"{len(by_family['benign'])} benign rewrites, {len(by_family['relational'])} relational errors "
        f"({len(kinds)} kinds), {len(by_family['mutation'])} one-claim mutations"
    )
    rel = score(by_family["relational"], flagged)
    print(
        f"relational-error recall: {rel.recall:.3f} ({rel.tp}/{rel.tp + rel.fn} labelled claims; "
        f"{rel.cases_caught}/{rel.cases_with_errors} cases with at least one flagged) — target >= 0.8"
    )
    for kind in sorted(kinds):
        k = score([c for c in by_family["relational"] if c.kind == f"relational:{kind}"], flagged)
        print(f"    {kind:<20} {k.recall:.2f} ({k.tp}/{k.tp + k.fn})")
    whole = score(everything, flagged)
    benign = by_family["benign"]
    benign_claims = sum(claims[c.id] for c in benign)
    benign_fp = sum(len(flags[c.id]) for c in benign)
    print(
        f"precision: {whole.precision:.3f} of all {whole.tp + whole.fp} flags are labelled errors; benign rewrites: "
        f"{benign_claims - benign_fp}/{benign_claims} claims kept supported "
        f"({(benign_claims - benign_fp) / benign_claims:.3f}), {sum(1 for c in benign if not flags[c.id])}"
        f"/{len(benign)} rewrites with no flag — target >= 0.98"
    )
    mut = score(by_family["mutation"], flagged)
    print(f"one-claim mutation recall: {mut.recall:.3f} ({mut.tp}/{mut.tp + mut.fn}) — target >= 0.97")
    # the older hand-written set (tests/test_verify_labelled.py), written before this checker: less in tune with it
    tp = fp = fn = total = 0
    for source, summary, expected in HAND_CASES:
        found = verify_text(summary, source)
        total += len(found)
        got = {c.text for c in found if c.status == "unsupported"}
        tp, fp, fn = tp + len(got & expected), fp + len(got - expected), fn + len(expected - got)
    print(
        f"hand-written set ({len(HAND_CASES)} cases, {total} claims, {tp + fn} unsupported by label): "
        f"precision {tp / (tp + fp):.3f}, recall {tp / (tp + fn):.3f}"
    )


def _summaries(p: SynthPaper) -> list[Summary]:
    """A Korean and an English summary whose only unsupported claims are the two names no paper has (the Korean
    one starts with the issue's "제안된 구조를 바탕으로": the analyzer is asked about 구조 in every round)."""
    f, a, b = p.facts, p.benchmarks[0], p.benchmarks[1]
    ko = (
        f"제안된 구조를 바탕으로, {p.model_name}은 새로운 학습 방법을 제안합니다. {a}와 {b}에서 평가되었습니다. "
        f"두 벤치마크는 총 {f['tasks']}개의 작업으로 구성됩니다. 모델은 8192 토큰의 문맥을 지원합니다.",
        "학습은 256개 시퀀스의 배치로 진행됩니다. 8개의 가속기를 사용합니다. "
        f"{p.model_name}은 두 단계 절차를 따릅니다. {UNKNOWN_NAMES[0]}와 {UNKNOWN_NAMES[1]}를 기준선으로 사용합니다.",
        f"{a}에서 {f['accuracy']}의 정확도를 달성했습니다. 가장 강한 기준선보다 {f['gain']} 높습니다. "
        f"추론은 {f['speedup']} 빠릅니다. {b}에서도 향상이 일관됩니다.",
    )
    en = (
        f"We read about {p.model_name}, evaluated on {a} and {b}. The suites hold {f['tasks']} tasks. "
        "Its context window is 8192 tokens.",
        "Training uses batches of 256 sequences on 8 accelerators. It follows a two-stage procedure. "
        f"Baselines include {UNKNOWN_NAMES[0]} and {UNKNOWN_NAMES[1]}.",
        f"It reaches {f['accuracy']} accuracy on {a}, {f['gain']} above the baseline. "
        f"Inference is {f['speedup']} faster. Results on {b} are consistent.",
    )
    labels = ("What's New", "Technical Details", "Performance Highlights")
    return [
        Summary(
            paper_id=p.arxiv_id,
            lang=lang,
            sections=tuple(Section(label=lb, text=t) for lb, t in zip(labels, texts, strict=True)),
        )
        for lang, texts in (("ko", ko), ("en", en))
    ]


def _document(p: SynthPaper) -> Document:
    """The paper as the work step gets it: the text reader's sections, and a results table after them."""
    doc = from_text(p.text(), p.arxiv_id)
    f, a, b = p.facts, p.benchmarks[0], p.benchmarks[1]
    acc = float(f["accuracy"].rstrip("%"))
    rows = [f"Model | {a} | {b} | Speed-up", f"{p.model_name} | {acc:.2f} | {acc - 3.5:.2f} | {f['speedup']}"]
    rows += [f"Baseline-{k} | {acc - 4 * k - 1.3:.2f} | {acc - 4 * k - 6.1:.2f} | 1.0x" for k in range(1, 5)]
    table = TextSection(kind="table", heading=f"Table 2: Accuracy (%) on {a} and {b}.", text="\n".join(rows))
    return doc.model_copy(update={"sections": (*doc.sections, table)})


def timing() -> None:
    papers = [make_paper(f"2501.{seed:05d}", pages=20, seed=seed) for seed in PAPERS]
    work = [(_document(p), _summaries(p)) for p in papers]
    for source, summaries in work[:2]:  # warm the regex caches
        index = build_index(source)
        for s in summaries:
            verify(s, index)
    times: list[float] = []
    cpu: list[float] = []  # this thread's CPU time: what the checker costs, whatever else the machine runs
    claims_seen: list[int] = []
    wrong: list[str] = []
    for _ in range(ROUNDS):  # rounds interleave the papers: no paper is timed twice in a row
        for source, summaries in work:
            t0, c0 = time.perf_counter(), time.thread_time()
            index = build_index(source)
            results = [verify(s, index) for s in summaries]
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.thread_time() - c0) * 1000)
            for claims in results:
                claims_seen.append(len(claims))
                flagged = sorted(c.text for c in claims if c.status == "unsupported")
                if flagged != sorted(UNKNOWN_NAMES):
                    wrong.append(f"{flagged}")
    times.sort()
    median = statistics.median(times)
    p95 = times[int(0.95 * (len(times) - 1))]
    chars = statistics.median(len(source.text) for source, _ in work)
    print(
        f"time: {len(papers)} papers of 20 pages (~{chars:.0f} chars, a Document with a table) x {ROUNDS} rounds, "
        f"each indexed once as the work step does and checked against 2 summaries (ko, en; median "
        f"{statistics.median(claims_seen):.0f} claims each), no judge"
    )
    print(
        f"per paper: median {median:.2f} ms, p95 {p95:.2f} ms — target < {TARGET_MS:.0f} ms "
        f"(ratio {median / TARGET_MS:.3f} median, {p95 / TARGET_MS:.3f} p95)"
    )
    print(f"CPU time per paper: median {statistics.median(cpu):.2f} ms (ratio {statistics.median(cpu) / TARGET_MS:.3f})"
          f"; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"summaries flagged other than the 2 unknown names: {len(wrong)} of {len(claims_seen)}"
          + (f", e.g. {wrong[0]}" if wrong else ""))


def main() -> None:
    blind()
    if "--blind-only" not in sys.argv:
        print("generated set (tests/grounding_cases.py): a regression set written from the checker's own "
              "templates, not a measure of accuracy")
        quality()
    if "--no-time" not in sys.argv and "--blind-only" not in sys.argv:
        timing()


if __name__ == "__main__":
    main()
