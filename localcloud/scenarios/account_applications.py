"""Account applications (seed 003): submit -> parallel checks -> approved, or held for a review.

``Applications`` drives the system as a client does (invoking submit, review and find, reading the
table, finding the execution named after the application); the end-to-end tests use it too.
"""

from __future__ import annotations

import time
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from localcloud.cloud import LocalCloud
from localcloud.demo import Outcome, Scenario, invoke

SYSTEM = (
    "Account applications (seed 003): Lambda -> Step Functions (Parallel, callback) -> DynamoDB"
)

CLEAN = {"name": "Spock", "address": "123 Enterprise Street"}
FLAGGED_NAME = {"name": "evil Spock", "address": "123 Enterprise Street"}
FLAGGED_ADDRESS = {"name": "Spock", "address": "Enterprise Street"}  # no house number
UNPROCESSABLE = {"name": "Spock UNPROCESSABLE_DATA", "address": "123 Enterprise Street"}

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
        """Every execution of the workflow, newest first."""
        paginator = self.cloud.client("stepfunctions").get_paginator("list_executions")
        pages = paginator.paginate(stateMachineArn=self.state_machine_arn)
        return [execution for page in pages for execution in page["executions"]]

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


# -- the scenarios -------------------------------------------------------------------------------


def _submitted(applications: Applications, request: dict[str, str], outcome: Outcome) -> str:
    errored, application = applications.submit(request)
    outcome.expect(
        "submit stores the application as SUBMITTED",
        (errored, application.get("state")),
        (False, "SUBMITTED"),
    )
    outcome.executions.append(applications.execution_arn(application["id"]))
    return str(application["id"])


def approve_a_clean_application(cloud: LocalCloud, outcome: Outcome) -> None:
    applications = Applications(cloud)
    application_id = _submitted(applications, CLEAN, outcome)
    final = cloud.wait(applications.execution_arn(application_id))
    outcome.expect("the execution succeeds", final["status"], "SUCCEEDED")
    outcome.expect(
        "no review was needed", "Pending Review" in cloud.path(final["executionArn"]), False
    )
    outcome.expect(
        "the application is APPROVED",
        (applications.record(application_id) or {}).get("state"),
        "APPROVED",
    )


def _reviewed(cloud: LocalCloud, outcome: Outcome, request: dict[str, str], decision: str) -> dict:
    applications = Applications(cloud)
    application_id = _submitted(applications, request, outcome)
    record = applications.await_review(application_id)
    outcome.expect(
        "it waits in Pending Review, FLAGGED_FOR_REVIEW", record["state"], "FLAGGED_FOR_REVIEW"
    )
    errored, reviewed = applications.review(application_id, decision)
    outcome.expect(
        f"the {decision} review is recorded",
        (errored, reviewed.get("state")),
        (False, {"APPROVE": "REVIEW_APPROVED", "REJECT": "REVIEW_REJECTED"}[decision]),
    )
    final = cloud.wait(applications.execution_arn(application_id))
    outcome.expect("the execution succeeds", final["status"], "SUCCEEDED")
    return {"record": record, "final": applications.record(application_id) or {}}


def approve_after_review(cloud: LocalCloud, outcome: Outcome) -> None:
    seen = _reviewed(cloud, outcome, FLAGGED_NAME, "APPROVE")
    outcome.expect(
        "the reason names the flagged check", seen["record"].get("reason"), "name check flagged"
    )
    outcome.expect("the application is APPROVED", seen["final"].get("state"), "APPROVED")


def reject_after_review(cloud: LocalCloud, outcome: Outcome) -> None:
    seen = _reviewed(cloud, outcome, FLAGGED_ADDRESS, "REJECT")
    outcome.expect(
        "the reason names the flagged check", seen["record"].get("reason"), "address check flagged"
    )
    outcome.expect("the application is REJECTED", seen["final"].get("state"), "REJECTED")


def flag_unprocessable_data(cloud: LocalCloud, outcome: Outcome) -> None:
    applications = Applications(cloud)
    application_id = _submitted(applications, UNPROCESSABLE, outcome)
    final = cloud.wait(applications.execution_arn(application_id))
    outcome.expect("the execution succeeds (the error was caught)", final["status"], "SUCCEEDED")
    record = applications.record(application_id) or {}
    outcome.expect(
        "the application is FLAGGED_WITH_UNPROCESSABLE_DATA",
        record.get("state"),
        "FLAGGED_WITH_UNPROCESSABLE_DATA",
    )
    outcome.expect(
        "the reason is the checker's message",
        record.get("reason"),
        "Simulated error: Name 'Spock UNPROCESSABLE_DATA' is not possible to check.",
    )


def refuse_a_bad_submit(cloud: LocalCloud, outcome: Outcome) -> None:
    applications = Applications(cloud)
    records, executions = applications.record_count(), len(applications.executions())
    errored, error = applications.submit({"name": "", "address": "123 Enterprise Street"})
    outcome.expect(
        "submit refuses an empty name",
        (errored, error.get("errorType")),
        (True, "InvalidApplicationError"),
    )
    outcome.expect("no application was stored", applications.record_count(), records)
    outcome.expect("no execution was started", len(applications.executions()), executions)


SCENARIOS = [
    Scenario(SYSTEM, name, run)
    for name, run in (
        ("a clean application is approved without review", approve_a_clean_application),
        ("a flagged name waits for review, then is approved", approve_after_review),
        ("a flagged address waits for review, then is rejected", reject_after_review),
        (
            "a name that cannot be checked is flagged as unprocessable, with the reason",
            flag_unprocessable_data,
        ),
        (
            "an application without a name is refused, nothing stored or started",
            refuse_a_bad_submit,
        ),
    )
]
