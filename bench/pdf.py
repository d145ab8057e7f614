"""The full-text stage on PDFs: our extraction (PDFium in a worker process, caps, section detection) against
PyMuPDF's and pypdf's raw page text, on the same generated papers.

Rounds are interleaved (every library once per round, in a rotating order), so drift of a shared machine
moves all figures alike; each figure is the best round. "ours, serial" reads one PDF at a time through the
worker pool; "ours, stage" reads them as the pipeline does, several papers in flight, `pdf_workers`
processes at once. PyMuPDF and pypdf run in this process, one PDF at a time, as a program using them would.

Run: python bench/pdf.py [papers] [pages] [rounds]. Target: the stage >= 1.0 x PyMuPDF pages/s.
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "src")]

import pymupdf  # noqa: E402
import pypdf  # noqa: E402
import pypdfium2 as pdfium  # noqa: E402
from tests.papergen import make_paper  # noqa: E402
from tests.pdfgen import make_pdf  # noqa: E402

from dailypapers.documents import DEFAULT_LIMITS, extract_pdf  # noqa: E402

IN_FLIGHT = 4  # the pipeline's default concurrency


def ours(data: bytes) -> int:
    return len(extract_pdf(data, "bench", max_pages=10_000).text)


def pdfium_raw(data: bytes) -> int:
    """PDFium's page text in this process, without limits or section detection."""
    pdf = pdfium.PdfDocument(data)
    try:
        total = 0
        for page in pdf:
            textpage = page.get_textpage()
            total += len(textpage.get_text_range())
            textpage.close()
            page.close()
        return total
    finally:
        pdf.close()


def pymupdf_text(data: bytes) -> int:
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        return sum(len(page.get_text()) for page in doc)


def pypdf_text(data: bytes) -> int:
    return sum(len(page.extract_text() or "") for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def serial(fn: Callable[[bytes], int]) -> Callable[[list[bytes]], int]:
    return lambda pdfs: sum(fn(d) for d in pdfs)


def stage(pdfs: list[bytes]) -> int:
    with ThreadPoolExecutor(IN_FLIGHT) as pool:
        return sum(pool.map(ours, pdfs))


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    pages_each = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    pdfs = [make_pdf(make_paper(f"2606.{i:05d}", pages=pages_each)) for i in range(n)]
    total = sum(len(pymupdf.open(stream=d, filetype="pdf")) for d in pdfs)
    runners: dict[str, Callable[[list[bytes]], int]] = {
        "ours, stage": stage, "ours, serial": serial(ours), "pdfium raw": serial(pdfium_raw),
        "PyMuPDF": serial(pymupdf_text), "pypdf": serial(pypdf_text),
    }
    for run in runners.values():  # warm up: worker processes started, libraries loaded
        run(pdfs[:IN_FLIGHT])
    best = dict.fromkeys(runners, float("inf"))
    names = list(runners)
    for r in range(rounds):
        for name in names[r % len(names):] + names[: r % len(names)]:
            start = time.perf_counter()
            assert runners[name](pdfs) > 0
            best[name] = min(best[name], time.perf_counter() - start)
    rate = {name: total / seconds for name, seconds in best.items()}
    print(f"{n} papers, {total} pages, {rounds} interleaved rounds, best round each; "
          f"pdf_workers={DEFAULT_LIMITS.pdf_workers}, {IN_FLIGHT} papers in flight")
    for name, value in rate.items():
        print(f"{name:13s} {value:9.1f} pages/s")
    print(f"ours, stage / PyMuPDF  = {rate['ours, stage'] / rate['PyMuPDF']:.2f} (target >= 1.0: the whole "
          "full-text stage, through the workers, with section detection)")
    print(f"ours, serial / PyMuPDF = {rate['ours, serial'] / rate['PyMuPDF']:.2f} (one PDF at a time)")
    print(f"pdfium raw / PyMuPDF   = {rate['pdfium raw'] / rate['PyMuPDF']:.2f} (text extraction alone)")
    print(f"ours, stage / pypdf    = {rate['ours, stage'] / rate['pypdf']:.2f}")


if __name__ == "__main__":
    main()
