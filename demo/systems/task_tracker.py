"""The task tracker (seed 001) as its callers see it: invoke the starter, read the tasks table."""

from __future__ import annotations

from typing import Any

from demo.client import executions, invoke
from localcloud import LocalCloud


class Tasks:
    def __init__(self, cloud: LocalCloud) -> None:
        self.cloud = cloud
        self.starter: str = cloud.outputs["taskTrackerFunctionName"]
        self.table_name: str = cloud.outputs["tasksTableName"]
        self.state_machine_arn: str = cloud.outputs["taskTrackerStateMachineArn"]

    def start(self, task_id: str) -> tuple[bool, Any]:
        """(errored, the started execution or the error payload)."""
        return invoke(self.cloud, self.starter, {"taskId": task_id})

    def item(self, task_id: str, timestamp: int) -> dict[str, Any] | None:
        """The task's item as the table holds it (DynamoDB's typed attribute values)."""
        key = {"taskId": {"S": task_id}, "timestamp": {"N": str(timestamp)}}
        item: dict[str, Any] | None = (
            self.cloud.client("dynamodb").get_item(TableName=self.table_name, Key=key).get("Item")
        )
        return item

    def status(self, task_id: str, timestamp: int) -> str | None:
        item = self.item(task_id, timestamp)
        return item["Status"]["S"] if item else None

    def executions(self) -> list[dict[str, Any]]:
        return executions(self.cloud, self.state_machine_arn)
