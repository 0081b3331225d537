"""Lambda functions run in worker processes of their own, through AWS's runtime interface client.

The payload shapes pinned here are the ones awslambdaric (AWS's own runtime client) posts to the
Runtime API, passed through untouched; the timeout payload is the one Lambda returns to a
synchronous caller (``{"errorType": "Sandbox.Timedout", "errorMessage": "RequestId: <id> Error:
Task timed out after 3.00 seconds"}``, as the Lambda console shows it).
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.awslambda.models import LambdaFunction, lambda_backends

from localcloud import emulator
from localcloud.clock import Clock
from localcloud.cloud import Emulator
from localcloud.fork_server import shared_fork_server
from localcloud.lambda_runtime import LambdaRuntime
from localcloud.lambda_workers import DEFAULT_CONCURRENCY
from localcloud.layers import ManagedLayers
from localcloud.worker_launch import RUNTIME_DISTRIBUTIONS
from tests.localcloud.conftest import make_function


@pytest.fixture
def aws() -> Iterator[Emulator]:
    with emulator(clock=Clock("fast", speedup=1000)) as running:
        yield running


def invoke(function: str, event: Any) -> tuple[dict[str, Any], Any, str]:
    """Synchronous invoke with the log tail; the response, decoded payload and logs."""
    response = boto3.client("lambda").invoke(
        FunctionName=function, Payload=json.dumps(event), LogType="Tail"
    )
    payload = json.loads(response["Payload"].read() or b"null")
    return response, payload, base64.b64decode(response["LogResult"]).decode()


def request_id(logs: str) -> str:
    match = re.search(r"^START RequestId: (\S+) Version: \$LATEST$", logs, re.MULTILINE)
    assert match, logs
    return match.group(1)


def alive(pid: int) -> bool:
    """The process exists and is not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def function(aws: Emulator, name: str) -> LambdaFunction:
    """moto's function, by name or ARN."""
    return lambda_backends[aws.account_id][aws.region].get_function(name)


REPORT = """
import os, sys, time
def handler(event, context):
    print("handling", context.aws_request_id)
    names = ("GREETING", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
             "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_REGION",
             "AWS_DEFAULT_REGION", "_HANDLER", "AWS_EXECUTION_ENV", "AWS_ENDPOINT_URL",
             "AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN", "LOCALCLOUD_TEST_MARKER")
    return {
        "event": event,
        "env": {name: os.environ.get(name) for name in names},
        "cwd_is_task_root": os.getcwd() == os.environ["LAMBDA_TASK_ROOT"],
        "request_id": context.aws_request_id,
        "function_arn": context.invoked_function_arn,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "pid": os.getpid(),
    }
"""


def test_given_a_function_when_invoked_then_its_archive_runs_with_the_runtime_environment(
    aws, monkeypatch
):
    # Given a variable in localcloud's own environment, which no worker should inherit
    monkeypatch.setenv("LOCALCLOUD_TEST_MARKER", "localcloud's own")
    arn = make_function("greeter", {"main.py": REPORT}, environment={"GREETING": "hello"})

    response, payload, logs = invoke("greeter", {"name": "ada"})

    assert "FunctionError" not in response
    assert payload["event"] == {"name": "ada"}
    assert payload["env"] == {
        "GREETING": "hello",
        "AWS_LAMBDA_FUNCTION_NAME": "greeter",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/greeter",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "_HANDLER": "main.handler",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        # AWS reaches the function through localcloud's endpoint, signed as the function's role
        "AWS_ENDPOINT_URL": aws.endpoint.url,
        "AWS_ACCESS_KEY_ID": aws.principals.for_role(function(aws, "greeter").role).access_key_id,
        "AWS_SESSION_TOKEN": aws.principals.for_role(function(aws, "greeter").role).session_token,
        "LOCALCLOUD_TEST_MARKER": None,
    }
    assert payload["cwd_is_task_root"]
    assert payload["function_arn"] == arn
    assert 9000 < payload["remaining_ms"] <= 10_000
    assert payload["pid"] != os.getpid()
    # And the log tail is the invocation's own lines between the platform's START and END
    assert request_id(logs) == payload["request_id"]
    assert f"handling {payload['request_id']}\nEND RequestId: " in logs
    assert "REPORT RequestId: " in logs


