"""Alarms and notifications: a customer managed key, an encrypted topic and its policy, metric
alarms, and Step Functions' execution status change events reaching the topic through an
EventBridge rule whose input transformer makes them readable.

Keys, topics, topic policies, alarms, rules and targets are provisioned through
``MotoProvisioner`` from the inputs a Pulumi program's mocks see. One emulator on a fast clock
serves the whole module; each test uses its own names. Alarms are created, never evaluated: no
metrics are emitted here, so no alarm ever changes state or runs its actions.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import boto3
import pytest

from localcloud import emulator
from localcloud.clock import Clock
from localcloud.cloud import Emulator
from localcloud.eventbridge import target_input, transformed
from localcloud.provisioner import KEY_POLICY_LOCKOUT
from tests.localcloud.conftest import role
from tests.localcloud.test_async_lambda import queue
from tests.localcloud.test_provisioned_resources import Provisioner
from tests.localcloud.test_sqs_event_source import drain_queue
from tests.localcloud.test_stepfunctions_fixes import TRUST_STATES, entered_wait, machine, wait

PROVISIONED_HERE = frozenset(
    {
        "aws:kms/key:Key",
        "aws:kms/alias:Alias",
        "aws:sns/topicPolicy:TopicPolicy",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
    }
)
"""The types these tests provision (``Provisioner.create`` checks each against the table)."""
DETAIL_TYPE = "Step Functions Execution Status Change"
PUBLISHERS = ["cloudwatch.amazonaws.com", "events.amazonaws.com"]
FAILED_STATUSES = ["FAILED", "TIMED_OUT", "ABORTED"]
# A readable message: which run of which machine ended how, and why.
MESSAGE_PATHS = {
    "run": "$.detail.name",
    "workflow": "$.detail.stateMachineArn",
    "outcome": "$.detail.status",
    "error": "$.detail.error",
    "cause": "$.detail.cause",
}
MESSAGE_TEMPLATE = '"<workflow> run <run>: <outcome> (<error>: <cause>)"'
DECLINED = {
    "StartAt": "Decline",
    "States": {"Decline": {"Type": "Fail", "Error": "LoanDeclined", "Cause": "credit refused"}},
}
APPROVED = {"StartAt": "Approve", "States": {"Approve": {"Type": "Pass", "End": True}}}
# An hour of Wait: 3.6 s on this clock, long enough to stop it or time it out first.
WAITING = {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 3600, "End": True}}}


@pytest.fixture(scope="module")
def cloud() -> Iterator[Emulator]:
    with emulator(clock=Clock("fast", speedup=1000)) as running:
        yield running


def key_policy(account: str, services: list[str] = PUBLISHERS) -> str:
    """The account administers the key; ``services`` may use it for this account's resources."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Effect": "Allow",
                    "Principal": {"Service": services},
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account}},
                },
            ],
        }
    )


def topic_policy(topic: str, account: str, **condition: Any) -> str:
    """Alarms and rules of ``account`` may publish to ``topic``, on ``condition`` too if given."""
    conditions = {"StringEquals": {"aws:SourceAccount": account}, **condition}
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": PUBLISHERS},
                    "Action": "sns:Publish",
                    "Resource": topic,
                    "Condition": conditions,
                }
            ],
        }
    )


def topic_with_inbox(
    cloud: Emulator, name: str, *, key: str = "", policy: str | None = None
) -> dict[str, Any]:
    """A topic (encrypted with ``key`` if given), its policy (``policy``, else one letting this
    account's alarms and rules publish; "" keeps SNS's default one), and an SQS subscriber; the
    topic's outputs and the subscriber's URL as ``inbox``."""
    provision = Provisioner(cloud)
    topic = provision.create("sns/topic:Topic", name, kmsMasterKeyId=key)
    if policy != "":
        provision.create(
            "sns/topicPolicy:TopicPolicy",
            f"{name}-policy",
            arn=topic["arn"],
            policy=policy or topic_policy(topic["arn"], cloud.account_id),
        )
    url, arn = queue(f"{name}-inbox")
    provision.create(
        "sns/topicSubscription:TopicSubscription",
        f"{name}-inbox",
        topic=topic["arn"],
        protocol="sqs",
        endpoint=arn,
    )
    return {**topic, "inbox": url}


