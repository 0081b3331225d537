"""Asynchronous work localcloud runs in the background: queued jobs and polled event sources.

AWS delivers asynchronous invocations, destinations and event-source batches some time after the
call that caused them. localcloud runs such work on one worker thread; ``drain`` waits until the
queue is empty, no job is running and no event source has anything left to deliver.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Protocol

LOG = logging.getLogger(__name__)


class EventSource(Protocol):
    def poll(self) -> bool:
        """Deliver what is due; True when something was delivered."""

    def pending(self) -> bool:
        """True while the source still holds work that will become due."""


class DrainTimeoutError(TimeoutError):
    """Asynchronous work was still pending when ``drain`` gave up."""


class Dispatcher:
    def __init__(self, poll_interval: float = 0.005) -> None:
        self._jobs: queue.Queue[Callable[[], None]] = queue.Queue()
        self._sources: list[EventSource] = []
        self._busy = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._poll_interval = poll_interval
        self.errors: list[BaseException] = []

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="localcloud-dispatcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def submit(self, job: Callable[[], None]) -> None:
        self._jobs.put(job)

    def add_source(self, source: EventSource) -> None:
        self._sources.append(source)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                job = self._jobs.get(timeout=self._poll_interval)
            except queue.Empty:
                job = None
            self._busy.set()
            try:
                if job is not None:
                    job()
                for source in list(self._sources):
                    source.poll()
            except Exception as error:
                LOG.exception("asynchronous job failed")
                self.errors.append(error)
            finally:
                self._busy.clear()

    def idle(self) -> bool:
        return self.quiet() and not any(source.pending() for source in self._sources)

    def quiet(self) -> bool:
        """No job queued and none running; event sources may still hold work for later."""
        return self._jobs.empty() and not self._busy.is_set()

    def drain(self, timeout: float = 30.0) -> None:
        """Wait until every queued job ran and every event source is empty."""
        self._wait_for(self.idle, timeout, "asynchronous work still pending")
        if self.errors:
            errors, self.errors = self.errors, []
            raise RuntimeError(f"{len(errors)} asynchronous job(s) failed") from errors[0]

    def settle(self, timeout: float = 30.0) -> None:
        """Wait until what is due now has run: queued jobs, and a poll of every event source
        since. What a source holds for later stays scheduled (a retry a minute of clock time
        away), so a test can move a manual clock knowing the consequences of the last step,
        such as that retry, are in place."""
        self._wait_for(self.quiet, timeout, "asynchronous work still running")

    def _wait_for(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        settled = 0
        # True on three consecutive looks a poll interval apart: a whole round of the worker
        # (its jobs, then a poll of every source) began and ended in between.
        while settled < 3:
            if time.monotonic() > deadline:
                raise DrainTimeoutError(f"{what} after {timeout} s")
            settled = settled + 1 if condition() else 0
            time.sleep(self._poll_interval)
