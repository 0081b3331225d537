"""Pulumi mocks that create every resource of the program in moto, through boto3.

For each resource, the method ``localcloud.aws_types`` names turns its Pulumi inputs into the AWS
API calls the AWS provider would make; the resource's outputs are the shapes of that table with
moto's own answers (ids it made up, ARNs) on top, so the program's ARNs, names and URLs are moto's.
A resource type the table lacks fails the deploy with its name: nothing is silently faked.
"""

from __future__ import annotations

import fnmatch
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
from graphql import GraphQLError
from moto.appsync.models import GraphqlAPI
from moto.cloudwatch.models import cloudwatch_backends
from moto.sns.models import sns_backends
from pulumi.runtime import mocks as pulumi_mocks

from localcloud import appsync_registry
from localcloud.appsync_scalars import appsync_schema
from localcloud.aws_mocks import AwsMocks, Creation
from localcloud.aws_types import (
    CONFIRMED_BY_RECIPIENT,
    Inputs,
    Placement,
    ResourceType,
    UnsupportedResourceError,
    alias_name,
    appsync_expiry,
    rfc3339,
    statement_id,
    target_id,
)
from localcloud.iam_check import AccessDeniedError, RolePolicies
from localcloud.layers import ManagedLayers
from localcloud.resource_policies import policy_statements


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


def create_function_request(name: str, inputs: Inputs) -> dict[str, Any]:
    """Lambda's CreateFunction request for a function's Pulumi inputs (the code zipped as
    ``archive_bytes`` zips it)."""
    return {
        "FunctionName": name,
        "Runtime": inputs["runtime"],
        "Role": inputs["role"],
        "Handler": inputs["handler"],
        "Code": {"ZipFile": archive_bytes(inputs["code"])},
        "Description": inputs.get("description") or "",
        "Timeout": _int(inputs.get("timeout", 3)),
        "MemorySize": _int(inputs.get("memorySize", 128)),
        "Architectures": list(inputs.get("architectures") or ["x86_64"]),
        "Environment": {
            "Variables": dict((inputs.get("environment") or {}).get("variables") or {})
        },
        "TracingConfig": {"Mode": (inputs.get("tracingConfig") or {}).get("mode", "PassThrough")},
        "Layers": [str(layer) for layer in inputs.get("layers") or []],
    }


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


def _given(inputs: Inputs, wire: str, default: Any) -> Any:
    """The input, or ``default`` when it is not set (a 0 is set)."""
    value = inputs.get(wire)
    return default if value is None else value


def _attributes(inputs: Inputs, names: dict[str, str]) -> dict[str, str]:
    """SQS and SNS attributes (all strings) from the inputs set among ``names`` (wire name ->
    attribute name); numbers arrive as floats, booleans as booleans."""
    attributes = {}
    for wire, attribute in names.items():
        value = inputs.get(wire)
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            attributes[attribute] = "true" if value else "false"
        elif isinstance(value, float | int):
            attributes[attribute] = str(_int(value))
        else:
            attributes[attribute] = str(value)
    return attributes


