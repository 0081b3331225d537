"""EventBridge invoking Lambda targets, and the chain the loan processor is built of: function A's
successes go to the default event bus, a rule passes A's return value on to function B, B's
outcomes go to queues (the rule and target CDK's ``LambdaDestination(responseOnly=True)`` makes:
aws-cdk, packages/aws-cdk-lib/aws-lambda-destinations/lib/lambda.ts).

Every resource is provisioned through ``MotoProvisioner`` from the inputs a Pulumi program's mocks
see, and every role has only the policies a deployment would give it. One emulator, on a clock
that moves only when a test advances it, serves the whole module; each test uses its own names.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from localcloud import emulator
from localcloud.clock import Clock
from localcloud.cloud import Emulator
from tests.localcloud.conftest import allows, make_function
from tests.localcloud.test_async_lambda import gated_function, invoke_async, messages, queue
from tests.localcloud.test_provisioned_resources import Provisioner

PROVISIONED_HERE = frozenset(
    {
        "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
        "aws:cloudwatch/eventRule:EventRule",
        "aws:cloudwatch/eventTarget:EventTarget",
        "aws:lambda/permission:Permission",
    }
)
"""The types these tests provision (``Provisioner.create`` checks each against the table)."""
DEFAULT_BUS = "arn:aws:events:us-east-1:123456789012:event-bus/default"
SUCCESS = "Lambda Function Invocation Result - Success"
# The loan processor's first step: adds the identity check's result to the state it is given.
IDENTITY = """
def handler(event, context):
    if event.get("fail"):
        raise RuntimeError("the identity service answered 500")
    return {**event, "identity": {"electoralRole": True, "bankAccount": False}}
"""
# Its second step: adds the credit rating.
CREDIT = """
def handler(event, context):
    return {**event, "creditRating": "Good"}
"""


@pytest.fixture(scope="module")
def cloud() -> Iterator[Emulator]:
    with emulator(clock=Clock("manual")) as running:
        yield running


def calls(cloud: Emulator, prefix: str) -> list[tuple[str, bool]]:
    """The invocations of this test's functions (named ``<prefix>-...``), in order."""
    return [call for call in cloud.runtime.invocations if call[0].startswith(f"{prefix}-")]


def eventually(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.005)


def recorder(name: str, url: str, arn: str) -> str:
    """A function that sends every event it gets to the queue at ``url`` (ARN ``arn``)."""
    return make_function(
        name,
        {
            "main.py": f"""
            import json, boto3
            SQS = boto3.client("sqs")
            def handler(event, context):
                SQS.send_message(QueueUrl={url!r}, MessageBody=json.dumps(event))
        """
        },
        statements=allows(arn, "sqs:SendMessage"),
    )


def chain(cloud: Emulator, prefix: str, **first_config: Any) -> dict[str, str]:
    """A -> default bus -> rule (A's successes) -> B with ``$.detail.responsePayload`` -> queues.

    A's role may put events on the default bus and send to the failure queue; B's role may send
    to both queues; B's resource policy lets EventBridge invoke it for this rule alone."""
    provision = Provisioner(cloud)
    output_url, output = queue(f"{prefix}-output")
    failures_url, failures = queue(f"{prefix}-failures")
    first = make_function(
        f"{prefix}-identity",
        {"main.py": IDENTITY},
        statements=[
            *allows(DEFAULT_BUS, "events:PutEvents"),
            *allows(failures, "sqs:SendMessage"),
        ],
    )
    second = make_function(
        f"{prefix}-credit",
        {"main.py": CREDIT},
        statements=[*allows(output, "sqs:SendMessage"), *allows(failures, "sqs:SendMessage")],
    )
    pattern = {"detail-type": [SUCCESS], "resources": [f"{first}:$LATEST"], "source": ["lambda"]}
    rule = provision.create(
        "cloudwatch/eventRule:EventRule", f"{prefix}-success", eventPattern=json.dumps(pattern)
    )
    provision.create(
        "cloudwatch/eventTarget:EventTarget",
        f"{prefix}-next",
        rule=rule["name"],
        arn=second,
        inputPath="$.detail.responsePayload",
    )
    provision.create(
        "lambda/permission:Permission",
        f"{prefix}-from-rule",
        action="lambda:InvokeFunction",
        function=second,
        principal="events.amazonaws.com",
        sourceArn=rule["arn"],
    )
    provision.create(
        "lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
        f"{prefix}-identity-async",
        functionName=first,
        destinationConfig={
            "onSuccess": {"destination": DEFAULT_BUS},
            "onFailure": {"destination": failures},
        },
        **first_config,
    )
    provision.create(
        "lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
        f"{prefix}-credit-async",
        functionName=second,
        maximumRetryAttempts=0.0,
        destinationConfig={
            "onSuccess": {"destination": output},
            "onFailure": {"destination": failures},
        },
    )
    return {"first": first, "second": second, "output": output_url, "failures": failures_url}


