"""Lambda asynchronous invocation as AWS runs it: queued, retried, and routed to destinations.

moto runs an ``InvocationType="Event"`` invoke synchronously, never retries it and never sends
its outcome anywhere. While installed, localcloud patches moto's ``LambdaBackend``:

- ``invoke``: an Event invoke checks the function exists, queues the event and returns at once
  (moto's response layer answers 202). Other invocation types run exactly as before, so a
  synchronous invoke never reaches a destination, as on AWS.
- ``put_function_event_invoke_config`` / ``update_function_event_invoke_config``: moto appends
  every Put and serves the first one, so a second Put or an Update never took effect. Put now
  replaces and Update merges. Both check that the function's execution role may send to each
  destination, which is when AWS checks it too ("The destination ARN ... is invalid"); a policy
  removed after that is not checked again at delivery.

Event invokes come from callers, from Lambda destinations (a function destination) and from
EventBridge rules with a function target (``localcloud.eventbridge``), all through ``invoke``.
Queued events run on the dispatcher (``AsyncLambda`` is one of its event sources) through
moto's synchronous invoke path, so LambdaRuntime runs them. A function error is retried up to
MaximumRetryAttempts times (default 2), one then two minutes apart on the localcloud clock; an
event older than MaximumEventAgeInSeconds is discarded. The final outcome goes to the OnSuccess
or OnFailure destination as the AWS invocation record. Throttling and the function's own
dead-letter queue (DeadLetterConfig) are not modelled.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from moto.awslambda.exceptions import InvalidParameterValueException
from moto.awslambda.models import LambdaBackend, LambdaFunction

from localcloud.clients import Clients
from localcloud.clock import Clock
from localcloud.destinations import (
    SUCCESS,
    Destinations,
    Outcome,
    UnsupportedDestinationError,
    invocation_record,
    required_action,
)
from localcloud.iam_check import RolePolicies
from localcloud.moto_patches import Patches
from localcloud.schedule import Schedule, elapsed

LOG = logging.getLogger(__name__)

DEFAULT_RETRY_ATTEMPTS = 2
DEFAULT_MAX_EVENT_AGE = 21600.0
RETRY_DELAYS = (60.0, 120.0)  # seconds before the first and the second retry, as on AWS
_PATCHED = ("invoke", "put_function_event_invoke_config", "update_function_event_invoke_config")


@dataclass(frozen=True)
class EventInvokeConfig:
    """A function's asynchronous invocation settings, AWS defaults filled in."""

    max_retry_attempts: int = DEFAULT_RETRY_ATTEMPTS
    max_event_age: float = DEFAULT_MAX_EVENT_AGE
    on_success: str | None = None
    on_failure: str | None = None

    @classmethod
    def of(cls, function: LambdaFunction) -> EventInvokeConfig:
        if not function.event_invoke_config:
            return cls()
        config: dict[str, Any] = function.event_invoke_config[-1].config
        return cls(
            max_retry_attempts=int(config.get("MaximumRetryAttempts", DEFAULT_RETRY_ATTEMPTS)),
            max_event_age=float(config.get("MaximumEventAgeInSeconds", DEFAULT_MAX_EVENT_AGE)),
            on_success=_destination(config, "OnSuccess"),
            on_failure=_destination(config, "OnFailure"),
        )


def _destination(config: dict[str, Any], key: str) -> str | None:
    destination = config.get("DestinationConfig", {}).get(key, {}).get("Destination")
    return str(destination) if destination else None


@dataclass
class QueuedEvent:
    """One asynchronous invocation, from the 202 to its final outcome."""

    request_id: str
    backend: LambdaBackend
    function_arn: str  # unqualified
    qualifier: str | None
    body: str
    received_at: float  # clock.now() when it was queued
    attempts: int = 0
    last: Outcome | None = None

    @property
    def qualified_arn(self) -> str:
        return f"{self.function_arn}:{self.qualifier or '$LATEST'}"

    def config(self) -> EventInvokeConfig:
        return EventInvokeConfig.of(self.backend.get_function(self.function_arn))


def _invocation_type(headers: Any) -> str:
    for key, value in dict(headers or {}).items():
        if key.lower() == "x-amz-invocation-type":
            return str(value)
    return "RequestResponse"


def _split_qualifier(
    function: LambdaFunction, name: str, qualifier: str | None
) -> tuple[str, str | None]:
    """The function's unqualified ARN and the qualifier the caller asked for, if any."""
    arn = ":".join(function.function_arn.split(":")[:7])
    parts = name.split(":")
    embedded = parts[7] if name.startswith("arn:") and len(parts) > 7 else None
    return arn, qualifier or embedded


