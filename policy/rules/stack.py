"""Finding the resources a resource refers to, for the rules that span resources (stack policies).

A stack policy sees every resource's outputs, its parent, its dependencies and, per property, the
resources that property was computed from (``property_dependencies``). A reference is followed
through the property's dependencies first: they are known even during a preview of a new stack,
when the ARN itself is not. When they do not settle it (a literal ARN, or a value built from
several resources), the reference is matched by value against the candidates' ARNs and names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pulumi_policy import PolicyResource

from .properties import peek, same

FUNCTION = "aws:lambda/function:Function"


class StackResources:
    def __init__(self, resources: Iterable[PolicyResource]) -> None:
        self.resources = list(resources)

    def of_type(self, resource_type: str) -> list[PolicyResource]:
        return [r for r in self.resources if r.resource_type == resource_type]

    def referenced(
        self,
        resource: PolicyResource,
        prop: str,
        resource_type: str,
        matches: Callable[[PolicyResource], bool],
    ) -> PolicyResource | None:
        """The resource of ``resource_type`` that ``resource``'s property ``prop`` refers to, or
        None when there is none in the stack."""
        dependencies = [
            d
            for d in resource.property_dependencies.get(prop, [])
            if d.resource_type == resource_type
        ]
        if len(dependencies) == 1:
            return dependencies[0]
        candidates = dependencies or self.of_type(resource_type)
        return next((c for c in candidates if matches(c)), None)

    def function(self, resource: PolicyResource, prop: str) -> PolicyResource | None:
        """The Lambda function ``prop`` names (by name, ARN, partial or qualified ARN)."""
        reference = peek(resource.props, prop)
        return self.referenced(resource, prop, FUNCTION, lambda f: names_function(reference, f))


def arn_service(value: Any) -> str | None:
    """The service of an ARN (``arn:partition:service:...``), or None for anything else."""
    if not isinstance(value, str) or not value.startswith("arn:"):
        return None
    parts = value.split(":")
    return parts[2] if len(parts) > 2 else None


def is_function_arn(value: Any) -> bool:
    return arn_service(value) == "lambda" and ":function:" in value


def function_reference(value: Any) -> tuple[str, str | None] | None:
    """(name, qualifier) of a Lambda function reference as the Lambda API takes it: a name, a
    ``name:qualifier``, a partial ARN (``account:function:name``) or a full ARN, qualified or not.
    None for anything else (unknown, not a string)."""
    if not isinstance(value, str) or not value:
        return None
    if ":function:" in value:
        value = value.split(":function:", 1)[1]
    name, _, qualifier = value.partition(":")
    return name, qualifier or None


def names_function(reference: Any, function: PolicyResource) -> bool:
    """Whether ``reference`` (a function property of another resource) names ``function``."""
    parsed = function_reference(reference)
    if parsed is None:
        return False
    return same(peek(function.props, "name"), parsed[0]) or same(
        peek(function.props, "arn"), reference
    )


def qualifier(reference: Any, explicit: Any = None) -> str:
    """The version or alias a function reference invokes; unqualified means ``$LATEST``."""
    if isinstance(explicit, str) and explicit:
        return explicit
    parsed = function_reference(reference)
    return (parsed[1] if parsed else None) or "$LATEST"
