"""Pulumi mocks that create every resource of the program in moto, through boto3.

``new_resource`` turns a resource's Pulumi inputs into the AWS API calls the AWS provider would
make and returns the outputs AWS would give back, so the program's ARNs, names and URLs are real
moto ones. A resource type this module does not know fails the deploy with its name: nothing is
silently faked.
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

from localcloud.layers import ManagedLayers
from localcloud.program import answer_context_invoke


class UnsupportedResourceError(RuntimeError):
    """The program uses a resource type localcloud cannot create."""


class UnsupportedInvokeError(RuntimeError):
    """The program calls a data source localcloud does not answer."""


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


class MotoProvisioner(pulumi_mocks.Mocks):
    """Creates resources in moto as the Pulumi AWS provider would create them in AWS."""

    def __init__(self, region: str, api_base_url: str, layers: ManagedLayers) -> None:
        self.region = region
        self.api_base_url = api_base_url.rstrip("/")
        self.layers = layers
        self.created: list[CreatedResource] = []
        self.functions: dict[str, FunctionSpec] = {}
        self._lock = threading.Lock()
        self._clients: dict[str, Any] = {}
        self._account_id: str | None = None
        self._creators: dict[str, Callable[[str, dict[str, Any]], tuple[str, dict[str, Any]]]] = {
            "aws:iam/role:Role": self._role,
            "aws:iam/rolePolicy:RolePolicy": self._role_policy,
            "aws:cloudwatch/logGroup:LogGroup": self._log_group,
            "aws:lambda/function:Function": self._function,
            "aws:dynamodb/table:Table": self._table,
            "aws:sfn/stateMachine:StateMachine": self._state_machine,
            "aws:apigatewayv2/api:Api": self._http_api,
            "aws:apigatewayv2/integration:Integration": self._integration,
            "aws:apigatewayv2/route:Route": self._route,
            "aws:apigatewayv2/stage:Stage": self._stage,
        }

    # -- Pulumi mocks interface -------------------------------------------------------------

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        if not args.custom:  # a ComponentResource creates nothing itself
            return f"{args.name}-component", {}
        creator = self._creators.get(args.typ)
        if creator is None:
            raise UnsupportedResourceError(
                f"localcloud cannot create {args.typ} (resource {args.name!r}); "
                "add it to localcloud/provisioner.py"
            )
        inputs = dict(args.inputs)
        name = inputs.get("name") or self._physical_name(args.name)
        resource_id, outputs = creator(name, inputs)
        state = {**inputs, "name": name, **outputs, "id": resource_id}
        with self._lock:
            self.created.append(CreatedResource(args.typ, args.name, resource_id, inputs, state))
        return resource_id, state

    def call(self, args: pulumi_mocks.MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        result = answer_context_invoke(args.token, self.region, self._account())
        if result is None:
            raise UnsupportedInvokeError(f"localcloud does not answer the invoke {args.token}")
        return result

    # -- helpers ------------------------------------------------------------------------------

    def client(self, service: str) -> Any:
        # Creating a boto3 client costs tens of milliseconds; clients are thread-safe, so one
        # per service serves every executor thread.
        with self._lock:
            if service not in self._clients:
                self._clients[service] = boto3.client(service, region_name=self.region)
            return self._clients[service]

    @staticmethod
    def _physical_name(logical: str) -> str:
        """Like Pulumi's auto-naming: the logical name plus a random suffix."""
        return f"{logical}-{secrets.token_hex(4)[:7]}"

    def _account(self) -> str:
        if self._account_id is None:
            self._account_id = str(self.client("sts").get_caller_identity()["Account"])
        return self._account_id

    # -- one creator per resource type ------------------------------------------------------

    def _role(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        role = self.client("iam").create_role(
            RoleName=name,
            AssumeRolePolicyDocument=inputs["assumeRolePolicy"],
            Description=inputs.get("description", ""),
        )["Role"]
        return name, {"arn": role["Arn"], "uniqueId": role["RoleId"]}

    def _role_policy(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self.client("iam").put_role_policy(
            RoleName=inputs["role"], PolicyName=name, PolicyDocument=inputs["policy"]
        )
        return f"{inputs['role']}:{name}", {}

    def _log_group(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        logs = self.client("logs")
        logs.create_log_group(logGroupName=name)
        if inputs.get("retentionInDays"):
            logs.put_retention_policy(
                logGroupName=name, retentionInDays=_int(inputs["retentionInDays"])
            )
        arn = f"arn:aws:logs:{self.region}:{self._account()}:log-group:{name}"
        return name, {"arn": arn}

    def _function(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        layers = [str(layer) for layer in inputs.get("layers") or []]
        self.layers.ensure(layers, region=self.region)
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
        self.functions[arn] = FunctionSpec(
            name=name,
            arn=arn,
            handler=inputs["handler"],
            environment=environment,
            timeout=float(inputs.get("timeout", 3)),
            memory_size=_int(inputs.get("memorySize", 128)),
            log_group=(inputs.get("loggingConfig") or {}).get("logGroup"),
            layers=layers,
        )
        return name, {
            "arn": arn,
            "qualifiedArn": f"{arn}:$LATEST",
            "version": "$LATEST",
            "invokeArn": (
                f"arn:aws:apigateway:{self.region}:lambda:path/2015-03-31/functions/"
                f"{arn}/invocations"
            ),
        }

    def _table(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
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
        return name, {"arn": table["TableArn"], "streamArn": table.get("LatestStreamArn", "")}

    def _state_machine(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
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
        return arn, {"arn": arn}

    def _http_api(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        api = self.client("apigatewayv2").create_api(Name=name, ProtocolType=inputs["protocolType"])
        api_id = api["ApiId"]
        return api_id, {
            # Served by localcloud's HTTP front door rather than execute-api.amazonaws.com.
            "apiEndpoint": f"{self.api_base_url}/{api_id}",
            "arn": f"arn:aws:apigateway:{self.region}::/apis/{api_id}",
            "executionArn": f"arn:aws:execute-api:{self.region}:{self._account()}:{api_id}",
        }

    def _integration(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
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

    def _route(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        route = self.client("apigatewayv2").create_route(
            ApiId=inputs["apiId"],
            RouteKey=inputs["routeKey"],
            Target=inputs.get("target", ""),
            AuthorizationType=inputs.get("authorizationType", "NONE"),
        )
        return route["RouteId"], {}

    def _stage(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
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
        base = f"{self.api_base_url}/{inputs['apiId']}"
        return name, {"invokeUrl": f"{base}/" if name == "$default" else f"{base}/{name}"}


def describe(resources: list[CreatedResource]) -> str:
    """One line per created resource, for `localcloud up`."""
    width = max((len(r.type) for r in resources), default=0)
    return "\n".join(f"{r.type:<{width}}  {r.name}  ({r.id})" for r in resources)


def outputs_json(outputs: dict[str, Any]) -> str:
    return json.dumps(outputs, indent=2, sort_keys=True)
