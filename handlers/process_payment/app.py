"""Lambda entry point of the fake payment the order workflow calls (seed 002's ProcessPayment).

``{"orderId", "quantity", "restaurantId"}`` in (checked by the order rules of ``orders.model``;
anything else is ``InvalidPaymentRequestError``), and out either
``{"status": "SUCCESS", "errorMessage": None}`` or, with probability ``PAYMENT_FAILURE_RATE``,
``{"status": "FAILED", "errorMessage": <one of the seed's three reasons>}``. A declined payment is
an answer, not an error: the workflow cancels the order with its reason.

``PAYMENT_FAILURE_RATE`` is a number from 0 to 1 as text (0 never fails, 1 always does); a missing
or other value is a ``PaymentConfigurationError`` raised at first use. The random source is
module-level so tests replace it. No AWS calls.
"""

from __future__ import annotations

import math
import os
import random
from typing import Any

from aws_lambda_powertools import Logger
from lambda_support.lazy import Lazy
from orders.errors import OrderApiError
from orders.model import require_order_id, require_quantity, require_restaurant_id

logger = Logger()

FAILURE_MESSAGES = (
    "could not reach payment processor",
    "payment method declined",
    "unknown error",
)
_FIELDS = frozenset({"orderId", "quantity", "restaurantId"})


class InvalidPaymentRequestError(ValueError):
    """The event is not ``{"orderId", "quantity", "restaurantId"}`` of a valid order."""


class PaymentConfigurationError(RuntimeError):
    """``PAYMENT_FAILURE_RATE`` is missing or not a number from 0 to 1."""


def _failure_rate() -> float:
    text = os.environ.get("PAYMENT_FAILURE_RATE")
    try:
        rate = float(text) if text is not None else math.nan
    except ValueError:
        rate = math.nan
    if not 0.0 <= rate <= 1.0:  # NaN fails this too
        raise PaymentConfigurationError(
            f"PAYMENT_FAILURE_RATE must be a number from 0 to 1, got {text!r}"
        )
    return rate


# Read on first use, so importing needs no environment; tests replace it and the random source.
FAILURE_RATE = Lazy(_failure_rate)
RANDOM = random.Random()


def check_request(event: Any) -> str:
    """The order id of a valid payment request."""
    if not isinstance(event, dict) or set(event) != _FIELDS:
        shape = sorted(event) if isinstance(event, dict) else type(event).__name__
        raise InvalidPaymentRequestError(
            f"a payment request is an object with exactly orderId, quantity and restaurantId, "
            f"got {shape}"
        )
    try:
        order_id = require_order_id(event["orderId"], field="orderId")
        require_quantity(event["quantity"])
        require_restaurant_id(event["restaurantId"])
    except OrderApiError as error:
        raise InvalidPaymentRequestError(str(error)) from error
    return order_id


@logger.inject_lambda_context
def handler(event: Any, context: Any) -> dict[str, Any]:
    rate = FAILURE_RATE.get()
    order_id = check_request(event)
    if RANDOM.random() < rate:
        outcome: dict[str, Any] = {
            "status": "FAILED",
            "errorMessage": RANDOM.choice(FAILURE_MESSAGES),
        }
    else:
        outcome = {"status": "SUCCESS", "errorMessage": None}
    logger.info("payment processed", extra={"order_id": order_id, **outcome})
    return outcome
