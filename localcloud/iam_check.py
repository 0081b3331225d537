"""Evaluate a role's identity policies the way IAM does, for the calls localcloud makes on a
role's behalf (an API integration starting an execution, a state machine invoking a function).

Only what this program's policies use is modelled: Allow and Deny statements with Action and
Resource lists and ``*``/``?`` wildcards, inline and attached managed policies. An explicit Deny
wins; no matching Allow means AccessDenied, as in AWS.
"""

from __future__ import annotations

import fnmatch
import functools
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from moto.iam.exceptions import NotFoundException
from moto.iam.models import iam_backends

from localcloud.iam_actions import InvalidRequestError, UnknownOperationError, authorizations
from localcloud.task_tokens import token_owner


class AccessDeniedError(PermissionError):
    """The role's policies do not allow the action on the resource."""


DENIED_CODES = {
    "sns": "AuthorizationError",
    "sqs": "AccessDenied",
    "iam": "AccessDenied",
    "sts": "AccessDenied",
}
"""The error code each service answers a denied call with (its API Reference's "Errors");
AccessDeniedException for the others."""
DEFAULT_DENIED_CODE = "AccessDeniedException"


def as_list(value: Any) -> list[str]:
    """A policy element as a list (IAM allows a single string too)."""
    return [value] if isinstance(value, str) else list(value or [])


def _document(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    return dict(json.loads(unquote(raw)))


def matches(patterns: list[str], value: str, case_sensitive: bool) -> bool:
    """Whether ``value`` matches one of ``patterns`` with IAM's ``*`` and ``?`` wildcards."""
    if case_sensitive:
        return any(fnmatch.fnmatchcase(value, pattern) for pattern in patterns)
    return any(fnmatch.fnmatchcase(value.lower(), pattern.lower()) for pattern in patterns)


@dataclass
class RolePolicies:
    role_arn: str
    statements: list[dict[str, Any]]

    @classmethod
    def of(cls, role_arn: str) -> RolePolicies:
        """The role's inline and attached policies as IAM holds them now (read from moto's IAM
        backend itself: every authorized call reads them, and a round trip through boto3 costs
        tens of milliseconds)."""
        if not role_arn:
            raise AccessDeniedError("no role to act as")
        _, partition, _, _, account, resource = (role_arn.split(":", 5) + [""] * 6)[:6]
        try:
            role = iam_backends[account][partition].get_role(resource.rsplit("/", 1)[-1])
        except (KeyError, NotFoundException):
            raise AccessDeniedError(f"no role {role_arn}") from None
        documents = [_document(document) for document in role.policies.values()]
        for policy in role.managed_policies.values():
            default = next(version for version in policy.versions if version.is_default)
            documents.append(_document(default.document))
        statements = [s for d in documents for s in _as_list_of_dicts(d.get("Statement"))]
        return cls(role_arn, statements)

    def allows(self, action: str, resource: str) -> bool:
        def applies(statement: dict[str, Any]) -> bool:
            return matches(as_list(statement.get("Action")), action, False) and matches(
                as_list(statement.get("Resource")), resource, True
            )

        if any(s.get("Effect") == "Deny" and applies(s) for s in self.statements):
            return False
        return any(s.get("Effect") == "Allow" and applies(s) for s in self.statements)

    def check(self, action: str, resource: str) -> None:
        if not self.allows(action, resource):
            raise AccessDeniedError(
                f"User: {self.role_arn} is not authorized to perform: {action} on resource: "
                f"{resource} because no identity-based policy allows the {action} action"
            )


def _as_list_of_dicts(value: Any) -> list[dict[str, Any]]:
    return [value] if isinstance(value, dict) else list(value or [])


def authorize_call(
    role_arn: str, service: str, operation: str, params: dict[str, Any], region: str
) -> None:
    """Raise AccessDeniedError unless ``role_arn`` may make the call (botocore's service and
    operation names, the API's parameters). A call localcloud cannot authorize is refused, never
    let through."""
    partition, account = role_arn.split(":")[1], role_arn.split(":")[4]
    try:
        needed = authorizations(
            service,
            operation,
            params,
            region,
            account,
            partition=partition,
            token_owner=functools.partial(token_owner, account, region),
        )
    except (UnknownOperationError, InvalidRequestError) as error:
        raise AccessDeniedError(f"refused: {error}") from None
    if not needed:
        return
    policies = RolePolicies.of(role_arn)
    for authorization in needed:
        for resource in authorization.resources:
            policies.check(authorization.action, resource)
