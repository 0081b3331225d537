"""Workers forked from the fork server see what a worker started from nothing sees, and the fork
server comes and goes without leaving anything behind."""

from __future__ import annotations

import json
import os
import re
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from localcloud.cloud import Emulator
from localcloud.fork_server import ForkServer, shared_fork_server
from localcloud.lambda_runtime import Invocation, LambdaRuntime
from localcloud.worker_launch import RUNTIME_DISTRIBUTIONS
from localcloud.worker_process import WorkerLaunch
from tests.localcloud.conftest import make_function
from tests.localcloud.test_lambda_runtime import alive, function

# Everything about its process a handler can look at, but the numbers that differ per process.
INTROSPECT = """
import os, random, signal, stat, sys, time
import boto3
def handler(event, context):
    return {
        "path": sys.path,
        "environment": {k: v for k, v in os.environ.items() if k not in ("AWS_LAMBDA_RUNTIME_API",
                        "AWS_LAMBDA_LOG_STREAM_NAME", "_X_AMZN_TRACE_ID")},
        "cwd": os.getcwd(),
        "argv_tail": sys.argv[1:],
        "main": sys.modules["__main__"].__spec__.name,
        "session_leader": os.getsid(0) == os.getpid() == os.getpgid(0),
        "stdin_is_null": os.path.samestat(os.fstat(0), os.stat(os.devnull)),
        "stdout_is_log_file": stat.S_ISREG(os.fstat(1).st_mode),
        "timezone": time.tzname,
        "flags": [sys.flags.optimize, sys.flags.no_site, sys.flags.ignore_environment],
        "signals_as_python_sets_them": [
            signal.getsignal(signal.SIGINT) is signal.default_int_handler,
            signal.getsignal(signal.SIGCHLD) == signal.getsignal(signal.SIGTERM) == signal.SIG_DFL,
        ],
        "boto3_from": os.path.realpath(boto3.__file__),
        "draw": random.random(),
        "pid": os.getpid(),
        "parent": os.getppid(),
    }
"""

PER_PROCESS = ("draw", "pid", "parent")


def run(runtime: LambdaRuntime, aws: Emulator, name: str) -> dict[str, Any]:
    invocation = runtime.run(function(aws, name), {})
    assert not invocation.errored, invocation.payload
    result: dict[str, Any] = json.loads(invocation.payload)
    return result


def invoke_once(
    aws: Emulator, root: Path, name: str, event: Any = None, fork_workers: bool = True
) -> Invocation:
    """One invocation in a runtime of its own under ``root``, uninstalled afterwards."""
    root.mkdir(exist_ok=True)
    runtime = LambdaRuntime(root, fork_workers=fork_workers)
    try:
        return runtime.run(function(aws, name), {} if event is None else event)
    finally:
        runtime.uninstall()


def without(result: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: value for key, value in result.items() if key not in keys}


def test_a_forked_worker_sees_what_a_worker_started_from_nothing_sees(aws, tmp_path):
    make_function("introspect", {"main.py": INTROSPECT}, environment={"GREETING": "hi"})
    (tmp_path / "runtime-1").mkdir()
    (tmp_path / "runtime-2").mkdir()
    forking = LambdaRuntime(tmp_path / "runtime-1")
    plain = LambdaRuntime(tmp_path / "runtime-2", fork_workers=False)
    try:
        forked_result, plain_result = run(forking, aws, "introspect"), run(plain, aws, "introspect")
        forked_pid = forked_result["pid"]
    finally:
        forking.uninstall()
        plain.uninstall()

    # The forked worker is the fork server's child; the plain one is ours
    server = shared_fork_server(RUNTIME_DISTRIBUTIONS).pid
    assert server is not None
    assert (forked_result["parent"], plain_result["parent"]) == (server, os.getpid())
    assert not alive(forked_pid)
    # Paths and directories differ only by each runtime's own directory
    forked_view, plain_view = (
        json.loads(
            re.sub(r"runtime-\d/lambda-[^/]+", "ROOT", json.dumps(without(result, PER_PROCESS)))
        )
        for result in (forked_result, plain_result)
    )
    assert forked_view == plain_view
    assert plain_view["environment"]["GREETING"] == "hi"
    assert plain_view["argv_tail"] == ["main.handler"]
    assert plain_view["main"] == "awslambdaric.__main__"
    assert plain_view["session_leader"] and plain_view["stdin_is_null"]
    assert plain_view["stdout_is_log_file"]
    assert plain_view["timezone"] == ["UTC", "UTC"]
    assert plain_view["flags"] == [0, 1, 0]  # python -S, environment read
    assert plain_view["signals_as_python_sets_them"] == [True, True]


