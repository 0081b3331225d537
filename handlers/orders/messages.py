"""The queue message an accepted order travels in, from ``postOrder`` to the consumer.

The body is a JSON object with exactly ``userId``, ``name``, ``quantity``, ``restaurantId`` and
``createdAt``. ``createdAt`` may be left out by other senders: the consumer then uses the time SQS
received the message (its ``SentTimestamp``). The body is written in ASCII (JSON escapes), so
every order text is a valid SQS message whatever characters it holds.

The consumer checks a body as strictly as ``postOrder`` checks its input (an order that reached
the queue another way gets no laxer rules) and refuses anything else with
``MalformedOrderMessageError``. The order's id is not in the body: it is the message id SQS
gives the message, which the consumer names the order's execution after.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from orders.errors import OrderApiError
from orders.model import OrderDetails, format_timestamp, parse_details, require_order_id

REQUIRED_FIELDS = frozenset({"userId", "name", "quantity", "restaurantId"})
FIELDS = REQUIRED_FIELDS | {"createdAt"}
MAX_TIMESTAMP_LENGTH = 64
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECONDS = re.compile(r"[0-9]{1,15}")


class MalformedOrderMessageError(ValueError):
    """The message body is not an order message; it is left for SQS to redeliver, then to move
    to the dead-letter queue."""


@dataclass(frozen=True)
class QueuedOrder:
    """An order as the consumer takes it from the queue."""

    user_id: str
    details: OrderDetails
    created_at: str
    """Always in ``format_timestamp``'s form."""

    def execution_input(self, order_id: str) -> dict[str, Any]:
        """The order workflow's input: the same message always gives the same input."""
        return {
            "id": order_id,
            "userId": self.user_id,
            "name": self.details.name,
            "quantity": self.details.quantity,
            "restaurantId": self.details.restaurant_id,
            "createdAt": self.created_at,
        }


def build_body(user_id: str, details: OrderDetails, created_at: str) -> str:
    """The message body ``postOrder`` sends for an order it accepted."""
    return json.dumps(
        {
            "userId": user_id,
            "name": details.name,
            "quantity": details.quantity,
            "restaurantId": details.restaurant_id,
            "createdAt": created_at,
        }
    )


def _timestamp(value: Any) -> str:
    """``createdAt`` as sent: an ISO 8601 date and time with a zone, written back in UTC."""
    refused = MalformedOrderMessageError(
        f"'createdAt' must be an ISO 8601 date and time with a zone, got {value!r:.80}"
    )
    if not isinstance(value, str) or len(value) > MAX_TIMESTAMP_LENGTH:
        raise refused
    try:
        return format_timestamp(datetime.fromisoformat(value))
    except (ValueError, OverflowError):  # not ISO 8601, no zone, or not a year in UTC
        raise refused from None


def _sent_at(sent_timestamp: Any) -> str:
    """SQS's ``SentTimestamp`` (epoch milliseconds as text) in ``format_timestamp``'s form."""
    refused = MalformedOrderMessageError(
        "the message has no 'createdAt', and its SentTimestamp is not epoch milliseconds: "
        f"{sent_timestamp!r:.80}"
    )
    if not isinstance(sent_timestamp, str) or not _MILLISECONDS.fullmatch(sent_timestamp):
        raise refused
    try:
        return format_timestamp(_EPOCH + timedelta(milliseconds=int(sent_timestamp)))
    except OverflowError:
        raise refused from None


def parse_body(body: Any, sent_timestamp: Any = None) -> QueuedOrder:
    """The order in a message body; ``sent_timestamp`` dates a body without ``createdAt``."""
    try:
        message = json.loads(body)
    except (TypeError, ValueError):
        raise MalformedOrderMessageError("the message body is not JSON") from None
    if not isinstance(message, dict):
        raise MalformedOrderMessageError(
            f"the message body must be a JSON object, got {type(message).__name__}"
        )
    missing, unknown = REQUIRED_FIELDS - set(message), set(message) - FIELDS
    if missing or unknown:
        raise MalformedOrderMessageError(
            f"an order message has exactly {', '.join(sorted(FIELDS))} (createdAt optional); "
            f"missing {sorted(missing)}, unknown {sorted(unknown)}"
        )
    try:
        user_id = require_order_id(message["userId"], field="userId")
        details = parse_details(message)
    except OrderApiError as error:
        raise MalformedOrderMessageError(str(error)) from error
    if "createdAt" in message:
        created_at = _timestamp(message["createdAt"])
    else:
        created_at = _sent_at(sent_timestamp)
    return QueuedOrder(user_id, details, created_at)
