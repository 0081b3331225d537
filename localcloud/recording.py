"""Recording mocks: run a Pulumi program with a stack's config and record every resource.

No AWS and no emulator: each resource gets the id and outputs AWS would give it in a made-up
account (the shapes of ``localcloud.aws_types``), so nothing the program reads comes back ``None``,
and a resource type or invoke the table lacks fails by name, so a new kind of resource cannot slip
through unchecked. What is recorded (type, name, inputs, outputs, parent, dependencies, component
outputs) is what wiring tests and generated documentation read.
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

from localcloud.aws_mocks import AwsMocks, Creation
from localcloud.aws_types import Inputs, Placement, ResourceType
from localcloud.program import resolve_program_dir, run_program, stack_config

ACCOUNT_ID = "123456789012"
_STACK_TYPE = "pulumi:pulumi:Stack"


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
    protect: bool = False
    """Pulumi's ``protect`` option: no update may delete or replace it."""


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


@dataclass(frozen=True)
class System:
    """A top-level component of the program and the resources it owns, below it at any depth."""

    component: RecordedResource
    owned: dict[str, int]
    """Resource kind (the type token's last part, e.g. ``Function``) -> how many."""

    @property
    def kind(self) -> str:
        return self.component.type.split(":")[-1]

    def owned_text(self) -> str:
        return ", ".join(f"{count} {kind}" for kind, count in sorted(self.owned.items()))


def _urn_type(urn: str) -> str:
    """The resource's own type in ``urn:pulumi:<stack>::<project>::<parent$...$type>::<name>``."""
    parts = urn.split("::")
    return parts[2].rpartition("$")[2] if len(parts) >= 4 else ""


def systems(resources: list[RecordedResource]) -> list[System]:
    """Each component registered directly under the stack, by name, with what it owns."""
    children: dict[str, list[RecordedResource]] = {}
    for resource in resources:
        children.setdefault(resource.parent, []).append(resource)
    top = [r for r in resources if not r.custom and _urn_type(r.parent) == _STACK_TYPE]
    found = []
    for component in sorted(top, key=lambda r: r.name):
        owned: dict[str, int] = {}
        pending = [component]
        while pending:
            for child in children.get(pending.pop().urn, []):
                if child.custom:
                    kind = child.type.split(":")[-1]
                    owned[kind] = owned.get(kind, 0) + 1
                else:
                    pending.append(child)
        found.append(System(component, owned))
    return found


def actions(statement: dict[str, Any]) -> list[str]:
    """A statement's actions as a list (IAM allows a single string too)."""
    action = statement["Action"]
    return action if isinstance(action, list) else [action]


def _suffix(name: str) -> str:
    """Stable across runs, so the recorded names and ids are too."""
    return hashlib.sha256(name.encode()).hexdigest()[:7]


class AwsShapedMocks(AwsMocks):
    """Answers each resource as AWS would, in the made-up account ``ACCOUNT_ID``."""

    def __init__(self, region: str) -> None:
        super().__init__(Placement(region, ACCOUNT_ID))

    def physical_name(self, logical_name: str) -> str:
        return f"{logical_name}-{_suffix(logical_name)}"

    def create(self, kind: ResourceType, name: str, inputs: Inputs) -> Creation:
        # Nothing to create; a stable made-up id of the shape AWS makes up.
        return kind.made_up_id(self.placement, inputs, _suffix(name)), {}


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
                    protect=request.protect,
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
