"""The pizza order's rules (handlers/orders): validation, page tokens, times, the caller; pure,
no AWS. Every bad value of every field is refused here by its named error type, the one AppSync
reports to the client."""

import base64
import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from orders import errors
from orders.caller import UnknownCallerError, partition_of
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
from orders.model import (
    Order,
    OrderDetails,
    OrderStatus,
    decode_next_token,
    encode_next_token,
    format_timestamp,
    parse_limit,
    parse_new_order,
    parse_order_update,
)

from tests.handlers.orders_support import MARGHERITA


def _token(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# Every way a field can be wrong, and the words of the rule its message gives.
BAD_NAMES = [
    pytest.param(None, "'name' is required: a string of 1 to 100 characters", id="null"),
    pytest.param("", "'name' must be a string of 1 to 100 characters, not empty", id="empty"),
    pytest.param("   ", "not empty or only white space", id="spaces"),
    pytest.param("\t\n\u3000", "not empty or only white space", id="other-white-space"),
    pytest.param("x" * 101, "'name' must be a string of 1 to 100 characters, got 101 characters"),
    pytest.param(7, "'name' must be a string of 1 to 100 characters, got int", id="int"),
    pytest.param(True, "got bool", id="bool"),
    pytest.param(["Margherita"], "got list", id="list"),
    pytest.param({"text": "Margherita"}, "got dict", id="object"),
    pytest.param("Pizza \ud800", "'name' must be valid Unicode text", id="lone-surrogate"),
]
BAD_QUANTITIES = [
    pytest.param(None, "'quantity' is required: a whole number from 1 to 100", id="null"),
    pytest.param(0, "'quantity' must be a whole number from 1 to 100, got 0", id="zero"),
    pytest.param(-1, "got -1", id="negative"),
    pytest.param(101, "got 101", id="above-100"),
    pytest.param(10**20, f"got {10**20}", id="huge"),
    pytest.param(2.0, "'quantity' must be a whole number from 1 to 100, got float", id="2.0"),
    pytest.param(2.5, "got float", id="fraction"),
    pytest.param(float("nan"), "got float", id="nan"),
    pytest.param("2", "got str", id="numeric-string"),
    pytest.param(True, "got bool", id="true"),
    pytest.param(False, "got bool", id="false"),
    pytest.param([2], "got list", id="list"),
]
BAD_RESTAURANT_IDS = [
    pytest.param(None, "'restaurantId' is required: a string of 1 to 64 characters", id="null"),
    pytest.param("", "'restaurantId' must be a string of 1 to 64 characters, not empty"),
    pytest.param("  ", "not empty or only white space", id="spaces"),
    pytest.param("r" * 65, "got 65 characters", id="65-characters"),
    pytest.param(42, "'restaurantId' must be a string of 1 to 64 characters, got int", id="int"),
    pytest.param(False, "got bool", id="bool"),
    pytest.param("luigi\udfff", "'restaurantId' must be valid Unicode text", id="lone-surrogate"),
]
BAD_ORDER_IDS = [
    pytest.param(None, "'id' is required: a string of 1 to 128 characters", id="null"),
    pytest.param("", "'id' must be a string of 1 to 128 characters, not empty", id="empty"),
    pytest.param(" ", "not empty or only white space", id="space"),
    pytest.param("i" * 129, "got 129 characters", id="129-characters"),
    pytest.param(12, "'id' must be a string of 1 to 128 characters, got int", id="int"),
    pytest.param(["order-1"], "got list", id="list"),
    pytest.param("\ud83d", "'id' must be valid Unicode text", id="lone-surrogate"),
]
BAD_LIMITS = [
    pytest.param(0, "'limit' must be a whole number from 1 to 100, got 0", id="zero"),
    pytest.param(-5, "got -5", id="negative"),
    pytest.param(101, "got 101", id="above-100"),
    pytest.param(2.0, "got float", id="2.0"),
    pytest.param("10", "got str", id="numeric-string"),
    pytest.param(True, "got bool", id="bool"),
]
BAD_NEXT_TOKENS = [
    pytest.param("", id="empty"),
    pytest.param("not a token!", id="not-base64url"),
    pytest.param("eyJpZCI6Im9yZGVyLTIifQ==", id="padded"),
    pytest.param("eyJpZCI6Im9yZGVyLTIifQ" + "A", id="cut-or-extended"),
    pytest.param("ü" * 8, id="non-ascii"),
    pytest.param("A" * 1025, id="too-long"),
    pytest.param(_token(b"\xff\xfe{}"), id="not-utf8"),
    pytest.param(_token(b"order-2"), id="not-json"),
    pytest.param(_token(b'["order-2"]'), id="json-list"),
    pytest.param(_token(b'"order-2"'), id="json-string"),
    pytest.param(_token(b"{}"), id="no-id"),
    pytest.param(_token(b'{"ID":"order-2"}'), id="other-key"),
    pytest.param(_token(b'{"id":"order-2","user_id":"another_user"}'), id="extra-key"),
    pytest.param(_token(b'{"id":2}'), id="id-not-text"),
    pytest.param(_token(b'{"id":""}'), id="id-empty"),
    pytest.param(_token(b'{"id":"' + b"i" * 129 + b'"}'), id="id-too-long"),
    pytest.param(_token(b'{"id":"\\ud800"}'), id="id-lone-surrogate"),
    pytest.param(7, id="number"),
    pytest.param({"id": "order-2"}, id="object"),
]


def test_the_api_error_types_are_the_class_names_clients_see():
    api_errors = [
        name
        for name, value in vars(errors).items()
        if isinstance(value, type)
        and issubclass(value, OrderApiError)
        and value is not OrderApiError
    ]

    assert sorted(api_errors) == [
        "InvalidInput",
        "InvalidLimit",
        "InvalidName",
        "InvalidNextToken",
        "InvalidOrderId",
        "InvalidQuantity",
        "InvalidRestaurantId",
        "OrderNotEditable",
        "OrderNotFound",
    ]


@pytest.mark.parametrize(
    ("order_input", "expected"),
    [
        (MARGHERITA, OrderDetails("Margherita", 2, "luigis")),
        (
            {"name": "Quattro Stagioni 🍕", "quantity": 1, "restaurantId": "Pizzería Ñ"},
            OrderDetails("Quattro Stagioni 🍕", 1, "Pizzería Ñ"),
        ),
        (
            {"name": "x" * 100, "quantity": 100, "restaurantId": "r" * 64},
            OrderDetails("x" * 100, 100, "r" * 64),
        ),
        (
            {"name": "  Diavola ", "quantity": 3, "restaurantId": "luigis", "note": "ignored"},
            OrderDetails("  Diavola ", 3, "luigis"),
        ),
    ],
    ids=["plain", "beyond-ascii", "longest-and-most", "kept-as-sent"],
)
def test_given_a_valid_order_input_then_its_details_exactly_as_sent(order_input, expected):
    assert parse_new_order(order_input) == expected


@pytest.mark.parametrize(("name", "message"), BAD_NAMES)
def test_given_a_bad_name_then_invalid_name(name, message):
    with pytest.raises(InvalidName, match=re.escape(message)):
        parse_new_order({**MARGHERITA, "name": name})


def test_given_no_name_then_invalid_name():
    with pytest.raises(InvalidName, match=re.escape("'name' is required")):
        parse_new_order({"quantity": 2, "restaurantId": "luigis"})


@pytest.mark.parametrize(("quantity", "message"), BAD_QUANTITIES)
def test_given_a_bad_quantity_then_invalid_quantity(quantity, message):
    with pytest.raises(InvalidQuantity, match=re.escape(message)):
        parse_new_order({**MARGHERITA, "quantity": quantity})


def test_given_no_quantity_then_invalid_quantity():
    with pytest.raises(InvalidQuantity, match=re.escape("'quantity' is required")):
        parse_new_order({"name": "Margherita", "restaurantId": "luigis"})


@pytest.mark.parametrize(("restaurant_id", "message"), BAD_RESTAURANT_IDS)
def test_given_a_bad_restaurant_id_then_invalid_restaurant_id(restaurant_id, message):
    with pytest.raises(InvalidRestaurantId, match=re.escape(message)):
        parse_new_order({**MARGHERITA, "restaurantId": restaurant_id})


def test_given_no_restaurant_id_then_invalid_restaurant_id():
    with pytest.raises(InvalidRestaurantId, match=re.escape("'restaurantId' is required")):
        parse_new_order({"name": "Margherita", "quantity": 2})


def test_given_several_bad_fields_then_the_first_in_name_quantity_restaurant_order_is_reported():
    with pytest.raises(InvalidQuantity):
        parse_new_order({"name": "Margherita", "quantity": 0, "restaurantId": ""})


@pytest.mark.parametrize("order_input", [None, [], "Margherita", 2], ids=repr)
def test_given_an_input_that_is_no_object_then_invalid_input(order_input):
    with pytest.raises(InvalidInput, match="'input' must be an object"):
        parse_new_order(order_input)


def test_given_a_valid_update_then_the_id_and_the_new_details():
    assert parse_order_update({"id": "order-1", **MARGHERITA}) == (
        "order-1",
        OrderDetails("Margherita", 2, "luigis"),
    )


@pytest.mark.parametrize(("order_id", "message"), BAD_ORDER_IDS)
def test_given_an_update_with_a_bad_id_then_invalid_order_id_before_any_other_field(
    order_id, message
):
    with pytest.raises(InvalidOrderId, match=re.escape(message)):
        parse_order_update({"id": order_id, "name": "", "quantity": 0})


@pytest.mark.parametrize(("value", "expected"), [(None, 20), (1, 1), (20, 20), (100, 100)])
def test_given_no_limit_then_20_else_the_limit_asked(value, expected):
    assert parse_limit(value) == expected


@pytest.mark.parametrize(("value", "message"), BAD_LIMITS)
def test_given_a_bad_limit_then_invalid_limit(value, message):
    with pytest.raises(InvalidLimit, match=re.escape(message)):
        parse_limit(value)


@pytest.mark.parametrize("order_id", ["order-2", "Frühstück 🍕", "i" * 128, "a/b+c=="])
def test_a_next_token_is_unpadded_base64url_and_gives_back_the_order_id(order_id):
    token = encode_next_token(order_id)

    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert decode_next_token(token) == order_id


def test_the_next_token_of_order_2_is_base64url_json_of_its_id():
    assert encode_next_token("order-2") == "eyJpZCI6Im9yZGVyLTIifQ"


def test_given_no_next_token_then_the_first_page():
    assert decode_next_token(None) is None


@pytest.mark.parametrize("token", BAD_NEXT_TOKENS)
def test_given_a_token_no_page_answered_then_invalid_next_token(token):
    with pytest.raises(InvalidNextToken, match="'nextToken' must be a token from an earlier page"):
        decode_next_token(token)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 12, 2, 1, 23, 45, 678901, tzinfo=UTC), "2026-12-02T01:23:45.678Z"),
        (datetime(2026, 12, 2, 1, 23, 45, tzinfo=UTC), "2026-12-02T01:23:45.000Z"),
        (
            datetime(2026, 12, 2, 2, 23, 45, 678000, tzinfo=timezone(timedelta(hours=1))),
            "2026-12-02T01:23:45.678Z",
        ),
    ],
)
def test_a_timestamp_is_written_in_utc_with_milliseconds_and_z(moment, expected):
    assert format_timestamp(moment) == expected


