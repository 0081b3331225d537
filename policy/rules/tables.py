"""On a production stack, DynamoDB tables can be restored and cannot be deleted by accident.

A resource policy on the table's inputs. Which stack is being previewed or updated: the CLI starts
a policy pack with ``PULUMI_PROJECT``, ``PULUMI_STACK`` and ``PULUMI_DRY_RUN`` in its environment,
and pulumi_policy configures Pulumi's runtime settings from them before every analysis, so
``pulumi.get_stack()`` names the stack here as it does in the program (supported since
pulumi/pulumi#3612). Which stacks are production: the policy's config ``productionStacks``
(default ``["prod"]``), set per pack with ``--policy-pack-config``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi_policy import (
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from .naming import subject
from .properties import UNKNOWN, as_list, peek

TABLE = "aws:dynamodb/table:Table"
DEFAULT_PRODUCTION_STACKS = ("prod",)


def current_stack() -> str:
    """The stack under preview or update (see the module's docstring for how the pack knows)."""
    return pulumi.get_stack()


def production_stacks(config: Mapping[str, Any]) -> list[str]:
    return [str(stack) for stack in as_list(config.get("productionStacks"))] or list(
        DEFAULT_PRODUCTION_STACKS
    )


def _production_table_protected(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != TABLE:
        return
    stack = current_stack()
    if stack not in production_stacks(args.get_config()):
        return
    missing = []
    recovery = peek(args.props, "pointInTimeRecovery", "enabled")
    if recovery is not True and recovery is not UNKNOWN:
        missing.append(("point-in-time recovery", "point_in_time_recovery={'enabled': True}"))
    protection = peek(args.props, "deletionProtectionEnabled")
    if protection is not True and protection is not UNKNOWN:
        missing.append(("deletion protection", "deletion_protection_enabled=True"))
    if missing:
        report(
            f"{subject(args.resource_type, args.name)} on production stack '{stack}' has no "
            f"{' and no '.join(what for what, _ in missing)}: set "
            f"{' and '.join(change for _, change in missing)}.",
            None,
        )


PRODUCTION_TABLES_PROTECTED = ResourceValidationPolicy(
    name="production-tables-protected",
    description=(
        "On a production stack, DynamoDB tables have point-in-time recovery and deletion "
        "protection enabled."
    ),
    validate=_production_table_protected,
    config_schema=PolicyConfigSchema(
        properties={
            "productionStacks": {
                "type": "array",
                "items": {"type": "string"},
                "default": list(DEFAULT_PRODUCTION_STACKS),
                "description": "Stack names this policy treats as production.",
            }
        }
    ),
)
