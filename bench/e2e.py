"""End-to-end benchmark of `dailypapers digest` (not a test).

A day of 23 and one of 50 papers served by the HF/arXiv stand-in (generated 20-page PDFs; 90 % of the papers
also have arXiv HTML, as most new submissions do), summarized through the stand-in OpenAI server at a
realistic latency (1.5 s + 25 ms per output token) with --concurrency 8. arXiv politeness is at its defaults
(query API: one request per 3 s; full texts: bursts of 4 per 2 s), all endpoints on one stand-in host. The
digest runs as a subprocess, exactly as a user runs it, and this script prints, per day:

- wall / ideal, where ideal = (sum of the LLM latencies the stand-in imposed) / concurrency. Target <= 1.2
  with the default pacing (<= 1.15 with --pacing off).
  Note the floor: 50 equal calls on 8 slots take ceil(50/8) = 7 rounds, not 6.25, so about 1.12 is the best
  any scheduler can do with near-equal latencies.
- the pipeline's own overhead, two ways:
  * wall overhead = (wall - LLM-bound makespan) / wall, where the makespan is what the observed LLM latencies
    take on `concurrency` slots with zero cost for everything else (list scheduling in arrival order): the time
    the pipeline adds (start-up, fetching, PDF text, verification, storage, rendering) that is not hidden
    behind LLM waits. Target <= 5 %.
  * CPU share = CPU seconds of the digest process / its wall time: all the work it does, hidden or not.
- a re-run of the same day: LLM calls (target 0) and wall time including start-up (target < 1.0 s at 50
  papers).
- the peak memory (max RSS) of the digest process: run two day sizes (e.g. --papers 50,500) to see that it is
  flat in the number of papers beyond a fixed base (the models, the analyzer, the interpreter).
- the fixed costs: the time from launch to the first LLM request (target <= 0.5 s once documents are cached;
  on a first run it includes listing and fetching), from the last LLM reply to the end of the process
  (storing, publishing, exit), and the import costs measured apart in fresh interpreters (CPU seconds, as the
  machine may be shared): the CLI, the run path (`dailypapers.api`) and the OpenAI SDK.

Run: python bench/e2e.py [--papers 23,50] [--concurrency 8] [--pages 20] [--pacing default|off] [--html 0.9]
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import heapq
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.papergen import make_paper  # noqa: E402
from tests.standins.hf_arxiv import HfArxivStandIn  # noqa: E402
from tests.standins.openai_server import OpenAIStandIn  # noqa: E402

DAY = dt.date(2026, 6, 12)


def run_digest(env: dict[str, str], out: Path, concurrency: int, *, force: bool = False
               ) -> tuple[float, float, subprocess.CompletedProcess, float, float]:
    """Wall and CPU seconds of one digest, its process, its launch time on the stand-ins' clock and its peak
    resident memory in MiB (this child's own, from wait4: RUSAGE_CHILDREN's peak is the largest of all
    children so far)."""
    launched = time.monotonic()
    t0 = time.perf_counter()
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-m", "dailypapers", "digest", DAY.isoformat(), "--out", str(out),
             "--concurrency", str(concurrency), *(["--force"] if force else [])],
            env=env, stdout=stdout, stderr=stderr, text=True,
        )
        killer = threading.Timer(1800, child.kill)  # a hung digest ends the benchmark, not the machine's day
        killer.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            killer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait for it again
        wall = time.perf_counter() - t0
        stdout.seek(0)
        stderr.seek(0)
        proc = subprocess.CompletedProcess(child.args, child.returncode, stdout.read(), stderr.read())
    cpu = usage.ru_utime + usage.ru_stime
    if proc.returncode != 0:
        sys.exit(f"digest failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return wall, cpu, proc, launched, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def import_cost(module: str, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of `import module` in a fresh interpreter, less the interpreter's own start."""
    def one(code: str) -> tuple[float, float]:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], env=env, check=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

    bare = min(one("pass") for _ in range(3))
    loaded = min(one(f"import {module}") for _ in range(3))
    return loaded[0] - bare[0], loaded[1] - bare[1]


def fixed_costs(env: dict[str, str]) -> None:
    costs = {m: import_cost(m, env) for m in ("dailypapers.cli", "dailypapers.api", "openai")}
    print("import costs, best of 3 in fresh interpreters (wall / CPU s): "
          + "; ".join(f"{m} {w:.2f} / {c:.2f}" for m, (w, c) in costs.items()))


def makespan(latencies: list[float], slots: int) -> float:
    """Finish time of `latencies` run in order on `slots` parallel slots, each call starting when a slot frees."""
    free = [0.0] * slots
    for latency in latencies:
        heapq.heappush(free, heapq.heappop(free) + latency)
    return max(free)


