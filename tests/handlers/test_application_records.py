"""The shared application-record code (handlers/applications) against DynamoDB in moto."""

import pytest
from applications.model import (
    ApplicationNotFoundError,
    InvalidRequestError,
    InvalidStateTransitionError,
    State,
    require_application_id,
)
from applications.repository import SubmissionConflictError

from tests.handlers.applications_support import (
    create_applications_table,
    new_id,
    put_application,
    repository,
    stored,
)


@pytest.fixture
def table(aws):
    return create_applications_table()


def flag_submitted(table, application_id, **attributes):
    """SUBMITTED -> FLAGGED_FOR_REVIEW, setting ``attributes``."""
    return repository(table).transition(
        application_id, {State.SUBMITTED}, State.FLAGGED_FOR_REVIEW, set_attributes=attributes
    )


def test_given_the_expected_state_when_transitioned_then_state_and_attributes_change(table):
    application_id = put_application(table, State.SUBMITTED)

    application = flag_submitted(
        table, application_id, taskToken="token-1", reason="address check flagged"
    )

    assert application.state is State.FLAGGED_FOR_REVIEW
    assert application.task_token == "token-1"
    item = stored(table, application_id)
    assert item["state"] == "FLAGGED_FOR_REVIEW"
    assert item["reason"] == "address check flagged"
    assert item["updatedAt"] == "2024-01-01T00:00:00.000+00:00"


def test_given_an_unexpected_state_when_transitioned_then_refused_and_nothing_changes(table):
    application_id = put_application(table, State.APPROVED, reason="clean")
    before = stored(table, application_id)

    with pytest.raises(InvalidStateTransitionError, match="is APPROVED") as raised:
        repository(table).transition(
            application_id,
            {State.SUBMITTED, State.FLAGGED_FOR_REVIEW},
            State.REJECTED,
            set_attributes={"reason": "late"},
        )

    assert raised.value.current == "APPROVED"
    assert raised.value.target is State.REJECTED
    assert stored(table, application_id) == before


def test_given_no_application_when_transitioned_then_not_found_and_nothing_is_created(table):
    missing = new_id()

    with pytest.raises(ApplicationNotFoundError):
        repository(table).transition(missing, {State.SUBMITTED}, State.APPROVED)

    assert stored(table, missing) is None


def test_given_a_required_attribute_missing_when_transitioned_then_refused(table):
    application_id = put_application(table, State.REVIEW_APPROVED)

    with pytest.raises(InvalidStateTransitionError):
        repository(table).transition(
            application_id,
            {State.REVIEW_APPROVED},
            State.REVIEW_APPROVED,
            require_attributes=["taskToken"],
        )

    assert stored(table, application_id)["state"] == "REVIEW_APPROVED"


def test_removing_an_attribute_in_a_transition(table):
    application_id = put_application(table, State.FLAGGED_FOR_REVIEW, taskToken="t")

    repository(table).transition(
        application_id,
        {State.FLAGGED_FOR_REVIEW},
        State.REVIEW_TIMED_OUT,
        remove_attributes=["taskToken"],
    )

    assert "taskToken" not in stored(table, application_id)


def test_given_a_new_id_when_submitted_then_a_submitted_record_is_created(table):
    application_id = new_id()

    application = repository(table).submit(application_id, "Spock", "1 Vulcan Way", "attempt-1")

    assert application.state is State.SUBMITTED
    item = stored(table, application_id)
    assert (item["name"], item["address"], item["state"]) == ("Spock", "1 Vulcan Way", "SUBMITTED")
    assert item["submittedAt"] == "2024-01-01T00:00:00.000+00:00"


def test_given_an_application_further_on_when_resubmitted_then_its_state_is_kept(table):
    application_id = new_id()
    records = repository(table)
    records.submit(application_id, "Spock", "1 Vulcan Way", "attempt-1")
    records.transition(application_id, {State.SUBMITTED}, State.APPROVED)

    again = records.submit(application_id, "Spock", "1 Vulcan Way", "attempt-2")

    assert again.state is State.APPROVED
    assert stored(table, application_id)["state"] == "APPROVED"


def test_given_the_id_taken_by_other_data_when_submitted_then_conflict_and_nothing_changes(table):
    application_id = new_id()
    records = repository(table)
    records.submit(application_id, "Spock", "1 Vulcan Way", "attempt-1")
    before = stored(table, application_id)

    with pytest.raises(SubmissionConflictError):
        records.submit(application_id, "Kirk", "1 Vulcan Way", "attempt-2")

    assert stored(table, application_id) == before


def test_a_submit_attempt_withdraws_only_its_own_still_submitted_record(table):
    records = repository(table)
    claimed, own, moved_on = new_id(), new_id(), new_id()
    records.submit(claimed, "Spock", "1 Vulcan Way", "attempt-a")
    records.submit(claimed, "Spock", "1 Vulcan Way", "attempt-b")  # a concurrent retry claims it
    records.submit(own, "Spock", "1 Vulcan Way", "attempt-a")
    records.submit(moved_on, "Spock", "1 Vulcan Way", "attempt-a")
    records.transition(moved_on, {State.SUBMITTED}, State.APPROVED)

    assert records.withdraw(claimed, "attempt-a") is False
    assert records.withdraw(moved_on, "attempt-a") is False
    assert records.withdraw(own, "attempt-a") is True

    assert stored(table, claimed) is not None
    assert stored(table, moved_on) is not None
    assert stored(table, own) is None


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"id": ""},
        {"id": 7},
        {"id": "application_not-a-uuid"},
        {"id": "order_0f8fad5b-d9cb-469f-a165-70867728950e"},
        "application_0f8fad5b-d9cb-469f-a165-70867728950e",
    ],
)
def test_a_request_without_a_well_formed_application_id_is_an_invalid_request(event):
    with pytest.raises(InvalidRequestError):
        require_application_id(event)


def test_a_public_view_never_shows_the_task_token(table):
    application = flag_submitted(
        table, put_application(table, State.SUBMITTED), taskToken="secret-token"
    )

    assert "secret-token" not in str(application.public())
    assert application.public()["state"] == "FLAGGED_FOR_REVIEW"
