"""Hostile inputs: the wall time and peak memory of reading each bomb of the test corpus (tests/hostile) with
the default limits, and the same for a normal paper, as measured in one run.

Each input is read in a fresh child process of this script, so that its peak RSS is its own ("reader MB").
A PDF is read by that child through a PDF worker process, where the limits apply: "worker MB" is the
worker's peak RSS (VmHWM), sampled every 5 ms while it lives, so a worker killed while growing may have
been a little larger than shown (never larger than max_pdf_memory of address space).

Wall times start with a PDF worker already running (as in a run, after its first PDF).

Run: python bench/hostile.py. Targets: every bomb ends in seconds, its paper failed with a reason, and no
process grows past max_pdf_memory (1 GiB by default).
"""

from __future__ import annotations

import multiprocessing
import resource
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "src")]

from tests.hostile.corpus import (  # noqa: E402
    caption_bomb,
    deeply_nested_html,
    formatting_pile_html,
    headings_deep_down_html,
    noop_bomb,
    table_pile_html,
    text_bomb,
    unclosed_tags_html,
)
from tests.papergen import make_paper  # noqa: E402
from tests.pdfgen import make_pdf  # noqa: E402
from tests.standins.hf_arxiv import arxiv_html  # noqa: E402

from dailypapers.documents import DEFAULT_LIMITS, extract_pdf, parse_html  # noqa: E402
from dailypapers.errors import PaperTextError  # noqa: E402

CASES: dict[str, Callable[[], tuple[str, bytes | str]]] = {
    "normal paper, PDF (20 pages)": lambda: ("pdf", make_pdf(make_paper("2606.00001", pages=20))),
    "text bomb, PDF, 1 page x 8M chars": lambda: ("pdf", text_bomb(8_000_000)),
    "text bomb, PDF, 1 page x 1M chars": lambda: ("pdf", text_bomb(1_000_000)),
    "text bomb, PDF, 40 pages x 90k chars": lambda: ("pdf", text_bomb(90_000, pages=40)),
    "no-op bomb, PDF, 8M squares": lambda: ("pdf", noop_bomb()),
    "PDF, a page of 80 captioned tables": lambda: ("pdf", caption_bomb()),
    "normal paper, HTML": lambda: ("html", arxiv_html(make_paper("2606.00001", pages=20))),
    "HTML, 20k unclosed + 60k stray tags": lambda: ("html", unclosed_tags_html(20_000)),
    "HTML, nested 50k deep": lambda: ("html", deeply_nested_html(50_000)),
    "HTML, 50k open formatting tags": lambda: ("html", formatting_pile_html(50_000)),
    "HTML, 50k headings 200 deep": lambda: ("html", headings_deep_down_html()),
    "HTML, 20k nested tabulars": lambda: ("html", table_pile_html()),
}


def _peak_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)


def _read(name: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    kind, data = CASES[name]()
    extract_pdf(make_pdf(make_paper("2606.00002", pages=1)), "warm-up", max_pages=300)  # a worker is running
    peak = {"kb": 0}
    done = threading.Event()

    def sample() -> None:  # the PDF workers are this process's children (forked by its fork server)
        while not done.wait(0.005):
            for child in multiprocessing.active_children():
                peak["kb"] = max(peak["kb"], _peak_kb(child.pid or 0))

    sampler = threading.Thread(target=sample)
    sampler.start()
    start = time.perf_counter()
    try:
        doc = extract_pdf(data, "bench", max_pages=300) if kind == "pdf" else parse_html(data, "bench")  # type: ignore[arg-type]
        outcome = f"ok, {len(doc.text):,} chars"
    except PaperTextError as exc:
        outcome = f"failed: {exc.reason}"
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put((len(data), seconds, own, peak["kb"], outcome))


def main() -> None:
    print(f"default limits: max_pdf_memory={DEFAULT_LIMITS.max_pdf_memory // 2**20} MB, "
          f"max_pdf_cpu_seconds={DEFAULT_LIMITS.max_pdf_cpu_seconds}, max_page_chars={DEFAULT_LIMITS.max_page_chars:,},"
          f" max_document_chars={DEFAULT_LIMITS.max_document_chars:,}")
    print(f"{'input':38s} {'size':>10s} {'wall s':>7s} {'reader MB':>9s} {'worker MB':>9s}  outcome")
    context = multiprocessing.get_context("spawn")
    for name in CASES:
        queue = context.Queue()
        child = context.Process(target=_read, args=(name, queue))
        child.start()
        size, seconds, own, workers, outcome = queue.get(timeout=600)
        child.join()
        worker = f"{workers / 1024:9.0f}" if "PDF" in name else f"{'-':>9s}"
        print(f"{name:38s} {size:10,d} {seconds:7.2f} {own / 1024:9.0f} {worker}  {outcome[:120]}")


if __name__ == "__main__":
    main()
