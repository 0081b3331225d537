"""Work that becomes due at a time on the localcloud clock (retry delays, visibility timeouts).

AWS waits minutes between asynchronous retries and a queue's visibility timeout before a failed
message comes back. Sleeping for those would block the dispatcher's one worker, so the work is
kept here with its due time and an event source picks up what is due on each poll.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from typing import Generic, TypeVar

from localcloud.clock import Clock

T = TypeVar("T")


def deadline(clock: Clock, seconds: float) -> float:
    """The ``clock.now()`` reading at which ``seconds`` of clock time will have passed.

    ``now()`` is real time in fast mode, so a fast clock's seconds are divided by its speedup
    (the speedup is 1 for the real and manual clocks).
    """
    return clock.now() + seconds / clock.speedup


def elapsed(clock: Clock, since: float) -> float:
    """Seconds of clock time since the ``clock.now()`` reading ``since``."""
    return (clock.now() - since) * clock.speedup


class Schedule(Generic[T]):
    """Items due after a delay on the clock; safe to use from several threads."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._heap: list[tuple[float, int, T]] = []
        self._order = itertools.count()  # ties leave in the order they came
        self._lock = threading.Lock()

    def add(self, item: T, delay: float = 0.0) -> None:
        with self._lock:
            heapq.heappush(self._heap, (deadline(self._clock, delay), next(self._order), item))

    def pop_due(self) -> list[T]:
        """Remove and return every item whose time has come, earliest first."""
        now = self._clock.now()
        due: list[T] = []
        with self._lock:
            while self._heap and self._heap[0][0] <= now:
                due.append(heapq.heappop(self._heap)[2])
        return due

    def __len__(self) -> int:
        with self._lock:
            return len(self._heap)
