"""The task tracker (seed 001) end to end, beyond its demo scenarios (tests/e2e/test_demo.py):
starter Lambda -> Step Functions -> DynamoDB, on a clock the tests move."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from demo.systems.task_tracker import Tasks
from localcloud import LocalCloud, deploy
from localcloud.clock import Clock


@pytest.fixture(scope="module")
def cloud() -> Iterator[LocalCloud]:
    """The dev stack on a manual clock: the 30-second wait lasts until the test moves time."""
    with deploy("dev", clock=Clock("manual")) as deployed:
        yield deployed


@pytest.fixture(scope="module")
def tasks(cloud: LocalCloud) -> Tasks:
    return Tasks(cloud)


def started(tasks: Tasks, task_id: str) -> dict:
    errored, execution = tasks.start(task_id)
    assert not errored, execution
    return dict(execution)


def waiting(cloud: LocalCloud, execution_arn: str) -> None:
    """Until the execution is in its Wait state (the clock counts from there)."""
    for _ in range(500):
        if "LongRunningTask" in cloud.path(execution_arn):
            return
        time.sleep(0.01)
    raise AssertionError("the execution never reached LongRunningTask")


def test_given_a_task_when_started_then_it_is_started_while_waiting_and_done_after(cloud, tasks):
    execution = started(tasks, "Breakfast")
    waiting(cloud, execution["executionArn"])

    # While the long-running task runs: STARTED, with the timestamp stored as a number
    assert tasks.item("Breakfast", execution["timestamp"]) == {
        "taskId": {"S": "Breakfast"},
        "timestamp": {"N": str(execution["timestamp"])},
        "Status": {"S": "STARTED"},
    }
    cloud.clock.advance(29)
    time.sleep(0.1)
    assert (
        cloud.client("stepfunctions").describe_execution(executionArn=execution["executionArn"])[
            "status"
        ]
        == "RUNNING"
    )

    # When the 30 s configured in Pulumi.yaml have passed on the clock
    cloud.clock.advance(1)
    final = cloud.wait(execution["executionArn"])

    assert final["status"] == "SUCCEEDED"
    assert tasks.status("Breakfast", execution["timestamp"]) == "Done"


def test_given_the_same_task_twice_in_a_second_then_one_execution_answers_both(tasks):
    first, second = started(tasks, "Lunch"), started(tasks, "Lunch")
    if first["timestamp"] != second["timestamp"]:  # crossed a second boundary: start again
        first, second = started(tasks, "Lunch2"), started(tasks, "Lunch2")

    assert first["executionArn"] == second["executionArn"]
    names = [execution["name"] for execution in tasks.executions()]
    assert names.count(first["name"]) == 1
