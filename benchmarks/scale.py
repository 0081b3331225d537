"""Sustained executions per second of the API workflow (POST /items -> SUCCEEDED) and of the
orders flow (postOrder -> the order's execution SUCCEEDED), each with 1, 10 and 50 concurrent
clients in a closed loop: every client starts its next transaction as soon as its last one ended.

Both flows run in one deployed cloud whose HTTP APIs do not throttle and whose payments always
succeed, so every transaction is a full, successful execution. Each flow is warmed up first: cold
starts are measured by benchmarks.loop, not here.

"The point where latency grows" is the lowest concurrency level whose median latency is more than
``LATENCY_GROWTH_FACTOR`` times the median at the lowest level measured (1 client by default);
None when no level is.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TextIO, TypedDict

from benchmarks.flows import place_an_order, store_an_item
from benchmarks.stats import timed_ms
from localcloud import deploy
from localcloud.lambda_workers import DEFAULT_CONCURRENCY

PROGRAM_DIR = Path(__file__).resolve().parent.parent
LEVELS = (1, 10, 50)
DEFAULT_DURATION_S = 1.5
LATENCY_GROWTH_FACTOR = 2.0
# Enough clients at once to start each function's every worker (its concurrency limit), twice.
WARM_UP_CLIENTS = 2 * DEFAULT_CONCURRENCY
# No 429s: the stack's default limits (10/s, burst 20) would measure the throttle, not the flow.
# Payments always succeed: a refused one is a shorter path and would flatter the rate.
SCALE_CONFIG = {
    "apiThrottlingRateLimit": 10_000,
    "apiThrottlingBurstLimit": 10_000,
    "ordersPaymentFailureRate": "0",
}

Transaction = Callable[[], None]


class LevelFigures(TypedDict):
    clients: int
    executions_per_s: float
    median_ms: float
    p90_ms: float
    max_ms: float
    n: int


class FlowFigures(TypedDict):
    levels: list[LevelFigures]
    latency_grows_at: int | None


def measure(
    levels: Sequence[int] = LEVELS, duration_s: float = DEFAULT_DURATION_S
) -> dict[str, FlowFigures]:
    """Each flow's figures at each level, ``duration_s`` of closed loop per level."""
    with deploy("dev", config=SCALE_CONFIG, program_dir=PROGRAM_DIR) as cloud:
        flows = {
            "API workflow (POST /items -> SUCCEEDED)": lambda: store_an_item(cloud),
            "orders (postOrder -> execution SUCCEEDED)": lambda: place_an_order(cloud),
        }
        return {name: _measure_flow(run, levels, duration_s) for name, run in flows.items()}


def _measure_flow(run: Transaction, levels: Sequence[int], duration_s: float) -> FlowFigures:
    _warm_up(run)
    figures = [level_figures(clients, *closed_loop(run, clients, duration_s)) for clients in levels]
    return {"levels": figures, "latency_grows_at": latency_grows_at(figures)}


def _warm_up(run: Transaction) -> None:
    with ThreadPoolExecutor(max_workers=WARM_UP_CLIENTS) as pool:
        list(pool.map(lambda _: run(), range(2 * WARM_UP_CLIENTS)))


def closed_loop(run: Transaction, clients: int, duration_s: float) -> tuple[list[float], float]:
    """``clients`` threads, each running transactions back to back until ``duration_s`` has
    passed: every transaction's latency in ms, and the seconds until the last one ended."""
    started = time.perf_counter()
    deadline = started + duration_s

    def client() -> list[float]:
        latencies: list[float] = []
        while time.perf_counter() < deadline:
            latencies.extend(timed_ms(1, run))
        return latencies

    with ThreadPoolExecutor(max_workers=clients) as pool:
        per_client = list(pool.map(lambda _: client(), range(clients)))
    elapsed_s = time.perf_counter() - started
    return [latency for latencies in per_client for latency in latencies], elapsed_s


def level_figures(clients: int, latencies_ms: list[float], elapsed_s: float) -> LevelFigures:
    return {
        "clients": clients,
        "executions_per_s": len(latencies_ms) / elapsed_s,
        "median_ms": statistics.median(latencies_ms),
        "p90_ms": percentile_90(latencies_ms),
        "max_ms": max(latencies_ms),
        "n": len(latencies_ms),
    }


def percentile_90(samples: list[float]) -> float:
    """The 90th percentile, interpolated between the samples (one sample is its own)."""
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=10, method="inclusive")[-1]


def latency_grows_at(levels: list[LevelFigures]) -> int | None:
    """The lowest concurrency level whose median latency is more than LATENCY_GROWTH_FACTOR
    times the lowest level's (the 1-client baseline); None if no level's is."""
    by_clients = sorted(levels, key=lambda level: level["clients"])
    baseline = by_clients[0]["median_ms"]
    grown = (
        level["clients"]
        for level in by_clients[1:]
        if level["median_ms"] > LATENCY_GROWTH_FACTOR * baseline
    )
    return next(grown, None)


def report(figures: dict[str, FlowFigures], out: TextIO) -> None:
    for flow, flow_figures in figures.items():
        out.write(f"sustained executions, {flow}, closed loop\n")
        for level in flow_figures["levels"]:
            out.write(_level_line(level) + "\n")
        out.write(f"  {_growth_line(flow_figures)}\n")


def _level_line(level: LevelFigures) -> str:
    return (
        f"  {level['clients']:>3} concurrent clients {level['executions_per_s']:8.1f} executions/s"
        f"   latency median {level['median_ms']:7.1f} ms   p90 {level['p90_ms']:7.1f}"
        f"   max {level['max_ms']:7.1f}   n={level['n']}"
    )


def _growth_line(figures: FlowFigures) -> str:
    by_clients = {level["clients"]: level for level in figures["levels"]}
    if not by_clients:
        return "no levels measured"
    base = min(by_clients)
    base_median = by_clients[base]["median_ms"]
    grows_at = figures["latency_grows_at"]
    if grows_at is None:
        return (
            f"latency does not grow past {LATENCY_GROWTH_FACTOR:g}x the {base}-client median"
            f" ({base_median:.1f} ms) up to {max(by_clients)} clients"
        )
    return (
        f"latency grows from {grows_at} clients: median {by_clients[grows_at]['median_ms']:.1f} ms"
        f" vs {base_median:.1f} ms at {base}"
    )
