"""The rules that span resources, on stacks built by hand: SQS-fed functions (dead-letter queue,
visibility timeout) and asynchronously invoked functions (on-failure destination)."""

import json

import pytest
from pulumi_policy.proxy import UnknownValueError

from policy.rules.async_invocations import ASYNC_FUNCTIONS_HAVE_FAILURE_DESTINATIONS
from policy.rules.event_sources import SQS_CONSUMERS_HAVE_DEAD_LETTERS_AND_TIME
from tests.policy.support import UNKNOWN, policy_resource, reports, stack_args, urn

ACCOUNT = "arn:aws:{service}:us-east-1:123456789012:{resource}"
QUEUE = "aws:sqs/queue:Queue"
FUNCTION = "aws:lambda/function:Function"
MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping"
INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"


def queue_arn(name):
    return ACCOUNT.format(service="sqs", resource=name)


def function_arn(name):
    return ACCOUNT.format(service="lambda", resource=f"function:{name}")


def queue(name, visibility=None, dead_letters="orders-dead-letters", **extra):
    props = {"name": name, "arn": queue_arn(name), "url": f"https://sqs/{name}", **extra}
    if visibility is not None:
        props["visibilityTimeoutSeconds"] = float(visibility)
    if dead_letters:
        props["redrivePolicy"] = json.dumps(
            {"deadLetterTargetArn": queue_arn(dead_letters), "maxReceiveCount": 4}
        )
    return policy_resource(QUEUE, name, props)


def function(name, timeout=None):
    props = {"name": name, "arn": function_arn(name), "runtime": "python3.13"}
    if timeout is not None:
        props["timeout"] = float(timeout)
    return policy_resource(FUNCTION, name, props)


def mapping(source, target, name="orders-consumer", property_dependencies=None):
    return policy_resource(
        MAPPING,
        name,
        {"eventSourceArn": source, "functionName": target, "batchSize": 5.0},
        property_dependencies,
    )


def sqs_reports(*resources):
    return reports(SQS_CONSUMERS_HAVE_DEAD_LETTERS_AND_TIME, stack_args(resources))


# sqs-consumers-have-dead-letters-and-time


def test_given_a_queue_with_dead_letters_and_six_times_the_timeout_then_it_passes():
    consumer = function("orders-consumer-function", timeout=30)

    assert (
        sqs_reports(
            queue("orders-messages", visibility=180),
            consumer,
            mapping(queue_arn("orders-messages"), function_arn("orders-consumer-function")),
        )
        == []
    )


def test_given_a_queue_without_dead_letters_when_checked_then_the_queue_is_named():
    messages = queue("orders-messages", visibility=180, dead_letters=None)

    assert sqs_reports(
        messages,
        function("orders-consumer-function", timeout=30),
        mapping(queue_arn("orders-messages"), "orders-consumer-function"),
    ) == [
        (
            "SQS queue 'orders-messages' (read by orders-consumer) has no dead-letter queue: set "
            'its redrive_policy to {"deadLetterTargetArn": <a dead-letter queue ARN>, '
            '"maxReceiveCount": <receives>}.',
            urn(QUEUE, "orders-messages"),
        )
    ]


def test_given_a_visibility_timeout_under_six_times_the_function_timeout_then_the_least_is_named():
    assert sqs_reports(
        queue("orders-messages", visibility=60),
        function("orders-consumer-function", timeout=30),
        mapping(queue_arn("orders-messages"), function_arn("orders-consumer-function")),
    ) == [
        (
            "SQS queue 'orders-messages' (read by orders-consumer) has a visibility timeout of "
            "60 s, under 6 x the 30 s timeout of function 'orders-consumer-function': set "
            "visibility_timeout_seconds to at least 180.",
            urn(QUEUE, "orders-messages"),
        )
    ]


def test_given_neither_timeout_set_when_checked_then_the_aws_defaults_are_compared():
    """SQS's default visibility timeout (30 s) covers six times Lambda's default timeout (3 s)."""
    assert (
        sqs_reports(
            queue("orders-messages"),
            function("orders-consumer-function"),
            mapping(queue_arn("orders-messages"), "orders-consumer-function"),
        )
        == []
    )


def test_given_the_default_visibility_and_a_long_function_when_checked_then_it_is_reported():
    [(message, _)] = sqs_reports(
        queue("orders-messages"),
        function("orders-consumer-function", timeout=10),
        mapping(queue_arn("orders-messages"), "orders-consumer-function"),
    )

    assert "visibility timeout of 30 s, under 6 x the 10 s timeout" in message


