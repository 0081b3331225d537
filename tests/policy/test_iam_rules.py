"""The IAM rules on policy documents built by hand: wildcard actions, public principals, and
Resource '*' only for the documented action sets."""

import json

import pytest
from pulumi_policy.proxy import UnknownValueError

from policy.rules.iam import (
    DOCUMENTED_WILDCARD_RESOURCES,
    NO_PUBLIC_PRINCIPALS,
    NO_WILDCARD_ACTIONS,
)
from policy.rules.wildcard_resources import LOG_DELIVERY_ACTIONS, XRAY_WRITE_ACTIONS
from tests.policy.support import UNKNOWN, document, resource_args, violations

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:orders"


def allow(actions, resources=QUEUE_ARN, **extra):
    return {"Effect": "Allow", "Action": actions, "Resource": resources, **extra}


def trust(principal):
    return document({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})


def role_policy(*statements):
    return resource_args(ROLE_POLICY, {"policy": document(*statements)}, name="consumer-policy")


# no-wildcard-actions


def test_given_named_actions_when_checked_then_no_wildcard_action_is_reported():
    args = role_policy(allow(["sqs:ReceiveMessage", "sqs:DeleteMessage"]))

    assert violations(NO_WILDCARD_ACTIONS, args) == []


def test_given_a_service_wildcard_when_checked_then_the_statement_and_action_are_named():
    args = role_policy(allow(["sqs:ReceiveMessage"]), allow("sqs:*"))

    assert violations(NO_WILDCARD_ACTIONS, args) == [
        "IAM role policy 'consumer-policy', policy, statement 2: allows the wildcard action(s) "
        "['sqs:*']: list the exact actions it needs (for example 'sqs:SendMessage', not "
        "'sqs:*')."
    ]


@pytest.mark.parametrize("action", ["*", "s3:Get*", "dynamodb:?etItem"])
def test_given_any_wildcard_pattern_when_checked_then_it_is_reported(action):
    args = role_policy(allow([action], Sid="Broad"))

    assert violations(NO_WILDCARD_ACTIONS, args) == [
        f"IAM role policy 'consumer-policy', policy, statement 'Broad': allows the wildcard "
        f"action(s) ['{action}']: list the exact actions it needs (for example "
        "'sqs:SendMessage', not 'sqs:*')."
    ]


def test_given_allow_with_not_action_when_checked_then_it_counts_as_a_wildcard():
    args = role_policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": QUEUE_ARN})

    assert violations(NO_WILDCARD_ACTIONS, args) == [
        "IAM role policy 'consumer-policy', policy, statement 1: allows every action except "
        "NotAction ['iam:*']: list the exact actions it needs in Action instead."
    ]


def test_given_a_deny_wildcard_when_checked_then_it_passes_because_it_only_takes_away():
    args = role_policy(
        allow("sqs:SendMessage"),
        {"Effect": "Deny", "Action": "*", "Resource": "*"},
    )

    assert violations(NO_WILDCARD_ACTIONS, args) == []


def test_given_a_role_when_checked_then_its_trust_and_inline_policies_are_read():
    args = resource_args(
        "aws:iam/role:Role",
        {
            "assumeRolePolicy": trust({"Service": "lambda.amazonaws.com"}),
            "inlinePolicies": [{"name": "everything", "policy": document(allow("*", "*"))}],
        },
        name="worker-role",
    )

    assert violations(NO_WILDCARD_ACTIONS, args) == [
        "IAM role 'worker-role', inline policy 'everything', statement 1: allows the wildcard "
        "action(s) ['*']: list the exact actions it needs (for example 'sqs:SendMessage', not "
        "'sqs:*')."
    ]


@pytest.mark.parametrize(
    ("resource_type", "prop", "kind", "label"),
    [
        ("aws:iam/policy:Policy", "policy", "IAM policy", "policy"),
        ("aws:sqs/queuePolicy:QueuePolicy", "policy", "SQS queue policy", "queue policy"),
        ("aws:sqs/queue:Queue", "policy", "SQS queue", "queue policy"),
        ("aws:sns/topicPolicy:TopicPolicy", "policy", "SNS topic policy", "topic policy"),
        ("aws:kms/key:Key", "policy", "KMS key", "key policy"),
        (
            "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
            "policyDocument",
            "CloudWatch Logs resource policy",
            "resource policy",
        ),
    ],
)
def test_given_each_kind_of_policy_document_when_it_has_a_wildcard_then_it_is_reported(
    resource_type, prop, kind, label
):
    statement = allow("kms:*", "*", Principal={"AWS": "arn:aws:iam::123456789012:root"})
    args = resource_args(resource_type, {prop: document(statement)}, name="thing")

    assert violations(NO_WILDCARD_ACTIONS, args) == [
        f"{kind} 'thing', {label}, statement 1: allows the wildcard action(s) ['kms:*']: list "
        "the exact actions it needs (for example 'sqs:SendMessage', not 'sqs:*')."
    ]


