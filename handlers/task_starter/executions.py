"""The task tracker's state machine, as the starter uses it: start a task's execution, once.

Starting the same task twice in the same second asks for the same execution name with the same
input, so ``lambda_support.executions`` gives the caller the one execution that tracks the task,
never a second one and never an error. Only an execution of that name started with another input
(by someone else) is an error: ``ExecutionNameTakenError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lambda_support.executions import ExecutionNameTakenError, start_execution_once

from task_starter.tasks import TaskStart

__all__ = ["ExecutionNameTakenError", "TaskExecution", "TaskExecutions"]


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
        execution = start_execution_once(
            self._client, self._state_machine_arn, task.execution_name, task.execution_input
        )
        return TaskExecution(execution.execution_arn, task, status=execution.status)
