"""TaskTracker (seed 001) as the program registers it."""

import json

import pytest

from components import asl
from components.settings import ConfigError
from localcloud.recording import deploy_with_mocks

DYNAMODB_TRANSIENT_ERRORS = {
    "DynamoDB.ProvisionedThroughputExceededException",
    "DynamoDB.ThrottlingException",
    "DynamoDB.RequestLimitExceeded",
    "DynamoDB.InternalServerError",
    "DynamoDB.InternalServerErrorException",
}


def _definition(deployment):
    machine = deployment.named("task-tracker-workflow-state-machine")
    return json.loads(machine.inputs["definition"])


def _table_arn(deployment):
    return deployment.named("task-tracker-tasks-table").outputs["arn"]


def _machine_arn(deployment):
    return deployment.named("task-tracker-workflow-state-machine").outputs["arn"]


def test_given_dev_then_the_machine_puts_waits_and_updates_in_that_order(dev):
    definition = _definition(dev)

    assert definition["StartAt"] == "CreateTaskItem"
    create, wait, done = (
        definition["States"][name] for name in ("CreateTaskItem", "LongRunningTask", "MarkTaskDone")
    )
    assert (create["Next"], wait["Next"], done.get("End")) == (
        "LongRunningTask",
        "MarkTaskDone",
        True,
    )
    assert not asl.placeholders(definition)
    # No Lambda inside: every Task is a direct DynamoDB integration.
    assert {s["Resource"] for _, s in asl.states(definition) if s["Type"] == "Task"} == {
        "arn:aws:states:::dynamodb:putItem",
        "arn:aws:states:::dynamodb:updateItem",
    }


def test_given_dev_then_both_integrations_name_this_stacks_tasks_table(dev):
    states = _definition(dev)["States"]
    table_name = dev.named("task-tracker-tasks-table").outputs["name"]

    assert states["CreateTaskItem"]["Parameters"]["TableName"] == table_name
    assert states["MarkTaskDone"]["Parameters"]["TableName"] == table_name
    assert dev.outputs["tasksTableName"] == table_name


def test_the_put_writes_the_task_as_started_with_a_numeric_timestamp_and_discards_its_result(dev):
    create = _definition(dev)["States"]["CreateTaskItem"]

    assert create["Parameters"]["Item"] == {
        "taskId": {"S.$": "$.taskId"},
        "timestamp": {"N.$": "States.Format('{}', $.timestamp)"},
        "Status": {"S": "STARTED"},
    }
    assert create["ResultPath"] is None


def test_the_update_sets_the_reserved_word_status_to_done_on_the_same_key(dev):
    states = _definition(dev)["States"]
    params = states["MarkTaskDone"]["Parameters"]
    item = states["CreateTaskItem"]["Parameters"]["Item"]

    assert params["Key"] == {"taskId": item["taskId"], "timestamp": item["timestamp"]}
    assert params["UpdateExpression"] == "SET #s = :val"
    assert params["ExpressionAttributeNames"] == {"#s": "Status"}
    assert params["ExpressionAttributeValues"] == {":val": {"S": "Done"}}


def test_given_default_config_then_the_machine_waits_30_seconds_as_a_number(dev):
    assert _definition(dev)["States"]["LongRunningTask"]["Seconds"] == 30


def test_given_task_wait_seconds_5_then_the_machine_waits_5_seconds():
    deployment = deploy_with_mocks("dev", {"taskWaitSeconds": 5})

    assert _definition(deployment)["States"]["LongRunningTask"]["Seconds"] == 5


@pytest.mark.parametrize("seconds", [-1, 31_536_001])
def test_given_a_wait_no_standard_execution_can_finish_then_config_error(seconds):
    with pytest.raises(ConfigError, match="taskWaitSeconds must be from 0 to 31536000"):
        deploy_with_mocks("dev", {"taskWaitSeconds": seconds})


@pytest.mark.parametrize("state", ["CreateTaskItem", "MarkTaskDone"])
def test_dynamodb_throttling_and_server_errors_are_retried_with_backoff_and_jitter(dev, state):
    retry = _definition(dev)["States"][state]["Retry"]

    transient = retry[0]
    assert set(transient["ErrorEquals"]) == DYNAMODB_TRANSIENT_ERRORS
    assert transient["BackoffRate"] > 1 and transient["JitterStrategy"] == "FULL"
    assert transient["MaxAttempts"] >= 3


