"""A scenario: one thing a client does with a system, the checks it makes, and the executions it
caused (which the report shows)."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from localcloud import LocalCloud


@dataclass
class Check:
    description: str
    passed: bool
    detail: str = ""


@dataclass
class Outcome:
    """What a scenario observed: the executions it caused and the checks it made."""

    executions: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    error: str = ""

    def expect(self, description: str, actual: Any, expected: Any) -> bool:
        passed = actual == expected
        detail = "" if passed else f"expected {expected!r}, got {actual!r}"
        self.checks.append(Check(description, passed, detail))
        return passed

    @property
    def failures(self) -> list[str]:
        """Why the scenario failed: each failed check with what it saw, the crash if it crashed,
        or that it checked nothing at all."""
        failed = [f"{c.description}: {c.detail}" for c in self.checks if not c.passed]
        if self.error:
            failed.append(self.error)
        if not self.checks:
            failed.append("the scenario made no checks")
        return failed

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass(frozen=True)
class Scenario:
    system: str
    name: str
    run: Callable[[LocalCloud, Outcome], None]


def run_scenario(cloud: LocalCloud, scenario: Scenario) -> Outcome:
    outcome = Outcome()
    try:
        scenario.run(cloud, outcome)
    except Exception:
        outcome.error = traceback.format_exc()
    return outcome


def run_all(cloud: LocalCloud, scenarios: list[Scenario]) -> list[tuple[Scenario, Outcome]]:
    """Every scenario, in the order given. The systems are independent, as their clients are:
    each system's scenarios run one after another, the systems side by side."""
    systems = list(dict.fromkeys(scenario.system for scenario in scenarios))

    def run_system(system: str) -> dict[str, Outcome]:
        return {
            scenario.name: run_scenario(cloud, scenario)
            for scenario in scenarios
            if scenario.system == system
        }

    with ThreadPoolExecutor(max_workers=len(systems) or 1) as pool:
        outcomes = dict(zip(systems, pool.map(run_system, systems), strict=True))
    return [(scenario, outcomes[scenario.system][scenario.name]) for scenario in scenarios]
