"""The same transactions as the seeds' original designs would run them, counted by the same
rules (``metering``) and priced from the same table, for comparison with what this project's
design measurably did.

The seeds' systems are not deployed here, so what they do per transaction is written out below
from their documents (``../shared/seeds``) and ``../shared/docs/seed-notes.md``: which states an
execution enters on the same path, which functions run and what they read and write. Their
functions run 128 MB on x86_64, the default of CDK, SAM and the Serverless Framework that the
seeds deploy with (seed 003 sets ``memorySize: 128``). A seed function is given the measured
duration of this project's function that does the same work; where this project has no such
function (its state machines call DynamoDB and SNS directly), the measured duration of the API
workflow's put function, which makes one DynamoDB write, stands for each AWS call the seed's
function makes. Where both designs share a path (an SQS queue read by an event source mapping),
the seed is given this run's measured count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from benchmarks.metering import Quantities, lambda_invocation, total

SEED_MEMORY_MB = 128
SEED_ARCHITECTURE = "x86_64"


@dataclass(frozen=True)
class Measured:
    """What this project's design did, per transaction, across every flow of the run."""

    durations_ms: Mapping[str, float]
    """Mean duration (ms) of each function, by its name in the program."""
    per_flow: Mapping[str, Quantities]
    invocations_per_flow: Mapping[str, Mapping[str, float]]

    def duration(self, function: str) -> float:
        return self.durations_ms[function]

    def one_aws_call(self) -> float:
        return self.duration("api-workflow-put-function")


def seed_function(duration_ms: float, times: float = 1.0) -> Quantities:
    single = lambda_invocation(SEED_MEMORY_MB, SEED_ARCHITECTURE, duration_ms)
    return Counter({kind: amount * times for kind, amount in single.items()})


def api_item(measured: Measured) -> Quantities:
    """Seed 004: an API Gateway endpoint (SAM's, a REST API) starts the console-made machine:
    InvokeLambda (the put function, one PutItem) then HandleResponse (Pass)."""
    return total(
        [
            Counter({"rest-api-requests": 1, "states-transitions": 2, "dynamodb-write-units": 1}),
            seed_function(measured.duration("api-workflow-put-function")),
        ]
    )


def task(measured: Measured) -> Quantities:
    """Seed 001: the starter function starts the machine: PutItem, Wait, UpdateItem, each a
    state, all direct DynamoDB integrations."""
    return total(
        [
            Counter({"states-transitions": 3, "dynamodb-write-units": 2}),
            seed_function(measured.duration("task-tracker-starter-function")),
        ]
    )


def application(measured: Measured) -> Quantities:
    """Seed 003's final machine on the flagged-then-approved path: Check Applicant Data
    (Parallel) with Check Name and Check Address, Review Required?, Pending Review (the flag
    function, waiting for the token), Review Approved?, Approve Application: 7 states. Functions:
    submit, two data checks, flag, review, approve. Submit puts the record; flag, review and
    approve each get it (DocumentClient: eventually consistent) and put it back."""
    functions = [
        ("account-applications-submit-function", 1),
        ("account-applications-data-checking-function", 2),
        ("account-applications-flag-function", 1),
        ("account-applications-review-function", 1),
        ("account-applications-approve-function", 1),
    ]
    return total(
        [
            Counter(
                {"states-transitions": 7, "dynamodb-write-units": 4, "dynamodb-read-units": 1.5}
            ),
            *(seed_function(measured.duration(name), times) for name, times in functions),
        ]
    )


def _order(measured: Measured, flow: str) -> Quantities:
    """Seed 002: AppSync sends the order to SQS itself (an HTTP data source, no function); the
    consumer starts the machine; inside it, initialize order (PutItem), process payment, the
    Choice, then complete or cancel the order (UpdateItem, and the SNS publish from the same
    function): 4 states, 3 functions in the machine."""
    shared_path = measured.per_flow[flow]
    consumer_runs = measured.invocations_per_flow[flow]["order-processing-consumer-function"]
    one_call = measured.one_aws_call()
    return total(
        [
            Counter(
                {
                    "appsync-operations": 1,
                    "sqs-requests": shared_path["sqs-requests"],
                    "states-transitions": 4,
                    "dynamodb-write-units": 2,
                    "sns-publishes": 1,
                }
            ),
            seed_function(measured.duration("order-processing-consumer-function"), consumer_runs),
            seed_function(one_call),  # initialize order
            seed_function(measured.duration("order-processing-payment-function")),
            seed_function(2 * one_call),  # complete or cancel, then publish
        ]
    )


def order_completed(measured: Measured) -> Quantities:
    return _order(measured, "order-completed")


def order_failed(measured: Measured) -> Quantities:
    return _order(measured, "order-failed")


def loan(measured: Measured) -> Quantities:
    """Seed 000 (CDK): the same chain as this project's: an asynchronous invoke of the identity
    check proxy, its success record on the default bus (CDK's ``responseOnly``), the rule invoking
    the credit reference proxy, whose success record goes to the output queue. The mock APIs are
    third parties in both designs and left out of both."""
    return total(
        [
            Counter({"events-custom": 1, "sqs-requests": 1}),
            seed_function(measured.duration("loan-processor-identity-check-function")),
            seed_function(measured.duration("loan-processor-credit-reference-function")),
        ]
    )


SEED_DESIGNS: dict[str, Callable[[Measured], Quantities]] = {
    "api-item": api_item,
    "task": task,
    "application": application,
    "order-completed": order_completed,
    "order-failed": order_failed,
    "loan": loan,
}
