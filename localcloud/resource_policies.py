"""Resource-based policies: may an AWS service act on a resource on the account's behalf?

Services that invoke a function on an account's behalf (EventBridge for a rule's target, API
Gateway for a Lambda proxy integration) are allowed to by the function's resource-based policy,
the statements ``AddPermission`` (the Pulumi ``aws.lambda.Permission``) adds (Lambda Developer
Guide, "Viewing resource-based IAM policies in Lambda" and "Granting function access to AWS
services"). A topic's policy lets a service publish to it, and a KMS key's policy lets a service
use the key (EventBridge User Guide, "Using resource-based policies for Amazon EventBridge"; SNS
Developer Guide, "Enable compatibility between event sources from AWS services and encrypted
topics"). IAM evaluates such a statement as it does any other: the principal is the service, the
action and resource those of the call, and its conditions on ``aws:SourceArn`` and
``aws:SourceAccount`` must hold. An explicit Deny wins; without an Allow the service may not act.
Only what such statements use is modelled; a condition localcloud cannot evaluate does not hold,
so it never grants.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Mapping
from typing import Any

from moto.awslambda.models import LambdaFunction

from localcloud.iam_check import as_list, matches

INVOKE = "lambda:InvokeFunction"


def _principal_is(principal: Any, service: str) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        return False
    return service in as_list(principal.get("Service")) or "*" in as_list(principal.get("AWS"))


def _arn_like(pattern: str, value: str) -> bool:
    """ArnLike/ArnEquals: each of the six colon-separated parts matched on its own, ``*`` and
    ``?`` within a part (IAM User Guide, "IAM JSON policy elements: Condition operators", ARN
    condition operators)."""
    patterns, values = pattern.split(":", 5), value.split(":", 5)
    return len(patterns) == len(values) == 6 and all(
        fnmatch.fnmatchcase(part, wanted) for part, wanted in zip(values, patterns, strict=True)
    )


_OPERATORS = {
    "arnlike": _arn_like,
    "arnequals": _arn_like,
    "stringequals": lambda pattern, value: pattern == value,
    "stringlike": lambda pattern, value: fnmatch.fnmatchcase(value, pattern),
}


def _conditions_hold(conditions: Any, context: Mapping[str, str]) -> bool:
    """Every operator and key must hold, each for one of its values; keys are case-insensitive."""
    if not conditions:
        return True
    if not isinstance(conditions, Mapping):
        return False
    for operator, tests in conditions.items():
        compare = _OPERATORS.get(str(operator).lower())
        if compare is None or not isinstance(tests, Mapping):
            return False
        for key, wanted in tests.items():
            value = context.get(str(key).lower())
            if value is None or not any(compare(w, value) for w in as_list(wanted)):
                return False
    return True


def qualifier_of(function_arn: str) -> str | None:
    """The version or alias a function ARN names, if any."""
    parts = function_arn.split(":")
    return parts[7] if len(parts) > 7 else None


def service_allowed(
    statements: Iterable[Mapping[str, Any]],
    service: str,
    action: str,
    resource: str,
    *,
    source_arn: str,
    source_account: str,
) -> bool:
    """Whether ``statements`` (a resource-based policy's) let ``service`` (e.g.
    ``events.amazonaws.com``) perform ``action`` on ``resource`` for ``source_arn`` in
    ``source_account``."""
    context = {"aws:sourcearn": source_arn, "aws:sourceaccount": source_account}

    def applies(statement: Mapping[str, Any]) -> bool:
        return (
            _principal_is(statement.get("Principal"), service)
            and matches(as_list(statement.get("Action")), action, False)
            and matches(as_list(statement.get("Resource")), resource, True)
            and _conditions_hold(statement.get("Condition"), context)
        )

    listed = list(statements)
    if any(s.get("Effect") == "Deny" and applies(s) for s in listed):
        return False
    return any(s.get("Effect", "Allow") == "Allow" and applies(s) for s in listed)


def policy_statements(document: Any) -> list[dict[str, Any]]:
    """The statements of a policy document given as JSON text or parsed (a single statement may
    stand alone); none for a document that is empty or not JSON."""
    if isinstance(document, str):
        try:
            document = json.loads(document) if document else {}
        except json.JSONDecodeError:
            return []
    statements = document.get("Statement") if isinstance(document, Mapping) else None
    if isinstance(statements, Mapping):
        return [dict(statements)]
    return [dict(s) for s in statements or [] if isinstance(s, Mapping)]


def service_may_invoke(
    function: LambdaFunction,
    service: str,
    *,
    source_arn: str,
    source_account: str,
    qualifier: str | None = None,
) -> bool:
    """Whether the function's resource-based policy lets ``service`` (e.g.
    ``events.amazonaws.com``) invoke it for ``source_arn`` in ``source_account``."""
    arn = ":".join(function.function_arn.split(":")[:7])
    resource = f"{arn}:{qualifier}" if qualifier and qualifier != "$LATEST" else arn
    statements = list(function.policy.statements) if function.policy else []
    return service_allowed(
        statements,
        service,
        INVOKE,
        resource,
        source_arn=source_arn,
        source_account=source_account,
    )
