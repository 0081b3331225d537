"""Step Functions tasks act with the state machine's role, and the role's policies are enforced.

moto's interpreter calls services with fixed credentials and no authorization, so a role that
cannot invoke its function would still work locally; on AWS the task fails with the 403 of
seed 004. localcloud checks every service call a task makes against the execution role (with
``localcloud.iam_check``) before it is sent, and fails it the way AWS does when it is not allowed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError
from moto.stepfunctions.parser.api import HistoryEventType, LambdaFunctionFailedEventDetails
from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import (
    CustomErrorName,
)
from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEvent

# Importing the interpreter's task factories loads every module that calls boto_client_for, so
# install() can replace all their references (a module imported later would keep the original).
from moto.stepfunctions.parser.asl.component.state.exec.state_task import (  # noqa: F401
    state_task_factory,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.state_task_lambda import (
    StateTaskLambda,
)
from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
from moto.stepfunctions.parser.asl.parse import asl_parser  # noqa: F401
from moto.stepfunctions.parser.asl.utils import boto_client

from components.asl_policy import ArnContext, queue_arn
from localcloud.iam_check import AccessDeniedError, RolePolicies

_PARSER_PACKAGE = "moto.stepfunctions.parser"

# The error code AWS answers a denied call with, per service
# (Step Functions shows Lambda's as Lambda.AWSLambdaException).
_DENIED_CODE = {"lambda": "AWSLambdaException"}


def _resources(service: str, params: dict[str, Any], ctx: ArnContext) -> list[str]:
    """The ARNs a call acts on, as IAM sees them."""
    if service == "lambda":
        return [ctx.function_arn(str(params["FunctionName"]))]
    if service == "dynamodb":
        table_arn = ctx.table_arn(str(params["TableName"]))
        index = params.get("IndexName")
        return [f"{table_arn}/index/{index}" if index else table_arn]
    if service == "sns":
        return [str(params["TopicArn"])]
    if service == "sqs":
        return [queue_arn(str(params["QueueUrl"]), ctx.partition) or "*"]
    if service == "stepfunctions":
        return [str(params.get("stateMachineArn") or params.get("StateMachineArn"))]
    if service == "events":
        buses = {entry.get("EventBusName", "default") for entry in params.get("Entries", [])}
        return [ctx.event_bus_arn(bus) for bus in buses]
    return ["*"]


_IAM_PREFIX = {"stepfunctions": "states"}
# API operations whose IAM action has another name.
_IAM_ACTION = {"lambda:Invoke": "lambda:InvokeFunction"}


def _checker(service: str, role_arn: str, region: str) -> Callable[..., None]:
    def check(model: Any, params: dict[str, Any], **_: Any) -> None:
        action = f"{_IAM_PREFIX.get(service, service)}:{model.name}"
        action = _IAM_ACTION.get(action, action)
        ctx = ArnContext(partition="aws", region=region, account_id=role_arn.split(":")[4])
        policies = RolePolicies.of(role_arn)
        for resource in _resources(service, params, ctx):
            try:
                policies.check(action, resource)
            except AccessDeniedError as denied:
                raise ClientError(
                    {
                        "Error": {
                            "Code": _DENIED_CODE.get(service, "AccessDeniedException"),
                            "Message": str(denied),
                        },
                        "ResponseMetadata": {"HTTPStatusCode": 403, "RequestId": "localcloud"},
                    },
                    model.name,
                ) from None

    return check


def _lambda_task_error(original: Callable[..., Any]) -> Callable[..., Any]:
    """A Task whose Resource is a function ARN reports a refused invoke as AWS does
    (``Lambda.AWSLambdaException``); moto names every such client error ``Exception``."""

    def from_error(task: Any, env: Any, ex: Exception) -> Any:
        if not isinstance(ex, ClientError):
            return original(task, env, ex)
        error = f"Lambda.{ex.response['Error']['Code']}"
        return FailureEvent(
            env=env,
            error_name=CustomErrorName(error),
            event_type=HistoryEventType.LambdaFunctionFailed,
            event_details=EventDetails(  # type: ignore[typeddict-item]
                lambdaFunctionFailedEventDetails=LambdaFunctionFailedEventDetails(
                    error=error, cause=ex.response["Error"]["Message"]
                )
            ),
        )

    return from_error


class TaskPermissions:
    def __init__(self) -> None:
        self._undo: list[tuple[Any, Any]] = []
        self._original_from_error: Any = None

    def install(self) -> None:
        original = boto_client.boto_client_for

        def boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
            client = original(region=region, service=service, state_credentials=state_credentials)
            role_arn = getattr(state_credentials, "role_arn", None)
            if role_arn:
                client.meta.events.register(
                    "before-parameter-build", _checker(service, role_arn, region)
                )
            return client

        # Every interpreter module imported the function by name; replace each reference.
        for module in list(sys.modules.values()):
            if (
                getattr(module, "__name__", "").startswith(_PARSER_PACKAGE)
                and getattr(module, "boto_client_for", None) is original
            ):
                self._undo.append((module, original))
                module.boto_client_for = boto_client_for  # type: ignore[attr-defined]
        self._original_from_error = StateTaskLambda._from_error
        StateTaskLambda._from_error = _lambda_task_error(self._original_from_error)  # type: ignore[method-assign]

    def uninstall(self) -> None:
        if self._original_from_error is not None:
            StateTaskLambda._from_error = self._original_from_error  # type: ignore[method-assign]
            self._original_from_error = None
        while self._undo:
            module, original = self._undo.pop()
            module.boto_client_for = original
