"""HttpApi: an API Gateway HTTP API whose routes start state machine executions or call a Lambda.

A ``StartExecutionRoute`` uses the first-class ``StepFunctions-StartExecution`` integration with
the request body as the execution input, through a role of the API's own that may start only the
routed state machines. A ``LambdaProxyRoute`` hands the request to a function (payload format
2.0), which API Gateway may invoke through a permission on that function scoped to that route.
The ``$default`` stage auto-deploys, throttles and writes access logs. ``invoke_statements`` is
what an ``AWS_IAM`` caller needs: ``execute-api:Invoke`` on one route.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.function import PythonFunction
from components.iam import Statement, allow
from components.observability import Observability
from components.roles import inline_policy, service_role
from components.state_machine import StateMachine

AUTHORIZATION_TYPES = ("AWS_IAM", "NONE")

# Fields API Gateway substitutes into each access-log line.
_ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "ip": "$context.identity.sourceIp",
        "caller": "$context.identity.caller",
        "requestTime": "$context.requestTime",
        "routeKey": "$context.routeKey",
        "status": "$context.status",
        "integrationError": "$context.integrationErrorMessage",
        "responseLength": "$context.responseLength",
    },
    sort_keys=True,
)


@dataclass
class StartExecutionRoute:
    route_key: str
    """e.g. ``POST /items``"""
    state_machine: StateMachine


@dataclass
class LambdaProxyRoute:
    route_key: str
    """e.g. ``POST /request``"""
    function: PythonFunction


Route = StartExecutionRoute | LambdaProxyRoute


def route_arn(execution_arn: str, route_key: str, stage: str = "$default") -> str:
    """The ARN IAM evaluates ``execute-api:Invoke`` against for one route of one stage:
    ``<execution ARN>/<stage>/<METHOD>/<path>`` (API Gateway Developer Guide, "Control access to
    an HTTP API with IAM authorization")."""
    method, _, path = route_key.partition(" ")
    return f"{execution_arn}/{stage}/{method}/{path.lstrip('/')}"


@dataclass
class HttpApiArgs:
    routes: Sequence[Route]
    authorization_type: str = "AWS_IAM"
    throttling_rate_limit: float = 10.0
    throttling_burst_limit: int = 20
    observability: Observability = field(default_factory=Observability)


class HttpApi(pulumi.ComponentResource):
    api: aws.apigatewayv2.Api
    stage: aws.apigatewayv2.Stage
    role: aws.iam.Role
    """Only with StartExecution routes: the role the API starts executions with."""
    endpoint: pulumi.Output[str]

    def __init__(
        self, name: str, args: HttpApiArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("serverless-workflows:http_api:HttpApi", name, None, opts)
        if args.authorization_type not in AUTHORIZATION_TYPES:
            raise ValueError(
                f"authorization_type must be one of {AUTHORIZATION_TYPES}, "
                f"not {args.authorization_type!r}"
            )
        if not args.routes:
            raise ValueError("an HttpApi needs at least one route")
        child = pulumi.ResourceOptions(parent=self)

        self.api = aws.apigatewayv2.Api(f"{name}-api", protocol_type="HTTP", opts=child)
        self._name = name
        self._authorization_type = args.authorization_type
        machine_routes = [r for r in args.routes if isinstance(r, StartExecutionRoute)]
        start_policy = self._start_execution_role(name, machine_routes) if machine_routes else None
        routes = [
            self._route(route, self._integration(route, start_policy)) for route in args.routes
        ]

        log_group = aws.cloudwatch.LogGroup(
            f"{name}-access-logs",
            retention_in_days=args.observability.log_retention_days,
            opts=child,
        )
        self.stage = aws.apigatewayv2.Stage(
            f"{name}-stage",
            api_id=self.api.id,
            name="$default",
            auto_deploy=True,
            default_route_settings={
                "throttling_rate_limit": args.throttling_rate_limit,
                "throttling_burst_limit": args.throttling_burst_limit,
            },
            access_log_settings={
                "destination_arn": log_group.arn,
                "format": _ACCESS_LOG_FORMAT,
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=routes),
        )
        self.endpoint = self.api.api_endpoint
        self.register_outputs({"endpoint": self.endpoint})

    def _start_execution_role(
        self, name: str, routes: Sequence[StartExecutionRoute]
    ) -> aws.iam.RolePolicy:
        self.role = service_role(
            name,
            "apigateway.amazonaws.com",
            f"Lets API {name} start the state machines it routes to",
            self,
        )
        return inline_policy(
            f"{name}-start-execution",
            self.role,
            pulumi.Output.all(*(r.state_machine.arn for r in routes)).apply(
                lambda arns: [allow(["states:StartExecution"], arns)]
            ),
            self,
        )

    def _integration(
        self, route: Route, start_policy: aws.iam.RolePolicy | None
    ) -> aws.apigatewayv2.Integration:
        slug = _slug(route.route_key)
        if isinstance(route, StartExecutionRoute):
            return aws.apigatewayv2.Integration(
                f"{self._name}-{slug}-integration",
                api_id=self.api.id,
                integration_type="AWS_PROXY",
                integration_subtype="StepFunctions-StartExecution",
                credentials_arn=self.role.arn,
                payload_format_version="1.0",
                request_parameters={
                    "StateMachineArn": route.state_machine.arn,
                    "Input": "$request.body",
                },
                opts=pulumi.ResourceOptions(
                    parent=self, depends_on=[start_policy] if start_policy else []
                ),
            )
        # API Gateway invokes the function with this permission, for this route alone.
        permission = aws.lambda_.Permission(
            f"{self._name}-{slug}-permission",
            action="lambda:InvokeFunction",
            function=route.function.arn,
            principal="apigateway.amazonaws.com",
            source_arn=self.api.execution_arn.apply(lambda arn: route_arn(arn, route.route_key)),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return aws.apigatewayv2.Integration(
            f"{self._name}-{slug}-integration",
            api_id=self.api.id,
            integration_type="AWS_PROXY",
            integration_uri=route.function.arn,
            integration_method="POST",
            payload_format_version="2.0",
            opts=pulumi.ResourceOptions(parent=self, depends_on=[permission]),
        )

    def _route(
        self, route: Route, integration: aws.apigatewayv2.Integration
    ) -> aws.apigatewayv2.Route:
        return aws.apigatewayv2.Route(
            f"{self._name}-{_slug(route.route_key)}-route",
            api_id=self.api.id,
            route_key=route.route_key,
            target=integration.id.apply(lambda integration_id: f"integrations/{integration_id}"),
            authorization_type=self._authorization_type,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def invoke_statements(self, route_key: str) -> pulumi.Output[list[Statement]]:
        """What an ``AWS_IAM`` caller needs to call the route ``route_key``, and nothing more."""
        return self.api.execution_arn.apply(
            lambda arn: [allow(["execute-api:Invoke"], [route_arn(arn, route_key)])]
        )

    def url(self, path: str) -> pulumi.Output[str]:
        """The full URL of ``path`` on the ``$default`` stage."""
        return self.endpoint.apply(lambda endpoint: f"{endpoint.rstrip('/')}/{path.lstrip('/')}")


def _slug(route_key: str) -> str:
    return route_key.replace(" ", "").replace("/", "-").strip("-").lower()
