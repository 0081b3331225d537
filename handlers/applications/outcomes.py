"""The workflow's final steps: approve or reject an application.

Each is one conditional write. Approval follows a clean check (SUBMITTED) or an approving review;
rejection follows a rejecting review or a review that timed out. Already being in the final state
is accepted too, so a retried step changes nothing twice; any other state is an
InvalidStateTransitionError and nothing changes. A decided application keeps no task token (the
review function may not have removed it yet when the workflow moves on).

The approve and reject functions differ only in their Outcome, so each one's entry point is an
``OutcomeHandler``: ``handler = OutcomeHandler(APPROVAL)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger
from lambda_support.lazy import Lazy

from applications.model import Application, State, require_application_id
from applications.repository import ApplicationRepository

logger = Logger()


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


class OutcomeHandler:
    """The Lambda entry point of a final step: ``{"id"}`` in, the application as it now is out.

    The table adapter is built on first use, so importing needs no environment; tests replace
    ``repository``.
    """

    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome
        self.repository: Lazy[ApplicationRepository] = Lazy(ApplicationRepository.from_environment)
        self._handle = logger.inject_lambda_context(self._conclude)

    def __call__(self, event: Any, context: Any) -> dict[str, Any]:
        return self._handle(event, context)

    def _conclude(self, event: Any, context: Any) -> dict[str, Any]:
        application = conclude(self.repository.get(), event, self.outcome)
        logger.info(
            f"application {self.outcome.target.lower()}", extra={"application_id": application.id}
        )
        return application.public()
