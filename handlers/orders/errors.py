"""The orders API's error types.

AppSync reports an exception a resolver function raises as a GraphQL error whose ``errorType`` is
the exception's class name and whose ``message`` is its text: these class names are the API's
error types, so they are named as clients see them (no ``Error`` suffix), and each message names
the field and the rule it broke. Raising one means nothing was sent, stored or changed.
"""

from __future__ import annotations


class OrderApiError(Exception):
    """Base of every error the orders API reports to its callers on purpose."""


class InvalidInput(OrderApiError, ValueError):
    """The mutation's ``input`` is not an object. The schema makes AppSync refuse such a request
    before any resolver runs, so only a direct invocation meets it."""


class InvalidName(OrderApiError, ValueError):
    """``name`` is missing, not text, blank, or longer than allowed."""


class InvalidQuantity(OrderApiError, ValueError):
    """``quantity`` is not a whole number in range."""


class InvalidRestaurantId(OrderApiError, ValueError):
    """``restaurantId`` is missing, not text, blank, or longer than allowed."""


class InvalidOrderId(OrderApiError, ValueError):
    """An order id is missing, not text, blank, or longer than any order id."""


class InvalidLimit(OrderApiError, ValueError):
    """``limit`` is not a whole number in range."""


class InvalidNextToken(OrderApiError, ValueError):
    """``nextToken`` is not a token an earlier ``orders`` page answered."""


class OrderNotFound(OrderApiError, LookupError):
    """The caller has no order with this id."""


class OrderNotEditable(OrderApiError):
    """The order exists but is no longer PENDING, so it cannot be changed."""
