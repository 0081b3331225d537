"""Pulumi mocks that answer for the resource types and invokes in ``localcloud.aws_types``.

A subclass says how a resource comes about (``create``) and how unnamed resources are named
(``physical_name``); this class gives every resource the id and outputs AWS would, and refuses
any type or invoke the table does not hold.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from pulumi.runtime import mocks as pulumi_mocks

from localcloud.aws_types import Inputs, Placement, ResourceType, answer_invoke, resource_type

Creation = tuple[str | None, dict[str, Any]]
"""What bringing a resource about answered: the id AWS made up for it (for the types whose id AWS
makes up, else None) and any outputs AWS answered, which override the table's shapes."""


class AwsMocks(pulumi_mocks.Mocks, ABC):
    def __init__(self, placement: Placement) -> None:
        self.placement = placement

    @abstractmethod
    def physical_name(self, logical_name: str) -> str:
        """The name of a resource the program did not name (Pulumi's auto-naming)."""

    @abstractmethod
    def create(self, kind: ResourceType, name: str, inputs: Inputs) -> Creation:
        """Bring the resource about (or pretend to)."""

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        if not args.custom:  # a ComponentResource creates nothing itself
            return f"{args.name}-component", {}
        kind = resource_type(args.typ, args.name)
        inputs = dict(args.inputs)
        name = inputs.get("name") or self.physical_name(args.name)
        made_up_id, answered = self.create(kind, name, inputs)
        resource_id, outputs = kind.shape(self.placement, name, inputs, made_up_id)
        return resource_id, {**inputs, **outputs, **answered}

    def call(self, args: pulumi_mocks.MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        return answer_invoke(args.token, self.placement)