@pytest.mark.parametrize(
    "event", ["abc", '{"taskId":"x"}', "", 42, None, [1, "two"], {"nested": {"list": [1.5]}}]
)
def test_an_event_reaches_the_handler_exactly_as_the_caller_sent_it(aws, event):
    make_function("echo", {"main.py": "def handler(event, context):\n    return event\n"})

    _, payload, _ = invoke("echo", event)

    assert payload == event


def test_a_raised_exception_is_the_runtime_clients_error_payload(aws):
    make_function(
        "checker",
        {
            "main.py": """
            class UnprocessableDataException(Exception):
                pass
            def handler(event, context):
                raise UnprocessableDataException("name is UNPROCESSABLE_DATA")
            """
        },
    )

    response, payload, logs = invoke("checker", {})

    assert response["FunctionError"] == "Unhandled"
    assert list(payload) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert payload["errorMessage"] == "name is UNPROCESSABLE_DATA"
    assert payload["errorType"] == "UnprocessableDataException"
    assert payload["requestId"] == request_id(logs)
    assert len(payload["stackTrace"]) == 1
    assert 'main.py", line 5, in handler' in payload["stackTrace"][0]
    assert "[ERROR] UnprocessableDataException: name is UNPROCESSABLE_DATA" in logs


def test_a_missing_module_is_an_import_error_on_every_invocation(aws):
    make_function("broken", {"main.py": "import not_shipped\n"})

    for _ in range(2):  # the runtime exits after an init error; the next invocation inits again
        response, payload, _ = invoke("broken", {})

        assert response["FunctionError"] == "Unhandled"
        assert payload == {
            "errorMessage": "Unable to import module 'main': No module named 'not_shipped'",
            "errorType": "Runtime.ImportModuleError",
            "requestId": "",
            "stackTrace": [],
        }


def test_a_missing_handler_function_is_handler_not_found(aws):
    make_function("misnamed", {"main.py": "def other(event, context):\n    return 1\n"})

    _, payload, _ = invoke("misnamed", {})

    assert payload["errorType"] == "Runtime.HandlerNotFound"
    assert payload["errorMessage"] == "Handler 'handler' missing on module 'main'"


FINDER = """
import importlib.util
def handler(event, context):
    return {name: importlib.util.find_spec(name) is not None for name in event}
"""
POWERTOOLS = (
    "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-arm64:7"
)


def test_handlers_import_only_their_archive_layers_and_the_runtime(aws):
    # Given two functions, one with the managed Powertools layer, both looking for packages
    # the runtime provides, the layer provides, and localcloud has installed
    ManagedLayers(aws.account_id).ensure([POWERTOOLS], aws.region)
    make_function("bare", {"main.py": FINDER})
    make_function("layered", {"main.py": FINDER}, layers=[POWERTOOLS])
    names = ["boto3", "awslambdaric", "aws_lambda_powertools", "moto", "pytest", "pulumi"]

    bare, layered = invoke("bare", names)[1], invoke("layered", names)[1]

    # Then each imports only the runtime's libraries and its own layers, as in Lambda
    runtime = {"boto3": True, "awslambdaric": True, "moto": False, "pytest": False, "pulumi": False}
    assert bare == {**runtime, "aws_lambda_powertools": False}
    assert layered == {**runtime, "aws_lambda_powertools": True}


