"""The API workflow (seed 004) end to end:
HTTP -> API Gateway -> Step Functions -> Lambda -> DynamoDB."""

import json
import uuid

import pytest

from localcloud import LocalCloud


def _item(cloud: LocalCloud, item_id: str) -> dict | None:
    table = cloud.outputs["apiWorkflowTableName"]
    return (
        cloud.client("dynamodb").get_item(TableName=table, Key={"id": {"S": item_id}}).get("Item")
    )


def test_given_a_valid_item_when_posted_then_the_execution_succeeds_and_stores_it(cloud):
    item_id = f"order-{uuid.uuid4()}"

    status, started = cloud.request(
        "POST", cloud.outputs["apiWorkflowUrl"], {"id": item_id, "payload": {"qty": 2}}
    )

    assert status == 200
    execution = cloud.wait(started["executionArn"])
    assert execution["status"] == "SUCCEEDED"
    assert cloud.path(started["executionArn"]) == ["InvokeLambda", "HandleResponse"]
    assert _item(cloud, item_id) == {"id": {"S": item_id}, "payload": {"M": {"qty": {"N": "2"}}}}


def test_given_no_id_when_posted_then_the_execution_fails_and_writes_nothing(
    cloud,
):
    table = cloud.outputs["apiWorkflowTableName"]
    before = cloud.client("dynamodb").scan(TableName=table)["Count"]

    status, started = cloud.request("POST", cloud.outputs["apiWorkflowUrl"], {"payload": "no id"})

    assert status == 200  # the API started the execution; the workflow rejects the item
    execution = cloud.wait(started["executionArn"])
    assert (execution["status"], execution["error"]) == ("FAILED", "LambdaFunctionError")
    assert cloud.path(started["executionArn"]) == ["InvokeLambda", "HandleError"]
    caught = [
        e for e in cloud.history(started["executionArn"]) if e["type"] == "LambdaFunctionFailed"
    ]
    assert caught[0]["lambdaFunctionFailedEventDetails"]["error"] == "MissingItemIdError"
    assert cloud.client("dynamodb").scan(TableName=table)["Count"] == before


def test_given_an_unsigned_request_when_posted_then_forbidden_and_nothing_starts(cloud):
    machine = cloud.outputs["apiWorkflowStateMachineArn"]
    before = len(
        cloud.client("stepfunctions").list_executions(stateMachineArn=machine)["executions"]
    )

    status, body = cloud.request("POST", cloud.outputs["apiWorkflowUrl"], {"id": "x"}, signed=False)

    assert status == 403
    # The IAM User Guide ("Troubleshoot Signature Version 4 signing"): an unsigned request to an
    # IAM-authorized API is answered "Missing Authentication Token".
    assert body == {"message": "Missing Authentication Token"}
    assert (
        len(cloud.client("stepfunctions").list_executions(stateMachineArn=machine)["executions"])
        == before
    )


def test_given_a_body_that_is_not_json_when_posted_then_400_and_nothing_starts(cloud):
    machine = cloud.outputs["apiWorkflowStateMachineArn"]
    before = len(
        cloud.client("stepfunctions").list_executions(stateMachineArn=machine)["executions"]
    )

    status, _ = cloud.request("POST", cloud.outputs["apiWorkflowUrl"], b"{not json")

    assert status == 400
    assert (
        len(cloud.client("stepfunctions").list_executions(stateMachineArn=machine)["executions"])
        == before
    )


def test_the_exported_url_points_into_the_front_door(cloud):
    assert cloud.outputs["apiWorkflowUrl"].startswith(f"{cloud.url}/")
    assert cloud.outputs["apiWorkflowUrl"].endswith("/items")


# -- every input Step Functions accepts ends SUCCEEDED or LambdaFunctionError --------------------

# Step Functions' limit for an execution's input, in bytes of UTF-8 (AWS documentation, "Step
# Functions service quotas": "Maximum input or output size for a task, state, or execution:
# 256 KiB of data as a UTF-8 encoded string").
INPUT_LIMIT = 262_144


def _started_and_finished(cloud: LocalCloud, body: bytes) -> tuple[str, dict]:
    status, started = cloud.request("POST", cloud.outputs["apiWorkflowUrl"], body)
    assert status == 200, started
    return started["executionArn"], cloud.wait(started["executionArn"])


@pytest.mark.parametrize("body", [b"[1,2]", b'"abc"', b"42", b"true", b"null"])
def test_given_json_that_is_not_an_object_when_posted_then_lambda_function_error_and_nothing_stored(
    cloud, body
):
    table = cloud.outputs["apiWorkflowTableName"]
    before = cloud.client("dynamodb").scan(TableName=table)["Count"]

    arn, execution = _started_and_finished(cloud, body)

    assert (execution["status"], execution["error"]) == ("FAILED", "LambdaFunctionError")
    assert cloud.path(arn) == ["InvokeLambda", "HandleError"]
    assert [e["type"] for e in cloud.history(arn)].count("LambdaFunctionFailed") == 1
    assert cloud.client("dynamodb").scan(TableName=table)["Count"] == before


def _body_of_size(size: int, **fields: str) -> bytes:
    """A JSON object of exactly ``size`` bytes: ``fields`` plus a ``payload`` string as filler."""
    empty = json.dumps({**fields, "payload": ""}).encode()
    body = json.dumps({**fields, "payload": "x" * (size - len(empty))}).encode()
    assert len(body) == size
    return body


def test_given_a_body_without_id_just_under_the_input_limit_then_lambda_function_error(cloud):
    arn, execution = _started_and_finished(cloud, _body_of_size(INPUT_LIMIT - 5))

    assert (execution["status"], execution["error"]) == ("FAILED", "LambdaFunctionError")
    assert cloud.path(arn) == ["InvokeLambda", "HandleError"]


def test_given_an_item_just_under_the_input_limit_then_it_is_stored(cloud):
    item_id = f"big-{uuid.uuid4()}"

    arn, execution = _started_and_finished(cloud, _body_of_size(INPUT_LIMIT - 5, id=item_id))

    assert execution["status"] == "SUCCEEDED"
    assert cloud.path(arn) == ["InvokeLambda", "HandleResponse"]
    stored = _item(cloud, item_id)
    assert stored is not None
    assert len(stored["payload"]["S"]) == INPUT_LIMIT - 5 - len(
        f'{{"id": "{item_id}", "payload": ""}}'
    )
