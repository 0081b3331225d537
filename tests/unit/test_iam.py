"""The policy helpers refuse to build statements that break least privilege."""

import json

import pytest

from components import iam


def test_given_a_wildcard_action_when_building_a_statement_then_it_is_refused():
    with pytest.raises(iam.PolicyError, match="wildcard action"):
        iam.allow(["dynamodb:*"], ["arn:aws:dynamodb:us-east-1:123456789012:table/t"])


def test_given_resource_star_without_a_reason_when_building_then_it_is_refused():
    with pytest.raises(iam.PolicyError, match="needs a reason"):
        iam.allow(["dynamodb:PutItem"], ["*"])
    with pytest.raises(iam.PolicyError, match="no written reason"):
        iam.allow_on_any_resource(["dynamodb:PutItem"])


def test_given_actions_aws_cannot_scope_when_allowed_on_any_resource_then_reason_exists():
    statement = iam.xray_write()
    assert statement["Resource"] == "*"
    assert frozenset(statement["Action"]) in iam.WILDCARD_RESOURCE_REASONS


def test_statements_are_sorted_and_deduplicated_for_stable_diffs():
    statement = iam.allow(["b:B", "a:A", "b:B"], ["arn:2", "arn:1"])
    assert statement == {
        "Effect": "Allow",
        "Action": ["a:A", "b:B"],
        "Resource": ["arn:1", "arn:2"],
    }


def test_log_group_write_covers_only_the_streams_of_one_group():
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:g"
    assert iam.log_group_write(arn)["Resource"] == [f"{arn}:*"]


def test_trust_policy_names_exactly_one_service_principal():
    trust = json.loads(iam.assume_role_policy("lambda.amazonaws.com"))
    assert trust["Statement"] == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ]


def test_an_empty_policy_is_an_error():
    with pytest.raises(iam.PolicyError):
        iam.policy_document([])
