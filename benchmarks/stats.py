"""Summaries of repeated measurements: a time is reported as its median, min and max over n runs,
never as one sample."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import TypedDict


class Summary(TypedDict):
    median: float
    min: float
    max: float
    n: int


def summary(samples: list[float]) -> Summary:
    if not samples:
        raise ValueError("a summary needs at least one sample")
    return {
        "median": statistics.median(samples),
        "min": min(samples),
        "max": max(samples),
        "n": len(samples),
    }


def timed_ms(times: int, run: Callable[[], object]) -> list[float]:
    """Wall time of each of ``times`` calls of ``run``, in milliseconds."""
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def summary_line(label: str, figures: Summary, unit: str = "ms", width: int = 52) -> str:
    return (
        f"{label:<{width}} median {figures['median']:9.1f} {unit}"
        f"   min {figures['min']:9.1f}   max {figures['max']:9.1f}   n={figures['n']}"
    )
