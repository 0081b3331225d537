"""SQS event source mappings as Lambda runs them: batches, partial batch responses, visibility
timeout and redrive to the dead-letter queue.

moto invokes the function once per message from inside SendMessage, ignores BatchSize and the
function's answer, and never redrives. While installed, ``Queue.lambda_event_source_mappings``
reads as empty, which switches that path off, and ``SqsEventSource`` (an event source of the
dispatcher) polls instead. Mappings are read from moto's Lambda backend, so
create/update/delete_event_source_mapping and ``Enabled`` work as the API says.

- Batches: up to BatchSize messages per invocation (several ReceiveMessage calls when it is over
  10). MaximumBatchingWindowInSeconds is honoured loosely: with a window, the poller waits until
  BatchSize messages are visible or the window has passed on the clock since it first saw one.
- Outcome: a function error leaves the whole batch in the queue; with ReportBatchItemFailures
  only the ``batchItemFailures`` stay, and a malformed answer fails the whole batch, as on AWS.
- Visibility: messages are received with the longest visibility SQS allows and made visible
  again by the poller (ChangeMessageVisibility 0) once the queue's VisibilityTimeout has passed
  on the localcloud clock; moto's own timer runs on wall-clock time in whole seconds.
- Redrive: moto's ReceiveMessage moves a message whose receive count has reached the queue's
  RedrivePolicy maxReceiveCount to the dead-letter queue instead of returning it, as SQS does.

Not modelled: FIFO ordering guarantees beyond what moto's ReceiveMessage gives, FilterCriteria,
ScalingConfig, the mapping's own OnFailure destination, and DelaySeconds on the clock (moto
delays in wall-clock time).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError
from moto.awslambda.models import EventSourceMapping, lambda_backends
from moto.sqs.models import Queue, sqs_backends

from localcloud.clients import Clients
from localcloud.clock import Clock
from localcloud.destinations import Arn, queue_url
from localcloud.moto_patches import Patches
from localcloud.schedule import Schedule, deadline

HOLD_SECONDS = 43200  # the longest SQS visibility timeout: the poller releases messages itself
_MAX_RECEIVE = 10  # ReceiveMessage's limit per call
_PARTIAL = "ReportBatchItemFailures"


@dataclass(frozen=True)
class _Held:
    """A received message the function did not finish, to be made visible again."""

    queue_url: str
    receipt_handle: str
    region: str


def sqs_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """One ``Records[]`` entry of the event Lambda sends for an SQS message."""
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": {
            name: _message_attribute(value)
            for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if "MD5OfMessageAttributes" in message:
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def _message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    converted: dict[str, Any] = {}
    if "StringValue" in value:
        converted["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        converted["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
    return {
        **converted,
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": value["DataType"],
    }


def failed_items(response: bytes, message_ids: list[str]) -> set[str]:
    """The message IDs a ReportBatchItemFailures answer keeps in the queue.

    Empty or null answers and lists mean complete success; anything malformed, or an
    identifier that is not in the batch, means complete failure.
    """
    try:
        answer = json.loads(response) if response else None
    except ValueError:
        return set(message_ids)
    if answer is None:
        return set()
    if not isinstance(answer, dict):
        return set(message_ids)
    failures = answer.get("batchItemFailures") or []
    if not isinstance(failures, list):
        return set(message_ids)
    identifiers = [f.get("itemIdentifier") if isinstance(f, dict) else None for f in failures]
    if any(identifier not in message_ids for identifier in identifiers):
        return set(message_ids)
    return {str(identifier) for identifier in identifiers}


def _hidden_mappings(queue: Queue) -> dict[str, EventSourceMapping]:
    return {}  # moto's SendMessage finds no mapping to invoke


def _keep_mappings(queue: Queue, value: dict[str, EventSourceMapping]) -> None:
    queue.__dict__["lambda_event_source_mappings"] = value  # seen again once uninstalled


class SqsEventSource:
    """Polls every enabled SQS event source mapping of one account and region."""

    def __init__(self, clock: Clock, clients: Clients, account_id: str, region: str) -> None:
        self._clock = clock
        self._clients = clients
        self._account_id = account_id
        self._region = region
        self._releases: Schedule[_Held] = Schedule(clock)
        self._windows: dict[str, float] = {}  # mapping UUID -> end of its open batching window
        self._patches = Patches()

    # -- installation into moto -------------------------------------------------------------

    def install(self) -> None:
        self._patches.patch(
            Queue, "lambda_event_source_mappings", property(_hidden_mappings, _keep_mappings)
        )

    def uninstall(self) -> None:
        self._patches.undo()

    # -- the event source --------------------------------------------------------------------

    def poll(self) -> bool:
        for held in self._releases.pop_due():
            self._release(held)
        delivered = False
        for mapping, queue in self._sources():
            if self._ready(mapping, queue):
                delivered = self._deliver(mapping, queue) or delivered
        return delivered

    def pending(self) -> bool:
        """Messages held for their visibility timeout, or deliverable now or after a delay."""
        if len(self._releases):
            return True
        return any(
            any(message.visible or message.delayed for message in list(queue._messages))
            for _, queue in self._sources()
        )

    def _sources(self) -> Iterator[tuple[EventSourceMapping, Queue]]:
        backend = lambda_backends[self._account_id][self._region]
        for mapping in backend.list_event_source_mappings("", ""):
            arn = Arn.parse(mapping.event_source_arn)
            if not mapping.enabled or arn.service != "sqs":
                continue
            queue = sqs_backends[arn.account][arn.region].queues.get(arn.resource)
            if queue is not None:
                yield mapping, queue

    def _ready(self, mapping: EventSourceMapping, queue: Queue) -> bool:
        visible = len(queue.messages)
        if not visible:
            return False
        window = float(mapping.max_batch_window or 0)
        if not window or visible >= mapping.batch_size:
            return True
        closes = self._windows.setdefault(mapping.uuid, deadline(self._clock, window))
        return self._clock.now() >= closes

    # -- one batch ---------------------------------------------------------------------------

    def _deliver(self, mapping: EventSourceMapping, queue: Queue) -> bool:
        self._windows.pop(mapping.uuid, None)
        sqs = self._clients("sqs", queue.region)
        url = queue_url(queue.region, queue.account_id, queue.name)
        messages = self._receive(sqs, url, mapping.batch_size)
        if not messages:
            return False
        failed = {message["MessageId"] for message in messages}  # until the function says otherwise
        try:
            failed = self._invoke(mapping, queue, messages)
        finally:
            self._settle(sqs, url, queue, messages, failed)
        return True

    @staticmethod
    def _receive(sqs: Any, url: str, batch_size: int) -> list[dict[str, Any]]:
        received: list[dict[str, Any]] = []
        while len(received) < batch_size:
            asked = min(_MAX_RECEIVE, batch_size - len(received))
            response = sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=asked,
                VisibilityTimeout=HOLD_SECONDS,
                WaitTimeSeconds=0,  # never long-poll the queue's default on the dispatcher
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            batch = response.get("Messages", [])
            received.extend(batch)
            if len(batch) < asked:
                break  # the queue had no more visible: another receive would come back empty
        return received

    def _invoke(
        self, mapping: EventSourceMapping, queue: Queue, messages: list[dict[str, Any]]
    ) -> set[str]:
        """Run the function on the batch; the IDs of the messages it did not process."""
        event = {"Records": [sqs_record(m, queue.queue_arn, queue.region) for m in messages]}
        region = mapping.function_arn.split(":")[3]
        response = self._clients("lambda", region).invoke(
            FunctionName=mapping.function_arn, Payload=json.dumps(event)
        )
        answer = response["Payload"].read()
        message_ids = [message["MessageId"] for message in messages]
        if "FunctionError" in response:
            return set(message_ids)
        if _PARTIAL not in (mapping.function_response_types or []):
            return set()
        return failed_items(answer, message_ids)

    def _settle(
        self, sqs: Any, url: str, queue: Queue, messages: list[dict[str, Any]], failed: set[str]
    ) -> None:
        # Timers first: once the deletes are visible, the failed messages' clocks are running.
        visibility = float(queue.attributes["VisibilityTimeout"])
        for message in messages:
            if message["MessageId"] in failed:
                self._releases.add(_Held(url, message["ReceiptHandle"], queue.region), visibility)
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), _MAX_RECEIVE):
            entries = [
                {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                for index, message in enumerate(done[start : start + _MAX_RECEIVE])
            ]
            sqs.delete_message_batch(QueueUrl=url, Entries=entries)

    def _release(self, held: _Held) -> None:
        try:
            self._clients("sqs", held.region).change_message_visibility(
                QueueUrl=held.queue_url, ReceiptHandle=held.receipt_handle, VisibilityTimeout=0
            )
        except ClientError as error:
            if error.response["Error"]["Code"] not in (
                "ReceiptHandleIsInvalid",
                "InvalidParameterValue",
            ):
                raise  # anything but "deleted meanwhile" is a bug worth seeing
