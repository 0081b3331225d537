"""Operations: one topic that reaches a person when anything the stack runs goes wrong.

The operations topic is encrypted with a customer managed key: CloudWatch alarms and EventBridge
can publish to an encrypted topic only through a key whose policy lets their service principals
use it (the AWS managed key for SNS cannot be given to them). The key policy names each action;
the topic policy lets those two services publish, from this account only. An e-mail subscription
is added when ``alarmEmail`` is set.

Alarms into the topic, each on its first breaching five minutes and quiet when there is no data:
- every state machine: executions failed, timed out or aborted;
- every dead-letter or failure queue: any message visible;
- every function: errors and throttles;
- every HTTP API: any 5xx answer.
And an EventBridge rule sends each failed, timed-out or aborted execution of the stack's state
machines to the topic as a readable message (machine, execution, status, error, cause), so the
person reading it knows which execution to open without searching.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.aws_context import arn_context
from components.function import PythonFunction
from components.http_api import HttpApi
from components.state_machine import StateMachine
from components.topic import email_subscription

FAILED_STATUSES = ("FAILED", "TIMED_OUT", "ABORTED")
# What the account's administrators may do with the key: manage it, and use it themselves.
KEY_ADMINISTRATION = (
    "kms:CancelKeyDeletion",
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateKeyDescription",
)
# What a publishing service needs of the key of an encrypted topic (SNS Developer Guide,
# "Configuring AWS KMS permissions for AWS services").
KEY_USE = ("kms:Decrypt", "kms:GenerateDataKey")
FIVE_MINUTES = 300


def key_policy(account_id: str, partition: str) -> str:
    """The ops key's policy (in a key policy, ``Resource: "*"`` means this key)."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AccountAdministers",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
                    "Action": list(KEY_ADMINISTRATION),
                    "Resource": "*",
                },
                *_publishers(account_id, list(KEY_USE), "*"),
            ],
        },
        sort_keys=True,
    )