def test_environment_variables_do_not_leak_between_functions_or_into_localcloud(aws):
    source = "import os\ndef handler(e, c):\n    return os.environ.get('SECRET_NAME')\n"
    make_function("with-env", {"main.py": source}, environment={"SECRET_NAME": "only-mine"})
    make_function("other-env", {"main.py": source}, environment={"SECRET_NAME": "theirs"})
    make_function("without-env", {"main.py": source})

    results = [invoke(name, {})[1] for name in ("with-env", "other-env", "without-env")]

    assert results == ["only-mine", "theirs", None]
    assert "SECRET_NAME" not in os.environ


def test_a_configuration_put_back_runs_in_new_workers_with_it_again(aws):
    # New configuration, new execution environments; then the previous one restored (an operator
    # reverting a change) is new configuration again, not an error.
    source = "import os\ndef handler(e, c):\n    return [os.environ.get('RATE'), os.getpid()]\n"
    make_function("configured", {"main.py": source}, environment={"RATE": "0"})
    lambda_client = boto3.client("lambda")

    answers = [invoke("configured", {})[1]]
    for rate in ("1", "0"):
        lambda_client.update_function_configuration(
            FunctionName="configured", Environment={"Variables": {"RATE": rate}}
        )
        answers.append(invoke("configured", {})[1])

    assert [rate for rate, _ in answers] == ["0", "1", "0"]
    assert len({pid for _, pid in answers}) == 3


def test_a_worker_stays_warm_between_invocations(aws):
    make_function(
        "counter",
        {
            "state.py": "CALLS = []\n",
            "main.py": """
            import os, state
            def handler(event, context):
                state.CALLS.append(event)
                return {"calls": len(state.CALLS), "pid": os.getpid()}
            """,
        },
    )

    first, second = invoke("counter", 1)[1], invoke("counter", 2)[1]

    assert (first["calls"], second["calls"]) == (1, 2)
    assert first["pid"] == second["pid"]


SLEEPER = """
import os, time
def handler(event, context):
    started = time.time()
    time.sleep(event["seconds"])
    return {"started": started, "ended": time.time(), "pid": os.getpid()}
"""


def test_concurrent_invocations_run_at_once_in_separate_workers(aws):
    make_function("sleeper", {"main.py": SLEEPER})
    # As many at once as a function may run by default
    clients = [boto3.client("lambda") for _ in range(DEFAULT_CONCURRENCY)]  # not thread-safe
    results: list[Any] = [None] * len(clients)

    def call(index: int) -> None:
        response = clients[index].invoke(
            FunctionName="sleeper", Payload=json.dumps({"seconds": 1.5})
        )
        results[index] = json.loads(response["Payload"].read())

    threads = [threading.Thread(target=call, args=(index,)) for index in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then every handler started before any of them ended, each in a worker of its own
    assert max(result["started"] for result in results) < min(result["ended"] for result in results)
    assert len({result["pid"] for result in results}) == len(results)


def test_over_the_concurrency_limit_invocations_wait_and_their_timeout_starts_when_taken(
    aws, tmp_path
):
    # Given one worker at most, and a handler that takes 60% of its 1 s timeout
    make_function("sleeper", {"main.py": SLEEPER}, timeout=1)
    runtime = LambdaRuntime(tmp_path, concurrency=1)
    results: list[Any] = [None] * 3

    def call(index: int) -> None:
        invocation = runtime.run(function(aws, "sleeper"), {"seconds": 0.6})
        results[index] = json.loads(invocation.payload)

    # When three are invoked at once
    threads = [threading.Thread(target=call, args=(index,)) for index in range(len(results))]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        runtime.uninstall()

    # Then they ran one after the other in the one worker, and none timed out waiting
    runs = sorted((result["started"], result["ended"]) for result in results)
    assert all(earlier[1] <= later[0] for earlier, later in itertools.pairwise(runs))
    assert len({result["pid"] for result in results}) == 1


def test_a_function_past_its_timeout_is_stopped_and_the_next_invocation_works(aws):
    make_function(
        "slow",
        {
            "main.py": """
            import os, time
            def handler(event, context):
                print(f"pid={os.getpid()}", flush=True)
                if event.get("hang"):
                    time.sleep(60)
                return os.getpid()
            """
        },
        timeout=1,
    )

    response, payload, logs = invoke("slow", {"hang": True})

    assert response["FunctionError"] == "Unhandled"
    request = request_id(logs)
    assert payload == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {request} Error: Task timed out after 1.00 seconds",
    }
    assert re.search(rf"Z {request} Task timed out after 1.00 seconds\n", logs)
    pid = int(re.search(r"pid=(\d+)", logs).group(1))  # type: ignore[union-attr]
    assert not alive(pid)
    # And the next invocation runs in a new worker
    response, next_pid, _ = invoke("slow", {})
    assert "FunctionError" not in response
    assert next_pid != pid


