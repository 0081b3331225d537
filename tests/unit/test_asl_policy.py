"""Deriving a state machine role from its definition: one test per integration kind."""

import pytest

from components.asl_policy import ArnContext, UnsupportedIntegrationError, derive_statements

CTX = ArnContext(partition="aws", region="eu-west-1", account_id="123456789012")
FN = "arn:aws:lambda:eu-west-1:123456789012:function:put"
TABLE = "arn:aws:dynamodb:eu-west-1:123456789012:table/Tasks"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:orders"
MACHINE = "arn:aws:states:eu-west-1:123456789012:stateMachine:child"


def machine(*tasks: dict) -> dict:
    """A definition chaining the given Task states."""
    states = {}
    for index, task in enumerate(tasks):
        state = {"Type": "Task", **task}
        if index + 1 < len(tasks):
            state["Next"] = f"T{index + 1}"
        else:
            state["End"] = True
        states[f"T{index}"] = state
    return {"StartAt": "T0", "States": states}


def grants(definition: dict) -> dict[tuple[str, ...], list[str]]:
    return {tuple(s["Action"]): s["Resource"] for s in derive_statements(definition, CTX)}


def test_plain_function_arn_resource_allows_invoke_on_that_function_and_its_versions():
    assert grants(machine({"Resource": FN})) == {("lambda:InvokeFunction",): [FN, f"{FN}:*"]}


def test_qualified_function_arn_grants_the_unqualified_function():
    assert grants(machine({"Resource": f"{FN}:$LATEST"})) == {
        ("lambda:InvokeFunction",): [FN, f"{FN}:*"]
    }


@pytest.mark.parametrize("resource", ["lambda:invoke", "lambda:invoke.waitForTaskToken"])
def test_lambda_invoke_integration_allows_invoke_on_function_name(resource):
    task = {"Resource": f"arn:aws:states:::{resource}", "Parameters": {"FunctionName": FN}}
    assert grants(machine(task)) == {("lambda:InvokeFunction",): [FN, f"{FN}:*"]}


def test_lambda_invoke_by_bare_name_is_resolved_in_this_account_and_region():
    task = {"Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "put"}}
    assert grants(machine(task)) == {("lambda:InvokeFunction",): [FN, f"{FN}:*"]}


@pytest.mark.parametrize(
    ("api", "action"),
    [
        ("putItem", "dynamodb:PutItem"),
        ("updateItem", "dynamodb:UpdateItem"),
        ("getItem", "dynamodb:GetItem"),
        ("deleteItem", "dynamodb:DeleteItem"),
    ],
)
def test_dynamodb_integration_allows_exactly_its_action_on_the_named_table(api, action):
    task = {"Resource": f"arn:aws:states:::dynamodb:{api}", "Parameters": {"TableName": "Tasks"}}
    assert grants(machine(task)) == {(action,): [TABLE]}


def test_sns_publish_allows_publish_on_the_topic():
    task = {"Resource": "arn:aws:states:::sns:publish", "Parameters": {"TopicArn": TOPIC}}
    assert grants(machine(task)) == {("sns:Publish",): [TOPIC]}


def test_sqs_send_message_allows_send_on_the_queue_behind_the_url():
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/orders-queue"
    task = {"Resource": "arn:aws:states:::sqs:sendMessage", "Parameters": {"QueueUrl": url}}
    assert grants(machine(task)) == {
        ("sqs:SendMessage",): ["arn:aws:sqs:eu-west-1:123456789012:orders-queue"]
    }


def test_start_execution_allows_start_on_the_child_machine_only():
    task = {
        "Resource": "arn:aws:states:::states:startExecution",
        "Parameters": {"StateMachineArn": MACHINE},
    }
    assert grants(machine(task)) == {("states:StartExecution",): [MACHINE]}


def test_start_execution_sync_also_allows_watching_the_child_executions():
    task = {
        "Resource": "arn:aws:states:::states:startExecution.sync:2",
        "Parameters": {"StateMachineArn": MACHINE},
    }
    assert grants(machine(task)) == {
        ("states:StartExecution",): [MACHINE],
        ("states:DescribeExecution", "states:StopExecution"): [
            "arn:aws:states:eu-west-1:123456789012:execution:child:*"
        ],
        ("events:DescribeRule", "events:PutRule", "events:PutTargets"): [
            "arn:aws:events:eu-west-1:123456789012:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"
        ],
    }


def test_put_events_allows_each_named_bus_and_the_default_bus_when_unnamed():
    task = {
        "Resource": "arn:aws:states:::events:putEvents",
        "Parameters": {"Entries": [{"Detail": {}, "EventBusName": "orders"}, {"Detail": {}}]},
    }
    assert grants(machine(task)) == {
        ("events:PutEvents",): [
            "arn:aws:events:eu-west-1:123456789012:event-bus/default",
            "arn:aws:events:eu-west-1:123456789012:event-bus/orders",
        ]
    }


def test_tasks_inside_parallel_branches_and_maps_are_included_and_merged():
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "End": True,
                "Branches": [
                    machine({"Resource": FN}),
                    machine(
                        {
                            "Resource": "arn:aws:states:::dynamodb:putItem",
                            "Parameters": {"TableName": "Tasks"},
                        }
                    ),
                    {
                        "StartAt": "M",
                        "States": {
                            "M": {
                                "Type": "Map",
                                "End": True,
                                "ItemProcessor": machine({"Resource": f"{FN}-2"}),
                            }
                        },
                    },
                ],
            },
        },
    }
    assert grants(definition) == {
        ("dynamodb:PutItem",): [TABLE],
        ("lambda:InvokeFunction",): [FN, f"{FN}-2", f"{FN}-2:*", f"{FN}:*"],
    }


def test_states_that_call_nothing_need_no_permissions():
    assert (
        derive_statements({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}, CTX)
        == []
    )


@pytest.mark.parametrize(
    ("resource", "params", "message"),
    [
        (
            "arn:aws:states:::glue:startJobRun",
            {"JobName": "j"},
            "no permissions known for the glue",
        ),
        (
            "arn:aws:states:::dynamodb:scan",
            {"TableName": "Tasks"},
            "dynamodb:scan is not supported",
        ),
        ("arn:aws:states:eu-west-1:123456789012:activity:review", {}, "unknown Task resource"),
        ("arn:aws:states:::dynamodb:putItem", {"TableName.$": "$.table"}, "chosen at run time"),
        ("arn:aws:states:::lambda:invoke", {}, "FunctionName is missing"),
    ],
)
def test_unknown_or_dynamic_resources_are_errors_not_silently_ignored(resource, params, message):
    with pytest.raises(UnsupportedIntegrationError, match=message):
        derive_statements(machine({"Resource": resource, "Parameters": params}), CTX)
