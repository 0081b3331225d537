"""Reject (seed 003's RejectApplication) against DynamoDB in moto."""

import pytest
from applications.model import ApplicationNotFoundError, InvalidStateTransitionError, State
from reject_application import app

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
    [State.REVIEW_REJECTED, State.REVIEW_TIMED_OUT, State.REJECTED],
    ids=["rejecting review", "review timed out", "retried step"],
)
def test_given_a_rejectable_application_when_rejected_then_it_is_rejected(
    table, lambda_context, state
):
    application_id = put_application(table, state, reason="kept", taskToken="used-token")

    result = app.handler({"id": application_id}, lambda_context)

    assert result["state"] == "REJECTED"
    item = stored(table, application_id)
    assert item["state"] == "REJECTED"
    assert item["reason"] == "kept"  # a timed-out review keeps saying why
    assert "taskToken" not in item


@pytest.mark.parametrize(
    "state",
    [
        State.SUBMITTED,
        State.FLAGGED_FOR_REVIEW,
        State.FLAGGED_WITH_UNPROCESSABLE_DATA,
        State.REVIEW_APPROVED,
        State.APPROVED,
    ],
)
def test_given_any_other_state_when_rejected_then_refused_and_nothing_changes(
    table, lambda_context, state
):
    application_id = put_application(table, state)

    with pytest.raises(InvalidStateTransitionError, match=f"is {state.value}"):
        app.handler({"id": application_id}, lambda_context)

    assert stored(table, application_id)["state"] == state.value


def test_given_no_such_application_then_not_found(table, lambda_context):
    with pytest.raises(ApplicationNotFoundError):
        app.handler({"id": new_id()}, lambda_context)
