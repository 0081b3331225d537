"""Lambda entry point of the API workflow's put function (Python port of seed 004's PutFunction)."""

from __future__ import annotations

import os
from typing import Any

import boto3
from aws_lambda_powertools import Logger

from put_item.items import ItemStore, parse_item

logger = Logger(service="api-workflow")

# Built on first use, so importing the module needs no environment; tests may replace it.
STORE: ItemStore | None = None


def _store() -> ItemStore:
    global STORE  # noqa: PLW0603 - one client per execution environment, reused across invocations
    if STORE is None:
        STORE = ItemStore(boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"]))
    return STORE


@logger.inject_lambda_context
def handler(event: Any, context: Any) -> dict[str, Any]:
    item = parse_item(event)
    _store().put(item)
    logger.info("stored item", extra={"item_id": item.id})
    return {"id": item.id, "stored": True}
