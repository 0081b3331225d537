"""Lambda entry point of the task tracker's starter (Python port of seed 001's Go function).

``{"taskId": "Breakfast"}`` starts the execution ``Breakfast-<unix seconds>`` with the input
``{"taskId": "Breakfast", "timestamp": <unix seconds>}`` and answers
``{"executionArn", "name", "taskId", "timestamp", "status"}``. A second start of the same task in
the same second answers with the same execution (see ``task_starter.executions``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from lambda_support.lazy import Lazy

from task_starter.executions import TaskExecutions
from task_starter.tasks import parse_task_start

logger = Logger()


def _executions() -> TaskExecutions:
    return TaskExecutions(boto3.client("stepfunctions"), os.environ["STATE_MACHINE_ARN"])


# The client is built on first use, once per execution environment, so importing needs no
# environment; tests replace it and the clock.
EXECUTIONS = Lazy(_executions)
CLOCK: Callable[[], float] = time.time


@logger.inject_lambda_context
def handler(event: Any, context: Any) -> dict[str, Any]:
    task = parse_task_start(event, timestamp=int(CLOCK()))
    execution = EXECUTIONS.get().start(task)
    logger.info(
        "task tracked by execution",
        extra={"execution_arn": execution.execution_arn, "status": execution.status},
    )
    return execution.to_response()
