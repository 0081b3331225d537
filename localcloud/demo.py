"""The demo: deploy the stack, run every system's scenarios as a client would, report each
execution's path and result, and say whether every expectation held."""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from localcloud.cloud import LocalCloud


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
    def passed(self) -> bool:
        return not self.error and bool(self.checks) and all(c.passed for c in self.checks)


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


def _result(description: dict[str, Any]) -> str:
    if description["status"] == "SUCCEEDED":
        return f"output {description.get('output')}"
    return f"error {description.get('error')}: {description.get('cause', '')}"


def report(cloud: LocalCloud, results: list[tuple[Scenario, Outcome]], out: TextIO) -> None:
    system = None
    for scenario, outcome in results:
        if scenario.system != system:
            system = scenario.system
            out.write(f"\n{system}\n")
        out.write(f"  [{'PASS' if outcome.passed else 'FAIL'}] {scenario.name}\n")
        for arn in outcome.executions:
            description = cloud.wait(arn)
            path = " -> ".join(cloud.path(arn))
            out.write(f"      execution {arn.rsplit(':', 1)[-1]}: {path}\n")
            out.write(f"        {description['status']}, {_result(description)}\n")
        for check in outcome.checks:
            mark = "ok " if check.passed else "NOT"
            out.write(
                f"      {mark} {check.description}{': ' + check.detail if check.detail else ''}\n"
            )
        if outcome.error:
            out.write(
                "      scenario crashed:\n        "
                + outcome.error.replace("\n", "\n        ")
                + "\n"
            )
    passed = sum(outcome.passed for _, outcome in results)
    out.write(f"\n{passed} of {len(results)} scenarios passed\n")


def run_all(cloud: LocalCloud, scenarios: list[Scenario]) -> list[tuple[Scenario, Outcome]]:
    return [(scenario, run_scenario(cloud, scenario)) for scenario in scenarios]


def invoke(cloud: LocalCloud, function_name: str, event: Any) -> tuple[bool, Any]:
    """Invoke a function synchronously as a client would: (errored, decoded payload)."""
    response = cloud.client("lambda").invoke(FunctionName=function_name, Payload=json.dumps(event))
    return bool(response.get("FunctionError")), json.loads(response["Payload"].read() or b"null")
