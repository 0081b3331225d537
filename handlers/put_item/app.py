"""Lambda entry point of the API workflow's put function (Python port of seed 004's PutFunction)."""

from __future__ import annotations

import os
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from lambda_support.lazy import Lazy

from put_item.items import ItemStore, parse_item

logger = Logger()


def _store() -> ItemStore:
    return ItemStore(boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"]))


# One client per execution environment, built on first use: importing needs no environment.
STORE = Lazy(_store)


@logger.inject_lambda_context
def handler(event: Any, context: Any) -> dict[str, Any]:
    item = parse_item(event)
    STORE.get().put(item)
    logger.info("stored item", extra={"item_id": item.id})
    return {"id": item.id, "stored": True}