class AsyncLambda:
    """Queued asynchronous invocations; an event source of the dispatcher."""

    def __init__(self, clock: Clock, clients: Clients) -> None:
        self._clock = clock
        self._clients = clients
        self._destinations = Destinations(clients)
        self._schedule: Schedule[QueuedEvent] = Schedule(clock)
        self._originals: dict[str, Any] = {}
        self._patches = Patches()

    # -- installation into moto -------------------------------------------------------------

    def install(self) -> None:
        self._originals = {name: getattr(LambdaBackend, name) for name in _PATCHED}
        self._patches.patch(LambdaBackend, "invoke", self._patched_invoke())
        self._patches.patch(LambdaBackend, "put_function_event_invoke_config", self._patched_put())
        self._patches.patch(LambdaBackend, "update_function_event_invoke_config", _update_merges)

    def uninstall(self) -> None:
        self._patches.undo()
        self._originals = {}

    def _patched_invoke(self) -> Any:
        original = self._originals["invoke"]
        queue = self

        def invoke(  # noqa: PLR0917 - moto's signature
            backend: LambdaBackend,
            function_name: str,
            qualifier: str | None,
            body: Any,
            headers: Any,
            response_headers: Any,
        ) -> str | bytes | None:
            if _invocation_type(headers) != "Event":
                return original(backend, function_name, qualifier, body, headers, response_headers)
            function = backend.get_function(function_name, qualifier)  # unknown function: 404 now
            queue.submit(backend, function, function_name, qualifier, body)
            return b""

        return invoke

    def _patched_put(self) -> Any:
        original = self._originals["put_function_event_invoke_config"]

        def put(
            backend: LambdaBackend, function_name: str, config: dict[str, Any]
        ) -> dict[str, Any]:
            function = backend.get_function(function_name)
            check_destinations(function, config)
            function.event_invoke_config = []  # a Put replaces the whole configuration
            return original(backend, function_name, config)

        return put

    # -- the queue ---------------------------------------------------------------------------

    def submit(
        self,
        backend: LambdaBackend,
        function: LambdaFunction,
        function_name: str,
        qualifier: str | None,
        body: Any,
    ) -> QueuedEvent:
        if isinstance(body, bytes):
            body = body.decode()
        json.loads(body or "{}")  # a payload that is not JSON is refused at the call, as on AWS
        arn, qualifier = _split_qualifier(function, function_name, qualifier)
        event = QueuedEvent(
            request_id=str(uuid.uuid4()),
            backend=backend,
            function_arn=arn,
            qualifier=qualifier,
            body=body or "{}",
            received_at=self._clock.now(),
        )
        self._schedule.add(event)
        return event

    def poll(self) -> bool:
        due = self._schedule.pop_due()
        for event in due:
            self._attempt(event)
        return bool(due)

    def pending(self) -> bool:
        return len(self._schedule) > 0

    # -- one attempt and its consequences ----------------------------------------------------

    def _attempt(self, event: QueuedEvent) -> None:
        config = event.config()
        if event.attempts and elapsed(self._clock, event.received_at) >= config.max_event_age:
            self._finish(event, "EventAgeExceeded", config.on_failure)
            return
        event.last = self._run(event)
        event.attempts += 1
        if not event.last.errored:
            self._finish(event, SUCCESS, config.on_success)
        elif event.attempts > config.max_retry_attempts:
            self._finish(event, "RetriesExhausted", config.on_failure)
        else:
            delay = RETRY_DELAYS[min(event.attempts, len(RETRY_DELAYS)) - 1]
            self._schedule.add(event, delay)

    def _run(self, event: QueuedEvent) -> Outcome:
        """Run the function once through moto's synchronous invoke path."""
        qualifier = {"Qualifier": event.qualifier} if event.qualifier else {}
        region = event.function_arn.split(":")[3]
        response = self._clients("lambda", region).invoke(
            FunctionName=event.function_arn, Payload=event.body, **qualifier
        )
        text = response["Payload"].read()
        return Outcome(
            payload=json.loads(text) if text else None,
            errored="FunctionError" in response,
            executed_version=response.get("ExecutedVersion", "$LATEST"),
        )

    def _finish(self, event: QueuedEvent, condition: str, destination: str | None) -> None:
        record = invocation_record(
            request_id=event.request_id,
            function_arn=event.qualified_arn,
            condition=condition,
            attempts=event.attempts,
            request=json.loads(event.body),
            outcome=event.last,
        )
        if destination:
            self._destinations.deliver(destination, record)
        elif condition != SUCCESS:
            LOG.warning("%s of %s discarded: %s", event.request_id, event.qualified_arn, condition)


def check_destinations(function: LambdaFunction, config: dict[str, Any]) -> None:
    """Refuse a destination the function's execution role may not send to, as Lambda does."""
    destinations = [d for key in ("OnSuccess", "OnFailure") if (d := _destination(config, key))]
    if not destinations:
        return
    role = RolePolicies.of(function.role)
    for destination in destinations:
        try:
            action = required_action(destination)
        except UnsupportedDestinationError as error:
            raise InvalidParameterValueException(
                f"The destination ARN {destination} is invalid. {error}"
            ) from error
        if not role.allows(action, destination):
            raise InvalidParameterValueException(
                f"The destination ARN {destination} is invalid. The function's execution role "
                f"{function.role} is not allowed to perform {action} on it."
            )


def _update_merges(
    backend: LambdaBackend, function_name: str, config: dict[str, Any]
) -> dict[str, Any]:
    """UpdateFunctionEventInvokeConfig changes only the settings it names."""
    function = backend.get_function(function_name)
    current = function.event_invoke_config[-1].config if function.event_invoke_config else {}
    result: dict[str, Any] = backend.put_function_event_invoke_config(
        function_name, {**current, **config}
    )
    return result
