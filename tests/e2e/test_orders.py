"""Orders (seed 002) end to end, as a client uses it: a real GraphQL client (gql) against the
deployed AppSync API, notifications read from a subscribed queue, and the queue, table and
executions behind them."""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportQueryError
from gql.transport.requests import RequestsHTTPTransport

from demo.client import Subscriber
from demo.systems.orders import (
    DELETE_ORDER,
    GET_ORDER,
    LIST_ORDERS,
    POST_ORDER,
    UPDATE_ORDER,
    Orders,
)
from localcloud import LocalCloud, deploy
from localcloud.clock import Clock

PAYMENT_ERRORS = {"could not reach payment processor", "payment method declined", "unknown error"}
CONCURRENT_ORDERS = 100


@pytest.fixture(scope="module")
def cloud() -> Iterator[LocalCloud]:
    # Payments succeed unless a test says otherwise; a fast clock lets a message's visibility
    # timeout (180 s) pass in a fraction of a second.
    with deploy(
        "dev", config={"ordersPaymentFailureRate": "0"}, clock=Clock("fast", speedup=1000)
    ) as deployed:
        yield deployed


@pytest.fixture(scope="module")
def orders(cloud: LocalCloud) -> Orders:
    return Orders(cloud)


@pytest.fixture(scope="module")
def subscriber(orders: Orders) -> Subscriber:
    return Subscriber(orders.cloud, orders.topic_arn)


@pytest.fixture(scope="module")
def api(orders: Orders) -> Iterator[Any]:
    """A gql session that fetched the deployed schema by introspection and validates each
    operation against it before sending."""
    client = Client(transport=_transport(orders), fetch_schema_from_transport=True)
    with client as session:
        yield session


def _transport(orders: Orders, api_key: str | None = None) -> RequestsHTTPTransport:
    return RequestsHTTPTransport(
        url=orders.url,
        headers={"x-api-key": orders.api_key if api_key is None else api_key},
        timeout=30,
        retries=0,
    )


def _run(session: Any, query: str, **variables: Any) -> dict[str, Any]:
    return dict(session.execute(GraphQLRequest(query, variable_values=variables)))


def _refused(session: Any, query: str, **variables: Any) -> list[tuple[str, str]]:
    """The (errorType, message) of each GraphQL error the operation is answered with."""
    with pytest.raises(TransportQueryError) as refused:
        _run(session, query, **variables)
    return [(error.get("errorType"), error["message"]) for error in refused.value.errors or []]


def _post(session: Any, name: str = "Pizza", quantity: int = 2, restaurant: str = "Dominos"):
    order = {"name": name, "quantity": quantity, "restaurantId": restaurant}
    return _run(session, POST_ORDER, input=order)["postOrder"]


def _notes(subscriber: Subscriber, order_ids: set[str], count: int, timeout: float = 30.0):
    """Notifications about ``order_ids``, once ``count`` of them have arrived."""
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while len(found) < count and time.monotonic() < deadline:
        found += [
            note
            for note in subscriber.notifications()
            if note["MessageAttributes"]["orderId"]["Value"] in order_ids
        ]
        time.sleep(0.02)
    return found


@contextlib.contextmanager
def payment_failure_rate(cloud: LocalCloud, rate: str) -> Iterator[None]:
    """The payment function configured with another failure rate, as an operator would change
    it (new configuration: new execution environments), then put back."""
    orders = Orders(cloud)
    before = orders.set_payment_failure_rate(rate)
    try:
        yield
    finally:
        orders.set_payment_failure_rate(before)


# -- an order's way through the system ------------------------------------------------------


