"""Evaluate a role's identity policies the way IAM does, for the calls localcloud makes on a
role's behalf (an API integration starting an execution, a state machine invoking a function).

Only what this program's policies use is modelled: Allow and Deny statements with Action and
Resource lists and ``*``/``?`` wildcards, inline and attached managed policies. An explicit Deny
wins; no matching Allow means AccessDenied, as in AWS.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import boto3


class AccessDeniedError(PermissionError):
    """The role's policies do not allow the action on the resource."""


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def _document(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    return dict(json.loads(unquote(raw)))


def _matches(patterns: list[str], value: str, case_sensitive: bool) -> bool:
    if case_sensitive:
        return any(fnmatch.fnmatchcase(value, pattern) for pattern in patterns)
    return any(fnmatch.fnmatchcase(value.lower(), pattern.lower()) for pattern in patterns)


@dataclass
class RolePolicies:
    role_arn: str
    statements: list[dict[str, Any]]

    @classmethod
    def of(cls, role_arn: str) -> RolePolicies:
        if not role_arn:
            raise AccessDeniedError("no role to act as")
        iam = boto3.client("iam")
        role_name = role_arn.rsplit("/", 1)[-1]
        documents = [
            _document(iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"])
            for name in iam.list_role_policies(RoleName=role_name)["PolicyNames"]
        ]
        for attached in iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]:
            policy = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
            version = iam.get_policy_version(
                PolicyArn=attached["PolicyArn"], VersionId=policy["DefaultVersionId"]
            )
            documents.append(_document(version["PolicyVersion"]["Document"]))
        statements = [s for d in documents for s in _as_list_of_dicts(d.get("Statement"))]
        return cls(role_arn, statements)

    def allows(self, action: str, resource: str) -> bool:
        def applies(statement: dict[str, Any]) -> bool:
            return _matches(_as_list(statement.get("Action")), action, False) and _matches(
                _as_list(statement.get("Resource")), resource, True
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