def ops_topic(cloud: Emulator, prefix: str, **options: Any) -> dict[str, Any]:
    """The operations topic: encrypted with a new customer managed key (or ``key``)."""
    if "key" not in options:
        options["key"] = Provisioner(cloud).create(
            "kms/key:Key",
            f"{prefix}-key",
            description="the operations topic's key",
            enableKeyRotation=True,
            deletionWindowInDays=30.0,
            policy=key_policy(cloud.account_id),
        )["arn"]
    return topic_with_inbox(cloud, f"{prefix}-topic", **options)


def route(cloud: Emulator, name: str, pattern: dict[str, Any], topic: str, **target: Any) -> None:
    """A rule of ``pattern`` whose target is the topic, with the ``target`` inputs given."""
    provision = Provisioner(cloud)
    rule = provision.create(
        "cloudwatch/eventRule:EventRule", name, eventPattern=json.dumps(pattern)
    )
    provision.create(
        "cloudwatch/eventTarget:EventTarget",
        f"{name}-to-topic",
        rule=rule["name"],
        arn=topic,
        **target,
    )


def notify_failures(cloud: Emulator, prefix: str, machines: list[str], topic: str) -> None:
    """The failed, timed-out and aborted executions of ``machines`` to the topic, readable."""
    pattern = {
        "source": ["aws.states"],
        "detail-type": [DETAIL_TYPE],
        "detail": {"status": FAILED_STATUSES, "stateMachineArn": machines},
    }
    transformer = {"inputPaths": MESSAGE_PATHS, "inputTemplate": MESSAGE_TEMPLATE}
    route(cloud, f"{prefix}-failed", pattern, topic, inputTransformer=transformer)


def watch_events(cloud: Emulator, prefix: str, machine_arn: str) -> str:
    """Every status change event of the machine, whole, to an unencrypted topic read by an SQS
    subscriber; the subscriber's URL."""
    topic = topic_with_inbox(cloud, f"{prefix}-events")
    pattern = {"source": ["aws.states"], "detail": {"stateMachineArn": [machine_arn]}}
    route(cloud, f"{prefix}-every", pattern, topic["arn"])
    return str(topic["inbox"])


def notifications(url: str) -> list[dict[str, Any]]:
    """The SNS notifications an SQS subscriber received (SNS's JSON envelopes), deleting them."""
    return [json.loads(message["Body"]) for message in drain_queue(url)]


def run(cloud: Emulator, machine_arn: str, name: str, stop: bool = False) -> dict[str, Any]:
    """Start an execution (stopped once it waits, with ``stop``), wait for its end and for the
    asynchronous delivery of its events; its final description."""
    sfn = boto3.client("stepfunctions")
    execution = sfn.start_execution(stateMachineArn=machine_arn, name=name, input='{"loan": 7}')
    if stop:
        entered_wait(execution["executionArn"])
        sfn.stop_execution(
            executionArn=execution["executionArn"], error="Operator", cause="stopped by hand"
        )
    finished = wait(execution["executionArn"])
    cloud.dispatcher.drain()
    return finished


# -- the key, the topic's policy, the alarms ---------------------------------------------------


