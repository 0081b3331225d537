"""Account applications (seed 003) as their callers see them: invoke submit, review and find,
read the applications table, follow the execution named after each application."""

from __future__ import annotations

import time
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from demo.client import executions, invoke
from localcloud import LocalCloud

_deserializer = TypeDeserializer()


class Applications:
    """The account applications system as its callers see it."""

    def __init__(self, cloud: LocalCloud) -> None:
        self.cloud = cloud
        self.state_machine_arn: str = cloud.outputs["accountApplicationsStateMachineArn"]
        self.table_name: str = cloud.outputs["accountApplicationsTableName"]
        self._functions = {
            "submit": cloud.outputs["submitApplicationFunctionName"],
            "review": cloud.outputs["reviewApplicationFunctionName"],
            "find": cloud.outputs["findApplicationsFunctionName"],
        }

    def submit(self, request: Any) -> tuple[bool, Any]:
        """(errored, the stored application or the error payload)."""
        return invoke(self.cloud, self._functions["submit"], request)

    def review(self, application_id: str, decision: str) -> tuple[bool, Any]:
        request = {"id": application_id, "decision": decision}
        return invoke(self.cloud, self._functions["review"], request)

    def find(self, request: Any) -> tuple[bool, Any]:
        return invoke(self.cloud, self._functions["find"], request)

    def record(self, application_id: str) -> dict[str, Any] | None:
        """The application's item as stored (task token included), in plain values."""
        item = (
            self.cloud.client("dynamodb")
            .get_item(
                TableName=self.table_name, Key={"id": {"S": application_id}}, ConsistentRead=True
            )
            .get("Item")
        )
        if item is None:
            return None
        return {key: _deserializer.deserialize(value) for key, value in item.items()}

    def record_count(self) -> int:
        return int(
            self.cloud.client("dynamodb").scan(TableName=self.table_name, Select="COUNT")["Count"]
        )

    def execution_arn(self, application_id: str) -> str:
        """Submit names the workflow's execution after the application."""
        prefix, _, machine = self.state_machine_arn.rpartition(":stateMachine:")
        return f"{prefix}:execution:{machine}:{application_id}"

    def executions(self) -> list[dict[str, Any]]:
        return executions(self.cloud, self.state_machine_arn)

    def finished(self, application_id: str) -> dict[str, Any]:
        """The application's execution once it ended (see ``LocalCloud.wait``)."""
        return self.cloud.wait(self.execution_arn(application_id))

    def path(self, application_id: str) -> list[str]:
        """The states the application's execution entered so far."""
        return self.cloud.path(self.execution_arn(application_id))

    def status(self, application_id: str) -> str:
        sfn = self.cloud.client("stepfunctions")
        return str(
            sfn.describe_execution(executionArn=self.execution_arn(application_id))["status"]
        )

    def await_review(self, application_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """Poll until the application is flagged for review and its workflow waits in "Pending
        Review" for the callback; returns the record."""
        arn = self.execution_arn(application_id)
        deadline = time.monotonic() + timeout
        while True:
            record = self.record(application_id) or {}
            flagged = record.get("state") == "FLAGGED_FOR_REVIEW" and "taskToken" in record
            # The history only once the record says so: reading it is the costly part.
            path = self.cloud.path(arn) if flagged else []
            if path[-1:] == ["Pending Review"] and self.status(application_id) == "RUNNING":
                return record
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{application_id} is not awaiting review: {record.get('state')}, path {path}"
                )
            time.sleep(0.02)
