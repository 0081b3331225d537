"""Pure IAM policy-document helpers shared by every component.

Statements are plain dicts so they can be built inside ``Output.apply`` and unit-tested without
Pulumi. A statement whose resource is ``"*"`` must name one of the reasons below: the services
listed there do not support resource-level permissions for those actions, so no narrower ARN exists.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

Statement = dict[str, Any]

XRAY_WRITE_ACTIONS = frozenset(
    {
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
    }
)
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

# Action sets that AWS only authorizes on Resource "*", with the documented reason.
WILDCARD_RESOURCE_REASONS: dict[frozenset[str], str] = {
    XRAY_WRITE_ACTIONS: (
        "X-Ray segments and sampling rules have no resource ARN; AWS requires Resource '*' for "
        "these actions (the same set as the AWSXRayDaemonWriteAccess managed policy)."
    ),
    LOG_DELIVERY_ACTIONS: (
        "Step Functions log delivery is configured through CloudWatch Logs vended-log APIs that "
        "do not support resource-level permissions; AWS documents Resource '*' for them."
    ),
}


class PolicyError(ValueError):
    """A statement that would break least privilege (wildcard action, unexplained wildcard)."""


def allow(actions: Iterable[str], resources: Iterable[str]) -> Statement:
    """An Allow statement on specific ARNs; actions and resources are de-duplicated and sorted."""
    action_list = sorted(set(actions))
    resource_list = sorted(set(resources))
    if not action_list or not resource_list:
        raise PolicyError("a statement needs at least one action and one resource")
    for action in action_list:
        if "*" in action:
            raise PolicyError(f"wildcard action {action!r} is not allowed")
    if "*" in resource_list:
        raise PolicyError(
            f"Resource '*' for {action_list} needs a reason: use allow_on_any_resource()"
        )
    return {"Effect": "Allow", "Action": action_list, "Resource": resource_list}


def allow_on_any_resource(actions: Iterable[str]) -> Statement:
    """An Allow on Resource '*', only for the action sets AWS cannot scope (see the reasons)."""
    action_set = frozenset(actions)
    if action_set not in WILDCARD_RESOURCE_REASONS:
        raise PolicyError(f"no written reason for Resource '*' with {sorted(action_set)}")
    return {"Effect": "Allow", "Action": sorted(action_set), "Resource": "*"}


def policy_document(statements: Sequence[Statement]) -> str:
    """The JSON policy document for the given statements, stable for diffing."""
    if not statements:
        raise PolicyError("a policy needs at least one statement")
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, sort_keys=True)


def assume_role_policy(service: str) -> str:
    """Trust policy letting exactly one AWS service principal assume the role."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": service},
                    "Action": "sts:AssumeRole",
                }
            ],
        },
        sort_keys=True,
    )


def log_group_write(log_group_arn: str) -> Statement:
    """Write access to one log group's streams.

    The ``:*`` suffix covers the log streams inside this one group, whose names the runtime
    chooses per execution environment; it is not a wildcard over groups.
    """
    return allow(["logs:CreateLogStream", "logs:PutLogEvents"], [f"{log_group_arn}:*"])


def xray_write() -> Statement:
    """What active tracing needs to send segments to X-Ray."""
    return allow_on_any_resource(XRAY_WRITE_ACTIONS)


def log_delivery() -> Statement:
    """What a state machine needs to deliver its execution logs to CloudWatch Logs."""
    return allow_on_any_resource(LOG_DELIVERY_ACTIONS)
