"""Many callers at once, through the same doors a separate program uses (the AWS endpoint and the
HTTP front door): every call is answered, and what goes in comes out, once."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from botocore.config import Config

from demo.systems.account_applications import Applications
from demo.systems.api_workflow import Items
from localcloud import LocalCloud, deploy

SIMULTANEOUS = 100
SUBMITS = 120


@pytest.fixture(scope="module")
def cloud() -> Iterator[LocalCloud]:
    # Throttling out of the way: this measures the cloud, not the stage's rate limit.
    config = {"apiThrottlingRateLimit": 10_000, "apiThrottlingBurstLimit": 10_000}
    with deploy("dev", config=config) as deployed:
        yield deployed


def endpoint_client(cloud: LocalCloud, service: str) -> Any:
    return boto3.session.Session(
        aws_access_key_id=cloud.credentials.access_key_id,
        aws_secret_access_key=cloud.credentials.secret_access_key,
        region_name=cloud.region,
    ).client(
        service,
        endpoint_url=cloud.endpoint_url,
        config=Config(max_pool_connections=SUBMITS, retries={"total_max_attempts": 1}),
    )


def test_a_hundred_simultaneous_posts_each_store_their_item_once(cloud):
    items = Items(cloud)
    run = uuid.uuid4().hex[:8]
    before = items.count()
    barrier = threading.Barrier(SIMULTANEOUS)

    def post(number: int) -> tuple[int, Any]:
        barrier.wait()
        return items.post({"id": f"{run}-{number}", "payload": {"n": number}})

    with ThreadPoolExecutor(max_workers=SIMULTANEOUS) as pool:
        answers = list(pool.map(post, range(SIMULTANEOUS)))

    assert [status for status, _ in answers] == [200] * SIMULTANEOUS
    finals = [cloud.wait(answer["executionArn"], timeout=120)["status"] for _, answer in answers]
    assert finals == ["SUCCEEDED"] * SIMULTANEOUS
    assert items.count() == before + SIMULTANEOUS
    assert all(items.stored(f"{run}-{number}") is not None for number in range(SIMULTANEOUS))


def test_a_hundred_and_twenty_concurrent_submits_are_each_answered_and_started_once(cloud):
    applications = Applications(cloud)
    lambda_ = endpoint_client(cloud, "lambda")
    run = uuid.uuid4().hex[:8]
    records, executions = applications.record_count(), len(applications.executions())

    def submit(number: int) -> Any:
        request = {
            "name": f"Spock {number}",
            "address": "123 Enterprise Street",
            "idempotencyKey": f"{run}-{number}",
        }
        response = lambda_.invoke(
            FunctionName=cloud.outputs["submitApplicationFunctionName"],
            Payload=json.dumps(request),
        )
        return response.get("FunctionError"), json.loads(response["Payload"].read())

    with ThreadPoolExecutor(max_workers=SUBMITS) as pool:
        answers = list(pool.map(submit, range(SUBMITS)))

    assert [error for error, _ in answers] == [None] * SUBMITS, answers
    ids = [answer["id"] for _, answer in answers]
    assert len(set(ids)) == SUBMITS
    finals = [applications.finished(application_id)["status"] for application_id in ids]
    assert finals == ["SUCCEEDED"] * SUBMITS
    assert applications.record_count() == records + SUBMITS
    assert len(applications.executions()) == executions + SUBMITS
