"""HTTP requests to AWS APIs are read back as the calls that made them.

Every request here is built and signed by botocore itself (the client a function's boto3 uses)
and caught before it is sent, so the parser is checked against the real wire format of each
protocol: JSON (X-Amz-Target), query (Action=...) and rest-json (method and path).
"""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore.awsrequest import AWSPreparedRequest

from localcloud.api_requests import ApiCall, UnreadableRequestError, parse_request
from localcloud.iam_actions import authorizations

ENDPOINT = "http://127.0.0.1:4566"
REGION = "eu-west-1"
FUNCTION = "arn:aws:lambda:eu-west-1:123456789012:function:resize"


class _CaughtError(Exception):
    def __init__(self, request: AWSPreparedRequest) -> None:
        self.request = request


def sent(service: str, method: str, **params: Any) -> AWSPreparedRequest:
    """The request botocore would send for ``client.method(**params)``."""
    client = botocore.session.get_session().create_client(
        service,
        region_name=REGION,
        endpoint_url=ENDPOINT,
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
    )

    def catch(request: AWSPreparedRequest, **_: Any) -> None:
        raise _CaughtError(request)

    client.meta.events.register("before-send", catch)
    with pytest.raises(_CaughtError) as caught:
        getattr(client, method)(**params)
    return caught.value.request


def read(request: AWSPreparedRequest) -> ApiCall:
    """Parse it as the endpoint would: text headers, a byte body, the path and query."""
    headers = {
        name: value.decode() if isinstance(value, bytes) else value
        for name, value in request.headers.items()
    }
    body = request.body or b""
    body = body.encode() if isinstance(body, str) else body
    return parse_request(request.method, request.url.removeprefix(ENDPOINT), headers, body)


# -- JSON protocol ------------------------------------------------------------------------------


def test_a_dynamodb_query_is_read_from_its_target_and_json_body():
    call = read(sent("dynamodb", "query", TableName="Tasks", IndexName="state"))

    assert call == ApiCall(
        "dynamodb", "Query", {"TableName": "Tasks", "IndexName": "state"}, "eu-west-1"
    )


def test_step_functions_is_signed_as_states_and_read_as_stepfunctions():
    machine = "arn:aws:states:eu-west-1:123456789012:stateMachine:Orders"
    call = read(sent("stepfunctions", "start_execution", stateMachineArn=machine, input="{}"))

    assert (call.service, call.operation) == ("stepfunctions", "StartExecution")
    assert call.params == {"stateMachineArn": machine, "input": "{}"}


def test_sqs_speaks_json_in_current_botocore():
    url = "http://127.0.0.1:4566/123456789012/jobs"
    call = read(sent("sqs", "send_message", QueueUrl=url, MessageBody="hi"))

    assert (call.service, call.operation) == ("sqs", "SendMessage")
    assert call.params == {"QueueUrl": url, "MessageBody": "hi"}


def test_logs_and_events_are_read_from_their_targets():
    logs = read(sent("logs", "create_log_stream", logGroupName="/g", logStreamName="s"))
    events = read(sent("events", "put_events", Entries=[{"EventBusName": "orders"}]))

    assert (logs.operation, logs.params) == (
        "CreateLogStream",
        {"logGroupName": "/g", "logStreamName": "s"},
    )
    assert (events.operation, events.params) == (
        "PutEvents",
        {"Entries": [{"EventBusName": "orders"}]},
    )


def test_an_older_client_speaking_query_to_sqs_is_read_too():
    body = b"Action=SendMessage&QueueUrl=http%3A%2F%2Fq%2F123456789012%2Fjobs&MessageBody=hi"
    authorization = "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sqs/aws4_request, x"

    call = parse_request("POST", "/", {"Authorization": authorization}, body)

    assert call == ApiCall(
        "sqs",
        "SendMessage",
        {"QueueUrl": "http://q/123456789012/jobs", "MessageBody": "hi"},
        "us-east-1",
    )


# -- query protocol -----------------------------------------------------------------------------


def test_an_sns_publish_is_read_from_its_form_body():
    topic = "arn:aws:sns:eu-west-1:123456789012:alerts"
    call = read(sent("sns", "publish", TopicArn=topic, Message="hi", Subject="s"))

    assert call == ApiCall(
        "sns", "Publish", {"TopicArn": topic, "Message": "hi", "Subject": "s"}, "eu-west-1"
    )


def test_query_parameters_are_read_at_the_top_level_only():
    attributes = {"k": {"DataType": "String", "StringValue": "v"}}
    topic = "arn:aws:sns:eu-west-1:123456789012:alerts"
    call = read(sent("sns", "publish", TopicArn=topic, Message="hi", MessageAttributes=attributes))

    assert call.params == {"TopicArn": topic, "Message": "hi"}


def test_sts_and_iam_calls_are_read():
    identity = read(sent("sts", "get_caller_identity"))
    role = read(sent("iam", "get_role", RoleName="worker"))

    assert (identity.service, identity.operation, identity.params) == (
        "sts",
        "GetCallerIdentity",
        {},
    )
    assert (role.service, role.operation, role.params) == ("iam", "GetRole", {"RoleName": "worker"})


