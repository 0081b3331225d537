"""Helpers for the pizza orders handler tests (seed 002): the events AppSync and SQS send the
functions, and the orders table, queue and state machine as the program creates them, in moto."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from components import asl
from tests.conftest import REGION, create_table
from tests.handlers.applications_support import client

ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/orders-workflow"
QUEUE_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders"
DEMO_USER = "demo_user"
OTHER_USER = "another_user"
CREATED_AT = "2026-12-02T01:23:45.678Z"

MARGHERITA = {"name": "Margherita", "quantity": 2, "restaurantId": "luigis"}
"""A valid ``OrderInput``."""


def appsync_event(
    parent_type: str,
    field: str,
    arguments: dict[str, Any],
    identity: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The event AppSync sends a direct Lambda resolver (API key caller: ``identity`` null)."""
    return {
        "arguments": arguments,
        "identity": identity,
        "source": None,
        "request": {
            "headers": {
                "content-type": "application/json",
                "host": "example1234567890000.appsync-api.us-east-1.amazonaws.com",
                "x-api-key": "da2-fakeApiId123456",
                "x-amzn-trace-id": "Root=1-5f9d1a0c-0123456789abcdef01234567",
            },
            "domainName": None,
        },
        "prev": None,
        "info": {
            "fieldName": field,
            "parentTypeName": parent_type,
            "variables": {},
            "selectionSetList": [
                "id",
                "name",
                "quantity",
                "restaurantId",
                "orderStatus",
                "createdAt",
                "errorMessage",
            ],
            "selectionSetGraphQL": (
                "{\n  id\n  name\n  quantity\n  restaurantId\n  orderStatus\n  createdAt\n"
                "  errorMessage\n}"
            ),
        },
        "stash": {},
    }


def create_orders_table(name: str = "orders") -> Any:
    """The orders table as the component declares it: ``user_id`` (S) and ``id`` (S)."""
    return create_table(name, key="user_id", sort_key=("id", "S"))


def put_order(
    table: Any,
    order_id: str,
    *,
    user_id: str = DEMO_USER,
    status: str = "PENDING",
    error_message: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """Store an order as the workflow does (``quantity`` a number); returns the item."""
    item: dict[str, Any] = {
        "user_id": user_id,
        "id": order_id,
        "name": "Margherita",
        "quantity": Decimal(2),
        "restaurantId": "luigis",
        "orderStatus": status,
        "createdAt": CREATED_AT,
        **fields,
    }
    if error_message is not None:
        item["errorMessage"] = error_message
    table.put_item(Item=item)
    return item


def stored_orders(table: Any) -> list[dict[str, Any]]:
    """Every item of the table, whoever's, by partition then id."""
    items = table.scan(ConsistentRead=True)["Items"]
    return sorted(items, key=lambda item: (item["user_id"], item["id"]))


def create_order_queue() -> str:
    return client("sqs").create_queue(QueueName="orders")["QueueUrl"]


def queued_messages(queue_url: str) -> list[dict[str, Any]]:
    """Every message waiting in the queue (received once, left there)."""
    messages: list[dict[str, Any]] = []
    while True:
        received = client("sqs").receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=30
        )
        if not received.get("Messages"):
            return messages
        messages += received["Messages"]


def sqs_record(
    message_id: str, body: str, sent_timestamp: str | None = "1796174625678", receives: int = 1
) -> dict[str, Any]:
    """One record of the event an SQS event source mapping sends (``sent_timestamp`` None: the
    attribute is absent)."""
    attributes = {
        "ApproximateReceiveCount": str(receives),
        "SenderId": "AROAEXAMPLE:order-intake",
        "ApproximateFirstReceiveTimestamp": "1796174625700",
    }
    if sent_timestamp is not None:
        attributes["SentTimestamp"] = sent_timestamp
    return {
        "messageId": message_id,
        "receiptHandle": f"AQEB{message_id}",
        "body": body,
        "attributes": attributes,
        "messageAttributes": {},
        "md5OfBody": hashlib.md5(body.encode(), usedforsecurity=False).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": QUEUE_ARN,
        "awsRegion": REGION,
    }


def sqs_event(*records: dict[str, Any]) -> dict[str, Any]:
    return {"Records": list(records)}


def order_body(**fields: Any) -> str:
    """A message body as ``postOrder`` sends it; ``fields`` override (None: leave out)."""
    body = {"userId": DEMO_USER, **MARGHERITA, "createdAt": CREATED_AT, **fields}
    return json.dumps({key: value for key, value in body.items() if value is not None})


def create_order_machine() -> str:
    """The order workflow from its definition, rendered as the component does (moto does not
    run it here: executions stay RUNNING until stopped)."""
    definition = asl.render_and_validate(
        asl.load_template("order_processing.asl.json"),
        {
            "TableName": "orders",
            "TopicArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:orders",
            "ProcessPaymentFunctionArn": (
                f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders-process-payment"
            ),
        },
    )
    return client("stepfunctions").create_state_machine(
        name="orders-workflow", definition=definition, roleArn=ROLE_ARN
    )["stateMachineArn"]


def executions(state_machine_arn: str) -> dict[str, dict[str, Any]]:
    """Execution name -> its input (parsed) and status, for every execution of the machine."""
    states = client("stepfunctions")
    found = {}
    for listed in states.list_executions(stateMachineArn=state_machine_arn)["executions"]:
        described = states.describe_execution(executionArn=listed["executionArn"])
        found[listed["name"]] = {
            "input": json.loads(described["input"]),
            "status": described["status"],
        }
    return found
