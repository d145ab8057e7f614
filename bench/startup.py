"""Start-up benchmark (not a test): how long the quick commands take, each in a fresh process, as a user runs
them, on the sample archive (the golden sample imported into a new archive).

Target: `--version`, `days`, `render DAY` and `search WORD` each finish under 0.5 s. Printed per command: the
best and the median of --runs wall times and CPU times (CPU time is what a shared, loaded machine distorts
least), and beside them the same for `python -c pass` (the interpreter's own start) and for
`import dailypapers.cli`.

    python bench/startup.py [--runs 7] [--seed PATH]
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seed" / "000_489a1fdfcdb5ea28.txt"
TARGET_S = 0.5


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def compiled() -> None:
    """The package's bytecode written first, as an install has it: with PYTHONDONTWRITEBYTECODE set (as on CI
    and here), each fresh process would otherwise compile every module it imports, each time."""
    compileall.compile_dir(str(ROOT / "src"), quiet=1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--seed", type=Path, default=SEED, help="a digest file to import as the sample archive")
    args = ap.parse_args()
    compiled()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")},
               "DAILYPAPERS_DB": f"{tmp}/sample.db", "XDG_CONFIG_HOME": f"{tmp}/config",
               "XDG_DATA_HOME": f"{tmp}/data", "HOME": tmp,
               "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
        cli = [sys.executable, "-m", "dailypapers"]
        subprocess.run([*cli, "import", str(args.seed)], env=env, check=True, capture_output=True)
        day = subprocess.run([*cli, "days", "--json"], env=env, check=True, capture_output=True,
                             text=True).stdout.split('"day": "')[1][:10]
        cases = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "import dailypapers.cli": [sys.executable, "-c", "import dailypapers.cli"],
            "--version": [*cli, "--version"],
            "days": [*cli, "days"],
            f"render {day}": [*cli, "render", day],
            "search 모델": [*cli, "search", "모델"],
            "search --sort rank 모델": [*cli, "search", "--sort", "rank", "모델"],
        }
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
        for _ in range(args.runs):  # rounds interleaved: load on a shared machine spreads over all alike
            for name, command in cases.items():
                times[name].append(timed(command, env))
        print(f"{args.runs} runs each, best / median (target {TARGET_S} s for the commands):")
        for name, ts in times.items():
            walls, cpus = [w for w, _ in ts], [c for _, c in ts]
            print(f"  {name:<26} wall {min(walls):.3f} / {statistics.median(walls):.3f} s   "
                  f"CPU {min(cpus):.3f} / {statistics.median(cpus):.3f} s")


if __name__ == "__main__":
    main()
