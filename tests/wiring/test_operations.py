"""Operations: the topic, the alarms into it and the failed-execution rule, as the program
registers them, and the production stack resource by resource."""

import json

import pytest

from components.settings import ConfigError
from localcloud.recording import deploy_with_mocks

ACCOUNT = "123456789012"
OPS = "operations"
STATE_MACHINES = ("api-workflow", "task-tracker", "account-applications", "order-processing")
STATEFUL_TYPES = ("aws:dynamodb/table:Table", "aws:sqs/queue:Queue")


@pytest.fixture(scope="module")
def prod():
    return deploy_with_mocks("prod")


def _alarms(deployment):
    """Alarm name (logical) -> its inputs."""
    return {
        alarm.name: alarm.inputs
        for alarm in deployment.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    }


def _topic_arn(deployment):
    return deployment.named(f"{OPS}-topic").outputs["arn"]


# -- the topic ------------------------------------------------------------------------------


def test_the_topic_is_encrypted_with_a_key_the_publishing_services_may_use(dev):
    key = dev.named(f"{OPS}-key")
    policy = json.loads(key.inputs["policy"])

    assert dev.named(f"{OPS}-topic").inputs["kmsMasterKeyId"] == key.outputs["arn"]
    assert key.inputs["enableKeyRotation"] is True
    statements = {statement["Sid"]: statement for statement in policy["Statement"]}
    assert statements["AlarmsPublish"] == {
        "Sid": "AlarmsPublish",
        "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
    }
    assert statements["RulesPublish"] == {
        "Sid": "RulesPublish",
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": "*",
    }
    administers = statements["AccountAdministers"]
    assert administers["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert not any("*" in action for action in administers["Action"])


def test_only_alarms_of_this_account_and_eventbridge_may_publish_to_the_topic(dev):
    policy = json.loads(dev.named(f"{OPS}-topic-policy").inputs["policy"])

    assert dev.named(f"{OPS}-topic-policy").inputs["arn"] == _topic_arn(dev)
    assert policy["Statement"] == [
        {
            "Sid": "AlarmsPublish",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": _topic_arn(dev),
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        },
        {
            # No condition: SNS topic policies for EventBridge take none (EventBridge User
            # Guide, "Using resource-based policies for Amazon EventBridge").
            "Sid": "RulesPublish",
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": _topic_arn(dev),
        },
    ]


def test_the_alarm_email_is_subscribed_only_when_set(dev, prod):
    def subscriptions(deployment):
        return [
            (s.inputs["protocol"], s.inputs["endpoint"], s.inputs["topic"])
            for s in deployment.of_type("aws:sns/topicSubscription:TopicSubscription")
            if s.inputs["topic"] == _topic_arn(deployment)
        ]

    assert subscriptions(dev) == []
    assert subscriptions(prod) == [("email", "operations@example.com", _topic_arn(prod))]


# -- the alarms -----------------------------------------------------------------------------


@pytest.mark.parametrize("machine", STATE_MACHINES)
def test_every_state_machine_alarms_on_failed_timed_out_and_aborted_executions(dev, machine):
    alarms = _alarms(dev)
    machine_arn = dev.named(f"{machine}-workflow-state-machine").outputs["arn"]

    for metric in ("ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"):
        alarm = alarms[f"{OPS}-{machine}-{metric}"]
        assert (alarm["namespace"], alarm["metricName"]) == ("AWS/States", metric)
        assert alarm["dimensions"] == {"StateMachineArn": machine_arn}
        assert (alarm["statistic"], alarm["threshold"]) == ("Sum", 0)
        assert alarm["comparisonOperator"] == "GreaterThanThreshold"
        assert alarm["treatMissingData"] == "notBreaching"
        assert alarm["alarmActions"] == [_topic_arn(dev)]


def test_every_function_alarms_on_errors_and_throttles(dev):
    alarms = _alarms(dev)
    functions = dev.of_type("aws:lambda/function:Function")

    assert len(functions) == 18
    for function in functions:
        logical = function.name.removesuffix("-function")
        for metric in ("Errors", "Throttles"):
            alarm = alarms[f"{OPS}-{logical}-{metric.lower()}"]
            assert (alarm["namespace"], alarm["metricName"]) == ("AWS/Lambda", metric)
            assert alarm["dimensions"] == {"FunctionName": function.outputs["name"]}
            assert alarm["alarmActions"] == [_topic_arn(dev)]


@pytest.mark.parametrize(
    ("label", "queue"),
    [
        ("order-processing-dead-letters", "order-processing-queue-dead-letters"),
        ("loan-processor-failures", "loan-processor-failures"),
    ],
)
def test_every_dead_letter_or_failure_queue_alarms_on_any_message(dev, label, queue):
    alarm = _alarms(dev)[f"{OPS}-{label}-has-messages"]

    assert (alarm["namespace"], alarm["metricName"]) == (
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
    )
    assert alarm["dimensions"] == {"QueueName": dev.named(queue).outputs["name"]}
    assert (alarm["statistic"], alarm["threshold"]) == ("Maximum", 0)


@pytest.mark.parametrize(
    ("label", "api"),
    [
        ("api-workflow", "api-workflow-http-api"),
        ("identity-check-api", "loan-mock-apis-identity-check-http-api"),
        ("credit-reference-api", "loan-mock-apis-credit-reference-http-api"),
    ],
)
def test_every_http_api_alarms_on_5xx(dev, label, api):
    alarm = _alarms(dev)[f"{OPS}-{label}-5xx"]

    assert (alarm["namespace"], alarm["metricName"]) == ("AWS/ApiGateway", "5xx")
    assert alarm["dimensions"] == {"ApiId": dev.named(api).outputs["id"]}


def test_there_are_no_other_alarms(dev):
    # 4 machines x 3, 18 functions x 2, 2 queues, 3 APIs
    assert len(_alarms(dev)) == 12 + 36 + 2 + 3


# -- the failed-execution notification ------------------------------------------------------


def test_failed_timed_out_and_aborted_executions_go_to_the_topic_as_a_readable_message(dev):
    rule = dev.named(f"{OPS}-failed-executions")
    target = dev.named(f"{OPS}-failed-executions-to-topic")
    machines = sorted(
        dev.named(f"{machine}-workflow-state-machine").outputs["arn"] for machine in STATE_MACHINES
    )

    assert json.loads(rule.inputs["eventPattern"]) == {
        "source": ["aws.states"],
        "detail-type": ["Step Functions Execution Status Change"],
        "detail": {"status": ["FAILED", "TIMED_OUT", "ABORTED"], "stateMachineArn": machines},
    }
    assert target.inputs["arn"] == _topic_arn(dev)
    assert target.inputs["inputTransformer"] == {
        "inputPaths": {
            "machine": "$.detail.stateMachineArn",
            "execution": "$.detail.name",
            "status": "$.detail.status",
            "error": "$.detail.error",
            "cause": "$.detail.cause",
        },
        "inputTemplate": (
            '"Execution <execution> of <machine> ended <status>. Error: <error>. Cause: <cause>"'
        ),
    }
    assert dev.outputs["operationsTopicArn"] == _topic_arn(dev)


# -- the production stack -------------------------------------------------------------------


def test_prod_keeps_every_table_recoverable_and_protected(prod):
    tables = prod.of_type("aws:dynamodb/table:Table")

    assert len(tables) == 4
    for table in tables:
        assert table.inputs["pointInTimeRecovery"] == {"enabled": True}, table.name
        assert table.inputs["deletionProtectionEnabled"] is True, table.name


def test_prod_protects_every_stateful_resource_and_dev_none(dev, prod):
    for deployment, protected in ((prod, True), (dev, False)):
        stateful = [r for r in deployment.resources if r.type in STATEFUL_TYPES]
        assert len(stateful) == 8  # 4 tables; the orders queue and DLQ; the loan queues
        assert [r.name for r in stateful if r.protect != protected] == []


def test_prod_keeps_logs_a_year_and_raises_the_api_limits(dev, prod):
    groups = prod.of_type("aws:cloudwatch/logGroup:LogGroup")
    assert {group.inputs["retentionInDays"] for group in groups} == {365}
    assert {
        g.inputs["retentionInDays"] for g in dev.of_type("aws:cloudwatch/logGroup:LogGroup")
    } == {7}
    stage = prod.named("api-workflow-http-stage").inputs["defaultRouteSettings"]
    assert (stage["throttlingRateLimit"], stage["throttlingBurstLimit"]) == (100, 200)


def test_dev_tables_can_be_deleted(dev):
    for table in dev.of_type("aws:dynamodb/table:Table"):
        assert table.inputs["deletionProtectionEnabled"] is False, table.name


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"protectStatefulResources": "true"}, "needs an alarmEmail"),
        ({"alarmEmail": "not an address"}, "is not an e-mail address"),
    ],
)
def test_alarm_settings_the_stack_cannot_use_fail_the_preview(config, message):
    with pytest.raises(ConfigError, match=message):
        deploy_with_mocks("dev", config, preview=True)
