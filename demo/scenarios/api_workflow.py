"""API workflow (seed 004): POST /items starts the machine that stores the item."""

from __future__ import annotations

import uuid

from demo.scenario import Outcome, Scenario
from demo.systems.api_workflow import Items
from localcloud import LocalCloud

SYSTEM = "API workflow (seed 004): HTTP API -> Step Functions -> Lambda -> DynamoDB"


def store_an_item(cloud: LocalCloud, outcome: Outcome) -> None:
    items = Items(cloud)
    item_id = f"demo-{uuid.uuid4().hex[:8]}"
    status, started = items.post({"id": item_id, "payload": {"qty": 2}})
    outcome.expect("the API accepts the signed request", status, 200)
    outcome.executions.append(started["executionArn"])
    outcome.expect(
        "the execution succeeds", cloud.wait(started["executionArn"])["status"], "SUCCEEDED"
    )
    outcome.expect(
        "it went through HandleResponse",
        cloud.path(started["executionArn"]),
        ["InvokeLambda", "HandleResponse"],
    )
    outcome.expect(
        "the item is in the table as posted",
        items.stored(item_id),
        {"id": {"S": item_id}, "payload": {"M": {"qty": {"N": "2"}}}},
    )


def _function_errors(cloud: LocalCloud, execution_arn: str) -> list[str]:
    """The error names of the Lambda failures the execution caught."""
    return [
        event["lambdaFunctionFailedEventDetails"]["error"]
        for event in cloud.history(execution_arn)
        if event["type"] == "LambdaFunctionFailed"
    ]


def reject_an_item_without_id(cloud: LocalCloud, outcome: Outcome) -> None:
    items = Items(cloud)
    stored = items.count()
    status, started = items.post({"payload": "no id"})
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
    outcome.expect(
        "the function refused the item by name",
        _function_errors(cloud, started["executionArn"]),
        ["MissingItemIdError"],
    )
    outcome.expect("nothing was stored", items.count(), stored)


def refuse_an_unsigned_request(cloud: LocalCloud, outcome: Outcome) -> None:
    items = Items(cloud)
    started = len(items.executions())
    status, answer = items.post({"id": "anonymous"}, signed=False)
    outcome.expect("an unsigned request is forbidden (AWS_IAM)", status, 403)
    # The IAM User Guide, "Troubleshoot Signature Version 4 signing for AWS API requests".
    outcome.expect(
        "the answer is AWS's for an unsigned request",
        answer,
        {"message": "Missing Authentication Token"},
    )
    outcome.expect("no execution was started", len(items.executions()), started)
    outcome.expect("nothing was stored", items.stored("anonymous"), None)


SCENARIOS = [
    Scenario(SYSTEM, "a valid item is stored", store_an_item),
    Scenario(
        SYSTEM,
        "an item without id ends as LambdaFunctionError, nothing stored",
        reject_an_item_without_id,
    ),
    Scenario(SYSTEM, "an unsigned request is refused", refuse_an_unsigned_request),
]