def test_a_customer_managed_key_is_created_with_its_policy_rotation_and_alias(cloud):
    provision = Provisioner(cloud)
    kms = boto3.client("kms")
    policy = key_policy(cloud.account_id)

    key = provision.create(
        "kms/key:Key",
        "created-key",
        description="the operations topic's key",
        enableKeyRotation=True,
        deletionWindowInDays=30.0,
        policy=policy,
    )
    alias = provision.create(
        "kms/alias:Alias", "created-alias", name="alias/created-ops", targetKeyId=key["keyId"]
    )

    # The provider's ids: the key id KMS made up, the alias name (terraform-provider-aws,
    # kms/key.go and kms/alias.go); ARNs as the KMS Developer Guide, "Key identifiers" has them
    assert key["id"] == key["keyId"]
    assert key["arn"] == f"arn:aws:kms:us-east-1:{cloud.account_id}:key/{key['keyId']}"
    described = kms.describe_key(KeyId="alias/created-ops")["KeyMetadata"]
    assert (described["KeyId"], described["Description"]) == (
        key["id"],
        "the operations topic's key",
    )
    assert json.loads(kms.get_key_policy(KeyId=key["id"], PolicyName="default")["Policy"]) == (
        json.loads(policy)
    )
    assert kms.get_key_rotation_status(KeyId=key["id"])["KeyRotationEnabled"] is True
    assert alias["id"] == "alias/created-ops"
    assert alias["arn"] == f"arn:aws:kms:us-east-1:{cloud.account_id}:alias/created-ops"
    assert alias["targetKeyArn"] == key["arn"]


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        # KMS API Reference, CreateKey BypassPolicyLockoutSafetyCheck: a policy that would not
        # let the caller put a key policy again is refused (MalformedPolicyDocumentException)
        (
            {
                "policy": json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "events.amazonaws.com"},
                                "Action": "kms:Decrypt",
                                "Resource": "*",
                            }
                        ],
                    }
                )
            },
            re.escape(KEY_POLICY_LOCKOUT),
        ),
        # KMS API Reference, ScheduleKeyDeletion: PendingWindowInDays is 7 to 30
        ({"deletionWindowInDays": 31.0}, "KMS takes 7 to 30 days"),
    ],
    ids=["locks the account out", "deletion window"],
)
def test_a_key_kms_would_refuse_fails_the_deployment(cloud, inputs, message):
    with pytest.raises(ValueError, match=message):
        Provisioner(cloud).create("kms/key:Key", "refused-key", **inputs)


def test_a_topic_policy_replaces_the_topics_default_policy(cloud):
    provision = Provisioner(cloud)
    topic = provision.create("sns/topic:Topic", "guarded-topic")
    policy = topic_policy(topic["arn"], cloud.account_id)

    created = provision.create(
        "sns/topicPolicy:TopicPolicy", "guarded-topic-policy", arn=topic["arn"], policy=policy
    )

    # The provider's id is the topic's ARN (terraform-provider-aws, sns/topic_policy.go); the
    # policy is the topic's Policy attribute (SNS API Reference, SetTopicAttributes)
    assert (created["id"], created["owner"]) == (topic["arn"], cloud.account_id)
    attributes = boto3.client("sns").get_topic_attributes(TopicArn=topic["arn"])["Attributes"]
    assert json.loads(attributes["Policy"]) == json.loads(policy)


def test_an_alarm_is_created_with_its_actions_and_waits_for_data(cloud):
    provision = Provisioner(cloud)
    topic = provision.create("sns/topic:Topic", "alarmed-topic")
    machine_arn = f"arn:aws:states:us-east-1:{cloud.account_id}:stateMachine:alarmed"

    alarm = provision.create(
        "cloudwatch/metricAlarm:MetricAlarm",
        "alarmed-failed",
        alarmDescription="An execution of alarmed failed",
        namespace="AWS/States",
        metricName="ExecutionsFailed",
        dimensions={"StateMachineArn": machine_arn},
        statistic="Sum",
        period=300.0,
        evaluationPeriods=1.0,
        threshold=0.0,
        comparisonOperator="GreaterThanThreshold",
        treatMissingData="notBreaching",
        alarmActions=[topic["arn"]],
        okActions=[topic["arn"]],
    )

    # The provider's id is the alarm's name (terraform-provider-aws, cloudwatch/metric_alarm.go)
    assert alarm["arn"] == f"arn:aws:cloudwatch:us-east-1:{cloud.account_id}:alarm:{alarm['id']}"
    [described] = boto3.client("cloudwatch").describe_alarms(AlarmNames=[alarm["id"]])[
        "MetricAlarms"
    ]
    assert {key: described[key] for key in ALARM_FIELDS} == {
        "AlarmDescription": "An execution of alarmed failed",
        "Namespace": "AWS/States",
        "MetricName": "ExecutionsFailed",
        "Dimensions": [{"Name": "StateMachineArn", "Value": machine_arn}],
        "Statistic": "Sum",
        "Period": 300,
        "EvaluationPeriods": 1,
        "Threshold": 0.0,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
        "AlarmActions": [topic["arn"]],
        "OKActions": [topic["arn"]],
        "ActionsEnabled": True,
    }
    # A new alarm is INSUFFICIENT_DATA until CloudWatch first evaluates it (AWS Knowledge
    # Center, "cloudwatch-alarm-insufficient-data-state"); nothing evaluates it here
    assert described["StateValue"] == "INSUFFICIENT_DATA"


