"""localcloud parses each state machine definition and each JSONPath once (``moto_caches``);
what an execution evaluates is still its own.

The behaviours pinned are the AWS Step Functions ones from the Amazon States Language
specification (https://states-language.net/spec.html): "Retrying after error" (MaxAttempts counts
the retries of one state in one execution) and "Input and Output Processing" (InputPath and
ResultPath act on each execution's own input).
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.stepfunctions.responses import StepFunctionResponse

from tests.localcloud.test_stepfunctions_fixes import machine, wait

RETRIED_TWICE = {
    "StartAt": "Try",
    "States": {
        "Try": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "Boom"}}}
            ],
            "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 1, "MaxAttempts": 2}],
            "End": True,
        }
    },
}

PATHS = {
    "StartAt": "Pick",
    "States": {"Pick": {"Type": "Pass", "InputPath": "$.a", "ResultPath": "$.picked", "End": True}},
}


def _history(execution_arn: str) -> list[dict]:
    return boto3.client("stepfunctions").get_execution_history(executionArn=execution_arn)["events"]


def _attempts(execution_arn: str) -> int:
    return sum(event["type"] == "ParallelStateStarted" for event in _history(execution_arn))


def test_every_execution_of_one_definition_retries_as_often_as_its_retrier_says(aws):
    state_machine = machine(RETRIED_TWICE)
    sfn = boto3.client("stepfunctions")
    executions = [sfn.start_execution(stateMachineArn=state_machine)["executionArn"]]
    assert wait(executions[0])["status"] == "FAILED"
    executions.append(sfn.start_execution(stateMachineArn=state_machine)["executionArn"])
    assert wait(executions[1])["status"] == "FAILED"

    # the first attempt and two retries, in each execution: the retrier's count is not shared
    assert [_attempts(execution) for execution in executions] == [3, 3]


def test_the_same_paths_read_each_executions_own_input(aws):
    state_machine = machine(PATHS)
    sfn = boto3.client("stepfunctions")
    outputs = []
    for value in (1, "two"):
        execution = sfn.start_execution(
            stateMachineArn=state_machine, input=json.dumps({"a": value})
        )
        outputs.append(json.loads(wait(execution["executionArn"])["output"]))
    assert outputs == [{"a": 1, "picked": 1}, {"a": "two", "picked": "two"}]


@pytest.mark.parametrize("attempt", [1, 2])
def test_an_invalid_definition_is_refused_every_time(aws, attempt):
    with pytest.raises(ClientError) as refused:
        machine({"StartAt": "Nowhere", "States": {"Here": {"Type": "Pas"}}}, name=f"bad-{attempt}")
    # moto leaves the error code empty where AWS names it InvalidDefinition; the refusal and
    # the message naming the mistake are what localcloud must not lose to its cache.
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert 'at "Pas"' in refused.value.response["Error"]["Message"]


MOTO_HISTORY = StepFunctionResponse.get_execution_history  # moto's own, before any emulator


def test_an_execution_history_reads_the_same_as_from_motos_serializer(aws, monkeypatch):
    # Given an execution whose events hold details of several kinds, an error among them
    state_machine = machine(RETRIED_TWICE)
    sfn = boto3.client("stepfunctions")
    execution = sfn.start_execution(stateMachineArn=state_machine, input='{"n": 1}')
    assert wait(execution["executionArn"])["status"] == "FAILED"

    assert StepFunctionResponse.get_execution_history is not MOTO_HISTORY  # two ways compared
    written_directly = _history(execution["executionArn"])
    monkeypatch.setattr(StepFunctionResponse, "get_execution_history", MOTO_HISTORY)
    serialized_by_moto = _history(execution["executionArn"])

    # Then a client reads the same events (GetExecutionHistory, Step Functions API Reference)
    assert written_directly == serialized_by_moto
    assert [event["type"] for event in written_directly] == [
        "ExecutionStarted",
        "ParallelStateEntered",
        *["ParallelStateStarted", "FailStateEntered"] * 3,  # the attempt and two retries
        "ParallelStateFailed",
        "ExecutionFailed",
    ]
    assert written_directly[0]["executionStartedEventDetails"]["input"] == '{"n": 1}'
    assert written_directly[-1]["executionFailedEventDetails"]["error"] == "Boom"
    assert all(event["timestamp"].tzinfo is not None for event in written_directly)


def test_the_history_of_an_unknown_execution_is_the_apis_error(aws):
    unknown = "arn:aws:states:us-east-1:123456789012:execution:machine:nobody"
    with pytest.raises(ClientError) as refused:
        _history(unknown)
    assert refused.value.response["Error"]["Code"] == "ExecutionDoesNotExist"
