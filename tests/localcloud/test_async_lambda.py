"""Lambda asynchronous invocation: queued, retried on the clock, routed to destinations."""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.localcloud.conftest import allows, grant, invoke, make_function, queue_arn

ECHO = """
def handler(event, context):
    return {"echo": event}
"""
ALWAYS_FAILS = """
class PaymentDeclined(Exception):
    pass

def handler(event, context):
    raise PaymentDeclined("card refused")
"""


def queue(name: str) -> tuple[str, str]:
    """A new queue's URL and ARN."""
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


def messages(url: str) -> list[Any]:
    """Every message body in the queue, decoded, deleting them."""
    sqs = boto3.client("sqs")
    bodies: list[Any] = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        bodies.extend(json.loads(message["Body"]) for message in batch)
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


def allow(function: str, action: str, resource: str) -> None:
    """Let the function's execution role (made by make_function) perform ``action``."""
    grant(f"{function}-role", allows(resource, action), f"{function}-{action.replace(':', '-')}")


def configure(function: str, **config: Any) -> None:
    boto3.client("lambda").put_function_event_invoke_config(FunctionName=function, **config)


def invoke_async(function: str, event: Any) -> dict[str, Any]:
    return dict(
        boto3.client("lambda").invoke(
            FunctionName=function, InvocationType="Event", Payload=json.dumps(event)
        )
    )


GATED = """
import time, boto3
def handler(event, context):
    sqs, give_up = boto3.client("sqs"), time.monotonic() + 2
    while not sqs.receive_message(QueueUrl={gate!r}).get("Messages"):
        assert time.monotonic() < give_up, "the gate never opened"
        time.sleep(0.005)
    return "done"
"""


def gated_function(name: str) -> tuple[str, str]:
    """A function that cannot finish (for two seconds at most) until a message is sent to its
    gate queue; its ARN and the gate's URL."""
    gate, gate_arn = queue(f"{name}-gate")
    files = {"main.py": GATED.format(gate=gate)}
    return make_function(name, files, statements=allows(gate_arn, "sqs:ReceiveMessage")), gate


def test_an_event_invoke_answers_202_at_once_and_the_function_runs_later(aws):
    # Given a function that cannot finish until the test opens its gate
    _, gate = gated_function("gated")

    # When it is invoked asynchronously
    response = invoke_async("gated", {"n": 1})

    # Then the caller gets 202 and an empty body while the function is still running
    assert response["StatusCode"] == 202
    assert response["Payload"].read() == b""
    assert aws.runtime.invocations == []
    # And the function finishes in the background
    boto3.client("sqs").send_message(QueueUrl=gate, MessageBody="go")
    aws.dispatcher.drain()
    assert aws.runtime.invocations == [("gated", False)]


def test_an_event_invoke_of_an_unknown_function_fails_at_the_call(aws):
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        invoke_async("nobody", {})


def test_a_success_goes_to_the_on_success_queue_as_the_aws_invocation_record(aws):
    # Given a function whose successes go to a queue
    arn = make_function("echo", {"main.py": ECHO})
    url, queue_arn = queue("succeeded")
    allow("echo", "sqs:SendMessage", queue_arn)
    configure("echo", DestinationConfig={"OnSuccess": {"Destination": queue_arn}})

    # When it is invoked asynchronously and succeeds
    invoke_async("echo", {"order": 7})
    aws.dispatcher.drain()

    # Then the queue holds the invocation record Lambda sends
    [record] = messages(url)
    assert datetime.fromisoformat(record.pop("timestamp"))
    assert (
        record.pop("requestContext").items()
        >= {
            "functionArn": f"{arn}:$LATEST",
            "condition": "Success",
            "approximateInvokeCount": 1,
        }.items()
    )
    assert record == {
        "version": "1.0",
        "requestPayload": {"order": 7},
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST"},
        "responsePayload": {"echo": {"order": 7}},
    }


