"""Lambda entry point of the orders API's queries: ``orders(limit, nextToken)`` and ``order(id)``.

AppSync calls it as a direct Lambda resolver; Powertools' ``AppSyncResolver`` routes on the
field. Both read only the caller's partition (``orders.caller``): ``orders`` is one Query page of
it, ``order`` one GetItem. A bad argument raises the API's named error before the table is asked.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import AppSyncResolver
from aws_lambda_powertools.logging import correlation_paths
from lambda_support.lazy import Lazy
from orders.caller import partition_of
from orders.model import decode_next_token, encode_next_token, parse_limit, require_order_id
from orders.repository import OrderRepository

logger = Logger()
api = AppSyncResolver()

# Built on first use, once per execution environment, so importing needs no environment; tests
# replace it.
REPOSITORY = Lazy(OrderRepository.from_environment)


@api.resolver(type_name="Query", field_name="orders")
def list_orders(**arguments: Any) -> dict[str, Any]:
    limit = parse_limit(arguments.get("limit"))
    after_id = decode_next_token(arguments.get("nextToken"))
    orders, last_id = REPOSITORY.get().page(partition_of(api.current_event), limit, after_id)
    logger.info("orders listed", extra={"count": len(orders), "more": last_id is not None})
    return {
        "items": [order.to_graphql() for order in orders],
        "nextToken": encode_next_token(last_id) if last_id is not None else None,
    }


@api.resolver(type_name="Query", field_name="order")
def get_order(**arguments: Any) -> dict[str, Any] | None:
    order_id = require_order_id(arguments.get("id"))
    order = REPOSITORY.get().get(partition_of(api.current_event), order_id)
    logger.info("order read", extra={"order_id": order_id, "found": order is not None})
    return order.to_graphql() if order else None


@logger.inject_lambda_context(correlation_id_path=correlation_paths.APPSYNC_RESOLVER)
def handler(event: dict[str, Any], context: Any) -> Any:
    return api.resolve(event, context)
