"""Pulumi mocks that create every resource of the program in moto, through boto3.

For each resource, the method ``localcloud.aws_types`` names turns its Pulumi inputs into the AWS
API calls the AWS provider would make; the resource's outputs are the shapes of that table with
moto's own answers (ids it made up, ARNs) on top, so the program's ARNs, names and URLs are moto's.
A resource type the table lacks fails the deploy with its name: nothing is silently faked.
"""

from __future__ import annotations

import io
import json
import secrets
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pulumi
from pulumi.runtime import mocks as pulumi_mocks

from localcloud.aws_mocks import AwsMocks, Creation
from localcloud.aws_types import Inputs, Placement, ResourceType, UnsupportedResourceError
from localcloud.layers import ManagedLayers


@dataclass
class CreatedResource:
    type: str
    name: str
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]


@dataclass
class FunctionSpec:
    """What localcloud's Lambda runtime needs beyond what moto keeps of a function."""

    name: str
    arn: str
    handler: str
    environment: dict[str, str]
    timeout: float
    memory_size: int
    log_group: str | None
    layers: list[str] = field(default_factory=list)


def archive_bytes(archive: Any) -> bytes:
    """Zip a Pulumi AssetArchive of FileAssets/StringAssets (what PythonFunction builds)."""
    if not isinstance(archive, pulumi.AssetArchive):
        raise UnsupportedResourceError(f"Lambda code must be an AssetArchive, not {type(archive)}")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, asset in sorted(archive.assets.items()):
            if isinstance(asset, pulumi.FileAsset):
                zf.writestr(path, Path(str(asset.path)).read_bytes())
            elif isinstance(asset, pulumi.StringAsset):
                zf.writestr(path, str(asset.text))
            else:
                raise UnsupportedResourceError(f"unsupported asset {type(asset)} at {path}")
    return buffer.getvalue()


def _int(value: Any) -> int:
    return int(float(value))


