"""Orders (seed 002): GraphQL -> SQS -> consumer -> Step Functions -> DynamoDB and SNS."""

from __future__ import annotations

import time
from typing import Any

from demo.client import Subscriber
from demo.scenario import Outcome, Scenario
from demo.systems.orders import Orders
from localcloud import LocalCloud

SYSTEM = "Orders (seed 002): AppSync -> SQS -> Lambda -> Step Functions -> DynamoDB, SNS"
PAYMENT_ERRORS = {"could not reach payment processor", "payment method declined", "unknown error"}
PAID = ["InitializeOrder", "ProcessPayment", "PaymentOutcome", "CompleteOrder"]
REFUSED = ["InitializeOrder", "ProcessPayment", "PaymentOutcome", "CancelOrder"]


def _errors(answer: Any) -> list[tuple[str | None, str]]:
    return [(error.get("errorType"), error["message"]) for error in answer.get("errors") or []]


def _notifications_of(subscriber: Subscriber, order_id: str, timeout: float = 10.0) -> list[Any]:
    """The notifications about ``order_id`` (the envelope's orderId attribute); waits for one."""
    deadline = time.monotonic() + timeout
    found: list[Any] = []
    while not found and time.monotonic() < deadline:
        found = [
            note
            for note in subscriber.notifications()
            if note["MessageAttributes"]["orderId"]["Value"] == order_id
        ]
        time.sleep(0.02)
    return found


def order_is_paid_or_refused_and_notified(cloud: LocalCloud, outcome: Outcome) -> None:
    orders = Orders(cloud)
    subscriber = Subscriber(cloud, orders.topic_arn)
    status, answer = orders.post("Pizza", 2, "Dominos")
    order = answer["data"]["postOrder"]
    outcome.expect(
        "postOrder answers the order PENDING",
        (status, order["orderStatus"], order["quantity"], order["errorMessage"]),
        (200, "PENDING", 2, None),
    )
    outcome.executions.append(orders.execution_arn(order["id"]))
    final = orders.settled(order["id"])
    outcome.expect("its execution, named after the order, succeeds", final["status"], "SUCCEEDED")
    stored = orders.get(order["id"])["data"]["order"]
    status_now = stored["orderStatus"]
    outcome.expect("the payment decided the order", status_now in {"SUCCESS", "FAILED"}, True)
    path = orders.cloud.path(orders.execution_arn(order["id"]))
    if status_now == "SUCCESS":
        outcome.expect("paid: completed, then notified", path, [*PAID, "NotifyOrderCompleted"])
        outcome.expect("no error message", stored["errorMessage"], None)
    else:
        outcome.expect("refused: cancelled, then notified", path, [*REFUSED, "NotifyOrderFailed"])
        outcome.expect(
            "the error is one of the payment's",
            stored["errorMessage"] in PAYMENT_ERRORS,
            True,
        )
    outcome.expect(
        "the order is kept as posted, quantity a number",
        {k: stored[k] for k in ("name", "quantity", "restaurantId", "createdAt")},
        {k: order[k] for k in ("name", "quantity", "restaurantId", "createdAt")},
    )
    notes = _notifications_of(subscriber, order["id"])
    outcome.expect(
        "one notification names the order and its final status",
        [note["MessageAttributes"]["orderStatus"]["Value"] for note in notes],
        [status_now],
    )


def bad_orders_are_refused_by_name(cloud: LocalCloud, outcome: Outcome) -> None:
    orders = Orders(cloud)
    before = len(orders.executions())
    for (name, quantity, restaurant), error_type in (
        (("", 1, "Dominos"), "InvalidName"),
        (("Pizza", 0, "Dominos"), "InvalidQuantity"),
        (("Pizza", 101, "Dominos"), "InvalidQuantity"),
        (("Pizza", 1, "x" * 65), "InvalidRestaurantId"),
    ):
        _, answer = orders.post(name, quantity, restaurant)
        outcome.expect(
            f"{name!r} x {quantity} from a {len(restaurant)}-character restaurant is {error_type}",
            ([t for t, _ in _errors(answer)], answer.get("data")),
            ([error_type], None),
        )
    cloud.drain()
    outcome.expect("nothing was queued: no execution started", len(orders.executions()), before)


def settled_orders_are_read_not_changed_then_deleted(cloud: LocalCloud, outcome: Outcome) -> None:
    orders = Orders(cloud)
    _, answer = orders.post("Calzone", 1, "Luigis")
    order_id = answer["data"]["postOrder"]["id"]
    outcome.executions.append(orders.execution_arn(order_id))
    orders.settled(order_id)
    changed = orders.update(order_id, "Calzone", 3, "Luigis")
    outcome.expect(
        "a paid or refused order cannot be changed",
        [t for t, _ in _errors(changed)],
        ["OrderNotEditable"],
    )
    outcome.expect(
        "and it is as it was",
        orders.get(order_id)["data"]["order"]["quantity"],
        1,
    )
    outcome.expect(
        "deleteOrder answers its id", orders.delete(order_id)["data"], {"deleteOrder": order_id}
    )
    outcome.expect("then it is gone", orders.get(order_id)["data"], {"order": None})
    outcome.expect(
        "and a second delete finds nothing",
        [t for t, _ in _errors(orders.delete(order_id))],
        ["OrderNotFound"],
    )


def the_callers_orders_come_a_page_at_a_time(cloud: LocalCloud, outcome: Outcome) -> None:
    orders = Orders(cloud)
    for number in range(3):  # enough for two pages of two, whatever is stored already
        _, answer = orders.post(f"Pizza {number}", number + 1, "Dominos")
        orders.settled(answer["data"]["postOrder"]["id"])
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        page = orders.page(limit=2, next_token=token)["data"]["orders"]
        pages += 1
        outcome.expect(f"page {pages} holds at most 2 orders", len(page["items"]) <= 2, True)
        seen.extend(item["id"] for item in page["items"])
        token = page["nextToken"]
        if token is None:
            break
    outcome.expect("more than one page", pages > 1, True)
    stored = cloud.client("dynamodb").query(
        TableName=orders.table_name,
        KeyConditionExpression="user_id = :user",
        ExpressionAttributeValues={":user": {"S": "demo_user"}},
    )["Items"]
    outcome.expect(
        "every stored order once, in id order",
        seen,
        sorted(item["id"]["S"] for item in stored),
    )


def a_wrong_key_is_refused(cloud: LocalCloud, outcome: Outcome) -> None:
    orders = Orders(cloud)
    status, answer = orders.graphql(
        "query { orders { items { id } } }", api_key="da2-not-a-key-of-this-api"
    )
    # AWS AppSync Developer Guide, "Configuring authorization and authentication": a request
    # without a valid key is UnauthorizedException.
    outcome.expect(
        "a wrong key is answered 401 UnauthorizedException",
        (status, [t for t, _ in _errors(answer)]),
        (401, ["UnauthorizedException"]),
    )


SCENARIOS = [
    Scenario(
        SYSTEM,
        "an order is paid or refused, stored and notified",
        order_is_paid_or_refused_and_notified,
    ),
    Scenario(
        SYSTEM, "bad orders are refused by name, nothing queued", bad_orders_are_refused_by_name
    ),
    Scenario(
        SYSTEM,
        "a settled order cannot be changed, and can be deleted",
        settled_orders_are_read_not_changed_then_deleted,
    ),
    Scenario(
        SYSTEM,
        "the caller's orders come a page at a time",
        the_callers_orders_come_a_page_at_a_time,
    ),
    Scenario(SYSTEM, "a wrong API key is refused", a_wrong_key_is_refused),
]
