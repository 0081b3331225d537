"""Calls signed with a role's credentials are checked against the role's policies, as IAM checks
an assumed role's calls (IAM User Guide, "Policy evaluation logic": an explicit Deny wins; without
an Allow the request is denied)."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.handlers.applications_support import create_applications_table
from tests.localcloud.conftest import allows, grant, role

NO_RETRIES = Config(retries={"total_max_attempts": 1})
TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/items"


def as_role(aws, role_arn: str, service: str, session_token: str | None = "issued"):
    """A client signing with the credentials localcloud issues for ``role_arn`` (with their
    session token, unless another one or None is given)."""
    principal = aws.principals.for_role(role_arn)
    return boto3.session.Session(
        aws_access_key_id=principal.access_key_id,
        aws_secret_access_key=principal.secret_access_key,
        aws_session_token=principal.session_token if session_token == "issued" else session_token,
        region_name=aws.region,
    ).client(service, endpoint_url=aws.endpoint.url, config=NO_RETRIES)


@pytest.fixture
def table(aws):
    create_applications_table("items")  # key id, index "state"
    return "items"


def test_a_role_may_make_the_calls_its_policy_allows_and_no_other(aws, table):
    arn = role(
        "writer",
        statements=[{"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": TABLE_ARN}],
    )
    dynamodb = as_role(aws, arn, "dynamodb")

    dynamodb.put_item(TableName=table, Item={"id": {"S": "a"}})
    with pytest.raises(ClientError) as denied:
        dynamodb.get_item(TableName=table, Key={"id": {"S": "a"}})

    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    assert denied.value.response["Error"]["Message"] == (
        f"User: {arn} is not authorized to perform: dynamodb:GetItem on resource: {TABLE_ARN} "
        "because no identity-based policy allows the dynamodb:GetItem action"
    )
    assert boto3.client("dynamodb").scan(TableName=table)["Count"] == 1


def test_a_query_on_an_index_needs_the_index_arn(aws, table):
    arn = role(
        "finder",
        statements=[{"Effect": "Allow", "Action": "dynamodb:Query", "Resource": TABLE_ARN}],
    )
    query = {
        "TableName": table,
        "IndexName": "state",
        "KeyConditionExpression": "#s = :s",
        "ExpressionAttributeNames": {"#s": "state"},
        "ExpressionAttributeValues": {":s": {"S": "APPROVED"}},
    }

    with pytest.raises(ClientError) as denied:
        as_role(aws, arn, "dynamodb").query(**query)
    assert f"on resource: {TABLE_ARN}/index/state" in denied.value.response["Error"]["Message"]

    grant("finder", allows(f"{TABLE_ARN}/index/state", "dynamodb:Query"), "index")
    assert as_role(aws, arn, "dynamodb").query(**query)["Count"] == 0


def test_a_grant_deleted_through_the_endpoint_is_gone_for_the_next_call(aws, table):
    arn = role(
        "writer",
        statements=[{"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": TABLE_ARN}],
    )
    dynamodb = as_role(aws, arn, "dynamodb")
    dynamodb.put_item(TableName=table, Item={"id": {"S": "a"}})
    root_iam = boto3.session.Session(
        aws_access_key_id=aws.principals.root.access_key_id,
        aws_secret_access_key=aws.principals.root.secret_access_key,
        region_name=aws.region,
    ).client("iam", endpoint_url=aws.endpoint.url)

    root_iam.delete_role_policy(RoleName="writer", PolicyName="writer-policy")

    with pytest.raises(ClientError) as denied:
        dynamodb.put_item(TableName=table, Item={"id": {"S": "b"}})
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"


def test_an_explicit_deny_wins_over_an_allow(aws, table):
    arn = role(
        "denied",
        statements=[
            {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "dynamodb:DeleteItem", "Resource": TABLE_ARN},
        ],
    )

    with pytest.raises(ClientError) as denied:
        as_role(aws, arn, "dynamodb").delete_item(TableName=table, Key={"id": {"S": "a"}})

    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"


def test_each_service_answers_a_denied_role_with_its_own_error_code(aws):
    arn = role("nobody")
    topic = boto3.client("sns").create_topic(Name="t")["TopicArn"]
    queue = boto3.client("sqs").create_queue(QueueName="q")["QueueUrl"]

    with pytest.raises(ClientError) as sns:
        as_role(aws, arn, "sns").publish(TopicArn=topic, Message="m")
    with pytest.raises(ClientError) as sqs:
        as_role(aws, arn, "sqs").send_message(QueueUrl=queue, MessageBody="m")

    # SNS API Reference: AuthorizationError; SQS API Reference: AccessDenied.
    assert sns.value.response["Error"]["Code"] == "AuthorizationError"
    assert sqs.value.response["Error"]["Code"] == "AccessDenied"


def test_a_call_localcloud_cannot_authorize_is_refused_not_allowed(aws):
    arn = role("anything", statements=[{"Effect": "Allow", "Action": "*", "Resource": "*"}])

    with pytest.raises(ClientError) as refused:
        as_role(aws, arn, "iam").list_roles()

    assert refused.value.response["Error"]["Message"].startswith("refused: ")


@pytest.mark.parametrize("token", [None, "another-token"])
def test_a_roles_credentials_without_their_session_token_are_refused(aws, table, token):
    # A request made with temporary credentials must carry their session token (IAM User Guide,
    # "Use temporary credentials with AWS resources"); DynamoDB answers one without it, or with
    # another, as it answers an unknown key.
    arn = role("writer", statements=[{"Effect": "Allow", "Action": "*", "Resource": "*"}])
    dynamodb = as_role(aws, arn, "dynamodb", session_token=token)

    with pytest.raises(ClientError) as refused:
        dynamodb.put_item(TableName=table, Item={"id": {"S": "a"}})

    assert refused.value.response["Error"]["Code"] == "UnrecognizedClientException"
    assert refused.value.response["Error"]["Message"] == (
        "The security token included in the request is invalid."
    )
    assert boto3.client("dynamodb").scan(TableName=table)["Count"] == 0
