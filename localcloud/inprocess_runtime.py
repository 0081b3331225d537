"""Run Lambda functions in localcloud's own process from the archives moto holds.

The runtime localcloud started with, kept while handlers can reach AWS only through moto's
in-process patching: ``localcloud.lambda_runtime`` runs functions in worker processes of their own
through AWS's runtime interface client, and replaces this one once handlers reach AWS through an
HTTP endpoint.

moto runs functions in Docker; ``LambdaFunction._invoke_lambda`` is the one place that does, so
replacing it is enough for every caller (boto3 ``invoke``, Step Functions tasks, localcloud's own
event sources) to run the deployed code here instead.

Each function gets its own execution environment: its archive extracted to its own directory, its
own modules (two functions may both ship a package called ``applications`` with different
configuration), its own environment variables, and module state kept warm between invocations.
Python has one ``sys.modules``, so an invocation swaps the function's modules in and out under a
process-wide re-entrant lock: invocations run one at a time, which is correct but not parallel.
Its environment variables are not written into the process's ``os.environ``, which other threads
(executions, the front door, tests) read and iterate at any moment: while installed,
``os.environ`` is a ``ThreadEnviron`` whose view inside an invocation adds the function's
variables, in that thread only.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import io
import json
import os
import sys
import threading
import time
import traceback
import types
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moto.awslambda.models import LambdaFunction

from localcloud.lambda_context import LambdaContext
from localcloud.lambda_runtime import Invocation


class _RoutingStream(io.TextIOBase):
    """stdout that writes into the current invocation's log buffer when there is one."""

    def __init__(self, target: Any) -> None:
        self._target = target
        self._local = threading.local()

    @contextlib.contextmanager
    def capture(self) -> Iterator[io.StringIO]:
        buffer = io.StringIO()
        previous = getattr(self._local, "buffer", None)
        self._local.buffer = buffer
        try:
            yield buffer
        finally:
            self._local.buffer = previous

    def write(self, text: str) -> int:
        buffer = getattr(self._local, "buffer", None)
        return (buffer or self._target).write(text)

    def flush(self) -> None:
        self._target.flush()

    def isatty(self) -> bool:
        return False


class ThreadEnviron(os._Environ):
    """``os.environ`` as each thread sees it: inside an invocation, the process environment plus
    that function's variables; in every other thread, the process environment alone. No thread
    sees another's variables appear or vanish (iterating ``os.environ`` while they did raised
    KeyError)."""

    def __init__(self, environ: os._Environ[str]) -> None:
        # os._Environ.__init__ would bind _data; here it is a per-thread property.
        self.encodekey, self.decodekey = environ.encodekey, environ.decodekey
        self.encodevalue, self.decodevalue = environ.encodevalue, environ.decodevalue
        self.process = environ
        self._process_data: dict[Any, Any] = environ._data  # type: ignore[attr-defined]
        self._local = threading.local()

    @property
    def _data(self) -> dict[Any, Any]:
        overlay = getattr(self._local, "data", None)
        return self._process_data if overlay is None else overlay

    @contextlib.contextmanager
    def overlay(self, variables: dict[str, str]) -> Iterator[None]:
        """In this thread, ``variables`` on top of what it sees now (nested invocations stack)."""
        previous = getattr(self._local, "data", None)
        encoded = {self.encodekey(k): self.encodevalue(v) for k, v in variables.items()}
        self._local.data = {**self._data, **encoded}
        try:
            yield
        finally:
            self._local.data = previous


@dataclass
class _Environment:
    """One function's execution environment: where its code is and the modules it imported."""

    directory: Path
    top_level: frozenset[str]
    modules: dict[str, types.ModuleType]