def test_given_payments_succeed_then_an_order_ends_success_with_one_notification(
    cloud, orders, api, subscriber
):
    order = _post(api, "Margherita", 3, "Dominos")

    assert order["orderStatus"] == "PENDING" and order["errorMessage"] is None
    assert orders.settled(order["id"])["status"] == "SUCCEEDED"
    assert cloud.path(orders.execution_arn(order["id"])) == [
        "InitializeOrder",
        "ProcessPayment",
        "PaymentOutcome",
        "CompleteOrder",
        "NotifyOrderCompleted",
    ]
    stored = _run(api, GET_ORDER, id=order["id"])["order"]
    assert stored == {**order, "orderStatus": "SUCCESS"}
    (note,) = _notes(subscriber, {order["id"]}, 1)
    assert note["Subject"] == f"Order {order['id']}: SUCCESS"
    assert note["MessageAttributes"]["orderStatus"] == {"Type": "String", "Value": "SUCCESS"}
    assert note["Message"] == (
        f"Your order {order['id']} (3 x Margherita from Dominos) is confirmed."
    )


def test_given_payments_fail_then_an_order_ends_failed_with_the_payments_message(
    cloud, orders, api, subscriber
):
    with payment_failure_rate(cloud, "1"):
        order = _post(api, "Hawaii", 1, "Luigis")
        assert orders.settled(order["id"])["status"] == "SUCCEEDED"

    assert cloud.path(orders.execution_arn(order["id"]))[-2:] == [
        "CancelOrder",
        "NotifyOrderFailed",
    ]
    stored = _run(api, GET_ORDER, id=order["id"])["order"]
    assert stored["orderStatus"] == "FAILED"
    assert stored["errorMessage"] in PAYMENT_ERRORS
    (note,) = _notes(subscriber, {order["id"]}, 1)
    assert note["MessageAttributes"]["orderStatus"]["Value"] == "FAILED"
    assert note["Message"].endswith(f"failed: {stored['errorMessage']}.")


def test_an_order_is_stored_as_posted_with_its_creation_time_and_a_numeric_quantity(
    cloud, orders, api
):
    order = _post(api, "Funghi", 7, "Pizzeria Roma")
    orders.settled(order["id"])

    item = orders.stored(order["id"])
    assert item == {
        "user_id": {"S": "demo_user"},
        "id": {"S": order["id"]},
        "name": {"S": "Funghi"},
        "quantity": {"N": "7"},
        "restaurantId": {"S": "Pizzeria Roma"},
        "orderStatus": {"S": "SUCCESS"},
        "createdAt": {"S": order["createdAt"]},
    }
    # AWSDateTime, in UTC with milliseconds
    assert len(order["createdAt"]) == len("2026-12-02T01:23:45.678Z")
    assert order["createdAt"].endswith("Z")


# -- reading and changing orders ------------------------------------------------------------


def test_the_callers_orders_are_listed_a_page_at_a_time_each_once(orders, api):
    posted = {_post(api, f"Pizza {n}", n + 1, "Dominos")["id"] for n in range(5)}
    for order_id in posted:
        orders.settled(order_id)

    seen: list[dict[str, Any]] = []
    token = None
    pages = 0
    while True:
        page = _run(api, LIST_ORDERS, limit=2, nextToken=token)["orders"]
        pages += 1
        assert len(page["items"]) <= 2
        seen += page["items"]
        token = page["nextToken"]
        if token is None:
            break

    ids = [order["id"] for order in seen]
    assert len(ids) == len(set(ids))
    assert posted <= set(ids)
    assert pages >= 3
    assert all(isinstance(order["quantity"], int) for order in seen)


def test_a_tampered_page_token_is_refused_by_name(api):
    errors = _refused(api, LIST_ORDERS, limit=2, nextToken="not-a-token")

    assert [error_type for error_type, _ in errors] == ["InvalidNextToken"]


def test_an_unknown_order_reads_as_null(api):
    assert _run(api, GET_ORDER, id="no-such-order") == {"order": None}


def _pending_order(orders: Orders, order_id: str) -> None:
    """An order the workflow has saved and not yet settled (its payment is running)."""
    orders.cloud.client("dynamodb").put_item(
        TableName=orders.table_name,
        Item={
            "user_id": {"S": "demo_user"},
            "id": {"S": order_id},
            "name": {"S": "Pizza"},
            "quantity": {"N": "1"},
            "restaurantId": {"S": "Dominos"},
            "orderStatus": {"S": "PENDING"},
            "createdAt": {"S": "2026-12-02T10:00:00.000Z"},
        },
    )


