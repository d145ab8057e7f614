"""PDF bombs made at test time: each fails its own paper, within the worker's memory and CPU-time limits,
with a reason that names the limit, and the next PDF is read as if nothing happened."""

from __future__ import annotations

import os
import resource
import signal
import threading

import pytest

from dailypapers.documents import PdfHead, ReadLimits, extract_pdf, pdf_head, workers
from dailypapers.documents.pdf_tables import MAX_CAPTIONS
from dailypapers.errors import PaperTextError
from tests.hostile.bounded import bounded
from tests.hostile.corpus import _pdf, caption_bomb, noop_bomb, not_text_pdf, text_bomb
from tests.papergen import make_paper
from tests.pdfgen import encrypted_pdf, make_pdf

pytestmark = pytest.mark.slow  # PDF worker processes, killed and replaced

MB = 1024 * 1024
# tight limits keep each test to a second or two; the defaults are tested through the settings
LIMITS = ReadLimits(max_pdf_memory=512 * MB, max_pdf_cpu_seconds=5, pdf_workers=2)
SYNTH = make_paper("2606.00101", pages=3)
GOOD = make_pdf(SYNTH)


def _reason(data: bytes, limits: ReadLimits = LIMITS) -> str:
    with pytest.raises(PaperTextError) as info:
        bounded(lambda: extract_pdf(data, "bomb", max_pages=300, limits=limits))
    return info.value.reason


def _reads_fine() -> None:
    doc = bounded(lambda: extract_pdf(GOOD, "good", max_pages=300, limits=LIMITS))
    assert SYNTH.facts["accuracy"] in doc.text and "1 Introduction" in [s.heading for s in doc.sections]


def test_a_small_text_bomb_is_refused_by_the_page_cap() -> None:
    bomb = text_bomb(chars=1_000_000)
    assert len(bomb) < 10_000  # a few KB that inflate to a megabyte of shown text
    reason = _reason(bomb)
    assert "page 1 holds 1,000,000 characters" in reason and "max_page_chars" in reason, reason
    _reads_fine()


def test_a_text_bomb_beyond_the_memory_limit_kills_only_its_worker() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    reason = _reason(text_bomb(chars=8_000_000))  # PDFium needs ~200 bytes per character: ~1.7 GB
    assert "max_pdf_memory" in reason and "512 MB" in reason, reason
    # the bomb was inflated in the worker, not here (ru_maxrss is in KB)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200 * 1024
    _reads_fine()


def test_many_pages_of_text_hit_the_document_cap() -> None:
    reason = _reason(text_bomb(chars=90_000, pages=40), ReadLimits(max_document_chars=1_000_000, pdf_workers=2))
    assert "max_document_chars" in reason and "by page 12" in reason, reason


def test_a_drawing_bomb_is_stopped_by_the_cpu_limit() -> None:
    # millions of tiny filled squares: no text, all work; the memory limit is set high so CPU time ends it
    reason = _reason(noop_bomb(), ReadLimits(max_pdf_memory=3 * 1024 * MB, max_pdf_cpu_seconds=1, pdf_workers=2))
    assert "CPU time" in reason and "max_pdf_cpu_seconds" in reason, reason
    _reads_fine()


def test_a_drawing_bomb_is_stopped_by_the_memory_limit() -> None:
    reason = _reason(noop_bomb(), ReadLimits(max_pdf_memory=256 * MB, max_pdf_cpu_seconds=20, pdf_workers=2))
    assert "max_pdf_memory" in reason, reason


def test_a_bomb_does_not_hold_up_a_good_pdf_read_at_the_same_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # A drawing bomb that only the CPU limit stops: it holds its worker for 4 s of CPU time, far longer than
    # three good reads take (about 0.2 s each). Were PDFs read one at a time, the good reads would wait for
    # it to end, and it would no longer be running when they were done.
    slow = ReadLimits(max_pdf_memory=3 * 1024 * MB, max_pdf_cpu_seconds=4, pdf_workers=LIMITS.pdf_workers)
    results: dict[str, object] = {}
    asked = threading.Event()
    real_pool = workers.shared_pool

    class Watched:
        """The shared pool, telling when the bomb has asked it for a worker."""

        def __init__(self, pool: workers.WorkerPool) -> None:
            self.pool = pool

        def run(self, fn: object, args: tuple[object, ...], task: workers.TaskLimits) -> object:
            if args[1] == "bomb":
                asked.set()
            return self.pool.run(fn, args, task)  # type: ignore[arg-type]

    monkeypatch.setattr(workers, "shared_pool", lambda size: Watched(real_pool(size)))

    def bomb() -> None:
        try:
            extract_pdf(noop_bomb(), "bomb", max_pages=300, limits=slow)
        except PaperTextError as exc:
            results["bomb"] = exc.reason

    thread = threading.Thread(target=bomb, daemon=True)
    thread.start()
    assert asked.wait(30)  # the bomb is in a worker (the pool has a free one for it)
    docs = [bounded(lambda: extract_pdf(GOOD, "good", max_pages=300, limits=LIMITS)) for _ in range(3)]
    assert thread.is_alive(), "the good reads waited for the bomb"
    assert all(SYNTH.facts["accuracy"] in d.text for d in docs)
    thread.join(60)
    assert not thread.is_alive(), "the bomb was never stopped"
    assert "max_pdf_cpu_seconds" in str(results.get("bomb")) or "max_pdf_memory" in str(results.get("bomb"))


