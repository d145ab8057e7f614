"""Run a call with a time bound that the test enforces itself: a hostile input must end (parse or fail) in
time, and a call that hangs fails the test instead of hanging the suite. The bounds are generous on purpose
(a shared 2-core machine); the real figures are printed by bench/hostile.py.

The bound is on the CPU time of the thread that runs the call, with a wall-clock backstop several times
longer: on a machine that other jobs keep busy a linear parse can wait for a core longer than it computes, and
a wall-clock bound alone failed it there; a quadratic step still burns the CPU it needs, and a hang (or a call
that waits on a worker process, whose time is not this thread's) still meets the backstop."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

# far above what any input here needs (bench/hostile.py: well under a few seconds each), far below a hang
GENEROUS_SECONDS = 60.0
BACKSTOP_FACTOR = 6  # the wall-clock limit, in multiples of the CPU bound


def bounded(fn: Callable[[], Any], seconds: float = GENEROUS_SECONDS) -> Any:
    """`fn()`'s result, or its exception raised again; AssertionError if it used more than `seconds` of CPU
    time, or has not ended within BACKSTOP_FACTOR times that of wall-clock time."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        started = time.thread_time()
        try:
            outcome["value"] = fn()
        except BaseException as exc:  # handed to the test thread
            outcome["error"] = exc
        outcome["cpu"] = time.thread_time() - started

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds * BACKSTOP_FACTOR)
    assert not thread.is_alive(), f"still running after {seconds * BACKSTOP_FACTOR:.0f} s"
    assert outcome["cpu"] <= seconds, f"used {outcome['cpu']:.1f} s of CPU time, over the bound of {seconds:.0f} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
