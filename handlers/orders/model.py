"""The order, and the checks every value from outside passes before it is used (pure, no AWS).

Text rules, the same for every field: a string, valid Unicode (``lambda_support.text``: a lone
surrogate has no UTF-8 form and would fail only inside boto3, part-way through), not blank (empty
or only white space is refused: a name or restaurant of spaces means nothing, and an id of spaces
is none this API issues), and at most the field's length in characters. Text that passes is used
exactly as sent: nothing is trimmed, so what the caller sees back is what it sent.

Numbers are whole numbers in range: a JSON number without a fraction, never a bool, a float
(``2.0`` included) or a numeric string. ``quantity`` is an ``int`` in every answer.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from lambda_support.text import checked_text

from orders.errors import (
    InvalidInput,
    InvalidLimit,
    InvalidName,
    InvalidNextToken,
    InvalidOrderId,
    InvalidQuantity,
    InvalidRestaurantId,
    OrderApiError,
)

MAX_NAME_LENGTH = 100
MAX_QUANTITY = 100
MAX_RESTAURANT_ID_LENGTH = 64
MAX_ORDER_ID_LENGTH = 128
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_NEXT_TOKEN_LENGTH = 1024
_TOKEN_ALPHABET = re.compile(r"[A-Za-z0-9_-]+")


class OrderStatus(StrEnum):
    PENDING = "PENDING"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"


@dataclass(frozen=True)
class OrderDetails:
    """What the customer chooses: the fields of ``postOrder`` and ``updateOrder``."""

    name: str
    quantity: int
    restaurant_id: str


@dataclass(frozen=True)
class Order:
    id: str
    details: OrderDetails
    status: OrderStatus
    created_at: str
    """ISO 8601 in UTC with milliseconds and ``Z``, as ``format_timestamp`` writes it."""
    error_message: str | None = None
    """Why the order failed; only a FAILED order has one."""

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> Order:
        """The order an orders table item holds (``quantity`` comes back a Decimal)."""
        status = OrderStatus(item["orderStatus"])
        return cls(
            id=item["id"],
            details=OrderDetails(
                name=item["name"],
                quantity=int(item["quantity"]),
                restaurant_id=item["restaurantId"],
            ),
            status=status,
            created_at=item["createdAt"],
            error_message=item.get("errorMessage") if status is OrderStatus.FAILED else None,
        )

    def to_graphql(self) -> dict[str, Any]:
        """The ``Order`` type of the schema, every field present."""
        return {
            "id": self.id,
            "name": self.details.name,
            "quantity": self.details.quantity,
            "restaurantId": self.details.restaurant_id,
            "orderStatus": self.status.value,
            "createdAt": self.created_at,
            "errorMessage": self.error_message,
        }


def format_timestamp(moment: datetime) -> str:
    """``2026-12-02T01:23:45.678Z``: UTC, milliseconds (an AWSDateTime). A naive datetime is a
    ValueError: its zone is unknown."""
    if moment.tzinfo is None:
        raise ValueError(f"{moment!r} has no time zone")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _whole_number(value: Any, field: str, low: int, high: int, error: type[OrderApiError]) -> int:
    rule = f"a whole number from {low} to {high}"
    if value is None:
        raise error(f"'{field}' is required: {rule}")
    if isinstance(value, bool) or not isinstance(value, int):
        raise error(f"'{field}' must be {rule}, got {type(value).__name__}")
    if not low <= value <= high:
        raise error(f"'{field}' must be {rule}, got {value}")
    return value


def require_name(value: Any) -> str:
    return checked_text(value, "name", MAX_NAME_LENGTH, InvalidName)


def require_quantity(value: Any) -> int:
    return _whole_number(value, "quantity", 1, MAX_QUANTITY, InvalidQuantity)


def require_restaurant_id(value: Any) -> str:
    return checked_text(value, "restaurantId", MAX_RESTAURANT_ID_LENGTH, InvalidRestaurantId)


def require_order_id(value: Any, field: str = "id") -> str:
    return checked_text(value, field, MAX_ORDER_ID_LENGTH, InvalidOrderId)


def parse_details(fields: Mapping[str, Any]) -> OrderDetails:
    """The name, quantity and restaurant in ``fields``, checked in that order."""
    return OrderDetails(
        name=require_name(fields.get("name")),
        quantity=require_quantity(fields.get("quantity")),
        restaurant_id=require_restaurant_id(fields.get("restaurantId")),
    )


def _input_object(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInput(f"'input' must be an object, got {type(value).__name__}")
    return value


def parse_new_order(value: Any) -> OrderDetails:
    """``postOrder``'s ``input``: ``{name, quantity, restaurantId}``."""
    return parse_details(_input_object(value))


def parse_order_update(value: Any) -> tuple[str, OrderDetails]:
    """``updateOrder``'s ``input``: ``{id, name, quantity, restaurantId}``, the id checked first."""
    fields = _input_object(value)
    return require_order_id(fields.get("id")), parse_details(fields)


def parse_limit(value: Any) -> int:
    """``orders``' ``limit``: absent or null means DEFAULT_LIMIT."""
    if value is None:
        return DEFAULT_LIMIT
    return _whole_number(value, "limit", 1, MAX_LIMIT, InvalidLimit)


def encode_next_token(last_order_id: str) -> str:
    """The token for the page after the order ``last_order_id``: unpadded base64url of
    ``{"id": ...}``. The partition is never in it: it always comes from the caller."""
    payload = json.dumps({"id": last_order_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def decode_next_token(token: Any) -> str | None:
    """The order id a page token continues after; None for no token (the first page)."""
    if token is None:
        return None
    refused = InvalidNextToken("'nextToken' must be a token from an earlier page of orders")
    if (
        not isinstance(token, str)
        or len(token) > MAX_NEXT_TOKEN_LENGTH
        or not _TOKEN_ALPHABET.fullmatch(token)
    ):
        raise refused
    try:
        payload = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError):
        raise refused from None
    if not isinstance(payload, dict) or set(payload) != {"id"}:
        raise refused
    try:
        return require_order_id(payload["id"])
    except InvalidOrderId:
        raise refused from None
