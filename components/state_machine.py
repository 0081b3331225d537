"""StateMachine: an ASL template from ``definitions/`` rendered with real ARNs, and a role derived
from what the rendered definition calls."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components import asl
from components.asl_policy import ArnContext, derive_statements, executions_of
from components.aws_context import arn_context
from components.iam import (
    Statement,
    allow,
    log_delivery,
    xray_write,
)
from components.observability import Observability
from components.roles import inline_policy, service_role


def role_statements(
    definition: Mapping[str, Any], ctx: ArnContext, tracing: bool
) -> list[Statement]:
    """Everything the state machine's role may do: what its Tasks call, plus logging and tracing."""
    statements = derive_statements(definition, ctx)
    statements.append(log_delivery())
    if tracing:
        statements.append(xray_write())
    return statements


@dataclass
class StateMachineArgs:
    definition: str
    """File name of the template in ``definitions/``."""
    substitutions: Mapping[str, pulumi.Input[asl.Scalar]]
    """Value for every ``${Name}`` placeholder in the template, and nothing else."""
    type: str = "STANDARD"
    log_level: str = "ALL"
    observability: Observability = field(default_factory=Observability)


class StateMachine(pulumi.ComponentResource):
    state_machine: aws.sfn.StateMachine
    role: aws.iam.Role
    log_group: aws.cloudwatch.LogGroup
    definition: pulumi.Output[str]
    arn: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(
        self, name: str, args: StateMachineArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("serverless-workflows:state_machine:StateMachine", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        template = asl.load_template(args.definition)
        # Known before any ARN is: fails `pulumi preview` even on a stack not yet deployed.
        asl.check_substitutions(template, frozenset(args.substitutions))
        asl.validate_structure(
            template,
            {
                name: value
                for name, value in args.substitutions.items()
                if isinstance(value, str | int | float | bool)
            },
        )

        values = pulumi.Output.all(**args.substitutions)
        self.definition = values.apply(lambda v: asl.render_and_validate(template, v))

        self.role = service_role(
            name,
            "states.amazonaws.com",
            f"Execution role of state machine {name}, derived from its definition",
            self,
        )
        tracing = args.observability.tracing
        policy = inline_policy(
            f"{name}-policy",
            self.role,
            pulumi.Output.all(self.definition, arn_context()).apply(
                lambda v: role_statements(json.loads(v[0]), v[1], tracing)
            ),
            self,
        )
        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs", retention_in_days=args.observability.log_retention_days, opts=child
        )
        self.state_machine = aws.sfn.StateMachine(
            f"{name}-state-machine",
            role_arn=self.role.arn,
            definition=self.definition,
            type=args.type,
            logging_configuration={
                "log_destination": self.log_group.arn.apply(lambda arn: f"{arn}:*"),
                "include_execution_data": True,
                "level": args.log_level,
            },
            tracing_configuration={"enabled": args.observability.tracing},
            # Step Functions checks the role's log-delivery rights when the machine is created,
            # and the first execution needs the invoke rights.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
        self.arn = self.state_machine.arn
        self.name = self.state_machine.name
        self.register_outputs({"arn": self.arn, "name": self.name, "definition": self.definition})

    def start_execution_statements(self) -> pulumi.Output[Sequence[Statement]]:
        """What a caller needs to start executions of this state machine, and nothing more."""
        return self.arn.apply(lambda arn: [allow(["states:StartExecution"], [arn])])

    def describe_execution_statements(self) -> pulumi.Output[Sequence[Statement]]:
        """Looking up this state machine's executions, and no other machine's."""
        return self.arn.apply(
            lambda arn: [allow(["states:DescribeExecution"], [executions_of(arn)])]
        )

    def task_response_statements(self) -> pulumi.Output[Sequence[Statement]]:
        """Resuming this state machine's callback waits (``.waitForTaskToken``) with a result.

        The Service Authorization Reference lists no resource type for SendTaskSuccess; IAM
        evaluates it against the state machine whose execution issued the token (as CDK's
        ``grantTaskResponse`` does), so the grant names this machine and no other.
        """
        return self.arn.apply(lambda arn: [allow(["states:SendTaskSuccess"], [arn])])
