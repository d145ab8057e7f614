"""Benchmark (not a test): `dailypapers site` over a ~5,500-paper archive, from scratch and again.

Targets: the full build (pages, feeds, Markdown, Pagefind index) of a 367-day x 15-paper archive in < 15 s, and
a rebuild after one new day in < 3 s. The archive is bench/archive.py's (Korean and English summaries, videos,
old-style entries), imported through the same calls as `dailypapers import`. Prints the first build, an unchanged
rebuild and a rebuild after one new day (files made, written, left unchanged and removed), each as measured in
this one run, and each target's ratio (target / measured: above 1.0 meets it).

With an embedder (the default; `--no-related` builds without), paper pages show their related papers: the
papers are embedded before the builds (not timed) by a stand-in embedder registered through the plug-in manager
(`bench-hash`: each word hashed into one of 384 buckets, deterministic). The bundled model would take about half a
minute of CPU per 50 papers (bench/meaning.py), over 50 minutes for this archive; the related papers the build
finds cost the same whatever made the vectors (a matrix product over 384 numbers a paper, as the bundled one).

Also prints the CPU time the build took (this process and Pagefind's) beside the wall time: the machine is shared.

    python bench/site.py [--days 367] [--per-day 15] [--no-search] [--no-related]
"""

from __future__ import annotations

import argparse
import re
import resource
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]  # run from a checkout, installed or not

import numpy as np  # noqa: E402
from bench.archive import make_archive  # noqa: E402

from dailypapers import hookimpl  # noqa: E402
from dailypapers.config import Settings  # noqa: E402
from dailypapers.digestformat import read_digest  # noqa: E402
from dailypapers.embed.base import Embedder, EmbedderPlugin, normalised  # noqa: E402
from dailypapers.meaning import embed_archive  # noqa: E402
from dailypapers.models import Digest  # noqa: E402
from dailypapers.plugins import Registry, plugin_manager  # noqa: E402
from dailypapers.publish.site import build_site  # noqa: E402
from dailypapers.store import Store  # noqa: E402

TARGET_SECONDS = 15.0  # the first build
TARGET_NEW_DAY_SECONDS = 3.0  # a rebuild after one new day
DIM = 384  # as the bundled model's vectors


class HashEmbedder:
    """A stand-in model: each lower-cased word hashed (CRC-32) into one of DIM buckets, rows normalised."""

    name = "bench-hash"
    model = f"bench-hash:{DIM}"

    def embed(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        rows = np.zeros((len(texts), DIM), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                rows[i, zlib.crc32(word.encode()) % DIM] += 1
        return normalised(rows)


class HashPlugin:
    @hookimpl
    def register_embedders(self, register: Callable[[EmbedderPlugin], None]) -> None:
        register(EmbedderPlugin(HashEmbedder.name, "words hashed into 384 buckets (bench)", lambda s: HashEmbedder()))


def the_embedder() -> Embedder:
    pm = plugin_manager(entry_points=False)
    pm.register(HashPlugin(), "bench-hash")
    embedder = Registry.load(pm).embedder(Settings(embedder=HashEmbedder.name))
    assert embedder is not None
    return embedder


def cpu_seconds() -> tuple[float, float]:
    """CPU time so far of this process and of its children (Pagefind)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=367)
    ap.add_argument("--per-day", type=int, default=15)
    ap.add_argument("--no-search", action="store_true")
    ap.add_argument("--no-related", action="store_true", help="no embedder: paper pages without related papers")
    args = ap.parse_args(argv)
    embedder = None if args.no_related else the_embedder()
    model = embedder.model if embedder is not None else None
    with tempfile.TemporaryDirectory(prefix="dailypapers-bench-") as tmp:
        folder = Path(tmp)
        files, _ = make_archive(folder, args.days + 1, (args.days + 1) * args.per_day)
        files = sorted(files)  # one file a day, named by the day: the last is the new day
        db = folder / "bench.db"
        with Store(db) as store:
            for path in files[:-1]:
                store.import_digest(read_digest(path))
            papers = store.db.execute("select count(*) from papers").fetchone()[0]
            embed_seconds = time.perf_counter()
            if embedder is not None:
                embed_archive(store, embedder)
            embed_seconds = time.perf_counter() - embed_seconds
        out = folder / "site"
        timings = []

        def build(label: str) -> None:
            t0, c0 = time.perf_counter(), cpu_seconds()
            with Store(db, readonly=True) as store:
                report = build_site(store, out, search=not args.no_search, embedding_model=model)
            c1 = cpu_seconds()
            timings.append((label, time.perf_counter() - t0, c1[0] - c0[0], c1[1] - c0[1], report))

        build("first build")
        build("unchanged rebuild")
        with Store(db) as store:  # one new day, as a run adds it (and embeds its papers before it publishes)
            last: Digest = read_digest(files[-1])
            store.import_digest(last)
            if embedder is not None:
                embed_archive(store, embedder)
        build(f"after one new day ({last.day})")
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"archive: {args.days} days, {papers:,} papers; site: {size / 1e6:.1f} MB, search "
          f"{'off' if args.no_search else 'on (Pagefind)'}, related papers "
          f"{'off' if embedder is None else f'on ({embedder.model}, embedded in {embed_seconds:.1f} s, not timed)'}")
    for label, seconds, cpu, pagefind, r in timings:
        print(f"{label:>32}: {seconds:6.2f} s (CPU {cpu:5.2f} s + Pagefind {pagefind:5.2f} s)  {len(r.made):>6} files "
              f"made, {len(r.written):>6} written, {r.unchanged:>6} unchanged, {len(r.removed)} removed")
    first, new_day = timings[0][1], timings[2][1]
    print(f"target: full build < {TARGET_SECONDS:.0f} s: ratio {TARGET_SECONDS / first:.2f}x (> 1.0 meets it)")
    print(f"target: rebuild after one new day < {TARGET_NEW_DAY_SECONDS:.0f} s: ratio "
          f"{TARGET_NEW_DAY_SECONDS / new_day:.2f}x (> 1.0 meets it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