ALARM_FIELDS = (
    "AlarmDescription",
    "Namespace",
    "MetricName",
    "Dimensions",
    "Statistic",
    "Period",
    "EvaluationPeriods",
    "Threshold",
    "ComparisonOperator",
    "TreatMissingData",
    "AlarmActions",
    "OKActions",
    "ActionsEnabled",
)


# -- Step Functions' status change events, to the topic -----------------------------------------


def test_a_failed_execution_is_one_readable_message_on_the_topic(cloud):
    # Given an encrypted operations topic read by an SQS subscriber, and a rule sending the
    # failures of a machine to it through an input transformer
    topic = ops_topic(cloud, "declined")
    declined = machine(DECLINED, "declined")
    notify_failures(cloud, "declined", [declined], topic["arn"])

    # When an execution fails
    finished = run(cloud, declined, "loan-7")

    # Then the subscriber has exactly one notification in SNS's JSON envelope (SNS Developer
    # Guide, "Amazon SNS message and JSON formats"), whose message is the template filled in:
    # a text template keeps its quotes (EventBridge User Guide, "Tutorial: Use input
    # transformers to transform events in EventBridge": the SNS message is the quoted text)
    assert finished["status"] == "FAILED"
    [notification] = notifications(topic["inbox"])
    assert (notification["Type"], notification["TopicArn"]) == ("Notification", topic["arn"])
    assert (
        notification["Message"] == f'"{declined} run loan-7: FAILED (LoanDeclined: credit refused)"'
    )
    assert "Subject" not in notification


@pytest.mark.parametrize(
    ("definition", "stop", "ending"),
    [
        ({**WAITING, "TimeoutSeconds": 1}, False, ("TIMED_OUT", "null: null")),
        (WAITING, True, ("ABORTED", "Operator: stopped by hand")),
    ],
    ids=["timed out", "aborted"],
)
def test_a_timed_out_or_aborted_execution_is_one_readable_message(cloud, definition, stop, ending):
    # An aborted execution's event carries StopExecution's error and cause, as DescribeExecution
    # does (Step Functions Developer Guide: each event's detail is DescribeExecution's view);
    # a timed-out one has neither here, and the template shows them as JSON null
    status, reasons = ending
    prefix = status.lower().replace("_", "-")
    topic = ops_topic(cloud, prefix)
    machine_arn = machine(definition, prefix)
    notify_failures(cloud, prefix, [machine_arn], topic["arn"])

    finished = run(cloud, machine_arn, f"{prefix}-1", stop=stop)

    assert finished["status"] == status
    [notification] = notifications(topic["inbox"])
    assert notification["Message"] == f'"{machine_arn} run {prefix}-1: {status} ({reasons})"'


