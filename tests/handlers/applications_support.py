"""Helpers for the account applications handler tests (seed 003): the applications table as the
program creates it, records in a chosen state, and state machines in moto."""

from __future__ import annotations

import functools
import json
import time
import uuid
from typing import Any

import boto3
from applications.model import State
from applications.repository import ApplicationRepository
from lambda_support.lazy import Lazy

from tests.conftest import REGION

ROLE_ARN = "arn:aws:iam::123456789012:role/account-applications-workflow"

# One session and one client per service for every test: building them again re-reads botocore's
# models each time (most of a test's time); moto intercepts them all the same.
SESSION = boto3.session.Session(region_name=REGION)


@functools.cache
def client(service: str) -> Any:
    return SESSION.client(service)


# The smallest machine that lets a handler test start executions and read them back.
PASS_DEFINITION = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})


def create_applications_table(name: str = "applications") -> Any:
    """The applications table as the component declares it: key ``id``, GSI ``state`` (ALL)."""
    return SESSION.resource("dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "state", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "state",
                "KeySchema": [{"AttributeName": "state", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )


def new_id() -> str:
    return f"application_{uuid.uuid4()}"


def put_application(table: Any, state: State, **attributes: str) -> str:
    """Store an application already in ``state``; returns its id."""
    application_id = new_id()
    table.put_item(
        Item={
            "id": application_id,
            "name": "Spock",
            "address": "123 Enterprise Street",
            "state": state.value,
            **attributes,
        }
    )
    return application_id


def stored(table: Any, application_id: str) -> dict[str, Any] | None:
    return table.get_item(Key={"id": application_id}, ConsistentRead=True).get("Item")


def repository(table: Any, now: str = "2024-01-01T00:00:00.000+00:00") -> ApplicationRepository:
    return ApplicationRepository(table, clock=lambda: now)


def table_for(monkeypatch: Any, owner: Any, attribute: str = "REPOSITORY") -> Any:
    """A new applications table that ``owner.<attribute>`` (a handler module's REPOSITORY, or an
    OutcomeHandler's ``repository``) uses for this test."""
    table = create_applications_table()
    monkeypatch.setattr(owner, attribute, Lazy(lambda: repository(table)))
    return table


def create_state_machine(name: str, definition: str = PASS_DEFINITION) -> str:
    return client("stepfunctions").create_state_machine(
        name=name, definition=definition, roleArn=ROLE_ARN
    )["stateMachineArn"]


def executions(state_machine_arn: str) -> list[dict[str, Any]]:
    return client("stepfunctions").list_executions(stateMachineArn=state_machine_arn)["executions"]


def wait_for_status(execution_arn: str, *statuses: str, timeout: float = 5.0) -> dict[str, Any]:
    """Poll moto's interpreter (it runs executions on threads) until one of ``statuses``."""
    states = client("stepfunctions")
    deadline = time.monotonic() + timeout
    while True:
        description = states.describe_execution(executionArn=execution_arn)
        if description["status"] in statuses or time.monotonic() > deadline:
            return description
        time.sleep(0.005)
