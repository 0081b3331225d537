"""Each Step Functions fix localcloud applies to moto: AWS's behaviour with it, moto's without.

The "without" tests document the moto bug the fix exists for; when moto fixes it upstream they
fail, and the fix can go.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from localcloud import emulator, execution_events
from localcloud.clock import Clock
from localcloud.cloud import Emulator, entered_states
from localcloud.stepfunctions import FIXES
from tests.handlers.applications_support import create_applications_table
from tests.localcloud.conftest import make_function, role, trust

TRUST_STATES = trust("states.amazonaws.com")


@pytest.fixture
def without() -> Iterator[callable]:
    """Run an emulator with one fix left out."""

    def start(fix: str, clock: Clock | None = None):
        return emulator(clock=clock or Clock("fast", speedup=1000), fixes=frozenset(FIXES) - {fix})

    return start


def machine(definition: dict, name: str = "machine", allow: list[tuple[str, str]] = ()) -> str:
    """A state machine whose role may do exactly ``allow`` (action, resource) pairs."""
    statements = [
        {"Effect": "Allow", "Action": action, "Resource": resource} for action, resource in allow
    ]
    arn = role(f"{name}-role", trust=TRUST_STATES, statements=statements)
    return boto3.client("stepfunctions").create_state_machine(
        name=name, definition=json.dumps(definition), roleArn=arn
    )["stateMachineArn"]


def wait(execution_arn: str, timeout: float = 5.0, sfn: Any = None) -> dict:
    sfn = sfn or boto3.client("stepfunctions")
    deadline = time.monotonic() + timeout
    while True:
        description = sfn.describe_execution(executionArn=execution_arn)
        if description["status"] != "RUNNING" or time.monotonic() > deadline:
            return description
        time.sleep(0.01)


def entered_wait(execution_arn: str) -> None:
    sfn = boto3.client("stepfunctions")
    for _ in range(500):
        events = sfn.get_execution_history(executionArn=execution_arn)["events"]
        if any(event["type"] == "WaitStateEntered" for event in events):
            return
        time.sleep(0.01)
    raise AssertionError("the execution never entered its Wait state")


TOKENS_QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:tokens"
SEND_TOKEN = [("sqs:SendMessage", TOKENS_QUEUE_ARN)]


def queue() -> str:
    return boto3.client("sqs").create_queue(QueueName="tokens")["QueueUrl"]


def token_task(queue_url: str, **extra) -> dict:
    """A machine that sends its task token to SQS and waits for it to come back."""
    return {
        "StartAt": "Wait for token",
        "States": {
            "Wait for token": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": queue_url, "MessageBody": {"token.$": "$$.Task.Token"}},
                "End": True,
                **extra,
            }
        },
    }


def received_token(queue_url: str) -> str:
    sqs = boto3.client("sqs")
    for _ in range(200):
        messages = sqs.receive_message(QueueUrl=queue_url).get("Messages", [])
        if messages:
            return json.loads(messages[0]["Body"])["token"]
        time.sleep(0.01)
    raise AssertionError("no task token was sent")


PASS_STRING = {
    "StartAt": "Done",
    "States": {"Done": {"Type": "Pass", "Result": "done", "End": True}},
}


# -- unnamed-start ----------------------------------------------------------------------------


def test_unnamed_starts_get_distinct_uuid_names(aws):
    arn = machine(PASS_STRING)
    sfn = boto3.client("stepfunctions")

    first = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    second = sfn.start_execution(stateMachineArn=arn)["executionArn"]

    assert first != second
    assert not first.endswith(":None")
    assert len(first.rsplit(":", 1)[1]) == 36


def test_without_the_fix_moto_names_unnamed_executions_none_and_collides(without):
    with without("unnamed-start"):
        arn = machine(PASS_STRING)
        sfn = boto3.client("stepfunctions")
        first = sfn.start_execution(stateMachineArn=arn)["executionArn"]
        wait(first)
        with pytest.raises(ClientError, match="ExecutionAlreadyExists"):
            sfn.start_execution(stateMachineArn=arn)
    assert first.endswith(":None")


# -- task-failure-cause -----------------------------------------------------------------------


def _fail_task(error: str, cause: str) -> dict:
    url = queue()
    execution = boto3.client("stepfunctions").start_execution(
        stateMachineArn=machine(token_task(url), allow=SEND_TOKEN)
    )
    boto3.client("stepfunctions").send_task_failure(
        taskToken=received_token(url), error=error, cause=cause
    )
    return wait(execution["executionArn"])


def test_send_task_failure_keeps_error_and_cause(aws):
    result = _fail_task("ReviewRejected", "the reviewer said no")

    assert (result["status"], result["error"], result["cause"]) == (
        "FAILED",
        "ReviewRejected",
        "the reviewer said no",
    )


def test_without_the_fix_moto_drops_the_cause(without):
    with without("task-failure-cause"):
        result = _fail_task("ReviewRejected", "the reviewer said no")
    assert result["error"] == "ReviewRejected"
    assert result.get("cause") != "the reviewer said no"


# -- describe-output --------------------------------------------------------------------------


def _string_output() -> str:
    execution = boto3.client("stepfunctions").start_execution(
        stateMachineArn=machine(PASS_STRING), name="s"
    )
    return wait(execution["executionArn"])["output"]


def test_a_string_output_is_returned_as_json(aws):
    assert json.loads(_string_output()) == "done"


def test_without_the_fix_moto_returns_a_string_output_bare(without):
    with without("describe-output"):
        assert _string_output() == "done"


# -- start-execution-integration --------------------------------------------------------------


def _start_child() -> tuple[dict, list]:
    child = machine(
        {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}, name="child"
    )
    parent = machine(
        {
            "StartAt": "Start child",
            "States": {
                "Start child": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::states:startExecution",
                    "Parameters": {"StateMachineArn": child, "Input": {"order.$": "$.order"}},
                    "End": True,
                }
            },
        },
        name="parent",
        allow=[("states:StartExecution", child)],
    )
    sfn = boto3.client("stepfunctions")
    result = wait(sfn.start_execution(stateMachineArn=parent, input='{"order": 7}')["executionArn"])
    return result, sfn.list_executions(stateMachineArn=child)["executions"]


def test_start_execution_integration_starts_the_child_with_its_input(aws):
    result, children = _start_child()

    assert result["status"] == "SUCCEEDED", result
    output = json.loads(result["output"])
    assert output["ExecutionArn"] == children[0]["executionArn"]
    assert "StartDate" in output
    child_input = boto3.client("stepfunctions").describe_execution(
        executionArn=children[0]["executionArn"]
    )["input"]
    assert json.loads(child_input) == {"order": 7}


def test_without_the_fix_moto_fails_the_start_execution_integration(without):
    with without("start-execution-integration"):
        result, children = _start_child()
    assert result["status"] == "FAILED"
    assert children == []


# -- heartbeat-timeout ------------------------------------------------------------------------


def _missed_heartbeat() -> dict:
    url = queue()
    definition = token_task(url, HeartbeatSeconds=5, TimeoutSeconds=3600)
    execution = boto3.client("stepfunctions").start_execution(
        stateMachineArn=machine(definition, allow=SEND_TOKEN)
    )
    return wait(execution["executionArn"])


def test_a_missed_heartbeat_is_states_heartbeat_timeout(aws):
    result = _missed_heartbeat()
    assert (result["status"], result["error"]) == ("FAILED", "States.HeartbeatTimeout")


def test_without_the_fix_moto_reports_a_missed_heartbeat_as_states_timeout(without):
    with without("heartbeat-timeout"):
        assert _missed_heartbeat()["error"] == "States.Timeout"


# -- stop-ends-callbacks ----------------------------------------------------------------------


def _stop_waiting_execution() -> tuple[dict, str]:
    """Stop an execution while its task waits for a token: how it ended, and the token."""
    url = queue()
    sfn = boto3.client("stepfunctions")
    execution = sfn.start_execution(stateMachineArn=machine(token_task(url), allow=SEND_TOKEN))[
        "executionArn"
    ]
    token = received_token(url)  # the task is now waiting for its token
    sfn.stop_execution(executionArn=execution, error="Operator.Cancelled", cause="wrong applicant")
    return wait(execution, timeout=1.0), token


def test_stopping_an_execution_ends_its_callback_wait_and_records_why(aws):
    result, _ = _stop_waiting_execution()
    assert (result["status"], result["error"], result["cause"]) == (
        "ABORTED",
        "Operator.Cancelled",
        "wrong applicant",
    )


def test_without_the_fix_moto_loses_the_stop_reason(without):
    with without("stop-ends-callbacks"):
        result, token = _stop_waiting_execution()
        # moto's interpreter may still wait: answer it, so that it ends before the emulator does
        # (on a loaded machine moto has already counted the execution stopped, and refuses it)
        sfn = boto3.client("stepfunctions")
        with contextlib.suppress(sfn.exceptions.InvalidToken):
            sfn.send_task_success(taskToken=token, output="{}")
    assert (result.get("error"), result.get("cause")) != ("Operator.Cancelled", "wrong applicant")


# A Parallel of two Pass branches: the interpreter has several threads to start when stopped.
PARALLEL = {
    "StartAt": "Both",
    "States": {
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
                {"StartAt": "B", "States": {"B": {"Type": "Wait", "Seconds": 60, "End": True}}},
            ],
            "End": True,
        }
    },
}


def _stop_at_once(times: int, until_one_fails: bool = False) -> list[str]:
    """Stop each of ``times`` executions right after starting it: what each ended as (its
    status, or the error StopExecution raised), up to the first that did not end ABORTED if
    ``until_one_fails``."""
    sfn = boto3.client("stepfunctions")
    state_machine = machine(PARALLEL)
    outcomes = []
    for _ in range(times):
        execution = sfn.start_execution(stateMachineArn=state_machine)["executionArn"]
        try:
            sfn.stop_execution(executionArn=execution)
        except Exception as error:
            outcomes.append(type(error).__name__)
        else:
            outcomes.append(wait(execution, timeout=0.5, sfn=sfn)["status"])
        if until_one_fails and outcomes[-1] != "ABORTED":
            break
    return outcomes


def test_an_execution_can_be_stopped_right_after_it_started(aws):
    # AWS: StopExecution stops any running execution (Step Functions API Reference).
    assert _stop_at_once(50) == ["ABORTED"] * 50


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_without_the_fix_moto_fails_to_stop_an_execution_just_started(without):
    with without("stop-ends-callbacks"):
        outcomes = _stop_at_once(50, until_one_fails=True)
    # moto: AttributeError while the interpreter is still starting, or the stop is lost
    assert outcomes[-1] != "ABORTED"


# -- clock ------------------------------------------------------------------------------------

WAIT_30 = {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 30, "End": True}}}
WAIT_HOUR = {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 3600, "End": True}}}


def test_a_wait_state_runs_on_the_manual_clock(manual_aws: Emulator):
    sfn = boto3.client("stepfunctions")
    execution = sfn.start_execution(stateMachineArn=machine(WAIT_30))["executionArn"]
    entered_wait(execution)  # the 30 s count from when the state is entered

    manual_aws.clock.advance(29)
    assert wait(execution, timeout=0.3)["status"] == "RUNNING"

    manual_aws.clock.advance(1)
    assert wait(execution)["status"] == "SUCCEEDED"


def test_an_executions_timeout_runs_on_the_manual_clock(manual_aws: Emulator):
    # ASL's top-level TimeoutSeconds: past it the execution ends TIMED_OUT (Step Functions
    # Developer Guide, "State machine structure in Amazon States Language").
    timed = {**WAIT_30, "TimeoutSeconds": 10}
    sfn = boto3.client("stepfunctions")
    execution = sfn.start_execution(stateMachineArn=machine(timed))["executionArn"]
    entered_wait(execution)

    manual_aws.clock.advance(9)
    assert wait(execution, timeout=0.3)["status"] == "RUNNING"

    manual_aws.clock.advance(1)
    assert wait(execution)["status"] == "TIMED_OUT"


def _timed_out_callback_retries(clock: Clock) -> tuple[dict, float]:
    """A token task that is never answered, retried twice; (final result, clock seconds it took)."""
    url = queue()
    definition = token_task(url, TimeoutSeconds=120)
    definition["States"]["Wait for token"]["Retry"] = [
        {
            "ErrorEquals": ["States.Timeout"],
            "IntervalSeconds": 60,
            "MaxAttempts": 2,
            "BackoffRate": 2.0,
        }
    ]
    execution = boto3.client("stepfunctions").start_execution(
        stateMachineArn=machine(definition, allow=SEND_TOKEN)
    )["executionArn"]
    assert wait(execution, timeout=0.3)["status"] == "RUNNING"  # the clock stands still
    started = clock.now()
    while wait(execution, timeout=0.02)["status"] == "RUNNING" and clock.now() - started < 2000:
        clock.advance(20)
    return wait(execution), clock.now() - started


def test_retry_intervals_and_timeouts_run_on_the_clock(manual_aws: Emulator):
    result, took = _timed_out_callback_retries(manual_aws.clock)

    # 3 attempts x 120 s of timeout + 60 s + 120 s of retry intervals = 540 s of clock time
    assert (result["status"], result["error"]) == ("FAILED", "States.Timeout")
    assert took >= 540


def test_without_the_fresh_token_fix_moto_times_retries_out_at_once(without):
    clock = Clock("manual")
    with without("fresh-task-token", clock=clock):
        result, took = _timed_out_callback_retries(clock)
    assert result["error"] == "States.Timeout"
    assert took < 540


def test_without_the_fix_a_wait_state_takes_wall_clock_time(without):
    with without("clock", clock=Clock("manual")):
        execution = boto3.client("stepfunctions").start_execution(stateMachineArn=machine(WAIT_30))[
            "executionArn"
        ]
        assert wait(execution, timeout=0.5)["status"] == "RUNNING"


# -- status change events ----------------------------------------------------------------------
# (What Step Functions sends EventBridge: test_execution_notifications; the emulator's own stop of
# what still runs at shutdown sends nothing, and needs an emulator of its own.)


def test_the_emulators_own_stop_of_an_execution_at_shutdown_sends_no_event(monkeypatch):
    sent: list[str] = []
    monkeypatch.setattr(
        execution_events,
        "put_status_change",
        lambda execution, detail: sent.append(detail["status"]),
    )
    with emulator(clock=Clock("fast", speedup=1000)) as running:
        execution = boto3.client("stepfunctions").start_execution(
            stateMachineArn=machine(WAIT_HOUR, "waiting")
        )
        entered_wait(execution["executionArn"])
        running.dispatcher.drain()

    assert sent == ["RUNNING"]


# -- role-permissions -------------------------------------------------------------------------


def _invoke_with(allow: list[tuple[str, str]]) -> dict:
    function = make_function(
        "put", {"main.py": "def handler(event, context):\n    return 'stored'\n"}
    )
    definition = {
        "StartAt": "Put",
        "States": {"Put": {"Type": "Task", "Resource": function, "End": True}},
    }
    execution = boto3.client("stepfunctions").start_execution(
        stateMachineArn=machine(
            definition, allow=[(a, r.replace("FUNCTION", function)) for a, r in allow]
        )
    )
    return wait(execution["executionArn"])


def test_a_task_may_call_what_its_role_allows(aws):
    assert _invoke_with([("lambda:InvokeFunction", "FUNCTION")])["status"] == "SUCCEEDED"


def test_a_task_whose_role_cannot_invoke_fails_with_the_403_of_seed_004(aws):
    result = _invoke_with([("lambda:InvokeFunction", "FUNCTION-other")])

    assert (result["status"], result["error"]) == ("FAILED", "Lambda.AWSLambdaException")
    assert "is not authorized to perform: lambda:InvokeFunction" in result["cause"]


def _query_state_index(allow: list[tuple[str, str]]) -> dict:
    create_applications_table("Tasks")  # key id, index "state"
    query = {
        "TableName": "Tasks",
        "IndexName": "state",
        "KeyConditionExpression": "#s = :s",
        "ExpressionAttributeNames": {"#s": "state"},
        "ExpressionAttributeValues": {":s": {"S": "open"}},
    }
    definition = {
        "StartAt": "Open tasks",
        "States": {
            "Open tasks": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:dynamodb:query",
                "Parameters": query,
                "End": True,
            }
        },
    }
    execution = boto3.client("stepfunctions").start_execution(
        stateMachineArn=machine(definition, allow=allow)
    )
    return wait(execution["executionArn"])


TASKS_TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/Tasks"


def test_a_query_of_an_index_is_denied_by_a_grant_on_the_table(aws):
    # SAR, list_amazondynamodb.html: with IndexName, Query acts on resource type index.
    result = _query_state_index([("dynamodb:Query", TASKS_TABLE)])

    assert result["status"] == "FAILED"
    assert f"dynamodb:Query on resource: {TASKS_TABLE}/index/state" in result["cause"]


def test_a_query_of_an_index_is_allowed_by_a_grant_on_the_index(aws):
    result = _query_state_index([("dynamodb:Query", f"{TASKS_TABLE}/index/state")])

    assert result["status"] == "SUCCEEDED"


def test_a_call_localcloud_cannot_authorize_is_refused(aws):
    definition = {
        "StartAt": "List",
        "States": {
            "List": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:dynamodb:listTables",
                "End": True,
            }
        },
    }
    arn = machine(definition, allow=[("dynamodb:ListTables", f"{TASKS_TABLE}*")])
    result = wait(
        boto3.client("stepfunctions").start_execution(stateMachineArn=arn)["executionArn"]
    )

    assert result["status"] == "FAILED"
    assert "does not know how IAM authorizes dynamodb ListTables" in result["cause"]


def test_without_the_fix_moto_lets_any_role_invoke(without):
    with without("role-permissions"):
        assert _invoke_with([])["status"] == "SUCCEEDED"


# -- definite-paths ---------------------------------------------------------------------------

INDEXED_CHOICE = {
    "StartAt": "Flagged?",
    "States": {
        "Flagged?": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.checks[0].flagged", "BooleanEquals": True, "Next": "Review"}
            ],
            "Default": "Approve",
        },
        "Review": {"Type": "Pass", "End": True},
        "Approve": {"Type": "Pass", "End": True},
    },
}


def _choice_path() -> list[str]:
    sfn = boto3.client("stepfunctions")
    arn = sfn.start_execution(
        stateMachineArn=machine(INDEXED_CHOICE), input='{"checks": [{"flagged": true}]}'
    )["executionArn"]
    wait(arn)
    return entered_states(sfn.get_execution_history(executionArn=arn)["events"])


def test_a_choice_on_an_indexed_path_reads_the_value_itself(aws):
    assert _choice_path() == ["Flagged?", "Review"]


def test_without_the_fix_moto_reads_an_indexed_path_as_a_list_and_misses_the_rule(without):
    with without("definite-paths"):
        assert _choice_path() == ["Flagged?", "Approve"]