def test_each_status_change_is_an_event_as_step_functions_sends_it(cloud):
    # Step Functions Developer Guide, "Step Functions event examples" (EventBridge for Step
    # Functions execution status changes): source aws.states, the execution as resource, and
    # the detail DescribeExecution gives, dates in milliseconds
    declined = machine(DECLINED, "shaped")
    inbox = watch_events(cloud, "shaped", declined)

    finished = run(cloud, declined, "shaped-1")

    started, ended = [json.loads(n["Message"]) for n in notifications(inbox)]
    execution = finished["executionArn"]
    for event in (started, ended):
        assert re.fullmatch(r"[0-9a-f-]{36}", event.pop("id"))
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", event.pop("time"))
        assert {key: event.pop(key) for key in EVENT_METADATA} == {
            "version": "0",
            "detail-type": DETAIL_TYPE,
            "source": "aws.states",
            "account": cloud.account_id,
            "region": cloud.region,
            "resources": [execution],
        }
    start_ms = _milliseconds(finished["startDate"])
    assert started == {
        "detail": {
            "executionArn": execution,
            "stateMachineArn": declined,
            "name": "shaped-1",
            "status": "RUNNING",
            "startDate": start_ms,
            "stopDate": None,
            "input": '{"loan": 7}',
            "inputDetails": {"included": True},
            "output": None,
            "outputDetails": None,
            "error": None,
            "cause": None,
        }
    }
    assert ended == {
        "detail": {
            **started["detail"],
            "status": "FAILED",
            "stopDate": _milliseconds(finished["stopDate"]),
            "error": "LoanDeclined",
            "cause": "credit refused",
        }
    }


EVENT_METADATA = ("version", "detail-type", "source", "account", "region", "resources")


