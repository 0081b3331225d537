"""``updateOrder`` and ``deleteOrder`` through the Lambda entry point, with the events AppSync
sends, against the orders table in moto: one conditional write each; a refused or invalid call
leaves every item as it was."""

import re
from decimal import Decimal
from unittest import mock

import pytest
from lambda_support.lazy import Lazy
from order_changes import app
from orders.caller import UnknownCallerError
from orders.errors import (
    InvalidInput,
    InvalidName,
    InvalidOrderId,
    InvalidQuantity,
    InvalidRestaurantId,
    OrderNotEditable,
    OrderNotFound,
)
from orders.repository import OrderRepository

from tests.handlers.orders_support import (
    OTHER_USER,
    appsync_event,
    create_orders_table,
    put_order,
    stored_orders,
)

DIAVOLA = {"name": "Diavola", "quantity": 3, "restaurantId": "marios"}


@pytest.fixture
def table(aws, monkeypatch):
    table = create_orders_table()
    monkeypatch.setattr(app, "REPOSITORY", Lazy(lambda: OrderRepository(table)))
    return table


def update_order(lambda_context, update_input, identity=None):
    event = appsync_event("Mutation", "updateOrder", {"input": update_input}, identity)
    return app.handler(event, lambda_context)


def delete_order(lambda_context, order_id):
    return app.handler(appsync_event("Mutation", "deleteOrder", {"id": order_id}), lambda_context)


def test_given_a_pending_order_when_updated_then_the_new_details_are_stored_and_answered(
    table, lambda_context
):
    put_order(table, "order-1")

    answer = update_order(lambda_context, {"id": "order-1", **DIAVOLA})

    assert answer == {
        "id": "order-1",
        "name": "Diavola",
        "quantity": 3,
        "restaurantId": "marios",
        "orderStatus": "PENDING",
        "createdAt": "2026-12-02T01:23:45.678Z",
        "errorMessage": None,
    }
    assert type(answer["quantity"]) is int
    assert stored_orders(table) == [
        {
            "user_id": "demo_user",
            "id": "order-1",
            "name": "Diavola",
            "quantity": Decimal(3),
            "restaurantId": "marios",
            "orderStatus": "PENDING",
            "createdAt": "2026-12-02T01:23:45.678Z",
        }
    ]


@pytest.mark.parametrize("status", ["SUCCESS", "FAILED"])
def test_given_an_order_no_longer_pending_when_updated_then_order_not_editable_and_unchanged(
    table, lambda_context, status
):
    before = put_order(table, "order-1", status=status)

    with pytest.raises(
        OrderNotEditable,
        match=re.escape(f"order 'order-1' is {status}; only a PENDING order can be changed"),
    ):
        update_order(lambda_context, {"id": "order-1", **DIAVOLA})

    assert stored_orders(table) == [before]


def test_given_no_such_order_when_updated_then_order_not_found_and_nothing_created(
    table, lambda_context
):
    with pytest.raises(OrderNotFound, match="there is no order with id 'order-404'"):
        update_order(lambda_context, {"id": "order-404", **DIAVOLA})

    assert stored_orders(table) == []


def test_given_another_users_pending_order_when_updated_then_order_not_found_and_unchanged(
    table, lambda_context
):
    theirs = put_order(table, "order-1", user_id=OTHER_USER)

    with pytest.raises(OrderNotFound):
        update_order(lambda_context, {"id": "order-1", **DIAVOLA})

    assert stored_orders(table) == [theirs]


def test_an_update_is_one_conditional_write_that_tells_missing_from_not_editable(
    table, lambda_context, monkeypatch
):
    # UpdateItem alone decides: the refused write returns the old item, no GetItem is needed.
    spy = mock.Mock(wraps=table)
    monkeypatch.setattr(app, "REPOSITORY", Lazy(lambda: OrderRepository(spy)))
    put_order(table, "order-1", status="SUCCESS")

    with pytest.raises(OrderNotEditable):
        update_order(lambda_context, {"id": "order-1", **DIAVOLA})
    with pytest.raises(OrderNotFound):
        update_order(lambda_context, {"id": "order-2", **DIAVOLA})

    assert [call[0] for call in spy.method_calls] == ["update_item", "update_item"]