def test_a_page_of_captions_is_searched_for_tables_a_bounded_number_of_times() -> None:
    doc = bounded(lambda: extract_pdf(caption_bomb(), "x", max_pages=3, limits=LIMITS))
    tables = [s for s in doc.sections if s.kind == "table"]
    assert len(tables) == MAX_CAPTIONS  # the first ones from the top, then no more searching
    assert tables[0].heading == "Table 1: caption 0" and tables[0].text == "r1 | 0.5\nr2 | 0.5"


def test_a_stale_pdfium_error_does_not_make_a_corrupt_pdf_encrypted() -> None:
    one = ReadLimits(pdf_workers=1)  # the same worker reads both: PDFium keeps its last error code
    no_page_tree = _pdf([b"BT ET"]).replace(b"/Pages 2 0 R", b"/Pages 9 0 R")
    assert "encrypted" in _reason(encrypted_pdf(make_paper("2606.00102")), one)
    reason = _reason(no_page_tree, one)
    assert reason.startswith("corrupt PDF") and "encrypted" not in reason


def test_text_keeps_no_controls_or_noncharacters() -> None:
    text = extract_pdf(not_text_pdf(), "x", max_pages=3, limits=LIMITS).text
    assert "bell escape [2Jdel end" in text
    assert not any(c in text for c in "\x07\x1b\x7f\ufffe\uffff\ufdd0\U0001fffe")


def test_pdf_head_of_a_bomb_is_empty_and_quick() -> None:
    assert bounded(lambda: pdf_head(text_bomb(chars=8_000_000), limits=LIMITS)) == PdfHead("", "", ())
    assert bounded(lambda: pdf_head(GOOD, limits=LIMITS)).title == SYNTH.title


def _kill_myself() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _spin() -> None:
    while True:
        pass


def test_a_worker_killed_from_outside_fails_its_task_and_the_pool_goes_on() -> None:
    pool = workers.WorkerPool(1)
    try:
        task = workers.TaskLimits(memory_bytes=512 * MB, cpu_seconds=5)
        with pytest.raises(workers.TaskFailed) as info:
            bounded(lambda: pool.run(_kill_myself, (), task))
        assert info.value.how == "SIGKILL"
        assert bounded(lambda: pool.run(len, (b"abc",), task)) == 3
    finally:
        pool.close()


def test_the_cpu_limit_counts_per_task_not_per_worker_life() -> None:
    pool = workers.WorkerPool(1)
    try:
        task = workers.TaskLimits(memory_bytes=512 * MB, cpu_seconds=1)
        with pytest.raises(workers.TaskFailed) as info:
            bounded(lambda: pool.run(_spin, (), task))
        assert info.value.cause == "cpu" and info.value.how == "SIGXCPU"
        # a fresh worker, which then runs more tasks than one limit's worth of CPU time in total
        for _ in range(3):
            assert bounded(lambda: pool.run(sum, (range(3_000_000),), task)) > 0
    finally:
        pool.close()


_HOARD: list[bytearray] = []


def _pid_after(data: bytes, fail: bool = False, hoard: int = 0) -> int:
    _HOARD.append(bytearray(hoard))
    if fail:
        raise ValueError("the task's own error")
    return os.getpid()


def test_a_task_runs_under_its_own_limit_not_under_the_last_tasks() -> None:
    pool = workers.WorkerPool(1)
    try:
        pid = bounded(lambda: pool.run(_pid_after, (b"",), workers.TaskLimits(1024 * MB, 5)))
        size = bounded(lambda: pool.run(workers._address_space, (), workers.TaskLimits(1024 * MB, 5)))
        assert size is not None
        tight = workers.TaskLimits(size + 256 * MB, 5)  # what a worker needs for a small task, not for 300 MB more
        with pytest.raises(ValueError):
            bounded(lambda: pool.run(_pid_after, (b"", True), tight))
        # the next task's 300 MB of arguments are received under no limit of the last task's, by the same worker
        assert bounded(lambda: pool.run(_pid_after, (bytes(300 * MB),), workers.TaskLimits(2048 * MB, 5))) == pid
    finally:
        pool.close()


def test_a_worker_that_kept_much_of_its_memory_is_replaced() -> None:
    pool = workers.WorkerPool(1)
    try:
        task = workers.TaskLimits(1024 * MB, 5)
        first = bounded(lambda: pool.run(_pid_after, (b"",), task))
        assert bounded(lambda: pool.run(_pid_after, (b"",), task)) == first  # a worker is kept between tasks
        hoarder = bounded(lambda: pool.run(_pid_after, (b"", False, 600 * MB), task))
        assert hoarder == first
        fresh = bounded(lambda: pool.run(_pid_after, (b"",), task))
        assert fresh != hoarder  # it ended after its reply; its memory is not the next task's
        assert bounded(lambda: pool.run(_pid_after, (b"", False, 600 * MB), task)) == fresh  # and it has room
    finally:
        pool.close()


def test_the_shared_pool_is_kept_for_the_same_setting_even_below_one() -> None:
    # pdf_workers=0 gets one worker; asking again with 0 must not close that pool and start another
    try:
        zero = workers.shared_pool(0)
        assert zero.size == 1 and workers.shared_pool(0) is zero and workers.shared_pool(1) is zero
        assert workers.shared_pool(2) is not zero
    finally:
        workers.shared_pool(LIMITS.pdf_workers)  # what the other tests here use
