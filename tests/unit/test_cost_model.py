"""The cost model: billable units counted from what a run did (benchmarks.metering) and priced
(benchmarks.pricing). One hand-computed example per kind of charge; each expected figure is
worked out in its comment from the rule on the AWS page named in benchmarks/metering.py."""

from __future__ import annotations

import pytest

from benchmarks.metering import (
    UnmeteredCallError,
    aws_call,
    dynamodb_call,
    events_call,
    express_execution,
    item_size,
    lambda_invocation,
    record_quantities,
    sns_call,
    sqs_call,
    state_transitions,
    value_size,
)
from benchmarks.pricing import UnpricedChargeError, cost
from benchmarks.seed_designs import Measured, api_item
from localcloud.usage import Usage

KB = 1024


def dollars(quantities) -> float:
    return sum(cost(quantities).values())


# -- Lambda --------------------------------------------------------------------------------


def test_an_arm64_invocation_is_a_request_and_its_milliseconds_rounded_up_times_its_memory():
    quantities = lambda_invocation(256, "arm64", 12.3)
    # 12.3 ms bills as 13 ms: 0.013 s x 0.25 GB = 0.00325 GB-s.
    assert quantities == {"lambda-requests": 1, "lambda-gb-seconds-arm64": pytest.approx(0.00325)}
    # $0.20/M + 0.00325 x $0.0000133334 = 2e-7 + 4.333355e-8
    assert dollars(quantities) == pytest.approx(2.4333355e-7)


def test_an_x86_invocation_is_priced_at_the_x86_rate():
    quantities = lambda_invocation(128, "x86_64", 100.0)
    # 0.1 s x 0.125 GB = 0.0125 GB-s; x $0.0000166667 = 2.0833375e-7
    assert quantities["lambda-gb-seconds-x86_64"] == pytest.approx(0.0125)
    assert cost(quantities)["lambda-gb-seconds-x86_64"] == pytest.approx(2.0833375e-7)


# -- Step Functions ------------------------------------------------------------------------


def test_standard_transitions_are_states_entered_plus_retries():
    history = [
        {"type": "ExecutionStarted"},
        {"type": "TaskStateEntered"},
        {"type": "TaskScheduled"},
        {"type": "TaskFailed"},
        {"type": "TaskScheduled"},  # the Retry: one more transition
        {"type": "TaskSucceeded"},
        {"type": "TaskStateExited"},
        {"type": "ChoiceStateEntered"},
        {"type": "ChoiceStateExited"},
        {"type": "SucceedStateEntered"},
        {"type": "ExecutionSucceeded"},
    ]
    assert state_transitions(history) == 4
    # 4 x $0.025 / 1,000
    assert dollars({"states-transitions": 4}) == pytest.approx(0.0001)


def test_a_parallel_states_branches_interleave_without_counting_as_retries():
    history = [
        {"type": "ParallelStateEntered"},
        {"type": "TaskStateEntered"},
        {"type": "TaskStateEntered"},
        {"type": "TaskScheduled"},
        {"type": "TaskScheduled"},
        {"type": "TaskSucceeded"},
        {"type": "TaskFailed"},
        {"type": "TaskScheduled"},  # one branch's retry
        {"type": "TaskSucceeded"},
        {"type": "ParallelStateExited"},
    ]
    assert state_transitions(history) == 4  # 3 states entered, 1 retry


def test_an_express_execution_is_a_request_and_its_duration_in_100_ms_and_64_mb_steps():
    quantities = express_execution(duration_ms=250, memory_mb=64)
    # 250 ms bills as 0.3 s; 64 MB = 0.0625 GB: 0.01875 GB-s
    assert quantities == {
        "states-express-requests": 1,
        "states-express-gb-seconds": pytest.approx(0.01875),
    }
    # $1.00/M + 0.01875 x $0.00001667 = 1e-6 + 3.125625e-7
    assert dollars(quantities) == pytest.approx(1.3125625e-6)


# -- SQS, SNS, EventBridge -----------------------------------------------------------------


def test_an_sqs_request_counts_once_per_started_64_kb_of_payload():
    assert sqs_call("SendMessage", {"MessageBody": "x" * (70 * KB)}) == {"sqs-requests": 2}
    assert sqs_call("SendMessage", {"MessageBody": "{}"}) == {"sqs-requests": 1}
    assert sqs_call("ReceiveMessage", {"QueueUrl": "q"}) == {"sqs-requests": 1}
    assert sqs_call("DeleteMessageBatch", {"Entries": [{}, {}]}) == {"sqs-requests": 1}
    # 2 x $0.40/M
    assert dollars({"sqs-requests": 2}) == pytest.approx(8e-7)


def test_an_sns_publish_counts_per_64_kb_of_message():
    assert sns_call("Publish", {"Message": "order 1: SUCCESS"}) == {"sns-publishes": 1}
    assert sns_call("Publish", {"Message": "x" * (129 * KB)}) == {"sns-publishes": 3}
    assert dollars({"sns-publishes": 1}) == pytest.approx(5e-7)


def test_custom_events_are_charged_and_aws_service_events_are_free():
    request = {
        "Entries": [
            {"Source": "aws.states", "DetailType": "Step Functions Execution Status Change"},
            {"Source": "lambda", "DetailType": "Lambda Function Invocation Result - Success"},
        ]
    }
    assert events_call("PutEvents", request) == {"events-custom": 1}
    assert events_call("PutEvents", {"Entries": [{"Source": "aws.states"}]}) == {}
    assert dollars({"events-custom": 1}) == pytest.approx(1e-6)


