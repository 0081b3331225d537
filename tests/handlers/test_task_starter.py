"""The task tracker's starter function against Step Functions in moto.

moto models Step Functions' name rules for StartExecution: the same name and input while the
execution runs returns that execution; once it has finished, ExecutionAlreadyExists.
"""

import json
import re

import boto3
import pytest
from lambda_support.lazy import Lazy
from task_starter import app
from task_starter.executions import ExecutionNameTakenError, TaskExecutions
from task_starter.tasks import InvalidTaskError, InvalidTaskIdError, parse_task_start

from components import asl
from tests.conftest import REGION

NOW = 1_700_000_000  # 10 digits, as every unix second until 2286


@pytest.fixture
def sfn(aws):
    return boto3.client("stepfunctions", region_name=REGION)


@pytest.fixture
def machine_arn(sfn):
    definition = asl.render_and_validate(
        asl.load_template("task_tracker.asl.json"), {"TableName": "Tasks", "WaitSeconds": 30}
    )
    # moto does not require the role to exist for a state machine that never runs here.
    role = "arn:aws:iam::123456789012:role/task-tracker"
    return sfn.create_state_machine(name="task-tracker", definition=definition, roleArn=role)[
        "stateMachineArn"
    ]


@pytest.fixture
def clock(monkeypatch):
    """The handler's clock, frozen at NOW; tests move it by setting ``clock.now``."""

    class Clock:
        now: float = NOW + 0.25

    monkeypatch.setattr(app, "CLOCK", lambda: Clock.now)
    return Clock


@pytest.fixture
def starter(sfn, machine_arn, clock, monkeypatch):
    monkeypatch.setattr(app, "EXECUTIONS", Lazy(lambda: TaskExecutions(sfn, machine_arn)))
    return app.handler


@pytest.fixture
def executions(sfn, machine_arn):
    """Every execution of the machine, as Step Functions lists them."""
    return lambda: sfn.list_executions(stateMachineArn=machine_arn)["executions"]


@pytest.mark.parametrize("task_id", ["Breakfast", "a-b_c.d", "Frühstück", "x" * 69])
def test_given_a_valid_task_id_when_started_then_one_execution_named_after_task_and_second(
    starter, sfn, executions, lambda_context, task_id
):
    result = starter({"taskId": task_id}, lambda_context)

    name = f"{task_id}-{NOW}"
    assert result == {
        "executionArn": f"arn:aws:states:{REGION}:123456789012:execution:task-tracker:{name}",
        "name": name,
        "taskId": task_id,
        "timestamp": NOW,
        "status": "RUNNING",
    }
    [execution] = executions()
    assert execution["name"] == name
    started = sfn.describe_execution(executionArn=result["executionArn"])
    assert json.loads(started["input"]) == {"taskId": task_id, "timestamp": NOW}


def test_the_timestamp_in_the_input_is_a_whole_number_of_unix_seconds(starter, sfn, lambda_context):
    result = starter({"taskId": "Lunch"}, lambda_context)

    timestamp = json.loads(sfn.describe_execution(executionArn=result["executionArn"])["input"])[
        "timestamp"
    ]
    assert type(timestamp) is int and timestamp == NOW


ILLEGAL_CHARACTERS = [*'<>{}[]?*"#%\\^|~`$&,;:/', " ", "\t", "\n", "\u3000"]
CONTROL_CHARACTERS = ["\x00", "\x1f", "\x7f", "\x9f", "\ud800", "\ufffe", "\uffff"]


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({}, "non-empty string 'taskId'"),
        ({"taskId": None}, "non-empty string 'taskId'"),
        ({"taskId": ""}, "non-empty string 'taskId'"),
        ({"taskId": 7}, "must be a string, got int"),
        ({"taskId": ["Breakfast"]}, "must be a string, got list"),
        ({"taskId": True}, "must be a string, got bool"),
        ({"taskId": "x" * 70}, "longer than 69 characters"),
        ({"taskId": "Breakfast time"}, "characters an execution name cannot hold: [' ']"),
        ({"taskId": "a/b:c"}, "characters an execution name cannot hold: ['/', ':']"),
        ({"taskId": "tab\there"}, "characters an execution name cannot hold"),
    ],
)
def test_given_an_invalid_task_id_when_started_then_invalid_task_id_error_and_no_execution(
    starter, executions, lambda_context, event, message
):
    with pytest.raises(InvalidTaskIdError, match=re.escape(message)):
        starter(event, lambda_context)

    assert executions() == []


