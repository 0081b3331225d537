"""The orders API's queries (``orders``, ``order``) through the Lambda entry point, with the events
AppSync sends, against the orders table in moto."""

import re
from unittest import mock

import pytest
from lambda_support.lazy import Lazy
from order_queries import app
from orders.caller import UnknownCallerError
from orders.errors import InvalidLimit, InvalidNextToken, InvalidOrderId
from orders.repository import OrderRepository

from tests.handlers.orders_support import (
    OTHER_USER,
    appsync_event,
    create_orders_table,
    put_order,
)


@pytest.fixture
def table(aws, monkeypatch):
    table = create_orders_table()
    monkeypatch.setattr(app, "REPOSITORY", Lazy(lambda: OrderRepository(table)))
    return table


def orders(lambda_context, **arguments):
    return app.handler(appsync_event("Query", "orders", arguments), lambda_context)


def order(lambda_context, order_id):
    return app.handler(appsync_event("Query", "order", {"id": order_id}), lambda_context)


def test_given_orders_of_the_caller_and_of_another_user_then_only_the_callers_in_id_order(
    table, lambda_context
):
    put_order(table, "order-2", status="SUCCESS")
    put_order(table, "order-1", name="Diavola", quantity=3, restaurantId="marios")
    put_order(table, "order-3", status="FAILED", error_message="payment method declined")
    put_order(table, "order-0", user_id=OTHER_USER)

    page = orders(lambda_context)

    assert page == {
        "items": [
            {
                "id": "order-1",
                "name": "Diavola",
                "quantity": 3,
                "restaurantId": "marios",
                "orderStatus": "PENDING",
                "createdAt": "2026-12-02T01:23:45.678Z",
                "errorMessage": None,
            },
            {
                "id": "order-2",
                "name": "Margherita",
                "quantity": 2,
                "restaurantId": "luigis",
                "orderStatus": "SUCCESS",
                "createdAt": "2026-12-02T01:23:45.678Z",
                "errorMessage": None,
            },
            {
                "id": "order-3",
                "name": "Margherita",
                "quantity": 2,
                "restaurantId": "luigis",
                "orderStatus": "FAILED",
                "createdAt": "2026-12-02T01:23:45.678Z",
                "errorMessage": "payment method declined",
            },
        ],
        "nextToken": None,
    }
    assert all(type(item["quantity"]) is int for item in page["items"])


def test_given_no_orders_then_an_empty_page_without_a_next_token(table, lambda_context):
    put_order(table, "order-1", user_id=OTHER_USER)

    assert orders(lambda_context) == {"items": [], "nextToken": None}


def test_given_five_orders_and_limit_2_then_three_pages_give_every_order_once(
    table, lambda_context
):
    for number in range(1, 6):
        put_order(table, f"order-{number}")
        put_order(table, f"order-{number}", user_id=OTHER_USER)  # same ids, other partition
    put_order(table, "order-0", user_id=OTHER_USER)

    pages, token = [], None
    for _ in range(4):
        page = orders(lambda_context, limit=2, nextToken=token)
        pages.append([item["id"] for item in page["items"]])
        token = page["nextToken"]
        if token is None:
            break

    assert pages == [["order-1", "order-2"], ["order-3", "order-4"], ["order-5"]]


def test_the_page_is_a_query_of_the_callers_partition_never_a_scan(
    table, lambda_context, monkeypatch
):
    spy = mock.Mock(wraps=table)
    monkeypatch.setattr(app, "REPOSITORY", Lazy(lambda: OrderRepository(spy)))
    put_order(table, "order-1")

    orders(lambda_context, limit=5)

    [(method, _, kwargs)] = spy.method_calls
    assert (method, kwargs["ExpressionAttributeValues"], kwargs["Limit"]) == (
        "query",
        {":user_id": "demo_user"},
        5,
    )


