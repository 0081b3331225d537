"""The loan processor (seed 000) as its callers see it: invoke the input function, read the output
and failure queues, and (to see what the chain cost) count the calls the mock APIs answered.

Applications are started the way the seed's users start them, with an asynchronous invoke: Lambda
destinations act only then. The queues hold Lambda's invocation records.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlsplit

from demo.client import invoke, set_environment_variable
from localcloud import LocalCloud


def _serves(url: str, api_id: str) -> bool:
    """Whether ``url`` is one of the API's: ``https://<id>.execute-api...`` on AWS,
    ``http://127.0.0.1:<port>/<id>/...`` on localcloud's front door."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    return host.startswith(f"{api_id}.execute-api.") or parts.path.startswith(f"/{api_id}/")


class Loans:
    def __init__(self, cloud: LocalCloud) -> None:
        self.cloud = cloud
        self.input_function: str = cloud.outputs["loanProcessorInputFunctionName"]
        self.output_queue_url: str = cloud.outputs["loanProcessorOutputQueueUrl"]
        self.failure_queue_url: str = cloud.outputs["loanProcessorFailureQueueUrl"]
        self.api_urls: dict[str, str] = {
            "identityCheck": cloud.outputs["identityCheckApiUrl"],
            "creditReference": cloud.outputs["creditReferenceApiUrl"],
        }

    def apply(self, state: Any) -> int:
        """Start an application as its users do: an asynchronous invoke (the status, 202)."""
        response = self.cloud.client("lambda").invoke(
            FunctionName=self.input_function,
            InvocationType="Event",
            Payload=json.dumps(state),
        )
        return int(response["StatusCode"])

    def check_identity_now(self, state: Any) -> tuple[bool, Any]:
        """A synchronous invoke: (errored, the identity step's answer); no destination runs."""
        return invoke(self.cloud, self.input_function, state)

    def records(self, queue_url: str, count: int, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Up to ``count`` invocation records from the queue, each read once (deleted), waiting
        at most ``timeout`` seconds for them to arrive."""
        sqs = self.cloud.client("sqs")
        received: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while len(received) < count and time.monotonic() < deadline:
            # WaitTimeSeconds 0: the queues long-poll for 20 s by default.
            batch = sqs.receive_message(
                QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
            ).get("Messages", [])
            for message in batch:
                received.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            if not batch:
                time.sleep(0.02)
        return received

    def queued(self, queue_url: str) -> int:
        """Messages in the queue now (nothing in flight is read)."""
        self.cloud.drain()
        attributes = self.cloud.client("sqs").get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"])

    def api_function(self, api: str) -> str:
        """The name of the function behind a mock API (``identityCheck`` or
        ``creditReference``), found as API Gateway routes to it."""
        gateway = self.cloud.client("apigatewayv2")
        url = self.api_urls[api]
        for item in gateway.get_apis()["Items"]:
            if _serves(url, item["ApiId"]):
                (integration,) = gateway.get_integrations(ApiId=item["ApiId"])["Items"]
                return str(integration["IntegrationUri"]).rsplit(":", 1)[-1]
        raise LookupError(f"no HTTP API serves {url}")

    def api_calls(self) -> int:
        """How many requests the two mock APIs have answered so far."""
        functions = {self.api_function(api) for api in self.api_urls}
        return sum(name in functions for name, _ in self.cloud.runtime.invocations)

    def set_api_error_percent(self, percent: int) -> None:
        """Make both mock APIs fail ``percent`` % of calls."""
        for api in self.api_urls:
            set_environment_variable(
                self.cloud, self.api_function(api), "ERROR_PERCENT", str(percent)
            )
