"""Task tracker (seed 001): the starter starts a machine that records the task in DynamoDB."""

from __future__ import annotations

import uuid

from localcloud.cloud import LocalCloud
from localcloud.demo import Outcome, Scenario, invoke

SYSTEM = "Task tracker (seed 001): Lambda -> Step Functions -> DynamoDB"


def _status(cloud: LocalCloud, task_id: str, timestamp: int) -> str | None:
    item = (
        cloud.client("dynamodb")
        .get_item(
            TableName=cloud.outputs["tasksTableName"],
            Key={"taskId": {"S": task_id}, "timestamp": {"N": str(timestamp)}},
        )
        .get("Item")
    )
    return item["Status"]["S"] if item else None


def track_a_task(cloud: LocalCloud, outcome: Outcome) -> None:
    task_id = f"Breakfast-{uuid.uuid4().hex[:6]}"
    errored, started = invoke(cloud, cloud.outputs["taskTrackerFunctionName"], {"taskId": task_id})
    outcome.expect("the starter starts an execution", errored, False)
    outcome.executions.append(started["executionArn"])
    final = cloud.wait(started["executionArn"])
    outcome.expect("the execution succeeds", final["status"], "SUCCEEDED")
    outcome.expect("the task ends Done", _status(cloud, task_id, started["timestamp"]), "Done")


def refuse_an_illegal_task_id(cloud: LocalCloud, outcome: Outcome) -> None:
    machine = cloud.outputs["taskTrackerStateMachineArn"]
    before = len(
        cloud.client("stepfunctions").list_executions(stateMachineArn=machine)["executions"]
    )
    errored, payload = invoke(
        cloud, cloud.outputs["taskTrackerFunctionName"], {"taskId": "no/slashes"}
    )
    outcome.expect(
        "the starter refuses the id",
        (errored, payload.get("errorType")),
        (True, "InvalidTaskIdError"),
    )
    after = len(
        cloud.client("stepfunctions").list_executions(stateMachineArn=machine)["executions"]
    )
    outcome.expect("no execution was started", after, before)


SCENARIOS = [
    Scenario(SYSTEM, "a task is recorded STARTED, then Done after the wait", track_a_task),
    Scenario(SYSTEM, "an id that cannot name an execution is refused", refuse_an_illegal_task_id),
]