class InProcessLambdaRuntime:
    def __init__(self, workdir: Path, log_groups: dict[str, str] | None = None) -> None:
        self.workdir = workdir
        self.log_groups = log_groups if log_groups is not None else {}
        self._environments: dict[tuple[str, str], _Environment] = {}
        self._lock = threading.RLock()
        self._original_invoke: Any = None
        self._stdout: _RoutingStream | None = None
        self.invocations: list[tuple[str, bool]] = []  # (function name, errored), in order

    # -- installation into moto -------------------------------------------------------------

    def install(self) -> None:
        runtime = self

        def invoke_in_process(function: LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
            result = runtime.run(function, event)
            return result.payload, result.errored, result.logs

        self._original_invoke = LambdaFunction._invoke_lambda
        LambdaFunction._invoke_lambda = invoke_in_process  # type: ignore[method-assign,assignment]
        self._stdout = _RoutingStream(sys.stdout)
        sys.stdout = self._stdout
        if not isinstance(os.environ, ThreadEnviron):
            os.environ = ThreadEnviron(os.environ)  # noqa: B003 - a view of the same variables

    def uninstall(self) -> None:
        if isinstance(os.environ, ThreadEnviron):
            os.environ = os.environ.process  # noqa: B003 - the process's own again
        if self._original_invoke is not None:
            LambdaFunction._invoke_lambda = self._original_invoke  # type: ignore[method-assign]
            self._original_invoke = None
        if self._stdout is not None and sys.stdout is self._stdout:
            sys.stdout = self._stdout._target
        self._stdout = None

    # -- running a function ----------------------------------------------------------------

    def _environment(self, function: LambdaFunction) -> _Environment:
        code: bytes = function.code_bytes
        digest = hashlib.sha256(code).hexdigest()[:16]
        key = (function.function_arn, digest)
        if key not in self._environments:
            directory = self.workdir / f"{function.function_name}-{digest}"
            with zipfile.ZipFile(io.BytesIO(code)) as archive:
                archive.extractall(directory)
                top_level = frozenset(
                    name.split("/", 1)[0].removesuffix(".py") for name in archive.namelist()
                )
            self._environments[key] = _Environment(directory, top_level, {})
        return self._environments[key]

    def _lambda_env(self, function: LambdaFunction, environment: _Environment) -> dict[str, str]:
        log_group = self.log_groups.get(
            function.function_arn, f"/aws/lambda/{function.function_name}"
        )
        return {
            "AWS_LAMBDA_FUNCTION_NAME": function.function_name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
            "AWS_LAMBDA_LOG_GROUP_NAME": log_group,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.run_time}",
            "AWS_REGION": function.region,
            "AWS_DEFAULT_REGION": function.region,
            "LAMBDA_TASK_ROOT": str(environment.directory),
            "_HANDLER": function.handler,
            **{key: str(value) for key, value in function.environment_vars.items()},
        }

    @contextlib.contextmanager
    def _entered(self, function: LambdaFunction, environment: _Environment) -> Iterator[None]:
        """Swap in the function's modules, import path and environment variables."""

        def owned(module_name: str) -> bool:
            return module_name.split(".", 1)[0] in environment.top_level

        saved_modules = {name: sys.modules.pop(name) for name in list(sys.modules) if owned(name)}
        sys.modules.update(environment.modules)
        sys.path.insert(0, str(environment.directory))
        importlib.invalidate_caches()
        variables = self._lambda_env(function, environment)
        overlay = (
            os.environ.overlay(variables)
            if isinstance(os.environ, ThreadEnviron)
            else contextlib.nullcontext()
        )
        try:
            with overlay:
                yield
        finally:
            environment.modules.clear()
            environment.modules.update(
                {name: sys.modules.pop(name) for name in list(sys.modules) if owned(name)}
            )
            sys.modules.update(saved_modules)
            with contextlib.suppress(ValueError):
                sys.path.remove(str(environment.directory))

    def run(self, function: LambdaFunction, event: Any) -> Invocation:
        if isinstance(event, str | bytes):
            event = json.loads(event or "{}")
        started = time.monotonic()
        with self._lock:
            environment = self._environment(function)
            context = LambdaContext(
                function_name=function.function_name,
                invoked_function_arn=function.function_arn,
                memory_limit_in_mb=int(function.memory_size),
                timeout_seconds=float(function.timeout),
                log_group_name=self.log_groups.get(function.function_arn, ""),
            )
            capture = (
                self._stdout.capture() if self._stdout else contextlib.nullcontext(io.StringIO())
            )
            with capture as logs, self._entered(function, environment):
                payload, errored = self._call_handler(function, event, context)
            duration = time.monotonic() - started
            if duration > float(function.timeout):
                payload = json.dumps(
                    {
                        "errorType": "Sandbox.Timedout",
                        "errorMessage": (
                            f"Task timed out after {float(function.timeout):.2f} seconds"
                        ),
                    }
                )
                errored = True
            self.invocations.append((function.function_name, errored))
        return Invocation(payload, errored, logs.getvalue(), duration * 1000)

    @staticmethod
    def _call_handler(
        function: LambdaFunction, event: Any, context: LambdaContext
    ) -> tuple[str, bool]:
        module_name, _, handler_name = str(function.handler).rpartition(".")
        try:
            module = importlib.import_module(module_name)
        except Exception as error:
            return _error(
                "Runtime.ImportModuleError",
                f"Unable to import module '{module_name}': {error}",
                error,
            ), True
        handler = getattr(module, handler_name, None)
        if not callable(handler):
            message = f"Handler '{handler_name}' missing on module '{module_name}'"
            return json.dumps(
                {"errorType": "Runtime.HandlerNotFound", "errorMessage": message}
            ), True
        try:
            result = handler(event, context)
        except Exception as error:
            return _error(type(error).__name__, str(error), error), True
        try:
            return json.dumps(result), False
        except TypeError as error:
            return _error(
                "Runtime.MarshalError", f"Unable to marshal response: {error}", error
            ), True


def _error(error_type: str, message: str, error: BaseException) -> str:
    """The payload the Python runtime returns for an unhandled exception."""
    return json.dumps(
        {
            "errorMessage": message,
            "errorType": error_type,
            "requestId": "",
            # From the handler down, as the runtime reports it: not localcloud's own frame.
            "stackTrace": traceback.format_tb(
                error.__traceback__.tb_next if error.__traceback__ else None
            ),
        }
    )
