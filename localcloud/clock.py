"""The clock Wait states, retry intervals and localcloud's own delays run on.

``real`` waits as long as AWS would; ``fast`` (the default) divides every wait by ``speedup``;
``manual`` waits until a test moves time forward with ``advance``, so a test can look at the world
in the middle of a 30-second Wait without waiting 30 seconds.
"""

from __future__ import annotations

import threading
import time

MODES = ("real", "fast", "manual")


class Clock:
    def __init__(self, mode: str = "fast", speedup: float = 100.0) -> None:
        if mode not in MODES:
            raise ValueError(f"clock mode must be one of {MODES}, not {mode!r}")
        if speedup <= 0:
            raise ValueError("speedup must be positive")
        self.mode = mode
        self.speedup = speedup if mode == "fast" else 1.0
        self._virtual_now = 0.0
        self._changed = threading.Condition()

    def now(self) -> float:
        """Seconds on this clock (virtual in manual mode)."""
        return self._virtual_now if self.mode == "manual" else time.monotonic()

    def sleep(self, seconds: float, interrupt: threading.Event | None = None) -> bool:
        """Wait ``seconds`` of clock time; returns early (False) when ``interrupt`` is set."""
        if seconds <= 0:
            return True
        if self.mode != "manual":
            if interrupt is None:
                time.sleep(seconds / self.speedup)
                return True
            # Event.wait itself, not an override: a clock-aware Event subclass calls sleep().
            return not threading.Event.wait(interrupt, seconds / self.speedup)
        deadline = self._virtual_now + seconds
        with self._changed:
            while self._virtual_now < deadline:
                if interrupt is not None and interrupt.is_set():
                    return False
                self._changed.wait(timeout=0.05)
        return True

    def release_all(self) -> None:
        """On a manual clock, let every wait end now, as if time ran out: the emulator is shutting
        down, and nobody will advance the clock again. (Other clocks' waits end by themselves.)"""
        if self.mode == "manual":
            with self._changed:
                self._virtual_now = float("inf")
                self._changed.notify_all()

    def advance(self, seconds: float) -> None:
        """Move manual time forward, waking every wait whose deadline has passed."""
        if self.mode != "manual":
            raise RuntimeError("only a manual clock can be advanced")
        with self._changed:
            self._virtual_now += seconds
            self._changed.notify_all()
