"""Derive a state machine role's permissions from its rendered definition.

Every Task is read: a Lambda it invokes gets ``lambda:InvokeFunction`` on that function (and its
versions and aliases); each optimized service integration gets exactly the actions that
integration calls, on exactly the resource named in its Parameters. An integration this module does
not know, or a resource chosen at run time (``TableName.$``), is an error: the role would otherwise
silently lack a permission (the 403 of seed 004) or need a wildcard.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from components.asl import states
from components.iam import Statement, allow


class UnsupportedIntegrationError(ValueError):
    """A Task resource whose permissions this module cannot derive."""


@dataclass(frozen=True)
class ArnContext:
    """Where the state machine runs; used to turn names (a table name) into ARNs."""

    partition: str
    region: str
    account_id: str

    def arn(self, service: str, resource: str) -> str:
        return f"arn:{self.partition}:{service}:{self.region}:{self.account_id}:{resource}"

    # AWS APIs take these resources by name or by ARN; IAM always sees the ARN.
    def function_arn(self, name_or_arn: str) -> str:
        return self._named(name_or_arn, "lambda", "function:")

    def table_arn(self, name_or_arn: str) -> str:
        return self._named(name_or_arn, "dynamodb", "table/")

    def event_bus_arn(self, name_or_arn: str) -> str:
        return self._named(name_or_arn, "events", "event-bus/")

    def _named(self, name_or_arn: str, service: str, prefix: str) -> str:
        return (
            name_or_arn
            if name_or_arn.startswith("arn:")
            else self.arn(service, prefix + name_or_arn)
        )


def queue_arn(queue_url: str, partition: str = "aws") -> str | None:
    """The ARN of the queue behind an SQS queue URL; None if it is not one."""
    match = _QUEUE_URL.match(queue_url)
    if not match:
        return None
    return f"arn:{partition}:sqs:{match['region']}:{match['account']}:{match['name']}"


Grant = tuple[frozenset[str], str]  # (actions, resource ARN)

_FUNCTION_ARN = re.compile(
    r"^(?P<arn>arn:[\w-]+:lambda:[\w-]+:\d{12}:function:[\w-]+)(?::(?P<qualifier>[\w$-]+))?$"
)
_INTEGRATION = re.compile(
    r"^arn:[\w-]+:states:::(?P<service>[\w-]+):(?P<api>\w+)"
    r"(?P<pattern>\.sync(?::2)?|\.waitForTaskToken)?$"
)
_QUEUE_URL = re.compile(
    r"^https://sqs\.(?P<region>[\w-]+)\.[\w.]+/(?P<account>\d{12})/(?P<name>[\w.-]+)$"
)


def executions_of(state_machine_arn: str) -> str:
    """The ARN pattern of exactly one state machine's executions.

    Execution ARNs are ``...:execution:<machine name>:<execution name>``; the ``*`` stands for the
    execution name only, so no other machine's executions are covered.
    """
    prefix, separator, machine = state_machine_arn.rpartition(":stateMachine:")
    if not separator:
        raise ValueError(f"{state_machine_arn!r} is not a state machine ARN")
    return f"{prefix}:execution:{machine}:*"


def _param(state_name: str, params: Mapping[str, Any], key: str) -> str:
    if f"{key}.$" in params:
        raise UnsupportedIntegrationError(
            f"state {state_name!r}: {key} is chosen at run time ({key}.$), so no least-privilege "
            "resource can be derived; pass a literal value"
        )
    value = params.get(key)
    if not isinstance(value, str) or not value:
        raise UnsupportedIntegrationError(f"state {state_name!r}: Parameters.{key} is missing")
    return value


def _function_grants(state_name: str, function: str, ctx: ArnContext) -> list[Grant]:
    function = ctx.function_arn(function)
    match = _FUNCTION_ARN.match(function)
    if not match:
        raise UnsupportedIntegrationError(f"state {state_name!r}: {function!r} is not a function")
    invoke = frozenset({"lambda:InvokeFunction"})
    base = match["arn"]
    # The unqualified ARN and ``:*`` (its versions and aliases) are both needed: AWS matches a
    # qualified invoke only against a qualified resource.
    return [(invoke, base), (invoke, f"{base}:*")]


def _lambda(state_name: str, api: str, params: Mapping[str, Any], ctx: ArnContext) -> list[Grant]:
    if api != "invoke":
        raise UnsupportedIntegrationError(f"state {state_name!r}: lambda:{api} is not supported")
    return _function_grants(state_name, _param(state_name, params, "FunctionName"), ctx)


_DYNAMODB_ACTIONS = {
    "getItem": "dynamodb:GetItem",
    "putItem": "dynamodb:PutItem",
    "updateItem": "dynamodb:UpdateItem",
    "deleteItem": "dynamodb:DeleteItem",
}


def _dynamodb(state_name: str, api: str, params: Mapping[str, Any], ctx: ArnContext) -> list[Grant]:
    if api not in _DYNAMODB_ACTIONS:
        raise UnsupportedIntegrationError(f"state {state_name!r}: dynamodb:{api} is not supported")
    table = _param(state_name, params, "TableName")
    return [(frozenset({_DYNAMODB_ACTIONS[api]}), ctx.table_arn(table))]


def _sns(state_name: str, api: str, params: Mapping[str, Any], ctx: ArnContext) -> list[Grant]:
    if api != "publish":
        raise UnsupportedIntegrationError(f"state {state_name!r}: sns:{api} is not supported")
    return [(frozenset({"sns:Publish"}), _param(state_name, params, "TopicArn"))]


def _sqs(state_name: str, api: str, params: Mapping[str, Any], ctx: ArnContext) -> list[Grant]:
    if api != "sendMessage":
        raise UnsupportedIntegrationError(f"state {state_name!r}: sqs:{api} is not supported")
    url = _param(state_name, params, "QueueUrl")
    arn = queue_arn(url, ctx.partition)
    if arn is None:
        raise UnsupportedIntegrationError(f"state {state_name!r}: {url!r} is not an SQS queue URL")
    return [(frozenset({"sqs:SendMessage"}), arn)]


def _events(state_name: str, api: str, params: Mapping[str, Any], ctx: ArnContext) -> list[Grant]:
    if api != "putEvents":
        raise UnsupportedIntegrationError(f"state {state_name!r}: events:{api} is not supported")
    if "Entries.$" in params or not params.get("Entries"):
        raise UnsupportedIntegrationError(f"state {state_name!r}: Entries must be literal")
    grants: list[Grant] = []
    for entry in params["Entries"]:
        if "EventBusName.$" in entry:
            raise UnsupportedIntegrationError(f"state {state_name!r}: EventBusName.$ is dynamic")
        bus = entry.get("EventBusName", "default")
        grants.append((frozenset({"events:PutEvents"}), ctx.event_bus_arn(bus)))
    return grants


def _states(
    state_name: str, api: str, params: Mapping[str, Any], ctx: ArnContext, pattern: str
) -> list[Grant]:
    if api != "startExecution":
        raise UnsupportedIntegrationError(f"state {state_name!r}: states:{api} is not supported")
    machine_arn = _param(state_name, params, "StateMachineArn")
    grants: list[Grant] = [(frozenset({"states:StartExecution"}), machine_arn)]
    if pattern.startswith(".sync"):
        # .sync polls the child execution and learns of its end through a managed EventBridge
        # rule; AWS documents exactly these resources for it.
        grants.append(
            (
                frozenset({"states:DescribeExecution", "states:StopExecution"}),
                executions_of(machine_arn),
            )
        )
        rule = ctx.arn("events", "rule/StepFunctionsGetEventsForStepFunctionsExecutionRule")
        grants.append(
            (frozenset({"events:PutTargets", "events:PutRule", "events:DescribeRule"}), rule)
        )
    return grants


_Handler = Callable[[str, str, Mapping[str, Any], ArnContext], list[Grant]]
_INTEGRATIONS: dict[str, _Handler] = {
    "lambda": _lambda,
    "dynamodb": _dynamodb,
    "sns": _sns,
    "sqs": _sqs,
    "events": _events,
}


def _task_grants(state_name: str, state: Mapping[str, Any], ctx: ArnContext) -> list[Grant]:
    resource = state.get("Resource", "")
    if _FUNCTION_ARN.match(resource):
        return _function_grants(state_name, resource, ctx)
    match = _INTEGRATION.match(resource)
    if not match:
        raise UnsupportedIntegrationError(
            f"state {state_name!r}: unknown Task resource {resource!r}"
        )
    service, api, pattern = match["service"], match["api"], match["pattern"] or ""
    params = state.get("Parameters", {})
    if service == "states":
        return _states(state_name, api, params, ctx, pattern)
    if service not in _INTEGRATIONS:
        raise UnsupportedIntegrationError(
            f"state {state_name!r}: no permissions known for the {service} integration"
        )
    return _INTEGRATIONS[service](state_name, api, params, ctx)


def derive_statements(definition: Mapping[str, Any], ctx: ArnContext) -> list[Statement]:
    """One Allow statement per distinct action set, listing exactly the ARNs the Tasks use."""
    resources_by_actions: dict[frozenset[str], set[str]] = defaultdict(set)
    for name, state in states(definition):
        if state.get("Type") == "Task":
            for actions, arn in _task_grants(name, state, ctx):
                resources_by_actions[actions].add(arn)
    return [
        allow(actions, resources_by_actions[actions])
        for actions in sorted(resources_by_actions, key=sorted)
    ]
