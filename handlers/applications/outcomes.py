"""The workflow's final steps: approve or reject an application.

Each is one conditional write. Approval follows a clean check (SUBMITTED) or an approving review;
rejection follows a rejecting review or a review that timed out. Already being in the final state
is accepted too, so a retried step changes nothing twice; any other state is an
InvalidStateTransitionError and nothing changes. A decided application keeps no task token (the
review function may not have removed it yet when the workflow moves on).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from applications.model import Application, State, require_application_id
from applications.repository import ApplicationRepository


@dataclass(frozen=True)
class Outcome:
    sources: frozenset[State]
    target: State


APPROVAL = Outcome(
    frozenset({State.SUBMITTED, State.REVIEW_APPROVED, State.APPROVED}), State.APPROVED
)
REJECTION = Outcome(
    frozenset({State.REVIEW_REJECTED, State.REVIEW_TIMED_OUT, State.REJECTED}), State.REJECTED
)


def conclude(repository: ApplicationRepository, event: Any, outcome: Outcome) -> Application:
    """Apply ``outcome`` to the application named by the event's ``id``."""
    return repository.transition(
        require_application_id(event),
        outcome.sources,
        outcome.target,
        remove_attributes=["taskToken"],
    )
