"""Policy arguments built by hand, or from a recorded deployment, as pulumi_policy builds them.

pulumi_policy's analyzer (``_PolicyAnalyzerServicer``) deserializes each resource's properties,
wraps them in ``unknown_checking_proxy`` and passes a ``ResourceValidationArgs`` (the resource's
inputs) to each resource policy, or one ``StackValidationArgs`` (every resource's outputs, with
parent and dependencies linked as ``PolicyResource`` objects) to each stack policy. Before each
analysis it configures Pulumi's runtime settings from the CLI's ``PULUMI_STACK``; ``violations``
does the same in a context of its own, so ``pulumi.get_stack()`` answers and nothing leaks.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Iterable, Mapping
from typing import Any

import pulumi.runtime
from pulumi_policy import (
    Policy,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from localcloud.recording import Deployment, RecordedResource

PROJECT = "serverless-workflows"
UNKNOWN = UNKNOWN_STRING_VALUE
"""What the engine sends for a value not known until the update (a string's sentinel)."""


def urn(resource_type: str, name: str, stack: str = "dev") -> str:
    return f"urn:pulumi:{stack}::{PROJECT}::{resource_type}::{name}"


def _options(parent: str | None = None) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=False,
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
        parent=parent,
    )


def _props(props: Mapping[str, Any]) -> Mapping[str, Any]:
    """As the analyzer hands them over: secrets unwrapped, unknowns guarded."""
    return unknown_checking_proxy(deserialize_properties(dict(props)))


def resource_args(
    resource_type: str,
    props: Mapping[str, Any],
    name: str = "subject",
    config: Mapping[str, Any] | None = None,
    parent: str | None = None,
) -> ResourceValidationArgs:
    return ResourceValidationArgs(
        resource_type,
        _props(props),
        urn(resource_type, name),
        name,
        _options(parent),
        None,
        dict(config) if config is not None else None,
    )


def policy_resource(
    resource_type: str,
    name: str,
    props: Mapping[str, Any],
    property_dependencies: Mapping[str, list[PolicyResource]] | None = None,
) -> PolicyResource:
    """One resource of a stack, as a stack policy sees it (``props`` are its outputs)."""
    return PolicyResource(
        resource_type,
        _props(props),
        urn(resource_type, name),
        name,
        _options(),
        None,
        None,
        [],
        dict(property_dependencies or {}),
    )


def stack_args(
    resources: Iterable[PolicyResource], config: Mapping[str, Any] | None = None
) -> StackValidationArgs:
    return StackValidationArgs(list(resources), dict(config) if config is not None else None)


def _run_on_stack(stack: str, call: Any) -> Any:
    def configured() -> Any:
        pulumi.runtime.configure(pulumi.runtime.Settings(project=PROJECT, stack=stack))
        return call()

    return contextvars.Context().run(configured)


def reports(
    policy: Policy, args: ResourceValidationArgs | StackValidationArgs, stack: str = "dev"
) -> list[tuple[str, str | None]]:
    """(message, urn) of each violation ``policy`` reports for ``args`` while previewing ``stack``
    (a stack policy names the resource to change by its urn; a resource policy passes None)."""
    found: list[tuple[str, str | None]] = []

    def report(message: str, urn: str | None = None) -> None:
        found.append((message, urn))

    if isinstance(policy, ResourceValidationPolicy):
        assert isinstance(args, ResourceValidationArgs)
        result = _run_on_stack(stack, lambda: policy.validate(args, report))
    else:
        assert isinstance(policy, StackValidationPolicy)
        assert isinstance(args, StackValidationArgs)
        result = _run_on_stack(stack, lambda: policy.validate(args, report))
    assert result is None, "the rules are synchronous"
    return found


def violations(
    policy: Policy, args: ResourceValidationArgs | StackValidationArgs, stack: str = "dev"
) -> list[str]:
    """The messages ``policy`` reports for ``args`` while previewing ``stack``."""
    return [message for message, _ in reports(policy, args, stack)]


def document(*statements: Mapping[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


# From a deployment recorded under mocks (localcloud.recording).


def analyzed_resources(deployment: Deployment) -> list[ResourceValidationArgs]:
    """What each resource policy is given for each resource: its inputs."""
    return [
        ResourceValidationArgs(
            r.type,
            _props(r.inputs),
            r.urn,
            r.name,
            _options(r.parent or None),
            None,
            None,
        )
        for r in deployment.resources
    ]


def analyzed_stack(deployment: Deployment) -> StackValidationArgs:
    """What each stack policy is given: every resource's outputs, parents and dependencies linked.
    The recording keeps no property dependencies, so references are followed by value."""
    by_urn: dict[str, PolicyResource] = {}
    recorded: list[tuple[RecordedResource, PolicyResource]] = []
    for r in deployment.resources:
        resource = PolicyResource(
            r.type,
            _props(r.outputs),
            r.urn,
            r.name,
            _options(r.parent or None),
            None,
            None,
            [],
            {},
        )
        by_urn[r.urn] = resource
        recorded.append((r, resource))
    for r, resource in recorded:
        resource.parent = by_urn.get(r.parent)
        resource.dependencies = [by_urn[d] for d in r.dependencies if d in by_urn]
    return StackValidationArgs([resource for _, resource in recorded])
