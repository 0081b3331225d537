"""What one transaction of each flow does, counted from a run in localcloud (benchmarks.cost):
the billable units the README's cost table is priced from. Lambda durations vary from run to run;
every other count is exact."""

from __future__ import annotations

import pytest

from benchmarks.cost import BENCH_CONFIG, measure_flow
from benchmarks.flows import FLOWS
from localcloud import deploy

# postOrder -> intake -> SendMessage; the event source's ReceiveMessage and DeleteMessageBatch;
# the consumer; 5 states: put, payment, choice, update (completed or cancelled), publish
AN_ORDER = {
    "appsync-operations": 1,
    "lambda-requests": 3,
    "sqs-requests": 3,
    "states-transitions": 5,
    "dynamodb-write-units": 2,
    "sns-publishes": 1,
}
EXPECTED = {
    # POST /items (1 HTTP API request) -> InvokeLambda, HandleResponse -> PutItem
    "api-item": {
        "http-api-requests": 1,
        "states-transitions": 2,
        "lambda-requests": 1,
        "dynamodb-write-units": 1,
    },
    # the starter -> PutItem STARTED, the Wait, UpdateItem Done
    "task": {"states-transitions": 3, "lambda-requests": 1, "dynamodb-write-units": 2},
    # submit, two data checks, flag, review, approve; 5 conditional UpdateItems, one of which
    # (the review's clearing of the token, or the approval) finds the other was first
    "application": {"states-transitions": 7, "lambda-requests": 6, "dynamodb-write-units": 5},
    # the same for a paid order and a refused one
    "order-completed": AN_ORDER,
    "order-failed": AN_ORDER,
    # the asynchronous invoke of the identity check; its success record on the default bus;
    # the credit reference; its success record on the output queue (the mock APIs left out)
    "loan": {"lambda-requests": 2, "events-custom": 1, "sqs-requests": 1},
}


@pytest.fixture(scope="module")
def measured():
    with deploy("dev", config=BENCH_CONFIG) as cloud:
        yield {flow.key: measure_flow(cloud, flow, transactions=1) for flow in FLOWS}


@pytest.mark.parametrize("flow", list(EXPECTED))
def test_one_transaction_does_exactly_what_its_flow_should(measured, flow):
    quantities = dict(measured[flow]["quantities"])
    gb_seconds = quantities.pop("lambda-gb-seconds-arm64")
    assert gb_seconds > 0  # every function runs on arm64
    assert quantities == EXPECTED[flow]


def test_each_functions_duration_is_measured_by_its_name_in_the_program(measured):
    durations = measured["loan"]["durations_ms"]
    assert set(durations) == {
        "loan-processor-identity-check-function",
        "loan-processor-credit-reference-function",
    }
    assert all(duration > 0 for duration in durations.values())