@pytest.mark.parametrize(("retries", "attempts"), [(None, 3), (0, 1), (1, 2)])
def test_a_failing_function_is_retried_then_its_record_goes_to_on_failure(aws, retries, attempts):
    # Given a function that always raises, with its failures going to a queue
    arn = make_function("charge", {"main.py": ALWAYS_FAILS})
    url, queue_arn = queue("failed")
    allow("charge", "sqs:SendMessage", queue_arn)
    retry = {} if retries is None else {"MaximumRetryAttempts": retries}
    configure("charge", DestinationConfig={"OnFailure": {"Destination": queue_arn}}, **retry)

    # When it is invoked asynchronously
    invoke_async("charge", {"amount": 5})
    aws.dispatcher.drain()

    # Then it ran MaximumRetryAttempts + 1 times (2 retries by default) and then the record
    # says so, with the error the function raised
    assert aws.runtime.invocations == [("charge", True)] * attempts
    [record] = messages(url)
    assert record["requestContext"]["functionArn"] == f"{arn}:$LATEST"
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == attempts
    assert record["requestPayload"] == {"amount": 5}
    assert record["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    assert record["responsePayload"]["errorType"] == "PaymentDeclined"
    assert record["responsePayload"]["errorMessage"] == "card refused"


def test_an_event_older_than_the_maximum_age_is_not_retried(aws):
    # Given a failing function whose events may be at most 60 s old (the first retry is at 60 s)
    make_function("charge", {"main.py": ALWAYS_FAILS})
    url, queue_arn = queue("failed")
    allow("charge", "sqs:SendMessage", queue_arn)
    configure(
        "charge",
        MaximumEventAgeInSeconds=60,
        DestinationConfig={"OnFailure": {"Destination": queue_arn}},
    )

    invoke_async("charge", {})
    aws.dispatcher.drain()

    # Then it ran once and the event was discarded for its age
    assert aws.runtime.invocations == [("charge", True)]
    [record] = messages(url)
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == 1


def test_a_record_can_go_to_an_sns_topic(aws):
    # Given a function whose successes go to a topic that a queue subscribes to
    make_function("echo", {"main.py": ECHO})
    sns = boto3.client("sns")
    topic = sns.create_topic(Name="results")["TopicArn"]
    url, queue_arn = queue("subscriber")
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true"},
    )
    allow("echo", "sns:Publish", topic)
    configure("echo", DestinationConfig={"OnSuccess": {"Destination": topic}})

    invoke_async("echo", {"id": "a"})
    aws.dispatcher.drain()

    [record] = messages(url)
    assert record["requestContext"]["condition"] == "Success"
    assert record["responsePayload"] == {"echo": {"id": "a"}}


def test_a_record_can_go_to_another_function_invoked_asynchronously(aws):
    # Given a function whose failures go to a second function, which forwards what it gets
    make_function("charge", {"main.py": ALWAYS_FAILS})
    url, _ = queue("forwarded")
    handler_arn = make_function(
        "on-failure",
        {
            "main.py": f"""
            import boto3, json
            def handler(event, context):
                boto3.client("sqs").send_message(QueueUrl={url!r}, MessageBody=json.dumps(event))
        """
        },
        statements=allows(queue_arn("forwarded"), "sqs:SendMessage"),
    )
    allow("charge", "lambda:InvokeFunction", handler_arn)
    configure(
        "charge",
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": handler_arn}},
    )

    invoke_async("charge", {"amount": 1})
    aws.dispatcher.drain()

    # Then the second function ran after the first, with the record as its event
    assert aws.runtime.invocations == [("charge", True), ("on-failure", False)]
    [record] = messages(url)
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestPayload"] == {"amount": 1}


def test_a_record_can_go_to_an_event_bus_matching_the_pattern_cdk_uses(aws):
    # Given a function whose outcomes go to an event bus, with one rule per outcome as CDK
    # writes them (rules deliver to queues here; test_eventbridge_lambda has Lambda targets)
    arn = make_function("echo", {"main.py": ECHO})
    events = boto3.client("events")
    bus = events.create_event_bus(Name="results")["EventBusArn"]
    queues = {}
    for outcome in ("Success", "Failure"):
        url, queue_arn = queue(f"on-{outcome.lower()}")
        pattern = {
            "detail-type": [f"Lambda Function Invocation Result - {outcome}"],
            "source": ["lambda"],
            "resources": [f"{arn}:$LATEST"],
        }
        events.put_rule(Name=outcome, EventBusName="results", EventPattern=json.dumps(pattern))
        events.put_targets(
            Rule=outcome, EventBusName="results", Targets=[{"Id": "q", "Arn": queue_arn}]
        )
        queues[outcome] = url
    allow("echo", "events:PutEvents", bus)
    configure(
        "echo",
        DestinationConfig={"OnSuccess": {"Destination": bus}, "OnFailure": {"Destination": bus}},
    )

    # When it succeeds
    invoke_async("echo", {"id": "b"})
    aws.dispatcher.drain()

    # Then only the success rule matched, and the event carries the record as its detail, the
    # function's and the bus's ARNs as its resources (aws-cdk, aws-lambda-destinations README,
    # "Destination-specific JSON format")
    [event] = messages(queues["Success"])
    assert messages(queues["Failure"]) == []
    assert event["source"] == "lambda"
    assert event["detail-type"] == "Lambda Function Invocation Result - Success"
    assert event["resources"] == [f"{arn}:$LATEST", bus]
    assert event["detail"]["requestContext"]["condition"] == "Success"
    assert event["detail"]["responsePayload"] == {"echo": {"id": "b"}}


