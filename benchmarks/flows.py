"""One business transaction of each system, run as its users run it, in a deployed localcloud.

Each flow runs one transaction and returns once it is complete (the item stored, the execution
ended, the loan's record on the output queue). What it reads to know that is observation, not
part of the transaction: it reads under ``usage.unmetered()``.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from demo.systems.account_applications import Applications
from demo.systems.api_workflow import Items
from demo.systems.loans import Loans
from demo.systems.orders import Orders
from demo.systems.task_tracker import Tasks
from localcloud import LocalCloud


class FlowFailedError(RuntimeError):
    """A transaction did not end as its flow expects: its cost would not be the flow's."""


def _expect(what: str, actual: object, expected: object) -> None:
    if actual != expected:
        raise FlowFailedError(f"{what}: {actual!r}, expected {expected!r}")


@dataclass(frozen=True)
class ThirdParties:
    """What a flow's run includes that stands in for someone else's service (the loans' mock
    credit and identity APIs): not part of the transaction's AWS bill."""

    functions: frozenset[str] = frozenset()
    api_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Flow:
    key: str
    title: str
    run: Callable[[LocalCloud], None]
    clients: int = 1
    """Transactions at once: the orders' queue batches up to 5 messages a delivery."""
    third_parties: Callable[[LocalCloud], ThirdParties] = field(
        default=lambda _cloud: ThirdParties()
    )
    prepare: Callable[[LocalCloud], object] = field(default=lambda _cloud: None)
    """Run once before the flow's transactions (not metered): the configuration it needs."""


def store_an_item(cloud: LocalCloud) -> None:
    status, started = Items(cloud).post({"id": f"bench-{uuid.uuid4()}", "payload": {"n": 1}})
    _expect("POST /items", status, 200)
    with cloud.usage.unmetered():
        _expect("the execution", cloud.wait(started["executionArn"])["status"], "SUCCEEDED")


def track_a_task(cloud: LocalCloud) -> None:
    errored, started = Tasks(cloud).start(f"bench-{uuid.uuid4().hex[:12]}")
    _expect("the starter errored", errored, False)
    with cloud.usage.unmetered():
        _expect("the execution", cloud.wait(started["executionArn"])["status"], "SUCCEEDED")


def approve_after_review(cloud: LocalCloud) -> None:
    applications = Applications(cloud)
    errored, application = applications.submit(
        {"name": "evil Spock", "address": "123 Enterprise Street"}  # the name check flags it
    )
    _expect("submit errored", errored, False)
    with cloud.usage.unmetered():
        applications.await_review(application["id"])
    errored, _ = applications.review(application["id"], "APPROVE")
    _expect("review errored", errored, False)
    with cloud.usage.unmetered():
        _expect("the execution", applications.finished(application["id"])["status"], "SUCCEEDED")
        record = applications.record(application["id"]) or {}
        _expect("the application", record.get("state"), "APPROVED")


def _order_flow(key: str, what: str, expected_status: str, failure_rate: str) -> Flow:
    """Orders are posted 5 at a time (the queue delivers up to 5 a batch), with the payment
    failing at ``failure_rate``."""
    return Flow(
        key,
        f"Orders: {what} (seed 002)",
        functools.partial(place_an_order, expected_status=expected_status),
        clients=5,
        prepare=lambda cloud: Orders(cloud).set_payment_failure_rate(failure_rate),
    )


def place_an_order(cloud: LocalCloud, expected_status: str = "SUCCESS") -> None:
    orders = Orders(cloud)
    status, answer = orders.post("Margherita", 2, "Luigis")
    _expect("postOrder", status, 200)
    order_id = answer["data"]["postOrder"]["id"]
    with cloud.usage.unmetered():
        _expect("the execution", orders.settled(order_id)["status"], "SUCCEEDED")
        stored = orders.stored(order_id) or {}
        _expect("the order", stored.get("orderStatus", {}).get("S"), expected_status)


def process_a_loan(cloud: LocalCloud) -> None:
    loans = Loans(cloud)
    applicant = {"firstName": "Trevor", "lastName": "Potter", "postcode": "PO1 1AA"}
    _expect("the asynchronous invoke", loans.apply({"input": applicant}), 202)
    with cloud.usage.unmetered():
        records = loans.records(loans.output_queue_url, 1)
        _expect("records on the output queue", len(records), 1)


def loan_mock_apis(cloud: LocalCloud) -> ThirdParties:
    loans = Loans(cloud)
    with cloud.usage.unmetered():
        functions = frozenset(loans.api_function(api) for api in loans.api_urls)
    # The APIs' URLs are http://127.0.0.1:<port>/<api id>/... on localcloud's front door.
    api_ids = frozenset(url.split("/")[3] for url in loans.api_urls.values())
    return ThirdParties(functions, api_ids)


FLOWS = [
    Flow("api-item", "API workflow: an item stored (seed 004)", store_an_item),
    Flow("task", "Task tracker: a task tracked (seed 001)", track_a_task),
    Flow(
        "application",
        "Account applications: flagged, reviewed, approved (seed 003)",
        approve_after_review,
    ),
    _order_flow("order-completed", "an order paid and completed", "SUCCESS", failure_rate="0"),
    _order_flow("order-failed", "an order whose payment failed", "FAILED", failure_rate="1"),
    Flow(
        "loan",
        "Loans: an application checked and referenced (seed 000)",
        process_a_loan,
        third_parties=loan_mock_apis,
    ),
]