def _milliseconds(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def test_a_succeeded_execution_sends_an_event_the_failure_rule_does_not_match(cloud):
    # Given the failure rule and a watch on every event of the machine
    topic = ops_topic(cloud, "approved")
    approved = machine(APPROVED, "approved")
    notify_failures(cloud, "approved", [approved], topic["arn"])
    inbox = watch_events(cloud, "approved", approved)

    # When an execution succeeds
    finished = run(cloud, approved, "approved-1")

    # Then it sent RUNNING then SUCCEEDED (with its output, as DescribeExecution shows it), and
    # the failure rule matched neither: the topic stays silent
    assert finished["status"] == "SUCCEEDED"
    details = [json.loads(n["Message"])["detail"] for n in notifications(inbox)]
    assert [d["status"] for d in details] == ["RUNNING", "SUCCEEDED"]
    assert (details[1]["output"], details[1]["outputDetails"]) == (
        '{"loan":7}',
        {"included": True},
    )
    assert notifications(topic["inbox"]) == []


def test_an_express_workflow_sends_no_events(cloud):
    # Step Functions Developer Guide, "Automating Step Functions event delivery with
    # EventBridge": only Standard workflows emit events
    express = boto3.client("stepfunctions").create_state_machine(
        name="express",
        definition=json.dumps(APPROVED),
        roleArn=role("express-role", trust=TRUST_STATES),
        type="EXPRESS",
    )["stateMachineArn"]
    inbox = watch_events(cloud, "express", express)

    assert run(cloud, express, "express-1")["status"] == "SUCCEEDED"

    assert notifications(inbox) == []


# -- what keeps EventBridge from publishing -----------------------------------------------------


def _policy_for_another_rule(cloud: Emulator, prefix: str) -> dict[str, Any]:
    topic_arn = f"arn:aws:sns:us-east-1:{cloud.account_id}:{prefix}-topic"
    other_rule = f"arn:aws:events:us-east-1:{cloud.account_id}:rule/another"
    policy = topic_policy(topic_arn, cloud.account_id, ArnEquals={"aws:SourceArn": other_rule})
    return {"policy": policy}


def _key_without_events(cloud: Emulator, prefix: str) -> dict[str, Any]:
    key = Provisioner(cloud).create(
        "kms/key:Key",
        f"{prefix}-key",
        policy=key_policy(cloud.account_id, services=["cloudwatch.amazonaws.com"]),
    )
    return {"key": key["arn"]}


TopicOptions = Callable[[Emulator, str], dict[str, Any]]


@pytest.mark.parametrize(
    ("prefix", "topic_options", "refusal"),
    [
        # EventBridge User Guide, "Using resource-based policies for Amazon EventBridge": the
        # topic's policy must let events.amazonaws.com publish; SNS's default policy does not
        (
            "default-policy",
            lambda cloud, prefix: {"policy": ""},
            "does not let events.amazonaws.com sns:Publish",
        ),
        ("other-rule", _policy_for_another_rule, "does not let events.amazonaws.com sns:Publish"),
        # SNS Developer Guide, "Enable compatibility between event sources from AWS services and
        # encrypted topics": a customer managed key whose policy lets the service use it
        (
            "managed-key",
            lambda cloud, prefix: {"key": "alias/aws/sns"},
            "AWS managed key alias/aws/sns",
        ),
        (
            "key-not-for-events",
            _key_without_events,
            "does not let events.amazonaws.com kms:GenerateDataKey",
        ),
    ],
    ids=["default topic policy", "another rule's", "aws managed key", "key not for events"],
)
def test_eventbridge_publishes_nothing_to_a_topic_it_may_not_use(
    cloud, caplog, prefix: str, topic_options: TopicOptions, refusal: str
):
    topic = ops_topic(cloud, prefix, **topic_options(cloud, prefix))
    machine_arn = machine(DECLINED, prefix)
    notify_failures(cloud, prefix, [machine_arn], topic["arn"])

    with caplog.at_level(logging.WARNING, logger="localcloud.eventbridge"):
        assert run(cloud, machine_arn, f"{prefix}-1")["status"] == "FAILED"

    assert notifications(topic["inbox"]) == []
    assert any(refusal in record.getMessage() for record in caplog.records)


# -- the input transformer, as text ------------------------------------------------------------

EVENT = {
    "version": "0",
    "id": "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "123456789012",
    "time": "2015-11-11T21:29:54Z",
    "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
    "detail": {"instance-id": "i-0123456789", "state": "RUNNING", "count": 2},
}
INSTANCE = {"instance": "$.detail.instance-id", "state": "$.detail.state"}


class _Rule:
    arn = "arn:aws:events:us-east-1:123456789012:rule/example"
    name = "example"


def _transform(template: str, paths: dict[str, str] = INSTANCE) -> str:
    target = {"InputTransformer": {"InputPathsMap": paths, "InputTemplate": template}}
    return target_input(target, EVENT, "2015-11-11T21:29:55Z", _Rule())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        # EventBridge User Guide, "Amazon EventBridge input transformation", its examples
        ('"instance <instance> is in <state>"', '"instance i-0123456789 is in RUNNING"'),
        (
            '{"instance" : <instance>, "state": "<state>"}',
            '{"instance" : "i-0123456789", "state": "RUNNING"}',
        ),
        (
            '{"instanceStatus": "instance \\"<instance>\\" is in <state>"}',
            '{"instanceStatus": "instance \\"i-0123456789\\" is in RUNNING"}',
        ),
        ('{"state": [9, <state>, true]}', '{"state": [9, "RUNNING", true]}'),
        ('"<aws.events.rule-name> triggered"', '"example triggered"'),
        ('{"rule": <aws.events.rule-arn>}', f'{{"rule": "{_Rule.arn}"}}'),
        ("<instance> is in state <state>", "i-0123456789 is in state RUNNING"),
    ],
    ids=["text", "json", "escaped quotes", "mixed", "rule name", "rule arn", "unquoted text"],
)
def test_an_input_template_is_filled_as_eventbridge_fills_it(template, expected):
    assert _transform(template) == expected


def test_a_path_that_finds_nothing_fills_in_nothing_and_values_are_not_escaped():
    # "Common issues with transforming input": a variable whose path the event lacks is not
    # created and does not appear; values extracted by Input Path are not escaped
    paths = {**INSTANCE, "missing": "$.detail.missing", "count": "$.detail.count"}
    assert _transform('"<instance> <missing>(<count>)"', paths) == '"i-0123456789 (2)"'
    quoted = {"cause": '{"errorMessage": "no"}'}
    assert transformed('"Cause: <cause>"', quoted) == '"Cause: {"errorMessage": "no"}"'


def test_the_whole_event_is_a_json_value_in_a_template():
    filled = json.loads(_transform('{"event": <aws.events.event.json>, "ok": true}'))

    assert filled == {"event": EVENT, "ok": True}
