"""HttpApi: an API Gateway HTTP API whose routes start state machine executions.

Each route uses the first-class ``StepFunctions-StartExecution`` integration with the request body
as the execution input, through a role of the API's own that may start only the routed state
machines. The ``$default`` stage auto-deploys, throttles and writes access logs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.iam import allow
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
class HttpApiArgs:
    routes: Sequence[StartExecutionRoute]
    authorization_type: str = "AWS_IAM"
    throttling_rate_limit: float = 10.0
    throttling_burst_limit: int = 20
    observability: Observability = field(default_factory=Observability)


class HttpApi(pulumi.ComponentResource):
    api: aws.apigatewayv2.Api
    stage: aws.apigatewayv2.Stage
    role: aws.iam.Role
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
        self.role = service_role(
            name,
            "apigateway.amazonaws.com",
            f"Lets API {name} start the state machines it routes to",
            self,
        )
        policy = inline_policy(
            f"{name}-start-execution",
            self.role,
            pulumi.Output.all(*(r.state_machine.arn for r in args.routes)).apply(
                lambda arns: [allow(["states:StartExecution"], arns)]
            ),
            self,
        )
        routes = [self._route(name, route, args, policy) for route in args.routes]

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

    def _route(
        self, name: str, route: StartExecutionRoute, args: HttpApiArgs, policy: aws.iam.RolePolicy
    ) -> aws.apigatewayv2.Route:
        slug = route.route_key.replace(" ", "").replace("/", "-").strip("-").lower()
        integration = aws.apigatewayv2.Integration(
            f"{name}-{slug}-integration",
            api_id=self.api.id,
            integration_type="AWS_PROXY",
            integration_subtype="StepFunctions-StartExecution",
            credentials_arn=self.role.arn,
            payload_format_version="1.0",
            request_parameters={
                "StateMachineArn": route.state_machine.arn,
                "Input": "$request.body",
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
        return aws.apigatewayv2.Route(
            f"{name}-{slug}-route",
            api_id=self.api.id,
            route_key=route.route_key,
            target=integration.id.apply(lambda integration_id: f"integrations/{integration_id}"),
            authorization_type=args.authorization_type,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def url(self, path: str) -> pulumi.Output[str]:
        """The full URL of ``path`` on the ``$default`` stage."""
        return self.endpoint.apply(lambda endpoint: f"{endpoint.rstrip('/')}/{path.lstrip('/')}")