# -- rest-json ----------------------------------------------------------------------------------


def test_a_lambda_invoke_is_read_from_path_query_header_and_payload():
    request = sent(
        "lambda",
        "invoke",
        FunctionName=FUNCTION,
        Qualifier="live",
        InvocationType="Event",
        Payload=b'{"size": 3}',
    )
    call = read(request)

    assert (call.service, call.operation) == ("lambda", "Invoke")
    assert call.params == {
        "FunctionName": FUNCTION,
        "Qualifier": "live",
        "InvocationType": "Event",
        "Payload": b'{"size": 3}',
    }


def test_lambda_get_function_and_invoke_async_are_told_apart_by_path():
    get = read(sent("lambda", "get_function", FunctionName="resize:live"))
    async_invoke = read(sent("lambda", "invoke_async", FunctionName="resize", InvokeArgs=b"{}"))

    assert (get.operation, get.params) == ("GetFunction", {"FunctionName": "resize:live"})
    assert (async_invoke.operation, async_invoke.params) == (
        "InvokeAsync",
        {"FunctionName": "resize", "InvokeArgs": b"{}"},
    )


def test_a_literal_query_in_the_uri_selects_the_operation():
    # GET .../provisioned-concurrency?List=ALL lists; without List=ALL it gets one config.
    listed = read(sent("lambda", "list_provisioned_concurrency_configs", FunctionName="resize"))
    one = read(
        sent("lambda", "get_provisioned_concurrency_config", FunctionName="resize", Qualifier="1")
    )

    assert listed.operation == "ListProvisionedConcurrencyConfigs"
    assert (one.operation, one.params) == (
        "GetProvisionedConcurrencyConfig",
        {"FunctionName": "resize", "Qualifier": "1"},
    )


def test_a_json_body_of_a_rest_json_call_is_read():
    call = read(
        sent("lambda", "create_alias", FunctionName="resize", Name="live", FunctionVersion="1")
    )

    assert (call.operation, call.params) == (
        "CreateAlias",
        {"FunctionName": "resize", "Name": "live", "FunctionVersion": "1"},
    )


def test_apigatewayv2_is_signed_as_apigateway():
    call = read(sent("apigatewayv2", "get_api", ApiId="a1b2"))

    assert (call.service, call.operation, call.params) == (
        "apigatewayv2",
        "GetApi",
        {"ApiId": "a1b2"},
    )


def test_the_credential_scope_of_a_presigned_url_names_the_service():
    url = (
        "/2015-03-31/functions/resize?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=AKID%2F20240101%2Fus-west-2%2Flambda%2Faws4_request"
    )

    call = parse_request("GET", url, {}, b"")

    assert (call.service, call.operation, call.region) == ("lambda", "GetFunction", "us-west-2")


# -- what cannot be read ------------------------------------------------------------------------


def test_an_unsigned_request_is_unreadable():
    with pytest.raises(UnreadableRequestError, match="no SigV4 credential scope"):
        parse_request("POST", "/", {"X-Amz-Target": "DynamoDB_20120810.Query"}, b"{}")


def test_a_service_localcloud_does_not_serve_is_unreadable():
    authorization = "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/s3/aws4_request, x"
    with pytest.raises(UnreadableRequestError, match="signed as 's3'"):
        parse_request("GET", "/bucket/key", {"Authorization": authorization}, b"")


@pytest.mark.parametrize(
    ("headers", "body", "message"),
    [
        ({"X-Amz-Target": "DynamoDB_20120810.DropEverything"}, b"{}", "not an operation"),
        ({"X-Amz-Target": "AmazonSQS.Query"}, b"{}", "not an operation"),
        ({"X-Amz-Target": "DynamoDB_20120810.Query"}, b"[1]", "not an object"),
        ({"X-Amz-Target": "DynamoDB_20120810.Query"}, b"{", "malformed dynamodb request"),
    ],
)
def test_a_json_call_that_is_not_an_operation_is_unreadable(headers, body, message):
    authorization = "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/dynamodb/aws4_request, x"
    with pytest.raises(UnreadableRequestError, match=message):
        parse_request("POST", "/", {"Authorization": authorization, **headers}, body)


def test_a_rest_path_that_is_no_operation_is_unreadable():
    authorization = "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/lambda/aws4_request, x"
    with pytest.raises(UnreadableRequestError, match="DELETE /2015-03-31/functions/f/invocations"):
        parse_request(
            "DELETE", "/2015-03-31/functions/f/invocations", {"Authorization": authorization}, b""
        )


def test_parsed_calls_feed_the_authorizer_unchanged():
    """The parser's output is what localcloud.iam_actions takes."""
    call = read(sent("lambda", "invoke", FunctionName="resize", Qualifier="live"))
    needed = authorizations(call.service, call.operation, call.params, call.region, "123456789012")

    assert [(n.action, n.resources) for n in needed] == [
        ("lambda:InvokeFunction", ("arn:aws:lambda:eu-west-1:123456789012:function:resize:live",))
    ]
