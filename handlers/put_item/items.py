"""Items of the API workflow: validation (pure) and the table adapter."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lambda_support.text import is_valid_unicode_json

MAX_ID_LENGTH = 1024  # DynamoDB allows 2048 bytes for a partition key; leave room for UTF-8.


class InvalidItemError(ValueError):
    """The request is not an item this workflow can store."""


class MissingItemIdError(InvalidItemError):
    """The request has no ``id``, or an empty one."""


@dataclass(frozen=True)
class Item:
    id: str
    payload: Any = None

    def to_dynamodb(self) -> dict[str, Any]:
        record: dict[str, Any] = {"id": self.id}
        if self.payload is not None:
            # The DynamoDB resource API takes Decimal, never float.
            record["payload"] = json.loads(json.dumps(self.payload), parse_float=Decimal)
        return record


def parse_item(event: Any) -> Item:
    """The item in a request ``{"id": "...", "payload": <any JSON>}``."""
    if not isinstance(event, dict):
        raise InvalidItemError(f"expected a JSON object, got {type(event).__name__}")
    if not is_valid_unicode_json(event):
        raise InvalidItemError("the request holds text that is not valid Unicode")
    item_id = event.get("id")
    if item_id is None or (isinstance(item_id, str) and not item_id.strip()):
        raise MissingItemIdError("the request needs a non-empty string 'id'")
    if not isinstance(item_id, str):
        raise InvalidItemError(f"'id' must be a string, got {type(item_id).__name__}")
    if len(item_id) > MAX_ID_LENGTH:
        raise InvalidItemError(f"'id' is longer than {MAX_ID_LENGTH} characters")
    return Item(id=item_id, payload=event.get("payload"))


class ItemStore:
    """The items table. PutItem replaces the item whole, so a retried put changes nothing twice."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def put(self, item: Item) -> None:
        self._table.put_item(Item=item.to_dynamodb())