def test_a_timestamp_without_a_zone_is_refused():
    with pytest.raises(ValueError, match="no time zone"):
        format_timestamp(datetime(2026, 12, 2, 1, 23, 45))


def test_given_a_stored_item_then_the_order_has_an_int_quantity_and_every_field():
    item = {
        "user_id": "demo_user",
        "id": "order-1",
        "name": "Margherita",
        "quantity": Decimal(3),
        "restaurantId": "luigis",
        "orderStatus": "FAILED",
        "createdAt": "2026-12-02T01:23:45.678Z",
        "errorMessage": "payment method declined",
    }

    answer = Order.from_item(item).to_graphql()

    assert answer == {
        "id": "order-1",
        "name": "Margherita",
        "quantity": 3,
        "restaurantId": "luigis",
        "orderStatus": "FAILED",
        "createdAt": "2026-12-02T01:23:45.678Z",
        "errorMessage": "payment method declined",
    }
    assert type(answer["quantity"]) is int


@pytest.mark.parametrize("status", ["PENDING", "SUCCESS"])
def test_only_a_failed_order_has_an_error_message(status):
    item = {
        "id": "order-1",
        "name": "Margherita",
        "quantity": Decimal(1),
        "restaurantId": "luigis",
        "orderStatus": status,
        "createdAt": "2026-12-02T01:23:45.678Z",
        "errorMessage": "left over",
    }

    order = Order.from_item(item)

    assert (order.status, order.error_message) == (OrderStatus(status), None)


@pytest.mark.parametrize("event", [{"identity": None}, {}], ids=["null", "absent"])
def test_given_an_api_key_caller_then_the_partition_is_the_seeds_demo_user(event):
    assert partition_of({"arguments": {}, **event}) == "demo_user"


@pytest.mark.parametrize(
    "identity",
    [
        {"sub": "0f8fad5b-d9cb-469f-a165-70867728950e", "username": "alice", "claims": {}},
        {"accountId": "123456789012", "userArn": "arn:aws:iam::123456789012:user/alice"},
        {"resolverContext": {"user": "alice"}},
    ],
    ids=["cognito", "iam", "lambda-authorizer"],
)
def test_given_a_caller_with_an_identity_then_it_is_refused_not_given_demo_users_orders(
    identity,
):
    with pytest.raises(UnknownCallerError, match="only API key callers are served"):
        partition_of({"arguments": {}, "identity": identity})
