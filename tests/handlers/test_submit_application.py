"""Submit (seed 003's SubmitApplication) against DynamoDB and Step Functions in moto."""

import json
import uuid
from unittest import mock

import pytest
from applications.repository import SubmissionConflictError
from botocore.exceptions import ClientError, EndpointConnectionError
from lambda_support.lazy import Lazy
from submit_application import app
from submit_application.submission import (
    InvalidApplicationError,
    SubmissionFailedError,
    Submissions,
    application_id,
)

from tests.conftest import REGION
from tests.handlers.applications_support import (
    client,
    create_applications_table,
    create_state_machine,
    executions,
    repository,
    stored,
)

SPOCK = {"name": "Spock", "address": "123 Enterprise Street"}


class Submit:
    """The applications table, a state machine, and the submit function wired to both."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch
        self.table = create_applications_table()
        self.machine = create_state_machine("account-applications")
        self.use(self.machine)

    def use(self, machine_arn, states=None):
        states = states or client("stepfunctions")
        self.monkeypatch.setattr(
            app,
            "SUBMISSIONS",
            Lazy(lambda: Submissions(repository(self.table), states, machine_arn)),
        )

    def use_failing(self, operation, error, **more_failures):
        """Step Functions whose ``operation`` (and ``more_failures``) raise; the rest is real."""
        states = mock.Mock(wraps=client("stepfunctions"))
        for name, raised in {operation: error, **more_failures}.items():
            getattr(states, name).side_effect = raised
        self.use(self.machine, states)

    def records(self):
        return self.table.scan()["Items"]

    def executions(self):
        return executions(self.machine)


@pytest.fixture
def submit(aws, monkeypatch):
    return Submit(monkeypatch)


def throttled(operation):
    return ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow"}}, operation)


def test_given_an_application_when_submitted_then_one_record_and_one_execution_named_after_it(
    submit, lambda_context
):

    result = app.handler({**SPOCK, "idempotencyKey": "form-1"}, lambda_context)

    prefix, _, suffix = result["id"].partition("_")
    assert prefix == "application" and uuid.UUID(suffix).version == 4
    assert result["state"] == "SUBMITTED" and "taskToken" not in result
    item = stored(submit.table, result["id"])
    assert (item["name"], item["address"], item["state"]) == (*SPOCK.values(), "SUBMITTED")
    [execution] = submit.executions()
    assert execution["name"] == result["id"]
    described = client("stepfunctions").describe_execution(executionArn=execution["executionArn"])
    assert json.loads(described["input"]) == {"application": {"id": result["id"], **SPOCK}}


def test_given_text_beyond_ascii_when_submitted_then_it_is_stored_as_sent(submit, lambda_context):
    request = {"name": "Spøck 🖖", "address": "1 Brücke Straße", "idempotencyKey": "ключ-1"}

    result = app.handler(request, lambda_context)

    item = stored(submit.table, result["id"])
    assert (item["name"], item["address"]) == ("Spøck 🖖", "1 Brücke Straße")
    assert len(submit.executions()) == 1


def test_given_the_same_idempotency_key_when_submitted_again_then_nothing_more_is_created(
    submit, lambda_context
):

    first = app.handler({**SPOCK, "idempotencyKey": "form-1"}, lambda_context)
    second = app.handler({**SPOCK, "idempotencyKey": "form-1"}, lambda_context)

    assert second["id"] == first["id"]
    assert len(submit.records()) == 1
    assert len(submit.executions()) == 1


def test_given_no_key_then_a_lambda_retry_of_the_same_request_is_one_application(
    submit, lambda_context
):

    first = app.handler(dict(SPOCK), lambda_context)
    retried = app.handler(dict(SPOCK), lambda_context)  # Lambda keeps the request id on retries

    assert retried["id"] == first["id"]
    assert len(submit.executions()) == 1


def test_given_two_different_requests_then_two_applications(submit, lambda_context):

    first = app.handler({**SPOCK, "idempotencyKey": "form-1"}, lambda_context)
    second = app.handler({**SPOCK, "idempotencyKey": "form-2"}, lambda_context)

    assert first["id"] != second["id"]
    assert len(submit.records()) == 2
    assert {e["name"] for e in submit.executions()} == {first["id"], second["id"]}


def test_given_a_key_reused_for_other_data_then_conflict_and_nothing_more_is_created(
    submit, lambda_context
):
    first = app.handler({**SPOCK, "idempotencyKey": "form-1"}, lambda_context)

    with pytest.raises(SubmissionConflictError):
        app.handler(
            {"name": "Kirk", "address": "1 Bridge", "idempotencyKey": "form-1"}, lambda_context
        )

    assert stored(submit.table, first["id"])["name"] == "Spock"
    assert len(submit.records()) == 1
    assert len(submit.executions()) == 1


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"address": "1 Bridge"}, "'name' is required"),
        ({"name": "", "address": "1 Bridge"}, "'name' .* 200 characters, not empty"),
        ({"name": "   ", "address": "1 Bridge"}, "'name' .* 200 characters, not empty"),
        ({"name": 7, "address": "1 Bridge"}, "'name' .* 200 characters, got int"),
        ({"name": "x" * 201, "address": "1 Bridge"}, "'name' .* 200 characters, got 201"),
        ({"name": "Spock"}, "'address' is required"),
        ({"name": "Spock", "address": ""}, "'address' .* 500 characters, not empty"),
        ({"name": "Spock", "address": ["1 Bridge"]}, "'address' .* 500 characters, got list"),
        ({"name": "Spock", "address": "x" * 501}, "'address' .* 500 characters, got 501"),
        ({**SPOCK, "idempotencyKey": ""}, "'idempotencyKey' .* 128 characters, not empty"),
        ({**SPOCK, "idempotencyKey": "k" * 129}, "'idempotencyKey' .* 128 characters, got 129"),
        (["Spock", "123 Enterprise Street"], "expected a JSON object"),
        # A lone surrogate (JSON "\ud800") is no text DynamoDB can store as UTF-8.
        ({"name": "\ud800", "address": "1 Bridge"}, "'name' must be valid Unicode"),
        ({"name": "Spock", "address": "1 \udfff Bridge"}, "'address' must be valid Unicode"),
        ({**SPOCK, "idempotencyKey": "key-\ud83d"}, "'idempotencyKey' must be valid Unicode"),
    ],
)
def test_given_bad_input_when_submitted_then_invalid_application_and_no_record_no_execution(
    submit, lambda_context, event, message
):

    with pytest.raises(InvalidApplicationError, match=message):
        app.handler(event, lambda_context)

    assert submit.records() == []
    assert submit.executions() == []


def test_given_the_start_fails_and_no_execution_exists_then_the_record_is_withdrawn(
    submit, lambda_context
):
    submit.use_failing("start_execution", throttled("StartExecution"))

    with pytest.raises(SubmissionFailedError, match="withdrawn"):
        app.handler({**SPOCK, "idempotencyKey": "form-1"}, lambda_context)

    assert submit.records() == []
    assert submit.executions() == []


def test_given_an_unknown_state_machine_then_the_record_is_withdrawn(submit, lambda_context):
    missing = f"arn:aws:states:{REGION}:123456789012:stateMachine:missing"
    submit.use(missing)

    with pytest.raises(SubmissionFailedError):
        app.handler(dict(SPOCK), lambda_context)

    assert submit.records() == []


def test_given_the_start_fails_but_an_earlier_attempt_started_it_then_the_submit_succeeds(
    submit, lambda_context
):
    # The first attempt started the execution, but its answer was lost.
    first = app.handler({**SPOCK, "idempotencyKey": "form-1"}, lambda_context)
    submit.use_failing("start_execution", throttled("StartExecution"))

    retried = app.handler({**SPOCK, "idempotencyKey": "form-1"}, lambda_context)

    assert retried["id"] == first["id"]
    assert stored(submit.table, first["id"])["state"] == "SUBMITTED"
    assert len(submit.executions()) == 1


def test_given_the_start_and_the_check_fail_then_the_record_stays_and_a_retry_completes_it(
    submit, lambda_context
):
    submit.use_failing(
        "start_execution",
        EndpointConnectionError(endpoint_url="https://states"),
        describe_execution=throttled("DescribeExecution"),
    )

    with pytest.raises(SubmissionFailedError, match="a retry with the same idempotency key"):
        app.handler({**SPOCK, "idempotencyKey": "form-1"}, lambda_context)
    kept = application_id("form-1")
    assert stored(submit.table, kept)["state"] == "SUBMITTED"

    submit.use(submit.machine)  # Step Functions answers again
    app.handler({**SPOCK, "idempotencyKey": "form-1"}, lambda_context)

    assert [e["name"] for e in submit.executions()] == [kept]
    assert len(submit.records()) == 1


def test_the_same_key_always_gives_the_same_uuid4_application_id():
    assert application_id("form-1") == application_id("form-1") != application_id("form-2")
    assert uuid.UUID(application_id("form-1").removeprefix("application_")).version == 4


def test_the_service_is_built_from_the_environment(submit, lambda_context):
    submit.monkeypatch.setenv("TABLE_NAME", submit.table.name)
    submit.monkeypatch.setenv("STATE_MACHINE_ARN", submit.machine)
    submit.monkeypatch.setattr(app, "SUBMISSIONS", Lazy(app._submissions))

    result = app.handler(dict(SPOCK), lambda_context)

    assert stored(submit.table, result["id"]) is not None
    assert [e["name"] for e in submit.executions()] == [result["id"]]
