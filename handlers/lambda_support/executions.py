"""Start a Step Functions execution once, whatever the number of deliveries that ask for it.

A function that turns a request into an execution names the execution after something the
request carries (a task start, a queue message id), so a redelivered or retried request asks for
the same name with the same input. Step Functions (Standard) keeps names unique per state
machine: it answers a repeat for a running execution with that execution, and for a finished one
raises ``ExecutionAlreadyExists``. Then the existing execution is read back by its derived ARN
and accepted if its input is the one asked for. Either way the caller gets the one execution for
its request, never a second one and never an error. Only an execution of that name started with
another input (by someone else) is an error: ``ExecutionNameTakenError``.

Needs ``states:StartExecution`` on the state machine and ``states:DescribeExecution`` on its
executions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from lambda_support.arns import execution_arn
from lambda_support.aws_errors import error_code


class ExecutionNameTakenError(RuntimeError):
    """An execution with the asked name exists, started with a different input."""


@dataclass(frozen=True)
class Execution:
    execution_arn: str
    status: str
    """``RUNNING`` for an execution this call started, else the existing one's status."""


def encode_input(execution_input: Any) -> str:
    """The input as one fixed string: a repeated start sends byte-identical input, which Step
    Functions treats as the same request."""
    return json.dumps(execution_input, sort_keys=True, separators=(",", ":"))


def start_execution_once(
    client: Any, state_machine_arn: str, name: str, execution_input: Any
) -> Execution:
    """Start the execution ``name`` of the state machine with ``execution_input`` (a JSON value,
    encoded here, once), or return it if it exists with that input.

    ``client`` is a boto3 Step Functions client.
    """
    input_json = encode_input(execution_input)
    try:
        response = client.start_execution(
            stateMachineArn=state_machine_arn, name=name, input=input_json
        )
    except ClientError as err:
        if error_code(err) != "ExecutionAlreadyExists":
            raise
    else:
        return Execution(response["executionArn"], status="RUNNING")
    arn = execution_arn(state_machine_arn, name)
    existing = client.describe_execution(executionArn=arn)
    if json.loads(existing.get("input") or "null") != json.loads(input_json):
        raise ExecutionNameTakenError(
            f"execution {arn} exists with an input other than {input_json}"
        )
    return Execution(arn, status=existing["status"])
