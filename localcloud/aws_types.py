"""The Pulumi AWS resource types and invokes localcloud supports, and the outputs AWS gives each.

One table serves both ways localcloud runs a program without AWS: the recording mocks
(``localcloud.recording``) answer with these shapes for a made-up account, and the provisioner
(``localcloud.provisioner``) creates each resource in moto with the method the table names and
answers with the same shapes, moto's own answers on top. A type or invoke missing here fails
either of them by name: nothing is silently faked.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


class UnsupportedResourceError(RuntimeError):
    """The program uses a resource type localcloud does not support."""


class UnsupportedInvokeError(RuntimeError):
    """The program calls a data source localcloud does not answer."""


@dataclass(frozen=True)
class Placement:
    """Where resources are created: what AWS builds their ARNs and URLs from."""

    region: str
    account_id: str
    api_base_url: str | None = None
    """Where HTTP APIs answer, at ``<base>/<api id>``; None for AWS's execute-api hosts."""
    graphql_base_url: str | None = None
    """Where GraphQL APIs answer, at ``<base>/<api id>/graphql``; None for AWS's appsync-api
    hosts."""

    def arn(self, service: str, resource: str, regional: bool = True) -> str:
        region = self.region if regional else ""
        return f"arn:aws:{service}:{region}:{self.account_id}:{resource}"

    def api_endpoint(self, api_id: str) -> str:
        if self.api_base_url is None:
            return f"https://{api_id}.execute-api.{self.region}.amazonaws.com"
        return f"{self.api_base_url.rstrip('/')}/{api_id}"

    def graphql_endpoint(self, api_id: str) -> str:
        if self.graphql_base_url is None:
            return f"https://{api_id}.appsync-api.{self.region}.amazonaws.com/graphql"
        return f"{self.graphql_base_url.rstrip('/')}/{api_id}/graphql"


Inputs = dict[str, Any]
Outputs = Callable[[Placement, str, Inputs, str], dict[str, Any]]
"""The outputs AWS adds to a resource's inputs, from its placement, name, inputs and id."""
IdRule = Callable[[Placement, str, Inputs], str]
MadeUpId = Callable[[Placement, Inputs, str], str]
"""What an id AWS makes up looks like, from a random token (for the recording mocks)."""


@dataclass(frozen=True)
class ResourceType:
    token: str
    created_by: str
    """The ``MotoProvisioner`` method that creates it in moto."""
    outputs: Outputs
    id_rule: IdRule | None
    """How AWS derives its id from its name and inputs; None when AWS makes the id up."""
    made_up: MadeUpId | None = None
    """The shape of the id AWS makes up, when it is more than a token (an ARN, a pair)."""

    def made_up_id(self, placement: Placement, inputs: Inputs, token: str) -> str:
        """An id of the shape AWS makes up, from ``token``."""
        return token if self.made_up is None else self.made_up(placement, inputs, token)

    def shape(
        self, placement: Placement, name: str, inputs: Inputs, made_up_id: str | None
    ) -> tuple[str, dict[str, Any]]:
        """Its id and outputs as AWS gives them; ``made_up_id`` is the id AWS made up (the mocks'
        or moto's), used only by the types whose id is made up."""
        resource_id = made_up_id if self.id_rule is None else self.id_rule(placement, name, inputs)
        if not resource_id:
            raise ValueError(f"AWS makes up the id of a {self.token}: pass the one it made")
        outputs = self.outputs(placement, name, inputs, resource_id)
        return resource_id, {"name": name, **outputs, "id": resource_id}


# -- how AWS shapes each type's id and outputs ---------------------------------------------------


def _name(_placement: Placement, name: str, _inputs: Inputs) -> str:
    return name


def _role_policy_id(_placement: Placement, name: str, inputs: Inputs) -> str:
    return f"{inputs['role']}:{name}"


def _state_machine_arn(placement: Placement, name: str, _inputs: Inputs) -> str:
    return placement.arn("states", f"stateMachine:{name}")


