"""The orders queue's message body (handlers/orders/messages): what ``postOrder`` writes and the
consumer reads back; pure, no AWS. Every malformed body is a MalformedOrderMessageError."""

import json
import re

import pytest
from orders.messages import MalformedOrderMessageError, QueuedOrder, build_body, parse_body
from orders.model import OrderDetails

from tests.handlers.orders_support import order_body

MARGHERITA = OrderDetails("Margherita", 2, "luigis")


def test_a_body_postorder_builds_is_read_back_as_the_same_order():
    body = build_body("demo_user", MARGHERITA, "2026-12-02T01:23:45.678Z")

    assert json.loads(body) == {
        "userId": "demo_user",
        "name": "Margherita",
        "quantity": 2,
        "restaurantId": "luigis",
        "createdAt": "2026-12-02T01:23:45.678Z",
    }
    assert parse_body(body) == QueuedOrder("demo_user", MARGHERITA, "2026-12-02T01:23:45.678Z")


def test_a_body_is_ascii_whatever_the_order_text_so_sqs_accepts_every_order():
    details = OrderDetails("Pizza \ufffe 🍕", 1, "Pizzería Ñ")

    body = build_body("demo_user", details, "2026-12-02T01:23:45.678Z")

    assert body.isascii()
    assert parse_body(body).details == details


def test_the_execution_input_is_the_order_under_the_message_id():
    order = parse_body(order_body())

    assert order.execution_input("5b3e2c8a-8a7e-4b8e-9f0e-0c7c1d2e3f40") == {
        "id": "5b3e2c8a-8a7e-4b8e-9f0e-0c7c1d2e3f40",
        "userId": "demo_user",
        "name": "Margherita",
        "quantity": 2,
        "restaurantId": "luigis",
        "createdAt": "2026-12-02T01:23:45.678Z",
    }


@pytest.mark.parametrize(
    ("created_at", "expected"),
    [
        ("2026-12-02T01:23:45.678Z", "2026-12-02T01:23:45.678Z"),
        ("2026-12-02T01:23:45Z", "2026-12-02T01:23:45.000Z"),
        ("2026-12-02T02:23:45.678+01:00", "2026-12-02T01:23:45.678Z"),
        ("2026-12-02T01:23:45.678999+00:00", "2026-12-02T01:23:45.678Z"),
    ],
)
def test_given_a_created_at_with_a_zone_then_it_is_written_back_in_utc_milliseconds(
    created_at, expected
):
    assert parse_body(order_body(createdAt=created_at)).created_at == expected


def test_given_no_created_at_then_the_time_sqs_received_the_message():
    order = parse_body(order_body(createdAt=None), sent_timestamp="1796178225000")

    assert order.created_at == "2026-12-02T02:23:45.000Z"


MALFORMED = [
    pytest.param("", "not JSON", id="empty"),
    pytest.param("{'userId': 'demo_user'}", "not JSON", id="not-json"),
    pytest.param(None, "not JSON", id="no-body"),
    pytest.param("[]", "must be a JSON object, got list", id="list"),
    pytest.param('"order"', "must be a JSON object, got str", id="string"),
    pytest.param("null", "must be a JSON object, got NoneType", id="null"),
    pytest.param(order_body(userId=None), "missing ['userId']", id="no-user"),
    pytest.param(order_body(name=None), "missing ['name']", id="no-name"),
    pytest.param(order_body(quantity=None), "missing ['quantity']", id="no-quantity"),
    pytest.param(order_body(restaurantId=None), "missing ['restaurantId']", id="no-restaurant"),
    pytest.param(order_body(id="order-1"), "unknown ['id']", id="extra-id"),
    pytest.param(order_body(orderStatus="SUCCESS"), "unknown ['orderStatus']", id="extra-status"),
    pytest.param(
        json.dumps(
            {
                "userId": "demo_user",
                "name": "M",
                "quantity": 1,
                "restaurantId": "r",
                "createdAt": None,
            }
        ),
        "'createdAt' must be an ISO 8601 date and time with a zone, got None",
        id="created-at-null",
    ),
    pytest.param(order_body(userId=""), "'userId' must be a string of 1 to 128", id="user-empty"),
    pytest.param(order_body(userId="  "), "only white space", id="user-blank"),
    pytest.param(order_body(userId=7), "'userId' must be a string", id="user-not-text"),
    pytest.param(order_body(userId="u" * 129), "got 129 characters", id="user-too-long"),
    pytest.param(order_body(userId="\ud800"), "'userId' must be valid Unicode", id="user-surr"),
    pytest.param(order_body(name=""), "'name' must be a string of 1 to 100", id="name-empty"),
    pytest.param(order_body(name="n" * 101), "'name' must be", id="name-too-long"),
    pytest.param(order_body(name=["M"]), "'name' must be", id="name-not-text"),
    pytest.param(order_body(name="\udfff"), "'name' must be valid Unicode", id="name-surr"),
    pytest.param(order_body(quantity=0), "'quantity' must be a whole number", id="quantity-0"),
    pytest.param(order_body(quantity=101), "got 101", id="quantity-101"),
    pytest.param(order_body(quantity=2.0), "got float", id="quantity-float"),
    pytest.param(order_body(quantity="2"), "got str", id="quantity-string"),
    pytest.param(order_body(quantity=True), "got bool", id="quantity-bool"),
    pytest.param(order_body(restaurantId=""), "'restaurantId' must be", id="restaurant-empty"),
    pytest.param(order_body(restaurantId="r" * 65), "got 65 characters", id="restaurant-long"),
    pytest.param(order_body(restaurantId=3), "'restaurantId' must be", id="restaurant-int"),
    pytest.param(order_body(createdAt="yesterday"), "'createdAt' must be an ISO 8601", id="word"),
    pytest.param(order_body(createdAt="2026-12-02"), "with a zone", id="date-only"),
    pytest.param(order_body(createdAt="2026-12-02T01:23:45"), "with a zone", id="no-zone"),
    pytest.param(order_body(createdAt="2026-13-02T01:23:45Z"), "ISO 8601", id="month-13"),
    pytest.param(order_body(createdAt="0001-01-01T00:00:00+01:00"), "ISO 8601", id="before-1"),
    pytest.param(order_body(createdAt=1796174625678), "ISO 8601", id="epoch-number"),
    pytest.param(order_body(createdAt="2026-12-02T01:23:45Z" + " " * 60), "ISO 8601", id="long"),
]


@pytest.mark.parametrize(("body", "message"), MALFORMED)
def test_given_a_malformed_body_then_malformed_order_message_error(body, message):
    with pytest.raises(MalformedOrderMessageError, match=re.escape(message)):
        parse_body(body, sent_timestamp="1796174625678")


@pytest.mark.parametrize(
    "sent_timestamp",
    [None, "", "soon", "1796174625.678", "-1", "١٧٩٦١٧٤٦٢٥٦٧٨", "9" * 15, 1796174625678],
    ids=repr,
)
def test_given_no_created_at_and_no_usable_sent_timestamp_then_malformed(sent_timestamp):
    with pytest.raises(MalformedOrderMessageError, match="SentTimestamp is not epoch millisec"):
        parse_body(order_body(createdAt=None), sent_timestamp=sent_timestamp)
