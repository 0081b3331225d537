"""The loan processor (seed 000) end to end, beyond its demo scenarios (tests/e2e/test_demo.py):
asynchronous invokes through the AWS endpoint with boto3, the chain of destinations and the
EventBridge rule, the proxies' signed calls to the mock APIs through the front door, on a clock
the tests move."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from botocore.config import Config

from demo.systems.loans import Loans
from localcloud import LocalCloud, deploy
from localcloud.clock import Clock

APPLICANTS = 50
APPLICANT = {"firstName": "Ada", "lastName": "Lovelace", "postcode": "W1 1AA"}


@pytest.fixture(scope="module")
def cloud() -> Iterator[LocalCloud]:
    """The dev stack on a manual clock: a retry waits until the test moves time. The mock APIs
    answer at once (their delay is the handlers' tests' to show), so fifty applications do not
    wait on a hundred sleeps."""
    with deploy("dev", config={"loanApiMinDelayMs": 0}, clock=Clock("manual")) as deployed:
        yield deployed


@pytest.fixture(scope="module")
def loans(cloud: LocalCloud) -> Loans:
    return Loans(cloud)


@pytest.fixture
def endpoint_lambda(cloud: LocalCloud) -> Any:
    """A Lambda client of a separate program: through the AWS endpoint, signed."""
    return boto3.session.Session(
        aws_access_key_id=cloud.credentials.access_key_id,
        aws_secret_access_key=cloud.credentials.secret_access_key,
        region_name=cloud.region,
    ).client(
        "lambda",
        endpoint_url=cloud.endpoint_url,
        config=Config(max_pool_connections=APPLICANTS, retries={"total_max_attempts": 1}),
    )


def _invocations(cloud: LocalCloud, function: str) -> list[bool]:
    """Whether each invocation of ``function`` so far errored, in order."""
    return [errored for name, errored in cloud.runtime.invocations if name == function]


def _until(condition: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition never held")
        time.sleep(0.01)


# -- what callers see -----------------------------------------------------------------------


def test_an_application_invoked_asynchronously_gives_one_success_record(
    cloud, loans, endpoint_lambda
):
    answer = endpoint_lambda.invoke(
        FunctionName=loans.input_function,
        InvocationType="Event",
        Payload=json.dumps({"input": APPLICANT, "correlationId": "caller-1"}),
    )

    assert answer["StatusCode"] == 202
    (record,) = loans.records(loans.output_queue_url, 1)
    assert set(record) == {
        "version",
        "timestamp",
        "requestContext",
        "requestPayload",
        "responseContext",
        "responsePayload",
    }
    assert record["version"] == "1.0"
    context = record["requestContext"]
    assert (context["condition"], context["approximateInvokeCount"]) == ("Success", 1)
    assert context["functionArn"].endswith(":$LATEST")
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    state = record["responsePayload"]
    assert set(state) == {"input", "correlationId", "identityCheck", "creditReference"}
    assert (state["input"], state["correlationId"]) == (APPLICANT, "caller-1")
    assert set(state["identityCheck"]) == {"electoralRole", "bankAccount"}
    assert state["creditReference"]["creditReferenceRating"] in {"Good", "Bad", "Poor"}
    # The credit reference ran on exactly the state the identity check returned.
    assert record["requestPayload"] == {k: v for k, v in state.items() if k != "creditReference"}
    assert loans.queued(loans.failure_queue_url) == 0


def test_a_missing_correlation_id_is_given_once_at_the_first_step(loans):
    loans.apply({"input": APPLICANT})

    (record,) = loans.records(loans.output_queue_url, 1)
    given = record["responsePayload"]["correlationId"]
    assert given and record["requestPayload"]["correlationId"] == given


def test_with_every_api_call_failing_one_failure_record_after_the_retries(cloud, loans):
    loans.set_api_error_percent(100)
    identity = loans.input_function
    try:
        loans.apply({"input": APPLICANT, "correlationId": "always-failing"})
        # The first try, then a retry a minute later, then one two minutes after that.
        _until(lambda: _invocations(cloud, identity)[-1:] == [True])
        for minutes in (1, 2):
            cloud.settle()  # the failed try's retry is scheduled before time moves
            tries = len(_invocations(cloud, identity))
            cloud.clock.advance(60 * minutes)
            _until(lambda tries=tries: len(_invocations(cloud, identity)) == tries + 1)
        (record,) = loans.records(loans.failure_queue_url, 1)
    finally:
        loans.set_api_error_percent(0)

    context = record["requestContext"]
    assert (context["condition"], context["approximateInvokeCount"]) == ("RetriesExhausted", 3)
    assert record["requestPayload"] == {"input": APPLICANT, "correlationId": "always-failing"}
    assert record["responsePayload"]["errorType"] == "IdentityCheckError"
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert loans.queued(loans.output_queue_url) == 0


def test_an_api_failing_twice_then_answering_is_recovered_by_the_retries(cloud, loans):
    identity = loans.input_function
    loans.set_api_error_percent(100)
    try:
        loans.apply({"input": APPLICANT, "correlationId": "recovers"})
        _until(lambda: _invocations(cloud, identity)[-1:] == [True])
        cloud.settle()  # the failed try's retry is scheduled before time moves
        tries = len(_invocations(cloud, identity))
        cloud.clock.advance(60)
        _until(lambda: len(_invocations(cloud, identity)) == tries + 1)
        cloud.settle()
    finally:
        loans.set_api_error_percent(0)
    cloud.clock.advance(120)  # the second retry, with the API answering again

    (record,) = loans.records(loans.output_queue_url, 1)
    assert record["responsePayload"]["correlationId"] == "recovers"
    assert _invocations(cloud, identity)[-3:] == [True, True, False]
    assert loans.queued(loans.failure_queue_url) == 0


def test_a_synchronous_invoke_answers_the_identity_step_and_nothing_is_queued(loans):
    errored, state = loans.check_identity_now({"input": APPLICANT, "correlationId": "sync"})

    assert not errored
    assert set(state) == {"input", "correlationId", "identityCheck"}
    assert loans.queued(loans.output_queue_url) == 0
    assert loans.queued(loans.failure_queue_url) == 0


def test_re_sending_a_finished_state_calls_no_api_and_returns_it_unchanged(loans):
    loans.apply({"input": APPLICANT, "correlationId": "resend"})
    (first,) = loans.records(loans.output_queue_url, 1)
    calls = loans.api_calls()

    loans.apply(first["responsePayload"])

    (second,) = loans.records(loans.output_queue_url, 1)
    assert second["responsePayload"] == first["responsePayload"]
    assert loans.api_calls() == calls


@pytest.mark.parametrize(
    "state",
    [
        {},
        {"input": {**APPLICANT, "firstName": ""}},
        {"input": {**APPLICANT, "lastName": "x" * 101}},
        {"input": {"firstName": "Ada", "lastName": "Lovelace"}},
        {"input": {**APPLICANT, "postcode": 1234}},
        ["not", "a", "state"],
    ],
)
def test_an_invalid_application_is_refused_by_name_and_calls_no_api(loans, state):
    calls = loans.api_calls()

    errored, error = loans.check_identity_now(state)

    assert (errored, error["errorType"]) == (True, "InvalidLoanRequestError")
    assert loans.api_calls() == calls


def test_fifty_concurrent_applications_give_fifty_records_with_distinct_correlation_ids(
    loans, endpoint_lambda
):
    def apply(number: int) -> int:
        state = {"input": {**APPLICANT, "firstName": f"Applicant {number}"}}
        response = endpoint_lambda.invoke(
            FunctionName=loans.input_function, InvocationType="Event", Payload=json.dumps(state)
        )
        return int(response["StatusCode"])

    with ThreadPoolExecutor(max_workers=APPLICANTS) as pool:
        statuses = list(pool.map(apply, range(APPLICANTS)))

    assert statuses == [202] * APPLICANTS
    records = loans.records(loans.output_queue_url, APPLICANTS, timeout=120)
    assert len(records) == APPLICANTS
    states = [record["responsePayload"] for record in records]
    assert len({state["correlationId"] for state in states}) == APPLICANTS
    assert sorted(state["input"]["firstName"] for state in states) == sorted(
        f"Applicant {number}" for number in range(APPLICANTS)
    )
    assert loans.queued(loans.failure_queue_url) == 0