def test_given_no_limit_then_pages_of_20(table, lambda_context):
    for number in range(21):
        put_order(table, f"order-{number:02}")

    first = orders(lambda_context)
    second = orders(lambda_context, limit=None, nextToken=first["nextToken"])

    assert (len(first["items"]), len(second["items"])) == (20, 1)
    assert second["items"][0]["id"] == "order-20"


def test_given_a_well_formed_token_naming_another_users_order_then_still_only_the_callers(
    table, lambda_context
):
    # A token only says where to continue; the partition always comes from the caller.
    put_order(table, "order-1")
    put_order(table, "order-3")
    put_order(table, "order-2", user_id=OTHER_USER)

    page = orders(lambda_context, nextToken="eyJpZCI6Im9yZGVyLTIifQ")  # {"id":"order-2"}

    assert [item["id"] for item in page["items"]] == ["order-3"]


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        "eyJpZCI6Im9yZGVyLTIifQ==",
        "eyJ1c2VyX2lkIjoiYW5vdGhlcl91c2VyIiwiaWQiOiJvcmRlci0yIn0",  # {"user_id":...,"id":...}
        "WyJvcmRlci0yIl0",  # ["order-2"]
        "eyJpZCI6Im9yZGVyLTIifQ.",
    ],
)
def test_given_a_tampered_or_garbage_next_token_then_invalid_next_token(
    table, lambda_context, token
):
    put_order(table, "order-1")

    with pytest.raises(InvalidNextToken, match="'nextToken' must be a token from an earlier page"):
        orders(lambda_context, nextToken=token)


@pytest.mark.parametrize(
    ("limit", "message"),
    [
        (0, "'limit' must be a whole number from 1 to 100, got 0"),
        (101, "got 101"),
        (-1, "got -1"),
        (2.5, "got float"),
        ("20", "got str"),
        (True, "got bool"),
    ],
)
def test_given_a_bad_limit_then_invalid_limit(table, lambda_context, limit, message):
    with pytest.raises(InvalidLimit, match=re.escape(message)):
        orders(lambda_context, limit=limit)


def test_given_an_order_of_the_caller_then_order_answers_it(table, lambda_context):
    put_order(table, "order-1", status="FAILED", error_message="unknown error")

    assert order(lambda_context, "order-1") == {
        "id": "order-1",
        "name": "Margherita",
        "quantity": 2,
        "restaurantId": "luigis",
        "orderStatus": "FAILED",
        "createdAt": "2026-12-02T01:23:45.678Z",
        "errorMessage": "unknown error",
    }


def test_given_no_such_order_then_order_answers_none(table, lambda_context):
    assert order(lambda_context, "order-404") is None


def test_given_another_users_order_then_order_answers_none(table, lambda_context):
    put_order(table, "order-1", user_id=OTHER_USER)

    assert order(lambda_context, "order-1") is None


@pytest.mark.parametrize(
    ("order_id", "message"),
    [
        (None, "'id' is required"),
        ("", "not empty"),
        ("   ", "only white space"),
        ("i" * 129, "got 129 characters"),
        (5, "got int"),
        ("\ud800", "valid Unicode"),
    ],
)
def test_given_a_bad_id_then_invalid_order_id(table, lambda_context, order_id, message):
    with pytest.raises(InvalidOrderId, match=re.escape(message)):
        order(lambda_context, order_id)


def test_given_a_caller_with_an_identity_then_unknown_caller_and_nothing_read(
    table, lambda_context
):
    put_order(table, "order-1")
    event = appsync_event("Query", "orders", {}, identity={"sub": "alice", "claims": {}})

    with pytest.raises(UnknownCallerError):
        app.handler(event, lambda_context)


def test_the_repository_is_built_from_the_table_name_in_the_environment(
    table, monkeypatch, lambda_context
):
    put_order(table, "order-1")
    monkeypatch.setenv("TABLE_NAME", table.name)
    monkeypatch.setattr(app, "REPOSITORY", Lazy(OrderRepository.from_environment))

    assert [item["id"] for item in orders(lambda_context)["items"]] == ["order-1"]
