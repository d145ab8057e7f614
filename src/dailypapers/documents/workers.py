"""Worker processes for work on untrusted files that may blow up: each task runs in a process of its own
under an address-space limit and a CPU-time limit, so a decompression bomb costs at most those limits and
fails its own task. The caller learns which limit was hit from how the worker ended.

A pool keeps warm workers (starting one costs more than reading a normal PDF). Each worker runs one task at
a time and the pool knows which, so a worker that dies fails exactly the task it was running; it is replaced
on the next call and the other workers go on. Workers are forked from a clean single-threaded server process
(multiprocessing's "forkserver"), never from the caller, which runs threads.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, TypeVar

try:
    import resource
except ImportError:  # not on Windows: tasks run without rlimits there, under the wall-clock deadline only
    resource = None  # type: ignore[assignment]

T = TypeVar("T")

_CONTEXT = multiprocessing.get_context(
    "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
)


def preload(*modules: str) -> None:
    """Modules the fork server imports once, so that a new worker starts with them loaded (call at import)."""
    if _CONTEXT.get_start_method() == "forkserver":
        _CONTEXT.set_forkserver_preload(list(modules))


@dataclass(frozen=True)
class TaskLimits:
    memory_bytes: int  # address space of the worker while it runs the task (RLIMIT_AS)
    cpu_seconds: int  # CPU time the task may use (RLIMIT_CPU: SIGXCPU past it)

    @property
    def deadline(self) -> float:
        """Wall-clock seconds before a task is given up: the CPU limit measures work, this catches a worker
        that waits (it should never) or a machine so loaded that the CPU time comes slowly."""
        return 30.0 + 4.0 * self.cpu_seconds


class TaskFailed(Exception):
    """The worker ended without an answer. `cause`: "cpu" (over its CPU time), "memory" (a failed allocation,
    or died the way native code dies of one), "crash" (died otherwise) or "deadline" (no answer in time, killed);
    `how`: the signal or exit status, when it died."""

    def __init__(self, cause: str, how: str = "") -> None:
        super().__init__(f"{cause} ({how})" if how else cause)
        self.cause = cause
        self.how = how


def _set_limits(limits: TaskLimits) -> None:
    if resource is None:
        return
    # CPU time adds up over a worker's life: the limit is what this task may spend on top of what was spent
    usage = resource.getrusage(resource.RUSAGE_SELF)
    spent = int(usage.ru_utime + usage.ru_stime) + 1
    _soft_limit(resource.RLIMIT_CPU, spent + limits.cpu_seconds)
    _soft_limit(resource.RLIMIT_AS, limits.memory_bytes)


def _soft_limit(which: int, value: int) -> None:
    """Set the soft limit (the hard one stays, so the next task may be given more), never above the hard."""
    _, hard = resource.getrlimit(which)
    resource.setrlimit(which, (value if hard == resource.RLIM_INFINITY else min(value, hard), hard))


def _lift_limits() -> None:
    """Between tasks a worker is bounded by nothing but the hard limits: the next task's arguments (a whole
    PDF) are received under no limit of the last task's."""
    if resource is not None:
        for which in (resource.RLIMIT_AS, resource.RLIMIT_CPU):
            resource.setrlimit(which, (resource.getrlimit(which)[1],) * 2)


def _address_space() -> int | None:
    """This process's address space in bytes (Linux), None where it cannot be read."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def _serve(conn: Connection) -> None:
    """A worker's loop: run tasks until the pool closes the pipe, or until it has grown too big to be trusted
    with the next task's memory limit."""
    if resource is not None:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a bomb that aborts must not write a core file
    start = _address_space()
    while True:
        try:
            fn, args, limits = conn.recv()
        except (EOFError, OSError, MemoryError):
            return
        _set_limits(limits)
        try:
            reply: tuple[str, Any] = ("ok", fn(*args))
        except MemoryError:
            conn.send(("memory", None, True))
            return  # state after a failed allocation is not to be trusted: the pool starts a new worker
        except Exception as exc:  # the task's own error, raised again in the caller
            reply = ("raise", exc)
        # what a task leaves allocated (caches, fragments) would count against the next task's limit: a worker
        # past half its headroom replies, then ends, and the pool starts a fresh one
        now = _address_space()
        retiring = start is not None and now is not None and now - start > (limits.memory_bytes - start) // 2
        try:
            conn.send((*reply, retiring))
        except MemoryError:
            return  # the reply itself did not fit: the caller sees the worker die over its memory limit
        except OSError:
            return  # the caller is gone
        except Exception as exc:  # an exception that does not pickle: send what it said
            conn.send(("raise", RuntimeError(f"{type(exc).__name__}: {exc}"), retiring))
        if retiring:
            return
        _lift_limits()


