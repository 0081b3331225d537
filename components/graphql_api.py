"""GraphqlApi: an AppSync GraphQL API with API-key authorization whose fields Lambda resolves.

The schema is a file in ``definitions/``. Callers present the API key (``x-api-key``); the key
expires a configured number of days after the day of the deploy, so each deploy on a later day
extends it. Field logs and X-Ray traces are on; AppSync writes the logs through a role of the API's
own that may write to this API's log group alone. Each Lambda data source has its own role, which
may invoke its one function and nothing else, and its fields use direct Lambda resolvers (no
mapping templates: the function receives AppSync's context and answers the field's value).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pulumi
import pulumi_aws as aws

from components.asl import DEFINITIONS_DIR
from components.function import PythonFunction
from components.iam import allow, log_group_write
from components.observability import Observability
from components.roles import inline_policy, service_role

# AppSync accepts a key expiry from 1 to 365 days ahead ("CreateApiKey", AppSync API Reference).
API_KEY_DAYS = range(1, 366)
_DATA_SOURCE_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")


def api_key_expiry(now: datetime, days: int) -> str:
    """The key's expiry as RFC 3339: ``days`` after the start of ``now``'s UTC day.

    Counting from the day rather than the moment keeps ``pulumi preview`` free of a diff within a
    day; AppSync rounds expiries down to the hour anyway."""
    if days not in API_KEY_DAYS:
        raise ValueError(f"an API key lives 1 to 365 days, not {days}")
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return (day + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Field:
    type: str
    """The parent type, e.g. ``Query`` or ``Mutation``."""
    name: str


@dataclass
class GraphqlApiArgs:
    schema: str
    """File name of the schema in ``definitions/``."""
    api_key_expires: str
    """RFC 3339 expiry of the API key (see ``api_key_expiry``)."""
    observability: Observability = field(default_factory=Observability)


class GraphqlApi(pulumi.ComponentResource):
    api: aws.appsync.GraphQLApi
    api_key: aws.appsync.ApiKey
    log_group: aws.cloudwatch.LogGroup
    url: pulumi.Output[str]
    key: pulumi.Output[str]
    """The API key, a secret."""

    def __init__(
        self, name: str, args: GraphqlApiArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("serverless-workflows:graphql_api:GraphqlApi", name, None, opts)
        self._name = name
        child = pulumi.ResourceOptions(parent=self)

        log_role = service_role(
            f"{name}-logs", "appsync.amazonaws.com", f"AppSync field logs of {name}", self
        )
        self.api = aws.appsync.GraphQLApi(
            f"{name}-api",
            authentication_type="API_KEY",
            schema=(DEFINITIONS_DIR / args.schema).read_text(),
            xray_enabled=args.observability.tracing,
            log_config={
                "cloudwatch_logs_role_arn": log_role.arn,
                "field_log_level": "ALL",
                # Verbose content includes request headers, and with them the API key.
                "exclude_verbose_content": True,
            },
            opts=child,
        )
        # AppSync writes to this group, named after the API; created here so that it has a
        # retention and the log role needs no logs:CreateLogGroup.
        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-field-logs",
            name=self.api.id.apply(lambda api_id: f"/aws/appsync/apis/{api_id}"),
            retention_in_days=args.observability.log_retention_days,
            opts=child,
        )
        inline_policy(
            f"{name}-write-logs",
            log_role,
            self.log_group.arn.apply(lambda arn: [log_group_write(arn)]),
            self,
        )
        self.api_key = aws.appsync.ApiKey(
            f"{name}-key",
            api_id=self.api.id,
            description=f"Clients of {name}",
            expires=args.api_key_expires,
            opts=child,
        )
        self.url = self.api.uris.apply(lambda uris: uris["GRAPHQL"])
        self.key = pulumi.Output.secret(self.api_key.key)
        self.register_outputs({"url": self.url, "key": self.key})

    def resolve_with(
        self, source_name: str, function: PythonFunction, fields: Sequence[Field]
    ) -> aws.appsync.DataSource:
        """Resolve ``fields`` with ``function`` through a Lambda data source named
        ``source_name``, whose role may invoke that function alone."""
        if not _DATA_SOURCE_NAME.match(source_name):
            raise ValueError(f"{source_name!r} is not an AppSync data source name")
        role = service_role(
            f"{self._name}-{source_name}",
            "appsync.amazonaws.com",
            f"AppSync data source {source_name} of {self._name}",
            self,
        )
        policy = inline_policy(
            f"{self._name}-{source_name}-invoke",
            role,
            function.arn.apply(lambda arn: [allow(["lambda:InvokeFunction"], [arn])]),
            self,
        )
        data_source = aws.appsync.DataSource(
            f"{self._name}-{source_name}",
            api_id=self.api.id,
            name=source_name,
            type="AWS_LAMBDA",
            service_role_arn=role.arn,
            lambda_config={"function_arn": function.arn},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
        for resolved in fields:
            aws.appsync.Resolver(
                f"{self._name}-{resolved.type}-{resolved.name}",
                api_id=self.api.id,
                type=resolved.type,
                field=resolved.name,
                data_source=data_source.name,
                kind="UNIT",
                opts=pulumi.ResourceOptions(parent=self),
            )
        return data_source