def test_given_a_document_that_is_not_json_when_checked_then_it_is_reported():
    args = resource_args(ROLE_POLICY, {"policy": "{not json"}, name="broken")

    [message] = violations(NO_WILDCARD_ACTIONS, args)

    assert message.startswith("IAM role policy 'broken': the policy is not JSON (")
    assert message.endswith("): write it as an IAM policy document.")


def test_given_a_single_statement_object_when_checked_then_it_is_read_like_a_list():
    args = resource_args(
        ROLE_POLICY,
        {"policy": json.dumps({"Version": "2012-10-17", "Statement": allow("s3:*")})},
        name="single",
    )

    assert len(violations(NO_WILDCARD_ACTIONS, args)) == 1


def test_given_a_document_unknown_during_preview_when_checked_then_the_sdk_is_told():
    """pulumi_policy turns this exception into "can't run policy during preview" (advisory);
    during the update the document is known and checked."""
    args = resource_args(ROLE_POLICY, {"policy": UNKNOWN}, name="later")

    with pytest.raises(UnknownValueError):
        violations(NO_WILDCARD_ACTIONS, args)


def test_given_resources_without_documents_when_checked_then_nothing_is_reported():
    args = resource_args("aws:sqs/queue:Queue", {"sqsManagedSseEnabled": True})

    assert violations(NO_WILDCARD_ACTIONS, args) == []


# no-public-principals


def test_given_a_trust_policy_naming_one_service_when_checked_then_it_passes():
    args = resource_args(
        "aws:iam/role:Role", {"assumeRolePolicy": trust({"Service": "states.amazonaws.com"})}
    )

    assert violations(NO_PUBLIC_PRINCIPALS, args) == []


@pytest.mark.parametrize(
    "principal",
    ["*", {"AWS": "*"}, {"AWS": ["arn:aws:iam::123456789012:root", "*"]}],
    ids=["star", "aws-star", "aws-list-with-star"],
)
def test_given_a_public_trust_policy_when_checked_then_the_role_is_named(principal):
    args = resource_args("aws:iam/role:Role", {"assumeRolePolicy": trust(principal)}, name="open")

    assert violations(NO_PUBLIC_PRINCIPALS, args) == [
        "IAM role 'open', trust policy, statement 1: allows any principal ('*'): name the one "
        "service or account that needs it, for example {'Service': 'lambda.amazonaws.com'} or "
        "an account's role ARN."
    ]


@pytest.mark.parametrize(
    ("resource_type", "kind", "label"),
    [
        ("aws:sqs/queuePolicy:QueuePolicy", "SQS queue policy", "queue policy"),
        ("aws:sns/topicPolicy:TopicPolicy", "SNS topic policy", "topic policy"),
        ("aws:sns/topic:Topic", "SNS topic", "topic policy"),
        ("aws:kms/key:Key", "KMS key", "key policy"),
    ],
)
def test_given_a_public_resource_policy_when_checked_then_it_is_reported(
    resource_type, kind, label
):
    statement = allow("sqs:SendMessage", Principal={"AWS": "*"}, Sid="Anyone")
    args = resource_args(resource_type, {"policy": document(statement)}, name="shared")

    assert violations(NO_PUBLIC_PRINCIPALS, args) == [
        f"{kind} 'shared', {label}, statement 'Anyone': allows any principal ('*'): name the one "
        "service or account that needs it, for example {'Service': 'lambda.amazonaws.com'} or "
        "an account's role ARN."
    ]


def test_given_a_deny_for_everyone_when_checked_then_it_passes():
    statement = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "sqs:*",
        "Resource": QUEUE_ARN,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    args = resource_args("aws:sqs/queuePolicy:QueuePolicy", {"policy": document(statement)})

    assert violations(NO_PUBLIC_PRINCIPALS, args) == []


