"""Benchmark (not a test): import a synthetic 400-day archive and render every day back.

Target: 5,500 papers imported in 10 s (550 papers/s), through the same library calls as `dailypapers import`
(read_digest + Store.import_digest into a fresh database file). Prints the measured rates and the ratio to
the target (> 1.0 is faster than required).

    python bench/archive.py [--days 400] [--per-day 15]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]  # run from a checkout, installed or not

from dailypapers.models import Digest, Entry, Paper, Section, Summary  # noqa: E402
from dailypapers.publish.markdown import read_digest, render  # noqa: E402
from dailypapers.store import ImportCounts, Store  # noqa: E402

TARGET_PAPERS = 5_500
TARGET_SECONDS = 10.0

_WORDS = ("sparse", "token", "routing", "diffusion", "agent", "reward", "lantern", "garden", "origami",
          "kettle", "mixture", "scaling", "memory", "vision", "speech", "graph", "policy", "latent")
_KO = ("모델", "학습", "추론", "데이터", "성능", "구조", "방법", "실험", "벤치마크", "정확도", "효율",
       "제안합니다")
_NAMES = ("Ada", "Bo", "Chiyo", "Dmitri", "Esme", "Farah", "Goran", "Hana", "Ines", "Jae", "Kofi", "Lena")
_SURNAMES = ("Quill", "Tern", "Marsh", "Vale", "Okafor", "Lind", "Petit", "Brook", "Park", "Grant", "Sato")


def _sentence(rng: random.Random, korean: bool) -> str:
    if korean:
        words = [rng.choice(_KO) for _ in range(rng.randint(8, 16))]
        words.insert(rng.randint(0, len(words)), f"{rng.randint(1, 99)}.{rng.randint(0, 9)}%")
        return " ".join(words) + "."
    words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 16))]
    return " ".join(words).capitalize() + f" reaching {rng.randint(1, 99)}.{rng.randint(0, 9)}."


def _entry(rng: random.Random, day: dt.date, i: int, votes: int) -> Entry:
    pid = f"{day:%y%m}.{day.day * 1000 + i:05d}"
    kind = i % 15  # a few variants per day, as older days of the archive have
    title = " ".join(rng.choice(_WORDS).capitalize() for _ in range(rng.randint(3, 9)))
    if kind == 1:
        title += " [v2] (with ) and ] inside"
    paper = Paper(
        id=pid, title=title, upvotes=None if kind == 2 else votes,
        authors=tuple(f"{rng.choice(_NAMES)} {rng.choice(_SURNAMES)}" for _ in range(rng.randint(1, 12))),
        thumbnail=None if kind == 3 else f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{pid}.png",
        video=f"https://cdn-uploads.huggingface.co/production/uploads/{pid}.mp4" if kind == 3 else None,
    )
    korean = kind != 4
    if kind == 5:
        sections = tuple(Section(label="", text=_sentence(rng, korean), emphasis="plain")
                         for _ in range(rng.randint(3, 5)))
    else:
        labels = ["What's New", "Technical Details", "Performance Highlights"]
        labels += ["Limitations"] if kind == 6 else []
        emphasis = "bold" if kind == 7 else "bold_italic"
        sections = tuple(Section(label=lab, text=" ".join(_sentence(rng, korean) for _ in range(3)),
                                 emphasis=emphasis) for lab in labels)
    summary = Summary(paper_id=pid, lang="ko" if korean else "en", sections=sections,
                      model="extractive" if kind == 8 else None)
    return Entry(paper=paper, summary=summary)


def make_archive(folder: Path, days: int, per_day: int, seed: int = 7) -> list[tuple[dt.date, Path]]:
    rng = random.Random(seed)
    start = dt.date(2024, 1, 1)
    out = []
    for d in range(days):
        day = start + dt.timedelta(days=d)
        votes = sorted((rng.randint(0, 120) for _ in range(per_day)), reverse=True)
        digest = Digest(day=day, entries=tuple(_entry(rng, day, i, v) for i, v in enumerate(votes)))
        path = folder / f"{day.isoformat()}.md"
        path.write_text(render(digest), encoding="utf-8")
        out.append((day, path))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=400)
    ap.add_argument("--per-day", type=int, default=15)
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="dailypapers-bench-") as tmp:
        folder = Path(tmp)
        files = make_archive(folder, args.days, args.per_day)
        size = sum(p.stat().st_size for _, p in files)

        t0 = time.perf_counter()
        total = ImportCounts()
        with Store(folder / "bench.db") as store:
            for _, path in files:
                total += store.import_digest(read_digest(path))
        t_import = time.perf_counter() - t0

        t0 = time.perf_counter()
        rendered = 0
        mismatched = 0
        with Store(folder / "bench.db") as store:
            for day, path in files:
                digest = store.get_digest(day)
                assert digest is not None
                text = render(digest)
                rendered += len(digest.entries)
                mismatched += text != path.read_text(encoding="utf-8")
        t_render = time.perf_counter() - t0

    papers = total.papers
    rate = papers / t_import
    target_rate = TARGET_PAPERS / TARGET_SECONDS
    print(f"archive: {len(files)} days, {papers} papers, {total.summaries} summaries, "
          f"{size / 1e6:.1f} MB of Markdown")
    print(f"import:  {t_import:.2f} s  {rate:,.0f} papers/s  "
          f"(target {target_rate:,.0f} papers/s: ratio {rate / target_rate:.2f}x)")
    print(f"render:  {t_render:.2f} s  {rendered / t_render:,.0f} papers/s  "
          f"({len(files) / t_render:,.0f} days/s; {mismatched} day(s) differ from their source file)")
    return 0 if mismatched == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
