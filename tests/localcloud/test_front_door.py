"""The HTTP front door serves HTTP APIs from moto as API Gateway would."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import boto3

from localcloud.sigv4 import sign
from tests.localcloud.conftest import make_function, role, trust
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


def lambda_route(aws, **kwargs) -> str:
    arn = make_function(
        "hello",
        {
            "main.py": """
            import json
            def handler(event, context):
                return {"statusCode": 201, "headers": {"x-route": event["routeKey"]},
                        "body": json.dumps({"hello": event["pathParameters"]["name"],
                                            "q": event["queryStringParameters"]})}
        """
        },
    )
    return api(
        aws,
        "GET /hello/{name}",
        {"IntegrationType": "AWS_PROXY", "IntegrationUri": arn, "PayloadFormatVersion": "2.0"},
        **kwargs,
    )


def test_a_lambda_proxy_route_gets_the_v2_event_and_shapes_the_response(aws):
    base = lambda_route(aws)

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


def test_aws_iam_routes_accept_a_valid_signature_and_reject_a_tampered_one(aws):
    base = lambda_route(aws, authorization="AWS_IAM")
    url = f"{base}/hello/ada"
    headers = sign("GET", url, b"", aws.region)

    assert http("GET", url, headers=headers)[0] == 201
    assert http("GET", f"{base}/hello/eve", headers=headers)[0] == 403
    assert http("GET", url)[0] == 403


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


def test_start_execution_integration_starts_the_machine_with_the_body(aws):
    base, state_machine = _start_execution_api(aws, [])
    boto3.client("iam").put_role_policy(
        RoleName="api-role",
        PolicyName="start",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "states:StartExecution",
                        "Resource": state_machine,
                    }
                ],
            }
        ),
    )

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
