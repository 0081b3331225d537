"""``postOrder`` through the Lambda entry point, with the events AppSync sends, against the
orders queue in moto: a valid order is queued once and answered PENDING; a bad one sends
nothing."""

import json
import re
from datetime import UTC, datetime

import pytest
from lambda_support.lazy import Lazy
from order_intake import app
from orders.caller import UnknownCallerError
from orders.errors import InvalidInput, InvalidName, InvalidQuantity, InvalidRestaurantId

from tests.handlers.applications_support import client
from tests.handlers.orders_support import (
    MARGHERITA,
    appsync_event,
    create_order_queue,
    queued_messages,
)

NOW = datetime(2026, 12, 2, 1, 23, 45, 678901, tzinfo=UTC)


@pytest.fixture
def queue_url(aws, monkeypatch):
    url = create_order_queue()
    monkeypatch.setattr(app, "QUEUE", Lazy(lambda: app.OrderQueue(client("sqs"), url)))
    monkeypatch.setattr(app, "CLOCK", lambda: NOW)
    return url


def post_order(lambda_context, order_input, identity=None):
    event = appsync_event("Mutation", "postOrder", {"input": order_input}, identity)
    return app.handler(event, lambda_context)


def test_given_a_valid_order_then_it_is_queued_once_and_answered_pending_under_the_message_id(
    queue_url, lambda_context
):
    answer = post_order(lambda_context, MARGHERITA)

    [message] = queued_messages(queue_url)
    assert answer == {
        "id": message["MessageId"],
        "name": "Margherita",
        "quantity": 2,
        "restaurantId": "luigis",
        "orderStatus": "PENDING",
        "createdAt": "2026-12-02T01:23:45.678Z",
        "errorMessage": None,
    }
    assert json.loads(message["Body"]) == {
        "userId": "demo_user",
        "name": "Margherita",
        "quantity": 2,
        "restaurantId": "luigis",
        "createdAt": "2026-12-02T01:23:45.678Z",
    }


def test_given_text_beyond_ascii_then_it_is_queued_as_sent(queue_url, lambda_context):
    order_input = {"name": "Quattro Stagioni 🍕", "quantity": 100, "restaurantId": "Pizzería Ñ"}

    answer = post_order(lambda_context, order_input)

    [message] = queued_messages(queue_url)
    body = json.loads(message["Body"])
    assert (body["name"], body["quantity"], body["restaurantId"]) == (
        "Quattro Stagioni 🍕",
        100,
        "Pizzería Ñ",
    )
    assert (answer["name"], answer["restaurantId"]) == ("Quattro Stagioni 🍕", "Pizzería Ñ")


def test_given_two_orders_then_two_messages_with_different_ids(queue_url, lambda_context):
    first = post_order(lambda_context, MARGHERITA)
    second = post_order(lambda_context, MARGHERITA)

    assert first["id"] != second["id"]
    assert sorted(m["MessageId"] for m in queued_messages(queue_url)) == sorted(
        [first["id"], second["id"]]
    )


@pytest.mark.parametrize(
    ("order_input", "error", "message"),
    [
        ({"quantity": 2, "restaurantId": "luigis"}, InvalidName, "'name' is required"),
        ({**MARGHERITA, "name": None}, InvalidName, "'name' is required"),
        ({**MARGHERITA, "name": ""}, InvalidName, "'name' must be a string of 1 to 100"),
        ({**MARGHERITA, "name": "  "}, InvalidName, "only white space"),
        ({**MARGHERITA, "name": "x" * 101}, InvalidName, "got 101 characters"),
        ({**MARGHERITA, "name": 7}, InvalidName, "got int"),
        ({**MARGHERITA, "name": "\ud800"}, InvalidName, "valid Unicode"),
        ({"name": "Margherita", "restaurantId": "luigis"}, InvalidQuantity, "'quantity' is req"),
        ({**MARGHERITA, "quantity": 0}, InvalidQuantity, "from 1 to 100, got 0"),
        ({**MARGHERITA, "quantity": 101}, InvalidQuantity, "got 101"),
        ({**MARGHERITA, "quantity": -3}, InvalidQuantity, "got -3"),
        ({**MARGHERITA, "quantity": 2.0}, InvalidQuantity, "got float"),
        ({**MARGHERITA, "quantity": "2"}, InvalidQuantity, "got str"),
        ({**MARGHERITA, "quantity": True}, InvalidQuantity, "got bool"),
        ({**MARGHERITA, "quantity": None}, InvalidQuantity, "'quantity' is required"),
        ({"name": "Margherita", "quantity": 2}, InvalidRestaurantId, "'restaurantId' is req"),
        ({**MARGHERITA, "restaurantId": ""}, InvalidRestaurantId, "1 to 64 characters"),
        ({**MARGHERITA, "restaurantId": " "}, InvalidRestaurantId, "only white space"),
        ({**MARGHERITA, "restaurantId": "r" * 65}, InvalidRestaurantId, "got 65 characters"),
        ({**MARGHERITA, "restaurantId": 9}, InvalidRestaurantId, "got int"),
        ({**MARGHERITA, "restaurantId": "\udfff"}, InvalidRestaurantId, "valid Unicode"),
        (None, InvalidInput, "'input' must be an object, got NoneType"),
        (["Margherita", 2, "luigis"], InvalidInput, "got list"),
    ],
)
def test_given_a_bad_input_then_its_named_error_and_nothing_is_queued(
    queue_url, lambda_context, order_input, error, message
):
    with pytest.raises(error, match=re.escape(message)) as raised:
        post_order(lambda_context, order_input)

    assert queued_messages(queue_url) == []
    assert type(raised.value) is error  # its class name is the GraphQL errorType


def test_given_a_caller_with_an_identity_then_unknown_caller_and_nothing_is_queued(
    queue_url, lambda_context
):
    with pytest.raises(UnknownCallerError):
        post_order(lambda_context, MARGHERITA, identity={"sub": "alice", "claims": {}})

    assert queued_messages(queue_url) == []


def test_the_queue_is_the_one_in_the_environment(queue_url, monkeypatch, lambda_context):
    monkeypatch.setenv("QUEUE_URL", queue_url)
    monkeypatch.setattr(app, "QUEUE", Lazy(app._queue))

    answer = post_order(lambda_context, MARGHERITA)

    assert [m["MessageId"] for m in queued_messages(queue_url)] == [answer["id"]]


def test_without_a_replaced_clock_the_order_is_stamped_now_in_utc(
    queue_url, monkeypatch, lambda_context
):
    monkeypatch.setattr(app, "CLOCK", app._now)
    before = datetime.now(UTC)

    stamped = datetime.fromisoformat(post_order(lambda_context, MARGHERITA)["createdAt"])

    assert before.replace(microsecond=before.microsecond // 1000 * 1000) <= stamped
    assert stamped <= datetime.now(UTC)