def test_a_synchronous_invoke_never_reaches_a_destination(aws):
    # Given functions with both destinations configured
    url, queue_arn = queue("outcomes")
    for name, source in (("echo", ECHO), ("charge", ALWAYS_FAILS)):
        make_function(name, {"main.py": source})
        allow(name, "sqs:SendMessage", queue_arn)
        configure(
            name,
            DestinationConfig={
                "OnSuccess": {"Destination": queue_arn},
                "OnFailure": {"Destination": queue_arn},
            },
        )

    # When they are invoked synchronously
    invoke("echo", {})
    invoke("charge", {})
    aws.dispatcher.drain()

    # Then each ran once, unretried, and nothing was sent
    assert aws.runtime.invocations == [("echo", False), ("charge", True)]
    assert messages(url) == []


def test_a_destination_the_role_may_not_send_to_is_refused_when_configured(aws):
    # Given a function whose role has no permission on the queue
    make_function("echo", {"main.py": ECHO})
    _, queue_arn = queue("forbidden")

    # When the queue is configured as its destination
    with pytest.raises(ClientError) as refused:
        configure("echo", DestinationConfig={"OnSuccess": {"Destination": queue_arn}})

    # Then Lambda refuses it, naming the destination and the missing action, and keeps nothing
    error = refused.value.response["Error"]
    assert error["Code"] == "InvalidParameterValueException"
    assert f"The destination ARN {queue_arn} is invalid" in error["Message"]
    assert "sqs:SendMessage" in error["Message"]
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        boto3.client("lambda").get_function_event_invoke_config(FunctionName="echo")


def test_a_second_put_replaces_the_configuration_and_an_update_merges_into_it(aws):
    make_function("echo", {"main.py": ECHO})
    _, queue_arn = queue("outcomes")
    allow("echo", "sqs:SendMessage", queue_arn)
    lambda_ = boto3.client("lambda")

    configure(
        "echo", MaximumRetryAttempts=2, DestinationConfig={"OnSuccess": {"Destination": queue_arn}}
    )
    configure("echo", MaximumRetryAttempts=1)
    replaced = lambda_.get_function_event_invoke_config(FunctionName="echo")
    lambda_.update_function_event_invoke_config(
        FunctionName="echo", DestinationConfig={"OnFailure": {"Destination": queue_arn}}
    )
    merged = lambda_.get_function_event_invoke_config(FunctionName="echo")

    assert replaced["MaximumRetryAttempts"] == 1
    assert "DestinationConfig" not in replaced
    assert merged["MaximumRetryAttempts"] == 1
    assert merged["DestinationConfig"]["OnFailure"]["Destination"] == queue_arn


def test_retries_wait_on_the_clock(manual_aws):
    # Given a failing function retried once, on a clock that moves only when told
    make_function("charge", {"main.py": ALWAYS_FAILS})
    configure("charge", MaximumRetryAttempts=1)

    invoke_async("charge", {})
    _eventually(lambda: manual_aws.runtime.invocations == [("charge", True)])

    # Then the retry waits for a minute of clock time
    manual_aws.clock.advance(59)
    time.sleep(0.05)
    assert manual_aws.runtime.invocations == [("charge", True)]
    manual_aws.clock.advance(1)
    manual_aws.dispatcher.drain()
    assert manual_aws.runtime.invocations == [("charge", True)] * 2


def _eventually(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.005)