def test_two_forked_workers_draw_different_random_numbers(aws, tmp_path):
    # os.fork reseeds the random module in the child (Python's random docs, "register_at_fork")
    make_function("introspect", {"main.py": INTROSPECT})
    runtime = LambdaRuntime(tmp_path)
    try:
        first = run(runtime, aws, "introspect")
        make_function("introspect-again", {"main.py": INTROSPECT})
        second = run(runtime, aws, "introspect-again")
    finally:
        runtime.uninstall()

    assert first["pid"] != second["pid"] and first["draw"] != second["draw"]


@pytest.mark.parametrize("bundled", ["boto3/__init__.py", "typing.py"])
def test_a_function_bundling_a_module_the_fork_server_imported_imports_its_own(
    aws, tmp_path, bundled
):
    # The task root comes first on the import path (as /var/task on AWS): a bundled boto3, or a
    # backport named like a standard module, wins over the runtime's
    name = bundled.partition("/")[0].removesuffix(".py")
    make_function(
        "bundled",
        {
            bundled: "BUNDLED = True\n",
            "main.py": f"import {name}\ndef handler(e, c):\n  return hasattr({name}, 'BUNDLED')\n",
        },
    )
    invocation = invoke_once(aws, tmp_path, "bundled")

    assert (invocation.errored, invocation.payload) == (False, "true")


def test_a_python_variable_in_the_environment_takes_effect(aws, tmp_path):
    # An interpreter reads PYTHONOPTIMIZE as it starts ("Command line and environment", Python docs)
    source = "import sys\ndef handler(e, c):\n    return sys.flags.optimize\n"
    make_function("optimized", {"main.py": source}, environment={"PYTHONOPTIMIZE": "1"})
    invocation = invoke_once(aws, tmp_path, "optimized")

    assert (invocation.errored, invocation.payload) == (False, "1")


EXITER = """
import atexit, sys
def handler(event, context):
    atexit.register(lambda: open(event["marker"], "w").write("ran"))
    sys.exit(event["code"])
"""


def test_a_worker_exits_as_an_interpreter_does_forked_or_not(aws, tmp_path):
    # python: sys.exit runs the atexit functions; its code is the process's exit status
    make_function("exiter", {"main.py": EXITER})
    outcomes = []
    for number, fork_workers in enumerate((True, False)):
        marker = tmp_path / f"marker-{number}"
        event = {"marker": str(marker), "code": 3}
        invocation = invoke_once(aws, tmp_path / str(number), "exiter", event, fork_workers)
        error = json.loads(invocation.payload)
        outcomes.append((error["errorType"], error["errorMessage"].rpartition("Error: ")[2]))
        outcomes.append(marker.read_text())

    exited = ("Runtime.ExitError", "Runtime exited with error: exit status 3")
    assert outcomes == [exited, "ran", exited, "ran"]


REPORTS_PID = "import os\ndef handler(e, c):\n    return os.getpid()\n"


def test_when_the_fork_server_dies_its_workers_end_and_the_next_invocation_starts_a_new_one(
    aws, tmp_path
):
    make_function("reports-pid", {"main.py": REPORTS_PID})
    runtime = LambdaRuntime(tmp_path)
    try:
        first_worker = int(runtime.run(function(aws, "reports-pid"), {}).payload)
        server = shared_fork_server(RUNTIME_DISTRIBUTIONS).pid
        assert server is not None and alive(first_worker)

        os.kill(server, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while alive(first_worker) and time.monotonic() < deadline:
            time.sleep(0.01)
        second = runtime.run(function(aws, "reports-pid"), {})
    finally:
        runtime.uninstall()

    assert not second.errored, second.payload
    assert int(second.payload) != first_worker
    assert not alive(first_worker) and not alive(server)
    assert shared_fork_server(RUNTIME_DISTRIBUTIONS).pid not in {None, server}


def test_closing_the_fork_server_ends_it_and_removes_its_files(tmp_path, monkeypatch):
    # (The process's shared one is closed as the process exits: test_up's SIGTERM test finds
    # nothing left in up's temporary directory.)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    tempfile.tempdir = None  # read TMPDIR again
    server = ForkServer(RUNTIME_DISTRIBUTIONS)
    try:
        launch = WorkerLaunch("json.tool", ["--help"], tmp_path, {}, tmp_path / "log", ())
        worker = server.start(launch, {})
        pid = server.pid
        assert worker.wait() == 0 and "usage:" in (tmp_path / "log").read_text()
        assert pid is not None and list((tmp_path / "tmp").iterdir())
        server.close()
    finally:
        tempfile.tempdir = None

    assert not alive(pid) and server.pid is None
    assert list((tmp_path / "tmp").iterdir()) == []