def test_a_pending_order_can_be_changed(orders, api):
    order_id = f"pending-{uuid.uuid4()}"
    _pending_order(orders, order_id)

    changed = _run(
        api,
        UPDATE_ORDER,
        input={"id": order_id, "name": "Quattro Stagioni", "quantity": 4, "restaurantId": "Roma"},
    )["updateOrder"]

    assert changed == {
        "id": order_id,
        "name": "Quattro Stagioni",
        "quantity": 4,
        "restaurantId": "Roma",
        "orderStatus": "PENDING",
        "createdAt": "2026-12-02T10:00:00.000Z",
        "errorMessage": None,
    }
    assert _run(api, GET_ORDER, id=order_id)["order"] == changed


def test_a_settled_or_unknown_order_cannot_be_changed_and_stays_as_it_was(orders, api):
    order = _post(api, "Diavola", 2, "Dominos")
    orders.settled(order["id"])
    before = orders.stored(order["id"])
    change = {"name": "Marinara", "quantity": 9, "restaurantId": "Roma"}

    assert [t for t, _ in _refused(api, UPDATE_ORDER, input={"id": order["id"], **change})] == [
        "OrderNotEditable"
    ]
    assert [t for t, _ in _refused(api, UPDATE_ORDER, input={"id": "no-such", **change})] == [
        "OrderNotFound"
    ]
    assert orders.stored(order["id"]) == before
    assert orders.stored("no-such") is None


def test_an_order_is_deleted_once(orders, api):
    order = _post(api, "Capricciosa", 1, "Dominos")
    orders.settled(order["id"])

    assert _run(api, DELETE_ORDER, id=order["id"]) == {"deleteOrder": order["id"]}
    assert orders.stored(order["id"]) is None
    assert [t for t, _ in _refused(api, DELETE_ORDER, id=order["id"])] == ["OrderNotFound"]


# -- what is refused ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("order", "error_type"),
    [
        ({"name": "", "quantity": 1, "restaurantId": "Dominos"}, "InvalidName"),
        ({"name": "x" * 101, "quantity": 1, "restaurantId": "Dominos"}, "InvalidName"),
        ({"name": "Pizza", "quantity": 0, "restaurantId": "Dominos"}, "InvalidQuantity"),
        ({"name": "Pizza", "quantity": 101, "restaurantId": "Dominos"}, "InvalidQuantity"),
        ({"name": "Pizza", "quantity": -3, "restaurantId": "Dominos"}, "InvalidQuantity"),
        ({"name": "Pizza", "quantity": 1, "restaurantId": ""}, "InvalidRestaurantId"),
        ({"name": "Pizza", "quantity": 1, "restaurantId": "r" * 65}, "InvalidRestaurantId"),
    ],
)
def test_a_bad_order_is_refused_by_name_and_nothing_is_queued(
    cloud, orders, api, order, error_type
):
    consumer = _consumer(cloud, orders)["FunctionArn"].rsplit(":", 1)[1]
    cloud.drain()
    executions = len(orders.executions())
    invocations = len(cloud.runtime.invocations)

    errors = _refused(api, POST_ORDER, input=order)

    assert [t for t, _ in errors] == [error_type]
    cloud.drain()
    assert len(orders.executions()) == executions
    assert consumer not in [name for name, _ in cloud.runtime.invocations[invocations:]]


@pytest.mark.parametrize("quantity", ["2.5", '"3"', "null"])
def test_a_quantity_that_is_not_a_whole_number_is_refused_by_the_schema(orders, quantity):
    order = f'{{name: "Pizza", quantity: {quantity}, restaurantId: "D"}}'
    status, answer = orders.graphql(f"mutation {{ postOrder(input: {order}) {{ id }} }}")

    assert status == 200
    assert answer["data"] is None
    assert len(answer["errors"]) == 1


