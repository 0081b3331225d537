"""Messages at rest are encrypted: every SQS queue and every SNS topic.

Resource policies on the queue's and the topic's inputs.
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from .naming import subject
from .properties import UNKNOWN, is_set, peek

QUEUE = "aws:sqs/queue:Queue"
TOPIC = "aws:sns/topic:Topic"


def _queue_encrypted(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != QUEUE:
        return
    sse_sqs = peek(args.props, "sqsManagedSseEnabled")
    if sse_sqs is True or sse_sqs is UNKNOWN or is_set(peek(args.props, "kmsMasterKeyId")):
        return
    report(
        f"{subject(args.resource_type, args.name)} is not encrypted at rest: set "
        "sqs_managed_sse_enabled=True (SSE-SQS, no key to manage) or a kms_master_key_id.",
        None,
    )


def _topic_encrypted(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != TOPIC:
        return
    if is_set(peek(args.props, "kmsMasterKeyId")):
        return
    report(
        f"{subject(args.resource_type, args.name)} is not encrypted at rest: set "
        "kms_master_key_id ('alias/aws/sns', or a customer managed key whose key policy lets the "
        "publishing services use it, as CloudWatch alarms and EventBridge need).",
        None,
    )


QUEUES_ENCRYPTED = ResourceValidationPolicy(
    name="queues-encrypted",
    description="SQS queues are encrypted at rest (SSE-SQS or a KMS key).",
    validate=_queue_encrypted,
)

TOPICS_ENCRYPTED = ResourceValidationPolicy(
    name="topics-encrypted",
    description="SNS topics are encrypted at rest with a KMS key.",
    validate=_topic_encrypted,
)