def _nothing(_placement: Placement, _name: str, _inputs: Inputs, _id: str) -> dict[str, Any]:
    return {}


def _role(placement: Placement, name: str, inputs: Inputs, _id: str) -> dict[str, Any]:
    path = inputs.get("path") or "/"
    return {"arn": placement.arn("iam", f"role{path}{name}", regional=False)}


def _log_group(placement: Placement, name: str, _inputs: Inputs, _id: str) -> dict[str, Any]:
    return {"arn": placement.arn("logs", f"log-group:{name}")}


def _function(placement: Placement, name: str, _inputs: Inputs, _id: str) -> dict[str, Any]:
    arn = placement.arn("lambda", f"function:{name}")
    return {
        "arn": arn,
        "qualifiedArn": f"{arn}:$LATEST",
        "version": "$LATEST",
        "invokeArn": (
            f"arn:aws:apigateway:{placement.region}:lambda:path/2015-03-31/functions/"
            f"{arn}/invocations"
        ),
    }


def _table(placement: Placement, name: str, _inputs: Inputs, _id: str) -> dict[str, Any]:
    return {"arn": placement.arn("dynamodb", f"table/{name}")}


def _state_machine(placement: Placement, _name: str, _inputs: Inputs, arn: str) -> dict[str, Any]:
    return {"arn": arn}


def _http_api(placement: Placement, _name: str, _inputs: Inputs, api_id: str) -> dict[str, Any]:
    return {
        "apiEndpoint": placement.api_endpoint(api_id),
        "arn": f"arn:aws:apigateway:{placement.region}::/apis/{api_id}",
        "executionArn": placement.arn("execute-api", api_id),
    }


def _stage(placement: Placement, name: str, inputs: Inputs, _id: str) -> dict[str, Any]:
    endpoint = placement.api_endpoint(inputs["apiId"])
    return {"invokeUrl": f"{endpoint}/" if name == "$default" else f"{endpoint}/{name}"}


def _queue_url(placement: Placement, name: str, _inputs: Inputs) -> str:
    return f"https://sqs.{placement.region}.amazonaws.com/{placement.account_id}/{name}"


def _queue(placement: Placement, name: str, _inputs: Inputs, url: str) -> dict[str, Any]:
    return {"arn": placement.arn("sqs", name), "url": url}


def _topic_arn(placement: Placement, name: str, _inputs: Inputs) -> str:
    return placement.arn("sns", name)


def _topic(placement: Placement, _name: str, _inputs: Inputs, arn: str) -> dict[str, Any]:
    return {"arn": arn, "owner": placement.account_id}


CONFIRMED_BY_RECIPIENT = frozenset({"email", "email-json"})
"""Subscriptions that stay pending (PendingConfirmation) until their endpoint's owner confirms
them (SNS API Reference, Subscribe; SNS Developer Guide, "Amazon SNS email subscription setup and
management"). No one confirms them here."""


def _uuid(token: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, token))


def _subscription_arn(_placement: Placement, inputs: Inputs, token: str) -> str:
    return f"{inputs['topic']}:{_uuid(token)}"


def _subscription(placement: Placement, _name: str, inputs: Inputs, arn: str) -> dict[str, Any]:
    pending = inputs.get("protocol") in CONFIRMED_BY_RECIPIENT
    return {
        "arn": arn,
        "ownerId": placement.account_id,
        "pendingConfirmation": pending,
        "confirmationWasAuthenticated": not pending,
    }


def _function_arn(placement: Placement, function: str) -> str:
    """The ARN of a function given by name or ARN, as Lambda's APIs accept either."""
    return (
        function if function.startswith("arn:") else placement.arn("lambda", f"function:{function}")
    )


def _made_up_uuid(_placement: Placement, _inputs: Inputs, token: str) -> str:
    return _uuid(token)


