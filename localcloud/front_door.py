"""The HTTP front door: deployed HTTP APIs served on 127.0.0.1 as API Gateway would serve them.

A request to ``{url}/{api_id}/{path}`` is matched against the API's routes in moto, authorized,
throttled by the stage's rate and burst limits, and sent to its integration: a Lambda proxy
integration (payload format 1.0 or 2.0) or a ``StepFunctions-StartExecution`` integration, which
starts the execution with the integration role's credentials checked against that role's policies.

An ``AWS_IAM`` route needs a valid SigV4 signature made with localcloud's credentials, and the
signer must be allowed ``execute-api:Invoke`` on the route's ARN,
``arn:aws:execute-api:{region}:{account}:{api id}/{stage}/{METHOD}/{path}`` (API Gateway Developer
Guide, "Control access to HTTP APIs with IAM authorization": API Gateway invokes the route only if
the client has execute-api permission for it). The account's root may call any route; a role's
credentials (what functions sign with) are checked against the role's policies, and a refusal is
API Gateway's 403 ``{"message": "Forbidden"}``.

API Gateway invokes a Lambda proxy integration's function only when allowed: by the
integration's credentials role when it has one, else by the function's resource-based policy for
``apigateway.amazonaws.com`` with the route as source,
``arn:aws:execute-api:{region}:{account}:{api id}/{stage}/{METHOD}{route path}`` (``$default`` for
the catch-all route). Without it API Gateway answers 500 ``{"message": "Internal Server Error"}``
(AWS Knowledge Center, "How do I troubleshoot permission errors for API Gateway HTTP APIs with a
Lambda integration or Lambda authorizer?").
"""

from __future__ import annotations

import functools
import json
import re
import threading
import time
import uuid
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from botocore.exceptions import ClientError
from moto.apigatewayv2.models import Api, Integration, Route, apigatewayv2_backends
from moto.awslambda.exceptions import LambdaClientError
from moto.awslambda.models import lambda_backends

from localcloud.clients import Clients
from localcloud.clock import Clock
from localcloud.http_server import LocalHttpServer, Request, Response
from localcloud.iam_check import AccessDeniedError, RolePolicies
from localcloud.principals import Principals
from localcloud.resource_policies import INVOKE, qualifier_of, service_may_invoke
from localcloud.sigv4 import SignatureError, verify
from localcloud.usage import UsageMeter

STAGE = "$default"
"""The stage every request is served by (the front door serves each API's ``$default`` stage)."""
APIGATEWAY_PRINCIPAL = "apigateway.amazonaws.com"


class _TokenBucket:
    """API Gateway's throttle: ``rate`` requests a second, bursts of up to ``burst``."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.updated = time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            if self.tokens < 1:
                return False
            self.tokens -= 1
            return True


def _match(api: Api, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The route a request takes: the first whose method and path match, else ``$default``."""
    default = None
    for route in list(api.routes.values()):
        if route.route_key == "$default":
            default = route
            continue
        route_method, pattern = _route_pattern(route.route_key)
        match = pattern.match(path)
        if match and route_method in (method, "ANY"):
            return route, match.groupdict()
    return (default, {}) if default else None


@functools.lru_cache(maxsize=1024)
def _route_pattern(route_key: str) -> tuple[str, re.Pattern[str]]:
    method, _, path = route_key.partition(" ")
    regex = re.sub(r"\\\{(\w+)\\\+\\\}", r"(?P<\1>.+)", re.escape(path))
    regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", regex)
    return method, re.compile(f"^{regex}$")