def test_given_a_redrive_policy_set_apart_from_the_queue_when_checked_then_it_counts():
    messages = queue("orders-messages", visibility=180, dead_letters=None)
    redrive = policy_resource(
        "aws:sqs/redrivePolicy:RedrivePolicy",
        "orders-redrive",
        {
            "queueUrl": "https://sqs/orders-messages",
            "redrivePolicy": json.dumps({"deadLetterTargetArn": queue_arn("dlq")}),
        },
    )

    assert (
        sqs_reports(
            messages,
            redrive,
            function("orders-consumer-function", timeout=30),
            mapping(queue_arn("orders-messages"), "orders-consumer-function"),
        )
        == []
    )


def test_given_a_queue_outside_the_stack_when_checked_then_the_mapping_is_named():
    assert sqs_reports(
        function("orders-consumer-function"),
        mapping(queue_arn("elsewhere"), "orders-consumer-function"),
    ) == [
        (
            f"Event source mapping 'orders-consumer' reads SQS queue {queue_arn('elsewhere')}, "
            "which is not in this stack, so its dead-letter queue and visibility timeout cannot "
            "be checked: manage the queue in this stack.",
            urn(MAPPING, "orders-consumer"),
        )
    ]


def test_given_a_function_outside_the_stack_when_checked_then_the_mapping_is_named():
    assert sqs_reports(
        queue("orders-messages", visibility=180),
        mapping(queue_arn("orders-messages"), "someone-elses-function"),
    ) == [
        (
            "SQS queue 'orders-messages' (read by orders-consumer) feeds function "
            "someone-elses-function, which is not in this stack, so its timeout cannot be checked "
            "against the queue's visibility timeout: manage the function in this stack.",
            urn(MAPPING, "orders-consumer"),
        )
    ]


def test_given_a_stream_event_source_when_checked_then_it_is_not_an_sqs_consumer():
    stream = ACCOUNT.format(service="kinesis", resource="stream/clicks")

    assert sqs_reports(function("clicks"), mapping(stream, "clicks")) == []


def test_given_a_preview_of_a_new_stack_when_arns_are_unknown_then_dependencies_are_followed():
    """During a preview, the mapping's ARNs and the queue's redrive policy (built from the
    dead-letter queue's ARN) are unknown; the engine still says which resources each property
    was computed from."""
    messages = policy_resource(
        QUEUE,
        "orders-messages",
        {"arn": UNKNOWN, "visibilityTimeoutSeconds": 60.0, "redrivePolicy": UNKNOWN},
    )
    consumer = policy_resource(FUNCTION, "orders-consumer-function", {"timeout": 30.0})
    consumer_mapping = mapping(
        UNKNOWN,
        UNKNOWN,
        property_dependencies={"eventSourceArn": [messages], "functionName": [consumer]},
    )

    assert sqs_reports(messages, consumer, consumer_mapping) == [
        (
            "SQS queue 'orders-messages' (read by orders-consumer) has a visibility timeout of "
            "60 s, under 6 x the 30 s timeout of function 'orders-consumer-function': set "
            "visibility_timeout_seconds to at least 180.",
            urn(QUEUE, "orders-messages"),
        )
    ]


def test_given_a_value_unknown_until_the_update_then_the_rest_is_checked_and_the_sdk_told():
    unknown_visibility = policy_resource(
        QUEUE, "later-messages", {"arn": queue_arn("later"), "visibilityTimeoutSeconds": UNKNOWN}
    )
    found = []

    with pytest.raises(UnknownValueError):
        SQS_CONSUMERS_HAVE_DEAD_LETTERS_AND_TIME.validate(
            stack_args(
                [
                    unknown_visibility,
                    queue("orders-messages", dead_letters=None),
                    function("f"),
                    mapping(queue_arn("later"), "f", name="first"),
                    mapping(queue_arn("orders-messages"), "f", name="second"),
                ]
            ),
            lambda message, urn=None: found.append(message),
        )

    # The first mapping reported its queue's missing dead-letter queue, then stopped at the
    # unknown visibility timeout; the second mapping was still checked.
    assert [m.split(" has ")[0] for m in found] == [
        "SQS queue 'later-messages' (read by first)",
        "SQS queue 'orders-messages' (read by second)",
    ]


# async-functions-have-failure-destinations


def invoke_config(function_name, on_failure=True, name="credit-async", **extra):
    destinations = {"onSuccess": {"destination": queue_arn("output")}}
    if on_failure:
        destinations["onFailure"] = {"destination": queue_arn("failures")}
    return policy_resource(
        INVOKE_CONFIG,
        name,
        {"functionName": function_name, "destinationConfig": destinations, **extra},
    )


def event_target(arn, name="checked-target"):
    return policy_resource(EVENT_TARGET, name, {"rule": "identity-checked", "arn": arn})


def async_reports(*resources):
    return reports(ASYNC_FUNCTIONS_HAVE_FAILURE_DESTINATIONS, stack_args(resources))


def test_given_an_invoke_config_with_an_on_failure_destination_then_it_passes():
    assert async_reports(function("credit"), invoke_config("credit")) == []