_QUEUE_ATTRIBUTES = {
    "visibilityTimeoutSeconds": "VisibilityTimeout",
    "messageRetentionSeconds": "MessageRetentionPeriod",
    "receiveWaitTimeSeconds": "ReceiveMessageWaitTimeSeconds",
    "delaySeconds": "DelaySeconds",
    "maxMessageSize": "MaximumMessageSize",
    "redrivePolicy": "RedrivePolicy",
    "redriveAllowPolicy": "RedriveAllowPolicy",
    "policy": "Policy",
    "sqsManagedSseEnabled": "SqsManagedSseEnabled",
    "kmsMasterKeyId": "KmsMasterKeyId",
    "kmsDataKeyReusePeriodSeconds": "KmsDataKeyReusePeriodSeconds",
    "fifoQueue": "FifoQueue",
    "contentBasedDeduplication": "ContentBasedDeduplication",
}
_TOPIC_ATTRIBUTES = {
    "displayName": "DisplayName",
    "kmsMasterKeyId": "KmsMasterKeyId",
    "policy": "Policy",
    "deliveryPolicy": "DeliveryPolicy",
    "fifoTopic": "FifoTopic",
    "contentBasedDeduplication": "ContentBasedDeduplication",
}
_SUBSCRIPTION_ATTRIBUTES = {
    "rawMessageDelivery": "RawMessageDelivery",
    "filterPolicy": "FilterPolicy",
    "filterPolicyScope": "FilterPolicyScope",
    "redrivePolicy": "RedrivePolicy",
}
# What SNS delivers here as on AWS: SQS subscriptions (moto's delivery, SNS's JSON envelope), and
# e-mail ones, which stay pending. moto invokes a Lambda subscriber synchronously with placeholder
# attributes, and an HTTP endpoint would wait for a confirmation no one sends.
_DELIVERED_PROTOCOLS = frozenset({"sqs", "email", "email-json"})
# An SQS event source needs these of the function's role (Lambda Developer Guide, "Using Lambda
# with Amazon SQS", execution role permissions), and CreateEventSourceMapping checks them.
_SQS_CONSUMER_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")


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
        # moto's KMS walks every key to find an alias, and its IAM every role to find a name
        # taken: creating them on several executor threads at once would change a dict while
        # another thread walks it ("dictionary changed size during iteration").
        self._kms_lock = threading.Lock()
        self._iam_lock = threading.Lock()

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
        with self._iam_lock:
            role = self.client("iam").create_role(
                RoleName=name,
                AssumeRolePolicyDocument=inputs["assumeRolePolicy"],
                Description=inputs.get("description", ""),
                Path=inputs.get("path") or "/",
            )["Role"]
        return None, {"arn": role["Arn"], "uniqueId": role["RoleId"]}

    def put_role_policy(self, name: str, inputs: Inputs) -> Creation:
        with self._iam_lock:  # finding the role walks every role, as creating one does
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
        request = create_function_request(name, inputs)
        layers, environment = request["Layers"], request["Environment"]["Variables"]
        self.layers.ensure(layers, region=self.placement.region)
        function = self.client("lambda").create_function(**request)
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

    def create_queue(self, name: str, inputs: Inputs) -> Creation:
        sqs = self.client("sqs")
        url = sqs.create_queue(QueueName=name, Attributes=_attributes(inputs, _QUEUE_ATTRIBUTES))[
            "QueueUrl"
        ]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        return None, {"url": url, "arn": arn}

    def create_topic(self, name: str, inputs: Inputs) -> Creation:
        arn = self.client("sns").create_topic(
            Name=name, Attributes=_attributes(inputs, _TOPIC_ATTRIBUTES)
        )["TopicArn"]
        return None, {"arn": arn}

    def subscribe(self, name: str, inputs: Inputs) -> Creation:
        protocol = inputs["protocol"]
        if protocol not in _DELIVERED_PROTOCOLS:
            raise UnsupportedResourceError(
                f"localcloud does not deliver to {protocol} subscriptions as SNS does ({name!r})"
            )
        arn = self.client("sns").subscribe(
            TopicArn=inputs["topic"],
            Protocol=protocol,
            Endpoint=inputs["endpoint"],
            Attributes=_attributes(inputs, _SUBSCRIPTION_ATTRIBUTES),
            ReturnSubscriptionArn=True,
        )["SubscriptionArn"]
        if protocol in CONFIRMED_BY_RECIPIENT:
            # moto confirms every subscription at once; SNS waits for the recipient's
            # confirmation, which never comes here.
            region, account = arn.split(":")[3:5]
            attributes = sns_backends[account][region].subscriptions[arn].attributes
            attributes.update(PendingConfirmation=True, ConfirmationWasAuthenticated=False)
        return arn, {}

    def create_event_source_mapping(self, name: str, inputs: Inputs) -> Creation:
        source = inputs["eventSourceArn"]
        if not source.startswith("arn:aws:sqs:"):
            raise UnsupportedResourceError(
                f"localcloud delivers SQS event sources only, not {source} ({name!r})"
            )
        if inputs.get("filterCriteria"):
            raise UnsupportedResourceError(
                f"localcloud does not filter event source records ({name!r} has filterCriteria)"
            )
        lambda_ = self.client("lambda")
        role = lambda_.get_function_configuration(FunctionName=inputs["functionName"])["Role"]
        self._check_consumer_role(role, source)
        request: dict[str, Any] = {
            "EventSourceArn": source,
            "FunctionName": inputs["functionName"],
            "Enabled": inputs.get("enabled") is not False,
        }
        if inputs.get("batchSize"):
            request["BatchSize"] = _int(inputs["batchSize"])
        if inputs.get("maximumBatchingWindowInSeconds"):
            request["MaximumBatchingWindowInSeconds"] = _int(
                inputs["maximumBatchingWindowInSeconds"]
            )
        if inputs.get("functionResponseTypes"):
            request["FunctionResponseTypes"] = list(inputs["functionResponseTypes"])
        mapping = lambda_.create_event_source_mapping(**request)
        return mapping["UUID"], {
            "functionArn": mapping["FunctionArn"],
            "arn": mapping["EventSourceMappingArn"],
        }

    @staticmethod
    def _check_consumer_role(role: str, queue_arn: str) -> None:
        """Lambda refuses a mapping whose function cannot consume the queue, with the message
        quoted in aws/aws-cdk#6770 (InvalidParameterValueException)."""
        try:
            policies = RolePolicies.of(role)
        except AccessDeniedError as error:
            raise ValueError(str(error)) from None
        for action in _SQS_CONSUMER_ACTIONS:
            if not policies.allows(action, queue_arn):
                raise ValueError(
                    "InvalidParameterValueException: The provided execution role does not have "
                    f"permissions to call {action.removeprefix('sqs:')} on SQS"
                )

    def create_graphql_api(self, name: str, inputs: Inputs) -> Creation:
        refused = _unserved_graphql_api(inputs)
        if refused:
            raise UnsupportedResourceError(f"localcloud does not serve {refused} ({name!r})")
        appsync = self.client("appsync")
        request: dict[str, Any] = {
            "name": name,
            "authenticationType": inputs["authenticationType"],
            "xrayEnabled": bool(inputs.get("xrayEnabled")),
        }
        log = inputs.get("logConfig")
        if log:
            request["logConfig"] = {
                "cloudWatchLogsRoleArn": log["cloudwatchLogsRoleArn"],
                "fieldLogLevel": log["fieldLogLevel"],
                "excludeVerboseContent": bool(log.get("excludeVerboseContent")),
            }
        api = appsync.create_graphql_api(**request)["graphqlApi"]
        schema = inputs.get("schema")
        if schema:
            self._create_schema(api["apiId"], name, schema)
        return api["apiId"], {"arn": api["arn"]}

    def _create_schema(self, api_id: str, name: str, schema: str) -> None:
        """The schema as AppSync takes it: the provider waits for its creation, which fails for
        a schema AppSync would not build (moto only parses it)."""
        appsync = self.client("appsync")
        appsync.start_schema_creation(apiId=api_id, definition=schema.encode())
        status = appsync.get_schema_creation_status(apiId=api_id)
        if status["status"] != "SUCCESS":
            raise ValueError(f"the schema of {name!r} failed: {status.get('details')}")
        try:
            appsync_schema(schema)
        except (GraphQLError, TypeError) as error:
            raise ValueError(f"the schema of {name!r} is not valid: {error}") from None

    def create_api_key(self, name: str, inputs: Inputs) -> Creation:
        request: dict[str, Any] = {"apiId": inputs["apiId"]}
        if inputs.get("description"):
            request["description"] = inputs["description"]
        if inputs.get("expires"):
            request["expires"] = appsync_expiry(inputs["expires"])
        key = self.client("appsync").create_api_key(**request)["apiKey"]
        return f"{inputs['apiId']}:{key['id']}", {"expires": rfc3339(key["expires"])}

    def _graphql_api(self, api_id: str) -> GraphqlAPI:
        return appsync_registry.graphql_api(
            self.placement.account_id, self.placement.region, api_id
        )

    def create_data_source(self, name: str, inputs: Inputs) -> Creation:
        data_source = appsync_registry.add_data_source(
            self._graphql_api(inputs["apiId"]),
            name,
            inputs["type"],
            function_arn=(inputs.get("lambdaConfig") or {}).get("functionArn"),
            service_role_arn=inputs.get("serviceRoleArn"),
        )
        return None, {"arn": data_source.arn}

    def create_resolver(self, name: str, inputs: Inputs) -> Creation:
        options = {
            appsync_name: inputs[wire]
            for wire, appsync_name in _RESOLVER_OPTIONS.items()
            if inputs.get(wire)
        }
        resolver = appsync_registry.add_resolver(
            self._graphql_api(inputs["apiId"]),
            inputs["type"],
            inputs["field"],
            inputs.get("dataSource") or "",
            **options,
        )
        return None, {"arn": resolver.arn}

    # -- asynchronous invocation, EventBridge rules and targets, function permissions -----------

    def put_function_event_invoke_config(self, name: str, inputs: Inputs) -> Creation:
        """PutFunctionEventInvokeConfig as the provider calls it, MaximumRetryAttempts always
        (its default is 2); Lambda refuses a destination the function's role may not send to
        (``localcloud.async_lambda``)."""
        qualifier = inputs.get("qualifier")
        if qualifier and qualifier != "$LATEST":
            raise UnsupportedResourceError(
                f"localcloud keeps one asynchronous invocation configuration per function, not "
                f"per version or alias ({name!r} has qualifier {qualifier!r})"
            )
        request: dict[str, Any] = {
            "FunctionName": inputs["functionName"],
            "MaximumRetryAttempts": _int(_given(inputs, "maximumRetryAttempts", 2)),
        }
        if qualifier:
            request["Qualifier"] = qualifier
        if inputs.get("maximumEventAgeInSeconds") is not None:
            request["MaximumEventAgeInSeconds"] = _int(inputs["maximumEventAgeInSeconds"])
        destinations = {
            key: {"Destination": wanted["destination"]}
            for key, wire in (("OnSuccess", "onSuccess"), ("OnFailure", "onFailure"))
            if (wanted := (inputs.get("destinationConfig") or {}).get(wire))
            and wanted.get("destination")
        }
        if destinations:
            request["DestinationConfig"] = destinations
        self.client("lambda").put_function_event_invoke_config(**request)
        return None, {}

    def put_rule(self, name: str, inputs: Inputs) -> Creation:
        if inputs.get("scheduleExpression"):
            raise UnsupportedResourceError(
                f"localcloud does not run scheduled rules ({name!r} has a scheduleExpression)"
            )
        state = inputs.get("state") or ("DISABLED" if inputs.get("isEnabled") is False else None)
        request: dict[str, Any] = {"Name": name, "EventPattern": inputs["eventPattern"]}
        for key, wire in (
            ("EventBusName", "eventBusName"),
            ("Description", "description"),
            ("RoleArn", "roleArn"),
        ):
            if inputs.get(wire):
                request[key] = inputs[wire]
        if state:
            request["State"] = state
        arn = self.client("events").put_rule(**request)["RuleArn"]
        return None, {"arn": arn}

    def put_targets(self, name: str, inputs: Inputs) -> Creation:
        target: dict[str, Any] = {"Id": target_id(name, inputs), "Arn": inputs["arn"]}
        unmodelled = [wire for wire in _UNDELIVERED_TARGET_INPUTS if inputs.get(wire)]
        if unmodelled:
            raise UnsupportedResourceError(
                f"localcloud does not deliver to targets with {', '.join(unmodelled)} ({name!r})"
            )
        service = str(inputs["arn"]).split(":")[2:3]
        constant_or_path = inputs.get("input") or inputs.get("inputPath")
        if service not in (["lambda"], ["sns"]) and constant_or_path:
            raise UnsupportedResourceError(
                f"localcloud applies Input and InputPath to Lambda and SNS targets only ({name!r})"
            )
        if service == ["sns"] and str(inputs["arn"]).endswith(".fifo"):
            raise UnsupportedResourceError(
                f"localcloud does not deliver to FIFO topic targets ({name!r})"
            )
        for key, wire in (("Input", "input"), ("InputPath", "inputPath"), ("RoleArn", "roleArn")):
            if inputs.get(wire):
                target[key] = inputs[wire]
        transformer = inputs.get("inputTransformer")
        if transformer:
            target["InputTransformer"] = {
                "InputPathsMap": dict(transformer.get("inputPaths") or {}),
                "InputTemplate": transformer["inputTemplate"],
            }
        retry = inputs.get("retryPolicy")
        if retry:
            target["RetryPolicy"] = {
                key: _int(retry[wire])
                for key, wire in (
                    ("MaximumRetryAttempts", "maximumRetryAttempts"),
                    ("MaximumEventAgeInSeconds", "maximumEventAgeInSeconds"),
                )
                if retry.get(wire) is not None
            }
        dead_letters = (inputs.get("deadLetterConfig") or {}).get("arn")
        if dead_letters:
            target["DeadLetterConfig"] = {"Arn": dead_letters}
        group = (inputs.get("sqsTarget") or {}).get("messageGroupId")
        if group:
            target["SqsParameters"] = {"MessageGroupId": group}
        request: dict[str, Any] = {"Rule": inputs["rule"], "Targets": [target]}
        if inputs.get("eventBusName"):
            request["EventBusName"] = inputs["eventBusName"]
        response = self.client("events").put_targets(**request)
        if response.get("FailedEntryCount"):
            raise ValueError(f"EventBridge refused target {name!r}: {response['FailedEntries']}")
        return None, {}

    def add_permission(self, name: str, inputs: Inputs) -> Creation:
        request: dict[str, Any] = {
            "FunctionName": inputs["function"],
            "StatementId": statement_id(name, inputs),
            "Action": inputs["action"],
            "Principal": inputs["principal"],
        }
        for key, wire in _PERMISSION_OPTIONS.items():
            if inputs.get(wire):
                request[key] = inputs[wire]
        self.client("lambda").add_permission(**request)
        return None, {}

    # -- keys, topic policies and alarms ------------------------------------------------------

    def create_key(self, name: str, inputs: Inputs) -> Creation:
        """CreateKey as the provider calls it, then the rotation and state it asks for. The
        deletion window is ScheduleKeyDeletion's, used when the key is destroyed; the provider
        takes 7 to 30 days (KMS API Reference, ScheduleKeyDeletion ``PendingWindowInDays``)."""
        unserved = [wire for wire in ("customKeyStoreId", "xksKeyId") if inputs.get(wire)]
        if unserved:
            raise UnsupportedResourceError(
                f"localcloud keeps no custom key stores ({name!r} has {', '.join(unserved)})"
            )
        window = _int(_given(inputs, "deletionWindowInDays", 30))
        if not 7 <= window <= 30:
            raise ValueError(
                f"deletion_window_in_days of {name!r} is {window}: KMS takes 7 to 30 days"
            )
        request: dict[str, Any] = {
            "Description": inputs.get("description") or "",
            "KeyUsage": inputs.get("keyUsage") or "ENCRYPT_DECRYPT",
            "KeySpec": inputs.get("customerMasterKeySpec") or "SYMMETRIC_DEFAULT",
            "MultiRegion": bool(inputs.get("multiRegion")),
        }
        policy = inputs.get("policy")
        bypass = bool(inputs.get("bypassPolicyLockoutSafetyCheck"))
        if policy:
            if not bypass:
                _check_key_policy_lockout(policy, self.placement.account_id)
            request["Policy"] = policy
            request["BypassPolicyLockoutSafetyCheck"] = bypass
        kms = self.client("kms")
        with self._kms_lock:
            key = kms.create_key(**request)["KeyMetadata"]
        if inputs.get("enableKeyRotation"):
            rotation: dict[str, Any] = {"KeyId": key["KeyId"]}
            if inputs.get("rotationPeriodInDays"):
                rotation["RotationPeriodInDays"] = _int(inputs["rotationPeriodInDays"])
            kms.enable_key_rotation(**rotation)
        if inputs.get("isEnabled") is False:
            kms.disable_key(KeyId=key["KeyId"])
        return key["KeyId"], {"arn": key["Arn"], "keyId": key["KeyId"]}

    def create_alias(self, name: str, inputs: Inputs) -> Creation:
        kms = self.client("kms")
        with self._kms_lock:
            kms.create_alias(AliasName=alias_name(name), TargetKeyId=inputs["targetKeyId"])
            key = kms.describe_key(KeyId=inputs["targetKeyId"])["KeyMetadata"]
        return None, {"targetKeyArn": key["Arn"]}

    def put_topic_policy(self, name: str, inputs: Inputs) -> Creation:
        """SetTopicAttributes ``Policy``, replacing the topic's default policy."""
        self.client("sns").set_topic_attributes(
            TopicArn=inputs["arn"], AttributeName="Policy", AttributeValue=inputs["policy"]
        )
        return None, {}

    def put_metric_alarm(self, name: str, inputs: Inputs) -> Creation:
        """PutMetricAlarm as the provider calls it. The alarm is kept, never evaluated: no
        metrics are emitted here, so it stays in INSUFFICIENT_DATA and runs no action."""
        unserved = [wire for wire in _UNSERVED_ALARM_INPUTS if inputs.get(wire)]
        if unserved:
            raise UnsupportedResourceError(
                f"localcloud keeps metric alarms only ({name!r} has {', '.join(unserved)})"
            )
        request: dict[str, Any] = {
            "AlarmName": name,
            "ComparisonOperator": inputs["comparisonOperator"],
            "EvaluationPeriods": _int(inputs["evaluationPeriods"]),
            "ActionsEnabled": inputs.get("actionsEnabled") is not False,
        }
        for key, wire in _ALARM_TEXT.items():
            if inputs.get(wire):
                request[key] = inputs[wire]
        for key, wire in (("Period", "period"), ("DatapointsToAlarm", "datapointsToAlarm")):
            if inputs.get(wire) is not None:
                request[key] = _int(inputs[wire])
        if inputs.get("threshold") is not None:
            request["Threshold"] = float(inputs["threshold"])
        for key, wire in _ALARM_ACTIONS.items():
            if inputs.get(wire):
                request[key] = [str(action) for action in inputs[wire]]
        if inputs.get("dimensions"):
            request["Dimensions"] = _dimensions(inputs["dimensions"])
        if inputs.get("metricQueries"):
            request["Metrics"] = [_metric_query(query) for query in inputs["metricQueries"]]
        self.client("cloudwatch").put_metric_alarm(**request)
        # Read back from moto's backend: DescribeAlarms walks every alarm, which fails while
        # another executor thread is adding one (moto's dict changes size).
        alarm = cloudwatch_backends[self.placement.account_id][self.placement.region].alarms[name]
        # A new alarm is INSUFFICIENT_DATA until CloudWatch first evaluates it (AWS Knowledge
        # Center, "cloudwatch-alarm-insufficient-data-state"); moto starts it OK.
        alarm.state_value = "INSUFFICIENT_DATA"
        return None, {"arn": alarm.alarm_arn}