def _event_source_mapping(
    placement: Placement, _name: str, inputs: Inputs, mapping: str
) -> dict[str, Any]:
    return {
        "uuid": mapping,
        "functionArn": _function_arn(placement, inputs["functionName"]),
        "arn": placement.arn("lambda", f"event-source-mapping:{mapping}"),
        "state": "Disabled" if inputs.get("enabled") is False else "Enabled",
    }


def _graphql_api(placement: Placement, _name: str, _inputs: Inputs, api_id: str) -> dict[str, Any]:
    uris = {"GRAPHQL": placement.graphql_endpoint(api_id)}
    if placement.graphql_base_url is None:  # localcloud serves no subscriptions (WebSockets)
        uris["REALTIME"] = (
            f"wss://{api_id}.appsync-realtime-api.{placement.region}.amazonaws.com/graphql"
        )
    return {"arn": placement.arn("appsync", f"apis/{api_id}"), "uris": uris}


def _api_key_id(_placement: Placement, inputs: Inputs, token: str) -> str:
    return f"{inputs['apiId']}:da2-{token}"  # AppSync's keys start "da2-"


def appsync_expiry(expires: str) -> int:
    """An RFC 3339 time as AppSync keeps an API key's expiry: seconds since the epoch, rounded
    down to the hour (AppSync API Reference, CreateApiKey ``expires``)."""
    moment = datetime.fromisoformat(expires)
    if moment.tzinfo is None:  # RFC 3339 always has an offset; read a bare time as UTC
        moment = moment.replace(tzinfo=UTC)
    seconds = int(moment.timestamp())
    return seconds - seconds % 3600