def test_as_return_value_reaches_b_and_bs_record_reaches_the_output_queue(cloud):
    # Given the chain, A's retries set to 0 as the loan processor sets them
    resources = chain(cloud, "happy", maximumRetryAttempts=0.0)
    state = {"correlationId": "c-1", "requestId": "r-1"}

    # When A is invoked asynchronously and succeeds
    invoke_async(resources["first"], state)
    cloud.dispatcher.drain()

    # Then B ran after A, once, and its invocation record (Lambda Developer Guide, "Capturing
    # records of Lambda asynchronous invocations") says it was given exactly A's return value
    assert calls(cloud, "happy") == [("happy-identity", False), ("happy-credit", False)]
    identified = {**state, "identity": {"electoralRole": True, "bankAccount": False}}
    [record] = messages(resources["output"])
    assert record["requestPayload"] == identified
    assert record["responsePayload"] == {**identified, "creditRating": "Good"}
    assert record["requestContext"]["functionArn"] == f"{resources['second']}:$LATEST"
    assert record["requestContext"]["condition"] == "Success"
    assert messages(resources["failures"]) == []


def test_a_failing_a_is_retried_one_then_two_minutes_later_then_reported_once(cloud):
    # Given the chain, A failing every time and retried twice (Lambda Developer Guide, "Configuring
    # error handling for asynchronous invocation": two retries by default, the first after one
    # minute, the second after two)
    resources = chain(cloud, "failing", maximumRetryAttempts=2.0)

    invoke_async(resources["first"], {"correlationId": "c-2", "fail": True})
    eventually(lambda: calls(cloud, "failing") == [("failing-identity", True)])

    # Then the retries wait for the clock: a minute, then two more
    for wait, attempts in ((59, 1), (1, 2), (119, 2), (1, 3)):
        cloud.dispatcher.settle()  # the last attempt's retry is scheduled before time moves
        cloud.clock.advance(wait)
        eventually(lambda attempts=attempts: len(calls(cloud, "failing")) == attempts)
        cloud.dispatcher.settle()  # nothing more happens before the next step of the clock
        assert len(calls(cloud, "failing")) == attempts
    cloud.dispatcher.drain()

    # And exactly one record reached the failure queue, and B never ran
    assert calls(cloud, "failing") == [("failing-identity", True)] * 3
    [record] = messages(resources["failures"])
    assert record["requestContext"]["functionArn"] == f"{resources['first']}:$LATEST"
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["requestPayload"] == {"correlationId": "c-2", "fail": True}
    assert record["responsePayload"]["errorMessage"] == "the identity service answered 500"
    assert messages(resources["output"]) == []


def test_an_event_older_than_as_maximum_age_is_not_retried_again(cloud):
    # Given A failing every time, its events kept at most two minutes (same guide: an event older
    # than MaximumEventAgeInSeconds is discarded, condition EventAgeExceeded)
    resources = chain(cloud, "aged", maximumEventAgeInSeconds=120.0)

    invoke_async(resources["first"], {"fail": True})
    eventually(lambda: len(calls(cloud, "aged")) == 1)
    cloud.dispatcher.settle()
    cloud.clock.advance(60)  # the first retry, at one minute
    eventually(lambda: len(calls(cloud, "aged")) == 2)
    cloud.dispatcher.settle()
    cloud.clock.advance(120)  # the second would be at three minutes: too old by then
    cloud.dispatcher.drain()

    assert calls(cloud, "aged") == [("aged-identity", True)] * 2
    [record] = messages(resources["failures"])
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == 2


def _rule(provision: Provisioner, name: str, source: str, **inputs: Any) -> dict[str, Any]:
    pattern = json.dumps({"source": [source]})
    return provision.create("cloudwatch/eventRule:EventRule", name, eventPattern=pattern, **inputs)


def _target(provision: Provisioner, rule: dict[str, Any], target: str, arn: str, **inputs: Any):
    provision.create(
        "cloudwatch/eventTarget:EventTarget",
        f"{rule['name']}-{target}",
        rule=rule["name"],
        targetId=target,
        arn=arn,
        **inputs,
    )


def _allow_rule(provision: Provisioner, function: str, rule_arn: str, name: str) -> None:
    provision.create(
        "lambda/permission:Permission",
        name,
        action="lambda:InvokeFunction",
        function=function,
        principal="events.amazonaws.com",
        sourceArn=rule_arn,
    )


def _put(source: str, detail: dict[str, Any], resources: list[str] | None = None) -> None:
    response = boto3.client("events").put_events(
        Entries=[
            {
                "Source": source,
                "DetailType": "Loan Requested",
                "Detail": json.dumps(detail),
                "Resources": resources or [],
            }
        ]
    )
    assert response["FailedEntryCount"] == 0


