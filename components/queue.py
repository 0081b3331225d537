"""Queue: an encrypted SQS queue with its dead-letter queue attached, consumed by one function.

Every message either leaves the queue processed or, after ``max_receive_count`` receives, moves to
the dead-letter queue, where it is kept for 14 days for someone to look at and redrive. The
consumer reads batches through an event source mapping that reports partial batch failures, so one
bad message never makes its batch-mates run again. Both queues use SQS-managed encryption
(SSE-SQS): no key to manage, and no KMS permission for senders or the consumer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.durability import Durability
from components.function import PythonFunction
from components.iam import allow

# "Set the source queue's visibility timeout to at least six times the timeout that you configure
# on your function" (AWS Lambda Developer Guide, "Using Lambda with Amazon SQS"): the mapping may
# retry a throttled batch within that time without the message becoming visible again.
VISIBILITY_TIMEOUT_FACTOR = 6
# What Lambda's event source mapping calls on the queue (the AWSLambdaSQSQueueExecutionRole set).
CONSUMER_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
FOURTEEN_DAYS = 14 * 24 * 3600  # SQS's longest retention
LONG_POLL_SECONDS = 20  # the longest ReceiveMessage wait SQS allows


def record_queue(
    name: str,
    parent: pulumi.Resource,
    durability: Durability,
    retention_seconds: int | None = None,
) -> aws.sqs.Queue:
    """An encrypted queue that records are sent to and read from by people or programs that poll
    it (20 s long polling: one ReceiveMessage waits for a message rather than answering empty)."""
    return aws.sqs.Queue(
        name,
        sqs_managed_sse_enabled=True,
        receive_wait_time_seconds=LONG_POLL_SECONDS,
        message_retention_seconds=retention_seconds,
        opts=durability.options(parent),
    )


class VisibilityTimeoutError(ValueError):
    """A queue's visibility timeout too short for its consumer."""


def check_visibility_timeout(queue: str, visibility_timeout: int, function_timeout: int) -> None:
    """Refuse a consumer whose timeout the queue's visibility timeout does not cover six times."""
    if visibility_timeout < VISIBILITY_TIMEOUT_FACTOR * function_timeout:
        raise VisibilityTimeoutError(
            f"{queue}: visibility timeout {visibility_timeout} s is under "
            f"{VISIBILITY_TIMEOUT_FACTOR} x the consumer's {function_timeout} s timeout"
        )


@dataclass
class QueueArgs:
    visibility_timeout_seconds: int
    max_receive_count: int = 4
    """Receives after which a message moves to the dead-letter queue."""
    dead_letter_retention_seconds: int = FOURTEEN_DAYS
    durability: Durability = field(default_factory=Durability)


class Queue(pulumi.ComponentResource):
    queue: aws.sqs.Queue
    dead_letter_queue: aws.sqs.Queue
    url: pulumi.Output[str]
    arn: pulumi.Output[str]
    dead_letter_url: pulumi.Output[str]

    def __init__(
        self, name: str, args: QueueArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("serverless-workflows:queue:Queue", name, None, opts)
        self._name = name
        self._visibility_timeout = args.visibility_timeout_seconds
        stateful = args.durability.options(self)
        self.dead_letter_queue = aws.sqs.Queue(
            f"{name}-dead-letters",
            message_retention_seconds=args.dead_letter_retention_seconds,
            sqs_managed_sse_enabled=True,
            opts=stateful,
        )
        self.queue = aws.sqs.Queue(
            f"{name}-messages",
            visibility_timeout_seconds=args.visibility_timeout_seconds,
            sqs_managed_sse_enabled=True,
            redrive_policy=self.dead_letter_queue.arn.apply(
                lambda arn: json.dumps(
                    {"deadLetterTargetArn": arn, "maxReceiveCount": args.max_receive_count}
                )
            ),
            opts=stateful,
        )
        self.url = self.queue.url
        self.arn = self.queue.arn
        self.dead_letter_url = self.dead_letter_queue.url
        self.register_outputs(
            {"url": self.url, "arn": self.arn, "deadLetterUrl": self.dead_letter_url}
        )

    def grant_send(self, function: PythonFunction, purpose: str) -> aws.iam.RolePolicy:
        """Let ``function`` send messages to this queue, and nothing else."""
        return function.grant(
            purpose, self.arn.apply(lambda arn: [allow(["sqs:SendMessage"], [arn])])
        )

    def subscribe(
        self, function: PythonFunction, batch_size: int
    ) -> aws.lambda_.EventSourceMapping:
        """Deliver this queue's messages to ``function`` in batches of up to ``batch_size``; the
        function answers which messages failed (``batchItemFailures``), and only those return."""
        check_visibility_timeout(self._name, self._visibility_timeout, function.timeout)
        policy = function.grant(
            "consume-queue", self.arn.apply(lambda arn: [allow(CONSUMER_ACTIONS, [arn])])
        )
        return aws.lambda_.EventSourceMapping(
            f"{self._name}-consumer",
            event_source_arn=self.arn,
            function_name=function.arn,
            batch_size=batch_size,
            function_response_types=["ReportBatchItemFailures"],
            # Lambda checks the role's queue permissions when the mapping is created.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
