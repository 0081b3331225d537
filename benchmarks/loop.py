"""How long the development loop takes: the program evaluated under recording mocks, a localcloud
deploy of the dev stack, and each demo scenario's wall time, cold and warm.

A scenario runs alone (not side by side with the other systems', as the demo runs them), so that
its wall time is its own. "Cold" is its run right after a fresh deploy, the first time its
functions run (each starts new worker processes; the scenarios run in the demo's order, so a
system's later scenarios may find workers its earlier ones started, as in the demo). "Warm" is
the same scenario run again in the same deployed cloud.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO, TypedDict

from benchmarks.stats import Summary, summary, summary_line, timed_ms
from demo.scenario import Scenario, run_scenario
from demo.scenarios import SCENARIOS
from localcloud import LocalCloud, deploy
from localcloud.recording import deploy_with_mocks

PROGRAM_DIR = Path(__file__).resolve().parent.parent
STACK = "dev"


class ScenarioFigures(TypedDict):
    cold_ms: Summary
    warm_ms: Summary


class LoopFigures(TypedDict):
    evaluation_ms: Summary
    deploy_ms: Summary
    exit_ms: Summary
    all_scenarios_cold_ms: Summary
    all_scenarios_warm_ms: Summary
    scenarios: dict[str, ScenarioFigures]
    failed: list[str]


class _Samples:
    """Each scenario's wall times (ms) by key, and the keys of the runs that failed."""

    def __init__(self) -> None:
        self.by_key: dict[str, list[float]] = {}
        self.runs_ms: list[float] = []
        self.failed: list[str] = []

    def run_all(self, cloud: LocalCloud) -> None:
        """Every scenario once, one after another."""
        total_ms = 0.0
        for scenario in SCENARIOS:
            elapsed_ms = self._run(cloud, scenario)
            self.by_key.setdefault(scenario_key(scenario), []).append(elapsed_ms)
            total_ms += elapsed_ms
        self.runs_ms.append(total_ms)

    def _run(self, cloud: LocalCloud, scenario: Scenario) -> float:
        started = time.perf_counter()
        outcome = run_scenario(cloud, scenario)
        elapsed_ms = _ms_since(started)
        if not outcome.passed:
            self.failed.append(scenario_key(scenario))
        return elapsed_ms


def measure(
    evaluations: int = 5, deploys: int = 3, cold_runs: int = 2, warm_runs: int = 3
) -> LoopFigures:
    """``cold_runs`` (at most ``deploys``) of the timed deploys also run every scenario cold;
    the first of them then runs every scenario ``warm_runs`` times more."""
    if not 1 <= cold_runs <= deploys:
        raise ValueError("cold_runs must be from 1 to deploys: each cold run needs its own deploy")
    evaluation_ms = timed_ms(evaluations, lambda: deploy_with_mocks(STACK, program_dir=PROGRAM_DIR))
    deploy_ms: list[float] = []
    exit_ms: list[float] = []
    cold, warm = _Samples(), _Samples()
    for number in range(deploys):
        with _timed_deploy(deploy_ms, exit_ms) as cloud:
            if number < cold_runs:
                cold.run_all(cloud)
            if number == 0:
                for _ in range(warm_runs):
                    warm.run_all(cloud)
    return {
        "evaluation_ms": summary(evaluation_ms),
        "deploy_ms": summary(deploy_ms),
        "exit_ms": summary(exit_ms),
        "all_scenarios_cold_ms": summary(cold.runs_ms),
        "all_scenarios_warm_ms": summary(warm.runs_ms),
        "scenarios": {
            key: {"cold_ms": summary(samples), "warm_ms": summary(warm.by_key[key])}
            for key, samples in cold.by_key.items()
        },
        "failed": sorted(set(cold.failed + warm.failed)),
    }


@contextlib.contextmanager
def _timed_deploy(deploy_ms: list[float], exit_ms: list[float]) -> Iterator[LocalCloud]:
    """The dev stack deployed; how long entering (the deploy) and leaving (stopping the
    emulator and its workers) took are appended to ``deploy_ms`` and ``exit_ms``."""
    started = time.perf_counter()
    with deploy(STACK, program_dir=PROGRAM_DIR) as cloud:
        deploy_ms.append(_ms_since(started))
        yield cloud
        leaving = time.perf_counter()
    exit_ms.append(_ms_since(leaving))


def scenario_key(scenario: Scenario) -> str:
    """``<system>/<name>``, the system named by its module in demo.scenarios."""
    system = scenario.run.__module__.rsplit(".", 1)[-1]
    return f"{system}/{scenario.name}"


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def report(figures: LoopFigures, out: TextIO) -> None:
    lines = [
        summary_line("program under recording mocks (no AWS)", figures["evaluation_ms"]),
        summary_line("localcloud deploy of the dev stack", figures["deploy_ms"]),
        summary_line("  leaving it (after its scenarios ran)", figures["exit_ms"]),
        "demo scenarios one at a time (cold: first run after a fresh deploy; warm: run again)",
        summary_line("  all scenarios, cold", figures["all_scenarios_cold_ms"]),
        summary_line("  all scenarios, warm", figures["all_scenarios_warm_ms"]),
    ]
    for key, scenario in figures["scenarios"].items():
        lines += [
            f"  {key}",
            summary_line("    cold", scenario["cold_ms"]),
            summary_line("    warm", scenario["warm_ms"]),
        ]
    if figures["failed"]:
        lines.append(f"  FAILED (their times are suspect): {', '.join(figures['failed'])}")
    out.write("".join(f"{line}\n" for line in lines))
