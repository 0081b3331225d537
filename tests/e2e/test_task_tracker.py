"""The task tracker (seed 001) end to end: starter Lambda -> Step Functions -> DynamoDB."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from localcloud import LocalCloud, deploy
from localcloud.clock import Clock
from localcloud.demo import invoke


@pytest.fixture(scope="module")
def cloud() -> Iterator[LocalCloud]:
    """The dev stack on a manual clock: the 30-second wait lasts until the test moves time."""
    with deploy("dev", clock=Clock("manual")) as deployed:
        yield deployed


def start(cloud: LocalCloud, task_id: str) -> dict:
    errored, payload = invoke(cloud, cloud.outputs["taskTrackerFunctionName"], {"taskId": task_id})
    return {"errored": errored, **payload}


def item(cloud: LocalCloud, task_id: str, timestamp: int) -> dict | None:
    return (
        cloud.client("dynamodb")
        .get_item(
            TableName=cloud.outputs["tasksTableName"],
            Key={"taskId": {"S": task_id}, "timestamp": {"N": str(timestamp)}},
        )
        .get("Item")
    )


def waiting(cloud: LocalCloud, execution_arn: str) -> None:
    """Until the execution is in its Wait state (the clock counts from there)."""
    for _ in range(500):
        if "LongRunningTask" in cloud.path(execution_arn):
            return
        time.sleep(0.01)
    raise AssertionError("the execution never reached LongRunningTask")


def test_given_a_task_when_started_then_it_is_started_while_waiting_and_done_after(cloud):
    started = start(cloud, "Breakfast")
    assert not started["errored"], started
    waiting(cloud, started["executionArn"])

    # While the long-running task runs: STARTED, with the timestamp stored as a number
    assert item(cloud, "Breakfast", started["timestamp"]) == {
        "taskId": {"S": "Breakfast"},
        "timestamp": {"N": str(started["timestamp"])},
        "Status": {"S": "STARTED"},
    }
    cloud.clock.advance(29)
    time.sleep(0.1)
    assert (
        cloud.client("stepfunctions").describe_execution(executionArn=started["executionArn"])[
            "status"
        ]
        == "RUNNING"
    )

    # When the 30 s configured in Pulumi.yaml have passed on the clock
    cloud.clock.advance(1)
    final = cloud.wait(started["executionArn"])

    assert final["status"] == "SUCCEEDED"
    assert item(cloud, "Breakfast", started["timestamp"])["Status"] == {"S": "Done"}
    assert cloud.path(started["executionArn"]) == [
        "CreateTaskItem",
        "LongRunningTask",
        "MarkTaskDone",
    ]
    assert started["name"] == f"Breakfast-{started['timestamp']}"


def test_given_the_same_task_twice_in_a_second_then_one_execution_answers_both(cloud):
    first, second = start(cloud, "Lunch"), start(cloud, "Lunch")
    if first["timestamp"] != second["timestamp"]:  # crossed a second boundary: start again
        first, second = start(cloud, "Lunch2"), start(cloud, "Lunch2")

    assert first["executionArn"] == second["executionArn"]
    executions = cloud.client("stepfunctions").list_executions(
        stateMachineArn=cloud.outputs["taskTrackerStateMachineArn"]
    )["executions"]
    assert [e["name"] for e in executions].count(first["name"]) == 1


def test_given_an_illegal_id_then_invalid_task_id_error_and_no_execution(cloud):
    machine = cloud.outputs["taskTrackerStateMachineArn"]
    before = cloud.client("stepfunctions").list_executions(stateMachineArn=machine)["executions"]

    result = start(cloud, "has spaces/and slashes")

    assert result["errored"] and result["errorType"] == "InvalidTaskIdError"
    assert (
        cloud.client("stepfunctions").list_executions(stateMachineArn=machine)["executions"]
        == before
    )
