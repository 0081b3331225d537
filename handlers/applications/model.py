"""The application record, its states and the named errors every function raises."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class State(StrEnum):
    """Where an application is in its workflow; stored as the ``state`` attribute."""

    SUBMITTED = "SUBMITTED"
    FLAGGED_FOR_REVIEW = "FLAGGED_FOR_REVIEW"
    FLAGGED_WITH_UNPROCESSABLE_DATA = "FLAGGED_WITH_UNPROCESSABLE_DATA"
    REVIEW_APPROVED = "REVIEW_APPROVED"
    REVIEW_REJECTED = "REVIEW_REJECTED"
    REVIEW_TIMED_OUT = "REVIEW_TIMED_OUT"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    PROCESSING_FAILED = "PROCESSING_FAILED"
    """The workflow met an error it could not handle; ``failure`` holds its name and cause."""


REVIEW_TIMED_OUT_AT = "reviewTimedOutAt"
"""Set when the review period ended without a decision; a later review is too late."""


APPLICATION_ID = re.compile(
    r"^application_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
)


class ApplicationError(Exception):
    """Base of every error the account applications functions raise on purpose."""


class InvalidRequestError(ApplicationError, ValueError):
    """The event is not a request this function can serve; nothing was changed."""


class ApplicationNotFoundError(ApplicationError, LookupError):
    """No application has this id."""


class InvalidStateTransitionError(ApplicationError):
    """The application is not in a state this change may start from; nothing was changed."""

    def __init__(
        self,
        application_id: str,
        current: str,
        expected: frozenset[State],
        target: State,
        record: Mapping[str, Any] | None = None,
    ) -> None:
        self.application_id = application_id
        self.current = current
        self.expected = expected
        self.target = target
        self.record: Mapping[str, Any] = record or {}
        """The application as it was when the write was refused."""
        super().__init__(
            f"application {application_id} is {current}; moving it to {target} needs one of "
            f"{', '.join(sorted(expected))}"
        )


@dataclass(frozen=True)
class Application:
    id: str
    name: str
    address: str
    state: State
    reason: str | None = None
    task_token: str | None = None
    """Token of the workflow's "Pending Review" wait; never leaves the table."""
    submitted_at: str | None = None
    updated_at: str | None = None
    failure: dict[str, Any] | None = None
    """``{"error", "cause"}`` of a PROCESSING_FAILED application."""

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Application:
        return cls(
            id=item["id"],
            name=item["name"],
            address=item["address"],
            state=State(item["state"]),
            reason=item.get("reason"),
            task_token=item.get("taskToken"),
            submitted_at=item.get("submittedAt"),
            updated_at=item.get("updatedAt"),
            failure=_failure(item.get("failure")),
        )

    def public(self) -> dict[str, Any]:
        """What a caller or the workflow may see: everything but the task token."""
        view: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "address": self.address,
            "state": self.state.value,
        }
        optional = {
            "reason": self.reason,
            "submittedAt": self.submitted_at,
            "updatedAt": self.updated_at,
            "failure": self.failure,
        }
        view.update({key: value for key, value in optional.items() if value is not None})
        return view


def _failure(recorded: Any) -> dict[str, Any] | None:
    """The workflow records the error output it caught (``{"Error", "Cause"?}``) as JSON text."""
    if recorded is None:
        return None
    try:
        output = json.loads(recorded)
    except (TypeError, ValueError):
        return {"error": None, "cause": str(recorded)}
    if not isinstance(output, dict):
        return {"error": None, "cause": str(recorded)}
    return {"error": output.get("Error"), "cause": output.get("Cause")}


def require_object(event: Any) -> dict[str, Any]:
    if not isinstance(event, dict):
        raise InvalidRequestError(f"expected a JSON object, got {type(event).__name__}")
    return event


def require_application_id(event: Any) -> str:
    """The ``id`` of the application a request is about, checked for the ids submit creates."""
    application_id = require_object(event).get("id")
    if not isinstance(application_id, str) or not APPLICATION_ID.fullmatch(application_id):
        raise InvalidRequestError(
            f"'id' must be an application id like application_<uuid4>, got {application_id!r}"
        )
    return application_id
