"""One Lambda execution environment: a worker process running AWS's runtime interface client.

The worker is ``python -S -m awslambdaric <handler>`` (started from nothing by ``start_plain``, or
forked by ``fork_server``) with its own Runtime API server (``runtime_api``). It initializes once
(imports the handler module) and then asks for invocations one at a time, as a Lambda execution
environment does, keeping module state warm in between.
``invoke`` hands it one invocation and waits for the outcome:

- the runtime's response or error, byte for byte as awslambdaric posted it (AWS's own payloads);
- an init error (``Runtime.ImportModuleError``, ``Runtime.HandlerNotFound``...), after which the
  runtime exits, as it does on AWS;
- a timeout: the function's timeout counts from the moment the runtime takes the invocation, as on
  AWS; past it the worker is killed, because a Python handler cannot be stopped any other way;
- the process dying on its own (``Runtime.ExitError``).

Everything the process writes to stdout and stderr goes to a log file of its own; an invocation's
logs are what was written while it ran (the runtime writes before it posts its result).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from localcloud.runtime_api import NextInvocation, RuntimeApiServer

# On AWS the Init phase may take 10 s before Lambda gives up on it.
INIT_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class WorkerLaunch:
    """How to start a worker: ``python -S -m MODULE ARGUMENTS`` in its working directory (the task
    root) with its environment, its output going to its log file. ``own_paths`` are the
    directories of the function's code and layers."""

    module: str
    arguments: list[str]
    directory: Path
    environment: dict[str, str]
    log_path: Path
    own_paths: tuple[Path, ...]

    @property
    def command(self) -> list[str]:
        return [sys.executable, "-S", "-m", self.module, *self.arguments]


class WorkerProcess(Protocol):
    """What a worker needs of its process: ``subprocess.Popen``, or a forked one."""

    pid: int
    returncode: int | None

    def wait(self) -> int: ...


StartProcess = Callable[[WorkerLaunch, dict[str, str]], WorkerProcess]
"""Starts a worker's process with the launch and its final environment."""


def start_plain(launch: WorkerLaunch, environment: dict[str, str]) -> WorkerProcess:
    """A new interpreter for the worker."""
    with launch.log_path.open("ab") as log:  # the child keeps its own descriptor
        return subprocess.Popen(
            launch.command,
            cwd=launch.directory,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            # A group of its own: killing it kills whatever the handler started too.
            start_new_session=True,
        )


@dataclass
class Outcome:
    payload: bytes
    errored: bool
    logs: str
    duration_ms: float


@dataclass
class _Pending:
    request_id: str
    body: bytes
    function_arn: str
    timeout: float
    taken_at: float | None = None
    result: tuple[bytes, bool] | None = field(default=None, repr=False)


def timeout_error(request_id: str, timeout: float) -> bytes:
    """What a synchronous caller receives when a function times out on AWS (errorType first)."""
    message = f"RequestId: {request_id} Error: Task timed out after {timeout:.2f} seconds"
    return json.dumps({"errorType": "Sandbox.Timedout", "errorMessage": message}).encode()


def _exit_error(request_id: str, returncode: int | None) -> bytes:
    status = (
        f"signal: {signal.Signals(-returncode).name.removeprefix('SIG').lower()}"
        if returncode is not None and returncode < 0
        else f"exit status {returncode}"
    )
    message = f"RequestId: {request_id} Error: Runtime exited with error: {status}"
    return json.dumps({"errorType": "Runtime.ExitError", "errorMessage": message}).encode()