def topic_policy(topic_arn: str, account_id: str) -> str:
    """Alarms and rules of this account may publish to the topic; nothing else is granted."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": _publishers(account_id, "sns:Publish", topic_arn),
        },
        sort_keys=True,
    )


def _publishers(account_id: str, action: str | list[str], resource: str) -> list[dict[str, object]]:
    """CloudWatch alarms of this account, and EventBridge rules, may do ``action``.

    EventBridge's statement carries no condition: "You can't use Condition blocks in Amazon SNS
    topic policies for EventBridge" (EventBridge User Guide, "Using resource-based policies for
    Amazon EventBridge", Amazon SNS permissions), and its key statement follows the example of
    the SNS Developer Guide ("Enable compatibility between event sources from AWS services and
    encrypted topics"). A service principal is not a public one: only EventBridge may use it.
    """
    return [
        {
            "Sid": "AlarmsPublish",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": action,
            "Resource": resource,
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
        },
        {
            "Sid": "RulesPublish",
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": action,
            "Resource": resource,
        },
    ]


def failed_executions_pattern(state_machine_arns: Sequence[str]) -> str:
    """Step Functions' status change events of these machines' failed, timed-out or aborted
    executions ("Step Functions events in EventBridge", Step Functions Developer Guide)."""
    return json.dumps(
        {
            "source": ["aws.states"],
            "detail-type": ["Step Functions Execution Status Change"],
            "detail": {
                "status": list(FAILED_STATUSES),
                "stateMachineArn": sorted(state_machine_arns),
            },
        },
        sort_keys=True,
    )


# The readable message: EventBridge fills each <name> from the event's path.
MESSAGE_PATHS = {
    "machine": "$.detail.stateMachineArn",
    "execution": "$.detail.name",
    "status": "$.detail.status",
    "error": "$.detail.error",
    "cause": "$.detail.cause",
}
MESSAGE_TEMPLATE = (
    '"Execution <execution> of <machine> ended <status>. Error: <error>. Cause: <cause>"'
)


@dataclass
class Watched:
    """What the stack runs, by the names its alarms are given."""

    state_machines: Mapping[str, StateMachine]
    functions: Sequence[PythonFunction]
    dead_letter_queues: Mapping[str, aws.sqs.Queue]
    http_apis: Mapping[str, HttpApi]


@dataclass
class OperationsArgs:
    watched: Watched
    email: str = ""


class Operations(pulumi.ComponentResource):
    key: aws.kms.Key
    topic: aws.sns.Topic
    alarms: list[aws.cloudwatch.MetricAlarm]
    topic_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: OperationsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("serverless-workflows:operations:Operations", name, None, opts)
        self._name = name
        child = pulumi.ResourceOptions(parent=self)
        ctx = arn_context()

        self.key = aws.kms.Key(
            f"{name}-key",
            description=f"Encrypts {name}'s topic, which alarms and rules publish to",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=ctx.apply(lambda c: key_policy(c.account_id, c.partition)),
            opts=child,
        )
        self.topic = aws.sns.Topic(f"{name}-topic", kms_master_key_id=self.key.arn, opts=child)
        aws.sns.TopicPolicy(
            f"{name}-topic-policy",
            arn=self.topic.arn,
            policy=pulumi.Output.all(self.topic.arn, ctx).apply(
                lambda v: topic_policy(v[0], v[1].account_id)
            ),
            opts=child,
        )
        email_subscription(name, self.topic, args.email, self)
        self.topic_arn = self.topic.arn

        watched = args.watched
        self.alarms = []
        for label, machine in watched.state_machines.items():
            for metric, what in (
                ("ExecutionsFailed", "failed"),
                ("ExecutionsTimedOut", "timed out"),
                ("ExecutionsAborted", "aborted"),
            ):
                self._alarm(
                    f"{label}-{metric}",
                    f"An execution of {label} {what}",
                    namespace="AWS/States",
                    metric=metric,
                    dimensions={"StateMachineArn": machine.arn},
                )
        for label, queue in watched.dead_letter_queues.items():
            self._alarm(
                f"{label}-has-messages",
                f"A message is waiting in {label}: something could not be processed",
                namespace="AWS/SQS",
                metric="ApproximateNumberOfMessagesVisible",
                dimensions={"QueueName": queue.name},
                statistic="Maximum",
            )
        for function in watched.functions:
            for metric in ("Errors", "Throttles"):
                self._alarm(
                    f"{function.logical_name}-{metric.lower()}",
                    f"{function.logical_name}: {metric.lower()}",
                    namespace="AWS/Lambda",
                    metric=metric,
                    dimensions={"FunctionName": function.name},
                )
        for label, api in watched.http_apis.items():
            self._alarm(
                f"{label}-5xx",
                f"{label} answered a 5xx",
                namespace="AWS/ApiGateway",
                metric="5xx",
                dimensions={"ApiId": api.api.id},
            )

        rule = aws.cloudwatch.EventRule(
            f"{name}-failed-executions",
            description="Any failed, timed-out or aborted execution of this stack's state machines",
            event_pattern=pulumi.Output.all(
                *(machine.arn for machine in watched.state_machines.values())
            ).apply(failed_executions_pattern),
            opts=child,
        )
        aws.cloudwatch.EventTarget(
            f"{name}-failed-executions-to-topic",
            rule=rule.name,
            arn=self.topic.arn,
            input_transformer={
                "input_paths": MESSAGE_PATHS,
                "input_template": MESSAGE_TEMPLATE,
            },
            opts=child,
        )
        self.register_outputs({"topicArn": self.topic_arn})

    def _alarm(
        self,
        label: str,
        description: str,
        *,
        namespace: str,
        metric: str,
        dimensions: Mapping[str, pulumi.Input[str]],
        statistic: str = "Sum",
    ) -> None:
        self.alarms.append(
            aws.cloudwatch.MetricAlarm(
                f"{self._name}-{label}",
                alarm_description=description,
                namespace=namespace,
                metric_name=metric,
                dimensions=dict(dimensions),
                statistic=statistic,
                period=FIVE_MINUTES,
                evaluation_periods=1,
                threshold=0,
                comparison_operator="GreaterThanThreshold",
                # No data means nothing happened: no executions, no invocations, no messages.
                treat_missing_data="notBreaching",
                alarm_actions=[self.topic.arn],
                ok_actions=[self.topic.arn],
                opts=pulumi.ResourceOptions(parent=self),
            )
        )
