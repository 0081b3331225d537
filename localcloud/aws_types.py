"""The Pulumi AWS resource types and invokes localcloud supports, and the outputs AWS gives each.

One table serves both ways localcloud runs a program without AWS: the recording mocks
(``localcloud.recording``) answer with these shapes for a made-up account, and the provisioner
(``localcloud.provisioner``) creates each resource in moto with the method the table names and
answers with the same shapes, moto's own answers on top. A type or invoke missing here fails
either of them by name: nothing is silently faked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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

    def arn(self, service: str, resource: str, regional: bool = True) -> str:
        region = self.region if regional else ""
        return f"arn:aws:{service}:{region}:{self.account_id}:{resource}"

    def api_endpoint(self, api_id: str) -> str:
        if self.api_base_url is None:
            return f"https://{api_id}.execute-api.{self.region}.amazonaws.com"
        return f"{self.api_base_url.rstrip('/')}/{api_id}"


Inputs = dict[str, Any]
Outputs = Callable[[Placement, str, Inputs, str], dict[str, Any]]
"""The outputs AWS adds to a resource's inputs, from its placement, name, inputs and id."""
IdRule = Callable[[Placement, str, Inputs], str]


@dataclass(frozen=True)
class ResourceType:
    token: str
    created_by: str
    """The ``MotoProvisioner`` method that creates it in moto."""
    outputs: Outputs
    id_rule: IdRule | None
    """How AWS derives its id from its name and inputs; None when AWS makes the id up."""

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