KEY_POLICY_LOCKOUT = (
    "MalformedPolicyDocumentException: The new key policy will not allow you to update the key "
    "policy in the future."
)


def _check_key_policy_lockout(policy: str, account_id: str) -> None:
    """CreateKey refuses a policy that would not let the caller (here the account, which
    deploys) put a key policy again (KMS API Reference, CreateKey
    ``BypassPolicyLockoutSafetyCheck``; KMS Developer Guide, "Default key policy")."""
    account = {account_id, f"arn:aws:iam::{account_id}:root", "*"}

    def names_account(statement: dict[str, Any]) -> bool:
        principal = statement.get("Principal")
        if principal == "*":
            return True
        given = principal.get("AWS") if isinstance(principal, dict) else None
        return bool(account & set([given] if isinstance(given, str) else given or []))

    def allows_put(statement: dict[str, Any]) -> bool:
        actions = statement.get("Action")
        listed = [actions] if isinstance(actions, str) else list(actions or [])
        return any(fnmatch.fnmatchcase("kms:putkeypolicy", action.lower()) for action in listed)

    statements = policy_statements(policy)
    if not any(
        s.get("Effect") == "Allow" and names_account(s) and allows_put(s) and not s.get("Condition")
        for s in statements
    ):
        raise ValueError(KEY_POLICY_LOCKOUT)


