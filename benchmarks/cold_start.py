"""Cold start: per function, how long a fresh process takes to import its handler module, and
how big its code archive is; the slowest module named.

    ./dev bench   (this is its cold start section)

Each function comes from the program itself, run under recording mocks (no AWS): its handler,
its code archive zipped as localcloud sends it to Lambda, its layers and variables. Each sample
is a new ``python -S`` process with exactly the import path and environment of one of
localcloud's Lambda workers (``localcloud.worker_launch``): the unpacked archive, the Powertools
layer, the runtime's boto3 and awslambdaric, nothing else. Only the handler module's import is
timed, not the interpreter's start.
"""

from __future__ import annotations

import base64
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO, TypedDict

from moto.awslambda.models import LambdaFunction

from benchmarks.stats import Summary, summary, summary_line
from localcloud.layers import ManagedLayers
from localcloud.provisioner import create_function_request
from localcloud.recording import ACCOUNT_ID, Deployment, deploy_with_mocks
from localcloud.worker_launch import WorkerLauncher
from localcloud.worker_process import WorkerLaunch

PROGRAM_DIR = Path(__file__).resolve().parent.parent
LAMBDA_FUNCTION_TYPE = "aws:lambda/function:Function"
# Two cores: more processes at once would time each other's scheduling, not the imports.
CONCURRENT_PROCESSES = 2

# Run in the worker's interpreter. The runtime client (what ``python -m awslambdaric`` loads)
# is imported before the handler on AWS, so what it imports (json, logging...) is not the
# handler's cost; only the handler module's import is timed.
_IMPORT_TIMER = """
import importlib, sys, time
import awslambdaric.bootstrap, awslambdaric.lambda_runtime_client
started = time.perf_counter()
importlib.import_module(sys.argv[1])
print((time.perf_counter() - started) * 1000)
"""


class FunctionFigures(TypedDict):
    function: str
    handler: str
    import_ms: Summary
    archive_bytes: int


class Slowest(TypedDict):
    function: str
    module: str
    import_ms_median: float


class Figures(TypedDict):
    functions: list[FunctionFigures]
    slowest: Slowest


@dataclass(frozen=True)
class DeployedFunction:
    """A Lambda function as the program defines it."""

    name: str
    """The function resource's logical name in the program, e.g. ``api-workflow-put-function``."""
    request: dict[str, Any]
    """Lambda's CreateFunction request for it, as localcloud makes it."""
    region: str

    @property
    def handler(self) -> str:
        return str(self.request["Handler"])

    @property
    def archive(self) -> bytes:
        """The code archive as a zip, as Lambda receives it."""
        return bytes(self.request["Code"]["ZipFile"])

    @property
    def module(self) -> str:
        return handler_module(self.handler)


def handler_module(handler: str) -> str:
    """The module Lambda imports for a handler: ``put_item.app`` of ``put_item.app.handler``."""
    return handler.rpartition(".")[0]


def deployed_functions(deployment: Deployment) -> list[DeployedFunction]:
    return [
        DeployedFunction(
            function.name,
            create_function_request(function.name, function.inputs),
            deployment.region,
        )
        for function in deployment.of_type(LAMBDA_FUNCTION_TYPE)
    ]


def _dummy_credentials(function: LambdaFunction) -> Mapping[str, str]:
    """Credentials that reach nothing: an import that built a client must not look further."""
    return {
        "AWS_ACCESS_KEY_ID": "cold-start-benchmark",
        "AWS_SECRET_ACCESS_KEY": "cold-start-benchmark",
        "AWS_SESSION_TOKEN": "cold-start-benchmark",
    }


def _as_lambda(function: DeployedFunction) -> LambdaFunction:
    """The function as moto models it once created, which is what localcloud launches workers
    of; its Powertools layer is made resolvable first, as localcloud's deploy does."""
    ManagedLayers(ACCOUNT_ID).ensure(function.request["Layers"], region=function.region)
    spec = {
        **function.request,
        "Code": {"ZipFile": base64.b64encode(function.archive).decode()},  # as the API sends it
    }
    # The model alone, not created in a backend (no role to check); moto leaves its
    # CloudFormation hooks abstract.
    return LambdaFunction(ACCOUNT_ID, spec, function.region)  # type: ignore[abstract]


