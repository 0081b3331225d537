"""The rules on one resource's own settings, each with a passing and a failing resource: queues
and topics encrypted, state machines logging and tracing, log groups expiring, production tables
protected."""

import pytest

from policy.rules.encryption import QUEUES_ENCRYPTED, TOPICS_ENCRYPTED
from policy.rules.observability import LOG_GROUPS_HAVE_RETENTION, STATE_MACHINES_LOG_AND_TRACE
from policy.rules.tables import PRODUCTION_TABLES_PROTECTED
from tests.policy.support import UNKNOWN, resource_args, violations

QUEUE = "aws:sqs/queue:Queue"
TOPIC = "aws:sns/topic:Topic"
STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
TABLE = "aws:dynamodb/table:Table"
LOG_DESTINATION = "arn:aws:logs:us-east-1:123456789012:log-group:orders-workflow-logs:*"

# queues-encrypted, topics-encrypted


@pytest.mark.parametrize(
    "props",
    [
        {"sqsManagedSseEnabled": True},
        {"kmsMasterKeyId": "alias/orders"},
        {"sqsManagedSseEnabled": False, "kmsMasterKeyId": "alias/orders"},
    ],
    ids=["sse-sqs", "kms", "kms-without-sse-sqs"],
)
def test_given_an_encrypted_queue_when_checked_then_it_passes(props):
    assert violations(QUEUES_ENCRYPTED, resource_args(QUEUE, props)) == []


@pytest.mark.parametrize("props", [{}, {"sqsManagedSseEnabled": False}], ids=["unset", "off"])
def test_given_an_unencrypted_queue_when_checked_then_it_is_named_with_the_fix(props):
    args = resource_args(QUEUE, {"visibilityTimeoutSeconds": 60.0, **props}, name="orders")

    assert violations(QUEUES_ENCRYPTED, args) == [
        "SQS queue 'orders' is not encrypted at rest: set sqs_managed_sse_enabled=True (SSE-SQS, "
        "no key to manage) or a kms_master_key_id."
    ]


def test_given_a_topic_with_a_key_when_checked_then_it_passes():
    args = resource_args(TOPIC, {"kmsMasterKeyId": "alias/aws/sns"})

    assert violations(TOPICS_ENCRYPTED, args) == []


def test_given_a_topic_without_a_key_when_checked_then_it_is_named_with_the_fix():
    args = resource_args(TOPIC, {"displayName": "Orders"}, name="notifications")

    assert violations(TOPICS_ENCRYPTED, args) == [
        "SNS topic 'notifications' is not encrypted at rest: set kms_master_key_id "
        "('alias/aws/sns', or a customer managed key whose key policy lets the publishing "
        "services use it, as CloudWatch alarms and EventBridge need)."
    ]


def test_given_other_resource_types_when_checked_then_the_encryption_rules_ignore_them():
    args = resource_args(LOG_GROUP, {})

    assert violations(QUEUES_ENCRYPTED, args) == violations(TOPICS_ENCRYPTED, args) == []


# state-machines-log-and-trace


def state_machine(logging=None, tracing=True):
    props = {"definition": "{}", "roleArn": "arn:aws:iam::123456789012:role/workflow"}
    if logging is not None:
        props["loggingConfiguration"] = logging
    if tracing is not None:
        props["tracingConfiguration"] = {"enabled": tracing}
    return resource_args(STATE_MACHINE, props, name="orders-workflow")


@pytest.mark.parametrize("level", ["ALL", "ERROR", "FATAL"])
def test_given_a_logged_and_traced_state_machine_when_checked_then_it_passes(level):
    args = state_machine({"level": level, "logDestination": LOG_DESTINATION})

    assert violations(STATE_MACHINES_LOG_AND_TRACE, args) == []


def test_given_a_log_destination_unknown_during_preview_when_checked_then_it_counts_as_set():
    args = state_machine({"level": "ALL", "logDestination": UNKNOWN})

    assert violations(STATE_MACHINES_LOG_AND_TRACE, args) == []