def _dimensions(dimensions: dict[str, Any]) -> list[dict[str, str]]:
    return [{"Name": key, "Value": str(value)} for key, value in dimensions.items()]


def _metric_query(query: dict[str, Any]) -> dict[str, Any]:
    """A metric query's inputs as PutMetricAlarm's ``Metrics`` entry."""
    entry: dict[str, Any] = {"Id": query["id"], "ReturnData": bool(query.get("returnData"))}
    for key, wire in (("Expression", "expression"), ("Label", "label"), ("AccountId", "accountId")):
        if query.get(wire):
            entry[key] = query[wire]
    if query.get("period"):
        entry["Period"] = _int(query["period"])
    metric = query.get("metric")
    if metric:
        stat: dict[str, Any] = {
            "Metric": {
                "MetricName": metric["metricName"],
                "Namespace": metric.get("namespace", ""),
                "Dimensions": _dimensions(metric.get("dimensions") or {}),
            },
            "Period": _int(metric["period"]),
            "Stat": metric["stat"],
        }
        if metric.get("unit"):
            stat["Unit"] = metric["unit"]
        entry["MetricStat"] = stat
    return entry


# The MetricAlarm inputs that are strings, by their PutMetricAlarm names.
_ALARM_TEXT = {
    "AlarmDescription": "alarmDescription",
    "Namespace": "namespace",
    "MetricName": "metricName",
    "Statistic": "statistic",
    "ExtendedStatistic": "extendedStatistic",
    "Unit": "unit",
    "TreatMissingData": "treatMissingData",
    "EvaluateLowSampleCountPercentile": "evaluateLowSampleCountPercentiles",
    "ThresholdMetricId": "thresholdMetricId",
}
_ALARM_ACTIONS = {
    "AlarmActions": "alarmActions",
    "OKActions": "okActions",
    "InsufficientDataActions": "insufficientDataActions",
}
# Alarms evaluated otherwise than on a metric's statistic, which localcloud does not keep.
_UNSERVED_ALARM_INPUTS = (
    "evaluationCriteria",
    "evaluationInterval",
    "evaluationWindow",
    "warmUpConfiguration",
)

