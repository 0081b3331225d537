"""API workflow (seed 004): POST /items starts the machine that stores the item."""

from __future__ import annotations

import uuid

from localcloud.cloud import LocalCloud
from localcloud.demo import Outcome, Scenario

SYSTEM = "API workflow (seed 004): HTTP API -> Step Functions -> Lambda -> DynamoDB"


def _item(cloud: LocalCloud, item_id: str) -> dict | None:
    table = cloud.outputs["apiWorkflowTableName"]
    return (
        cloud.client("dynamodb").get_item(TableName=table, Key={"id": {"S": item_id}}).get("Item")
    )


def store_an_item(cloud: LocalCloud, outcome: Outcome) -> None:
    item_id = f"demo-{uuid.uuid4().hex[:8]}"
    status, started = cloud.request(
        "POST", cloud.outputs["apiWorkflowUrl"], {"id": item_id, "payload": {"qty": 2}}
    )
    outcome.expect("the API accepts the signed request", status, 200)
    outcome.executions.append(started["executionArn"])
    outcome.expect(
        "the execution succeeds", cloud.wait(started["executionArn"])["status"], "SUCCEEDED"
    )
    outcome.expect("the item is in the table", _item(cloud, item_id) is not None, True)


def reject_an_item_without_id(cloud: LocalCloud, outcome: Outcome) -> None:
    status, started = cloud.request("POST", cloud.outputs["apiWorkflowUrl"], {"payload": "no id"})
    outcome.expect("the API starts the execution", status, 200)
    outcome.executions.append(started["executionArn"])
    final = cloud.wait(started["executionArn"])
    outcome.expect(
        "the execution fails as LambdaFunctionError",
        (final["status"], final.get("error")),
        ("FAILED", "LambdaFunctionError"),
    )
    outcome.expect(
        "the path goes through HandleError",
        cloud.path(started["executionArn"]),
        ["InvokeLambda", "HandleError"],
    )


def refuse_an_unsigned_request(cloud: LocalCloud, outcome: Outcome) -> None:
    status, _ = cloud.request(
        "POST", cloud.outputs["apiWorkflowUrl"], {"id": "anonymous"}, signed=False
    )
    outcome.expect("an unsigned request is forbidden (AWS_IAM)", status, 403)
    outcome.expect("nothing was stored", _item(cloud, "anonymous"), None)


SCENARIOS = [
    Scenario(SYSTEM, "a valid item is stored", store_an_item),
    Scenario(
        SYSTEM,
        "an item without id ends as LambdaFunctionError, nothing stored",
        reject_an_item_without_id,
    ),
    Scenario(SYSTEM, "an unsigned request is refused", refuse_an_unsigned_request),
]
