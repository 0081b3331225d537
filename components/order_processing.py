"""OrderProcessing (seed 002, pizza orders): GraphQL -> queue -> workflow -> table and e-mail.

Clients use an AppSync GraphQL API with an API key. ``postOrder`` validates the order and sends it
to an encrypted queue; a consumer reads batches of 5 and starts one execution per message, named
after the message id, so a redelivered message never starts a second one. The workflow saves the
order PENDING, runs the payment (the only Lambda inside it), then sets the order SUCCESS or FAILED
with the payment's error and notifies through an encrypted SNS topic, all with direct DynamoDB and
SNS integrations. ``orders``, ``order``, ``updateOrder`` and ``deleteOrder`` read and change the
caller's orders in the table.

Each function has its own role with exactly the calls it makes: the query resolver reads (Query on
the caller's partition, GetItem), the change resolver updates and deletes (conditionally), the
intake resolver may only send to the queue, the consumer may only read the queue and start (and
look up) executions of this machine; the machine's role is derived from its definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pulumi

from components.durability import Durability
from components.function import PythonFunction
from components.graphql_api import Field, GraphqlApi, GraphqlApiArgs, api_key_expiry
from components.queue import VISIBILITY_TIMEOUT_FACTOR, Queue, QueueArgs
from components.settings import Observability, OrdersSettings
from components.state_machine import StateMachine, StateMachineArgs
from components.system import System
from components.table import Key, Table, TableArgs
from components.topic import Topic, TopicArgs

# The order model, validation and table adapter, and the generic helpers they are built on.
ORDER_PACKAGES = ("orders", "lambda_support")
BATCH_SIZE = 5  # the seed's
CONSUMER_TIMEOUT_SECONDS = 30


@dataclass
class OrderProcessingArgs:
    observability: Observability
    settings: OrdersSettings
    durability: Durability = field(default_factory=Durability)
    now: datetime | None = None
    """When the deploy runs (the API key's expiry counts from its day); None for the clock."""


class OrderProcessing(System):
    seed = "002"

    table: Table
    topic: Topic
    queue: Queue
    state_machine: StateMachine
    api: GraphqlApi
    payment: PythonFunction
    consumer: PythonFunction
    queries: PythonFunction
    intake: PythonFunction
    changes: PythonFunction

    def __init__(
        self, name: str, args: OrderProcessingArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(
            "serverless-workflows:order_processing:OrderProcessing", name, args.observability, opts
        )
        child = pulumi.ResourceOptions(parent=self)
        settings = args.settings

        # The seed's table: one partition per user, the message id as the order id.
        self.table = Table(
            f"{name}-orders",
            TableArgs(partition_key=Key("user_id"), sort_key=Key("id"), durability=args.durability),
            child,
        )
        self.topic = Topic(
            f"{name}-notifications", TopicArgs(email=settings.notification_email), child
        )
        self.payment = self._function(
            "payment",
            "process_payment",
            "Simulates the order's payment, failing at the configured rate",
            shared=ORDER_PACKAGES,
            environment={"PAYMENT_FAILURE_RATE": repr(settings.payment_failure_rate)},
        )
        self.state_machine = StateMachine(
            f"{name}-workflow",
            StateMachineArgs(
                definition="order_processing.asl.json",
                substitutions={
                    "TableName": self.table.name,
                    "TopicArn": self.topic.arn,
                    "ProcessPaymentFunctionArn": self.payment.arn,
                },
                # Standard: only Standard answers a repeated StartExecution of a name with the
                # execution it already has, which makes redelivered messages harmless.
                type="STANDARD",
                observability=args.observability,
            ),
            opts=child,
        )

        self.consumer = self._function(
            "consumer",
            "order_consumer",
            "Starts one execution per queued order, reporting the messages that failed",
            shared=ORDER_PACKAGES,
            environment={"STATE_MACHINE_ARN": self.state_machine.arn},
            timeout=CONSUMER_TIMEOUT_SECONDS,
        )
        self.consumer.grant("start-executions", self.state_machine.start_execution_statements())
        self.consumer.grant(
            "describe-executions", self.state_machine.describe_execution_statements()
        )
        self.queue = Queue(
            f"{name}-queue",
            QueueArgs(
                visibility_timeout_seconds=VISIBILITY_TIMEOUT_FACTOR * self.consumer.timeout,
                durability=args.durability,
            ),
            child,
        )
        self.queue.subscribe(self.consumer, batch_size=BATCH_SIZE)

        self.api = GraphqlApi(
            f"{name}-graphql",
            GraphqlApiArgs(
                schema="orders.graphql",
                api_key_expires=api_key_expiry(
                    args.now or datetime.now(UTC), settings.api_key_expiry_days
                ),
                observability=args.observability,
            ),
            child,
        )
        table_environment: dict[str, pulumi.Input[str]] = {"TABLE_NAME": self.table.name}
        self.queries = self._function(
            "queries",
            "order_queries",
            "Answers the orders and order queries from the caller's partition",
            shared=ORDER_PACKAGES,
            environment=table_environment,
        )
        self.table.grant(self.queries, "read-orders", ["dynamodb:Query", "dynamodb:GetItem"])
        self.api.resolve_with(
            "orderQueries", self.queries, [Field("Query", "orders"), Field("Query", "order")]
        )
        self.intake = self._function(
            "intake",
            "order_intake",
            "Validates a posted order and queues it",
            shared=ORDER_PACKAGES,
            environment={"QUEUE_URL": self.queue.url},
        )
        self.queue.grant_send(self.intake, "queue-orders")
        self.api.resolve_with("orderIntake", self.intake, [Field("Mutation", "postOrder")])
        self.changes = self._function(
            "changes",
            "order_changes",
            "Updates a PENDING order or deletes an order",
            shared=ORDER_PACKAGES,
            environment=table_environment,
        )
        self.table.grant(
            self.changes, "change-orders", ["dynamodb:UpdateItem", "dynamodb:DeleteItem"]
        )
        self.api.resolve_with(
            "orderChanges",
            self.changes,
            [Field("Mutation", "updateOrder"), Field("Mutation", "deleteOrder")],
        )

        self.register_outputs(
            {
                "graphqlUrl": self.api.url,
                "apiKey": self.api.key,
                "queueUrl": self.queue.url,
                "deadLetterQueueUrl": self.queue.dead_letter_url,
                "tableName": self.table.name,
                "stateMachineArn": self.state_machine.arn,
                "topicArn": self.topic.arn,
            }
        )
