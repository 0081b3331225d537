"""Mocks harness: run the Pulumi program with a stack's config and record every resource.

Outputs are computed the way AWS would shape them (ARNs, names, URLs), so nothing the program
reads comes back ``None``; a resource type or invoke the harness does not know fails loudly, so a
new kind of resource cannot slip through untested.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc

from localcloud.program import (
    answer_context_invoke,
    resolve_program_dir,
    run_program,
    stack_config,
)

ACCOUNT_ID = "123456789012"


class UnmockedError(RuntimeError):
    """The program used a resource type or invoke the harness does not model."""


@dataclass
class RecordedResource:
    type: str
    name: str
    urn: str
    inputs: dict[str, Any]
    outputs: dict[str, Any] = field(default_factory=dict)
    parent: str = ""
    dependencies: list[str] = field(default_factory=list)
    custom: bool = True


@dataclass
class Deployment:
    outputs: dict[str, Any]
    resources: list[RecordedResource]
    component_outputs: dict[str, dict[str, Any]]
    region: str

    def of_type(self, type_: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == type_]

    def named(self, name: str) -> RecordedResource:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources named {name!r}")
        return matches[0]

    def by_urn(self, urn: str) -> RecordedResource:
        return next(r for r in self.resources if r.urn == urn)

    def children(self, parent: RecordedResource) -> list[RecordedResource]:
        return [r for r in self.resources if r.parent == parent.urn]

    def policies(self) -> Iterator[tuple[RecordedResource, dict[str, Any]]]:
        """Every IAM policy document in the deployment: inline policies and trust policies."""
        for resource in self.resources:
            if resource.type == "aws:iam/rolePolicy:RolePolicy":
                yield resource, json.loads(resource.inputs["policy"])
            if resource.type == "aws:iam/role:Role":
                yield resource, json.loads(resource.inputs["assumeRolePolicy"])

    def role_statements(self, role: RecordedResource) -> list[dict[str, Any]]:
        """All statements of the inline policies attached to ``role``."""
        role_id = role.outputs["id"]
        return [
            statement
            for policy in self.of_type("aws:iam/rolePolicy:RolePolicy")
            if policy.inputs["role"] == role_id
            for statement in json.loads(policy.inputs["policy"])["Statement"]
        ]


def actions(statement: dict[str, Any]) -> list[str]:
    """A statement's actions as a list (IAM allows a single string too)."""
    action = statement["Action"]
    return action if isinstance(action, list) else [action]


def _suffix(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:7]


class AwsShapedMocks(pulumi_mocks.Mocks):
    """Returns outputs shaped like AWS's for each resource type the program uses."""

    def __init__(self, region: str) -> None:
        self.region = region

    def _arn(self, service: str, resource: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{ACCOUNT_ID}:{resource}"

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        if not args.custom:  # a ComponentResource: nothing to create
            return f"{args.name}-component", {}
        inputs = dict(args.inputs)
        name = inputs.get("name") or f"{args.name}-{_suffix(args.name)}"
        outputs: dict[str, Any] = {"name": name}
        match args.typ:
            case "aws:iam/role:Role":
                outputs["arn"] = self._arn("iam", f"role/{name}", region=False)
                resource_id = name
            case "aws:iam/rolePolicy:RolePolicy":
                resource_id = f"{inputs['role']}:{name}"
            case "aws:cloudwatch/logGroup:LogGroup":
                outputs["arn"] = self._arn("logs", f"log-group:{name}")
                resource_id = name
            case "aws:lambda/function:Function":
                arn = self._arn("lambda", f"function:{name}")
                outputs.update(arn=arn, qualifiedArn=f"{arn}:$LATEST", version="$LATEST")
                outputs["invokeArn"] = (
                    f"arn:aws:apigateway:{self.region}:lambda:path/2015-03-31/functions/{arn}/invocations"
                )
                resource_id = name
            case "aws:dynamodb/table:Table":
                outputs["arn"] = self._arn("dynamodb", f"table/{name}")
                resource_id = name
            case "aws:sfn/stateMachine:StateMachine":
                outputs["arn"] = self._arn("states", f"stateMachine:{name}")
                resource_id = outputs["arn"]
            case "aws:apigatewayv2/api:Api":
                resource_id = _suffix(name)
                outputs["apiEndpoint"] = (
                    f"https://{resource_id}.execute-api.{self.region}.amazonaws.com"
                )
                outputs["arn"] = f"arn:aws:apigateway:{self.region}::/apis/{resource_id}"
                outputs["executionArn"] = self._arn("execute-api", resource_id)
            case "aws:apigatewayv2/integration:Integration" | "aws:apigatewayv2/route:Route":
                resource_id = _suffix(name)
            case "aws:apigatewayv2/stage:Stage":
                resource_id = name
                outputs["invokeUrl"] = (
                    f"https://{inputs['apiId']}.execute-api.{self.region}.amazonaws.com/"
                )
            case _:
                raise UnmockedError(f"the mocks harness does not model {args.typ} ({args.name})")
        outputs["id"] = resource_id
        return resource_id, {**inputs, **outputs}

    def call(self, args: pulumi_mocks.MockCallArgs) -> dict[str, Any]:
        result = answer_context_invoke(args.token, self.region, ACCOUNT_ID)
        if result is None:
            raise UnmockedError(f"the mocks harness does not model the invoke {args.token}")
        return result


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """Records what MockResourceArgs leaves out: parent, dependencies, component outputs."""

    def __init__(self, mocks: pulumi_mocks.Mocks) -> None:
        super().__init__(mocks)
        self.recorded: list[RecordedResource] = []
        self.component_outputs: dict[str, dict[str, Any]] = {}

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            registration = self.resources[response.urn]
            self.recorded.append(
                RecordedResource(
                    type=request.type,
                    name=request.name,
                    urn=response.urn,
                    inputs=dict(rpc.deserialize_properties(request.object)),
                    outputs=dict(registration.state or {}),
                    parent=request.parent,
                    dependencies=list(request.dependencies),
                    custom=request.custom,
                )
            )
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        outputs = rpc.deserialize_properties(request.outputs) if request.outputs else {}
        self.component_outputs[request.urn] = dict(outputs or {})
        return super().RegisterResourceOutputs(request)


def deploy_with_mocks(
    stack: str = "dev",
    config: Mapping[str, Any] | None = None,
    preview: bool = False,
    program_dir: str | Path | None = None,
) -> Deployment:
    """Run the program in ``program_dir`` (default: found from the working directory) for
    ``stack`` (plus ``config`` overrides) and record what it registered."""
    program_dir = resolve_program_dir(program_dir)
    region = stack_config(stack, config, program_dir).get("aws:region", "us-east-1")
    mocks = AwsShapedMocks(region)
    monitor = RecordingMonitor(mocks)
    outputs = run_program(
        mocks, stack, config, preview=preview, monitor=monitor, program_dir=program_dir
    )
    return Deployment(outputs, monitor.recorded, monitor.component_outputs, region)
