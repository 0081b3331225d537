"""Every asynchronously invoked function has an on-failure destination.

An asynchronous invocation that fails after Lambda's retries (or grows too old) is dropped unless
the function's event invoke config names an on-failure destination. A stack policy, over:

- every ``FunctionEventInvokeConfig``: it must name ``destinationConfig.onFailure``;
- every function invoked asynchronously by another resource of the stack, an EventBridge target
  (``arn``) or an SNS ``lambda`` subscription (``endpoint``): followed to the function, which must
  have an invoke config for the version the caller invokes (unqualified: ``$LATEST``).
"""

from __future__ import annotations

from pulumi_policy import (
    PolicyResource,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from .naming import subject
from .properties import Deferred, is_set, peek, read
from .stack import StackResources, is_function_arn, qualifier

INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
TOPIC_SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
ON_FAILURE_FIX = (
    "set destination_config.on_failure.destination to a queue, topic, function or event bus "
    "that keeps the failed events"
)


def _check_invoke_config(config: PolicyResource, report: ReportViolation) -> None:
    if is_set(peek(config.props, "destinationConfig", "onFailure", "destination")):
        return
    report(
        f"{subject(config.resource_type, config.name)} (function "
        f"{peek(config.props, 'functionName')}) has no on-failure destination: {ON_FAILURE_FIX}.",
        config.urn,
    )


def _check_async_caller(
    stack: StackResources,
    caller: PolicyResource,
    prop: str,
    how: str,
    report: ReportViolation,
) -> None:
    reference = peek(caller.props, prop)
    function = stack.function(caller, prop)
    if function is None:
        read(caller.props, prop)  # stops here if what it invokes is not known yet
        if not is_function_arn(reference):
            return  # a queue, topic, state machine...: not a function
        report(
            f"{subject(caller.resource_type, caller.name)} invokes function {reference} "
            f"asynchronously ({how}), which is not in this stack, so its on-failure destination "
            "cannot be checked: manage the function in this stack.",
            caller.urn,
        )
        return
    invoked = qualifier(reference)
    configs = [
        config
        for config in stack.of_type(INVOKE_CONFIG)
        if stack.function(config, "functionName") is function
        and qualifier(peek(config.props, "functionName"), peek(config.props, "qualifier"))
        == invoked
    ]
    if not configs:
        report(
            f"{subject(function.resource_type, function.name)} is invoked asynchronously by "
            f"{caller.name} ({how}) but has no event invoke config for {invoked}: add an "
            f"aws.lambda_.FunctionEventInvokeConfig for it and {ON_FAILURE_FIX}.",
            function.urn,
        )
    # A config without an on-failure destination is reported on its own.


def _async_failure_destinations(args: StackValidationArgs, report: ReportViolation) -> None:
    stack = StackResources(args.resources)
    deferred = Deferred()
    for config in stack.of_type(INVOKE_CONFIG):
        deferred.check(_check_invoke_config, config, report)
    for target in stack.of_type(EVENT_TARGET):
        deferred.check(_check_async_caller, stack, target, "arn", "an EventBridge target", report)
    for subscription in stack.of_type(TOPIC_SUBSCRIPTION):
        if peek(subscription.props, "protocol") == "lambda":
            deferred.check(
                _check_async_caller, stack, subscription, "endpoint", "an SNS subscription", report
            )
    deferred.finish()


ASYNC_FUNCTIONS_HAVE_FAILURE_DESTINATIONS = StackValidationPolicy(
    name="async-functions-have-failure-destinations",
    description=(
        "Every asynchronously invoked Lambda function (an event invoke config, an EventBridge "
        "target, an SNS subscription) has an on-failure destination."
    ),
    validate=_async_failure_destinations,
)