@pytest.mark.parametrize("api_key", ["", "da2-wrong"])
def test_a_missing_or_wrong_key_is_refused_with_401(orders, api_key):
    status, answer = orders.graphql("query { orders { nextToken } }", api_key=api_key)
    assert status == 401
    assert [error["errorType"] for error in answer["errors"]] == ["UnauthorizedException"]

    # gql reads AppSync's 401 body as a GraphQL error answer, and raises it.
    client = Client(transport=_transport(orders, api_key=api_key))
    with pytest.raises(TransportQueryError) as refused:
        client.execute(GraphQLRequest("query { orders { nextToken } }"))
    assert [error["errorType"] for error in refused.value.errors or []] == ["UnauthorizedException"]


# -- the queue ------------------------------------------------------------------------------


def test_a_poison_message_reaches_the_dead_letter_queue_after_4_receives(cloud, orders):
    sqs = cloud.client("sqs")
    sent = sqs.send_message(QueueUrl=orders.queue_url, MessageBody="{not an order")

    dead: list[dict[str, Any]] = []
    deadline = time.monotonic() + 30
    while not dead and time.monotonic() < deadline:
        dead = sqs.receive_message(
            QueueUrl=orders.dead_letter_queue_url,
            MessageSystemAttributeNames=["ApproximateReceiveCount"],
            WaitTimeSeconds=0,
        ).get("Messages", [])
        time.sleep(0.05)

    (message,) = dead
    assert message["MessageId"] == sent["MessageId"]
    assert message["Body"] == "{not an order"
    # "The number of times a message has been received across all queues but not deleted"
    # (SQS API Reference, ReceiveMessage): 4 from the order queue, then this one.
    assert message["Attributes"]["ApproximateReceiveCount"] == "5"
    assert sent["MessageId"] not in {e["name"] for e in orders.executions()}


def test_a_message_delivered_twice_starts_one_execution(cloud, orders):
    body = {
        "userId": "demo_user",
        "name": "Pizza",
        "quantity": 2,
        "restaurantId": "Dominos",
        "createdAt": "2026-12-02T10:00:00.000Z",
    }
    sqs = cloud.client("sqs")
    # Stop the consumer so the test can be the one that delivers the message, twice, as Lambda
    # would after a lost answer.
    mapping = _consumer(cloud, orders)
    lambda_client = cloud.client("lambda")
    lambda_client.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
    try:
        message_id = sqs.send_message(QueueUrl=orders.queue_url, MessageBody=json.dumps(body))[
            "MessageId"
        ]
        (message,) = sqs.receive_message(
            QueueUrl=orders.queue_url, MessageSystemAttributeNames=["All"], WaitTimeSeconds=0
        )["Messages"]
        record = {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message["Attributes"],
            "messageAttributes": {},
            "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": _queue_arn(cloud, orders.queue_url),
            "awsRegion": cloud.region,
        }
        answers = [
            json.loads(
                lambda_client.invoke(
                    FunctionName=mapping["FunctionArn"], Payload=json.dumps({"Records": [record]})
                )["Payload"].read()
            )
            for _ in range(2)
        ]
        sqs.delete_message(QueueUrl=orders.queue_url, ReceiptHandle=message["ReceiptHandle"])
    finally:
        lambda_client.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)

    assert answers == [{"batchItemFailures": []}, {"batchItemFailures": []}]
    assert [e["name"] for e in orders.executions()].count(message_id) == 1
    assert orders.settled(message_id)["status"] == "SUCCEEDED"


def _consumer(cloud: LocalCloud, orders: Orders) -> dict[str, Any]:
    """The event source mapping that feeds the order queue to its consumer."""
    (mapping,) = cloud.client("lambda").list_event_source_mappings(
        EventSourceArn=_queue_arn(cloud, orders.queue_url)
    )["EventSourceMappings"]
    return dict(mapping)


def _queue_arn(cloud: LocalCloud, url: str) -> str:
    return cloud.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]


# -- many at once ---------------------------------------------------------------------------


