"""Every SQS-fed function's queue has a dead-letter queue and a visibility timeout at least six
times the function's timeout.

A stack policy: for each event source mapping that reads an SQS queue, it follows
``eventSourceArn`` to the queue and ``functionName`` to the function among the stack's resources.
Without a redrive policy a message that always fails returns for as long as the queue keeps it;
"set the source queue's visibility timeout to at least six times the timeout that you configure on
your function" is the AWS Lambda Developer Guide's rule ("Using Lambda with Amazon SQS"): the
mapping may retry a throttled batch without the message becoming visible again. Unset, SQS's
visibility timeout is 30 s and Lambda's timeout 3 s.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    PolicyResource,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from .naming import subject
from .properties import UNKNOWN, Deferred, is_set, number, peek, read, same
from .stack import StackResources, arn_service

EVENT_SOURCE_MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping"
QUEUE = "aws:sqs/queue:Queue"
REDRIVE_POLICY = "aws:sqs/redrivePolicy:RedrivePolicy"
VISIBILITY_TIMEOUT_FACTOR = 6
SQS_DEFAULT_VISIBILITY_TIMEOUT = 30.0
LAMBDA_DEFAULT_TIMEOUT = 3.0


def _names_dead_letter_queue(redrive: Any) -> bool:
    """A redrive policy (JSON text or a mapping) that names a dead-letter queue; an unknown one
    (built from the dead-letter queue's ARN during a preview) counts."""
    if redrive is UNKNOWN:
        return True
    if isinstance(redrive, str):
        try:
            redrive = json.loads(redrive)
        except json.JSONDecodeError:
            return False
    return isinstance(redrive, Mapping) and is_set(peek(redrive, "deadLetterTargetArn"))


def _has_dead_letter_queue(stack: StackResources, queue: PolicyResource) -> bool:
    if _names_dead_letter_queue(peek(queue.props, "redrivePolicy")):
        return True
    # Or set apart from the queue, by an aws.sqs.RedrivePolicy resource naming its URL.
    for redrive in stack.of_type(REDRIVE_POLICY):
        url = peek(redrive.props, "queueUrl")

        def has_url(candidate: PolicyResource, url: Any = url) -> bool:
            return same(peek(candidate.props, "url"), url) or same(peek(candidate.props, "id"), url)

        redriven = stack.referenced(redrive, "queueUrl", QUEUE, has_url)
        if redriven is queue and _names_dead_letter_queue(peek(redrive.props, "redrivePolicy")):
            return True
    return False


def _check_mapping(stack: StackResources, mapping: PolicyResource, report: ReportViolation) -> None:
    source = peek(mapping.props, "eventSourceArn")
    queue = stack.referenced(
        mapping, "eventSourceArn", QUEUE, lambda q: same(peek(q.props, "arn"), source)
    )
    if queue is None:
        read(mapping.props, "eventSourceArn")  # stops here if which source it is is unknown
        if arn_service(source) != "sqs":
            return  # a stream or broker, not a queue
        report(
            f"{subject(mapping.resource_type, mapping.name)} reads SQS queue {source}, which is "
            "not in this stack, so its dead-letter queue and visibility timeout cannot be checked: "
            "manage the queue in this stack.",
            mapping.urn,
        )
        return
    feeds = f"{subject(queue.resource_type, queue.name)} (read by {mapping.name})"
    if not _has_dead_letter_queue(stack, queue):
        report(
            f"{feeds} has no dead-letter queue: set its redrive_policy to "
            '{"deadLetterTargetArn": <a dead-letter queue ARN>, "maxReceiveCount": <receives>}.',
            queue.urn,
        )
    function = stack.function(mapping, "functionName")
    if function is None:
        read(mapping.props, "functionName")  # stops here if which function it is is unknown
        report(
            f"{feeds} feeds function {peek(mapping.props, 'functionName')}, which is not in this "
            "stack, so its timeout cannot be checked against the queue's visibility timeout: "
            "manage the function in this stack.",
            mapping.urn,
        )
        return
    visibility = number(
        read(queue.props, "visibilityTimeoutSeconds"), SQS_DEFAULT_VISIBILITY_TIMEOUT
    )
    timeout = number(read(function.props, "timeout"), LAMBDA_DEFAULT_TIMEOUT)
    least = VISIBILITY_TIMEOUT_FACTOR * timeout
    if visibility < least:
        report(
            f"{feeds} has a visibility timeout of {visibility:g} s, under "
            f"{VISIBILITY_TIMEOUT_FACTOR} x the {timeout:g} s timeout of function "
            f"'{function.name}': set visibility_timeout_seconds to at least {least:g}.",
            queue.urn,
        )


def _sqs_consumers(args: StackValidationArgs, report: ReportViolation) -> None:
    stack = StackResources(args.resources)
    deferred = Deferred()
    for mapping in stack.of_type(EVENT_SOURCE_MAPPING):
        deferred.check(_check_mapping, stack, mapping, report)
    deferred.finish()


SQS_CONSUMERS_HAVE_DEAD_LETTERS_AND_TIME = StackValidationPolicy(
    name="sqs-consumers-have-dead-letters-and-time",
    description=(
        "Every SQS queue that feeds a Lambda function has a dead-letter queue (redrive policy) "
        "and a visibility timeout at least 6x the function's timeout."
    ),
    validate=_sqs_consumers,
)
