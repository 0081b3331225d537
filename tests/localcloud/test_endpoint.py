"""The AWS endpoint: every emulated service's API on 127.0.0.1, for SDKs and the aws CLI, over the
same state localcloud runs on, signed with SigV4 as AWS requires."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from localcloud.principals import LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY
from localcloud.sigv4 import sign
from tests.conftest import create_table
from tests.localcloud.conftest import make_function
from tests.localcloud.test_front_door import http

NO_RETRIES = Config(retries={"total_max_attempts": 1})


def remote(aws, service: str, **credentials: Any) -> Any:
    """A client that reaches localcloud only through its endpoint, as a separate program does."""
    session = boto3.session.Session(
        aws_access_key_id=credentials.get("key", LOCAL_ACCESS_KEY_ID),
        aws_secret_access_key=credentials.get("secret", LOCAL_SECRET_ACCESS_KEY),
        region_name=credentials.get("region", aws.region),
    )
    return session.client(service, endpoint_url=aws.endpoint.url, config=NO_RETRIES)


def test_the_endpoint_serves_the_state_localcloud_runs_on(aws):
    # Given a table with an item, written in-process
    dynamodb = boto3.client("dynamodb")
    create_table("items")
    dynamodb.put_item(TableName="items", Item={"id": {"S": "a"}})

    # When a separate client scans it and writes another, then the other side sees both
    assert remote(aws, "dynamodb").scan(TableName="items")["Items"] == [{"id": {"S": "a"}}]
    remote(aws, "dynamodb").put_item(TableName="items", Item={"id": {"S": "b"}})
    assert dynamodb.get_item(TableName="items", Key={"id": {"S": "b"}})["Item"] == {
        "id": {"S": "b"}
    }


def test_lambda_invoke_through_the_endpoint_runs_the_deployed_function(aws):
    make_function(
        "echo",
        {"main.py": "def handler(event, context):\n    return {'got': event}\n"},
    )

    response = remote(aws, "lambda").invoke(FunctionName="echo", Payload=json.dumps({"a": 1}))

    assert response["StatusCode"] == 200
    assert json.loads(response["Payload"].read()) == {"got": {"a": 1}}


# Codes and messages as in the IAM User Guide's "Troubleshoot Signature Version 4 signing for AWS
# API requests" and the AWS APIs' "Common Errors" pages.
@pytest.mark.parametrize("service", ["dynamodb", "sns", "lambda"], ids=["json", "query", "rest"])
@pytest.mark.parametrize(
    ("credentials", "code", "message"),
    [
        (
            {"key": "AKIAUNKNOWN000000000"},
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        ),
        (
            {"secret": "not the secret"},
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided.",
        ),
        (
            {"region": "eu-west-1"},
            "InvalidSignatureException",
            "Credential should be scoped to a valid region, not 'eu-west-1'.",
        ),
    ],
    ids=["unknown key", "wrong secret", "other region"],
)
def test_a_call_not_signed_as_aws_requires_is_refused_with_awss_error(
    aws, service, credentials, code, message
):
    client = remote(aws, service, **credentials)
    call = getattr(
        client, {"dynamodb": "list_tables", "sns": "list_topics"}.get(service, "list_functions")
    )

    with pytest.raises(ClientError) as refused:
        call()

    assert refused.value.response["Error"]["Code"] == code
    assert refused.value.response["Error"]["Message"].startswith(message)
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_a_refused_write_changes_nothing(aws):
    boto3.client("sqs").create_queue(QueueName="orders")
    url = boto3.client("sqs").get_queue_url(QueueName="orders")["QueueUrl"]

    with pytest.raises(ClientError):
        remote(aws, "sqs", secret="not the secret").send_message(QueueUrl=url, MessageBody="x")

    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
    )
    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "0"


@pytest.mark.parametrize(
    ("at", "message"),
    [
        (datetime(2020, 1, 1, tzinfo=UTC), "Signature expired: 20200101T000000Z is now earlier"),
        (datetime(2099, 1, 1, tzinfo=UTC), "Signature not yet current: 20990101T000000Z"),
    ],
)
def test_a_signature_dated_outside_fifteen_minutes_is_refused(aws, at, message):
    body = b"{}"
    headers = {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "DynamoDB_20120810.ListTables",
    }
    signed = sign(
        "POST",
        f"{aws.endpoint.url}/",
        body,
        region=aws.region,
        principal=aws.principals.root,
        service="dynamodb",
        headers=headers,
        at=at,
    )

    status, answer = http("POST", f"{aws.endpoint.url}/", body, headers=signed)

    assert status == 403
    assert answer["__type"] == "InvalidSignatureException"
    assert answer["message"].startswith(message)


def test_an_unsigned_call_is_refused(aws):
    status, answer = http(
        "POST",
        f"{aws.endpoint.url}/",
        b"{}",
        headers={"X-Amz-Target": "DynamoDB_20120810.ListTables"},
    )

    assert (status, answer["__type"]) == (403, "MissingAuthenticationTokenException")
