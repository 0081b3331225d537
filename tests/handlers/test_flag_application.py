"""Flag (seed 003's FlagApplication) against DynamoDB in moto: the workflow's review,
unprocessable-data and review-timeout flags."""

import json

import pytest
from applications.model import ApplicationNotFoundError, InvalidStateTransitionError, State
from flag_application import app
from flag_application.flags import REVIEW_TIMED_OUT_REASON, InvalidFlagError

from tests.handlers.applications_support import (
    new_id,
    put_application,
    stored,
    table_for,
)

# What Step Functions puts in ResultPath when "Check Applicant Data" catches the Lambda error.
UNPROCESSABLE_ERROR_INFO = {
    "Error": "UnprocessableDataException",
    "Cause": json.dumps(
        {
            "errorMessage": "Simulated error: Name 'UNPROCESSABLE_DATA' is not possible to check.",
            "errorType": "UnprocessableDataException",
            "requestId": "8f0c5c4e",
            "stackTrace": ['  File "/var/task/data_checking/app.py", line 17, in handler\n'],
        }
    ),
}


@pytest.fixture
def table(aws, monkeypatch):
    return table_for(monkeypatch, app)


def review_flag(application_id, token="token-1", checks=None):
    return {
        "id": application_id,
        "flagType": "REVIEW",
        "taskToken": token,
        "checks": checks if checks is not None else [{"flagged": False}, {"flagged": True}],
    }


def test_given_a_submitted_application_when_flagged_for_review_then_the_token_is_stored(
    table, lambda_context
):
    application_id = put_application(table, State.SUBMITTED)

    result = app.handler(review_flag(application_id), lambda_context)

    item = stored(table, application_id)
    assert item["state"] == "FLAGGED_FOR_REVIEW"
    assert item["taskToken"] == "token-1"
    assert item["reason"] == "address check flagged"
    assert result["state"] == "FLAGGED_FOR_REVIEW" and "taskToken" not in result


def test_the_review_reason_names_every_check_that_flagged(table, lambda_context):
    application_id = put_application(table, State.SUBMITTED)

    app.handler(
        review_flag(application_id, checks=[{"flagged": True}, {"flagged": True}]), lambda_context
    )

    assert stored(table, application_id)["reason"] == "name check flagged; address check flagged"


def test_given_a_retried_review_flag_then_the_newer_token_replaces_the_older(table, lambda_context):
    application_id = put_application(table, State.SUBMITTED)
    app.handler(review_flag(application_id, token="token-1"), lambda_context)

    app.handler(review_flag(application_id, token="token-2"), lambda_context)

    item = stored(table, application_id)
    assert (item["state"], item["taskToken"]) == ("FLAGGED_FOR_REVIEW", "token-2")


def test_given_unprocessable_data_then_the_reason_is_the_error_message_inside_the_cause(
    table, lambda_context
):
    application_id = put_application(table, State.SUBMITTED)

    result = app.handler(
        {
            "id": application_id,
            "flagType": "UNPROCESSABLE_DATA",
            "errorInfo": UNPROCESSABLE_ERROR_INFO,
        },
        lambda_context,
    )

    item = stored(table, application_id)
    assert item["state"] == "FLAGGED_WITH_UNPROCESSABLE_DATA"
    assert item["reason"] == "Simulated error: Name 'UNPROCESSABLE_DATA' is not possible to check."
    assert result["reason"] == item["reason"]


def test_given_a_cause_that_is_not_json_then_the_reason_is_the_cause_itself(table, lambda_context):
    application_id = put_application(table, State.SUBMITTED)

    app.handler(
        {
            "id": application_id,
            "flagType": "UNPROCESSABLE_DATA",
            "errorInfo": {"Error": "UnprocessableDataException", "Cause": "plain text"},
        },
        lambda_context,
    )

    assert stored(table, application_id)["reason"] == "plain text"


@pytest.mark.parametrize(
    "state", [State.FLAGGED_FOR_REVIEW, State.REVIEW_APPROVED, State.REVIEW_REJECTED]
)
def test_given_the_review_period_ended_then_the_application_is_marked_timed_out_without_token(
    table, lambda_context, state
):
    application_id = put_application(table, state, taskToken="token-1")

    app.handler({"id": application_id, "flagType": "REVIEW_TIMED_OUT"}, lambda_context)

    item = stored(table, application_id)
    assert item["state"] == "REVIEW_TIMED_OUT"
    assert item["reason"] == REVIEW_TIMED_OUT_REASON
    assert "taskToken" not in item


@pytest.mark.parametrize(
    ("state", "event"),
    [
        (State.APPROVED, {"flagType": "REVIEW", "taskToken": "late"}),
        (State.REVIEW_APPROVED, {"flagType": "REVIEW", "taskToken": "late"}),
        (
            State.FLAGGED_FOR_REVIEW,
            {"flagType": "UNPROCESSABLE_DATA", "errorInfo": UNPROCESSABLE_ERROR_INFO},
        ),
        (State.SUBMITTED, {"flagType": "REVIEW_TIMED_OUT"}),
        (State.REJECTED, {"flagType": "REVIEW_TIMED_OUT"}),
    ],
)
def test_given_an_unexpected_state_when_flagged_then_refused_and_nothing_changes(
    table, lambda_context, state, event
):
    application_id = put_application(table, state, reason="before")
    before = stored(table, application_id)

    with pytest.raises(InvalidStateTransitionError):
        app.handler({"id": application_id, **event}, lambda_context)

    assert stored(table, application_id) == before


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"flagType": "SUSPICIOUS"}, "'flagType' must be REVIEW"),
        ({}, "'flagType' must be REVIEW"),
        ({"flagType": "REVIEW"}, "needs the workflow's 'taskToken'"),
        ({"flagType": "REVIEW", "taskToken": ""}, "needs the workflow's 'taskToken'"),
        ({"flagType": "UNPROCESSABLE_DATA"}, "needs the caught error"),
        ({"flagType": "UNPROCESSABLE_DATA", "errorInfo": {"Error": "X"}}, "needs the caught error"),
    ],
)
def test_given_a_malformed_flag_then_invalid_flag_and_nothing_changes(
    table, lambda_context, event, message
):
    application_id = put_application(table, State.SUBMITTED)

    with pytest.raises(InvalidFlagError, match=message):
        app.handler({"id": application_id, **event}, lambda_context)

    assert stored(table, application_id)["state"] == "SUBMITTED"


def test_given_no_such_application_then_not_found_and_nothing_is_created(table, lambda_context):
    missing = new_id()

    with pytest.raises(ApplicationNotFoundError):
        app.handler(review_flag(missing), lambda_context)

    assert table.scan()["Items"] == []