# -- DynamoDB ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "size"),
    [
        ({"S": "a1"}, 2),
        ({"S": "é"}, 2),  # UTF-8 bytes
        ({"N": "1"}, 2),  # 1 significant digit: ceil(1 / 2) + 1
        ({"N": "12345"}, 4),  # ceil(5 / 2) + 1
        ({"N": "100"}, 2),  # trailing zeroes trimmed: "1"
        ({"N": "-0.0012"}, 2),  # leading zeroes trimmed: "12"
        ({"BOOL": True}, 1),
        ({"NULL": True}, 1),
        ({"L": [{"S": "ab"}, {"N": "1"}]}, 7),  # 3 + 2 + 2
        ({"M": {"k": {"S": "v"}}}, 5),  # 3 + len("k") + len("v")
        ({"SS": ["a", "bc"]}, 3),
    ],
)
def test_attribute_value_sizes_follow_the_item_size_rules(value, size):
    assert value_size(value) == size


def test_an_items_size_adds_each_attribute_name():
    # "id" 2 + "a1" 2, "payload" 7 + number 1 (2)
    assert item_size({"id": {"S": "a1"}, "payload": {"N": "1"}}) == 13


def test_writes_are_one_unit_per_started_kb_and_a_failed_condition_still_consumes_one():
    small = {"TableName": "t", "Item": {"id": {"S": "a1"}}}
    large = {"TableName": "t", "Item": {"id": {"S": "a1"}, "blob": {"S": "x" * 1500}}}
    assert dynamodb_call("PutItem", small, {}, 200) == {"dynamodb-write-units": 1}
    assert dynamodb_call("PutItem", large, {}, 200) == {"dynamodb-write-units": 2}
    failed = {"__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"}
    assert dynamodb_call("UpdateItem", small, failed, 400) == {"dynamodb-write-units": 1}
    invalid = {"__type": "com.amazon.coral.validate#ValidationException"}
    assert dynamodb_call("UpdateItem", small, invalid, 400) == {}
    # 2 x $0.625/M
    assert dollars({"dynamodb-write-units": 2}) == pytest.approx(1.25e-6)


def test_reads_are_one_unit_per_started_4_kb_halved_when_eventually_consistent():
    item = {"id": {"S": "a1"}, "blob": {"S": "x" * 5000}}  # 5,008 bytes: two 4 KB steps
    assert dynamodb_call("GetItem", {"ConsistentRead": True}, {"Item": item}, 200) == {
        "dynamodb-read-units": 2.0
    }
    assert dynamodb_call("GetItem", {}, {"Item": item}, 200) == {"dynamodb-read-units": 1.0}
    assert dynamodb_call("GetItem", {}, {}, 200) == {"dynamodb-read-units": 0.5}  # not found
    # A Query sums the items it returns: 3 x 2,006 bytes = 6,018: two 4 KB steps, halved.
    items = [{"id": {"S": "a1"}, "b": {"S": "x" * 2001}} for _ in range(3)]
    assert dynamodb_call("Query", {}, {"Items": items}, 200) == {"dynamodb-read-units": 1.0}
    # 1.5 x $0.125/M
    assert dollars({"dynamodb-read-units": 1.5}) == pytest.approx(1.875e-7)


def test_a_call_without_a_rule_is_an_error_not_free():
    with pytest.raises(UnmeteredCallError, match="TransactWriteItems"):
        dynamodb_call("TransactWriteItems", {}, {}, 200)
    call = {"service": "kinesis", "operation": "PutRecord", "request": {}, "response": {}}
    with pytest.raises(UnmeteredCallError, match="kinesis PutRecord"):
        aws_call({**call, "status": 200})


# -- APIs ----------------------------------------------------------------------------------


def test_an_http_api_request_counts_per_512_kb_and_an_appsync_request_is_one_operation():
    big = Usage("http-api-request", {"api_id": "a", "request_bytes": 600 * KB})
    assert record_quantities(big) == {"http-api-requests": 2}
    assert dollars(record_quantities(big)) == pytest.approx(2e-6)
    operation = Usage("graphql-request", {"api_id": "g"})
    assert record_quantities(operation) == {"appsync-operations": 1}
    assert dollars(record_quantities(operation)) == pytest.approx(4e-6)
    assert dollars({"rest-api-requests": 1}) == pytest.approx(3.5e-6)


def test_an_unpriced_quantity_is_an_error():
    with pytest.raises(UnpricedChargeError):
        cost({"cloudwatch-logs-gb": 1})


# -- a seed design -------------------------------------------------------------------------


def test_seed_004s_item_is_a_rest_api_request_two_transitions_and_a_128_mb_x86_function():
    measured = Measured({"api-workflow-put-function": 10.0}, {}, {})
    quantities = api_item(measured)
    assert quantities == {
        "rest-api-requests": 1,
        "states-transitions": 2,
        "dynamodb-write-units": 1,
        "lambda-requests": 1,
        "lambda-gb-seconds-x86_64": pytest.approx(0.00125),  # 0.01 s x 0.125 GB
    }
    # per million: 3.50 + 50.00 + 0.625 + 0.20 + 0.00125 x 16.6667
    assert dollars(quantities) * 1e6 == pytest.approx(54.3458333, rel=1e-6)
