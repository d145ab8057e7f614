"""Benchmark (not a test): `dailypapers serve` under load, on loopback, bounded in time.

Target: an edition page at >= 500 requests/s with p99 < 50 ms on 2 cores. The server runs as the command
does (`dailypapers serve`, its own process, one uvicorn worker) over a bench/archive.py archive; the load
generator (this process, raw keep-alive sockets) keeps N connections busy with GET requests of edition
pages (the newest, and a spread of older ones) for a fixed time, then prints throughput and latency
percentiles. Only 127.0.0.1 is
ever addressed, and the run stops by itself.

    python bench/serve.py [--seconds 10] [--connections 16] [--days 60]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]  # run from a checkout, installed or not

import httpx  # noqa: E402
from bench.archive import make_archive  # noqa: E402

from dailypapers.publish.markdown import read_digest  # noqa: E402
from dailypapers.publish.views import edition_path  # noqa: E402
from dailypapers.store import Store  # noqa: E402

TARGET_RPS = 500
TARGET_P99_MS = 50.0


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
                t0 = time.perf_counter()
                writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(next(line.split(b":", 1)[1] for line in head.split(b"\r\n")
                                  if line.lower().startswith(b"content-length:")))
                await reader.readexactly(length)
                latencies.append((time.perf_counter() - t0) * 1000)
                errors += not head.startswith(b"HTTP/1.1 200")
                i += connections
        finally:
            writer.close()

    await asyncio.gather(*(worker(k) for k in range(connections)))
    return latencies, errors


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--days", type=int, default=60)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dailypapers-bench-") as tmp:
        folder = Path(tmp)
        db = folder / "bench.db"
        with Store(db) as store:
            for path in make_archive(folder, args.days, args.days * 15)[0]:
                store.import_digest(read_digest(path))
            editions = [e for e, _ in store.editions()]
        paths = ["/" + edition_path(e) for e in reversed(editions)]
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        server = subprocess.Popen([sys.executable, "-m", "dailypapers", "--db", str(db), "serve", "--port", str(port)],
                                  cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(base + paths[0], timeout=2)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise RuntimeError("dailypapers serve did not start") from None
                    time.sleep(0.1)
            asyncio.run(_load(port, paths, 1.0, args.connections))  # warm: every page rendered once
            t0 = time.perf_counter()
            latencies, errors = asyncio.run(_load(port, paths, args.seconds, args.connections))
            wall = time.perf_counter() - t0
        finally:
            server.terminate()
            server.wait(timeout=10)
    rps = len(latencies) / wall
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    print(f"archive: {len(editions)} editions; {args.connections} connections for {args.seconds:.0f} s, "
          f"{len(paths)} edition pages (half the requests the newest)")
    print(f"requests: {len(latencies):,} ({errors} errors)  {rps:,.0f} requests/s  p50 {q[49]:.1f} ms  "
          f"p95 {q[94]:.1f} ms  p99 {q[98]:.1f} ms  max {max(latencies):.1f} ms")
    print(f"target >= {TARGET_RPS} requests/s: ratio {rps / TARGET_RPS:.2f}x; p99 < {TARGET_P99_MS:.0f} ms: "
          f"ratio {TARGET_P99_MS / q[98]:.2f}x (> 1.0 meets it)")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
