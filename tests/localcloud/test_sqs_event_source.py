"""SQS event source mappings: batches, partial batch responses, visibility timeout, redrive."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3

from tests.localcloud.conftest import allows, make_function, queue_arn

# Records what it was given in the `seen` queue: [[body, receive count], ...] per invocation,
# then fails as FAILURE says: "" never, "raise" raises on a batch holding a record it must
# fail, "report" reports such records as batchItemFailures.
RECORDER = """
import json
import boto3

SQS = boto3.client("sqs")
FAILURE = {failure!r}

def must_fail(record):
    receives = int(record["attributes"]["ApproximateReceiveCount"])
    return record["body"] == "poison" or (record["body"] == "flaky" and receives == 1)

def handler(event, context):
    records = event["Records"]
    seen = [[r["body"], int(r["attributes"]["ApproximateReceiveCount"])] for r in records]
    url = SQS.get_queue_url(QueueName="seen")["QueueUrl"]
    SQS.send_message(QueueUrl=url, MessageBody=json.dumps(seen))
    failing = [r["messageId"] for r in records if must_fail(r)]
    if FAILURE == "raise" and failing:
        raise RuntimeError("cannot process " + ", ".join(failing))
    if FAILURE == "report":
        return {{"batchItemFailures": [{{"itemIdentifier": m}} for m in failing]}}
"""


def queue(name: str, **attributes: Any) -> tuple[str, str]:
    """A new queue's URL and ARN."""
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName=name, Attributes={k: str(v) for k, v in attributes.items()})[
        "QueueUrl"
    ]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


def send(url: str, *bodies: str) -> None:
    for body in bodies:
        boto3.client("sqs").send_message(QueueUrl=url, MessageBody=body)


def drain_queue(url: str) -> list[dict[str, Any]]:
    """Every message in the queue, deleting them."""
    sqs = boto3.client("sqs")
    received: list[dict[str, Any]] = []
    while batch := sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
    ).get("Messages", []):
        received.extend(batch)
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return received


def seen_batches() -> list[Any]:
    url = boto3.client("sqs").get_queue_url(QueueName="seen")["QueueUrl"]
    return [json.loads(message["Body"]) for message in drain_queue(url)]


def counts(url: str) -> tuple[int, int]:
    """(visible, in flight) messages in the queue."""
    attributes = boto3.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])[
        "Attributes"
    ]
    return int(attributes["ApproximateNumberOfMessages"]), int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def recorder(name: str, failure: str = "") -> None:
    queue("seen")
    make_function(
        name,
        {"main.py": RECORDER.format(failure=failure)},
        statements=allows(queue_arn("seen"), "sqs:GetQueueUrl", "sqs:SendMessage"),
    )


def map_queue(function: str, queue_arn: str, **settings: Any) -> str:
    mapping = boto3.client("lambda").create_event_source_mapping(
        FunctionName=function, EventSourceArn=queue_arn, **settings
    )
    return str(mapping["UUID"])


def eventually(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.005)


def test_the_function_gets_batches_of_up_to_batch_size_and_processed_messages_are_deleted(aws):
    # Given ten messages waiting and a mapping with a batch size of five
    recorder("worker")
    url, arn = queue("jobs")
    send(url, *(f"m{i}" for i in range(10)))

    map_queue("worker", arn, BatchSize=5)
    aws.dispatcher.drain()

    # Then the function ran twice, on five messages each, and the queue is empty
    assert aws.runtime.invocations == [("worker", False)] * 2
    assert seen_batches() == [
        [[f"m{i}", 1] for i in range(5)],
        [[f"m{i}", 1] for i in range(5, 10)],
    ]
    assert counts(url) == (0, 0)