@pytest.mark.parametrize(
    ("update_input", "error", "message"),
    [
        ({**DIAVOLA}, InvalidOrderId, "'id' is required"),
        ({"id": None, **DIAVOLA}, InvalidOrderId, "'id' is required"),
        ({"id": "", **DIAVOLA}, InvalidOrderId, "'id' must be a string of 1 to 128"),
        ({"id": " ", **DIAVOLA}, InvalidOrderId, "only white space"),
        ({"id": "i" * 129, **DIAVOLA}, InvalidOrderId, "got 129 characters"),
        ({"id": 1, **DIAVOLA}, InvalidOrderId, "got int"),
        ({"id": "order-\ud800", **DIAVOLA}, InvalidOrderId, "valid Unicode"),
        ({"id": "order-1", **DIAVOLA, "name": None}, InvalidName, "'name' is required"),
        ({"id": "order-1", **DIAVOLA, "name": ""}, InvalidName, "1 to 100 characters"),
        ({"id": "order-1", **DIAVOLA, "name": "\t"}, InvalidName, "only white space"),
        ({"id": "order-1", **DIAVOLA, "name": "n" * 101}, InvalidName, "got 101 characters"),
        ({"id": "order-1", **DIAVOLA, "name": 3}, InvalidName, "got int"),
        ({"id": "order-1", **DIAVOLA, "name": "\udfff"}, InvalidName, "valid Unicode"),
        ({"id": "order-1", **DIAVOLA, "quantity": None}, InvalidQuantity, "'quantity' is req"),
        ({"id": "order-1", **DIAVOLA, "quantity": 0}, InvalidQuantity, "got 0"),
        ({"id": "order-1", **DIAVOLA, "quantity": 101}, InvalidQuantity, "got 101"),
        ({"id": "order-1", **DIAVOLA, "quantity": 1.5}, InvalidQuantity, "got float"),
        ({"id": "order-1", **DIAVOLA, "quantity": "3"}, InvalidQuantity, "got str"),
        ({"id": "order-1", **DIAVOLA, "quantity": False}, InvalidQuantity, "got bool"),
        ({"id": "order-1", **DIAVOLA, "restaurantId": None}, InvalidRestaurantId, "is required"),
        ({"id": "order-1", **DIAVOLA, "restaurantId": ""}, InvalidRestaurantId, "1 to 64"),
        ({"id": "order-1", **DIAVOLA, "restaurantId": "  "}, InvalidRestaurantId, "white space"),
        ({"id": "order-1", **DIAVOLA, "restaurantId": "r" * 65}, InvalidRestaurantId, "got 65"),
        ({"id": "order-1", **DIAVOLA, "restaurantId": []}, InvalidRestaurantId, "got list"),
        ({"id": "order-1", **DIAVOLA, "restaurantId": "\ud800"}, InvalidRestaurantId, "Unicode"),
        (None, InvalidInput, "'input' must be an object, got NoneType"),
        ("order-1", InvalidInput, "got str"),
    ],
)
def test_given_a_bad_update_then_its_named_error_and_the_order_is_unchanged(
    table, lambda_context, update_input, error, message
):
    before = put_order(table, "order-1")

    with pytest.raises(error, match=re.escape(message)) as raised:
        update_order(lambda_context, update_input)

    assert type(raised.value) is error
    assert stored_orders(table) == [before]


def test_given_a_caller_with_an_identity_then_unknown_caller_and_nothing_changes(
    table, lambda_context
):
    before = put_order(table, "order-1")

    with pytest.raises(UnknownCallerError):
        update_order(lambda_context, {"id": "order-1", **DIAVOLA}, identity={"sub": "alice"})

    assert stored_orders(table) == [before]


@pytest.mark.parametrize("status", ["PENDING", "SUCCESS", "FAILED"])
def test_given_an_order_when_deleted_then_it_is_gone_and_its_id_answered(
    table, lambda_context, status
):
    put_order(table, "order-1", status=status)
    theirs = put_order(table, "order-1", user_id=OTHER_USER)

    assert delete_order(lambda_context, "order-1") == "order-1"

    assert stored_orders(table) == [theirs]


def test_given_no_such_order_when_deleted_then_order_not_found(table, lambda_context):
    theirs = put_order(table, "order-1", user_id=OTHER_USER)

    with pytest.raises(OrderNotFound, match="there is no order with id 'order-1'"):
        delete_order(lambda_context, "order-1")

    assert stored_orders(table) == [theirs]


def test_given_an_order_deleted_twice_then_the_second_delete_is_order_not_found(
    table, lambda_context
):
    put_order(table, "order-1")
    delete_order(lambda_context, "order-1")

    with pytest.raises(OrderNotFound):
        delete_order(lambda_context, "order-1")


@pytest.mark.parametrize(
    ("order_id", "message"),
    [
        (None, "'id' is required"),
        ("", "not empty"),
        (" ", "only white space"),
        ("i" * 129, "got 129 characters"),
        (7, "got int"),
        ("\ud800", "valid Unicode"),
    ],
)
def test_given_a_bad_id_when_deleted_then_invalid_order_id_and_nothing_deleted(
    table, lambda_context, order_id, message
):
    before = put_order(table, "order-1")

    with pytest.raises(InvalidOrderId, match=re.escape(message)):
        delete_order(lambda_context, order_id)

    assert stored_orders(table) == [before]


def test_the_repository_is_built_from_the_table_name_in_the_environment(
    table, monkeypatch, lambda_context
):
    put_order(table, "order-1")
    monkeypatch.setenv("TABLE_NAME", table.name)
    monkeypatch.setattr(app, "REPOSITORY", Lazy(OrderRepository.from_environment))

    assert delete_order(lambda_context, "order-1") == "order-1"
    assert stored_orders(table) == []
