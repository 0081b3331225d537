"""The demo's report: per system, each scenario's verdict, the path and result of every execution
it caused, and its checks; then how many scenarios passed."""

from __future__ import annotations

from typing import Any, TextIO

from demo.scenario import Outcome, Scenario
from localcloud import LocalCloud


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
