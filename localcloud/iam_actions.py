"""Which IAM actions an AWS API call is authorized as, and against which resource ARNs.

localcloud checks calls against a role's policies; what it checks must come from AWS's
definitions, not from the grants of the program under test (a mistake there would then be both
granted and accepted). Each service below follows its page of the Service Authorization
Reference (SAR), https://docs.aws.amazon.com/service-authorization/latest/reference/<page>.
A call not described here raises UnknownOperationError: nothing is allowed by default.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


class UnknownOperationError(LookupError):
    """localcloud does not know how IAM authorizes this operation."""


class InvalidRequestError(ValueError):
    """A parameter that names the resource acted on is missing or malformed."""


@dataclass(frozen=True)
class Authorization:
    """One IAM action; the call needs it allowed on every one of ``resources``."""

    action: str
    resources: tuple[str, ...]


TokenOwner = Callable[[str], "str | None"]
"""The ARN of the state machine a task token belongs to, or None if it is unknown."""


@dataclass(frozen=True)
class _Place:
    """Where the call is made: resources named without an ARN live here."""

    partition: str
    region: str
    account: str
    token_owner: TokenOwner | None = None

    def arn(self, service: str, resource: str) -> str:
        return f"arn:{self.partition}:{service}:{self.region}:{self.account}:{resource}"

    def named(self, service: str, prefix: str, name_or_arn: str) -> str:
        """APIs take many resources by name or ARN; IAM always sees the ARN."""
        if name_or_arn.startswith("arn:"):
            return name_or_arn
        return self.arn(service, prefix + name_or_arn)


Params = Mapping[str, Any]
_Rule = Callable[[str, Params, _Place], list[Authorization]]
_RULES: dict[tuple[str, str], _Rule] = {}


def authorizations(
    service: str,
    operation: str,
    params: Params,
    region: str,
    account: str,
    *,
    partition: str = "aws",
    token_owner: TokenOwner | None = None,
) -> list[Authorization]:
    """What IAM evaluates for ``operation`` of ``service`` (botocore's name, e.g.
    ``stepfunctions``) called with ``params`` (the API's parameter names) by a principal of
    ``account`` in ``region``. An empty list means the call needs no permission."""
    rule = _RULES.get((service, operation))
    if rule is None:
        raise UnknownOperationError(
            f"localcloud does not know how IAM authorizes {service} {operation}"
        )
    return rule(operation, params, _Place(partition, region, account, token_owner))


def _rule(service: str, *operations: str) -> Callable[[_Rule], _Rule]:
    def register(rule: _Rule) -> _Rule:
        for operation in operations:
            _RULES[(service, operation)] = rule
        return rule

    return register


def _param(params: Params, name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidRequestError(f"{name} is required")
    return value


def _one(action: str, resource: str) -> list[Authorization]:
    return [Authorization(action, (resource,))]


def _distinct(needed: list[Authorization]) -> list[Authorization]:
    return list(dict.fromkeys(needed))


# -- DynamoDB: list_amazondynamodb.html ---------------------------------------------------------


def _table(place: _Place, name_or_arn: str) -> str:
    return place.named("dynamodb", "table/", name_or_arn)


@_rule("dynamodb", "GetItem", "PutItem", "UpdateItem", "DeleteItem", "DescribeTable")
def _dynamodb_item(operation: str, params: Params, place: _Place) -> list[Authorization]:
    return _one(f"dynamodb:{operation}", _table(place, _param(params, "TableName")))


@_rule("dynamodb", "Query", "Scan")
def _dynamodb_read(operation: str, params: Params, place: _Place) -> list[Authorization]:
    table = _table(place, _param(params, "TableName"))
    index = params.get("IndexName")
    # Reading an index is authorized on the index's ARN (resource type ``index``), not the table's.
    return _one(f"dynamodb:{operation}", f"{table}/index/{index}" if index else table)


@_rule("dynamodb", "BatchGetItem", "BatchWriteItem")
def _dynamodb_batch(operation: str, params: Params, place: _Place) -> list[Authorization]:
    tables = params.get("RequestItems")
    if not isinstance(tables, Mapping) or not tables:
        raise InvalidRequestError("RequestItems is required")
    return [Authorization(f"dynamodb:{operation}", (_table(place, t),)) for t in tables]


# Transactions have no actions of their own: each item is authorized as the single-item action
# it performs (amazondynamodb/latest/developerguide/transaction-apis-iam.html).
_TRANSACT_ACTIONS = {
    "Get": "dynamodb:GetItem",
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "ConditionCheck": "dynamodb:ConditionCheckItem",
}


@_rule("dynamodb", "TransactGetItems", "TransactWriteItems")
def _dynamodb_transaction(operation: str, params: Params, place: _Place) -> list[Authorization]:
    items = params.get("TransactItems")
    if not isinstance(items, list) or not items:
        raise InvalidRequestError("TransactItems is required")
    needed = []
    for item in items:
        for kind, request in item.items():
            if kind not in _TRANSACT_ACTIONS or not isinstance(request, Mapping):
                raise InvalidRequestError(f"{operation} item {kind!r} is not a transaction action")
            table = _table(place, _param(request, "TableName"))
            needed.append(Authorization(_TRANSACT_ACTIONS[kind], (table,)))
    return _distinct(needed)


# -- Step Functions (prefix states): list_awsstepfunctions.html ---------------------------------


@_rule(
    "stepfunctions",
    "StartExecution",
    "StartSyncExecution",
    "DescribeStateMachine",
)
def _state_machine(operation: str, params: Params, place: _Place) -> list[Authorization]:
    return _one(f"states:{operation}", _param(params, "stateMachineArn"))


@_rule("stepfunctions", "DescribeExecution", "StopExecution", "GetExecutionHistory")
def _execution(operation: str, params: Params, place: _Place) -> list[Authorization]:
    return _one(f"states:{operation}", _param(params, "executionArn"))


@_rule("stepfunctions", "ListExecutions")
def _list_executions(operation: str, params: Params, place: _Place) -> list[Authorization]:
    # The executions of a state machine, or of one Map Run (resource type ``maprun``).
    machine_or_map_run = params.get("mapRunArn") or _param(params, "stateMachineArn")
    return _one("states:ListExecutions", machine_or_map_run)


@_rule("stepfunctions", "SendTaskSuccess", "SendTaskFailure", "SendTaskHeartbeat")
def _task_token(operation: str, params: Params, place: _Place) -> list[Authorization]:
    # Authorized on the state machine whose execution issued the token: AWS's AccessDenied for
    # these names "resource: arn:aws:states:...:stateMachine:<name>", and the AWS SAM policy
    # template StepFunctionsCallbackPolicy grants them on that ARN. A token names no ARN, so its
    # owner is looked up; a token nobody waits for is left to Step Functions to refuse.
    owner = place.token_owner(_param(params, "taskToken")) if place.token_owner else None
    return _one(f"states:{operation}", owner) if owner else []


# -- Lambda: list_awslambda.html ----------------------------------------------------------------

# The FunctionName pattern of the Lambda API reference: a name, partial ARN or ARN, each with an
# optional version or alias.
_FUNCTION_NAME = re.compile(
    r"(?:arn:(?P<partition>aws[a-zA-Z-]*)?:lambda:)?"
    r"(?:(?P<region>[a-z]{2}(?:-gov)?-[a-z]+-\d):)?"
    r"(?:(?P<account>\d{12}):)?"
    r"(?:function:)?(?P<name>[a-zA-Z0-9_.-]+)"
    r"(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9_-]+))?"
)


def _function_arn(params: Params, place: _Place) -> str:
    """The ARN IAM evaluates: qualified when the call names a version or alias, since a qualified
    call is authorized on the qualified ARN only (lambda/latest/dg/lambda-api-permissions-ref.html,
    "Versioning, Aliases, and Resource Policies")."""
    function = _param(params, "FunctionName")
    match = _FUNCTION_NAME.fullmatch(function)
    if not match:
        raise InvalidRequestError(f"{function!r} is not a function name or ARN")
    qualifier = params.get("Qualifier")
    if qualifier and match["qualifier"] and qualifier != match["qualifier"]:
        raise InvalidRequestError("the qualifier in FunctionName differs from Qualifier")
    qualifier = qualifier or match["qualifier"]
    arn = (
        f"arn:{match['partition'] or place.partition}:lambda:{match['region'] or place.region}:"
        f"{match['account'] or place.account}:function:{match['name']}"
    )
    return f"{arn}:{qualifier}" if qualifier else arn


_LAMBDA_ACTIONS = {
    "Invoke": "lambda:InvokeFunction",
    "InvokeAsync": "lambda:InvokeAsync",
    "GetFunction": "lambda:GetFunction",
}


@_rule("lambda", *_LAMBDA_ACTIONS)
def _function(operation: str, params: Params, place: _Place) -> list[Authorization]:
    return _one(_LAMBDA_ACTIONS[operation], _function_arn(params, place))


# -- SQS: list_amazonsqs.html -------------------------------------------------------------------

# Batch calls have no actions of their own: each is authorized as its single-message action
# (AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-batch-api-actions.html).
_SQS_ACTIONS = {
    "SendMessage": "sqs:SendMessage",
    "SendMessageBatch": "sqs:SendMessage",
    "ReceiveMessage": "sqs:ReceiveMessage",
    "DeleteMessage": "sqs:DeleteMessage",
    "DeleteMessageBatch": "sqs:DeleteMessage",
    "ChangeMessageVisibility": "sqs:ChangeMessageVisibility",
    "ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
    "GetQueueAttributes": "sqs:GetQueueAttributes",
}
# sqs.<region>.amazonaws.com, or the legacy <region>.queue.amazonaws.com.
_QUEUE_HOST_REGION = re.compile(r"^(?:sqs\.(?P<new>[a-z0-9-]+)\.|(?P<legacy>[a-z0-9-]+)\.queue\.)")


def _queue_arn(url: str, place: _Place) -> str:
    parts = urlsplit(url)
    path = parts.path.strip("/").split("/")
    if len(path) != 2 or not re.fullmatch(r"\d{12}", path[0]) or not path[1]:
        raise InvalidRequestError(f"{url!r} is not a queue URL")
    host = parts.hostname or ""
    match = _QUEUE_HOST_REGION.match(host)
    if match:
        region = match["new"] or match["legacy"]
    elif host == "queue.amazonaws.com":
        region = "us-east-1"
    else:  # a local endpoint: the queue is in the region the call was made to
        region = place.region
    return f"arn:{place.partition}:sqs:{region}:{path[0]}:{path[1]}"


@_rule("sqs", *_SQS_ACTIONS)
def _queue(operation: str, params: Params, place: _Place) -> list[Authorization]:
    return _one(_SQS_ACTIONS[operation], _queue_arn(_param(params, "QueueUrl"), place))


@_rule("sqs", "GetQueueUrl")
def _queue_url(operation: str, params: Params, place: _Place) -> list[Authorization]:
    owner = params.get("QueueOwnerAWSAccountId") or place.account
    name = _param(params, "QueueName")
    return _one("sqs:GetQueueUrl", f"arn:{place.partition}:sqs:{place.region}:{owner}:{name}")


# -- SNS: list_amazonsns.html -------------------------------------------------------------------


@_rule("sns", "Publish")
def _publish(operation: str, params: Params, place: _Place) -> list[Authorization]:
    # A topic, or a mobile endpoint (TargetArn). Publishing SMS to a PhoneNumber is not modelled.
    if params.get("TopicArn"):
        return _one("sns:Publish", _param(params, "TopicArn"))
    return _one("sns:Publish", _param(params, "TargetArn"))


@_rule("sns", "Subscribe")
def _subscribe(operation: str, params: Params, place: _Place) -> list[Authorization]:
    return _one("sns:Subscribe", _param(params, "TopicArn"))


# -- EventBridge: list_amazoneventbridge.html ---------------------------------------------------


@_rule("events", "PutEvents")
def _put_events(operation: str, params: Params, place: _Place) -> list[Authorization]:
    # Authorized once per event bus the entries name; an entry naming none goes to ``default``.
    entries = params.get("Entries")
    if not isinstance(entries, list) or not entries:
        raise InvalidRequestError("Entries is required")
    buses = [
        place.named("events", "event-bus/", entry.get("EventBusName") or "default")
        for entry in entries
    ]
    return _distinct([Authorization("events:PutEvents", (bus,)) for bus in buses])


# -- CloudWatch Logs: list_amazoncloudwatchlogs.html --------------------------------------------


@_rule("logs", "CreateLogStream", "PutLogEvents")
def _log_stream(operation: str, params: Params, place: _Place) -> list[Authorization]:
    # Both act on resource type ``log-stream``, whose ARN sits under its log group's.
    group = _param(params, "logGroupName")
    stream = _param(params, "logStreamName")
    return _one(f"logs:{operation}", place.arn("logs", f"log-group:{group}:log-stream:{stream}"))


# -- STS: list_awssecuritytokenservice.html -----------------------------------------------------


@_rule("sts", "GetCallerIdentity")
def _caller_identity(operation: str, params: Params, place: _Place) -> list[Authorization]:
    # "No permissions are required to perform this operation", even under an explicit Deny
    # (STS API reference, GetCallerIdentity).
    return []
