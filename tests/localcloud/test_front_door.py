"""The HTTP front door serves HTTP APIs from moto as API Gateway would."""

from __future__ import annotations

import json
import socket
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from localcloud.principals import LOCAL_ACCESS_KEY_ID, Principal
from localcloud.sigv4 import sign
from tests.localcloud.conftest import TRUST_LAMBDA, allows, grant, make_function, role, trust
from tests.localcloud.test_stepfunctions_fixes import machine

TRUST_APIGATEWAY = trust("apigateway.amazonaws.com")
OTHER_MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:other"


def http(method: str, url: str, body: bytes = b"", headers: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body or None, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def api(
    aws,
    route_key: str,
    integration: dict,
    *,
    authorization: str = "NONE",
    rate: float = 100,
    burst: int = 100,
) -> str:
    apis = boto3.client("apigatewayv2")
    api_id = apis.create_api(Name="api", ProtocolType="HTTP")["ApiId"]
    integration_id = apis.create_integration(ApiId=api_id, **integration)["IntegrationId"]
    apis.create_route(
        ApiId=api_id,
        RouteKey=route_key,
        Target=f"integrations/{integration_id}",
        AuthorizationType=authorization,
    )
    apis.create_stage(
        ApiId=api_id,
        StageName="$default",
        AutoDeploy=True,
        DefaultRouteSettings={"ThrottlingRateLimit": rate, "ThrottlingBurstLimit": burst},
    )
    return f"{aws.front_door.url}/{api_id}"


HELLO = """
import json
def handler(event, context):
    return {"statusCode": 201, "headers": {"x-route": event["routeKey"]},
            "body": json.dumps({"hello": event["pathParameters"]["name"],
                                "q": event["queryStringParameters"]})}
"""


def allow_api(aws, base: str, function: str, route: str = "GET/hello/{name}") -> None:
    """The permission a deployment gives API Gateway to invoke the function for one route of
    the API at ``base`` (the source ARN aws-cdk's HttpLambdaIntegration grants)."""
    api_id = base.rsplit("/", 1)[1]
    boto3.client("lambda").add_permission(
        FunctionName=function,
        StatementId=f"api-{route.partition('/')[0]}",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:{aws.region}:{aws.account_id}:{api_id}/*/{route}",
    )


def lambda_route(aws, *, permitted: bool = True, invoke_arn: bool = False, **kwargs) -> str:
    """A ``GET /hello/{name}`` route to a function, its integration URI the function's ARN (or
    its invoke ARN), API Gateway allowed to invoke it unless ``permitted`` is False."""
    arn = make_function("hello", {"main.py": HELLO})
    uri = (
        f"arn:aws:apigateway:{aws.region}:lambda:path/2015-03-31/functions/{arn}/invocations"
        if invoke_arn
        else arn
    )
    base = api(
        aws,
        "GET /hello/{name}",
        {"IntegrationType": "AWS_PROXY", "IntegrationUri": uri, "PayloadFormatVersion": "2.0"},
        **kwargs,
    )
    if permitted:
        allow_api(aws, base, arn)
    return base


@pytest.mark.parametrize("invoke_arn", [False, True], ids=["function ARN", "invoke ARN"])
def test_a_lambda_proxy_route_gets_the_v2_event_and_shapes_the_response(aws, invoke_arn):
    # An integration's URI is the function's ARN or its invoke ARN (API Gateway v2 API
    # Reference, Integration IntegrationUri; aws-cdk's HttpLambdaIntegration uses the ARN)
    base = lambda_route(aws, invoke_arn=invoke_arn)

    status, body = http("GET", f"{base}/hello/ada?lang=en")

    assert status == 201
    assert body == {"hello": "ada", "q": {"lang": "en"}}


def test_an_unknown_route_or_api_is_404(aws):
    base = lambda_route(aws)

    assert http("GET", f"{base}/nope")[0] == 404
    assert http("GET", f"{aws.front_door.url}/no-such-api/hello/x")[0] == 404


def test_requests_over_the_stage_burst_are_throttled_with_429(aws):
    base = lambda_route(aws, rate=0.001, burst=2)

    statuses = [http("GET", f"{base}/hello/x")[0] for _ in range(3)]

    assert statuses == [201, 201, 429]


def test_without_a_permission_for_its_route_api_gateway_answers_500_and_invokes_nothing(aws):
    # AWS Knowledge Center, "How do I troubleshoot permission errors for API Gateway HTTP APIs
    # with a Lambda integration or Lambda authorizer?": without the function's permission, API
    # Gateway returns "Internal Server Error"
    base = lambda_route(aws, permitted=False)
    unpermitted = http("GET", f"{base}/hello/ada")
    allow_api(aws, base, "hello", route="POST/hello/{name}")  # another route's permission
    other_route = http("GET", f"{base}/hello/ada")

    assert unpermitted == other_route == (500, {"message": "Internal Server Error"})
    assert aws.runtime.invocations == []
    allow_api(aws, base, "hello")
    assert http("GET", f"{base}/hello/ada")[0] == 201


def iam_signed(aws, url: str, principal: Principal) -> tuple[int, dict]:
    return http("GET", url, headers=sign("GET", url, b"", region=aws.region, principal=principal))


def test_aws_iam_routes_let_a_role_call_only_the_routes_its_policies_allow(aws):
    # API Gateway Developer Guide, "Control access to HTTP APIs with IAM authorization": API
    # Gateway invokes the route only if the caller has execute-api:Invoke on it, on
    # arn:aws:execute-api:region:account-id:api-id/stage/METHOD_HTTP_VERB/Resource-path ("Control
    # access for invoking an API"). A refused caller gets {"message": "Forbidden"} (aws/aws-cdk
    # #21182: an HTTP API with IAM authorization, a role not granted execute-api:Invoke).
    base = lambda_route(aws, authorization="AWS_IAM")
    api_id = base.rsplit("/", 1)[1]
    routes = f"arn:aws:execute-api:{aws.region}:{aws.account_id}:{api_id}/$default/GET/hello"
    caller = role(
        "caller", trust=TRUST_LAMBDA, statements=allows(f"{routes}/ada", "execute-api:Invoke")
    )
    stranger = role("stranger", trust=TRUST_LAMBDA)
    as_caller = aws.principals.for_role(caller)

    allowed = iam_signed(aws, f"{base}/hello/ada", as_caller)
    other_path = iam_signed(aws, f"{base}/hello/eve", as_caller)
    no_policy = iam_signed(aws, f"{base}/hello/ada", aws.principals.for_role(stranger))

    assert allowed[0] == 201
    assert other_path == no_policy == (403, {"message": "Forbidden"})
    assert aws.runtime.invocations == [("hello", False)]
    # the account's root, which tests and clients outside localcloud sign with, may call any route
    assert iam_signed(aws, f"{base}/hello/eve", aws.principals.root)[0] == 201


def test_aws_iam_routes_accept_a_valid_signature_and_reject_a_tampered_one(aws):
    base = lambda_route(aws, authorization="AWS_IAM")
    url = f"{base}/hello/ada"
    headers = sign("GET", url, b"", region=aws.region, principal=aws.principals.root)

    assert http("GET", url, headers=headers)[0] == 201
    assert http("GET", f"{base}/hello/eve", headers=headers)[0] == 403
    assert http("GET", url)[0] == 403


# What API Gateway answers, per the IAM User Guide's "Troubleshoot Signature Version 4 signing for
# AWS API requests" and the "Common Errors" of the AWS APIs (15 minutes of allowed clock skew).
@pytest.mark.parametrize(
    ("signing", "message"),
    [
        ({}, "Missing Authentication Token"),
        (
            {"principal": Principal("AKIAUNKNOWN000000000", "x", "arn:aws:iam::1:root")},
            "The security token included in the request is invalid.",
        ),
        (
            {"principal": Principal(LOCAL_ACCESS_KEY_ID, "wrong secret", "arn:aws:iam::1:root")},
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details.",
        ),
        (
            {"region": "eu-west-1"},
            "Credential should be scoped to a valid region, not 'eu-west-1'. ",
        ),
        ({"service": "lambda"}, "Credential should be scoped to correct service: 'execute-api'. "),
        ({"at": datetime(2020, 1, 1, tzinfo=UTC)}, "Signature expired: 20200101T000000Z"),
        ({"at": datetime(2099, 1, 1, tzinfo=UTC)}, "Signature not yet current: 20990101T000000Z"),
        ({"at": datetime.now(UTC) - timedelta(minutes=16)}, "Signature expired: "),
    ],
    ids=["unsigned", "unknown key", "wrong secret", "region", "service", "2020", "2099", "16 min"],
)
def test_aws_iam_routes_refuse_what_aws_refuses_with_its_message(aws, signing, message):
    base = lambda_route(aws, authorization="AWS_IAM")
    url = f"{base}/hello/ada"
    headers = {}
    if signing:
        arguments = {"region": aws.region, "principal": aws.principals.root, **signing}
        headers = sign("GET", url, b"", **arguments)

    status, body = http("GET", url, headers=headers)

    assert status == 403
    assert body["message"].startswith(message)


def test_a_signature_fourteen_minutes_old_is_still_accepted(aws):
    base = lambda_route(aws, authorization="AWS_IAM")
    url = f"{base}/hello/ada"
    at = datetime.now(UTC) - timedelta(minutes=14)
    headers = sign("GET", url, b"", region=aws.region, principal=aws.principals.root, at=at)

    assert http("GET", url, headers=headers)[0] == 201


def raw(aws, request: bytes) -> bytes:
    """Send ``request`` as bytes and return everything the front door answers."""
    with socket.create_connection(("127.0.0.1", int(aws.front_door.url.rsplit(":", 1)[1])), 5) as s:
        s.sendall(request)
        s.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
        return answer


@pytest.mark.parametrize(
    ("request_", "status"),
    [
        (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", b"404"),
        (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}", b"404"),
        (b"POST /abc/hello HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}", b"400"),
        (b"POST /abc/hello HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n{}", b"400"),
        (b"POST /abc/hello HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\n{}", b"400"),
        (
            b"POST /abc/hello HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            b"400",
        ),
        (b"POST /abc/hello HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n", b"413"),
    ],
    ids=["root", "post root", "length abc", "length -1", "short body", "bad chunk", "too large"],
)
def test_a_malformed_request_gets_an_http_error_never_a_dropped_connection(aws, request_, status):
    answer = raw(aws, request_)

    assert answer.split(b" ", 2)[1] == status


def test_a_chunked_body_reaches_the_integration(aws):
    base, state_machine = _allowed_start_execution_api(aws)
    path = base.removeprefix(aws.front_door.url) + "/start"
    body = b'{"order": 7}'
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)

    answer = raw(
        aws,
        f"POST {path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".encode() + chunked,
    )

    assert answer.split(b" ", 2)[1] == b"200"
    [execution] = boto3.client("stepfunctions").list_executions(stateMachineArn=state_machine)[
        "executions"
    ]
    described = boto3.client("stepfunctions").describe_execution(
        executionArn=execution["executionArn"]
    )
    assert json.loads(described["input"]) == {"order": 7}


def test_a_hundred_simultaneous_connections_are_all_answered(aws):
    base = lambda_route(aws, rate=10_000, burst=10_000)
    barrier = threading.Barrier(100)

    def call(number: int) -> int:
        barrier.wait()
        return http("GET", f"{base}/hello/c{number}")[0]

    with ThreadPoolExecutor(max_workers=100) as pool:
        statuses = list(pool.map(call, range(100)))

    assert statuses == [201] * 100


def _start_execution_api(aws, statements: list[dict]) -> tuple[str, str]:
    state_machine = machine({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})
    credentials = role("api-role", trust=TRUST_APIGATEWAY, statements=statements)
    base = api(
        aws,
        "POST /start",
        {
            "IntegrationType": "AWS_PROXY",
            "IntegrationSubtype": "StepFunctions-StartExecution",
            "CredentialsArn": credentials,
            "PayloadFormatVersion": "1.0",
            "RequestParameters": {"StateMachineArn": state_machine, "Input": "$request.body"},
        },
    )
    return base, state_machine


def _allowed_start_execution_api(aws) -> tuple[str, str]:
    base, state_machine = _start_execution_api(aws, [])
    grant("api-role", allows(state_machine, "states:StartExecution"), "start")
    return base, state_machine


def test_start_execution_integration_starts_the_machine_with_the_body(aws):
    base, _ = _allowed_start_execution_api(aws)

    status, body = http("POST", f"{base}/start", b'{"order": 1}')

    assert status == 200
    execution = boto3.client("stepfunctions").describe_execution(executionArn=body["executionArn"])
    assert json.loads(execution["input"]) == {"order": 1}


def test_start_execution_integration_without_permission_fails_and_starts_nothing(aws):
    # Given an integration role allowed to start some other machine only
    base, state_machine = _start_execution_api(
        aws, [{"Effect": "Allow", "Action": "states:StartExecution", "Resource": OTHER_MACHINE}]
    )

    status, body = http("POST", f"{base}/start", b"{}")

    assert status == 500
    assert "is not authorized to perform: states:StartExecution" in body["message"]
    assert (
        boto3.client("stepfunctions").list_executions(stateMachineArn=state_machine)["executions"]
        == []
    )
