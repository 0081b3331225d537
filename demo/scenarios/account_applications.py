"""Account applications (seed 003): submit -> parallel checks -> approved, or held for a review."""

from __future__ import annotations

from typing import Any

from demo.scenario import Outcome, Scenario
from demo.systems.account_applications import Applications
from localcloud import LocalCloud

SYSTEM = (
    "Account applications (seed 003): Lambda -> Step Functions (Parallel, callback) -> DynamoDB"
)

CLEAN = {"name": "Spock", "address": "123 Enterprise Street"}
FLAGGED_NAME = {"name": "evil Spock", "address": "123 Enterprise Street"}
FLAGGED_ADDRESS = {"name": "Spock", "address": "Enterprise Street"}  # no house number
UNPROCESSABLE = {"name": "Spock UNPROCESSABLE_DATA", "address": "123 Enterprise Street"}


def _submitted(applications: Applications, request: dict[str, str], outcome: Outcome) -> str:
    errored, application = applications.submit(request)
    outcome.expect(
        "submit stores the application as SUBMITTED",
        (errored, application.get("state")),
        (False, "SUBMITTED"),
    )
    outcome.executions.append(applications.execution_arn(application["id"]))
    return str(application["id"])


def _no_task_token_left(record: dict[str, Any], outcome: Outcome) -> None:
    outcome.expect("no task token is left in the record", "taskToken" in record, False)


def approve_a_clean_application(cloud: LocalCloud, outcome: Outcome) -> None:
    applications = Applications(cloud)
    application_id = _submitted(applications, CLEAN, outcome)
    final = applications.finished(application_id)
    outcome.expect("the execution succeeds", final["status"], "SUCCEEDED")
    outcome.expect(
        "no review was needed",
        applications.path(application_id)[-2:],
        ["Review Required?", "Approve Application"],
    )
    record = applications.record(application_id) or {}
    outcome.expect(
        "the application is APPROVED, with no reason",
        (record.get("state"), record.get("reason")),
        ("APPROVED", None),
    )
    _no_task_token_left(record, outcome)


def _reviewed(
    cloud: LocalCloud, outcome: Outcome, request: dict[str, str], reason: str, decision: str
) -> None:
    """Submit ``request``, see it wait for review because of ``reason``, give ``decision`` and see
    the application end as decided, the reason kept."""
    applications = Applications(cloud)
    application_id = _submitted(applications, request, outcome)
    record = applications.await_review(application_id)
    outcome.expect(
        "it waits in Pending Review, FLAGGED_FOR_REVIEW with the reason",
        (record["state"], record.get("reason")),
        ("FLAGGED_FOR_REVIEW", reason),
    )
    errored, reviewed = applications.review(application_id, decision)
    decided = {"APPROVE": "APPROVED", "REJECT": "REJECTED"}[decision]
    outcome.expect(
        f"the {decision} review is recorded",
        (errored, reviewed.get("state")),
        (False, f"REVIEW_{decided}"),
    )
    outcome.expect(
        "the execution succeeds", applications.finished(application_id)["status"], "SUCCEEDED"
    )
    outcome.expect(
        "the decision resumed the workflow",
        applications.path(application_id)[-3:],
        ["Pending Review", "Review Approved?", f"{decision.title()} Application"],
    )
    final = applications.record(application_id) or {}
    outcome.expect(
        f"the application is {decided}, the reason kept",
        (final.get("state"), final.get("reason")),
        (decided, reason),
    )
    _no_task_token_left(final, outcome)


def approve_after_review(cloud: LocalCloud, outcome: Outcome) -> None:
    _reviewed(cloud, outcome, FLAGGED_NAME, "name check flagged", "APPROVE")


def reject_after_review(cloud: LocalCloud, outcome: Outcome) -> None:
    _reviewed(cloud, outcome, FLAGGED_ADDRESS, "address check flagged", "REJECT")


def flag_unprocessable_data(cloud: LocalCloud, outcome: Outcome) -> None:
    applications = Applications(cloud)
    application_id = _submitted(applications, UNPROCESSABLE, outcome)
    final = applications.finished(application_id)
    outcome.expect("the execution succeeds (the error was caught)", final["status"], "SUCCEEDED")
    path = applications.path(application_id)
    outcome.expect(
        "it ended flagging the application, without a review decision",
        (path[-1], "Review Required?" in path),
        ("Flag Application As Unprocessable", False),
    )
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