@pytest.mark.parametrize(
    ("logging", "shown"),
    [
        (None, "OFF"),
        ({"level": "OFF", "logDestination": LOG_DESTINATION}, "OFF"),
        ({"level": "DEBUG", "logDestination": LOG_DESTINATION}, "DEBUG"),
    ],
    ids=["no-logging-configuration", "level-off", "not-a-level"],
)
def test_given_a_state_machine_that_does_not_log_when_checked_then_it_is_reported(logging, shown):
    assert violations(STATE_MACHINES_LOG_AND_TRACE, state_machine(logging)) == [
        f"State machine 'orders-workflow' does not log its executions (level {shown}): set "
        "logging_configuration with level one of ['ALL', 'ERROR', 'FATAL'] and a "
        "log_destination (a log group ARN ending in ':*')."
    ]


def test_given_a_state_machine_logging_nowhere_when_checked_then_it_is_reported():
    args = state_machine({"level": "ERROR"})

    assert violations(STATE_MACHINES_LOG_AND_TRACE, args) == [
        "State machine 'orders-workflow' logs at level ERROR to no destination: set "
        "logging_configuration's log_destination to a log group ARN ending in ':*'."
    ]


@pytest.mark.parametrize("tracing", [False, None], ids=["disabled", "unset"])
def test_given_an_untraced_state_machine_when_checked_then_it_is_reported(tracing):
    args = state_machine({"level": "ALL", "logDestination": LOG_DESTINATION}, tracing=tracing)

    assert violations(STATE_MACHINES_LOG_AND_TRACE, args) == [
        "State machine 'orders-workflow' is not traced: set tracing_configuration={'enabled': "
        "True} (its role needs the X-Ray write actions)."
    ]


# log-groups-have-retention


def test_given_a_log_group_with_retention_when_checked_then_it_passes():
    args = resource_args(LOG_GROUP, {"retentionInDays": 14.0})

    assert violations(LOG_GROUPS_HAVE_RETENTION, args) == []


@pytest.mark.parametrize("props", [{}, {"retentionInDays": 0.0}], ids=["unset", "zero"])
def test_given_a_log_group_kept_forever_when_checked_then_it_is_reported(props):
    args = resource_args(LOG_GROUP, props, name="orders-logs")

    assert violations(LOG_GROUPS_HAVE_RETENTION, args) == [
        "Log group 'orders-logs' keeps its logs forever: set retention_in_days (the stack's "
        "logRetentionDays)."
    ]


# production-tables-protected


def table(recovery, protection):
    return resource_args(
        TABLE,
        {
            "billingMode": "PAY_PER_REQUEST",
            "hashKey": "id",
            "pointInTimeRecovery": {"enabled": recovery},
            "deletionProtectionEnabled": protection,
        },
        name="orders-table",
    )


def test_given_a_protected_table_on_prod_when_checked_then_it_passes():
    assert violations(PRODUCTION_TABLES_PROTECTED, table(True, True), stack="prod") == []


def test_given_an_unprotected_table_on_prod_when_checked_then_both_fixes_are_named():
    assert violations(PRODUCTION_TABLES_PROTECTED, table(False, False), stack="prod") == [
        "DynamoDB table 'orders-table' on production stack 'prod' has no point-in-time recovery "
        "and no deletion protection: set point_in_time_recovery={'enabled': True} and "
        "deletion_protection_enabled=True."
    ]


def test_given_a_table_without_deletion_protection_on_prod_when_checked_then_only_it_is_named():
    assert violations(PRODUCTION_TABLES_PROTECTED, table(True, False), stack="prod") == [
        "DynamoDB table 'orders-table' on production stack 'prod' has no deletion protection: "
        "set deletion_protection_enabled=True."
    ]


def test_given_an_unprotected_table_on_dev_when_checked_then_it_passes():
    assert violations(PRODUCTION_TABLES_PROTECTED, table(False, False), stack="dev") == []


def test_given_production_stacks_configured_when_checked_then_those_stacks_are_production():
    config = {"productionStacks": ["live", "eu-live"]}
    unprotected = resource_args(
        TABLE, {"pointInTimeRecovery": {"enabled": True}}, name="orders-table", config=config
    )

    assert violations(PRODUCTION_TABLES_PROTECTED, unprotected, stack="prod") == []
    assert len(violations(PRODUCTION_TABLES_PROTECTED, unprotected, stack="eu-live")) == 1
