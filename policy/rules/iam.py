"""Least privilege in every IAM policy document: no wildcard action, no public principal, and
Resource '*' only for the action sets with a written reason.

Resource policies: each reads the documents of the resource under validation (its inputs), so a
violation stops the resource before it is created or updated. Only Allow statements are checked:
a Deny only takes permissions away, and ``Deny *`` is a common guardrail.
"""

from __future__ import annotations

from collections.abc import Callable

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from .documents import Document, DocumentError, Statement, documents, statements
from .naming import subject
from .properties import peek
from .wildcard_resources import DOCUMENTED_ACTIONS

StatementCheck = Callable[[Document, Statement], str | None]
"""A problem with one statement of a document (what is wrong and what to change), or None."""


def _check_statements(
    args: ResourceValidationArgs, report: ReportViolation, check: StatementCheck
) -> None:
    who = subject(args.resource_type, args.name)
    for document in documents(args.resource_type, args.props):
        try:
            found = statements(document)
        except DocumentError as error:
            report(f"{who}: {error}: write it as an IAM policy document.", None)
            continue
        for statement in found:
            problem = check(document, statement)
            if problem:
                report(f"{who}, {document.label}, {statement.where}: {problem}", None)


def _wildcard_action(_document: Document, statement: Statement) -> str | None:
    if not statement.allows:
        return None
    if statement.not_actions:
        return (
            f"allows every action except NotAction {statement.not_actions}: "
            "list the exact actions it needs in Action instead."
        )
    wildcards = [action for action in statement.actions if "*" in action or "?" in action]
    if wildcards:
        return (
            f"allows the wildcard action(s) {wildcards}: "
            "list the exact actions it needs (for example 'sqs:SendMessage', not 'sqs:*')."
        )
    return None


def _public_principal(_document: Document, statement: Statement) -> str | None:
    if not statement.allows:
        return None
    if statement.has_not_principal:
        return "allows every principal except NotPrincipal: name the principals in Principal."
    if statement.public_principal:
        return (
            "allows any principal ('*'): name the one service or account that needs it, "
            "for example {'Service': 'lambda.amazonaws.com'} or an account's role ARN."
        )
    return None


def _wildcard_resource(document: Document, statement: Statement) -> str | None:
    # In a key policy, Resource '*' means "this key", and AWS accepts nothing else there.
    if not statement.allows or document.key_policy:
        return None
    if statement.has_not_resource:
        return "allows every resource except NotResource: name the ARNs in Resource instead."
    if "*" not in statement.resources:
        return None
    if statement.not_actions:
        return (
            "allows every action except NotAction on Resource '*': name the actions and the "
            "ARNs they need."
        )
    undocumented = sorted(set(statement.actions) - DOCUMENTED_ACTIONS)
    if undocumented:
        return (
            f"allows {undocumented} on Resource '*', which only the documented action sets may "
            "use (X-Ray writes, Step Functions log delivery): name the ARNs they act on."
        )
    return None


def _no_wildcard_actions(args: ResourceValidationArgs, report: ReportViolation) -> None:
    _check_statements(args, report, _wildcard_action)


def _no_public_principals(args: ResourceValidationArgs, report: ReportViolation) -> None:
    _check_statements(args, report, _public_principal)
    if (
        args.resource_type == "aws:lambda/permission:Permission"
        and peek(args.props, "principal") == "*"
    ):
        report(
            f"{subject(args.resource_type, args.name)} lets any principal ('*') invoke "
            f"{peek(args.props, 'function')}: set principal to the service that calls it "
            "(for example 'events.amazonaws.com') with its source_arn, or to an account.",
            None,
        )


def _documented_wildcard_resources(args: ResourceValidationArgs, report: ReportViolation) -> None:
    _check_statements(args, report, _wildcard_resource)


NO_WILDCARD_ACTIONS = ResourceValidationPolicy(
    name="no-wildcard-actions",
    description=(
        "IAM policy documents allow only named actions: no '*', no 'service:*' or other wildcard "
        "patterns, no Allow with NotAction."
    ),
    validate=_no_wildcard_actions,
)

NO_PUBLIC_PRINCIPALS = ResourceValidationPolicy(
    name="no-public-principals",
    description=(
        "Trust and resource policies and Lambda permissions name their principals: no '*', no "
        "{'AWS': '*'}, no Allow with NotPrincipal."
    ),
    validate=_no_public_principals,
)

DOCUMENTED_WILDCARD_RESOURCES = ResourceValidationPolicy(
    name="documented-wildcard-resources",
    description=(
        "Resource '*' is allowed only for the action sets the project documents (X-Ray writes, "
        "Step Functions log delivery), and in KMS key policies, where it means the key itself."
    ),
    validate=_documented_wildcard_resources,
)
