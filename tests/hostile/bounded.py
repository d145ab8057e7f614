"""Run a call with a wall-clock bound that the test enforces itself: a hostile input must end (parse or fail)
in time, and a call that hangs fails the test instead of hanging the suite. The bounds are generous on
purpose (a shared 2-core machine); the real figures are printed by bench/hostile.py."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

# far above what any input here needs (bench/hostile.py: well under a few seconds each), far below a hang
GENEROUS_SECONDS = 60.0


def bounded(fn: Callable[[], Any], seconds: float = GENEROUS_SECONDS) -> Any:
    """`fn()`'s result, or its exception raised again; AssertionError if it has not ended within `seconds`."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = fn()
        except BaseException as exc:  # handed to the test thread
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds:.0f} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