def test_each_message_arrives_once_as_the_aws_sqs_record(aws):
    # Given a function that forwards the event it gets
    url, arn = queue("orders")
    forward_url, _ = queue("forwarded")
    make_function(
        "forwarder",
        {
            "main.py": f"""
            import boto3, json
            def handler(event, context):
                body = json.dumps(event)
                boto3.client("sqs").send_message(QueueUrl={forward_url!r}, MessageBody=body)
        """
        },
        statements=allows(queue_arn("forwarded"), "sqs:SendMessage"),
    )
    map_queue("forwarder", arn)

    # When a message with an attribute is sent
    before = int(time.time() * 1000)
    sent = boto3.client("sqs").send_message(
        QueueUrl=url,
        MessageBody='{"order": 1}',
        MessageAttributes={"tenant": {"DataType": "String", "StringValue": "acme"}},
    )
    aws.dispatcher.drain()

    # Then the function ran once (moto's own per-message delivery is off) with the record
    # Lambda builds from the received message
    assert aws.runtime.invocations == [("forwarder", False)]
    [event] = [json.loads(message["Body"]) for message in drain_queue(forward_url)]
    [record] = event["Records"]
    attributes = record.pop("attributes")
    assert record.pop("receiptHandle")
    assert record.pop("md5OfMessageAttributes") == sent["MD5OfMessageAttributes"]
    assert record == {
        "messageId": sent["MessageId"],
        "body": '{"order": 1}',
        "messageAttributes": {
            "tenant": {
                "stringValue": "acme",
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": "String",
            }
        },
        "md5OfBody": sent["MD5OfMessageBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": arn,
        "awsRegion": "us-east-1",
    }
    assert attributes["ApproximateReceiveCount"] == "1"
    assert int(attributes["SentTimestamp"]) >= before
    assert int(attributes["ApproximateFirstReceiveTimestamp"]) >= int(attributes["SentTimestamp"])
    assert attributes["SenderId"]
    assert counts(url) == (0, 0)


def test_a_function_error_keeps_the_whole_batch_for_another_try(aws):
    # Given a function that raises when a batch holds a message it fails on its first receive
    recorder("worker", failure="raise")
    url, arn = queue("jobs", VisibilityTimeout=5)
    send(url, "a", "flaky", "b")

    map_queue("worker", arn)
    aws.dispatcher.drain()

    # Then the whole batch came back after the visibility timeout and succeeded the second time
    assert aws.runtime.invocations == [("worker", True), ("worker", False)]
    assert seen_batches() == [
        [["a", 1], ["flaky", 1], ["b", 1]],
        [["a", 2], ["flaky", 2], ["b", 2]],
    ]
    assert counts(url) == (0, 0)


def test_a_partial_batch_response_keeps_only_the_failed_message_until_the_visibility_timeout(
    manual_aws,
):
    # Given a function that reports the message it cannot process yet, on a manual clock
    recorder("worker", failure="report")
    url, arn = queue("jobs", VisibilityTimeout=30)
    send(url, "a", "flaky", "b")

    map_queue("worker", arn, FunctionResponseTypes=["ReportBatchItemFailures"])
    eventually(lambda: len(manual_aws.runtime.invocations) == 1)

    # Then only the failed message is left, in flight until 30 s have passed on the clock
    eventually(lambda: counts(url) == (0, 1))
    manual_aws.clock.advance(29)
    time.sleep(0.05)
    assert len(manual_aws.runtime.invocations) == 1
    manual_aws.clock.advance(1)
    manual_aws.dispatcher.drain()

    # And it was processed on its second receive
    assert manual_aws.runtime.invocations == [("worker", False)] * 2
    assert seen_batches() == [[["a", 1], ["flaky", 1], ["b", 1]], [["flaky", 2]]]
    assert counts(url) == (0, 0)


def test_a_poison_message_moves_to_the_dead_letter_queue_after_max_receive_count(aws):
    # Given a queue that redrives after three receives, and a function that always fails on
    # one message
    recorder("worker", failure="raise")
    dlq_url, dlq_arn = queue("jobs-dlq")
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})
    url, arn = queue("jobs", VisibilityTimeout=2, RedrivePolicy=redrive)
    send(url, "ok-1", "poison", "ok-2")

    map_queue("worker", arn, BatchSize=1)
    aws.dispatcher.drain()

    # Then the poison message was tried three times and moved on; the others were processed once
    batches = seen_batches()
    assert [batch for batch in batches if batch[0][0] == "poison"] == [
        [["poison", n]] for n in (1, 2, 3)
    ]
    assert sorted(batch[0][0] for batch in batches if batch[0][0] != "poison") == ["ok-1", "ok-2"]
    assert counts(url) == (0, 0)
    [dead] = drain_queue(dlq_url)
    assert dead["Body"] == "poison"
    assert dead["Attributes"]["ApproximateReceiveCount"] == "4"  # three from "jobs", one here


def test_a_batching_window_gathers_messages_and_send_message_invokes_nothing(manual_aws):
    # Given a mapping that waits up to 20 s for a full batch, on a manual clock
    recorder("worker")
    url, arn = queue("jobs")
    map_queue("worker", arn, BatchSize=10, MaximumBatchingWindowInSeconds=20)

    # When three messages are sent one by one (moto alone would invoke once per send)
    send(url, "a", "b", "c")
    time.sleep(0.1)
    assert manual_aws.runtime.invocations == []

    # Then nothing is delivered before the window ends, and then all three as one batch
    manual_aws.clock.advance(19)
    time.sleep(0.05)
    assert manual_aws.runtime.invocations == []
    manual_aws.clock.advance(1)
    manual_aws.dispatcher.drain()
    assert manual_aws.runtime.invocations == [("worker", False)]
    assert seen_batches() == [[["a", 1], ["b", 1], ["c", 1]]]


def test_a_disabled_mapping_delivers_nothing_until_enabled(aws):
    recorder("worker")
    url, arn = queue("jobs")
    mapping = map_queue("worker", arn, Enabled=False)
    send(url, "a")

    aws.dispatcher.drain()
    assert aws.runtime.invocations == []
    assert counts(url) == (1, 0)

    boto3.client("lambda").update_event_source_mapping(UUID=mapping, Enabled=True)
    aws.dispatcher.drain()
    assert seen_batches() == [[["a", 1]]]