def test_a_hundred_orders_posted_at_once_give_a_hundred_items_executions_and_notifications(
    orders, api, subscriber
):
    schema = api.client.schema

    def post(number: int) -> str:
        client = Client(transport=_transport(orders), schema=schema)
        order = {"name": f"Pizza {number}", "quantity": 1 + number % 100, "restaurantId": "D"}
        return str(
            client.execute(GraphQLRequest(POST_ORDER, variable_values={"input": order}))[
                "postOrder"
            ]["id"]
        )

    with ThreadPoolExecutor(max_workers=CONCURRENT_ORDERS) as pool:
        ids = list(pool.map(post, range(CONCURRENT_ORDERS)))

    assert len(set(ids)) == CONCURRENT_ORDERS
    finals = [orders.settled(order_id, timeout=120)["status"] for order_id in ids]
    assert finals == ["SUCCEEDED"] * CONCURRENT_ORDERS
    assert all(orders.stored(order_id) is not None for order_id in ids)
    named = [e["name"] for e in orders.executions()]
    assert all(named.count(order_id) == 1 for order_id in ids)
    notes = _notes(subscriber, set(ids), CONCURRENT_ORDERS)
    assert sorted(n["MessageAttributes"]["orderId"]["Value"] for n in notes) == sorted(ids)


# -- every state of the machine -------------------------------------------------------------


def test_every_state_and_both_payment_outcomes_are_entered(cloud, orders, api):
    """The four ways through the machine: paid, refused, an order stored twice, and a payment
    step that fails (an input that did not come through the API)."""
    sfn = cloud.client("stepfunctions")
    machine = cloud.outputs["ordersStateMachineArn"]
    paid = _post(api, "Pizza", 1, "Dominos")["id"]
    orders.settled(paid)
    with payment_failure_rate(cloud, "1"):
        refused = _post(api, "Pizza", 1, "Dominos")["id"]
        orders.settled(refused)
    stored = orders.stored(paid)
    again = sfn.start_execution(
        stateMachineArn=machine,
        name=f"again-{uuid.uuid4()}",
        input=json.dumps(
            {
                "id": paid,
                "userId": "demo_user",
                "name": "Pizza",
                "quantity": 1,
                "restaurantId": "Dominos",
                "createdAt": stored["createdAt"]["S"],
            }
        ),
    )["executionArn"]
    broken_id = f"broken-{uuid.uuid4()}"
    broken = sfn.start_execution(
        stateMachineArn=machine,
        name=broken_id,
        input=json.dumps(
            {
                "id": broken_id,
                "userId": "demo_user",
                "name": "Pizza",
                "quantity": 0,  # no payment for nothing: the payment function refuses it
                "restaurantId": "Dominos",
                "createdAt": "2026-12-02T10:00:00.000Z",
            }
        ),
    )["executionArn"]

    outcomes = {
        "again": cloud.wait(again),
        "broken": cloud.wait(broken),
    }
    assert (outcomes["again"]["status"], outcomes["again"]["error"]) == (
        "FAILED",
        "OrderAlreadyExists",
    )
    assert (outcomes["broken"]["status"], outcomes["broken"]["error"]) == (
        "FAILED",
        "OrderProcessingFailed",
    )
    assert "InvalidPaymentRequestError" in outcomes["broken"]["cause"]
    assert orders.stored(paid) == stored  # the second execution changed nothing
    broken_item = orders.stored(broken_id)
    assert (broken_item["orderStatus"], broken_item["errorMessage"]) == (
        {"S": "FAILED"},
        {"S": "the payment could not be processed"},
    )

    paths = [
        cloud.path(orders.execution_arn(paid)),
        cloud.path(orders.execution_arn(refused)),
        cloud.path(again),
        cloud.path(broken),
    ]
    definition = json.loads(sfn.describe_state_machine(stateMachineArn=machine)["definition"])
    assert {state for path in paths for state in path} == set(definition["States"])
    after_choice = {
        path[path.index("PaymentOutcome") + 1] for path in paths if "PaymentOutcome" in path
    }
    assert after_choice == {"CompleteOrder", "CancelOrder"}
