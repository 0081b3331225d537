"""The usage meter records what the cloud did, whoever asked: each AWS call moto answered with
its parameters and answer, each Lambda invocation with the function's memory and architecture."""

from __future__ import annotations

import contextlib

import boto3
from moto.core.responses import BaseResponse

from localcloud.usage import UsageMeter


def test_calls_are_recorded_with_their_parameters_and_answers(aws):
    dynamodb = boto3.client("dynamodb", region_name=aws.region)
    dynamodb.create_table(
        TableName="items",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    with aws.usage.window() as records:
        dynamodb.put_item(TableName="items", Item={"id": {"S": "a1"}})
        refused = dynamodb.exceptions.ConditionalCheckFailedException
        with contextlib.suppress(refused):
            dynamodb.put_item(
                TableName="items",
                Item={"id": {"S": "a1"}},
                ConditionExpression="attribute_not_exists(id)",
            )
        boto3.client("sqs", region_name=aws.region).create_queue(QueueName="q")

    assert [
        (r.kind, r.details["service"], r.details["operation"], r.details["status"]) for r in records
    ] == [
        ("aws-call", "dynamodb", "PutItem", 200),
        ("aws-call", "dynamodb", "PutItem", 400),
        ("aws-call", "sqs", "CreateQueue", 200),
    ]
    assert records[0].details["request"]["Item"] == {"id": {"S": "a1"}}
    assert records[1].details["response"]["__type"].endswith("ConditionalCheckFailedException")
    assert records[2].details["request"] == {"QueueName": "q"}


def test_an_observers_calls_are_not_recorded(aws):
    sqs = boto3.client("sqs", region_name=aws.region)
    with aws.usage.window() as records:
        with aws.usage.unmetered():
            sqs.list_queues()
        sqs.create_queue(QueueName="seen")
    assert [r.details["operation"] for r in records] == ["CreateQueue"]


def test_nothing_is_kept_outside_a_window(aws):
    sqs = boto3.client("sqs", region_name=aws.region)
    with aws.usage.window() as first:
        sqs.create_queue(QueueName="inside")
    sqs.create_queue(QueueName="between")  # kept by no one: a serving cloud does not grow
    with aws.usage.window() as second:
        sqs.list_queues()
    assert [r.details["operation"] for r in first] == ["CreateQueue"]
    assert [r.details["operation"] for r in second] == ["ListQueues"]


def test_uninstall_puts_moto_back():
    original = BaseResponse._dispatch
    meter = UsageMeter()
    meter.install()
    assert BaseResponse._dispatch is not original
    meter.uninstall()
    assert BaseResponse._dispatch is original
