"""Approve and reject (seed 003's ApproveApplication and RejectApplication), the workflow's final
steps, against DynamoDB in moto: each from exactly the states the workflow may call it in."""

from dataclasses import dataclass
from typing import Any

import pytest
from applications.model import (
    ApplicationNotFoundError,
    InvalidRequestError,
    InvalidStateTransitionError,
    State,
)
from approve_application import app as approve
from reject_application import app as reject

from tests.handlers.applications_support import new_id, put_application, stored, table_for


@dataclass(frozen=True)
class Step:
    handler: Any
    target: State
    sources: dict[State, str]
    """The states the workflow calls the step in, and why."""


STEPS = {
    "approve": Step(
        approve.handler,
        State.APPROVED,
        {
            State.SUBMITTED: "clean checks",
            State.REVIEW_APPROVED: "approving review",
            State.APPROVED: "retried step",
        },
    ),
    "reject": Step(
        reject.handler,
        State.REJECTED,
        {
            State.REVIEW_REJECTED: "rejecting review",
            State.REVIEW_TIMED_OUT: "review timed out",
            State.REJECTED: "retried step",
        },
    ),
}


def _cases(allowed: bool) -> list[Any]:
    return [
        pytest.param(name, state, id=f"{name}: {step.sources.get(state, state.value)}")
        for name, step in STEPS.items()
        for state in State
        if (state in step.sources) == allowed
    ]


@pytest.fixture
def table(aws, monkeypatch):
    """One table for both functions (each test calls one of them)."""
    table = table_for(monkeypatch, approve.handler, "repository")
    monkeypatch.setattr(reject.handler, "repository", approve.handler.repository)
    return table


@pytest.mark.parametrize(("step", "state"), _cases(allowed=True))
def test_given_a_state_the_step_follows_when_called_then_the_application_reaches_its_target(
    table, lambda_context, step, state
):
    application_id = put_application(table, state, reason="kept", taskToken="used-token")

    result = STEPS[step].handler({"id": application_id}, lambda_context)

    target = STEPS[step].target.value
    assert result["state"] == target and "taskToken" not in result
    item = stored(table, application_id)
    assert item["state"] == target
    assert item["reason"] == "kept"  # e.g. a timed-out review keeps saying why
    assert "taskToken" not in item


@pytest.mark.parametrize(("step", "state"), _cases(allowed=False))
def test_given_any_other_state_when_called_then_refused_and_nothing_changes(
    table, lambda_context, step, state
):
    application_id = put_application(table, state)

    with pytest.raises(InvalidStateTransitionError, match=f"is {state.value}"):
        STEPS[step].handler({"id": application_id}, lambda_context)

    assert stored(table, application_id)["state"] == state.value


@pytest.mark.parametrize("step", STEPS)
def test_given_no_such_application_then_not_found_and_nothing_is_created(
    table, lambda_context, step
):
    with pytest.raises(ApplicationNotFoundError):
        STEPS[step].handler({"id": new_id()}, lambda_context)

    assert table.scan()["Items"] == []


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("event", [{"application": "x"}, {"id": "not-an-id"}, "id", None])
def test_given_no_application_id_then_invalid_request(table, lambda_context, step, event):
    with pytest.raises(InvalidRequestError):
        STEPS[step].handler(event, lambda_context)
