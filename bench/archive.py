"""Benchmark (not a test): import a synthetic archive written in every variant of the real one, in one batch,
and render every day back.

The archive (357 days, ~5,500 entries by default, all made up here) is written as the real history is: early
days without votes, blank lines or labels (the image right under the title, `<video src='...'>` tags, plain
bullets); later days in the modern form with extra labels, bold labels, extractive summaries, video entries;
and the oddities the real files have: `Vote: -` (20 files), a day written twice in one file (5), a video line
without parentheses (4), numbered lists and formula lines under a bullet (3), headings of local papers without
a link. Target: the whole archive imported in one batch in < 10 s, as `dailypapers import FILES...` does it
(in process), in one transaction.

Prints: the import time and rate against the target; the statements and rows the import sent to SQLite and
the transactions it began (a second import of the same files into a fresh archive, counted); the render time and
whether every stored day renders to what its file says (read back: same records) and re-imports unchanged.

    python bench/archive.py [--days 357] [--entries 5500]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]  # run from a checkout, installed or not

from typer.testing import CliRunner  # noqa: E402

from dailypapers.cli import app  # noqa: E402
from dailypapers.digestformat import parse_days, read_days, render  # noqa: E402
from dailypapers.store import Store  # noqa: E402

TARGET_SECONDS = 10.0

_WORDS = ("sparse", "token", "routing", "diffusion", "agent", "reward", "lantern", "garden", "origami",
          "kettle", "mixture", "scaling", "memory", "vision", "speech", "graph", "policy", "latent")
_KO = ("모델", "학습", "추론", "데이터", "성능", "구조", "방법", "실험", "벤치마크", "정확도", "효율",
       "제안합니다")
_NAMES = ("Ada", "Bo", "Chiyo", "Dmitri", "Esme", "Farah", "Goran", "Hana", "Ines", "Jae", "Kofi", "Lena")
_SURNAMES = ("Quill", "Tern", "Marsh", "Vale", "Okafor", "Lind", "Petit", "Brook", "Park", "Grant", "Sato")
_LABELS = ("What's New", "Technical Details", "Performance Highlights")


def _sentence(rng: random.Random, korean: bool) -> str:
    if korean:
        words = [rng.choice(_KO) for _ in range(rng.randint(8, 16))]
        words.insert(rng.randint(0, len(words)), f"{rng.randint(1, 99)}.{rng.randint(0, 9)}%")
        return " ".join(words) + "."
    words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 16))]
    return " ".join(words).capitalize() + f" reaching {rng.randint(1, 99)}.{rng.randint(0, 9)}."


def _entry(rng: random.Random, day: dt.date, i: int, votes: int, style: set[str]) -> str:
    """One entry as the archive's files have it, in the day's style (a set of variant names)."""
    pid = f"{day:%y%m}.{day.day * 1000 + i:05d}"
    kind = i % 15
    title = " ".join(rng.choice(_WORDS).capitalize() for _ in range(rng.randint(3, 9)))
    if kind == 1:
        title += " [v2] (with ) and ] inside"
    link = f"https://arxiv.org/abs/{pid}"
    if kind == 9 and "local" in style:
        link = ""  # a local paper written by an older version: `### [Title]()`
    early = "early" in style
    gap = "" if early else "\n"
    out = [f"### [{title}]({link})\n{gap}"]
    if kind == 3:
        mp4 = f"https://cdn-uploads.huggingface.co/production/uploads/{pid}.mp4"
        if early:
            out.append(f"<video src='{mp4}'></video>\n\n")
        elif "bare video" in style:
            out.append(f"[Watch Video]{mp4}\n<div><video controls src=\"{mp4}\" muted=\"false\"></video></div>\n\n")
        else:
            out.append(f"[Watch Video]({mp4})\n<div><video controls src=\"{mp4}\" muted=\"false\"></video></div>\n\n")
    elif early:
        out.append(f"![](/avatars/{pid.replace('.', '')}.svg)\n\n")
    else:
        out.append(f"![](https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{pid}.png)\n\n")
    if "no votes" in style:
        out.append("Vote: -\n\n")
    elif not early:
        out.append(f"Vote: {votes}\n\n")
    authors = ", ".join(f"{rng.choice(_NAMES)} {rng.choice(_SURNAMES)}" for _ in range(rng.randint(1, 12)))
    out.append(f"Authors: {authors}\n\n")
    korean = kind != 4
    if early:
        out.extend(f"- {_sentence(rng, korean)}\n" for _ in range(rng.randint(3, 5)))
    else:
        if kind == 8:
            out.append("_Extractive summary: sentences quoted from the paper (no LLM configured)._\n\n")
        mark = "**" if kind == 7 else "***"
        for label in _LABELS + (("Limitations",) if kind == 6 else ()):
            out.append(f"- {mark}{label}{mark}: {' '.join(_sentence(rng, korean) for _ in range(3))}\n")
            if label == "Technical Details" and "continuation" in style and kind in (0, 5):
                out.append("1. **Tokenizer**: splits the input.\n2. **Router**: picks an expert.\n"
                           "x=log10(memory-size), y=2x\n")
    out.append("\n")
    return "".join(out)


def make_archive(folder: Path, days: int, entries: int, seed: int = 7) -> tuple[list[Path], int]:
    """Write the archive; returns its files and the number of entries written (repeats included)."""
    rng = random.Random(seed)
    start = dt.date(2023, 5, 4)
    per_day = entries / days
    odd_days = rng.sample(range(days // 5, days), 32)  # the real history: 32 odd files of 357
    styles: dict[int, set[str]] = {d: set() for d in range(days)}
    for n, d in enumerate(odd_days):
        styles[d].add("no votes" if n < 20 else "twice" if n < 25 else "bare video" if n < 29 else "continuation")
    for d in range(days):
        styles[d] |= {"early"} if d < days // 6 else set()
        styles[d] |= {"local"} if d % 40 == 0 else set()
    files, written = [], 0
    for d in range(days):
        day = start + dt.timedelta(days=d)
        n = int(per_day * (d + 1)) - int(per_day * d)
        votes = sorted((rng.randint(0, 120) for _ in range(n)), reverse=True)
        body = [_entry(rng, day, i, v, styles[d]) for i, v in enumerate(votes)]
        text = f"## Daily Papers ({day.isoformat()})\n\n" + "".join(body)
        written += n
        if "twice" in styles[d]:  # the generator ran again and appended the day
            text += f"## Daily Papers ({day.isoformat()})\n\n" + "".join(body[: n // 2])
            written += n // 2
        path = folder / f"{day.isoformat()}.md"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return files, written


class _Counting:
    """The connection, counting what is sent to SQLite: statements (execute/executemany calls), the rows
    executemany carries, and transactions begun."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self.calls = self.rows = self.begins = 0

    def execute(self, sql: str, *args: Any) -> Any:
        self.calls += 1
        self.rows += 1
        self.begins += sql.lstrip().upper().startswith("BEGIN")
        return self._conn.execute(sql, *args)

    def executemany(self, sql: str, rows: Any) -> Any:
        rows = list(rows)
        self.calls += 1
        self.rows += len(rows)
        return self._conn.executemany(sql, rows)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def count_statements(db: Path, files: list[Path]) -> tuple[_Counting, int]:
    """Import the files into a fresh archive through the library, counting what is sent to SQLite (a separate
    run, so the timed one carries no counting)."""
    digests, origins = [], []
    for f in files:
        for d in read_days(f).days:
            digests.append(d)
            origins.append(str(f))
    with Store(db) as store:
        conn = store.db.conn
        counting = _Counting(conn)
        store.db.conn = counting  # type: ignore[assignment]
        report = store.import_digests(digests, origins=origins)
        store.db.conn = conn
    return counting, len(report.papers)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=357)
    ap.add_argument("--entries", type=int, default=5_500)
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="dailypapers-bench-") as tmp:
        folder = Path(tmp)
        files, written = make_archive(folder, args.days, args.entries)
        size = sum(p.stat().st_size for p in files)
        db = folder / "bench.db"

        t0 = time.perf_counter()
        result = CliRunner().invoke(app, ["--db", str(db), "import", *map(str, files)])
        t_import = time.perf_counter() - t0
        if result.exit_code != 0:
            print(result.output, file=sys.stderr)
            return 1
        warnings = result.stderr.count("\n")
        summary = result.stdout.strip().splitlines()[-1]

        sent, papers = count_statements(folder / "counted.db", files)

        with Store(db, readonly=True) as store:
            stored = []
            for path in files:
                [(edition, _)] = store.editions(dt.date.fromisoformat(path.stem))
                digest = store.get_digest(edition)
                assert digest is not None
                stored.append(digest)
        t0 = time.perf_counter()
        texts = [render(d) for d in stored]
        t_render = time.perf_counter() - t0
        rendered = sum(len(d.entries) for d in stored)
        mismatched = 0
        out = folder / "rendered"
        out.mkdir()
        for path, digest, text in zip(files, stored, texts, strict=True):
            expected = parse_days(path.read_text(encoding="utf-8")).one()
            mismatched += parse_days(text).one() != expected.model_copy(
                update={"source": digest.source, "lang": digest.lang})
            (out / path.name).write_text(text, encoding="utf-8")
        again = CliRunner().invoke(app, ["--db", str(db), "import", *map(str, sorted(out.iterdir()))])
        reimport = again.stdout.strip().splitlines()[-1]
        reimport_warnings = again.stderr.count("\n")

    print(f"archive: {len(files)} days in {len(files)} files, {written} entries written ({written - papers} "
          f"repeated in a day written twice), {size / 1e6:.1f} MB of Markdown, {warnings} warning lines")
    print(f"import:  {t_import:.2f} s for {papers} papers in one batch, one transaction: "
          f"{papers / t_import:,.0f} papers/s (target {TARGET_SECONDS:.0f} s: ratio {TARGET_SECONDS / t_import:.2f}x)")
    print(f"         {summary}")
    print(f"sql:     {sent.calls} statements sent ({sent.calls / papers:.3f} per paper) carrying {sent.rows} rows "
          f"({sent.rows / papers:.2f} per paper), {sent.begins} transaction(s) begun")
    print(f"render:  {t_render:.2f} s for {len(stored)} stored days, {rendered / t_render:,.0f} papers/s; "
          f"{mismatched} day(s) read back different from their file")
    print(f"again:   the rendered days imported again ({reimport_warnings} warning lines): {reimport}")
    return 0 if mismatched == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