def rfc3339(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _api_key(_placement: Placement, _name: str, inputs: Inputs, api_key_id: str) -> dict[str, Any]:
    key = api_key_id.split(":", 1)[1]  # the provider's id is "<api id>:<key>"
    outputs: dict[str, Any] = {"key": key, "apiKeyId": key}
    if inputs.get("expires"):
        outputs["expires"] = rfc3339(appsync_expiry(inputs["expires"]))
    return outputs


def _data_source_id(_placement: Placement, name: str, inputs: Inputs) -> str:
    return f"{inputs['apiId']}-{name}"


def _data_source(placement: Placement, name: str, inputs: Inputs, _id: str) -> dict[str, Any]:
    return {"arn": placement.arn("appsync", f"apis/{inputs['apiId']}/datasources/{name}")}


def _resolver_id(_placement: Placement, _name: str, inputs: Inputs) -> str:
    return f"{inputs['apiId']}-{inputs['type']}-{inputs['field']}"


def _resolver(placement: Placement, _name: str, inputs: Inputs, _id: str) -> dict[str, Any]:
    resolver = f"apis/{inputs['apiId']}/types/{inputs['type']}/resolvers/{inputs['field']}"
    return {"arn": placement.arn("appsync", resolver), "kind": inputs.get("kind") or "UNIT"}


def _event_invoke_config_id(_placement: Placement, _name: str, inputs: Inputs) -> str:
    # The provider's id: the function as given (name or ARN), with ":<qualifier>" when one is set
    # (terraform-provider-aws, lambda/function_event_invoke_config.go).
    qualifier = inputs.get("qualifier")
    return f"{inputs['functionName']}:{qualifier}" if qualifier else str(inputs["functionName"])


DEFAULT_EVENT_BUS = "default"


def _bus_name(inputs: Inputs) -> str:
    """The rule's event bus, given by name or ARN; ``default`` when none is given."""
    return str(inputs.get("eventBusName") or DEFAULT_EVENT_BUS).rsplit("/", 1)[-1]


def _on_default_bus(inputs: Inputs) -> bool:
    return _bus_name(inputs) == DEFAULT_EVENT_BUS


def _event_rule_id(_placement: Placement, name: str, inputs: Inputs) -> str:
    # The provider's ids: the rule's name on the default bus, else "<bus>/<rule>"; a target's
    # "<rule>-<target id>", else "<bus>-<rule>-<target id>" (terraform-provider-aws, events/id.go).
    return name if _on_default_bus(inputs) else f"{inputs['eventBusName']}/{name}"


def _event_rule(placement: Placement, name: str, inputs: Inputs, _id: str) -> dict[str, Any]:
    # arn:aws:events:region:account:rule/[event-bus-name/]rule-name (EventBridge User Guide,
    # "Managing access permissions to your Amazon EventBridge resources").
    bus = "" if _on_default_bus(inputs) else f"{_bus_name(inputs)}/"
    return {"arn": placement.arn("events", f"rule/{bus}{name}")}


def target_id(name: str, inputs: Inputs) -> str:
    """The target's id: the one given, else one made up for it (here: its physical name)."""
    return str(inputs.get("targetId") or name)


def _event_target_id(_placement: Placement, name: str, inputs: Inputs) -> str:
    parts = [inputs["rule"], target_id(name, inputs)]
    return "-".join(parts if _on_default_bus(inputs) else [str(inputs["eventBusName"]), *parts])


def _event_target(_placement: Placement, name: str, inputs: Inputs, _id: str) -> dict[str, Any]:
    return {"targetId": target_id(name, inputs)}


def statement_id(name: str, inputs: Inputs) -> str:
    """A permission's statement id: the one given, else the one Pulumi names it with."""
    return str(inputs.get("statementId") or name)


def _permission_id(_placement: Placement, name: str, inputs: Inputs) -> str:
    return statement_id(name, inputs)  # the provider's id is the statement id


def _permission(_placement: Placement, name: str, inputs: Inputs, _id: str) -> dict[str, Any]:
    return {"statementId": statement_id(name, inputs)}


def key_arn(placement: Placement, key: str) -> str:
    """The ARN of a KMS key given by id or ARN (KMS Developer Guide, "Key identifiers")."""
    return key if key.startswith("arn:") else placement.arn("kms", f"key/{key}")


def _key(placement: Placement, _name: str, _inputs: Inputs, key_id: str) -> dict[str, Any]:
    # The provider's id is the key id, which KMS makes up (a UUID).
    return {"arn": key_arn(placement, key_id), "keyId": key_id}


def alias_name(name: str) -> str:
    """A KMS alias's name, which always begins ``alias/`` (KMS API Reference, CreateAlias)."""
    return name if name.startswith("alias/") else f"alias/{name}"


def _alias_id(_placement: Placement, name: str, _inputs: Inputs) -> str:
    return alias_name(name)  # the provider's id is the alias name


def _alias(placement: Placement, name: str, inputs: Inputs, _id: str) -> dict[str, Any]:
    return {
        "name": alias_name(name),
        "arn": placement.arn("kms", alias_name(name)),
        "targetKeyArn": key_arn(placement, str(inputs["targetKeyId"])),
    }


def _topic_policy_id(_placement: Placement, _name: str, inputs: Inputs) -> str:
    return str(inputs["arn"])  # the provider's id is the topic's ARN


def _topic_policy(placement: Placement, _name: str, _inputs: Inputs, _id: str) -> dict[str, Any]:
    return {"owner": placement.account_id}


def _metric_alarm(placement: Placement, name: str, _inputs: Inputs, _id: str) -> dict[str, Any]:
    # arn:aws:cloudwatch:region:account:alarm:name (Service Authorization Reference, Amazon
    # CloudWatch, resource type "alarm"); the provider's id is the alarm's name.
    return {"arn": placement.arn("cloudwatch", f"alarm:{name}")}


RESOURCE_TYPES: dict[str, ResourceType] = {
    resource_type.token: resource_type
    for resource_type in (
        ResourceType("aws:iam/role:Role", "create_role", _role, _name),
        ResourceType("aws:iam/rolePolicy:RolePolicy", "put_role_policy", _nothing, _role_policy_id),
        ResourceType("aws:cloudwatch/logGroup:LogGroup", "create_log_group", _log_group, _name),
        ResourceType("aws:lambda/function:Function", "create_function", _function, _name),
        ResourceType("aws:dynamodb/table:Table", "create_table", _table, _name),
        ResourceType(
            "aws:sfn/stateMachine:StateMachine",
            "create_state_machine",
            _state_machine,
            _state_machine_arn,
        ),
        ResourceType("aws:apigatewayv2/api:Api", "create_http_api", _http_api, None),
        ResourceType(
            "aws:apigatewayv2/integration:Integration", "create_integration", _nothing, None
        ),
        ResourceType("aws:apigatewayv2/route:Route", "create_route", _nothing, None),
        ResourceType("aws:apigatewayv2/stage:Stage", "create_stage", _stage, _name),
        ResourceType("aws:sqs/queue:Queue", "create_queue", _queue, _queue_url),
        ResourceType("aws:sns/topic:Topic", "create_topic", _topic, _topic_arn),
        ResourceType(
            "aws:sns/topicSubscription:TopicSubscription",
            "subscribe",
            _subscription,
            None,
            _subscription_arn,
        ),
        ResourceType(
            "aws:lambda/eventSourceMapping:EventSourceMapping",
            "create_event_source_mapping",
            _event_source_mapping,
            None,
            _made_up_uuid,
        ),
        ResourceType("aws:appsync/graphQLApi:GraphQLApi", "create_graphql_api", _graphql_api, None),
        ResourceType("aws:appsync/apiKey:ApiKey", "create_api_key", _api_key, None, _api_key_id),
        ResourceType(
            "aws:appsync/dataSource:DataSource",
            "create_data_source",
            _data_source,
            _data_source_id,
        ),
        ResourceType("aws:appsync/resolver:Resolver", "create_resolver", _resolver, _resolver_id),
        ResourceType(
            "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
            "put_function_event_invoke_config",
            _nothing,
            _event_invoke_config_id,
        ),
        ResourceType("aws:cloudwatch/eventRule:EventRule", "put_rule", _event_rule, _event_rule_id),
        ResourceType(
            "aws:cloudwatch/eventTarget:EventTarget", "put_targets", _event_target, _event_target_id
        ),
        ResourceType(
            "aws:lambda/permission:Permission", "add_permission", _permission, _permission_id
        ),
        ResourceType("aws:kms/key:Key", "create_key", _key, None, _made_up_uuid),
        ResourceType("aws:kms/alias:Alias", "create_alias", _alias, _alias_id),
        ResourceType(
            "aws:sns/topicPolicy:TopicPolicy", "put_topic_policy", _topic_policy, _topic_policy_id
        ),
        ResourceType(
            "aws:cloudwatch/metricAlarm:MetricAlarm", "put_metric_alarm", _metric_alarm, _name
        ),
    )
}


def resource_type(token: str, resource_name: str) -> ResourceType:
    """The supported type ``token``; anything else fails, naming the type and the resource."""
    try:
        return RESOURCE_TYPES[token]
    except KeyError:
        raise UnsupportedResourceError(
            f"localcloud does not support {token} (resource {resource_name!r}); "
            "add it to localcloud/aws_types.py"
        ) from None


# -- invokes (data sources) ----------------------------------------------------------------------


def _region(placement: Placement) -> dict[str, Any]:
    return {"region": placement.region, "name": placement.region, "id": placement.region}


def _partition(_placement: Placement) -> dict[str, Any]:
    return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}


def _caller_identity(placement: Placement) -> dict[str, Any]:
    account = placement.account_id
    return {
        "accountId": account,
        "arn": f"arn:aws:iam::{account}:user/program",
        "userId": "program",
        "id": account,
    }


INVOKES: dict[str, Callable[[Placement], dict[str, Any]]] = {
    "aws:index/getRegion:getRegion": _region,
    "aws:index/getPartition:getPartition": _partition,
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
}


def answer_invoke(token: str, placement: Placement) -> dict[str, Any]:
    """What the data source ``token`` answers; never an empty answer for one not supported."""
    answer = INVOKES.get(token)
    if answer is None:
        raise UnsupportedInvokeError(f"localcloud does not answer the invoke {token}")
    return answer(placement)
