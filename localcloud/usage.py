"""What a deployed cloud did, call by call, so that what it would cost on AWS can be counted.

AWS bills what the account's resources do: each API request to SQS, SNS, EventBridge and
DynamoDB, each Lambda invocation and its duration, each HTTP API request and each AppSync
operation (Step Functions bills state transitions, which the execution histories show). While a
window is open, the meter keeps one ``Usage`` record for each, taken where localcloud serves it:

- ``aws-call``: every request moto answers for DynamoDB, SQS, SNS, EventBridge or Step Functions,
  whoever makes it (a function through the endpoint, a state machine's task, localcloud's own
  event sources and destinations, a client), with the request's parameters and the answer.
- ``lambda-invocation``: every invocation the runtime runs, with the function's memory,
  architecture and the invocation's duration.
- ``http-api-request`` / ``graphql-request``: every request a front door accepted (authorized and
  not throttled; API Gateway and AppSync charge for those).

Records say what happened; what AWS charges for it is decided elsewhere (``benchmarks.metering``).
Requests to the other services (Lambda's own API, AppSync's, IAM's, KMS's) are not recorded:
they are control-plane calls, or counted as what they invoke.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from moto.core.responses import BaseResponse

from localcloud.moto_patches import Patches

# The services whose requests the meter records, by moto's service name.
METERED_SERVICES = frozenset({"dynamodb", "sqs", "sns", "events", "stepfunctions"})


@dataclass(frozen=True)
class Usage:
    kind: str  # "aws-call", "lambda-invocation", "http-api-request" or "graphql-request"
    details: dict[str, Any] = field(default_factory=dict)


class UsageMeter:
    """What a cloud does while a ``window()`` is open, in order. Nothing is kept otherwise: a
    cloud that serves for hours must not grow by every request it answered."""

    def __init__(self) -> None:
        self._windows: list[list[Usage]] = []
        self._lock = threading.Lock()
        self._patches: Patches | None = None
        self._observer = threading.local()

    @contextlib.contextmanager
    def window(self) -> Iterator[list[Usage]]:
        """The records of what the cloud does until the window closes."""
        records: list[Usage] = []
        with self._lock:
            self._windows.append(records)
        try:
            yield records
        finally:
            with self._lock:
                self._windows.remove(records)

    @contextlib.contextmanager
    def unmetered(self) -> Iterator[None]:
        """Calls this thread makes meanwhile are not recorded: an observer's reads (a benchmark
        polling for a result) are not part of what it measures."""
        was_active = getattr(self._observer, "active", False)
        self._observer.active = True
        try:
            yield
        finally:
            self._observer.active = was_active

    @property
    def metering(self) -> bool:
        """Whether what this thread does now is recorded."""
        return bool(self._windows) and not getattr(self._observer, "active", False)

    def record(self, kind: str, **details: Any) -> None:
        if not self.metering:
            return
        usage = Usage(kind, details)
        with self._lock:
            for records in self._windows:
                records.append(usage)

    # -- AWS API calls answered by moto ------------------------------------------------------

    def install(self) -> None:
        meter = self
        original = BaseResponse._dispatch

        def dispatch(
            handler: BaseResponse, request: Any, full_url: Any = None, headers: Any = None
        ) -> Any:
            answer = original(handler, request, full_url, headers)
            if meter.metering and handler.service_name in METERED_SERVICES:
                meter.record_call(handler, answer)
            return answer

        self._patches = Patches()
        self._patches.patch(BaseResponse, "_dispatch", dispatch)

    def uninstall(self) -> None:
        if self._patches is not None:
            self._patches.undo()
            self._patches = None

    def record_call(self, handler: BaseResponse, answer: Any) -> None:
        status, _headers, body = answer
        self.record(
            "aws-call",
            service=handler.service_name,
            operation=handler._get_action(),
            status=int(status),
            request=_request_parameters(handler),
            response=_json_or_none(body),
            request_bytes=len(handler.raw_body or b""),
        )


def _request_parameters(handler: BaseResponse) -> dict[str, Any]:
    """The request's parameters: moto's DynamoDB handler keeps them parsed in ``body``; the
    other JSON protocol services send a JSON body; query protocol services (SNS) a form."""
    body = handler.body
    if isinstance(body, dict):
        return body
    parsed = _json_or_none(body)
    if isinstance(parsed, dict):
        return parsed
    return {key: values[0] for key, values in handler.querystring.items() if values}


def _json_or_none(body: Any) -> Any:
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    if not isinstance(body, str) or not body.startswith("{"):
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None
