"""TaskTracker (seed 001): a starter Lambda starts a state machine that records a task in DynamoDB.

The state machine writes ``{taskId, timestamp, Status: STARTED}`` straight to the ``Tasks`` table,
waits the configured number of seconds (the seed's "long running task"), then sets ``Status`` to
``Done``; no Lambda runs inside it. Its role is derived from the definition: PutItem and UpdateItem
on this table. The starter may start executions of this machine and read them back (to answer a
repeated start in the same second with the existing execution).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi

from components.durability import Durability
from components.function import PythonFunction
from components.settings import Observability
from components.state_machine import StateMachine, StateMachineArgs
from components.system import System
from components.table import Key, Table, TableArgs


@dataclass
class TaskTrackerArgs:
    observability: Observability
    wait_seconds: pulumi.Input[int]
    """How long the state machine waits between STARTED and Done."""
    durability: Durability = field(default_factory=Durability)


class TaskTracker(System):
    seed = "001"
    table: Table
    state_machine: StateMachine
    starter: PythonFunction

    def __init__(
        self, name: str, args: TaskTrackerArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(
            "serverless-workflows:task_tracker:TaskTracker", name, args.observability, opts
        )
        child = pulumi.ResourceOptions(parent=self)
        obs = args.observability

        self.table = Table(
            f"{name}-tasks",
            TableArgs(
                partition_key=Key("taskId"),
                sort_key=Key("timestamp", "N"),
                durability=args.durability,
            ),
            opts=child,
        )
        self.state_machine = StateMachine(
            f"{name}-workflow",
            StateMachineArgs(
                definition="task_tracker.asl.json",
                substitutions={"TableName": self.table.name, "WaitSeconds": args.wait_seconds},
                # Standard: a wait may last far beyond Express's five minutes, and only Standard
                # answers a repeated StartExecution with the running execution.
                type="STANDARD",
                observability=obs,
            ),
            opts=child,
        )
        self.starter = self._function(
            "starter",
            "task_starter",
            "Starts the task tracker's execution for one {taskId}",
            shared=["lambda_support"],
            environment={"STATE_MACHINE_ARN": self.state_machine.arn},
        )
        self.starter.grant("start-executions", self.state_machine.start_execution_statements())
        self.starter.grant(
            "describe-executions", self.state_machine.describe_execution_statements()
        )

        self.register_outputs(
            {
                "functionName": self.starter.name,
                "stateMachineArn": self.state_machine.arn,
                "tableName": self.table.name,
            }
        )
