"""Lambda entry point of ``updateOrder(input)`` and ``deleteOrder(id)``.

Each is one conditional write on the caller's order (``orders.repository``): an update applies
only while the order is PENDING (``OrderNotFound`` or ``OrderNotEditable`` otherwise), a delete
only if the order exists (``OrderNotFound``). A refused or invalid call changes nothing.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import AppSyncResolver
from aws_lambda_powertools.logging import correlation_paths
from lambda_support.lazy import Lazy
from orders.caller import partition_of
from orders.model import parse_order_update, require_order_id
from orders.repository import OrderRepository

logger = Logger()
api = AppSyncResolver()

# Built on first use, once per execution environment, so importing needs no environment; tests
# replace it.
REPOSITORY = Lazy(OrderRepository.from_environment)


@api.resolver(type_name="Mutation", field_name="updateOrder")
def update_order(**arguments: Any) -> dict[str, Any]:
    order_id, details = parse_order_update(arguments.get("input"))
    order = REPOSITORY.get().update(partition_of(api.current_event), order_id, details)
    logger.info("order updated", extra={"order_id": order_id})
    return order.to_graphql()


@api.resolver(type_name="Mutation", field_name="deleteOrder")
def delete_order(**arguments: Any) -> str:
    order_id = require_order_id(arguments.get("id"))
    REPOSITORY.get().delete(partition_of(api.current_event), order_id)
    logger.info("order deleted", extra={"order_id": order_id})
    return order_id


@logger.inject_lambda_context(correlation_id_path=correlation_paths.APPSYNC_RESOLVER)
def handler(event: dict[str, Any], context: Any) -> Any:
    return api.resolve(event, context)
