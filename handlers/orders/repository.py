"""The orders table: partition key ``user_id`` (whose orders), sort key ``id`` (the order).

Every call names the caller's partition, so no call can reach another user's orders: a page is a
Query of that partition (never a Scan), and a change is one conditional write on the
(partition, id) key. The workflow creates the items; this adapter reads them, changes a PENDING
one and deletes one. Attribute names go through placeholders (``name`` is a DynamoDB reserved
word).

DynamoDB actions used: Query and GetItem (``order_queries``), UpdateItem and DeleteItem
(``order_changes``). A refused change needs no second read: the write returns the item as it was
(``ReturnValuesOnConditionCheckFailure``).
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from botocore.exceptions import ClientError
from lambda_support.aws_errors import error_code

from orders.errors import OrderNotEditable, OrderNotFound
from orders.model import Order, OrderDetails, OrderStatus

_CONDITION_FAILED = "ConditionalCheckFailedException"


class OrderRepository:
    def __init__(self, table: Any) -> None:
        """``table`` is a boto3 DynamoDB Table resource."""
        self._table = table

    @classmethod
    def from_environment(cls) -> OrderRepository:
        return cls(boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"]))

    def page(
        self, user_id: str, limit: int, after_id: str | None = None
    ) -> tuple[list[Order], str | None]:
        """Up to ``limit`` of the user's orders in id order, after ``after_id`` if given, and the
        id of the last one read when DynamoDB says there may be more (None at the end)."""
        query: dict[str, Any] = {
            "KeyConditionExpression": "#user_id = :user_id",
            "ExpressionAttributeNames": {"#user_id": "user_id"},
            "ExpressionAttributeValues": {":user_id": user_id},
            "Limit": limit,
        }
        if after_id is not None:
            query["ExclusiveStartKey"] = {"user_id": user_id, "id": after_id}
        response = self._table.query(**query)
        orders = [Order.from_item(item) for item in response.get("Items", [])]
        last_key = response.get("LastEvaluatedKey")
        return orders, last_key["id"] if last_key else None

    def get(self, user_id: str, order_id: str) -> Order | None:
        item = self._table.get_item(Key={"user_id": user_id, "id": order_id}).get("Item")
        return Order.from_item(item) if item else None

    def update(self, user_id: str, order_id: str, details: OrderDetails) -> Order:
        """Set the order's name, quantity and restaurant if it is still PENDING.

        Raises OrderNotFound or OrderNotEditable; then nothing changed.
        """
        try:
            response = self._table.update_item(
                Key={"user_id": user_id, "id": order_id},
                UpdateExpression=(
                    "SET #name = :name, #quantity = :quantity, #restaurantId = :restaurantId"
                ),
                ConditionExpression="attribute_exists(#id) AND #orderStatus = :pending",
                ExpressionAttributeNames={
                    "#id": "id",
                    "#name": "name",
                    "#quantity": "quantity",
                    "#restaurantId": "restaurantId",
                    "#orderStatus": "orderStatus",
                },
                ExpressionAttributeValues={
                    ":name": details.name,
                    ":quantity": details.quantity,
                    ":restaurantId": details.restaurant_id,
                    ":pending": OrderStatus.PENDING.value,
                },
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if error_code(error) != _CONDITION_FAILED:
                raise
            old = error.response.get("Item")
            if not old:
                raise OrderNotFound(f"there is no order with id {order_id!r}") from None
            status = old.get("orderStatus", {}).get("S")
            raise OrderNotEditable(
                f"order {order_id!r} is {status}; only a PENDING order can be changed"
            ) from None
        return Order.from_item(response["Attributes"])

    def delete(self, user_id: str, order_id: str) -> None:
        """Remove the order; raises OrderNotFound if there is none."""
        try:
            self._table.delete_item(
                Key={"user_id": user_id, "id": order_id},
                ConditionExpression="attribute_exists(#id)",
                ExpressionAttributeNames={"#id": "id"},
            )
        except ClientError as error:
            if error_code(error) != _CONDITION_FAILED:
                raise
            raise OrderNotFound(f"there is no order with id {order_id!r}") from None
