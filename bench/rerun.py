"""Re-run benchmark (not a test): how long a re-run of a finished day takes, as a user runs it.

A day of N papers served by the HF/arXiv stand-in (generated PDFs; 90 % also with arXiv HTML) is digested once
through the stand-in OpenAI server (no latency: only the re-run is measured). Then, each in a fresh process:

- `digest DAY` again (the edition done, nothing changed): target < 1.0 s at 50 papers, < 1.5 s at 500;
- `run DAY` (the daily job: digest, the default publishers, delivery) once to deliver to a Slack stand-in,
  then again with nothing due;

printed as the best and the median of --runs wall and CPU times (CPU time is what a shared, loaded machine
distorts least), with the LLM calls the re-runs made (target 0). `--profile` writes a cProfile of one more
`digest` re-run to rerun-N.prof in the current folder.

    python bench/rerun.py [--papers 50,500] [--runs 5] [--pages 2] [--profile] [--src ../main/src]
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.papergen import make_paper  # noqa: E402
from tests.standins.hf_arxiv import HfArxivStandIn  # noqa: E402
from tests.standins.openai_server import OpenAIStandIn  # noqa: E402
from tests.standins.slack import SlackStandIn  # noqa: E402

DAY = dt.date(2026, 6, 12)
TARGETS = {50: 1.0, 500: 1.5}


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=3600)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(args[2:])} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def line(name: str, ts: list[tuple[float, float]], target: float | None) -> str:
    walls, cpus = [w for w, _ in ts], [c for _, c in ts]
    goal = f" (target < {target} s)" if target is not None else ""
    return (f"  {name:<22} wall {min(walls):.3f} / {statistics.median(walls):.3f} s   "
            f"CPU {min(cpus):.3f} / {statistics.median(cpus):.3f} s{goal}")


def one_day(args: argparse.Namespace, papers: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, HfArxivStandIn() as hf, OpenAIStandIn() as llm, \
            SlackStandIn() as slack:
        # the code as it is now, copied: an edit made while the bench runs would be another code, which does
        # the work again (`codehash.package_hash`)
        src = Path(tmp) / "src"
        shutil.copytree(args.src / "dailypapers", src / "dailypapers",
                        ignore=shutil.ignore_patterns("__pycache__"))
        compiled(src)
        t0 = time.perf_counter()
        for i in range(papers):
            html = int((i + 1) * 0.9) > int(i * 0.9)
            hf.add_paper(make_paper(f"2606.{20000 + i}", pages=args.pages), day=DAY, upvotes=1000 - i, html=html)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")},
            **hf.env(),
            "HOME": tmp, "XDG_DATA_HOME": f"{tmp}/data", "XDG_CONFIG_HOME": f"{tmp}/config",
            "DAILYPAPERS_DB": f"{tmp}/bench.db",
            "DAILYPAPERS_OUT_DIR": f"{tmp}/digests",
            "DAILYPAPERS_LLM_BASE_URL": llm.base_url,
            "DAILYPAPERS_LLM_MODEL": "standin-model",
            "DAILYPAPERS_LLM_API_KEY": "sk-bench",
            **{f"DAILYPAPERS_{k.upper()}": v for k, v in slack.settings_kwargs().items()},
            "DAILYPAPERS_REFRESH_DAYS": "0",
            "PYTHONPATH": os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")]),
        }
        cli = [sys.executable, "-m", "dailypapers"]
        digest = [*cli, "digest", DAY.isoformat()]
        daily = [*cli, "run", DAY.isoformat()]
        first = timed(digest, env)
        calls = llm.calls
        delivered = timed(daily, env)
        sent = len(slack.posted)
        print(f"\n== {papers} papers x {args.pages} pages; generated in {time.perf_counter() - t0 - first[0]:.1f} s; "
              f"first digest {first[0]:.1f} s ({calls} LLM calls); first run ({sent} Slack messages) "
              f"{delivered[0]:.1f} s")
        times: dict[str, list[tuple[float, float]]] = {"digest (re-run)": [], "run (re-run)": []}
        for _ in range(args.runs):  # interleaved: load on a shared machine spreads over both alike
            times["digest (re-run)"].append(timed(digest, env))
            times["run (re-run)"].append(timed(daily, env))
        print(f"{args.runs} runs each, best / median; {llm.calls - calls} LLM calls, "
              f"{len(slack.posted) - sent} Slack messages in the re-runs (target 0):")
        for name, ts in times.items():
            print(line(name, ts, TARGETS.get(papers)))
        if args.profile:
            out = Path.cwd() / f"rerun-{papers}.prof"
            timed([sys.executable, "-m", "cProfile", "-o", str(out), "-m", "dailypapers", "digest", DAY.isoformat()],
                  env)
            print(f"  profile of a digest re-run: {out}")


def compiled(src: Path) -> None:
    """The package's bytecode written first, as an install has it: with PYTHONDONTWRITEBYTECODE set (as on CI
    and here), each fresh process would otherwise compile every module it imports, each time."""
    compileall.compile_dir(str(src), quiet=1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--papers", default="50,500", help="paper counts, one day each")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--pages", type=int, default=2, help="pages per generated PDF")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--src", type=Path, default=ROOT / "src", help="the code to run (another checkout's src/)")
    args = ap.parse_args()
    for papers in (int(n) for n in args.papers.split(",")):
        one_day(args, papers)


if __name__ == "__main__":
    main()
