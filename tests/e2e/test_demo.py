"""The demo's scenarios, each a test: every one passes against the deployed stack; a failing or
crashing scenario is reported as failed, and fails the demo."""

import contextlib
import io

import pytest

from demo import __main__ as demo_main
from demo.report import report
from demo.scenario import Outcome, Scenario, run_all, run_scenario
from demo.scenarios import SCENARIOS


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.name)
def test_the_scenario_passes(cloud, scenario):
    outcome = run_scenario(cloud, scenario)

    assert outcome.passed, "\n".join(outcome.failures)


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


@pytest.mark.parametrize(("passes", "status"), [(True, 0), (False, 1)])
def test_the_demo_exits_non_zero_unless_every_scenario_passed(cloud, monkeypatch, passes, status):
    def scenario(_cloud, outcome: Outcome) -> None:
        outcome.expect("it holds", passes, True)

    monkeypatch.setattr(demo_main, "deployed", lambda *_: contextlib.nullcontext(cloud))
    monkeypatch.setattr(demo_main, "SCENARIOS", [Scenario("S", "one", scenario)])

    assert demo_main.main([]) == status
