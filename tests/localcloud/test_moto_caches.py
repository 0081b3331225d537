"""localcloud parses each state machine definition and each JSONPath once (``moto_caches``);
what an execution evaluates is still its own.

The behaviours pinned are the AWS Step Functions ones from the Amazon States Language
specification (https://states-language.net/spec.html): "Retrying after error" (MaxAttempts counts
the retries of one state in one execution) and "Input and Output Processing" (InputPath and
ResultPath act on each execution's own input).
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from antlr4 import CommonTokenStream, InputStream
from botocore.exceptions import ClientError
from moto.dynamodb.responses import DynamoHandler
from moto.stepfunctions.parser.asl.antlr.runtime.ASLLexer import ASLLexer
from moto.stepfunctions.parser.asl.antlr.runtime.ASLParser import ASLParser
from moto.stepfunctions.responses import StepFunctionResponse

from localcloud import moto_caches
from tests.conftest import create_table
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


# -- DynamoDB item actions written directly ---------------------------------------------------

MOTO_SERIALIZED = DynamoHandler.serialized  # moto's own, before any emulator

EVERY_TYPE = {
    "id": {"S": "a"},
    "count": {"N": "3.50"},
    "nothing": {"NULL": True},
    "flag": {"BOOL": False},
    "names": {"SS": ["x", "y"]},
    "numbers": {"NS": ["1", "2"]},
    "nested": {"M": {"list": {"L": [{"S": "x"}, {"N": "1"}, {"M": {}}]}}},
}


def _item_calls(dynamodb: Any) -> None:
    """One call of each action written directly, with items of every non-binary type."""
    table = "items"
    key = {"id": {"S": "a"}}
    dynamodb.put_item(TableName=table, Item=EVERY_TYPE, ReturnConsumedCapacity="TOTAL")
    dynamodb.put_item(
        TableName=table, Item={**EVERY_TYPE, "id": {"S": "b"}}, ReturnValues="ALL_OLD"
    )
    dynamodb.get_item(TableName=table, Key=key)
    dynamodb.get_item(TableName=table, Key={"id": {"S": "missing"}})
    dynamodb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET #c = :c",
        ExpressionAttributeNames={"#c": "count"},
        ExpressionAttributeValues={":c": {"N": "4"}},
        ReturnValues="ALL_NEW",
    )
    dynamodb.query(
        TableName=table,
        KeyConditionExpression="id = :id",
        ExpressionAttributeValues={":id": {"S": "a"}},
        ReturnConsumedCapacity="TOTAL",
    )
    dynamodb.scan(TableName=table, Limit=1)  # a LastEvaluatedKey
    dynamodb.batch_get_item(RequestItems={table: {"Keys": [key, {"id": {"S": "b"}}]}})
    dynamodb.transact_get_items(TransactItems=[{"Get": {"TableName": table, "Key": key}}])
    dynamodb.transact_write_items(
        TransactItems=[{"Put": {"TableName": table, "Item": {**EVERY_TYPE, "id": {"S": "c"}}}}]
    )
    dynamodb.batch_write_item(
        RequestItems={table: [{"DeleteRequest": {"Key": {"id": {"S": "c"}}}}]}
    )
    dynamodb.delete_item(TableName=table, Key={"id": {"S": "b"}}, ReturnValues="ALL_OLD")


def test_dynamodb_item_answers_read_the_same_as_from_motos_serializer(aws, monkeypatch):
    create_table("items")
    answers: list[tuple[str, bool, Any, Any]] = []
    direct = DynamoHandler.serialized
    assert direct is not MOTO_SERIALIZED  # two ways compared
    moto_wrote: list[bool] = []

    def moto_writes(handler: Any, action_result: Any) -> Any:
        moto_wrote.append(True)
        return MOTO_SERIALIZED(handler, action_result)

    def both(handler: Any, action_result: Any) -> Any:
        moto_wrote.clear()
        status, headers, body = direct(handler, action_result)
        answers.append(
            (
                handler._get_action(),
                bool(moto_wrote),
                (status, dict(headers), json.loads(body)),  # as they were: moto adds more later
                MOTO_SERIALIZED(handler, action_result),
            )
        )
        return status, headers, body

    monkeypatch.setattr(moto_caches, "_MOTO_DYNAMODB_SERIALIZED", moto_writes)
    monkeypatch.setattr(DynamoHandler, "serialized", both)
    _item_calls(boto3.client("dynamodb"))

    # Then each is written directly unless it holds item collection metrics, and reads the same
    # (each action's "Response Syntax", Amazon DynamoDB API Reference)
    assert [(action, by_moto) for action, by_moto, _, _ in answers] == [
        ("PutItem", False),  # ReturnConsumedCapacity
        ("PutItem", False),
        ("GetItem", False),
        ("GetItem", False),
        ("UpdateItem", False),
        ("Query", False),  # ReturnConsumedCapacity
        ("Scan", False),
        ("BatchGetItem", False),
        ("TransactGetItems", False),
        ("TransactWriteItems", True),  # ItemCollectionMetrics
        ("BatchWriteItem", True),  # ItemCollectionMetrics
        ("DeleteItem", False),
    ]
    for action, _, written_directly, (status, headers, body) in answers:
        assert written_directly == (status, dict(headers), json.loads(body)), action


def test_a_binary_attribute_is_base64_as_the_api_writes_it(aws):
    # JSON protocol: a blob travels as base64 text (AttributeValue "B", DynamoDB API Reference)
    create_table("items")
    dynamodb = boto3.client("dynamodb")
    dynamodb.put_item(TableName="items", Item={"id": {"S": "a"}, "data": {"B": b"\x00\x01hi"}})

    item = dynamodb.get_item(TableName="items", Key={"id": {"S": "a"}})["Item"]

    assert item["data"] == {"B": b"\x00\x01hi"}


def _nodes(tree: Any) -> list[Any]:
    found, pending = [], [tree]
    while pending:
        node = pending.pop()
        found.append(node)
        pending.extend(reversed(getattr(node, "children", None) or ()))
    return found


def test_each_node_of_a_cached_tree_has_the_text_antlr_gives_it():
    definition = json.dumps(
        {
            "Comment": 'quotes " and \\\\ and é, ✓',
            "StartAt": "Pass",
            "States": {
                "Pass": {
                    "Type": "Pass",
                    "Result": {"n": [1, 2.5, None]},
                    "ResultPath": "$.r",
                    "End": True,
                }
            },
        }
    )
    fresh = ASLParser(CommonTokenStream(ASLLexer(InputStream(definition)))).state_machine()

    cached = moto_caches._syntax_tree(definition)

    assert [node.getText() for node in _nodes(cached)] == [
        type(node).getText(node) for node in _nodes(fresh)
    ]
    assert "getText" not in vars(_nodes(fresh)[0])  # the fresh tree answers with ANTLR's own
