"""Run Lambda functions in worker processes of their own, through AWS's runtime interface client.

moto runs functions in Docker from ``LambdaFunction.invoke``; replacing it is enough for every
caller (boto3 ``invoke``, Step Functions tasks, localcloud's own event sources) to run the deployed
code here instead. moto's ``invoke`` decodes the payload before handing it on, so it is replaced
whole: the event reaches the function exactly as the caller sent it, decoded once, by the runtime.

Each function runs as on AWS: ``python -m awslambdaric`` processes (``worker_process``) started
with the function's archive, layers and environment (``worker_launch``), forked from a process
that has imported boto3 where that changes nothing the handler sees (``fork_server``; without
``fork_workers`` each starts from nothing), several at once up to a
concurrency limit and warm between invocations (``lambda_workers``), each speaking the Lambda
Runtime API to a server of its own (``runtime_api``). Handlers reach AWS with what
``environment_for(function)`` gives them (an endpoint and credentials); without it they have none.
"""

from __future__ import annotations

import base64
import json
import math
import shutil
import tempfile
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moto.awslambda.models import LambdaFunction

from localcloud.fork_server import shared_fork_server
from localcloud.lambda_workers import DEFAULT_CONCURRENCY, FunctionWorkers, RuntimeStoppedError
from localcloud.moto_patches import Patches
from localcloud.usage import UsageMeter
from localcloud.worker_launch import (
    RUNTIME_DISTRIBUTIONS,
    FunctionEnvironment,
    WorkerLauncher,
    no_environment,
)

# Invoke returns the last 4 KB of the execution log as LogResult (Lambda API reference, Invoke).
_LOG_TAIL_BYTES = 4096


@dataclass
class Invocation:
    payload: str
    errored: bool
    logs: str
    duration_ms: float
    request_id: str = ""


class LambdaRuntime:
    def __init__(
        self,
        workdir: Path,
        log_groups: dict[str, str] | None = None,
        environment_for: FunctionEnvironment = no_environment,
        concurrency: int = DEFAULT_CONCURRENCY,
        fork_workers: bool = True,
        *,
        meter: UsageMeter | None = None,
    ) -> None:
        self.workdir = workdir
        self._meter = meter
        self.log_groups = log_groups if log_groups is not None else {}
        self.invocations: list[tuple[str, bool]] = []  # (function name, errored), in order
        self._environment_for = environment_for
        self._concurrency = concurrency
        self._fork_workers = fork_workers
        self._root: Path | None = None
        self._workers: FunctionWorkers | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._patches: Patches | None = None

    # -- installation into moto -------------------------------------------------------------

    def install(self) -> None:
        runtime = self

        def invoke(
            function: LambdaFunction, body: Any, request_headers: Any, response_headers: Any
        ) -> str | bytes:
            result = runtime.run(function, body or b"{}")  # an empty payload is the event {}
            if result.errored:
                response_headers["x-amz-function-error"] = "Unhandled"  # as Lambda says it
            if request_headers.get("x-amz-invocation-type", "RequestResponse") != "RequestResponse":
                return result.payload
            tail = result.logs.encode()[-_LOG_TAIL_BYTES:]
            response_headers["x-amz-log-result"] = base64.b64encode(tail).decode()
            return result.payload.encode()

        def invoke_lambda(function: LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
            # Only moto's own invoke, replaced above, calls this, with the event already decoded;
            # it stays replaced so that nothing reaches Docker.
            result = runtime.run(function, json.dumps({} if event is None else event))
            return result.payload, result.errored, result.logs

        self._patches = Patches()
        self._patches.patch(LambdaFunction, "invoke", invoke)
        self._patches.patch(LambdaFunction, "_invoke_lambda", invoke_lambda)

    def uninstall(self) -> None:
        """Restore moto, stop every worker and remove every file the workers used."""
        if self._patches is not None:
            self._patches.undo()
            self._patches = None
        with self._lock:
            self._closed = True
            workers, root = self._workers, self._root
            self._workers = self._root = None
        if workers is not None:
            workers.stop()
        if root is not None:
            shutil.rmtree(root, ignore_errors=True)

    # -- running a function ----------------------------------------------------------------

    def run(self, function: LambdaFunction, event: bytes | str | Any) -> Invocation:
        """Invoke ``function`` synchronously. ``event`` is the payload as the caller sent it
        (JSON text, bytes or str), or a value to encode as JSON."""
        body = (
            event
            if isinstance(event, bytes)
            else event.encode()
            if isinstance(event, str)
            else json.dumps(event).encode()
        )
        request_id = str(uuid.uuid4())
        with self._function_workers().pool(function).worker() as worker:
            outcome = worker.invoke(
                request_id, body, float(function.timeout), function.function_arn
            )
        self.invocations.append((function.function_name, outcome.errored))
        if self._meter is not None:
            self._meter.record(
                "lambda-invocation",
                function=function.function_name,
                memory_mb=int(function.memory_size),
                architecture=function.architectures[0],
                duration_ms=outcome.duration_ms,
            )
        return Invocation(
            payload=outcome.payload.decode("utf-8", errors="replace"),
            errored=outcome.errored,
            logs=_execution_log(request_id, outcome.logs, outcome.duration_ms, function),
            duration_ms=outcome.duration_ms,
            request_id=request_id,
        )

    def prewarm(self, function: LambdaFunction) -> None:
        """Start the function's first worker now rather than at its first invocation."""
        self._function_workers().prewarm(function)

    def _function_workers(self) -> FunctionWorkers:
        with self._lock:
            if self._closed:
                raise RuntimeStoppedError("localcloud's Lambda runtime is stopped")
            if self._workers is None:
                self._root = Path(tempfile.mkdtemp(prefix="lambda-", dir=self.workdir))
                launcher = WorkerLauncher(self._root, self._environment_for, self.log_groups)
                fork_server = (
                    shared_fork_server(RUNTIME_DISTRIBUTIONS) if self._fork_workers else None
                )
                self._workers = FunctionWorkers(
                    launcher, self._concurrency, fork_server=fork_server
                )
            return self._workers


def _execution_log(
    request_id: str, output: str, duration_ms: float, function: LambdaFunction
) -> str:
    """The invocation's lines of the log stream, framed by the platform's START, END and REPORT
    lines as in CloudWatch Logs."""
    if output and not output.endswith("\n"):
        output += "\n"
    return (
        f"START RequestId: {request_id} Version: $LATEST\n"
        f"{output}"
        f"END RequestId: {request_id}\n"
        f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
        f"Billed Duration: {math.ceil(duration_ms)} ms\tMemory Size: {function.memory_size} MB\n"
    )
