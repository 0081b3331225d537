"""ApiWorkflow (seed 004): HTTP API -> Step Functions -> put Lambda -> DynamoDB.

``POST /items`` starts the state machine with the request body; the machine invokes the put
function (retrying the Lambda service's transient errors) and ends as ``LambdaFunctionError`` when
the function fails for any other reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi

from components.durability import Durability
from components.function import PythonFunction
from components.http_api import HttpApi, HttpApiArgs, StartExecutionRoute
from components.settings import ApiSettings, Observability
from components.state_machine import StateMachine, StateMachineArgs
from components.system import System
from components.table import Key, Table, TableArgs


@dataclass
class ApiWorkflowArgs:
    observability: Observability
    api: ApiSettings
    state_machine_type: str = "STANDARD"
    durability: Durability = field(default_factory=Durability)


class ApiWorkflow(System):
    seed = "004"

    table: Table
    put_function: PythonFunction
    state_machine: StateMachine
    http_api: HttpApi
    url: pulumi.Output[str]

    def __init__(
        self, name: str, args: ApiWorkflowArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(
            "serverless-workflows:api_workflow:ApiWorkflow", name, args.observability, opts
        )
        child = pulumi.ResourceOptions(parent=self)
        obs = args.observability

        self.table = Table(
            f"{name}-items",
            TableArgs(partition_key=Key("id"), durability=args.durability),
            opts=child,
        )
        self.put_function = self._function(
            "put",
            "put_item",
            "Stores one {id, payload} item (the seed's PutFunction)",
            shared=["lambda_support"],
            environment={"TABLE_NAME": self.table.name},
        )
        self.table.grant(self.put_function, "put-items", ["dynamodb:PutItem"])

        self.state_machine = StateMachine(
            f"{name}-workflow",
            StateMachineArgs(
                definition="api_workflow.asl.json",
                substitutions={"PutFunctionArn": self.put_function.arn},
                type=args.state_machine_type,
                observability=obs,
            ),
            opts=child,
        )
        self.http_api = HttpApi(
            f"{name}-http",
            HttpApiArgs(
                routes=[StartExecutionRoute("POST /items", self.state_machine)],
                authorization_type=args.api.authorization_type,
                throttling_rate_limit=args.api.throttling_rate_limit,
                throttling_burst_limit=args.api.throttling_burst_limit,
                observability=obs,
            ),
            opts=child,
        )
        self.url = self.http_api.url("items")
        self.register_outputs(
            {
                "url": self.url,
                "stateMachineArn": self.state_machine.arn,
                "tableName": self.table.name,
            }
        )
