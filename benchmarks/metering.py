"""Billable units, counted from what a run did (``localcloud.usage`` records and execution
histories), by the rules the AWS pricing pages and service guides state. Each function turns one
thing that happened into ``Quantities``: amounts per kind of charge in ``pricing.PRICES``.

Rules and their sources:
- Lambda (https://aws.amazon.com/lambda/pricing/): one request per invocation; duration rounded up
  to the next millisecond, times the configured memory in GB, priced by architecture.
- Step Functions Standard (https://aws.amazon.com/step-functions/pricing/): one transition each
  time a state is entered, and one more for each retry of a state (the page: "including
  retries"). Express: one request per execution, and its duration in 100 ms steps times its
  memory in 64 MB steps.
- SQS (https://aws.amazon.com/sqs/pricing/): "every Amazon SQS action counts as a request"; each
  64 KB chunk of a payload is one more.
- SNS (https://aws.amazon.com/sns/pricing/): every API request counts; each 64 KB chunk of a
  published message is one request.
- EventBridge (https://aws.amazon.com/eventbridge/pricing/): each event put on a bus, per 64 KB
  chunk; events AWS services publish about their own state (source ``aws.*``) are free. Lambda's
  destination records (source ``lambda``) are put on the bus on the function's behalf and are
  counted as custom events.
- DynamoDB on demand ("Read and write request units", developer guide
  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html):
  a write is one unit per started 1 KB of the item, a conditional write that fails still
  consumes one; a strongly consistent read is one unit per started 4 KB (half that eventually
  consistent); a Query or Scan counts the size of all items it returns together. Item sizes by
  "Item sizes and formats" (developer guide, CapacityUnitCalculations.html). What a call returns
  or carries is all the meter sees of an item, so an UpdateItem that returns nothing is sized by
  its key and new values: every item in this project is far below 1 KB, where that cannot change
  the count.
- API Gateway HTTP APIs (https://aws.amazon.com/api-gateway/pricing/): one request per 512 KB.
- AppSync (https://aws.amazon.com/appsync/pricing/): one operation per query or mutation.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from localcloud.usage import Usage

Quantities = Counter[str]

KB = 1024
CHUNK_64_KB = 64 * KB
CHUNK_512_KB = 512 * KB

DYNAMODB_FREE = frozenset(
    {"DescribeTable", "ListTables", "DescribeTimeToLive", "DescribeContinuousBackups"}
)
DYNAMODB_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem"})
DYNAMODB_READS = frozenset({"GetItem", "Query", "Scan"})


_SCHEDULED = frozenset({"TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled"})


class UnmeteredCallError(ValueError):
    """A call the meter has no rule for: counting it as free would understate the cost."""


def chunks(size: int, chunk: int) -> int:
    """How many started ``chunk``-sized pieces ``size`` bytes take; an empty payload takes one."""
    return max(1, math.ceil(size / chunk))


# -- Lambda and Step Functions -------------------------------------------------------------


def lambda_invocation(memory_mb: int, architecture: str, duration_ms: float) -> Quantities:
    gb_seconds = math.ceil(duration_ms) / 1000 * memory_mb / 1024
    return Counter({"lambda-requests": 1, f"lambda-gb-seconds-{architecture}": gb_seconds})


def state_transitions(history: Iterable[Mapping[str, Any]]) -> int:
    """States entered, plus each retry. A Task state schedules its work once per entry and once
    more per retry, so the retries are the schedulings beyond the Task states entered (counted
    over the whole history: a Parallel state's branches interleave their events)."""
    entered = task_entries = scheduled = 0
    for event in history:
        kind = str(event["type"])
        if kind.endswith("StateEntered"):
            entered += 1
            task_entries += kind == "TaskStateEntered"
        elif kind in _SCHEDULED:
            scheduled += 1
    return entered + max(0, scheduled - task_entries)


def standard_execution(history: Iterable[Mapping[str, Any]]) -> Quantities:
    return Counter({"states-transitions": state_transitions(history)})


def express_execution(duration_ms: float, memory_mb: int) -> Quantities:
    billed_seconds = max(1, math.ceil(duration_ms / 100)) / 10
    billed_gb = max(1, math.ceil(memory_mb / 64)) * 64 / 1024
    return Counter(
        {"states-express-requests": 1, "states-express-gb-seconds": billed_seconds * billed_gb}
    )


# -- DynamoDB -----------------------------------------------------------------------------


def _number_size(text: str) -> int:
    digits = Decimal(text).normalize().as_tuple().digits
    significant = "".join(map(str, digits)).strip("0") or "0"
    return math.ceil(len(significant) / 2) + 1


def value_size(value: Mapping[str, Any]) -> int:
    """The size of one attribute value in DynamoDB JSON (``{"S": "..."}``), in bytes."""
    ((kind, content),) = value.items()
    if kind == "S":
        return len(content.encode())
    if kind == "N":
        return _number_size(content)
    if kind == "B":
        return len(content) * 3 // 4 if isinstance(content, str) else len(content)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(text.encode()) for text in content)
    if kind == "NS":
        return sum(_number_size(text) for text in content)
    if kind == "BS":
        return sum(value_size({"B": item}) for item in content)
    if kind == "L":
        return 3 + sum(value_size(item) for item in content)
    if kind == "M":
        return 3 + item_size(content)
    raise UnmeteredCallError(f"unknown DynamoDB attribute type {kind!r}")


def item_size(item: Mapping[str, Mapping[str, Any]]) -> int:
    """An item's size: each attribute's name in UTF-8 plus its value."""
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def _written_item_size(operation: str, request: Mapping[str, Any], response: Any) -> int:
    returned = (response or {}).get("Attributes") or {}
    if operation == "PutItem":
        return max(item_size(request["Item"]), item_size(returned))
    carried = {**request.get("Key", {}), **request.get("ExpressionAttributeValues", {})}
    return max(item_size(carried), item_size(returned))


def _read_units(size: int, consistent: bool) -> float:
    units = chunks(size, 4 * KB)
    return float(units) if consistent else units / 2


def dynamodb_call(
    operation: str, request: Mapping[str, Any], response: Any, status: int
) -> Quantities:
    if operation in DYNAMODB_FREE:
        return Counter()
    error = str((response or {}).get("__type", "")) if status >= 400 else ""
    if operation in DYNAMODB_WRITES:
        if error.endswith("ConditionalCheckFailedException"):
            return Counter({"dynamodb-write-units": 1})
        if error:
            return Counter()
        size = _written_item_size(operation, request, response)
        return Counter({"dynamodb-write-units": chunks(size, KB)})
    if operation in DYNAMODB_READS:
        if error:
            return Counter()
        items = [response["Item"]] if response.get("Item") else response.get("Items", [])
        size = sum(item_size(item) for item in items)
        consistent = bool(request.get("ConsistentRead"))
        return Counter({"dynamodb-read-units": _read_units(size, consistent)})
    raise UnmeteredCallError(f"no DynamoDB rule for {operation}")


# -- messaging -----------------------------------------------------------------------------


def _message_bytes(message: Mapping[str, Any], body_key: str) -> int:
    body = len(str(message.get(body_key, "")).encode())
    attributes = sum(
        len(name.encode()) + len(str(value).encode())
        for name, value in (message.get("MessageAttributes") or {}).items()
    )
    return body + attributes


def sqs_call(operation: str, request: Mapping[str, Any]) -> Quantities:
    if operation == "SendMessage":
        size = _message_bytes(request, "MessageBody")
    elif operation == "SendMessageBatch":
        size = sum(_message_bytes(entry, "MessageBody") for entry in request.get("Entries", []))
    else:
        size = 0
    return Counter({"sqs-requests": chunks(size, CHUNK_64_KB)})


def sns_call(operation: str, request: Mapping[str, Any]) -> Quantities:
    size = len(str(request.get("Message", "")).encode()) if operation == "Publish" else 0
    return Counter({"sns-publishes": chunks(size, CHUNK_64_KB)})


def events_call(operation: str, request: Mapping[str, Any]) -> Quantities:
    if operation != "PutEvents":
        return Counter()
    custom = [
        entry
        for entry in request.get("Entries", [])
        if not str(entry.get("Source", "")).startswith("aws.")
    ]
    events = sum(chunks(_event_bytes(entry), CHUNK_64_KB) for entry in custom)
    return Counter({"events-custom": events} if events else {})


def _event_bytes(entry: Mapping[str, Any]) -> int:
    """An entry's size as EventBridge's "Calculating PutEvents event entry size" counts it."""
    texts = [entry.get(key, "") for key in ("Source", "DetailType", "Detail")]
    texts += list(entry.get("Resources", []))
    return sum(len(str(text).encode()) for text in texts) + (14 if entry.get("Time") else 0)


# -- everything a window of records holds --------------------------------------------------


def aws_call(details: Mapping[str, Any]) -> Quantities:
    service, operation = details["service"], details["operation"]
    request, response, status = details["request"], details["response"], details["status"]
    if service == "dynamodb":
        return dynamodb_call(operation, request, response, status)
    if status >= 400:
        return Counter()  # refused: only DynamoDB's failed conditional writes consume
    if service == "sqs":
        return sqs_call(operation, request)
    if service == "sns":
        return sns_call(operation, request)
    if service == "events":
        return events_call(operation, request)
    if service == "stepfunctions":
        return Counter()  # Standard: the transitions, counted from each execution's history
    raise UnmeteredCallError(f"no rule for {service} {operation}")


def record_quantities(record: Usage) -> Quantities:
    details = record.details
    if record.kind == "aws-call":
        return aws_call(details)
    if record.kind == "lambda-invocation":
        return lambda_invocation(
            details["memory_mb"], details["architecture"], details["duration_ms"]
        )
    if record.kind == "http-api-request":
        return Counter({"http-api-requests": chunks(details["request_bytes"], CHUNK_512_KB)})
    if record.kind == "graphql-request":
        return Counter({"appsync-operations": 1})
    raise UnmeteredCallError(f"no rule for {record.kind}")


def total(parts: Iterable[Quantities]) -> Quantities:
    combined: Quantities = Counter()
    for part in parts:
        combined.update(part)
    return combined
