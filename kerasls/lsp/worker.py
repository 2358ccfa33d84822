"""The analysis thread: analyses run one at a time, off the event loop that talks to the editor."""

from __future__ import annotations

import concurrent.futures
import gc
import queue
import sys
import threading
from collections.abc import Callable


class Worker:
    """One daemon thread running analyses in order; it never keeps the process alive at exit.

    Memory: the parse trees of open documents are many long-lived objects, and a full pass of
    Python's cyclic collector over them costs hundreds of milliseconds on a large file, at a
    random keystroke. So the worker moves everything alive after each analysis out of the
    collector's view (gc.freeze; analyses break their own cycles when replaced, so they are
    still freed) and runs a real full collection once it has been idle for a while — or,
    for a client that never pauses, once the process's allocated blocks grew by a quarter since
    the last one (the cycles that remain would otherwise pile up: ~4 MB per thousand edits of a
    small file). Growth is read with sys.getallocatedblocks(), which is O(1): gc.get_freeze_count()
    walks every frozen object, ~4 ms per analysis once the measured outcomes are loaded.
    """

    IDLE_COLLECT_SECONDS = 2.0
    GROWTH_COLLECT = 0.25
    MIN_GROWTH = 50_000  # memory blocks

    def __init__(self) -> None:
        self._jobs: queue.Queue = queue.Queue()
        previous = threading.stack_size(64 * 1024 * 1024)  # deep but valid code recurses deeply in libcst
        try:
            threading.Thread(target=self._run, name="kerasls-analysis", daemon=True).start()
        finally:
            threading.stack_size(previous)

    def submit(self, job: Callable) -> concurrent.futures.Future:
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._jobs.put((job, future))
        return future

    def _run(self) -> None:
        dirty = False
        collected = sys.getallocatedblocks()  # right after the last full collection
        while True:
            try:
                job, future = self._jobs.get(timeout=self.IDLE_COLLECT_SECONDS if dirty else None)
            except queue.Empty:
                collected = self._collect()
                dirty = False
                continue
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(job())
            except BaseException as error:  # handed to the awaiting handler
                future.set_exception(error)
            gc.freeze()
            dirty = True
            if sys.getallocatedblocks() - collected > max(self.MIN_GROWTH, self.GROWTH_COLLECT * collected):
                collected = self._collect()

    @staticmethod
    def _collect() -> int:
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        return sys.getallocatedblocks()