def test_a_target_gets_the_event_as_eventbridge_shapes_it_or_what_its_input_makes_of_it(cloud):
    # Given one function as four targets of a rule: the whole event, a constant Input, an
    # InputPath and an InputTransformer (EventBridge User Guide, "Event structure reference" and
    # "Transforming target input")
    provision = Provisioner(cloud)
    url, arn = queue("shapes-seen")
    function = recorder("shapes-recorder", url, arn)
    rule = _rule(provision, "shapes", "loans.shapes")
    _target(provision, rule, "whole", function)
    _target(provision, rule, "constant", function, input='{"constant": true}')
    _target(provision, rule, "path", function, inputPath="$.detail.loan")
    _target(
        provision,
        rule,
        "transformed",
        function,
        inputTransformer={
            "inputPaths": {"source": "$.source", "amount": "$.detail.loan.amount"},
            "inputTemplate": '{"from": "<source>", "amount": <amount>}',
        },
    )
    _allow_rule(provision, function, rule["arn"], "shapes-from-rule")

    _put("loans.shapes", {"loan": {"amount": 500}}, ["arn:aws:s3:::applications"])
    cloud.dispatcher.drain()

    seen = messages(url)
    assert len(seen) == 4
    [whole] = [event for event in seen if "detail-type" in event]
    assert re.fullmatch(r"[0-9a-f-]{36}", whole.pop("id"))
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", whole.pop("time"))
    assert whole == {
        "version": "0",
        "detail-type": "Loan Requested",
        "source": "loans.shapes",
        "account": cloud.account_id,
        "region": cloud.region,
        "resources": ["arn:aws:s3:::applications"],
        "detail": {"loan": {"amount": 500}},
    }
    assert {"constant": True} in seen
    assert {"amount": 500} in seen
    assert {"from": "loans.shapes", "amount": 500} in seen


def test_putting_an_event_returns_before_the_target_function_runs(cloud):
    # Given a target function that cannot finish until the test opens its gate: EventBridge
    # invokes Lambda asynchronously (Lambda Developer Guide, "Invoking a Lambda function
    # asynchronously"), so PutEvents must not wait for it
    provision = Provisioner(cloud)
    function, gate = gated_function("gated-target")
    rule = _rule(provision, "gated", "loans.gated")
    _target(provision, rule, "gated", function)
    _allow_rule(provision, function, rule["arn"], "gated-from-rule")

    _put("loans.gated", {})

    assert calls(cloud, "gated") == []
    boto3.client("sqs").send_message(QueueUrl=gate, MessageBody="go")
    cloud.dispatcher.drain()
    assert calls(cloud, "gated") == [("gated-target", False)]


def test_without_a_permission_for_its_rule_eventbridge_does_not_invoke_a_function(cloud):
    # EventBridge User Guide, "Using resource-based policies for Amazon EventBridge": to invoke
    # a function, the function's policy must allow events.amazonaws.com, with the rule as source.
    # Missing permissions are an error EventBridge does not retry ("Event retry policy and using
    # dead-letter queues").
    provision = Provisioner(cloud)
    url, arn = queue("guarded-seen")
    function = recorder("guarded-target", url, arn)
    rule = _rule(provision, "guarded", "loans.guarded")
    other = _rule(provision, "guarded-other", "loans.other")
    _target(provision, rule, "guarded", function)

    _put("loans.guarded", {"attempt": "no permission"})
    cloud.dispatcher.drain()
    _allow_rule(provision, function, other["arn"], "guarded-from-other")
    _put("loans.guarded", {"attempt": "another rule's permission"})
    cloud.dispatcher.drain()
    assert calls(cloud, "guarded") == []

    _allow_rule(provision, function, rule["arn"], "guarded-from-rule")
    _put("loans.guarded", {"attempt": "this rule's permission"})
    cloud.dispatcher.drain()
    assert calls(cloud, "guarded") == [("guarded-target", False)]
    assert [event["detail"] for event in messages(url)] == [{"attempt": "this rule's permission"}]


def test_a_disabled_rule_invokes_nothing(cloud):
    # EventBridge API Reference, PutRule: State DISABLED, the rule does not match any events
    provision = Provisioner(cloud)
    url, arn = queue("disabled-seen")
    function = recorder("disabled-target", url, arn)
    rule = _rule(provision, "disabled", "loans.disabled", state="DISABLED")
    _target(provision, rule, "disabled", function)
    _allow_rule(provision, function, rule["arn"], "disabled-from-rule")

    _put("loans.disabled", {})
    cloud.dispatcher.drain()

    assert calls(cloud, "disabled") == []
    assert boto3.client("events").describe_rule(Name=rule["name"])["State"] == "DISABLED"


def test_a_destination_as_role_may_not_put_events_to_fails_the_deployment(cloud):
    # Lambda checks the execution role when the configuration is put, and the provider's create
    # fails with "The destination ARN ... is invalid" (terraform-provider-aws,
    # lambda/function_event_invoke_config.go, which waits out that error for IAM propagation)
    provision = Provisioner(cloud)
    first = make_function("unwired-identity", {"main.py": IDENTITY})

    with pytest.raises(ClientError) as refused:
        provision.create(
            "lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
            "unwired-identity-async",
            functionName=first,
            destinationConfig={"onSuccess": {"destination": DEFAULT_BUS}},
        )

    assert refused.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert f"The destination ARN {DEFAULT_BUS} is invalid" in str(refused.value)
    assert "events:PutEvents" in str(refused.value)
