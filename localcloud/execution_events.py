"""Step Functions' execution status change events, sent to the account's default event bus.

Step Functions sends an event to the default event bus when an execution of a Standard workflow
starts and when it ends; Express workflows send none (Step Functions Developer Guide, "Automating
Step Functions event delivery with EventBridge"). Each event is a "Step Functions Execution Status
Change" from ``aws.states``, its ``resources`` the execution's ARN, and its ``detail`` the
execution as DescribeExecution gives it, ``status`` the one it changed to (RUNNING, SUCCEEDED,
FAILED, TIMED_OUT or ABORTED), the dates in milliseconds since the epoch ("Step Functions event
examples" there: ``executionArn``, ``stateMachineArn``, ``name``, ``status``, ``startDate``,
``stopDate``, ``input``, ``inputDetails``, ``output``, ``outputDetails``, ``error``, ``cause``).

moto sends none. While installed, localcloud sends them through moto's PutEvents (so rules match
them and every target, localcloud's or moto's, gets them), on the dispatcher: asynchronously, as
EventBridge delivers, and in order, the start before the end. An execution's end is queued before
its final status can be read, so ``drain`` after ``wait`` finds its event delivered. Not sent:
the redrive fields, the version and alias ARNs, and the 248 KB limit that drops input or output
(``inputDetails.included`` is always true here).
"""

from __future__ import annotations

import datetime
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from moto.events.models import events_backends
from moto.stepfunctions.parser.api import ExecutionStatus, StateMachineType
from moto.stepfunctions.parser.backend.execution import (
    BaseExecutionWorkerCommunication,
    Execution,
)

from localcloud.moto_patches import Patches
from localcloud.stepfunctions import output_text

LOG = logging.getLogger(__name__)

SOURCE = "aws.states"
DETAIL_TYPE = "Step Functions Execution Status Change"
# How long the end's delivery waits for moto to record the final status (it takes microseconds).
_STATUS_TIMEOUT = 10.0

Submit = Callable[[Callable[[], None]], None]


def _milliseconds(moment: datetime.datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp() * 1000)


def status_change_detail(execution: Execution, status: str) -> dict[str, Any]:
    """The event's ``detail``: the execution as DescribeExecution shows it, in ``status``."""
    succeeded = status == ExecutionStatus.SUCCEEDED.value
    ended = status != ExecutionStatus.RUNNING.value
    return {
        "executionArn": execution.exec_arn,
        "stateMachineArn": execution.state_machine_arn,
        "name": execution.name,
        "status": status,
        "startDate": _milliseconds(execution.start_date),
        "stopDate": _milliseconds(execution.stop_date) if ended else None,
        "input": execution.execution_input,
        "inputDetails": {"included": True},
        "output": output_text(execution.output) if succeeded else None,
        "outputDetails": {"included": True} if succeeded else None,
        "error": execution.error if ended else None,
        "cause": execution.cause if ended else None,
    }


def put_status_change(execution: Execution, detail: dict[str, Any]) -> None:
    """Put the event on the execution's account's default bus, as Step Functions does."""
    ended = execution.stop_date if detail["stopDate"] is not None else None
    moment = ended or execution.start_date
    entry = {
        "Source": SOURCE,
        "DetailType": DETAIL_TYPE,
        "Detail": json.dumps(detail),
        "Resources": [execution.exec_arn],
        "Time": moment.timestamp(),
    }
    backend = events_backends[execution.account_id][execution.region_name]
    [answer] = backend.put_events([entry])
    if "ErrorCode" in answer:
        raise RuntimeError(f"EventBridge refused {execution.exec_arn}'s event: {answer}")


def _sends_events(execution: Execution) -> bool:
    # moto keeps the machine's type as ``type``; its ``sm_type`` is always STANDARD.
    kind = getattr(execution.state_machine, "type", StateMachineType.STANDARD.value)
    return bool(kind == StateMachineType.STANDARD.value)


class ExecutionStatusEvents:
    """The patch of moto's executions that sends their status changes; installed by the
    emulator like its other changes. ``submit`` queues work on the dispatcher."""

    def __init__(self, submit: Submit) -> None:
        self._submit = submit
        self._patches = Patches()
        self._sending = threading.Event()

    def install(self) -> None:
        self._sending.set()
        original_start = Execution.start
        original_terminated = BaseExecutionWorkerCommunication.terminated
        events = self

        def start(execution: Execution) -> None:
            if execution.exec_worker is None and _sends_events(execution):
                # Its detail now: by the time the job runs the execution may have ended.
                detail = status_change_detail(execution, ExecutionStatus.RUNNING.value)
                events._send(lambda: put_status_change(execution, detail))
            original_start(execution)

        def terminated(communication: BaseExecutionWorkerCommunication) -> None:
            execution = communication.execution
            if not _sends_events(execution):
                original_terminated(communication)
                return
            recorded = threading.Event()

            def send_end() -> None:
                if not recorded.wait(_STATUS_TIMEOUT) or execution.exec_status in (
                    None,
                    ExecutionStatus.RUNNING,
                ):
                    LOG.warning("%s ended without a final status", execution.exec_arn)
                    return
                put_status_change(execution, status_change_detail(execution, execution.status))

            events._send(send_end)  # queued first: drain() waits for it once the status shows
            try:
                original_terminated(communication)
            finally:
                recorded.set()

        self._patches.patch(Execution, "start", start)
        self._patches.patch(BaseExecutionWorkerCommunication, "terminated", terminated)

    def _send(self, job: Callable[[], None]) -> None:
        if self._sending.is_set():
            self._submit(job)

    def close(self) -> None:
        """Send nothing more: executions the emulator stops as it shuts down stop unseen."""
        self._sending.clear()

    def uninstall(self) -> None:
        self.close()
        self._patches.undo()
