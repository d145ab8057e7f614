"""The console entry point: `dailypapers --version` answers before any command module is imported."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] in (["--version"], ["-V"]):
        from dailypapers import __version__

        print(f"dailypapers {__version__}")
        return
    from dailypapers.cli import app

    app(prog_name="dailypapers")
