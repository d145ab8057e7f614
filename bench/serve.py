"""Benchmark (not a test): `dailypapers serve` under load, on loopback, bounded in time.

Target: an edition page at >= 500 requests/s with p99 < 50 ms on 2 cores. The server runs as the command
does (`dailypapers serve`, its own process, one uvicorn worker) over a bench/archive.py archive, pinned to
one core; the load generator (this process, raw keep-alive sockets) is pinned to the other, so the two
cores are what the target says (with fewer than two, nothing is pinned and the output says so).

First every page is requested once, one at a time: the cold cost (the first render of a page, before the
page cache holds it) per kind of page: edition pages, the home page, the archive index, month pages, paper
pages, the feed. Then N connections keep the server busy with GET requests of edition pages (the newest,
and a spread of older ones, all cached by then) for a fixed time, and the throughput and latency
percentiles are printed. Only 127.0.0.1 is ever addressed, and the run stops by itself.

    python bench/serve.py [--seconds 10] [--connections 16] [--days 60]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]  # run from a checkout, installed or not

from bench.archive import make_archive  # noqa: E402
from bench.search import serving  # noqa: E402

from dailypapers.digestformat import read_digest  # noqa: E402
from dailypapers.publish.views import ARCHIVE_PATH, edition_path, feed_path, month_path, paper_path  # noqa: E402
from dailypapers.store import Store  # noqa: E402

TARGET_RPS = 500
TARGET_P99_MS = 50.0
PAPER_PAGES = 100  # paper pages requested cold


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> tuple[float, bool]:
    """One keep-alive HTTP/1.1 GET: (milliseconds, whether it was a 200)."""
    t0 = time.perf_counter()
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    length = int(next(line.split(b":", 1)[1] for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:")))
    await reader.readexactly(length)
    return (time.perf_counter() - t0) * 1000, head.startswith(b"HTTP/1.1 200")


async def _cold(port: int, pages: dict[str, list[str]]) -> tuple[dict[str, list[float]], int]:
    """Each page requested once, one after the other on one connection: its first render."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    timings: dict[str, list[float]] = {}
    errors = 0
    try:
        for kind, paths in pages.items():
            for path in paths:
                ms, ok = await _get(reader, writer, path)
                timings.setdefault(kind, []).append(ms)
                errors += not ok
    finally:
        writer.close()
    return timings, errors


async def _load(port: int, paths: list[str], seconds: float, connections: int) -> tuple[list[float], int]:
    """Keep-alive HTTP/1.1 GETs on raw sockets: a client that costs little CPU, so the 2 cores measure the server."""
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def worker(k: int) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        i = k
        try:
            while time.perf_counter() < stop:
                path = paths[0] if i % 2 == 0 else paths[i % len(paths)]  # half the newest page, half older ones
                ms, ok = await _get(reader, writer, path)
                latencies.append(ms)
                errors += not ok
                i += connections
        finally:
            writer.close()

    await asyncio.gather(*(worker(k) for k in range(connections)))
    return latencies, errors


def _cores() -> tuple[set[int] | None, set[int] | None]:
    """One core for the server and another for the load generator, or (None, None) with fewer than two."""
    cores = sorted(os.sched_getaffinity(0))
    return ({cores[0]}, {cores[1]}) if len(cores) >= 2 else (None, None)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--days", type=int, default=60)
    args = ap.parse_args(argv)
    server_cpus, load_cpus = _cores()
    with tempfile.TemporaryDirectory(prefix="dailypapers-bench-") as tmp:
        folder = Path(tmp)
        db = folder / "bench.db"
        with Store(db) as store:
            for path in make_archive(folder, args.days, args.days * 15)[0]:
                store.import_digest(read_digest(path))
            editions = [e for e, _ in store.editions()]
            papers = [r[0] for r in store.db.execute("select paper_id from digest_entries order by rowid limit ?",
                                                     [PAPER_PAGES])]
        paths = ["/" + edition_path(e) for e in reversed(editions)]
        months = sorted({(e.day.year, e.day.month) for e in editions}, reverse=True)
        cold_pages = {
            "edition": paths, "home": ["/index.html"], "archive": ["/" + ARCHIVE_PATH],
            "month": ["/" + month_path(y, m) for y, m in months],
            "paper": ["/" + paper_path(p) for p in dict.fromkeys(papers)],
            "feed": ["/" + feed_path(editions[-1].source, editions[-1].lang)],
        }
        if load_cpus is not None:
            os.sched_setaffinity(0, load_cpus)
        with serving(db, cpus=server_cpus) as base:
            port = int(base.rsplit(":", 1)[1])
            t0 = time.perf_counter()
            cold, cold_errors = asyncio.run(_cold(port, cold_pages))
            cold_wall = time.perf_counter() - t0
            asyncio.run(_load(port, paths, 1.0, args.connections))  # warm
            t0 = time.perf_counter()
            latencies, errors = asyncio.run(_load(port, paths, args.seconds, args.connections))
            wall = time.perf_counter() - t0
    rps = len(latencies) / wall
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    pinned = (f"server pinned to core {min(server_cpus)}, load generator to core {min(load_cpus)}"
              if server_cpus and load_cpus else "fewer than 2 cores: nothing pinned")
    print(f"archive: {len(editions)} editions; {pinned}")
    print(f"cold (first render, one request at a time, {cold_wall:.1f} s in all, {cold_errors} errors):")
    for kind, ms in cold.items():
        spread = (f"median {statistics.median(ms):.1f} ms  max {max(ms):.1f} ms" if len(ms) > 1
                  else f"{ms[0]:.1f} ms")
        print(f"  {kind:>8}: {len(ms):>4} page{'s' if len(ms) > 1 else ' '}  {spread}")
    print(f"  (the first request of all, {cold['edition'][0]:.1f} ms, also compiles the templates)")
    print(f"cached: {args.connections} connections for {args.seconds:.0f} s, {len(paths)} edition pages "
          f"(half the requests the newest)")
    print(f"requests: {len(latencies):,} ({errors} errors)  {rps:,.0f} requests/s  p50 {q[49]:.1f} ms  "
          f"p95 {q[94]:.1f} ms  p99 {q[98]:.1f} ms  max {max(latencies):.1f} ms")
    print(f"target >= {TARGET_RPS} requests/s: ratio {rps / TARGET_RPS:.2f}x; p99 < {TARGET_P99_MS:.0f} ms: "
          f"ratio {TARGET_P99_MS / q[98]:.2f}x (> 1.0 meets it)")
    return 0 if errors == 0 and cold_errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
