"""The applications table. Every write is conditional on the state the caller expects, so two
concurrent or late calls can never overwrite each other's change."""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError
from lambda_support.aws_errors import error_code

from applications.model import (
    Application,
    ApplicationError,
    ApplicationNotFoundError,
    InvalidStateTransitionError,
    State,
)

STATE_INDEX = "state"

_deserializer = TypeDeserializer()


class SubmissionConflictError(ApplicationError):
    """An application with this id exists with a different name or address."""


def _utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _condition_failed(error: ClientError) -> bool:
    return error_code(error) == "ConditionalCheckFailedException"


def _old_item(error: ClientError) -> dict[str, Any] | None:
    """The item as it was when a condition failed (ReturnValuesOnConditionCheckFailure)."""
    item = error.response.get("Item")
    if not item:
        return None
    return {key: _deserializer.deserialize(value) for key, value in item.items()}


class ApplicationRepository:
    def __init__(self, table: Any, clock: Callable[[], str] = _utc_now) -> None:
        self._table = table
        self._clock = clock

    @classmethod
    def from_environment(cls) -> ApplicationRepository:
        return cls(boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"]))

    def submit(self, application_id: str, name: str, address: str, attempt: str) -> Application:
        """Create the application as SUBMITTED, or claim it again if it exists with the same name
        and address (a retried submit). ``attempt`` marks which submit call may withdraw it.

        Returns the application as it now is; raises SubmissionConflictError if the id is taken
        by different data.
        """
        now = self._clock()
        try:
            response = self._table.update_item(
                Key={"id": application_id},
                UpdateExpression=(
                    "SET #name = :name, #address = :address, "
                    "#state = if_not_exists(#state, :submitted), "
                    "#submittedAt = if_not_exists(#submittedAt, :now), "
                    "#updatedAt = if_not_exists(#updatedAt, :now), #submitAttempt = :attempt"
                ),
                ConditionExpression=(
                    "attribute_not_exists(#id) OR (#name = :name AND #address = :address)"
                ),
                ExpressionAttributeNames={
                    "#id": "id",
                    "#name": "name",
                    "#address": "address",
                    "#state": "state",
                    "#submittedAt": "submittedAt",
                    "#updatedAt": "updatedAt",
                    "#submitAttempt": "submitAttempt",
                },
                ExpressionAttributeValues={
                    ":name": name,
                    ":address": address,
                    ":submitted": State.SUBMITTED.value,
                    ":now": now,
                    ":attempt": attempt,
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if _condition_failed(error):
                raise SubmissionConflictError(
                    f"application {application_id} was submitted with another name or address"
                ) from None
            raise
        return Application.from_item(response["Attributes"])

    def withdraw(self, application_id: str, attempt: str) -> bool:
        """Delete the application if it is still SUBMITTED and no later submit call claimed it.

        Returns whether it was deleted.
        """
        try:
            self._table.delete_item(
                Key={"id": application_id},
                ConditionExpression="#state = :submitted AND #submitAttempt = :attempt",
                ExpressionAttributeNames={"#state": "state", "#submitAttempt": "submitAttempt"},
                ExpressionAttributeValues={
                    ":submitted": State.SUBMITTED.value,
                    ":attempt": attempt,
                },
            )
        except ClientError as error:
            if _condition_failed(error):
                return False
            raise
        return True

    def transition(
        self,
        application_id: str,
        expected: Collection[State],
        target: State,
        *,
        set_attributes: Mapping[str, str] | None = None,
        remove_attributes: Collection[str] = (),
        require_attributes: Collection[str] = (),
        stamp_attributes: Collection[str] = (),
    ) -> Application:
        """Move the application from one of ``expected`` to ``target`` in one conditional write
        (which also requires ``require_attributes`` to be present, and sets ``stamp_attributes``
        to the time of the write, like ``updatedAt``).

        Raises ApplicationNotFoundError, or InvalidStateTransitionError naming the current state;
        in both cases nothing changed.
        """
        expected = frozenset(expected)
        if not expected:
            raise ValueError("a transition needs at least one expected state")
        values: dict[str, str] = {":target": target.value, ":now": self._clock()}
        names = {"#id": "id", "#state": "state", "#updatedAt": "updatedAt"}
        assignments = ["#state = :target", "#updatedAt = :now"]
        for number, attribute in enumerate(sorted(stamp_attributes)):
            names[f"#t{number}"] = attribute
            assignments.append(f"#t{number} = :now")
        for number, (attribute, value) in enumerate(sorted((set_attributes or {}).items())):
            names[f"#a{number}"] = attribute
            values[f":a{number}"] = value
            assignments.append(f"#a{number} = :a{number}")
        expected_values = []
        for number, state in enumerate(sorted(expected)):
            values[f":e{number}"] = state.value
            expected_values.append(f":e{number}")
        expression = "SET " + ", ".join(assignments)
        if remove_attributes:
            removals = []
            for number, attribute in enumerate(sorted(remove_attributes)):
                names[f"#r{number}"] = attribute
                removals.append(f"#r{number}")
            expression += " REMOVE " + ", ".join(removals)
        condition = f"attribute_exists(#id) AND #state IN ({', '.join(expected_values)})"
        for number, attribute in enumerate(sorted(require_attributes)):
            names[f"#q{number}"] = attribute
            condition += f" AND attribute_exists(#q{number})"
        try:
            response = self._table.update_item(
                Key={"id": application_id},
                UpdateExpression=expression,
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if not _condition_failed(error):
                raise
            old = _old_item(error)
            if old is None:
                raise ApplicationNotFoundError(f"no application {application_id}") from None
            raise InvalidStateTransitionError(
                application_id, str(old.get("state")), expected, target, record=old
            ) from None
        return Application.from_item(response["Attributes"])

    def find_by_state(
        self, state: State, limit: int, start_key: Mapping[str, Any] | None = None
    ) -> tuple[list[Application], dict[str, Any] | None]:
        """One page of applications in ``state`` and the key to continue from (None at the end)."""
        query: dict[str, Any] = {
            "IndexName": STATE_INDEX,
            "KeyConditionExpression": "#state = :state",
            "ExpressionAttributeNames": {"#state": "state"},
            "ExpressionAttributeValues": {":state": state.value},
            "Limit": limit,
        }
        if start_key:
            query["ExclusiveStartKey"] = dict(start_key)
        response = self._table.query(**query)
        items = [Application.from_item(item) for item in response.get("Items", [])]
        return items, response.get("LastEvaluatedKey")