# What EventBridge targets can carry that localcloud does not deliver with.
_UNDELIVERED_TARGET_INPUTS = (
    "ecsTarget",
    "batchTarget",
    "kinesisTarget",
    "redshiftTarget",
    "httpTarget",
    "sagemakerPipelineTarget",
    "appsyncTarget",
    "runCommandTargets",
)
# The Permission inputs besides function, statement, action and principal, by their AddPermission
# names.
_PERMISSION_OPTIONS = {
    "SourceArn": "sourceArn",
    "SourceAccount": "sourceAccount",
    "Qualifier": "qualifier",
    "EventSourceToken": "eventSourceToken",
    "PrincipalOrgID": "principalOrgId",
    "FunctionUrlAuthType": "functionUrlAuthType",
}
# The Resolver inputs besides type, field and data source, by their CreateResolver names.
_RESOLVER_OPTIONS = {
    "kind": "kind",
    "maxBatchSize": "maxBatchSize",
    "requestTemplate": "requestMappingTemplate",
    "responseTemplate": "responseMappingTemplate",
    "code": "code",
    "runtime": "runtime",
    "pipelineConfig": "pipelineConfig",
    "cachingConfig": "cachingConfig",
    "syncConfig": "syncConfig",
}


def _unserved_graphql_api(inputs: Inputs) -> str:
    """What of a GraphQLApi localcloud's GraphQL server would not serve as AppSync does."""
    if inputs.get("authenticationType") != "API_KEY":
        return f"{inputs.get('authenticationType')} authorization (API_KEY only)"
    if inputs.get("additionalAuthenticationProviders"):
        return "additional authentication providers"
    if inputs.get("apiType", "GRAPHQL") != "GRAPHQL":
        return f"{inputs['apiType']} APIs"
    if inputs.get("introspectionConfig", "ENABLED") != "ENABLED":
        return "disabled introspection"
    if inputs.get("queryDepthLimit") or inputs.get("resolverCountLimit"):
        return "query depth or resolver count limits"
    return ""


def outputs_json(outputs: dict[str, Any]) -> str:
    return json.dumps(outputs, indent=2, sort_keys=True)