def worker_launch(
    launcher: WorkerLauncher, function: DeployedFunction, archives: Path
) -> WorkerLaunch:
    """The function's code and layers unpacked as localcloud does for a worker, and its zip
    written to ``archives`` (what its size is)."""
    archives.mkdir(parents=True, exist_ok=True)
    (archives / f"{function.name}.zip").write_bytes(function.archive)
    return launcher.prepare(_as_lambda(function))()


def import_ms(launch: WorkerLaunch, module: str) -> float:
    """One cold import of ``module`` in a new interpreter started as the worker would be."""
    environment = {
        **launch.environment,
        # Lambda's task root is read-only: every cold start compiles the function's own code.
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    completed = subprocess.run(
        [sys.executable, "-S", "-c", _IMPORT_TIMER, module],
        cwd=launch.directory,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"importing {module} failed:\n{completed.stderr}")
    return float(completed.stdout.strip().splitlines()[-1])


def _function_figures(function: DeployedFunction, samples: list[float]) -> FunctionFigures:
    return {
        "function": function.name,
        "handler": function.handler,
        "import_ms": summary(samples),
        "archive_bytes": len(function.archive),
    }


def measure_functions(
    functions: Sequence[DeployedFunction], workdir: Path, repeats: int = 3
) -> list[FunctionFigures]:
    """Each function's figures, slowest median import first; files go under ``workdir``."""
    if not functions:
        return []
    launcher = WorkerLauncher(workdir, _dummy_credentials, log_groups={})
    launches = [worker_launch(launcher, f, workdir / "archives") for f in functions]
    modules = [function.module for function in functions]
    # Untimed: the first import also reads boto3's and the layer's files into the page cache.
    import_ms(launches[0], modules[0])
    # Round after round over all functions, so a busy moment of the machine is spread over
    # them rather than falling on one function's samples.
    runs = [index for _ in range(repeats) for index in range(len(functions))]
    samples: list[list[float]] = [[] for _ in functions]
    with ThreadPoolExecutor(max_workers=CONCURRENT_PROCESSES) as pool:
        timings = pool.map(lambda index: import_ms(launches[index], modules[index]), runs)
        for index, milliseconds in zip(runs, timings, strict=True):
            samples[index].append(milliseconds)
    figures = [_function_figures(f, s) for f, s in zip(functions, samples, strict=True)]
    return sorted(figures, key=lambda figure: figure["import_ms"]["median"], reverse=True)


def measure_function(
    function: DeployedFunction, workdir: Path, repeats: int = 3
) -> FunctionFigures:
    return measure_functions([function], workdir, repeats)[0]


def _slowest(figures: list[FunctionFigures]) -> Slowest:
    slowest = figures[0]
    return {
        "function": slowest["function"],
        "module": handler_module(slowest["handler"]),
        "import_ms_median": slowest["import_ms"]["median"],
    }


def measure(repeats: int = 3) -> Figures:
    functions = deployed_functions(deploy_with_mocks("dev", program_dir=PROGRAM_DIR))
    with tempfile.TemporaryDirectory(prefix="cold-start-") as workdir:
        figures = measure_functions(functions, Path(workdir), repeats)
    return {"functions": figures, "slowest": _slowest(figures)}


def _function_line(figure: FunctionFigures, width: int) -> str:
    import_times = summary_line(figure["function"], figure["import_ms"], "ms", width)
    return f"{import_times}   archive {figure['archive_bytes'] / 1024:6.1f} KB"


def report(figures: Figures, out: TextIO) -> None:
    functions = figures["functions"]
    width = max(len(figure["function"]) for figure in functions)
    print("Cold start: import of the handler module in a new worker process; archive zip", file=out)
    for figure in functions:
        print(_function_line(figure, width), file=out)
    slowest = figures["slowest"]
    print(
        f"slowest module: {slowest['module']} ({slowest['function']}), "
        f"median {slowest['import_ms_median']:.1f} ms",
        file=out,
    )
