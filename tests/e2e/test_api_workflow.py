"""The API workflow (seed 004) end to end, beyond its demo scenarios (tests/e2e/test_demo.py):
HTTP -> API Gateway -> Step Functions -> Lambda -> DynamoDB."""

import json
import time
import uuid

import pytest

from demo.client import Subscriber
from demo.systems.api_workflow import Items
from localcloud import LocalCloud
from localcloud.cloud import ExecutionTimeoutError


@pytest.fixture(scope="module")
def items(cloud: LocalCloud) -> Items:
    return Items(cloud)


def test_given_a_body_that_is_not_json_when_posted_then_400_and_nothing_starts(items):
    before = len(items.executions())

    status, _ = items.post(b"{not json")

    assert status == 400
    assert len(items.executions()) == before


def test_the_exported_url_points_into_the_front_door(cloud):
    assert cloud.outputs["apiWorkflowUrl"].startswith(f"{cloud.url}/")
    assert cloud.outputs["apiWorkflowUrl"].endswith("/items")


# -- every input Step Functions accepts ends SUCCEEDED or LambdaFunctionError --------------------

# Step Functions' limit for an execution's input, in bytes of UTF-8 (AWS documentation, "Step
# Functions service quotas": "Maximum input or output size for a task, state, or execution:
# 256 KiB of data as a UTF-8 encoded string").
INPUT_LIMIT = 262_144


def _started_and_finished(items: Items, body: bytes) -> tuple[str, dict]:
    status, started = items.post(body)
    assert status == 200, started
    return started["executionArn"], items.cloud.wait(started["executionArn"])


@pytest.mark.parametrize("body", [b"[1,2]", b'"abc"', b"42", b"true", b"null"])
def test_given_json_that_is_not_an_object_when_posted_then_lambda_function_error_and_nothing_stored(
    cloud, items, body
):
    before = items.count()

    arn, execution = _started_and_finished(items, body)

    assert (execution["status"], execution["error"]) == ("FAILED", "LambdaFunctionError")
    assert cloud.path(arn) == ["InvokeLambda", "HandleError"]
    assert [e["type"] for e in cloud.history(arn)].count("LambdaFunctionFailed") == 1
    assert items.count() == before


def _body_of_size(size: int, **fields: str) -> bytes:
    """A JSON object of exactly ``size`` bytes: ``fields`` plus a ``payload`` string as filler."""
    empty = json.dumps({**fields, "payload": ""}).encode()
    body = json.dumps({**fields, "payload": "x" * (size - len(empty))}).encode()
    assert len(body) == size
    return body


def test_given_a_body_without_id_just_under_the_input_limit_then_lambda_function_error(
    cloud, items
):
    arn, execution = _started_and_finished(items, _body_of_size(INPUT_LIMIT - 5))

    assert (execution["status"], execution["error"]) == ("FAILED", "LambdaFunctionError")
    assert cloud.path(arn) == ["InvokeLambda", "HandleError"]


def test_given_an_item_just_under_the_input_limit_then_it_is_stored(cloud, items):
    item_id = f"big-{uuid.uuid4()}"

    arn, execution = _started_and_finished(items, _body_of_size(INPUT_LIMIT - 5, id=item_id))

    assert execution["status"] == "SUCCEEDED"
    assert cloud.path(arn) == ["InvokeLambda", "HandleResponse"]
    stored = items.stored(item_id)
    assert stored is not None
    assert len(stored["payload"]["S"]) == INPUT_LIMIT - 5 - len(
        f'{{"id": "{item_id}", "payload": ""}}'
    )


# -- operations: a failed execution reaches a person ----------------------------------------


def test_one_failed_execution_gives_one_readable_notification_on_the_operations_topic(cloud, items):
    # Given a subscriber of the operations topic (what alarmEmail subscribes, read from a queue)
    subscriber = Subscriber(cloud, cloud.outputs["operationsTopicArn"])

    # When an item without an id fails its execution
    status, started = items.post({"payload": "no id, so the workflow fails"})
    assert status == 200
    final = cloud.wait(started["executionArn"])
    assert final["status"] == "FAILED"

    # Then exactly one notification names the machine, the execution, the error and the cause
    notes: list = []
    deadline = time.monotonic() + 30
    while not notes and time.monotonic() < deadline:
        notes = subscriber.notifications()
        time.sleep(0.02)
    cloud.drain()
    notes += subscriber.notifications()
    execution = started["executionArn"].rsplit(":", 1)[1]
    # A quoted input template arrives as that JSON string, quotes included (EventBridge User
    # Guide, "Transforming target input": the output of a string template is a quoted string).
    assert [note["Message"] for note in notes] == [
        f'"Execution {execution} of {items.state_machine_arn} ended FAILED. '
        f'Error: {final["error"]}. Cause: {final["cause"]}"'
    ]


def test_waiting_for_an_execution_nothing_starts_ends_in_a_named_timeout(cloud):
    machine = cloud.outputs["apiWorkflowStateMachineArn"]
    never = machine.replace(":stateMachine:", ":execution:") + ":never-started"
    with pytest.raises(ExecutionTimeoutError, match=r"no execution .*:never-started after 0\.2 s"):
        cloud.wait_started(never, timeout=0.2)
