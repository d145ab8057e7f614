"""Benchmark (not a test): `dailypapers site` over a ~5,500-paper archive, from scratch and again.

Targets: the full build (pages, feeds, Markdown, Pagefind index) of a 367-day x 15-paper archive in < 15 s, and
a rebuild after one new day in < 3 s. The archive is bench/archive.py's (Korean and English summaries, videos,
old-style entries), imported through the same calls as `dailypapers import`. Prints the first build, an unchanged
rebuild and a rebuild after one new day (files made, written, left unchanged and removed), each as measured in
this one run, and each target's ratio (target / measured: above 1.0 meets it).

    python bench/site.py [--days 367] [--per-day 15] [--no-search]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]  # run from a checkout, installed or not

from bench.archive import make_archive  # noqa: E402

from dailypapers.digestformat import read_digest  # noqa: E402
from dailypapers.models import Digest  # noqa: E402
from dailypapers.publish.site import build_site  # noqa: E402
from dailypapers.store import Store  # noqa: E402

TARGET_SECONDS = 15.0  # the first build
TARGET_NEW_DAY_SECONDS = 3.0  # a rebuild after one new day


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=367)
    ap.add_argument("--per-day", type=int, default=15)
    ap.add_argument("--no-search", action="store_true")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dailypapers-bench-") as tmp:
        folder = Path(tmp)
        files, _ = make_archive(folder, args.days + 1, (args.days + 1) * args.per_day)
        files = sorted(files)  # one file a day, named by the day: the last is the new day
        db = folder / "bench.db"
        with Store(db) as store:
            for path in files[:-1]:
                store.import_digest(read_digest(path))
            papers = store.db.execute("select count(*) from papers").fetchone()[0]
        out = folder / "site"
        timings = []
        for label in ("first build", "unchanged rebuild"):
            t0 = time.perf_counter()
            with Store(db, readonly=True) as store:
                report = build_site(store, out, search=not args.no_search)
            timings.append((label, time.perf_counter() - t0, report))
        with Store(db) as store:  # one new day, as a run adds it
            last: Digest = read_digest(files[-1])
            store.import_digest(last)
        t0 = time.perf_counter()
        with Store(db, readonly=True) as store:
            report = build_site(store, out, search=not args.no_search)
        timings.append((f"after one new day ({last.day})", time.perf_counter() - t0, report))
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"archive: {args.days} days, {papers:,} papers; site: {size / 1e6:.1f} MB, search "
          f"{'off' if args.no_search else 'on (Pagefind)'}")
    for label, seconds, r in timings:
        print(f"{label:>32}: {seconds:6.2f} s  {len(r.made):>6} files made, {len(r.written):>6} written, "
              f"{r.unchanged:>6} unchanged, {len(r.removed)} removed")
    first, new_day = timings[0][1], timings[2][1]
    print(f"target: full build < {TARGET_SECONDS:.0f} s: ratio {TARGET_SECONDS / first:.2f}x (> 1.0 meets it)")
    print(f"target: rebuild after one new day < {TARGET_NEW_DAY_SECONDS:.0f} s: ratio "
          f"{TARGET_NEW_DAY_SECONDS / new_day:.2f}x (> 1.0 meets it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
