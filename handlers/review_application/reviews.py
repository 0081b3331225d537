"""A human's review decision: record it on the application, then resume the waiting workflow.

1. The decision must be APPROVE or REJECT; anything else is an InvalidDecisionError and nothing
   changes.
2. One conditional write moves the application from FLAGGED_FOR_REVIEW to REVIEW_APPROVED or
   REVIEW_REJECTED. If the review period ended without a decision (the application is
   REVIEW_TIMED_OUT, or REJECTED by the timeout), the review is a ReviewClosedError; any other state
   is an ApplicationNotAwaitingReviewError (a second review, a review of an application never
   flagged, or of one whose processing failed). Either way nothing changes.
3. SendTaskSuccess with ``{"decision": ...}`` and the task token the flag step stored resumes the
   workflow; the token is then removed, so a second review has nothing to resume with.

If the function stops between 2 and 3, a retry with the same decision finds the decision recorded
and the token still there, and sends it (a token resumes a workflow at most once: Step Functions
refuses a closed one). If the workflow stopped waiting (the review period ended), the decision is
answered with ReviewClosedError and the workflow's timeout path decides the outcome.
"""

from __future__ import annotations

import json
from typing import Any

from applications.model import (
    REVIEW_TIMED_OUT_AT,
    Application,
    ApplicationError,
    InvalidRequestError,
    InvalidStateTransitionError,
    State,
    require_application_id,
    require_object,
)
from applications.repository import ApplicationRepository
from botocore.exceptions import ClientError
from lambda_support.aws_errors import error_code

DECISION_STATES = {"APPROVE": State.REVIEW_APPROVED, "REJECT": State.REVIEW_REJECTED}
TASK_TOKEN = "taskToken"

# What Step Functions answers for a token whose wait is over (timed out, or already resumed).
_CLOSED_TOKEN_ERRORS = {"TaskTimedOut", "TaskDoesNotExist", "InvalidToken"}


class InvalidDecisionError(InvalidRequestError):
    """The review's decision is not APPROVE or REJECT."""


class ApplicationNotAwaitingReviewError(ApplicationError):
    """The application is not waiting for a review (never flagged, or already reviewed)."""


class ReviewClosedError(ApplicationError):
    """The workflow no longer waits for this review: it was resumed already or its review period
    ended (then the workflow's timeout path decides the outcome)."""


def parse_decision(event: Any) -> str:
    decision = require_object(event).get("decision")
    if not isinstance(decision, str) or decision not in DECISION_STATES:
        raise InvalidDecisionError(f"'decision' must be APPROVE or REJECT, got {decision!r}")
    return str(decision)


def _closed_by_timeout(refused: InvalidStateTransitionError) -> bool:
    """Whether the application rests where the workflow's review timeout left it."""
    if refused.current == State.REVIEW_TIMED_OUT:
        return True
    return refused.current == State.REJECTED and REVIEW_TIMED_OUT_AT in refused.record


class Reviews:
    def __init__(self, repository: ApplicationRepository, states: Any) -> None:
        self._repository = repository
        self._states = states

    def review(self, event: Any) -> Application:
        decision = parse_decision(event)
        application_id = require_application_id(event)
        target = DECISION_STATES[decision]
        try:
            # From FLAGGED_FOR_REVIEW; or, for a retry whose first attempt stopped before
            # resuming the workflow, from the same decision with the token still there.
            application = self._repository.transition(
                application_id,
                {State.FLAGGED_FOR_REVIEW, target},
                target,
                require_attributes=[TASK_TOKEN],
            )
        except InvalidStateTransitionError as error:
            if _closed_by_timeout(error):
                raise ReviewClosedError(
                    f"the review period of {application_id} ended without a decision "
                    f"(it is {error.current})"
                ) from None
            raise ApplicationNotAwaitingReviewError(
                f"application {application_id} is not awaiting review (it is {error.current})"
            ) from None
        if application.task_token is None:  # the write requires it; this narrows the type
            raise ApplicationNotAwaitingReviewError(f"application {application_id} has no token")
        try:
            self._states.send_task_success(
                taskToken=application.task_token, output=json.dumps({"decision": decision})
            )
        except ClientError as error:
            if error_code(error) not in _CLOSED_TOKEN_ERRORS:
                raise
            self._forget_token(application_id, target)
            raise ReviewClosedError(
                f"the workflow of {application_id} no longer waits for a review "
                f"({error_code(error)}): it was resumed already or its review period ended"
            ) from None
        return self._forget_token(application_id, target) or application

    def _forget_token(self, application_id: str, state: State) -> Application | None:
        """Remove the used token, unless the workflow's timeout moved the application on."""
        try:
            return self._repository.transition(
                application_id, {state}, state, remove_attributes=[TASK_TOKEN]
            )
        except InvalidStateTransitionError:
            return None
