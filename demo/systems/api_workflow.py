"""The API workflow (seed 004) as its callers see it: POST /items, and the items it stored."""

from __future__ import annotations

from typing import Any

from demo.client import executions
from localcloud import LocalCloud


class Items:
    def __init__(self, cloud: LocalCloud) -> None:
        self.cloud = cloud
        self.url: str = cloud.outputs["apiWorkflowUrl"]
        self.table_name: str = cloud.outputs["apiWorkflowTableName"]
        self.state_machine_arn: str = cloud.outputs["apiWorkflowStateMachineArn"]

    def post(self, body: Any, signed: bool = True) -> tuple[int, Any]:
        """POST ``body`` (JSON, or bytes as they are) to /items: the status and decoded answer."""
        return self.cloud.request("POST", self.url, body, signed=signed)

    def stored(self, item_id: str) -> dict[str, Any] | None:
        """The item as the table holds it (DynamoDB's typed attribute values)."""
        key = {"id": {"S": item_id}}
        item: dict[str, Any] | None = (
            self.cloud.client("dynamodb").get_item(TableName=self.table_name, Key=key).get("Item")
        )
        return item

    def count(self) -> int:
        scan = self.cloud.client("dynamodb").scan(TableName=self.table_name, Select="COUNT")
        return int(scan["Count"])

    def executions(self) -> list[dict[str, Any]]:
        return executions(self.cloud, self.state_machine_arn)
