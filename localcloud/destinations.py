"""Lambda destinations: the invocation record of an asynchronous invocation, and its delivery to
an SQS queue, an SNS topic, another function or an EventBridge event bus, as Lambda sends them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from localcloud.clients import Clients

# What the function's execution role must be allowed to do for each kind of destination.
ACTIONS = {
    "sqs": "sqs:SendMessage",
    "sns": "sns:Publish",
    "lambda": "lambda:InvokeFunction",
    "events": "events:PutEvents",
}
SUCCESS = "Success"


class UnsupportedDestinationError(ValueError):
    """The ARN names no service Lambda can deliver invocation records to."""


@dataclass(frozen=True)
class Arn:
    service: str
    region: str
    account: str
    resource: str

    @classmethod
    def parse(cls, arn: str) -> Arn:
        parts = arn.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn":
            raise UnsupportedDestinationError(f"{arn!r} is not an ARN")
        return cls(service=parts[2], region=parts[3], account=parts[4], resource=parts[5])


def queue_url(region: str, account: str, name: str) -> str:
    """A queue's URL, as the SQS Developer Guide's "Amazon SQS queue and message identifiers"
    gives its form. Services that deliver to a queue know it; they make no GetQueueUrl call
    (which SQS would count as a request of the account's)."""
    return f"https://sqs.{region}.amazonaws.com/{account}/{name}"


def required_action(destination: str) -> str:
    service = Arn.parse(destination).service
    if service not in ACTIONS:
        raise UnsupportedDestinationError(f"Lambda cannot deliver to {service} ({destination})")
    return ACTIONS[service]


@dataclass(frozen=True)
class Outcome:
    """What one run of the function returned."""

    payload: Any
    errored: bool
    executed_version: str = "$LATEST"


def invocation_record(
    *,
    request_id: str,
    function_arn: str,
    condition: str,
    attempts: int,
    request: Any,
    outcome: Outcome | None,
) -> dict[str, Any]:
    """The record Lambda sends to a destination (``function_arn`` qualified, e.g. ``:$LATEST``)."""
    record: dict[str, Any] = {
        "version": "1.0",
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn,
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "requestPayload": request,
    }
    if outcome is not None:
        context: dict[str, Any] = {"statusCode": 200, "executedVersion": outcome.executed_version}
        if outcome.errored:
            context["functionError"] = "Unhandled"
        record["responseContext"] = context
        record["responsePayload"] = outcome.payload
    return record


class Destinations:
    def __init__(self, clients: Clients) -> None:
        self._clients = clients

    def deliver(self, destination: str, record: dict[str, Any]) -> None:
        arn = Arn.parse(destination)
        body = json.dumps(record)
        if arn.service == "sqs":
            self._clients("sqs", arn.region).send_message(
                QueueUrl=queue_url(arn.region, arn.account, arn.resource), MessageBody=body
            )
        elif arn.service == "sns":
            self._clients("sns", arn.region).publish(TopicArn=destination, Message=body)
        elif arn.service == "lambda":
            self._clients("lambda", arn.region).invoke(
                FunctionName=destination, InvocationType="Event", Payload=body
            )
        elif arn.service == "events":
            self._put_event(destination, arn.region, record, body)
        else:
            raise UnsupportedDestinationError(f"Lambda cannot deliver to {destination}")

    def _put_event(self, bus: str, region: str, record: dict[str, Any], body: str) -> None:
        # Source "lambda", this detail type, and as resources the function's and the bus's ARNs
        # (aws-cdk, aws-lambda-destinations README, "Destination-specific JSON format").
        outcome = "Success" if record["requestContext"]["condition"] == SUCCESS else "Failure"
        entry = {
            "Source": "lambda",
            "DetailType": f"Lambda Function Invocation Result - {outcome}",
            "Resources": [record["requestContext"]["functionArn"], bus],
            "Detail": body,
            "EventBusName": bus,
        }
        response = self._clients("events", region).put_events(Entries=[entry])
        if response.get("FailedEntryCount"):
            raise RuntimeError(f"EventBridge refused the invocation record: {response['Entries']}")
