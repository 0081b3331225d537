"""Step Functions tasks act with the state machine's role, and the role's policies are enforced.

moto's interpreter calls services with fixed credentials and no authorization, so a role that
cannot invoke its function would still work locally; on AWS the task fails with the 403 of
seed 004. localcloud checks every service call a task makes against the execution role before
it is sent (the actions and ARNs IAM evaluates from ``localcloud.iam_actions``, the role's
policies with ``localcloud.iam_check``), and fails it the way AWS does when it is not allowed.
A call localcloud cannot authorize is refused the same way.
"""

from __future__ import annotations

import sys
import threading
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

from localcloud.iam_check import (
    DEFAULT_DENIED_CODE,
    DENIED_CODES,
    AccessDeniedError,
    authorize_call,
)
from localcloud.moto_patches import Patches

_PARSER_PACKAGE = "moto.stepfunctions.parser"

# The error code AWS answers a denied call with, per service (Step Functions shows Lambda's as
# Lambda.AWSLambdaException, and SNS's AuthorizationError as SNS.AuthorizationErrorException).
_DENIED_CODE = {**DENIED_CODES, "lambda": "AWSLambdaException"}


def _denied(service: str, operation: str, message: str) -> ClientError:
    return ClientError(
        {
            "Error": {
                "Code": _DENIED_CODE.get(service, DEFAULT_DENIED_CODE),
                "Message": message,
            },
            "ResponseMetadata": {"HTTPStatusCode": 403, "RequestId": "localcloud"},
        },
        operation,
    )


def _checker(service: str, role_arn: str, region: str) -> Callable[..., None]:
    def check(model: Any, params: dict[str, Any], **_: Any) -> None:
        try:
            authorize_call(role_arn, service, model.name, params, region)
        except AccessDeniedError as denied:
            raise _denied(service, model.name, str(denied)) from None

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
        self._patches = Patches()

    def install(self) -> None:
        original = boto_client.boto_client_for
        # One client per region, service and role, made once: the interpreter asks for a client
        # in every Task state, and making one costs milliseconds (a fifth of an execution).
        clients: dict[tuple[str, str, str | None], Any] = {}
        lock = threading.Lock()

        def boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
            role_arn = getattr(state_credentials, "role_arn", None)
            key = (region, service, role_arn)
            with lock:  # boto3's default session must not make clients on two threads at once
                if key not in clients:
                    client = original(
                        region=region, service=service, state_credentials=state_credentials
                    )
                    if role_arn:
                        client.meta.events.register(
                            "before-parameter-build", _checker(service, role_arn, region)
                        )
                    clients[key] = client
                return clients[key]

        # Every interpreter module imported the function by name; replace each reference.
        for module in list(sys.modules.values()):
            if (
                getattr(module, "__name__", "").startswith(_PARSER_PACKAGE)
                and getattr(module, "boto_client_for", None) is original
            ):
                self._patches.patch(module, "boto_client_for", boto_client_for)
        self._patches.patch(
            StateTaskLambda, "_from_error", _lambda_task_error(StateTaskLambda._from_error)
        )

    def uninstall(self) -> None:
        self._patches.undo()
