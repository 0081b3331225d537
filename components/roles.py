"""IAM roles for the building blocks: one role per owner, trusted by one service, with inline
policies named after their purpose."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from components.iam import Statement, assume_role_policy, policy_document

# Every role the program creates lives under this IAM path, so the deploy role's IAM rights can be
# scoped to arn:aws:iam::<account>:role/serverless-workflows/* (README, "The AWS account") and
# cannot reach any other role, its own included.
ROLE_PATH = "/serverless-workflows/"


def service_role(
    name: str, service: str, description: str, parent: pulumi.Resource
) -> aws.iam.Role:
    """``{name}-role`` under ``ROLE_PATH``, assumable by ``service`` (e.g.
    ``lambda.amazonaws.com``) alone."""
    return aws.iam.Role(
        f"{name}-role",
        path=ROLE_PATH,
        assume_role_policy=assume_role_policy(service),
        description=description,
        opts=pulumi.ResourceOptions(parent=parent),
    )


def inline_policy(
    name: str,
    role: aws.iam.Role,
    statements: pulumi.Input[Sequence[Statement]],
    parent: pulumi.Resource,
) -> aws.iam.RolePolicy:
    """An inline policy of ``role`` holding exactly ``statements``."""
    return aws.iam.RolePolicy(
        name,
        role=role.id,
        policy=pulumi.Output.from_input(statements).apply(policy_document),
        opts=pulumi.ResourceOptions(parent=parent),
    )
