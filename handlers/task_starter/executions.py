"""The task tracker's state machine, as the starter uses it: start a task's execution, once.

Starting the same task twice in the same second asks for the same execution name with the same
input. Step Functions (Standard) answers a repeat for a running execution with that execution; for
a finished one it raises ``ExecutionAlreadyExists``, and then the existing execution is read back
and returned if its input is this task start's. Either way the caller gets the one execution that
tracks the task, never a second one and never an error. Only an execution of that name started
with another input (by someone else) is an error: ``ExecutionNameTakenError``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError
from lambda_support.arns import execution_arn
from lambda_support.aws_errors import error_code

from task_starter.tasks import TaskStart


class ExecutionNameTakenError(RuntimeError):
    """An execution with the task's name exists, started with a different input."""


@dataclass(frozen=True)
class TaskExecution:
    execution_arn: str
    task: TaskStart
    status: str

    def to_response(self) -> dict[str, Any]:
        return {
            "executionArn": self.execution_arn,
            "name": self.task.execution_name,
            "taskId": self.task.task_id,
            "timestamp": self.task.timestamp,
            "status": self.status,
        }


class TaskExecutions:
    """Executions of one state machine, through a boto3 Step Functions client."""

    def __init__(self, client: Any, state_machine_arn: str) -> None:
        self._client = client
        self._state_machine_arn = state_machine_arn

    def start(self, task: TaskStart) -> TaskExecution:
        """Start the task's execution, or return it if this task start already has one."""
        try:
            response = self._client.start_execution(
                stateMachineArn=self._state_machine_arn,
                name=task.execution_name,
                input=task.execution_input_json(),
            )
        except ClientError as err:
            if error_code(err) != "ExecutionAlreadyExists":
                raise
            return self._existing(task)
        return TaskExecution(response["executionArn"], task, status="RUNNING")

    def _existing(self, task: TaskStart) -> TaskExecution:
        arn = execution_arn(self._state_machine_arn, task.execution_name)
        existing = self._client.describe_execution(executionArn=arn)
        if json.loads(existing.get("input") or "null") != task.execution_input:
            raise ExecutionNameTakenError(
                f"execution {arn} exists with an input other than {task.execution_input_json()}"
            )
        return TaskExecution(arn, task, status=existing["status"])
