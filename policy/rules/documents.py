"""Where IAM policy documents live in AWS resources, and their statements, read as IAM reads them.

Identity policies (a role's inline policies, managed policies), trust policies (a role's
``assumeRolePolicy``) and resource policies (queue, topic, key, event bus, log and table policies)
are JSON text in the resource's inputs. IAM allows a single value or a list for ``Statement``,
``Action``, ``Resource`` and each principal type; every reader here accepts both.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .properties import as_list

# Resource type -> (property holding a policy document, what it is called in messages).
_DOCUMENT_PROPERTIES: dict[str, tuple[str, str]] = {
    "aws:iam/role:Role": ("assumeRolePolicy", "trust policy"),
    "aws:iam/rolePolicy:RolePolicy": ("policy", "policy"),
    "aws:iam/policy:Policy": ("policy", "policy"),
    "aws:iam/userPolicy:UserPolicy": ("policy", "policy"),
    "aws:iam/groupPolicy:GroupPolicy": ("policy", "policy"),
    "aws:sqs/queue:Queue": ("policy", "queue policy"),
    "aws:sqs/queuePolicy:QueuePolicy": ("policy", "queue policy"),
    "aws:sns/topic:Topic": ("policy", "topic policy"),
    "aws:sns/topicPolicy:TopicPolicy": ("policy", "topic policy"),
    "aws:kms/key:Key": ("policy", "key policy"),
    "aws:kms/keyPolicy:KeyPolicy": ("policy", "key policy"),
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": ("policy", "event bus policy"),
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": ("policyDocument", "resource policy"),
    "aws:dynamodb/resourcePolicy:ResourcePolicy": ("policy", "resource policy"),
}
_KEY_POLICY_TYPES = frozenset({"aws:kms/key:Key", "aws:kms/keyPolicy:KeyPolicy"})


@dataclass(frozen=True)
class Document:
    label: str
    """What the document is called in messages: ``trust policy``, ``inline policy 'x'``."""
    text: Any
    """The document as the resource holds it: JSON text (or an already parsed mapping)."""
    key_policy: bool = False
    """A KMS key policy, where Resource '*' means "this key" (AWS requires it)."""


@dataclass(frozen=True)
class Statement:
    where: str
    """Which statement, for messages: ``statement 2`` or ``statement 'Sid'``."""
    body: Mapping[str, Any]

    @property
    def allows(self) -> bool:
        """Deny statements only take permissions away; the rules check what is allowed."""
        return self.body.get("Effect") == "Allow"

    @property
    def actions(self) -> list[str]:
        return [str(action) for action in as_list(self.body.get("Action"))]

    @property
    def not_actions(self) -> list[str]:
        return [str(action) for action in as_list(self.body.get("NotAction"))]

    @property
    def resources(self) -> list[str]:
        return [str(resource) for resource in as_list(self.body.get("Resource"))]

    @property
    def has_not_resource(self) -> bool:
        return self.body.get("NotResource") is not None

    @property
    def has_not_principal(self) -> bool:
        return self.body.get("NotPrincipal") is not None

    @property
    def public_principal(self) -> bool:
        """``"*"`` or ``{"AWS": "*"}`` (any principal type's value ``*``): anyone at all."""
        principal = self.body.get("Principal")
        if principal is None:
            return False
        if isinstance(principal, Mapping):
            return any("*" in as_list(principal.get(kind)) for kind in principal)
        return "*" in as_list(principal)


class DocumentError(ValueError):
    """A policy document that is not an IAM policy: it cannot be checked."""


def documents(resource_type: str, props: Mapping[str, Any]) -> Iterator[Document]:
    """The policy documents a resource holds. Reading one that is not known yet (a preview of a
    document built from other resources' ARNs) raises the SDK's UnknownValueError."""
    if resource_type == "aws:iam/role:Role":
        for inline in as_list(props.get("inlinePolicies")):
            if isinstance(inline, Mapping) and inline.get("policy"):
                yield Document(f"inline policy '{inline.get('name', '')}'", inline.get("policy"))
    found = _DOCUMENT_PROPERTIES.get(resource_type)
    if found is None:
        return
    key, label = found
    text = props.get(key)
    if text:
        yield Document(label, text, key_policy=resource_type in _KEY_POLICY_TYPES)


def statements(document: Document) -> list[Statement]:
    """The document's statements; raises DocumentError if it is not a policy document."""
    parsed: Any = document.text
    if isinstance(parsed, str):
        try:
            parsed = json.loads(parsed)
        except json.JSONDecodeError as error:
            raise DocumentError(f"the {document.label} is not JSON ({error})") from None
    if not isinstance(parsed, Mapping) or "Statement" not in parsed:
        raise DocumentError(f"the {document.label} has no Statement")
    found = []
    for index, body in enumerate(as_list(parsed["Statement"]), start=1):
        if not isinstance(body, Mapping):
            raise DocumentError(f"statement {index} of the {document.label} is not an object")
        sid = body.get("Sid")
        found.append(Statement(f"statement '{sid}'" if sid else f"statement {index}", body))
    return found
