"""Review (seed 003's ReviewApplication) against DynamoDB and a real callback wait in moto.

The waiting workflow is a state machine whose only Task is a ``.waitForTaskToken`` wait (an SQS
message carries the token, since moto cannot run Lambdas here); moto's interpreter resumes it on
SendTaskSuccess exactly as "Pending Review" is resumed.
"""

import contextlib
import json
import time
from unittest import mock

import pytest
from applications.model import ApplicationNotFoundError, InvalidRequestError, State
from lambda_support.lazy import Lazy
from moto import mock_aws
from review_application import app
from review_application.reviews import (
    ApplicationNotAwaitingReviewError,
    InvalidDecisionError,
    ReviewClosedError,
    Reviews,
)

from tests.handlers.applications_support import (
    client,
    create_applications_table,
    create_state_machine,
    new_id,
    put_application,
    repository,
    stored,
    wait_for_status,
)


class Workflows:
    """Executions waiting for a callback, like "Pending Review"; none is left waiting."""

    def __init__(self) -> None:
        self.states = client("stepfunctions")
        self.sqs = client("sqs")
        self.queue = self.sqs.create_queue(QueueName="pending-reviews")["QueueUrl"]
        definition = {
            "StartAt": "Pending Review",
            "States": {
                "Pending Review": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Parameters": {
                        "QueueUrl": self.queue,
                        "MessageBody": {"taskToken.$": "$$.Task.Token"},
                    },
                    "ResultPath": "$.review",
                    "End": True,
                }
            },
        }
        self.machine = create_state_machine("pending-review", json.dumps(definition))
        self.waiting: list[tuple[str, str]] = []

    def start(self) -> tuple[str, str]:
        """A new execution waiting for review: (execution ARN, task token)."""
        execution = self.states.start_execution(
            stateMachineArn=self.machine, name=f"review-{len(self.waiting)}", input="{}"
        )["executionArn"]
        messages: list = []
        while not messages:
            time.sleep(0.005)  # let the interpreter's thread run
            messages = self.sqs.receive_message(QueueUrl=self.queue).get("Messages", [])
        token = json.loads(messages[0]["Body"])["taskToken"]
        self.waiting.append((execution, token))
        return execution, token

    def succeeded_tasks(self, execution: str) -> int:
        events = self.states.get_execution_history(executionArn=execution)["events"]
        return sum(event["type"] == "TaskSucceeded" for event in events)

    def close_all(self) -> None:
        for execution, token in self.waiting:
            with contextlib.suppress(self.states.exceptions.InvalidToken):  # already resumed
                self.states.send_task_failure(taskToken=token, error="test.Cleanup")
            wait_for_status(execution, "SUCCEEDED", "FAILED")


class Review:
    """The applications table, waiting workflows, and the review function wired to both, its
    Step Functions client watched to count its calls."""

    def __init__(self, monkeypatch) -> None:
        self.workflows = Workflows()
        self.table = create_applications_table()
        self.states = mock.Mock(wraps=client("stepfunctions"))
        monkeypatch.setattr(
            app, "REVIEWS", Lazy(lambda: Reviews(repository(self.table), self.states))
        )

    def awaiting(self, state=State.FLAGGED_FOR_REVIEW):
        """An application in ``state`` holding the token of a waiting execution."""
        execution, token = self.workflows.start()
        return put_application(self.table, state, taskToken=token), execution

    def stored(self, application_id):
        return stored(self.table, application_id)

    def status(self, execution):
        return self.workflows.states.describe_execution(executionArn=execution)["status"]


@pytest.fixture
def review(aws, monkeypatch):
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        review = Review(monkeypatch)
        yield review
        review.workflows.close_all()


@pytest.mark.parametrize(
    ("decision", "recorded"), [("APPROVE", "REVIEW_APPROVED"), ("REJECT", "REVIEW_REJECTED")]
)
def test_given_an_application_awaiting_review_when_decided_then_recorded_and_workflow_resumed(
    review, lambda_context, decision, recorded
):
    application_id, execution = review.awaiting()

    result = app.handler({"id": application_id, "decision": decision}, lambda_context)

    assert result["state"] == recorded and "taskToken" not in result
    item = review.stored(application_id)
    assert item["state"] == recorded
    assert "taskToken" not in item
    finished = wait_for_status(execution, "SUCCEEDED", "FAILED")
    assert finished["status"] == "SUCCEEDED"
    assert json.loads(finished["output"]) == {"review": {"decision": decision}}


@pytest.mark.parametrize("decision", [None, "", "approve", "MAYBE", 1, ["APPROVE"]])
def test_given_a_decision_other_than_approve_or_reject_then_invalid_and_nothing_changes(
    review, lambda_context, decision
):
    application_id, execution = review.awaiting()
    before = review.stored(application_id)

    with pytest.raises(InvalidDecisionError, match="must be APPROVE or REJECT"):
        app.handler({"id": application_id, "decision": decision}, lambda_context)

    assert review.stored(application_id) == before
    review.states.send_task_success.assert_not_called()
    assert review.status(execution) == "RUNNING"