class _Worker:
    def __init__(self) -> None:
        self.retiring = False  # it said it ends after its last reply: not to be given another task
        self.conn, child = _CONTEXT.Pipe()
        self.process = _CONTEXT.Process(target=_serve, args=(child,), daemon=True, name="dailypapers-worker")
        self.process.start()
        child.close()

    def run(self, fn: Callable[..., Any], args: tuple[Any, ...], limits: TaskLimits) -> Any:
        try:
            self.conn.send((fn, args, limits))
        except (BrokenPipeError, EOFError, OSError):
            raise _Gone from None
        if not self.conn.poll(limits.deadline):
            self.close()
            raise TaskFailed("deadline")
        try:
            status, value, self.retiring = self.conn.recv()
        except (EOFError, OSError):
            self.process.join(5)
            raise _died(self.process.exitcode) from None
        if status == "ok":
            return value
        if status == "memory":
            self.close()
            raise TaskFailed("memory", "MemoryError")
        raise value

    def close(self) -> None:
        self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)


class _Gone(Exception):
    """The worker was dead before the task reached it (the task did not start)."""


def _died(exitcode: int | None) -> TaskFailed:
    if exitcode is not None and exitcode < 0:
        sig = -exitcode
        name = signal.Signals(sig).name if sig in set(signal.Signals) else f"signal {sig}"
        if sig == signal.SIGXCPU:
            return TaskFailed("cpu", name)
        if sig in (signal.SIGABRT, signal.SIGKILL, signal.SIGSEGV, signal.SIGBUS):
            # native code aborts when an allocation fails under the limit; the kernel's OOM killer sends KILL
            return TaskFailed("memory", name)
        return TaskFailed("crash", name)
    return TaskFailed("crash", f"exit status {exitcode}")


class WorkerPool:
    """At most `size` worker processes; `run` blocks until one is free. Thread-safe."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._free = threading.BoundedSemaphore(size)
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._closed = False

    def run(self, fn: Callable[..., T], args: tuple[Any, ...], limits: TaskLimits) -> T:
        """`fn(*args)` in a worker under `limits`: its result, its exception, or TaskFailed."""
        with self._free:
            for attempt in range(2):
                worker = self._take()
                try:
                    result = worker.run(fn, args, limits)
                except _Gone:  # died while idle (e.g. killed from outside): the task never ran, try a new one
                    worker.close()
                    if attempt:
                        raise TaskFailed("crash", "no worker process would start") from None
                    continue
                except TaskFailed:
                    worker.close()
                    raise
                except BaseException:
                    self._give_back(worker)  # the task's own exception: the worker is fine
                    raise
                self._give_back(worker)
                return result
        raise AssertionError("unreachable")

    def _take(self) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.process.is_alive():
                    return worker
                worker.close()
        return _Worker()

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            if not self._closed and not worker.retiring:
                self._idle.append(worker)
                return
        worker.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.close()


_pool: WorkerPool | None = None
_pool_lock = threading.Lock()


def shared_pool(size: int) -> WorkerPool:
    """The process-wide pool (workers are a machine resource, like the lock they replace), resized on demand."""
    global _pool
    size = max(1, size)  # the size the pool gets, so the next call with the same setting keeps it
    with _pool_lock:
        if _pool is None or _pool.size != size:
            if _pool is not None:
                _pool.close()
            _pool = WorkerPool(size)
        return _pool