def _timestamp() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Worker:
    """A worker process and its Runtime API; the ``RuntimeApiBackend`` its server calls."""

    def __init__(
        self,
        launch: WorkerLaunch,
        init_timeout: float = INIT_TIMEOUT_SECONDS,
        start: StartProcess = start_plain,
    ) -> None:
        self._init_timeout = init_timeout
        self._changed = threading.Condition()
        self._assigned: _Pending | None = None  # waiting for the runtime to take it
        self._current: _Pending | None = None  # taken, no result yet
        self._init_error: bytes | None = None
        self._stopping = False
        self._killed = False
        self._log_path = launch.log_path
        self._log_offset = 0
        self._server = RuntimeApiServer(self)
        self._server.start()
        try:
            environment = {**launch.environment, "AWS_LAMBDA_RUNTIME_API": self._server.address}
            self._process = start(launch, environment)
        except BaseException:
            self._server.stop()
            raise
        # A daemon: should localcloud die without stopping it, the worker ends by itself when
        # its Runtime API connection drops.
        self._reaper = threading.Thread(target=self._reap, name="lambda-worker-reaper", daemon=True)
        self._reaper.start()

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def reusable(self) -> bool:
        """Still initialized and alive: a later invocation may run here warm."""
        with self._changed:
            return not (
                self._exited() or self._killed or self._stopping or self._init_error is not None
            )

    # -- the caller's side -----------------------------------------------------------------

    def invoke(self, request_id: str, body: bytes, timeout: float, function_arn: str) -> Outcome:
        pending = _Pending(request_id, body, function_arn, timeout)
        started = time.monotonic()
        late = False
        with self._changed:
            self._assigned = pending
            self._changed.notify_all()
            self._changed.wait_for(
                lambda: pending.taken_at is not None or self._gone(), self._init_timeout
            )
            if pending.taken_at is None:
                self._assigned = None
                late = not self._gone()
            else:
                remaining = pending.taken_at + timeout - time.monotonic()
                self._changed.wait_for(
                    lambda: pending.result is not None or self._gone(), remaining
                )
                self._current = None
                late = pending.result is None and not self._gone()
        if late:
            self._kill()
        ended = time.monotonic()
        payload, errored, note = self._outcome(pending, late)
        logs = self._read_logs() + note
        return Outcome(payload, errored, logs, (ended - (pending.taken_at or started)) * 1000)

    def _outcome(self, pending: _Pending, late: bool) -> tuple[bytes, bool, str]:
        if pending.result is not None:
            return pending.result[0], pending.result[1], ""
        if late:
            # An init past its limit is a timeout too (AWS then retries the init within the
            # invocation's own timeout; localcloud does not retry).
            limit = pending.timeout if pending.taken_at is not None else self._init_timeout
            line = f"{_timestamp()} {pending.request_id} Task timed out after {limit:.2f} seconds\n"
            return timeout_error(pending.request_id, limit), True, line
        if self._init_error is not None:
            return self._init_error, True, ""
        self._process.wait()  # gone without an answer: reap it to report its exit status
        return _exit_error(pending.request_id, self._process.returncode), True, ""

    def stop(self) -> None:
        """Kill the process and its children, stop the Runtime API, close everything."""
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        self._kill()
        self._reaper.join()
        self._server.stop()

    # -- the Runtime API's side ------------------------------------------------------------

    def next_invocation(self) -> NextInvocation | None:
        with self._changed:
            self._changed.wait_for(lambda: self._assigned is not None or self._stopping)
            pending = self._assigned
            if pending is None:
                return None
            self._assigned, self._current = None, pending
            pending.taken_at = time.monotonic()
            self._changed.notify_all()
        return NextInvocation(
            request_id=pending.request_id,
            body=pending.body,
            deadline_ms=int((time.time() + pending.timeout) * 1000),
            function_arn=pending.function_arn,
            trace_id=_trace_header(),
        )

    def invocation_result(self, request_id: str, body: bytes, errored: bool) -> bool:
        with self._changed:
            current = self._current
            if current is None or current.request_id != request_id:
                return False
            current.result = (body, errored)
            self._current = None
            self._changed.notify_all()
            return True

    def init_error(self, body: bytes) -> None:
        with self._changed:
            self._init_error = body
            self._changed.notify_all()

    # -- the process -----------------------------------------------------------------------

    def _exited(self) -> bool:
        return self._process.returncode is not None

    def _gone(self) -> bool:
        """No result can come any more (called holding the condition)."""
        return self._exited() or self._stopping or self._init_error is not None

    def _reap(self) -> None:
        self._process.wait()
        with self._changed:
            self._changed.notify_all()

    def _kill(self) -> None:
        with self._changed:
            first, self._killed = not self._killed, True
        if first:
            # The group outlives its leader while anything the handler started still runs.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGKILL)
        self._process.wait()

    def _read_logs(self) -> str:
        try:
            with self._log_path.open("rb") as log:
                log.seek(self._log_offset)
                text = log.read()
        except FileNotFoundError:  # the runtime was uninstalled while this invocation ran
            return ""
        self._log_offset += len(text)
        return text.decode("utf-8", errors="replace")


def _trace_header() -> str:
    """An X-Ray trace header as Lambda passes it (``Root=1-<epoch hex>-<24 hex>``), unsampled."""
    root = f"1-{int(time.time()):08x}-{os.urandom(12).hex()}"
    return f"Root={root};Parent={os.urandom(8).hex()};Sampled=0"