def test_a_worker_that_exits_is_reported_and_replaced(aws):
    make_function(
        "crasher",
        {
            "main.py": """
            import os
            def handler(event, context):
                if event.get("exit"):
                    os._exit(3)
                return os.getpid()
            """
        },
    )
    first_pid = invoke("crasher", {})[1]

    response, payload, logs = invoke("crasher", {"exit": True})

    assert response["FunctionError"] == "Unhandled"
    assert payload == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {request_id(logs)} Error: Runtime exited with error: "
        "exit status 3",
    }
    assert not alive(first_pid)
    assert invoke("crasher", {})[1] not in {first_pid, None}


def test_uninstalling_stops_every_worker_and_removes_every_file():
    # Given workers, one of which started a process of its own
    with emulator() as aws:
        make_function(
            "spawner",
            {
                "main.py": """
                import os, subprocess, sys
                def handler(event, context):
                    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
                    return [os.getpid(), child.pid]
                """
            },
        )
        make_function("sleeper", {"main.py": SLEEPER})
        pids = [*invoke("spawner", {})[1], invoke("sleeper", {"seconds": 0})[1]["pid"]]
        workdir = aws.runtime.workdir
        assert all(alive(pid) for pid in pids)
        assert list(workdir.iterdir())

    # When the emulator stops, then nothing of the workers is left (the process's fork server
    # stays for the next runtime: test_fork_server)
    assert not any(alive(pid) for pid in pids)
    assert children(os.getpid()) == [shared_fork_server(RUNTIME_DISTRIBUTIONS).pid]
    assert not workdir.exists()


def test_the_runtime_alone_leaves_no_files_when_uninstalled(aws, tmp_path):
    make_function("sleeper", {"main.py": SLEEPER})
    runtime = LambdaRuntime(tmp_path)
    runtime.run(function(aws, "sleeper"), {"seconds": 0})

    runtime.uninstall()

    assert list(tmp_path.iterdir()) == []


# -- prewarming -------------------------------------------------------------------------------

INIT_TIME = {
    "main.py": (
        "import time\n"
        "INITIALIZED_AT = time.time()  # module code runs once, at the worker's init\n"
        "def handler(event, context):\n"
        "    return INITIALIZED_AT\n"
    )
}


def test_a_prewarmed_function_is_initialized_before_its_first_invocation(aws):
    prewarmed = make_function("prewarmed", INIT_TIME)
    on_demand = make_function("on-demand", INIT_TIME)
    aws.runtime.prewarm(function(aws, prewarmed))
    time.sleep(1.0)  # its worker initializes meanwhile

    invoked_at = time.time()
    _, prewarmed_init, _ = invoke(prewarmed, {})
    _, on_demand_init, _ = invoke(on_demand, {})

    assert prewarmed_init < invoked_at < on_demand_init


def test_prewarming_a_function_that_has_a_worker_starts_no_other(aws):
    arn = make_function("warm-once", INIT_TIME)
    _, first_init, _ = invoke(arn, {})
    aws.runtime.prewarm(function(aws, arn))
    aws.runtime.prewarm(function(aws, arn))

    _, later_init, _ = invoke(arn, {})
    assert later_init == first_init  # the same, warm worker answered
