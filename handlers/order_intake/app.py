"""Lambda entry point of ``postOrder(input)``: validate an order and queue it for processing.

A valid order is sent to the orders queue (``orders.messages`` writes the body) and answered
PENDING, with the message id SQS gave it as the order's id: the consumer names the order's
execution after that id and the workflow stores the order under it. A bad input raises the API's
named error and sends nothing. The only AWS call is ``sqs:SendMessage``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import AppSyncResolver
from aws_lambda_powertools.logging import correlation_paths
from lambda_support.lazy import Lazy
from orders.caller import partition_of
from orders.messages import build_body
from orders.model import Order, OrderStatus, format_timestamp, parse_new_order

logger = Logger()
api = AppSyncResolver()


@dataclass(frozen=True)
class OrderQueue:
    client: Any
    """A boto3 SQS client."""
    url: str

    def send(self, body: str) -> str:
        """Send one message; returns the id SQS gave it."""
        return str(self.client.send_message(QueueUrl=self.url, MessageBody=body)["MessageId"])


def _queue() -> OrderQueue:
    return OrderQueue(boto3.client("sqs"), os.environ["QUEUE_URL"])


def _now() -> datetime:
    return datetime.now(UTC)


# The client is built on first use, once per execution environment, so importing needs no
# environment; tests replace it and the clock.
QUEUE = Lazy(_queue)
CLOCK: Callable[[], datetime] = _now


@api.resolver(type_name="Mutation", field_name="postOrder")
def post_order(**arguments: Any) -> dict[str, Any]:
    details = parse_new_order(arguments.get("input"))
    user_id = partition_of(api.current_event)
    created_at = format_timestamp(CLOCK())
    order_id = QUEUE.get().send(build_body(user_id, details, created_at))
    logger.info("order queued", extra={"order_id": order_id})
    return Order(order_id, details, OrderStatus.PENDING, created_at).to_graphql()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.APPSYNC_RESOLVER)
def handler(event: dict[str, Any], context: Any) -> Any:
    return api.resolve(event, context)
