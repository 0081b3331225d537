"""How a function's workers are started: its code on disk, its import path and its environment.

What a worker sees mirrors a Lambda execution environment for the Python runtime:

- the deployed archive extracted to the task root (``LAMBDA_TASK_ROOT``, the working directory),
  then each layer's ``python`` directory (``/opt/python`` on AWS), then the runtime's own
  libraries (``LAMBDA_RUNTIME_DIR``: awslambdaric and boto3) — and nothing else: the interpreter
  runs with ``-S``, so the packages installed beside localcloud are not importable by handlers;
- the runtime environment variables AWS defines ("Defined runtime environment variables",
  https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
  the function's own variables, and what ``environment_for(function)`` adds: the endpoint and the
  credentials that stand for the function's role. Nothing is inherited from localcloud's process.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import zipfile
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

from moto.awslambda.models import LambdaFunction

from localcloud.installed_packages import link_distributions
from localcloud.layers import layer_path
from localcloud.worker_process import WorkerLaunch

FunctionEnvironment = Callable[[LambdaFunction], Mapping[str, str]]
"""Extra variables for a function's workers, e.g. ``AWS_ENDPOINT_URL`` and credentials."""

# What AWS's Python runtime provides besides the function's code and layers.
RUNTIME_DISTRIBUTIONS = ("awslambdaric", "boto3")


def no_environment(function: LambdaFunction) -> Mapping[str, str]:
    """No endpoint and no credentials: a handler calling AWS fails fast with NoCredentialsError."""
    return {}


def fingerprint(function: LambdaFunction) -> str:
    """Changes whenever AWS would start new execution environments: new code or configuration."""
    configuration = {
        "code": function.code_sha_256,
        "handler": function.handler,
        "runtime": function.run_time,
        "memory": function.memory_size,
        "environment": function.environment_vars,
        "layers": [layer["Arn"] for layer in function.layers],
    }
    return hashlib.sha256(json.dumps(configuration, sort_keys=True).encode()).hexdigest()[:16]


class WorkerLauncher:
    """Prepares functions' files under ``root`` and builds each worker's launch."""

    def __init__(
        self, root: Path, environment_for: FunctionEnvironment, log_groups: Mapping[str, str]
    ) -> None:
        self._root = root
        self._environment_for = environment_for
        self._log_groups = log_groups
        self._runtime_dir: Path | None = None

    def prepare(self, function: LambdaFunction) -> Callable[[], WorkerLaunch]:
        """Extract the function's code and layers once; the result launches one worker a call.

        A configuration the function had before (its environment put back) has its files
        already: they are the same, and the workers of that time may still be using them."""
        directory = self._root / "functions" / f"{function.function_name}-{fingerprint(function)}"
        task_root = directory / "task"
        if not task_root.exists():
            with zipfile.ZipFile(io.BytesIO(function.code_bytes)) as archive:
                archive.extractall(task_root)
        layers = [
            layer_path(layer["Arn"], self._root / "layers" / _layer_key(layer["Arn"]))
            for layer in function.layers
        ]
        python_path = [task_root, *layers, self._runtime()]
        (directory / "logs").mkdir(exist_ok=True)

        def launch() -> WorkerLaunch:
            stream = _log_stream()
            environment = self._environment(function, task_root, python_path, stream)
            return WorkerLaunch(
                module="awslambdaric",
                arguments=[str(function.handler)],
                directory=task_root,
                environment=environment,
                log_path=directory / "logs" / f"{stream.rpartition(']')[2]}.log",
                own_paths=(task_root, *layers),
            )

        return launch

    def _runtime(self) -> Path:
        if self._runtime_dir is None:
            self._runtime_dir = link_distributions(RUNTIME_DISTRIBUTIONS, self._root / "runtime")
        return self._runtime_dir

    def _environment(
        self, function: LambdaFunction, task_root: Path, python_path: list[Path], stream: str
    ) -> dict[str, str]:
        log_group = self._log_groups.get(
            function.function_arn, f"/aws/lambda/{function.function_name}"
        )
        isolation = {
            # Neither the developer's ~/.aws nor an instance metadata service exists in Lambda.
            "AWS_CONFIG_FILE": str(task_root / ".aws-config-absent"),
            "AWS_SHARED_CREDENTIALS_FILE": str(task_root / ".aws-credentials-absent"),
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        unreserved = {
            "PATH": os.pathsep.join(
                (str(Path(sys.executable).parent), "/usr/local/bin:/usr/bin:/bin")
            ),
            "LANG": "en_US.UTF-8",
            "PYTHONPATH": os.pathsep.join(str(path) for path in python_path),
        }
        reserved = {
            "_HANDLER": str(function.handler),
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.run_time}",
            "AWS_LAMBDA_FUNCTION_NAME": function.function_name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": log_group,
            "AWS_LAMBDA_LOG_STREAM_NAME": stream,
            "AWS_REGION": function.region,
            "AWS_DEFAULT_REGION": function.region,
            "LAMBDA_TASK_ROOT": str(task_root),
            "LAMBDA_RUNTIME_DIR": str(self._runtime()),
            "TZ": ":UTC",
        }
        return {
            **isolation,
            **unreserved,
            **{str(key): str(value) for key, value in function.environment_vars.items()},
            **reserved,
            **self._environment_for(function),
        }


def _log_stream() -> str:
    """A log stream name as Lambda gives each execution environment."""
    return f"{datetime.now(UTC):%Y/%m/%d}/[$LATEST]{os.urandom(16).hex()}"


def _layer_key(arn: str) -> str:
    name, _, version = arn.rpartition(":layer:")[2].partition(":")
    return f"{name}-{version}"