@pytest.mark.parametrize(
    "state",
    [
        State.SUBMITTED,
        State.FLAGGED_WITH_UNPROCESSABLE_DATA,
        State.APPROVED,
        State.REJECTED,
        State.PROCESSING_FAILED,
    ],
)
def test_given_an_application_not_awaiting_review_then_refused_and_nothing_changes(
    review, lambda_context, state
):
    application_id = put_application(review.table, state, taskToken="stale-token")
    before = review.stored(application_id)

    with pytest.raises(ApplicationNotAwaitingReviewError, match=f"it is {state.value}"):
        app.handler({"id": application_id, "decision": "APPROVE"}, lambda_context)

    assert review.stored(application_id) == before
    review.states.send_task_success.assert_not_called()


@pytest.mark.parametrize(
    ("state", "attributes"),
    [
        (State.REVIEW_TIMED_OUT, {"reviewTimedOutAt": "2024-01-01T00:00:00.000+00:00"}),
        (State.REJECTED, {"reviewTimedOutAt": "2024-01-01T00:00:00.000+00:00"}),
    ],
    ids=["marked timed out", "rejected by the timeout"],
)
def test_given_the_review_period_ended_then_review_closed_and_nothing_changes(
    review, lambda_context, state, attributes
):
    # Given an application the workflow's timeout path moved on (Mark Review Timed Out, then
    # Reject Application)
    application_id = put_application(review.table, state, **attributes)
    before = review.stored(application_id)

    with pytest.raises(ReviewClosedError, match=f"review period of {application_id} ended"):
        app.handler({"id": application_id, "decision": "APPROVE"}, lambda_context)

    assert review.stored(application_id) == before
    review.states.send_task_success.assert_not_called()


def test_given_the_processing_failed_after_the_timeout_then_not_awaiting_review(
    review, lambda_context
):
    application_id = put_application(
        review.table, State.PROCESSING_FAILED, reviewTimedOutAt="2024-01-01T00:00:00.000+00:00"
    )

    with pytest.raises(ApplicationNotAwaitingReviewError, match="it is PROCESSING_FAILED"):
        app.handler({"id": application_id, "decision": "REJECT"}, lambda_context)


@pytest.mark.parametrize("second_decision", ["APPROVE", "REJECT"])
def test_given_a_second_review_then_refused_and_the_workflow_is_resumed_only_once(
    review, lambda_context, second_decision
):
    application_id, execution = review.awaiting()
    app.handler({"id": application_id, "decision": "APPROVE"}, lambda_context)

    with pytest.raises(ApplicationNotAwaitingReviewError, match="it is REVIEW_APPROVED"):
        app.handler({"id": application_id, "decision": second_decision}, lambda_context)

    assert review.stored(application_id)["state"] == "REVIEW_APPROVED"
    assert review.states.send_task_success.call_count == 1
    wait_for_status(execution, "SUCCEEDED", "FAILED")
    assert review.workflows.succeeded_tasks(execution) == 1


def test_given_a_review_that_stopped_before_resuming_when_retried_then_the_workflow_resumes(
    review, lambda_context
):
    # The decision was recorded, then the function stopped before SendTaskSuccess.
    application_id, execution = review.awaiting(State.REVIEW_REJECTED)

    app.handler({"id": application_id, "decision": "REJECT"}, lambda_context)

    finished = wait_for_status(execution, "SUCCEEDED", "FAILED")
    assert json.loads(finished["output"]) == {"review": {"decision": "REJECT"}}
    assert "taskToken" not in review.stored(application_id)


def test_given_the_wait_already_closed_then_review_closed_and_the_token_is_dropped(
    review, lambda_context
):
    application_id, execution = review.awaiting()
    token = review.stored(application_id)["taskToken"]
    review.workflows.states.send_task_failure(taskToken=token, error="States.Timeout")
    wait_for_status(execution, "FAILED")

    with pytest.raises(ReviewClosedError, match="no longer waits"):
        app.handler({"id": application_id, "decision": "APPROVE"}, lambda_context)

    assert "taskToken" not in review.stored(application_id)
    with pytest.raises(ApplicationNotAwaitingReviewError):
        app.handler({"id": application_id, "decision": "APPROVE"}, lambda_context)
    assert review.states.send_task_success.call_count == 1


def test_given_no_such_application_then_not_found_and_nothing_is_created(review, lambda_context):
    missing = new_id()

    with pytest.raises(ApplicationNotFoundError):
        app.handler({"id": missing, "decision": "APPROVE"}, lambda_context)

    assert review.table.scan()["Items"] == []
    review.states.send_task_success.assert_not_called()


def test_given_no_application_id_then_invalid_request(review, lambda_context):
    with pytest.raises(InvalidRequestError):
        app.handler({"decision": "APPROVE"}, lambda_context)