class MotoProvisioner(AwsMocks):
    """Creates resources in moto as the Pulumi AWS provider would create them in AWS."""

    def __init__(
        self,
        placement: Placement,
        layers: ManagedLayers,
        on_function: Callable[[FunctionSpec], None] | None = None,
    ) -> None:
        super().__init__(placement)
        self.layers = layers
        self._on_function = on_function
        self.created: list[CreatedResource] = []
        self.functions: dict[str, FunctionSpec] = {}
        self._lock = threading.Lock()
        self._clients: dict[str, Any] = {}

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        resource_id, state = super().new_resource(args)
        if args.custom:
            with self._lock:
                self.created.append(
                    CreatedResource(args.typ, args.name, resource_id, dict(args.inputs), state)
                )
        return resource_id, state

    def physical_name(self, logical_name: str) -> str:
        """Like Pulumi's auto-naming: the logical name plus a random suffix."""
        return f"{logical_name}-{secrets.token_hex(4)[:7]}"

    def create(self, kind: ResourceType, name: str, inputs: Inputs) -> Creation:
        creator: Callable[[str, Inputs], Creation] = getattr(self, kind.created_by)
        return creator(name, inputs)

    def client(self, service: str) -> Any:
        # Creating a boto3 client costs tens of milliseconds; clients are thread-safe, so one
        # per service serves every executor thread.
        with self._lock:
            if service not in self._clients:
                self._clients[service] = boto3.client(service, region_name=self.placement.region)
            return self._clients[service]

    # -- one method per resource type of localcloud.aws_types -------------------------------

    def create_role(self, name: str, inputs: Inputs) -> Creation:
        role = self.client("iam").create_role(
            RoleName=name,
            AssumeRolePolicyDocument=inputs["assumeRolePolicy"],
            Description=inputs.get("description", ""),
            Path=inputs.get("path") or "/",
        )["Role"]
        return None, {"arn": role["Arn"], "uniqueId": role["RoleId"]}

    def put_role_policy(self, name: str, inputs: Inputs) -> Creation:
        self.client("iam").put_role_policy(
            RoleName=inputs["role"], PolicyName=name, PolicyDocument=inputs["policy"]
        )
        return None, {}

    def create_log_group(self, name: str, inputs: Inputs) -> Creation:
        logs = self.client("logs")
        logs.create_log_group(logGroupName=name)
        if inputs.get("retentionInDays"):
            logs.put_retention_policy(
                logGroupName=name, retentionInDays=_int(inputs["retentionInDays"])
            )
        return None, {}

    def create_function(self, name: str, inputs: Inputs) -> Creation:
        layers = [str(layer) for layer in inputs.get("layers") or []]
        self.layers.ensure(layers, region=self.placement.region)
        environment = dict((inputs.get("environment") or {}).get("variables") or {})
        tracing = (inputs.get("tracingConfig") or {}).get("mode", "PassThrough")
        function = self.client("lambda").create_function(
            FunctionName=name,
            Runtime=inputs["runtime"],
            Role=inputs["role"],
            Handler=inputs["handler"],
            Code={"ZipFile": archive_bytes(inputs["code"])},
            Description=inputs.get("description") or "",
            Timeout=_int(inputs.get("timeout", 3)),
            MemorySize=_int(inputs.get("memorySize", 128)),
            Architectures=list(inputs.get("architectures") or ["x86_64"]),
            Environment={"Variables": environment},
            TracingConfig={"Mode": tracing},
            Layers=layers,
        )
        arn = function["FunctionArn"]
        spec = self.functions[arn] = FunctionSpec(
            name=name,
            arn=arn,
            handler=inputs["handler"],
            environment=environment,
            timeout=float(inputs.get("timeout", 3)),
            memory_size=_int(inputs.get("memorySize", 128)),
            log_group=(inputs.get("loggingConfig") or {}).get("logGroup"),
            layers=layers,
        )
        if self._on_function is not None:
            self._on_function(spec)
        return None, {"arn": arn}

    def create_table(self, name: str, inputs: Inputs) -> Creation:
        dynamodb = self.client("dynamodb")
        schema = [{"AttributeName": inputs["hashKey"], "KeyType": "HASH"}]
        if inputs.get("rangeKey"):
            schema.append({"AttributeName": inputs["rangeKey"], "KeyType": "RANGE"})
        request: dict[str, Any] = {
            "TableName": name,
            "KeySchema": schema,
            "AttributeDefinitions": [
                {"AttributeName": a["name"], "AttributeType": a["type"]}
                for a in inputs["attributes"]
            ],
            "BillingMode": inputs.get("billingMode", "PROVISIONED"),
        }
        indexes = inputs.get("globalSecondaryIndexes") or []
        if indexes:
            request["GlobalSecondaryIndexes"] = [
                {
                    "IndexName": index["name"],
                    "KeySchema": [{"AttributeName": index["hashKey"], "KeyType": "HASH"}]
                    + (
                        [{"AttributeName": index["rangeKey"], "KeyType": "RANGE"}]
                        if index.get("rangeKey")
                        else []
                    ),
                    "Projection": {"ProjectionType": index.get("projectionType", "ALL")},
                }
                for index in indexes
            ]
        if (inputs.get("serverSideEncryption") or {}).get("enabled"):
            request["SSESpecification"] = {"Enabled": True}
        table = dynamodb.create_table(**request)["TableDescription"]
        if (inputs.get("pointInTimeRecovery") or {}).get("enabled"):
            dynamodb.update_continuous_backups(
                TableName=name,
                PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
            )
        return None, {"arn": table["TableArn"], "streamArn": table.get("LatestStreamArn", "")}

    def create_state_machine(self, name: str, inputs: Inputs) -> Creation:
        logging = inputs.get("loggingConfiguration") or {}
        request: dict[str, Any] = {
            "name": name,
            "definition": inputs["definition"],
            "roleArn": inputs["roleArn"],
            "type": inputs.get("type", "STANDARD"),
            "tracingConfiguration": {
                "enabled": bool((inputs.get("tracingConfiguration") or {}).get("enabled"))
            },
        }
        if logging.get("logDestination"):
            request["loggingConfiguration"] = {
                "level": logging.get("level", "OFF"),
                "includeExecutionData": bool(logging.get("includeExecutionData")),
                "destinations": [
                    {"cloudWatchLogsLogGroup": {"logGroupArn": logging["logDestination"]}}
                ],
            }
        arn = self.client("stepfunctions").create_state_machine(**request)["stateMachineArn"]
        return None, {"arn": arn}

    def create_http_api(self, name: str, inputs: Inputs) -> Creation:
        api = self.client("apigatewayv2").create_api(Name=name, ProtocolType=inputs["protocolType"])
        return api["ApiId"], {}

    def create_integration(self, name: str, inputs: Inputs) -> Creation:
        request = {
            "ApiId": inputs["apiId"],
            "IntegrationType": inputs["integrationType"],
            "PayloadFormatVersion": inputs.get("payloadFormatVersion", "1.0"),
        }
        for key, wire in (
            ("IntegrationSubtype", "integrationSubtype"),
            ("IntegrationUri", "integrationUri"),
            ("CredentialsArn", "credentialsArn"),
            ("IntegrationMethod", "integrationMethod"),
        ):
            if inputs.get(wire):
                request[key] = inputs[wire]
        if inputs.get("requestParameters"):
            request["RequestParameters"] = dict(inputs["requestParameters"])
        integration = self.client("apigatewayv2").create_integration(**request)
        return integration["IntegrationId"], {}

    def create_route(self, name: str, inputs: Inputs) -> Creation:
        route = self.client("apigatewayv2").create_route(
            ApiId=inputs["apiId"],
            RouteKey=inputs["routeKey"],
            Target=inputs.get("target", ""),
            AuthorizationType=inputs.get("authorizationType", "NONE"),
        )
        return route["RouteId"], {}

    def create_stage(self, name: str, inputs: Inputs) -> Creation:
        settings = inputs.get("defaultRouteSettings") or {}
        request: dict[str, Any] = {
            "ApiId": inputs["apiId"],
            "StageName": name,
            "AutoDeploy": bool(inputs.get("autoDeploy")),
            "DefaultRouteSettings": {
                "ThrottlingRateLimit": float(settings.get("throttlingRateLimit", 10000)),
                "ThrottlingBurstLimit": _int(settings.get("throttlingBurstLimit", 5000)),
            },
        }
        access_logs = inputs.get("accessLogSettings")
        if access_logs:
            request["AccessLogSettings"] = {
                "DestinationArn": access_logs["destinationArn"],
                "Format": access_logs["format"],
            }
        self.client("apigatewayv2").create_stage(**request)
        return None, {}


def outputs_json(outputs: dict[str, Any]) -> str:
    return json.dumps(outputs, indent=2, sort_keys=True)