def test_given_allow_with_not_principal_when_checked_then_it_is_reported():
    statement = allow("sqs:SendMessage", NotPrincipal={"AWS": "arn:aws:iam::123456789012:root"})
    args = resource_args("aws:sqs/queuePolicy:QueuePolicy", {"policy": document(statement)})

    assert violations(NO_PUBLIC_PRINCIPALS, args) == [
        "SQS queue policy 'subject', queue policy, statement 1: allows every principal except "
        "NotPrincipal: name the principals in Principal."
    ]


def test_given_a_lambda_permission_for_a_service_when_checked_then_it_passes():
    args = resource_args(
        "aws:lambda/permission:Permission",
        {
            "action": "lambda:InvokeFunction",
            "function": "arn:aws:lambda:us-east-1:123456789012:function:credit",
            "principal": "events.amazonaws.com",
            "sourceArn": "arn:aws:events:us-east-1:123456789012:rule/checked",
        },
    )

    assert violations(NO_PUBLIC_PRINCIPALS, args) == []


def test_given_a_lambda_permission_for_anyone_when_checked_then_it_is_reported():
    args = resource_args(
        "aws:lambda/permission:Permission",
        {"action": "lambda:InvokeFunction", "function": "credit", "principal": "*"},
        name="credit-from-anyone",
    )

    assert violations(NO_PUBLIC_PRINCIPALS, args) == [
        "Lambda permission 'credit-from-anyone' lets any principal ('*') invoke credit: set "
        "principal to the service that calls it (for example 'events.amazonaws.com') with its "
        "source_arn, or to an account."
    ]


# documented-wildcard-resources


@pytest.mark.parametrize(
    "actions",
    [
        sorted(XRAY_WRITE_ACTIONS),
        sorted(LOG_DELIVERY_ACTIONS),
        ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
    ],
    ids=["xray-writes", "log-delivery", "part-of-a-documented-set"],
)
def test_given_documented_actions_on_any_resource_when_checked_then_they_pass(actions):
    args = role_policy(allow(actions, "*"))

    assert violations(DOCUMENTED_WILDCARD_RESOURCES, args) == []


def test_given_undocumented_actions_on_any_resource_when_checked_then_they_are_named():
    args = role_policy(allow(["xray:PutTraceSegments", "s3:GetObject", "dynamodb:GetItem"], "*"))

    assert violations(DOCUMENTED_WILDCARD_RESOURCES, args) == [
        "IAM role policy 'consumer-policy', policy, statement 1: allows ['dynamodb:GetItem', "
        "'s3:GetObject'] on Resource '*', which only the documented action sets may use (X-Ray "
        "writes, Step Functions log delivery): name the ARNs they act on."
    ]


def test_given_any_resource_among_named_ones_when_checked_then_it_still_counts():
    args = role_policy(allow("sqs:SendMessage", [QUEUE_ARN, "*"]))

    assert len(violations(DOCUMENTED_WILDCARD_RESOURCES, args)) == 1


def test_given_a_log_streams_arn_suffix_when_checked_then_it_is_not_a_wildcard_resource():
    group = "arn:aws:logs:us-east-1:123456789012:log-group:orders-logs"
    args = role_policy(allow(["logs:CreateLogStream", "logs:PutLogEvents"], f"{group}:*"))

    assert violations(DOCUMENTED_WILDCARD_RESOURCES, args) == []


def test_given_allow_with_not_resource_when_checked_then_it_is_reported():
    args = role_policy({"Effect": "Allow", "Action": "sqs:SendMessage", "NotResource": QUEUE_ARN})

    assert violations(DOCUMENTED_WILDCARD_RESOURCES, args) == [
        "IAM role policy 'consumer-policy', policy, statement 1: allows every resource except "
        "NotResource: name the ARNs in Resource instead."
    ]


def test_given_a_key_policy_when_its_resource_is_any_then_it_means_the_key_and_passes():
    statement = allow(
        ["kms:Decrypt", "kms:GenerateDataKey"],
        "*",
        Principal={"Service": "cloudwatch.amazonaws.com"},
    )
    args = resource_args("aws:kms/key:Key", {"policy": document(statement)})

    assert violations(DOCUMENTED_WILDCARD_RESOURCES, args) == []
