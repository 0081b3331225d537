"""The action sets this project documents as needing Resource '*', copied from the program.

A copy, not an import of ``components.iam``: the pack is a program of its own, run by the CLI from
this directory with its own virtualenv, and published as this directory alone
(``pulumi policy publish``), so it cannot reach the program's packages. It is also the independent
check of what the program writes: a set added to ``components.iam.WILDCARD_RESOURCE_REASONS``
must be added here on purpose, and tests/policy fails until both lists agree.
"""

from __future__ import annotations

XRAY_WRITE_ACTIONS = frozenset(
    {
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
    }
)
"""X-Ray segments and sampling rules have no resource ARN (the AWSXRayDaemonWriteAccess set)."""

LOG_DELIVERY_ACTIONS = frozenset(
    {
        "logs:CreateLogDelivery",
        "logs:GetLogDelivery",
        "logs:UpdateLogDelivery",
        "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries",
        "logs:PutResourcePolicy",
        "logs:DescribeResourcePolicies",
        "logs:DescribeLogGroups",
    }
)
"""Step Functions log delivery: CloudWatch Logs vended-log APIs without resource-level
permissions."""

DOCUMENTED_ACTION_SETS: tuple[frozenset[str], ...] = (XRAY_WRITE_ACTIONS, LOG_DELIVERY_ACTIONS)

DOCUMENTED_ACTIONS: frozenset[str] = frozenset().union(*DOCUMENTED_ACTION_SETS)
"""Every action that may be allowed on Resource '*': each one has a written reason."""
