"""How long localcloud takes: a deploy of the dev stack, and one API-workflow execution.

    ./dev bench [--deploys N] [--executions N]

Prints the median and range of each, in milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Callable

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
    with deploy("dev") as cloud:
        # The first execution imports the handler (a cold start); the rest reuse it.
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


if __name__ == "__main__":
    main()
