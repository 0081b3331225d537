"""What AWS charges per unit of each thing a transaction does: us-east-1 list prices, on demand,
without free tiers, each from the AWS pricing page it names (read 2026-12). ``metering`` counts
the units; ``cost`` multiplies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

LAMBDA = "https://aws.amazon.com/lambda/pricing/"
STEP_FUNCTIONS = "https://aws.amazon.com/step-functions/pricing/"
SQS = "https://aws.amazon.com/sqs/pricing/"
SNS = "https://aws.amazon.com/sns/pricing/"
EVENTBRIDGE = "https://aws.amazon.com/eventbridge/pricing/"
DYNAMODB = "https://aws.amazon.com/dynamodb/pricing/on-demand/"
API_GATEWAY = "https://aws.amazon.com/api-gateway/pricing/"
APPSYNC = "https://aws.amazon.com/appsync/pricing/"

MILLION = 1_000_000


@dataclass(frozen=True)
class Price:
    usd: float
    """Dollars per one ``unit``."""
    unit: str
    source: str
    note: str


PRICES: dict[str, Price] = {
    "lambda-requests": Price(0.20 / MILLION, "request", LAMBDA, "$0.20 per 1M requests"),
    "lambda-gb-seconds-arm64": Price(
        0.0000133334, "GB-second", LAMBDA, "Arm, first 7.5 billion GB-seconds a month"
    ),
    "lambda-gb-seconds-x86_64": Price(
        0.0000166667, "GB-second", LAMBDA, "x86, first 6 billion GB-seconds a month"
    ),
    "states-transitions": Price(
        0.025 / 1000, "state transition", STEP_FUNCTIONS, "Standard: $0.025 per 1,000"
    ),
    "states-express-requests": Price(
        1.00 / MILLION, "request", STEP_FUNCTIONS, "Express: $1.00 per 1M requests"
    ),
    "states-express-gb-seconds": Price(
        0.00001667, "GB-second", STEP_FUNCTIONS, "Express: first 1,000 GB-hours"
    ),
    "sqs-requests": Price(
        0.40 / MILLION, "request (64 KB chunk)", SQS, "standard queue, $0.40 per 1M"
    ),
    "sns-publishes": Price(
        0.50 / MILLION, "request (64 KB chunk)", SNS, "standard topic, $0.50 per 1M"
    ),
    "events-custom": Price(
        1.00 / MILLION, "event (64 KB chunk)", EVENTBRIDGE, "custom events, $1.00 per 1M"
    ),
    "dynamodb-write-units": Price(
        0.625 / MILLION, "write request unit", DYNAMODB, "on-demand, $0.625 per 1M"
    ),
    "dynamodb-read-units": Price(
        0.125 / MILLION, "read request unit", DYNAMODB, "on-demand, $0.125 per 1M"
    ),
    "http-api-requests": Price(
        1.00 / MILLION, "request (512 KB chunk)", API_GATEWAY, "HTTP API, first 300M a month"
    ),
    "rest-api-requests": Price(
        3.50 / MILLION, "request", API_GATEWAY, "REST API, first 333M a month"
    ),
    "appsync-operations": Price(
        4.00 / MILLION, "query or mutation", APPSYNC, "$4.00 per 1M operations"
    ),
}


class UnpricedChargeError(KeyError):
    """A quantity of something the price table does not price."""


def cost(quantities: Mapping[str, float]) -> dict[str, float]:
    """Dollars for each kind of charge in ``quantities`` (units per ``PRICES``)."""
    unknown = set(quantities) - set(PRICES)
    if unknown:
        raise UnpricedChargeError(f"no price for {sorted(unknown)}")
    return {kind: amount * PRICES[kind].usd for kind, amount in quantities.items()}