@pytest.mark.parametrize("state", ["CreateTaskItem", "MarkTaskDone"])
def test_the_unnamed_dynamodb_error_is_retried_only_briefly_and_nothing_catches_everything(
    dev, state
):
    # AWS reports errors it does not name (transient 5xx and permanent validation errors alike)
    # as DynamoDB.AmazonDynamoDBException: worth a second try, not five.
    retry = _definition(dev)["States"][state]["Retry"]

    catch_all = retry[1]
    assert catch_all["ErrorEquals"] == ["DynamoDB.AmazonDynamoDBException"]
    assert catch_all["MaxAttempts"] <= 2
    assert all(not {"States.ALL", "States.TaskFailed"} & set(r["ErrorEquals"]) for r in retry)


def test_the_machine_role_allows_exactly_put_and_update_item_on_this_table(dev):
    statements = dev.role_statements(dev.named("task-tracker-workflow-role"))

    data = [s for s in statements if not s["Action"][0].startswith(("logs:", "xray:"))]
    assert sorted(data, key=lambda s: s["Action"]) == [
        {"Effect": "Allow", "Action": ["dynamodb:PutItem"], "Resource": [_table_arn(dev)]},
        {"Effect": "Allow", "Action": ["dynamodb:UpdateItem"], "Resource": [_table_arn(dev)]},
    ]
    # Everything else is the log delivery and tracing every state machine has.
    assert len(statements) == len(data) + 2


def test_the_starter_may_start_only_this_machine_and_read_only_its_executions(dev):
    statements = dev.role_statements(dev.named("task-tracker-starter-role"))
    machine_arn = _machine_arn(dev)
    machine_name = machine_arn.rsplit(":", 1)[1]

    states_statements = [s for s in statements if s["Action"][0].startswith("states:")]
    assert sorted(states_statements, key=lambda s: s["Action"]) == [
        {
            "Effect": "Allow",
            "Action": ["states:DescribeExecution"],
            "Resource": [f"arn:aws:states:us-east-1:123456789012:execution:{machine_name}:*"],
        },
        {"Effect": "Allow", "Action": ["states:StartExecution"], "Resource": [machine_arn]},
    ]
    other_actions = {a for s in statements for a in s["Action"]} - {
        "states:DescribeExecution",
        "states:StartExecution",
    }
    assert all(a.startswith(("logs:", "xray:")) for a in other_actions)


def test_the_starter_finds_the_machine_in_its_environment_and_runs_the_task_starter(dev):
    function = dev.named("task-tracker-starter-function")

    assert function.inputs["environment"]["variables"] == {
        "STATE_MACHINE_ARN": _machine_arn(dev),
        "POWERTOOLS_SERVICE_NAME": "task-tracker",
    }
    assert function.inputs["handler"] == "task_starter.app.handler"
    assert sorted(function.inputs["code"].assets) == [
        "lambda_support/__init__.py",
        "lambda_support/arns.py",
        "lambda_support/aws_errors.py",
        "lambda_support/executions.py",
        "lambda_support/lazy.py",
        "lambda_support/text.py",
        "task_starter/__init__.py",
        "task_starter/app.py",
        "task_starter/executions.py",
        "task_starter/tasks.py",
    ]


def test_the_tasks_table_is_keyed_by_task_id_string_and_timestamp_number_on_demand(dev):
    table = dev.named("task-tracker-tasks-table").inputs

    assert (table["hashKey"], table["rangeKey"]) == ("taskId", "timestamp")
    assert table["attributes"] == [
        {"name": "taskId", "type": "S"},
        {"name": "timestamp", "type": "N"},
    ]
    assert table["billingMode"] == "PAY_PER_REQUEST"


def test_the_machine_is_standard_so_waits_may_outlast_five_minutes(dev):
    assert dev.named("task-tracker-workflow-state-machine").inputs["type"] == "STANDARD"


def test_exports_name_the_starter_the_machine_and_the_table(dev):
    assert (
        dev.outputs["taskTrackerFunctionName"]
        == dev.named("task-tracker-starter-function").outputs["name"]
    )
    assert dev.outputs["taskTrackerStateMachineArn"] == _machine_arn(dev)
    assert dev.outputs["tasksTableName"] == dev.named("task-tracker-tasks-table").outputs["name"]
