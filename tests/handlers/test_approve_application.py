"""Approve (seed 003's ApproveApplication) against DynamoDB in moto."""

import pytest
from applications.model import (
    ApplicationNotFoundError,
    InvalidRequestError,
    InvalidStateTransitionError,
    State,
)
from approve_application import app

from tests.handlers.applications_support import (
    new_id,
    put_application,
    stored,
    table_for,
)


@pytest.fixture
def table(aws, monkeypatch):
    return table_for(monkeypatch, app)


@pytest.mark.parametrize(
    "state",
    [State.SUBMITTED, State.REVIEW_APPROVED, State.APPROVED],
    ids=["clean checks", "approving review", "retried step"],
)
def test_given_an_approvable_application_when_approved_then_it_is_approved(
    table, lambda_context, state
):
    application_id = put_application(table, state, taskToken="used-token")

    result = app.handler({"id": application_id}, lambda_context)

    assert result["state"] == "APPROVED"
    item = stored(table, application_id)
    assert item["state"] == "APPROVED"
    assert "taskToken" not in item


@pytest.mark.parametrize(
    "state",
    [
        State.FLAGGED_FOR_REVIEW,
        State.FLAGGED_WITH_UNPROCESSABLE_DATA,
        State.REVIEW_REJECTED,
        State.REVIEW_TIMED_OUT,
        State.REJECTED,
    ],
)
def test_given_any_other_state_when_approved_then_refused_and_nothing_changes(
    table, lambda_context, state
):
    application_id = put_application(table, state)

    with pytest.raises(InvalidStateTransitionError, match=f"is {state.value}"):
        app.handler({"id": application_id}, lambda_context)

    assert stored(table, application_id)["state"] == state.value


def test_given_no_such_application_then_not_found(table, lambda_context):
    with pytest.raises(ApplicationNotFoundError):
        app.handler({"id": new_id()}, lambda_context)

    assert table.scan()["Items"] == []


def test_given_no_application_id_then_invalid_request(table, lambda_context):
    with pytest.raises(InvalidRequestError):
        app.handler({"application": "x"}, lambda_context)
