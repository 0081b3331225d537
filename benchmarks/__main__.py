"""How long localcloud takes: a deploy of the dev stack, an API-workflow execution, a Lambda
invocation in a worker process (the process's first, cold and warm), sustained executions per
second with 1 and 8 clients, and the demo's wall time.

    ./dev bench [--deploys N] [--executions N]

Prints the median and range of each time, in milliseconds, and each rate.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from localcloud import LocalCloud, deploy
from localcloud.recording import deploy_with_mocks


def _measure(times: int, run: Callable[[], None]) -> list[float]:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _line(label: str, samples: list[float]) -> str:
    return (
        f"{label:<44} median {statistics.median(samples):8.1f} ms"
        f"   min {min(samples):8.1f}   max {max(samples):8.1f}   n={len(samples)}"
    )


def _api_execution(cloud: LocalCloud) -> None:
    status, started = cloud.request(
        "POST", cloud.outputs["apiWorkflowUrl"], {"id": f"bench-{uuid.uuid4()}", "payload": 1}
    )
    if status != 200 or cloud.wait(started["executionArn"])["status"] != "SUCCEEDED":
        raise RuntimeError("the API workflow execution did not succeed")


def _invoke(client: Any, function: str, event: dict[str, Any]) -> None:
    response = client.invoke(FunctionName=function, Payload=json.dumps(event))
    if response.get("FunctionError"):
        raise RuntimeError(f"{function} failed: {response['Payload'].read()!r}")


def _cold_invokes(client: Any, function: str, event: dict[str, Any], times: int) -> list[float]:
    """Invocations that each start a new worker: a changed configuration means new execution
    environments, as on AWS. Only the invocation is timed."""
    variables = client.get_function_configuration(FunctionName=function)["Environment"]
    samples = []
    for number in range(times):
        client.update_function_configuration(
            FunctionName=function,
            Environment={"Variables": {**variables["Variables"], "BENCH_COLD": str(number)}},
        )
        samples.extend(_measure(1, lambda: _invoke(client, function, event)))
    return samples


def _rate(cloud: LocalCloud, clients: int, executions: int) -> float:
    """Sustained API-workflow executions per second, POST to SUCCEEDED, with ``clients`` at
    once. A first round starts as many workers as the clients keep busy: cold starts are
    measured above, not here."""
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(lambda _: _api_execution(cloud), range(2 * clients)))
        started = time.perf_counter()
        list(pool.map(lambda _: _api_execution(cloud), range(executions)))
    return executions / (time.perf_counter() - started)


def _demo_seconds() -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "demo"],
        cwd=Path(__file__).resolve().parent.parent,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(prog="./dev bench")
    parser.add_argument("--deploys", type=int, default=3)
    parser.add_argument("--executions", type=int, default=20)
    args = parser.parse_args()

    mocks = _measure(args.deploys, lambda: deploy_with_mocks("dev"))
    print(_line("program under recording mocks (no AWS)", mocks))

    def one_deploy() -> None:
        with deploy("dev"):
            pass

    print(_line("localcloud deploy of the dev stack", _measure(args.deploys, one_deploy)))
    unthrottled = {"apiThrottlingRateLimit": 10_000, "apiThrottlingBurstLimit": 10_000}
    with deploy("dev", config=unthrottled) as cloud:
        # Each function's first invocation starts its worker (a cold start); later ones reuse it.
        # The process's very first worker also starts the fork server (localcloud/fork_server.py).
        lambda_ = cloud.client("lambda")
        find_name = cloud.outputs["findApplicationsFunctionName"]
        search = {"state": "APPROVED", "limit": 1}

        def find() -> None:
            _invoke(lambda_, find_name, search)

        print(_line("Lambda invoke, first worker (+ fork server)", _measure(1, find)))
        print(_line("Lambda invoke, worker process (warm)", _measure(args.executions, find)))
        cold = _cold_invokes(lambda_, find_name, search, times=5)
        print(_line("Lambda invoke, new worker process (cold)", cold))
        print(
            _line(
                "API workflow: first POST -> SUCCEEDED (cold)",
                _measure(1, lambda: _api_execution(cloud)),
            )
        )
        print(
            _line(
                "API workflow: POST /items -> SUCCEEDED (warm)",
                _measure(args.executions, lambda: _api_execution(cloud)),
            )
        )
        for clients in (1, 8):
            rate = _rate(cloud, clients, executions=5 * args.executions)
            print(
                f"{f'API workflow with {clients} concurrent clients':<44} {rate:8.1f} executions/s"
            )
    print(_line("./dev demo wall time (warm machine)", [1000 * _demo_seconds()]))


if __name__ == "__main__":
    main()