class FrontDoor:
    def __init__(
        self,
        region: str,
        principals: Principals,
        clients: Clients,
        port: int = 0,
        clock: Clock | None = None,
        *,
        meter: UsageMeter | None = None,
    ) -> None:
        self.region = region
        self.principals = principals
        self._meter = meter
        self._clients = clients
        self.clock = clock or Clock("fast")
        self._buckets: dict[str, _TokenBucket] = {}
        self._http = LocalHttpServer(self.handle, "localcloud-front-door", port=port)
        self.url = self._http.url

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        self._http.start()

    def stop(self) -> None:
        self._http.stop()

    # -- request handling ------------------------------------------------------------------

    def _client(self, service: str) -> Any:
        return self._clients(service)

    def handle(self, request: Request) -> Response:
        api_id, _, rest = request.path.lstrip("/").partition("/")
        api = self._api(api_id)
        if api is None:
            return Response.message(HTTPStatus.NOT_FOUND, "Not Found")
        matched = _match(api, request.method, f"/{rest}")
        if matched is None:
            return Response.message(HTTPStatus.NOT_FOUND, "Not Found")
        route, path_parameters = matched
        if route.authorization_type == "AWS_IAM":
            refused = self._refused(request, self._execute_api_arn(api_id, request.method, rest))
            if refused is not None:
                return refused
        if not self._bucket(api_id).take():
            return Response.message(HTTPStatus.TOO_MANY_REQUESTS, "Too Many Requests")
        if self._meter is not None:
            self._meter.record("http-api-request", api_id=api_id, request_bytes=len(request.body))
        integration = api.integrations.get(route.target.removeprefix("integrations/"))
        if integration is None:
            return Response.message(HTTPStatus.INTERNAL_SERVER_ERROR, "Internal Server Error")
        subtype = integration.integration_subtype
        if subtype == "StepFunctions-StartExecution":
            return self._start_execution(integration, request, path_parameters)
        if integration.integration_type == "AWS_PROXY" and ":lambda:" in (
            integration.integration_uri or ""
        ):
            return self._invoke_lambda(api_id, integration, route, request, path_parameters)
        return Response.message(
            HTTPStatus.INTERNAL_SERVER_ERROR,
            f"localcloud does not serve {integration.integration_type} {subtype or ''} "
            "integrations",
        )

    def _execute_api_arn(self, api_id: str, method: str, path: str) -> str:
        """``arn:aws:execute-api:{region}:{account}:{api id}/{stage}/{METHOD}/{path}``."""
        return (
            f"arn:aws:execute-api:{self.region}:{self.principals.account_id}:{api_id}/{STAGE}/"
            f"{method}/{path.lstrip('/')}"
        )

    def _refused(self, request: Request, route_arn: str) -> Response | None:
        """API Gateway's answer to an ``AWS_IAM`` request it refuses, or None to let it through."""
        try:
            signer = verify(
                request, self.principals, regions={self.region}, services={"execute-api"}
            )
        except SignatureError as error:
            return Response.message(HTTPStatus.FORBIDDEN, error.message)
        role = signer.principal.role_arn
        if role is None:  # the account's root
            return None
        try:
            allowed = RolePolicies.of(role).allows("execute-api:Invoke", route_arn)
        except AccessDeniedError:
            allowed = False
        return None if allowed else Response.message(HTTPStatus.FORBIDDEN, "Forbidden")

    def _api(self, api_id: str) -> Api | None:
        """The deployed API as API Gateway's own configuration holds it (read live, without the
        milliseconds an API call through moto costs on every request)."""
        if not api_id:
            return None
        backend = apigatewayv2_backends[self.principals.account_id][self.region]
        return backend.apis.get(api_id)

    def _bucket(self, api_id: str) -> _TokenBucket:
        if api_id not in self._buckets:
            settings: dict[str, Any] = {}
            for stage in self._client("apigatewayv2").get_stages(ApiId=api_id)["Items"]:
                if stage["StageName"] == "$default":
                    settings = stage.get("DefaultRouteSettings") or {}
            self._buckets[api_id] = _TokenBucket(
                float(settings.get("ThrottlingRateLimit", 10000)),
                int(settings.get("ThrottlingBurstLimit", 5000)),
            )
        return self._buckets[api_id]

    # -- integrations ------------------------------------------------------------------------

    @staticmethod
    def _parameter(expression: str, request: Request, path_parameters: Mapping[str, str]) -> str:
        """API Gateway's request-parameter mapping: ``$request.body`` and friends, or a literal."""
        if expression == "$request.body":
            return request.body.decode()
        if expression.startswith("$request.body."):
            value: Any = json.loads(request.body or b"{}")
            for key in expression.removeprefix("$request.body.").split("."):
                value = value.get(key) if isinstance(value, dict) else None
            return value if isinstance(value, str) else json.dumps(value)
        if expression.startswith("$request.header."):
            return request.headers.get(expression.removeprefix("$request.header.").lower(), "")
        if expression.startswith("$request.querystring."):
            values = parse_qs(request.query).get(expression.removeprefix("$request.querystring."))
            return ",".join(values or [])
        if expression.startswith("$request.path."):
            return path_parameters.get(expression.removeprefix("$request.path."), "")
        if expression == "$context.requestId":
            return str(uuid.uuid4())
        return expression

    def _start_execution(
        self, integration: Integration, request: Request, path_parameters: Mapping[str, str]
    ) -> Response:
        parameters = {
            key: self._parameter(value, request, path_parameters)
            for key, value in (integration.request_parameters or {}).items()
        }
        machine_arn = parameters.get("StateMachineArn", "")
        try:
            RolePolicies.of(integration.credentials_arn or "").check(
                "states:StartExecution", machine_arn
            )
        except AccessDeniedError as error:
            return Response.message(HTTPStatus.INTERNAL_SERVER_ERROR, str(error))
        call = {"stateMachineArn": machine_arn, "input": parameters.get("Input", "{}")}
        if parameters.get("Name"):
            call["name"] = parameters["Name"]
        try:
            started = self._client("stepfunctions").start_execution(**call)
        except ClientError as error:
            status = error.response["ResponseMetadata"]["HTTPStatusCode"]
            return Response.json(status, {"message": error.response["Error"]["Message"]})
        return Response.json(
            HTTPStatus.OK,
            {
                "executionArn": started["executionArn"],
                "startDate": started["startDate"].timestamp(),
            },
        )

    def _may_invoke(
        self, api_id: str, integration: Integration, route: Route, method: str, function_arn: str
    ) -> bool:
        """Whether API Gateway may invoke the integration's function for this route."""
        if integration.credentials_arn:
            try:
                return RolePolicies.of(integration.credentials_arn).allows(INVOKE, function_arn)
            except AccessDeniedError:
                return False
        parts = function_arn.split(":")
        if len(parts) < 7 or parts[2] != "lambda":
            return False
        try:
            function = lambda_backends[parts[4]][parts[3]].get_function(function_arn)
        except LambdaClientError:
            return False
        route_method, _, route_path = route.route_key.partition(" ")
        source = (
            "$default"
            if route.route_key == "$default"
            else f"{method if route_method == 'ANY' else route_method}{route_path}"
        )
        return service_may_invoke(
            function,
            APIGATEWAY_PRINCIPAL,
            source_arn=f"arn:aws:execute-api:{self.region}:{self.principals.account_id}:"
            f"{api_id}/{STAGE}/{source}",
            source_account=self.principals.account_id,
            qualifier=qualifier_of(function_arn),
        )

    def _invoke_lambda(
        self,
        api_id: str,
        integration: Integration,
        route: Route,
        request: Request,
        path_parameters: Mapping[str, str],
    ) -> Response:
        uri = integration.integration_uri
        function_arn = re.sub(
            r"^arn:aws:apigateway:[\w-]+:lambda:path/2015-03-31/functions/", "", uri
        )
        function_arn = function_arn.removesuffix("/invocations")
        if not self._may_invoke(api_id, integration, route, request.method, function_arn):
            return Response.message(HTTPStatus.INTERNAL_SERVER_ERROR, "Internal Server Error")
        body = request.body.decode()
        headers = dict(request.headers)
        if (integration.payload_format_version or "2.0") == "2.0":
            event: dict[str, Any] = {
                "version": "2.0",
                "routeKey": route.route_key,
                "rawPath": request.path,
                "rawQueryString": request.query,
                "headers": headers,
                "queryStringParameters": {
                    k: ",".join(v) for k, v in parse_qs(request.query).items()
                }
                or None,
                "pathParameters": dict(path_parameters) or None,
                "requestContext": {
                    "http": {"method": request.method, "path": request.path},
                    "requestId": str(uuid.uuid4()),
                    "routeKey": route.route_key,
                    "stage": "$default",
                },
                "body": body,
                "isBase64Encoded": False,
            }
        else:
            event = {
                "version": "1.0",
                "resource": route.route_key.partition(" ")[2],
                "path": request.path,
                "httpMethod": request.method,
                "headers": headers,
                "queryStringParameters": {k: v[-1] for k, v in parse_qs(request.query).items()}
                or None,
                "pathParameters": dict(path_parameters) or None,
                "requestContext": {"requestId": str(uuid.uuid4()), "stage": "$default"},
                "body": body,
                "isBase64Encoded": False,
            }
        result = self._client("lambda").invoke(FunctionName=function_arn, Payload=json.dumps(event))
        payload = result["Payload"].read().decode()
        if result.get("FunctionError"):
            return Response.message(HTTPStatus.INTERNAL_SERVER_ERROR, "Internal Server Error")
        return _proxy_response(json.loads(payload) if payload else None)


def _proxy_response(result: Any) -> Response:
    """How API Gateway turns a Lambda proxy result into an HTTP response."""
    if isinstance(result, dict) and "statusCode" in result:
        headers = {str(k): str(v) for k, v in (result.get("headers") or {}).items()}
        body = result.get("body") or ""
        return Response(
            int(result["statusCode"]), body if isinstance(body, str) else json.dumps(body), headers
        )
    return Response.json(HTTPStatus.OK, result)
