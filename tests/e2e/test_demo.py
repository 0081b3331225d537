"""The demo: every system's scenarios pass against the deployed stack, and a failure is reported."""

import io

from localcloud.demo import Outcome, Scenario, report, run_all
from localcloud.scenarios import SCENARIOS


def test_every_scenario_of_every_system_passes(cloud):
    results = run_all(cloud, SCENARIOS)

    failed = [
        (s.name, [c for c in o.checks if not c.passed], o.error) for s, o in results if not o.passed
    ]
    assert failed == []
    assert {s.system for s in SCENARIOS} >= {
        "API workflow (seed 004): HTTP API -> Step Functions -> Lambda -> DynamoDB"
    }


def test_a_failing_or_crashing_scenario_is_reported_as_failed(cloud):
    def wrong(_cloud, outcome: Outcome) -> None:
        outcome.expect("two is three", 2, 3)

    def crash(_cloud, outcome: Outcome) -> None:
        raise RuntimeError("boom")

    results = run_all(cloud, [Scenario("S", "wrong", wrong), Scenario("S", "crash", crash)])
    out = io.StringIO()
    report(cloud, results, out)

    assert not any(outcome.passed for _, outcome in results)
    assert "[FAIL] wrong" in out.getvalue() and "expected 3, got 2" in out.getvalue()
    assert "RuntimeError: boom" in out.getvalue()
    assert out.getvalue().rstrip().endswith("0 of 2 scenarios passed")
