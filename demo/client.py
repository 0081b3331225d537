"""What every system's client does the same way: invoke a function, list a machine's executions."""

from __future__ import annotations

import json
from typing import Any

from localcloud import LocalCloud


def invoke(cloud: LocalCloud, function_name: str, event: Any) -> tuple[bool, Any]:
    """Invoke a function synchronously as a client would: (errored, decoded payload)."""
    response = cloud.client("lambda").invoke(FunctionName=function_name, Payload=json.dumps(event))
    return bool(response.get("FunctionError")), json.loads(response["Payload"].read() or b"null")


def executions(cloud: LocalCloud, state_machine_arn: str) -> list[dict[str, Any]]:
    """Every execution of the state machine, newest first."""
    paginator = cloud.client("stepfunctions").get_paginator("list_executions")
    pages = paginator.paginate(stateMachineArn=state_machine_arn)
    return [execution for page in pages for execution in page["executions"]]