def compiled() -> None:
    """The package's bytecode written first, as an install has it: with PYTHONDONTWRITEBYTECODE set (as on CI
    and here), each fresh process would otherwise compile every module it imports, each time."""
    compileall.compile_dir(str(ROOT / "src"), quiet=1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--papers", default="23,50", help="paper counts, one day each")
    ap.add_argument("--pacing", choices=("default", "off"), default="default")
    ap.add_argument("--html", type=float, default=0.9, help="share of papers with arXiv HTML")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--pages", type=int, default=20)
    ap.add_argument("--base", type=float, default=1.5, help="LLM latency per call, seconds")
    ap.add_argument("--per-token", type=float, default=0.025, help="LLM latency per output token, seconds")
    args = ap.parse_args()
    compiled()
    peaks = {papers: one_day(args, papers) for papers in (int(n) for n in args.papers.split(","))}
    if len(peaks) > 1:
        (small, low), (large, high) = min(peaks.items()), max(peaks.items())
        print(f"\npeak memory: {low:.0f} MiB at {small} papers, {high:.0f} MiB at {large}: "
              f"{(high - low) / (large - small):.3f} MiB a paper beyond the base")
    fixed_costs({**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])})


def one_day(args: argparse.Namespace, papers: int) -> float:
    """One day's figures, printed; returns the first run's peak memory (MiB)."""
    target = 1.2 if args.pacing == "default" else 1.15
    with tempfile.TemporaryDirectory() as tmp, HfArxivStandIn() as hf, OpenAIStandIn(
        latency_base=args.base, latency_per_token=args.per_token
    ) as llm:
        t0 = time.perf_counter()
        for i in range(papers):
            spread = int((i + 1) * args.html) > int(i * args.html)  # the HTML share, spread over the day
            hf.add_paper(make_paper(f"2606.{20000 + i}", pages=args.pages), day=DAY, upvotes=100 - i, html=spread)
        print(f"\n== {papers} papers x {args.pages} pages ({len(hf.html)} with HTML), pacing {args.pacing}; "
              f"generated in {time.perf_counter() - t0:.1f} s")
        stand_in = hf.env()
        if args.pacing == "default":  # the product's own politeness settings, not the stand-in's zeros
            for name in ("ARXIV_MIN_INTERVAL", "HF_MIN_INTERVAL"):
                stand_in.pop(f"DAILYPAPERS_{name}", None)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")},
            **stand_in,
            "HOME": tmp,
            "XDG_DATA_HOME": f"{tmp}/data",
            "XDG_CONFIG_HOME": f"{tmp}/config",
            "DAILYPAPERS_DB": f"{tmp}/bench.db",
            "DAILYPAPERS_LLM_BASE_URL": llm.base_url,
            "DAILYPAPERS_LLM_MODEL": "standin-model",
            "DAILYPAPERS_LLM_API_KEY": "sk-bench",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
        }
        out = Path(tmp) / "day.md"
        wall, cpu, proc, launched, peak = run_digest(env, out, args.concurrency)
        calls = llm.calls
        requests = llm.requests()
        ideal = sum(llm.latencies) / args.concurrency
        floor_rounds = -(-calls // args.concurrency)
        print(f"first run: {calls} LLM calls, sum of LLM latencies {sum(llm.latencies):.1f} s, "
              f"mean {sum(llm.latencies) / max(calls, 1):.2f} s/call")
        print(f"wall {wall:.2f} s, ideal {ideal:.2f} s (sum / {args.concurrency}); "
              f"scheduling floor {floor_rounds} rounds")
        print(f"ratio wall/ideal = {wall / ideal:.3f} (target <= {target})")
        bound = makespan(list(llm.latencies), args.concurrency)
        print(f"LLM-bound makespan {bound:.2f} s; wall overhead = ({wall:.2f} - {bound:.2f}) / {wall:.2f} = "
              f"{100 * (wall - bound) / wall:.1f} % (target <= 5 %)")
        print(f"CPU share = CPU {cpu:.2f} s / wall {wall:.2f} s = {100 * cpu / wall:.1f} %")
        print("   " + proc.stdout.strip().splitlines()[-2])
        print(f"peak memory of the digest process (max RSS): {peak:.0f} MiB")
        if requests:
            first = min(r.at for r in requests) - launched
            last_reply = max(r.at + d for r, d in zip(requests, llm.latencies, strict=False)) - launched
            print(f"fixed costs: launch to first LLM request {first:.2f} s (listing and fetching included); "
                  f"last LLM reply to exit {wall - last_reply:.2f} s")

        wall2, cpu2, _, _, _ = run_digest(env, out, args.concurrency)
        print(f"re-run: {llm.calls - calls} LLM calls (target 0), wall {wall2:.2f} s incl. start-up "
              f"(target < 1.0 s), CPU {cpu2:.2f} s")

        # the documents are cached now: a forced run shows how soon the first call starts when none is fetched
        before = len(llm.requests())
        wall3, cpu3, _, launched3, _ = run_digest(env, out, args.concurrency, force=True)
        forced = llm.requests()[before:]
        if forced:
            print(f"forced run over cached documents: launch to first LLM request "
                  f"{min(r.at for r in forced) - launched3:.2f} s (target <= 0.5 s); wall {wall3:.2f} s, "
                  f"CPU {cpu3:.2f} s")
    return peak


if __name__ == "__main__":
    main()
