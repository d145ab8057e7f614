"""Offline benchmark (not a test): how long `dailypapers digest` and `dailypapers verify --fetch` take to give
a clear error when the network is gone. Target: < 3 s each.

"Offline" is played by base URLs whose names do not resolve (`*.invalid`, reserved for exactly that), so the
script needs no network switch; on a machine without DNS at all the result is the same kind of failure.

Run: python bench/offline.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 3.0
DIGEST = """## Daily Papers (2025-05-06)

### [A Paper](https://arxiv.org/abs/2505.00001)

- ***What's New***: A method reaches 91.4% on a benchmark.

### [Another Paper](https://arxiv.org/abs/2505.00002)

- ***What's New***: Another method reaches 12.5 points more.
"""


def timed(args: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "dailypapers", *args], env=env, capture_output=True, text=True,
                          timeout=600)
    return time.perf_counter() - t0, proc


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "HOME": str(folder),
               "DAILYPAPERS_DB": str(folder / "offline.db"),
               "DAILYPAPERS_HF_API_URL": "https://hf.offline.invalid/api",
               "DAILYPAPERS_ARXIV_API_URL": "https://arxiv.offline.invalid/api/query",
               "DAILYPAPERS_ARXIV_PDF_URL": "https://arxiv.offline.invalid/pdf",
               "DAILYPAPERS_ARXIV_HTML_URL": "https://arxiv.offline.invalid/html"}
        digest_file = folder / "day.md"
        digest_file.write_text(DIGEST, encoding="utf-8")
        for name, args in (("digest", ["digest", "2025-05-06", "--out", str(folder / "out.md")]),
                           ("verify --fetch", ["verify", str(digest_file), "--fetch"])):
            seconds, proc = timed(args, env)
            last = (proc.stderr.strip().splitlines() or proc.stdout.strip().splitlines() or ["(nothing)"])[-1]
            print(f"{name}: exit {proc.returncode} in {seconds:.2f} s (target < {TARGET:.0f} s: ratio "
                  f"{seconds / TARGET:.2f}); says: {last[:160]}")


if __name__ == "__main__":
    main()
