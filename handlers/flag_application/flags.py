"""Flag an application from the workflow: for a human review (storing the callback's task token),
as unprocessable (with the reason from the caught error), or as not reviewed in time.

Each flag is one conditional write from the states it may follow, so a retried invocation of the
same step changes nothing twice (re-flagging for review only replaces the token with the newer
one) and a late or stray invocation cannot move an application backwards.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from applications.model import (
    REVIEW_TIMED_OUT_AT,
    Application,
    InvalidRequestError,
    State,
    require_application_id,
    require_object,
)
from applications.repository import ApplicationRepository

REVIEW = "REVIEW"
UNPROCESSABLE_DATA = "UNPROCESSABLE_DATA"
REVIEW_TIMED_OUT = "REVIEW_TIMED_OUT"

# The order of the workflow's parallel checks ("Check Applicant Data" branches).
CHECK_NAMES = ("name", "address")

REVIEW_TIMED_OUT_REASON = "no review decision arrived within the review period"


class InvalidFlagError(InvalidRequestError):
    """The flag request names no known flag type or lacks what that type needs."""


@dataclass(frozen=True)
class Flag:
    sources: frozenset[State]
    target: State
    set_attributes: dict[str, str]
    remove_attributes: tuple[str, ...] = ()
    stamp_attributes: tuple[str, ...] = ()
    """Attributes set to the time of the flag."""


def review_reason(checks: Any) -> str | None:
    """Which of the parallel checks flagged the application, e.g. ``address check flagged``."""
    if not isinstance(checks, list):
        return None
    flagged = [
        f"{CHECK_NAMES[number] if number < len(CHECK_NAMES) else number} check flagged"
        for number, check in enumerate(checks)
        if isinstance(check, dict) and check.get("flagged") is True
    ]
    return "; ".join(flagged) or None


def unprocessable_reason(error_info: Any) -> str:
    """The ``errorMessage`` inside the caught error's ``Cause`` JSON (the workshop's reason)."""
    if not isinstance(error_info, dict) or not isinstance(error_info.get("Cause"), str):
        raise InvalidFlagError("an UNPROCESSABLE_DATA flag needs the caught error as 'errorInfo'")
    cause = error_info["Cause"]
    try:
        parsed = json.loads(cause)
    except json.JSONDecodeError:
        return cause
    if isinstance(parsed, dict) and isinstance(parsed.get("errorMessage"), str):
        return parsed["errorMessage"]
    return cause


def parse_flag(event: Any) -> Flag:
    request = require_object(event)
    flag_type = request.get("flagType")
    if flag_type == REVIEW:
        token = request.get("taskToken")
        if not isinstance(token, str) or not token:
            raise InvalidFlagError("a REVIEW flag needs the workflow's 'taskToken'")
        attributes = {"taskToken": token}
        reason = review_reason(request.get("checks"))
        if reason:
            attributes["reason"] = reason
        return Flag(
            frozenset({State.SUBMITTED, State.FLAGGED_FOR_REVIEW}),
            State.FLAGGED_FOR_REVIEW,
            attributes,
        )
    if flag_type == UNPROCESSABLE_DATA:
        return Flag(
            frozenset({State.SUBMITTED, State.FLAGGED_WITH_UNPROCESSABLE_DATA}),
            State.FLAGGED_WITH_UNPROCESSABLE_DATA,
            {"reason": unprocessable_reason(request.get("errorInfo"))},
        )
    if flag_type == REVIEW_TIMED_OUT:
        # A review recorded too late for the workflow (its callback found the wait closed)
        # is overruled too: the workflow's timeout is the outcome.
        return Flag(
            frozenset(
                {
                    State.FLAGGED_FOR_REVIEW,
                    State.REVIEW_APPROVED,
                    State.REVIEW_REJECTED,
                    State.REVIEW_TIMED_OUT,
                }
            ),
            State.REVIEW_TIMED_OUT,
            {"reason": REVIEW_TIMED_OUT_REASON},
            remove_attributes=("taskToken",),
            stamp_attributes=(REVIEW_TIMED_OUT_AT,),
        )
    raise InvalidFlagError(
        f"'flagType' must be {REVIEW}, {UNPROCESSABLE_DATA} or {REVIEW_TIMED_OUT}, "
        f"got {flag_type!r}"
    )


def flag_application(repository: ApplicationRepository, event: Any) -> Application:
    flag = parse_flag(event)
    return repository.transition(
        require_application_id(event),
        flag.sources,
        flag.target,
        set_attributes=flag.set_attributes,
        remove_attributes=flag.remove_attributes,
        stamp_attributes=flag.stamp_attributes,
    )
