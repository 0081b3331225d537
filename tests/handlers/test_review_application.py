"""Review (seed 003's ReviewApplication) against DynamoDB and a real callback wait in moto.

The waiting workflow is a state machine whose only Task is a ``.waitForTaskToken`` wait (an SQS
message carries the token, since moto cannot run Lambdas here); moto's interpreter resumes it on
SendTaskSuccess exactly as "Pending Review" is resumed.
"""

import json
from unittest import mock

import boto3
import pytest
from applications.lazy import Lazy
from applications.model import ApplicationNotFoundError, InvalidRequestError, State
from moto import mock_aws
from review_application import app
from review_application.reviews import (
    ApplicationNotAwaitingReviewError,
    InvalidDecisionError,
    ReviewClosedError,
    Reviews,
)

from tests.conftest import REGION
from tests.handlers.applications_support import (
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
        self.states = boto3.client("stepfunctions", region_name=REGION)
        self.sqs = boto3.client("sqs", region_name=REGION)
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
            messages = self.sqs.receive_message(QueueUrl=self.queue).get("Messages", [])
        token = json.loads(messages[0]["Body"])["taskToken"]
        self.waiting.append((execution, token))
        return execution, token

    def succeeded_tasks(self, execution: str) -> int:
        events = self.states.get_execution_history(executionArn=execution)["events"]
        return sum(event["type"] == "TaskSucceeded" for event in events)

    def close_all(self) -> None:
        for execution, token in self.waiting:
            try:
                self.states.send_task_failure(taskToken=token, error="test.Cleanup")
            except self.states.exceptions.InvalidToken:
                pass  # already resumed
            wait_for_status(execution, "SUCCEEDED", "FAILED")


@pytest.fixture
def workflows(aws):
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        workflows = Workflows()
        yield workflows
        workflows.close_all()


@pytest.fixture
def table(workflows):
    return create_applications_table()


@pytest.fixture
def states(workflows, table, monkeypatch):
    """The Step Functions client review uses, watched to count its calls."""
    spy = mock.Mock(wraps=boto3.client("stepfunctions", region_name=REGION))
    monkeypatch.setattr(app, "REVIEWS", Lazy(lambda: Reviews(repository(table), spy)))
    return spy


def awaiting_review(table, workflows, state=State.FLAGGED_FOR_REVIEW):
    execution, token = workflows.start()
    return put_application(table, state, taskToken=token), execution


@pytest.mark.parametrize(
    ("decision", "recorded"), [("APPROVE", "REVIEW_APPROVED"), ("REJECT", "REVIEW_REJECTED")]
)
def test_given_an_application_awaiting_review_when_decided_then_recorded_and_workflow_resumed(
    table, workflows, states, lambda_context, decision, recorded
):
    application_id, execution = awaiting_review(table, workflows)

    result = app.handler({"id": application_id, "decision": decision}, lambda_context)

    assert result["state"] == recorded and "taskToken" not in result
    item = stored(table, application_id)
    assert item["state"] == recorded
    assert "taskToken" not in item
    finished = wait_for_status(execution, "SUCCEEDED", "FAILED")
    assert finished["status"] == "SUCCEEDED"
    assert json.loads(finished["output"]) == {"review": {"decision": decision}}


@pytest.mark.parametrize("decision", [None, "", "approve", "MAYBE", 1, ["APPROVE"]])
def test_given_a_decision_other_than_approve_or_reject_then_invalid_and_nothing_changes(
    table, workflows, states, lambda_context, decision
):
    application_id, execution = awaiting_review(table, workflows)
    before = stored(table, application_id)

    with pytest.raises(InvalidDecisionError, match="must be APPROVE or REJECT"):
        app.handler({"id": application_id, "decision": decision}, lambda_context)

    assert stored(table, application_id) == before
    states.send_task_success.assert_not_called()
    assert workflows.states.describe_execution(executionArn=execution)["status"] == "RUNNING"


@pytest.mark.parametrize(
    "state",
    [
        State.SUBMITTED,
        State.FLAGGED_WITH_UNPROCESSABLE_DATA,
        State.REVIEW_TIMED_OUT,
        State.APPROVED,
        State.REJECTED,
    ],
)
def test_given_an_application_not_awaiting_review_then_refused_and_nothing_changes(
    table, states, lambda_context, state
):
    application_id = put_application(table, state, taskToken="stale-token")
    before = stored(table, application_id)

    with pytest.raises(ApplicationNotAwaitingReviewError, match=f"it is {state.value}"):
        app.handler({"id": application_id, "decision": "APPROVE"}, lambda_context)

    assert stored(table, application_id) == before
    states.send_task_success.assert_not_called()


@pytest.mark.parametrize("second_decision", ["APPROVE", "REJECT"])
def test_given_a_second_review_then_refused_and_the_workflow_is_resumed_only_once(
    table, workflows, states, lambda_context, second_decision
):
    application_id, execution = awaiting_review(table, workflows)
    app.handler({"id": application_id, "decision": "APPROVE"}, lambda_context)

    with pytest.raises(ApplicationNotAwaitingReviewError, match="it is REVIEW_APPROVED"):
        app.handler({"id": application_id, "decision": second_decision}, lambda_context)

    assert stored(table, application_id)["state"] == "REVIEW_APPROVED"
    assert states.send_task_success.call_count == 1
    wait_for_status(execution, "SUCCEEDED", "FAILED")
    assert workflows.succeeded_tasks(execution) == 1


def test_given_a_review_that_stopped_before_resuming_when_retried_then_the_workflow_resumes(
    table, workflows, states, lambda_context
):
    # The decision was recorded, then the function stopped before SendTaskSuccess.
    application_id, execution = awaiting_review(table, workflows, State.REVIEW_REJECTED)

    app.handler({"id": application_id, "decision": "REJECT"}, lambda_context)

    finished = wait_for_status(execution, "SUCCEEDED", "FAILED")
    assert json.loads(finished["output"]) == {"review": {"decision": "REJECT"}}
    assert "taskToken" not in stored(table, application_id)


def test_given_the_wait_already_closed_then_review_closed_and_the_token_is_dropped(
    table, workflows, states, lambda_context
):
    application_id, execution = awaiting_review(table, workflows)
    token = stored(table, application_id)["taskToken"]
    workflows.states.send_task_failure(taskToken=token, error="States.Timeout")
    wait_for_status(execution, "FAILED")

    with pytest.raises(ReviewClosedError, match="no longer waits"):
        app.handler({"id": application_id, "decision": "APPROVE"}, lambda_context)

    assert "taskToken" not in stored(table, application_id)
    with pytest.raises(ApplicationNotAwaitingReviewError):
        app.handler({"id": application_id, "decision": "APPROVE"}, lambda_context)
    assert states.send_task_success.call_count == 1


def test_given_no_such_application_then_not_found_and_nothing_is_created(
    table, states, lambda_context
):
    missing = new_id()

    with pytest.raises(ApplicationNotFoundError):
        app.handler({"id": missing, "decision": "APPROVE"}, lambda_context)

    assert table.scan()["Items"] == []
    states.send_task_success.assert_not_called()


def test_given_no_application_id_then_invalid_request(table, states, lambda_context):
    with pytest.raises(InvalidRequestError):
        app.handler({"decision": "APPROVE"}, lambda_context)
