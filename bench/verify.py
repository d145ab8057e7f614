"""Benchmark (not a test): grounding time per paper, index build included, against the 50 ms target.

For several seeds: a 20-page synthetic paper (tests/papergen.py) and two summaries of ~12 sentences with
~15 claims each, one Korean and one English. Prints median and p95 ms per paper and the ratio to the target.
Run: /work/venv/bin/python bench/verify.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / "src"), str(Path(__file__).resolve().parents[1])]

from tests.papergen import SynthPaper, make_paper  # noqa: E402

from dailypapers.models import Section, Summary  # noqa: E402
from dailypapers.verify import verify  # noqa: E402

TARGET_MS = 50.0
SEEDS = range(20)
REPEATS = 5


def _summaries(p: SynthPaper) -> list[Summary]:
    f, a, b = p.facts, p.benchmarks[0], p.benchmarks[1]
    ko = (
        f"{p.model_name}은 새로운 학습 방법을 제안합니다. {a}와 {b}에서 평가되었습니다. "
        f"두 벤치마크는 총 {f['tasks']}개의 작업으로 구성됩니다. 모델은 8192 토큰의 문맥을 지원합니다.",
        "학습은 256개 시퀀스의 배치로 진행됩니다. 8개의 가속기를 사용합니다. "
        f"{p.model_name}은 두 단계 절차를 따릅니다. GPT-4o와 Qwen2.5-7B를 기준선으로 사용합니다.",
        f"{a}에서 {f['accuracy']}의 정확도를 달성했습니다. 가장 강한 기준선보다 {f['gain']} 높습니다. "
        f"추론은 {f['speedup']} 빠릅니다. {b}에서도 약 {f['accuracy']} 수준입니다.",
    )
    en = (
        f"We read about {p.model_name}, evaluated on {a} and {b}. The suites hold {f['tasks']} tasks. "
        "Its context window is 8192 tokens.",
        "Training uses batches of 256 sequences on 8 accelerators. It follows a two-stage procedure. "
        "Baselines include GPT-4o and Qwen2.5-7B.",
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


def main() -> None:
    times: list[float] = []
    claims_seen: list[int] = []
    unsupported = 0  # GPT-4o and Qwen2.5-7B are not in the synthetic papers: 2 per summary expected
    for seed in SEEDS:
        paper = make_paper(f"2501.{seed:05d}", pages=20, seed=seed)
        source = paper.text()
        for summary in _summaries(paper):
            verify(summary, source)  # warm the regex cache
            for _ in range(REPEATS):
                t0 = time.perf_counter()
                claims = verify(summary, source)
                times.append((time.perf_counter() - t0) * 1000)
            claims_seen.append(len(claims))
            unsupported += sum(c.status == "unsupported" for c in claims)
    times.sort()
    median = statistics.median(times)
    p95 = times[int(0.95 * (len(times) - 1))]
    chars = len(make_paper("2501.00000", pages=20, seed=0).text())
    print(f"verify: {len(SEEDS)} papers x 2 summaries (ko, en) x {REPEATS} runs, 20 pages (~{chars} chars)")
    print(
        f"claims per summary: median {statistics.median(claims_seen):.0f}, min {min(claims_seen)}, "
        f"max {max(claims_seen)}; unsupported per summary {unsupported / len(claims_seen):.1f}"
    )
    print(f"per paper (index build + check): median {median:.2f} ms, p95 {p95:.2f} ms")
    print(
        f"ratio to the {TARGET_MS:.0f} ms target: median {median / TARGET_MS:.3f}, p95 {p95 / TARGET_MS:.3f}"
    )


if __name__ == "__main__":
    main()
