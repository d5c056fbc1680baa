"""Solves off the event loop: a bounded pool of worker processes with a real time limit.

Each solve, sweep, comparison or report runs in a process of its own, forked from a server
process that has the solver stack loaded already (``forkserver``), so a start costs
milliseconds. At most ``size`` run at once; up to ``queue`` more wait; beyond that a request
is answered 503 with Retry-After. A worker still running at the time limit is stopped (and
the request answered 504); a request whose client goes away stops its worker. Each worker
may hold at most ``memory_mb`` of data (RLIMIT_DATA: the heap and every private writable
mapping, so numpy's and HiGHS's arrays alike); a request that needs more is answered 413,
and the server's peak memory is its own plus ``size`` times that, whatever is sent. The
event loop only waits, so a GET is answered while solves run.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import resource
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from allocator.errors import AllocatorError
from allocator.messages import Message

#: Modules the worker processes' parent loads once, so that each worker starts at once.
PRELOAD = ["allocator.commands", "allocator.reports.documents", "allocator.reports.workbook",
           "allocator.studies.sweep", "allocator.studies.compare"]


class Busy(AllocatorError):
    """Every worker is busy and the queue is full: 503 with Retry-After."""

    exit_code = 2

    def __init__(self, retry_after: int) -> None:
        super().__init__(Message("the server is busy with other solves: try again in "
                                 "{seconds} s", seconds=retry_after))
        self.retry_after = retry_after


class Stopped(AllocatorError):
    """A worker stopped at the time limit: 504."""

    exit_code = 2

    def __init__(self, limit: float) -> None:
        super().__init__(Message("the request took longer than the limit of {limit:g} s and "
                                 "was stopped", limit=limit))


class TooMuchMemory(AllocatorError):
    """A worker ran out of the memory it may hold: 413."""

    exit_code = 2

    def __init__(self, memory_mb: int) -> None:
        super().__init__(Message("the request needs more memory than this server allows per "
                                 "solve ({memory} MB; allocator serve --memory)",
                                 memory=memory_mb))
        self.memory_mb = memory_mb

    def __reduce__(self) -> tuple[Any, tuple[int]]:  # sent from the worker, made anew
        return (TooMuchMemory, (self.memory_mb,))


class WorkerFailed(Exception):
    """A worker ended with an error that is no refusal of its input (a defect)."""


def _job(pipe: Any, fn: Callable[..., Any], args: tuple[Any, ...], memory_mb: int | None
         ) -> None:
    """In the worker: hold its data to ``memory_mb``, run ``fn`` and send back ("ok",
    value) or ("error", exception)."""
    try:
        if memory_mb is not None:
            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
        pipe.send(("ok", fn(*args)))
    except AllocatorError as exc:
        pipe.send(("error", exc))
    except MemoryError:
        pipe.send(("error", TooMuchMemory(memory_mb or 0)))
    except BaseException as exc:  # noqa: BLE001 - a defect, reported with its trace
        pipe.send(("defect", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
    finally:
        pipe.close()


class Workers:
    """A bounded pool of worker processes (see the module)."""

    def __init__(self, size: int = 2, queue: int = 8, time_limit: float = 30.0,
                 memory_mb: int | None = 2048) -> None:
        self.size, self.queue, self.time_limit = size, queue, time_limit
        self.memory_mb = memory_mb
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(PRELOAD)
        # a thread's semaphore, not asyncio's: requests may come on more than one loop
        self._slots = threading.BoundedSemaphore(size)
        self._waiting = 0
        self._lock = threading.Lock()
        self.running: set[int] = set()  # the workers' process ids (for tests and stats)

    async def run(self, fn: Callable[..., Any], *args: Any,
                  disconnected: Callable[[], Any] | None = None) -> Any:
        """``fn(*args)`` in a worker; refusals of the input come back as raised."""
        with self._lock:
            if self._waiting >= self.size + self.queue:
                raise Busy(retry_after=max(1, int(self.time_limit // 4)))
            self._waiting += 1
        cancel = threading.Event()
        watcher = None
        try:
            if disconnected is not None:
                watcher = asyncio.create_task(self._watch(disconnected, cancel))
            kind, value = await asyncio.to_thread(self._in_slot, fn, args, cancel)
        finally:
            with self._lock:
                self._waiting -= 1
            if watcher is not None:
                watcher.cancel()
        if kind == "ok":
            return value
        if kind == "error":
            raise value
        raise WorkerFailed(value)

    @staticmethod
    async def _watch(disconnected: Callable[[], Any], cancel: threading.Event) -> None:
        while not cancel.is_set():
            if await disconnected():
                cancel.set()
                return
            await asyncio.sleep(0.1)

    def _in_slot(self, fn: Callable[..., Any], args: tuple[Any, ...],
                 cancel: threading.Event) -> tuple[str, Any]:
        """Wait for a free worker (or the client to go), then run in it."""
        while not self._slots.acquire(timeout=0.1):
            if cancel.is_set():
                return ("error", Stopped(0.0))
        try:
            return self._in_process(fn, args, cancel)
        finally:
            self._slots.release()

    def _in_process(self, fn: Callable[..., Any], args: tuple[Any, ...],
                    cancel: threading.Event) -> tuple[str, Any]:
        parent, child = self.context.Pipe(duplex=False)
        process = self.context.Process(target=_job, args=(child, fn, args, self.memory_mb),
                                       daemon=True)
        process.start()
        child.close()
        self.running.add(process.pid or 0)
        deadline = time.monotonic() + self.time_limit
        try:
            while True:
                if parent.poll(0.05):
                    try:
                        return parent.recv()
                    except EOFError:
                        return self._ended(process)
                if cancel.is_set():
                    return ("error", Stopped(0.0))
                if time.monotonic() > deadline:
                    return ("error", Stopped(self.time_limit))
                if not process.is_alive() and not parent.poll(0):
                    return self._ended(process)
        finally:
            if process.is_alive():
                process.kill()
            process.join(timeout=5)
            self.running.discard(process.pid or 0)
            parent.close()

    def _ended(self, process: Any) -> tuple[str, Any]:
        """A worker that ended without an answer. Killed by a signal while its memory is
        held (a C++ allocation that fails inside HiGHS aborts the process instead of
        raising), it ran out of memory; anything else is a defect."""
        process.join(timeout=5)
        code = process.exitcode
        if self.memory_mb is not None and code is not None and code < 0:
            return ("error", TooMuchMemory(self.memory_mb))
        return ("defect", f"the worker ended ({code}) without an answer")
