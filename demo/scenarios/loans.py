"""Loans (seed 000): identity check -> EventBridge -> credit reference -> output queue, all by
Lambda destinations on asynchronous invokes."""

from __future__ import annotations

from typing import Any

from demo.scenario import Outcome, Scenario
from demo.systems.loans import Loans
from localcloud import LocalCloud

SYSTEM = "Loans (seed 000): Lambda destinations -> EventBridge -> Lambda -> SQS"
APPLICANT = {"firstName": "Trevor", "lastName": "Potter", "postcode": "PO1 1AA"}
RATINGS = {"Good", "Bad", "Poor"}


def _checked(state: dict[str, Any]) -> bool:
    identity = state.get("identityCheck") or {}
    return isinstance(identity.get("electoralRole"), bool) and isinstance(
        identity.get("bankAccount"), bool
    )


def an_application_is_checked_and_referenced(cloud: LocalCloud, outcome: Outcome) -> None:
    loans = Loans(cloud)
    failures = loans.queued(loans.failure_queue_url)
    outcome.expect("the asynchronous invoke is accepted", loans.apply({"input": APPLICANT}), 202)
    records = loans.records(loans.output_queue_url, 1)
    outcome.expect("one record reaches the output queue", len(records), 1)
    if not records:
        return
    record = records[0]
    state = record["responsePayload"]
    outcome.expect(
        "it is the credit reference's success",
        (record["requestContext"]["condition"], record["requestContext"]["approximateInvokeCount"]),
        ("Success", 1),
    )
    outcome.expect("the state keeps the application", state["input"], APPLICANT)
    outcome.expect("the identity was checked", _checked(state), True)
    outcome.expect(
        "a credit rating was added",
        state["creditReference"]["creditReferenceRating"] in RATINGS,
        True,
    )
    outcome.expect(
        "the credit reference got exactly the identity check's state",
        {k: v for k, v in record["requestPayload"].items() if k != "creditReference"},
        {k: v for k, v in state.items() if k != "creditReference"},
    )
    outcome.expect("a correlation id was given", bool(state.get("correlationId")), True)
    outcome.expect("nothing failed", loans.queued(loans.failure_queue_url), failures)


def a_finished_state_calls_no_api(cloud: LocalCloud, outcome: Outcome) -> None:
    loans = Loans(cloud)
    finished = {
        "input": APPLICANT,
        "correlationId": "demo-finished",
        "identityCheck": {"electoralRole": True, "bankAccount": True},
        "creditReference": {"creditReferenceRating": "Good"},
    }
    calls = loans.api_calls()
    loans.apply(finished)
    (record,) = loans.records(loans.output_queue_url, 1) or [{}]
    outcome.expect("the state comes out unchanged", record.get("responsePayload"), finished)
    outcome.expect("no API was called", loans.api_calls(), calls)


def a_synchronous_invoke_stops_after_the_identity_check(
    cloud: LocalCloud, outcome: Outcome
) -> None:
    loans = Loans(cloud)
    cloud.drain()
    outputs = loans.queued(loans.output_queue_url)
    errored, state = loans.check_identity_now({"input": APPLICANT})
    outcome.expect(
        "it answers the identity step's state", (errored, _checked(state)), (False, True)
    )
    outcome.expect("without a credit reference", "creditReference" in state, False)
    outcome.expect(
        "nothing reaches the output queue", loans.queued(loans.output_queue_url), outputs
    )


def an_invalid_application_is_refused_by_name(cloud: LocalCloud, outcome: Outcome) -> None:
    loans = Loans(cloud)
    calls = loans.api_calls()
    errored, error = loans.check_identity_now({"input": {**APPLICANT, "postcode": ""}})
    outcome.expect(
        "an empty postcode is InvalidLoanRequestError",
        (errored, error.get("errorType")),
        (True, "InvalidLoanRequestError"),
    )
    outcome.expect("no API was called", loans.api_calls(), calls)


def failing_apis_send_the_application_to_the_failure_queue(
    cloud: LocalCloud, outcome: Outcome
) -> None:
    loans = Loans(cloud)
    outputs = loans.queued(loans.output_queue_url)
    loans.set_api_error_percent(100)
    try:
        loans.apply({"input": APPLICANT, "correlationId": "demo-failing"})
        records = loans.records(loans.failure_queue_url, 1, timeout=60)
    finally:
        loans.set_api_error_percent(0)
    outcome.expect("one record reaches the failure queue", len(records), 1)
    if not records:
        return
    record = records[0]
    outcome.expect(
        "after the first try and 2 retries",
        (record["requestContext"]["condition"], record["requestContext"]["approximateInvokeCount"]),
        ("RetriesExhausted", 3),
    )
    outcome.expect(
        "it names the error", record["responsePayload"].get("errorType"), "IdentityCheckError"
    )
    outcome.expect(
        "and keeps the application",
        record["requestPayload"],
        {"input": APPLICANT, "correlationId": "demo-failing"},
    )
    outcome.expect(
        "nothing reaches the output queue", loans.queued(loans.output_queue_url), outputs
    )


SCENARIOS = [
    Scenario(
        SYSTEM,
        "an application is checked and referenced: one record on the output queue",
        an_application_is_checked_and_referenced,
    ),
    Scenario(SYSTEM, "re-sending a finished state calls no API", a_finished_state_calls_no_api),
    Scenario(
        SYSTEM,
        "a synchronous invoke answers the identity check and goes no further",
        a_synchronous_invoke_stops_after_the_identity_check,
    ),
    Scenario(
        SYSTEM,
        "an invalid application is refused by name",
        an_invalid_application_is_refused_by_name,
    ),
    Scenario(
        SYSTEM,
        "with the APIs failing, one record on the failure queue after the retries",
        failing_apis_send_the_application_to_the_failure_queue,
    ),
]