def test_given_an_invoke_config_without_an_on_failure_destination_then_the_config_is_named():
    assert async_reports(function("credit"), invoke_config("credit", on_failure=False)) == [
        (
            "Event invoke config 'credit-async' (function credit) has no on-failure destination: "
            "set destination_config.on_failure.destination to a queue, topic, function or event "
            "bus that keeps the failed events.",
            urn(INVOKE_CONFIG, "credit-async"),
        )
    ]


def test_given_an_eventbridge_target_function_with_a_failure_destination_then_it_passes():
    assert (
        async_reports(
            function("credit"), invoke_config("credit"), event_target(function_arn("credit"))
        )
        == []
    )


def test_given_an_eventbridge_target_function_without_invoke_config_then_the_function_is_named():
    assert async_reports(function("credit"), event_target(function_arn("credit"))) == [
        (
            "Lambda function 'credit' is invoked asynchronously by checked-target (an EventBridge "
            "target) but has no event invoke config for $LATEST: add an "
            "aws.lambda_.FunctionEventInvokeConfig for it and set "
            "destination_config.on_failure.destination to a queue, topic, function or event bus "
            "that keeps the failed events.",
            urn(FUNCTION, "credit"),
        )
    ]


def test_given_a_target_invoking_an_alias_when_only_latest_is_configured_then_it_is_reported():
    [(message, _)] = async_reports(
        function("credit"),
        invoke_config("credit"),
        event_target(f"{function_arn('credit')}:live"),
    )

    assert "has no event invoke config for live" in message


def test_given_a_target_invoking_an_alias_with_its_own_config_then_it_passes():
    assert (
        async_reports(
            function("credit"),
            invoke_config("credit", qualifier="live"),
            event_target(f"{function_arn('credit')}:live"),
        )
        == []
    )


def test_given_an_eventbridge_target_that_is_not_a_function_then_it_is_not_checked():
    assert async_reports(event_target(queue_arn("audit"))) == []


def test_given_a_target_function_outside_the_stack_when_checked_then_the_target_is_named():
    assert async_reports(event_target(function_arn("elsewhere"))) == [
        (
            f"EventBridge target 'checked-target' invokes function {function_arn('elsewhere')} "
            "asynchronously (an EventBridge target), which is not in this stack, so its "
            "on-failure destination cannot be checked: manage the function in this stack.",
            urn(EVENT_TARGET, "checked-target"),
        )
    ]


def test_given_an_sns_lambda_subscription_without_invoke_config_then_the_function_is_named():
    subscription = policy_resource(
        SUBSCRIPTION,
        "orders-to-audit",
        {"protocol": "lambda", "endpoint": function_arn("audit"), "topic": "arn:aws:sns:x"},
    )

    [(message, where)] = async_reports(function("audit"), subscription)

    assert message.startswith(
        "Lambda function 'audit' is invoked asynchronously by orders-to-audit (an SNS "
        "subscription) but has no event invoke config for $LATEST"
    )
    assert where == urn(FUNCTION, "audit")


def test_given_an_email_subscription_when_checked_then_it_is_not_checked():
    subscription = policy_resource(
        SUBSCRIPTION, "orders-email", {"protocol": "email", "endpoint": "ops@example.com"}
    )

    assert async_reports(subscription) == []


def test_given_a_preview_when_function_names_are_unknown_then_dependencies_are_followed():
    credit = policy_resource(FUNCTION, "credit", {"name": UNKNOWN, "arn": UNKNOWN})
    config = policy_resource(
        INVOKE_CONFIG,
        "credit-async",
        {"functionName": UNKNOWN, "destinationConfig": {"onFailure": {"destination": UNKNOWN}}},
        {"functionName": [credit]},
    )
    target = policy_resource(
        EVENT_TARGET, "checked-target", {"rule": UNKNOWN, "arn": UNKNOWN}, {"arn": [credit]}
    )
    unconfigured = policy_resource(FUNCTION, "other", {"name": UNKNOWN, "arn": UNKNOWN})
    other_target = policy_resource(
        EVENT_TARGET, "other-target", {"arn": UNKNOWN}, {"arn": [unconfigured]}
    )

    assert [
        where for _, where in async_reports(credit, config, target, unconfigured, other_target)
    ] == [urn(FUNCTION, "other")]


def test_given_a_function_reference_unknown_without_dependencies_then_nothing_is_guessed():
    """A function the mapping's dependencies do not name, with an unknown name, is not reported
    as missing from the stack: the SDK is told the rule could not run during the preview."""
    found = []

    with pytest.raises(UnknownValueError):
        SQS_CONSUMERS_HAVE_DEAD_LETTERS_AND_TIME.validate(
            stack_args([queue("orders-messages"), mapping(queue_arn("orders-messages"), UNKNOWN)]),
            lambda message, urn=None: found.append(message),
        )

    assert found == []