@pytest.mark.parametrize(
    "char", [pytest.param(c, id=f"U+{ord(c):04X}") for c in ILLEGAL_CHARACTERS + CONTROL_CHARACTERS]
)
def test_given_any_character_step_functions_refuses_in_a_name_then_invalid_task_id_error(char):
    # The parser is pure: every refused character is checked here without an AWS round trip.
    with pytest.raises(InvalidTaskIdError, match="characters an execution name cannot hold"):
        parse_task_start({"taskId": f"task{char}1"}, timestamp=NOW)


def test_given_the_longest_legal_id_then_the_name_is_exactly_80_characters():
    task = parse_task_start({"taskId": "x" * 69}, timestamp=NOW)

    assert len(task.execution_name) == 80


@pytest.mark.parametrize("event", [["taskId"], "Breakfast", None])
def test_given_no_json_object_when_started_then_invalid_task_error_and_no_execution(
    starter, executions, lambda_context, event
):
    with pytest.raises(InvalidTaskError, match="expected a JSON object"):
        starter(event, lambda_context)

    assert executions() == []


def test_given_a_running_task_when_started_again_in_the_same_second_then_the_same_execution(
    starter, executions, lambda_context
):
    first = starter({"taskId": "Breakfast"}, lambda_context)

    second = starter({"taskId": "Breakfast"}, lambda_context)

    assert second == first
    assert len(executions()) == 1


def test_given_a_finished_task_when_started_again_in_the_same_second_then_that_execution(
    starter, sfn, executions, lambda_context
):
    # Given the first execution has already ended (here: stopped) ...
    first = starter({"taskId": "Breakfast"}, lambda_context)
    sfn.stop_execution(executionArn=first["executionArn"])

    # ... when the same task is started in the same second, Step Functions refuses the name ...
    second = starter({"taskId": "Breakfast"}, lambda_context)

    # ... then the caller gets that execution with its final status, and nothing new runs.
    assert second == {**first, "status": "ABORTED"}
    assert len(executions()) == 1


def test_given_a_task_when_started_again_a_second_later_then_a_second_execution(
    starter, executions, lambda_context, clock
):
    first = starter({"taskId": "Breakfast"}, lambda_context)
    clock.now += 1

    second = starter({"taskId": "Breakfast"}, lambda_context)

    assert (first["name"], second["name"]) == (f"Breakfast-{NOW}", f"Breakfast-{NOW + 1}")
    assert len(executions()) == 2


def test_given_the_name_taken_by_another_input_when_started_then_execution_name_taken_error(
    starter, sfn, machine_arn, executions, lambda_context
):
    taken = sfn.start_execution(
        stateMachineArn=machine_arn, name=f"Breakfast-{NOW}", input='{"something": "else"}'
    )
    sfn.stop_execution(executionArn=taken["executionArn"])

    with pytest.raises(ExecutionNameTakenError, match=taken["executionArn"]):
        starter({"taskId": "Breakfast"}, lambda_context)

    assert len(executions()) == 1


def test_the_client_is_built_for_the_state_machine_in_the_environment(
    machine_arn, executions, clock, monkeypatch, lambda_context
):
    monkeypatch.setenv("STATE_MACHINE_ARN", machine_arn)
    monkeypatch.setattr(app, "EXECUTIONS", Lazy(app._executions))

    result = app.handler({"taskId": "Dinner"}, lambda_context)

    assert [e["executionArn"] for e in executions()] == [result["executionArn"]]
