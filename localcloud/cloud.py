"""``deploy()``: the Pulumi program deployed into an in-process AWS, ready to be used.

The emulator is moto (``mock_aws``) with its Step Functions interpreter on; localcloud adds the
pieces moto lacks (in-process Lambda, corrected Step Functions behaviour, a controllable clock,
asynchronous delivery, an HTTP front door) and deploys ``__main__.py`` through the same program
runner the unit tests use.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import boto3
from moto import mock_aws

from localcloud.async_lambda import AsyncLambda
from localcloud.clients import Clients
from localcloud.clock import Clock
from localcloud.dispatcher import Dispatcher
from localcloud.front_door import FrontDoor
from localcloud.inprocess_runtime import InProcessLambdaRuntime
from localcloud.lambda_runtime import LambdaRuntime
from localcloud.layers import ManagedLayers
from localcloud.program import run_program, stack_config
from localcloud.provisioner import CreatedResource, MotoProvisioner
from localcloud.sigv4 import sign
from localcloud.sqs_event_source import SqsEventSource
from localcloud.stepfunctions import FIXES, StepFunctionsFixes
from localcloud.worker_launch import FunctionEnvironment, no_environment

# Credentials that can reach nothing real: every AWS call goes to moto while deployed.
_FAKE_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "localcloud",
    "AWS_SECRET_ACCESS_KEY": "localcloud",
    "AWS_SESSION_TOKEN": "localcloud",
}
_MOTO_CONFIG = {
    "stepfunctions": {"execute_state_machine": True},
    "lambda": {"use_docker": True},  # routed to LambdaRuntime, never to Docker
    "iam": {"load_aws_managed_policies": False},
}
_TERMINAL = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}

# "process": each function in worker processes of its own, through AWS's runtime interface client
# (lambda_runtime); its handlers reach AWS only through what `function_environment` gives them.
# "in-process": in localcloud's own process, where moto's patching reaches boto3 calls
# (inprocess_runtime); the default until localcloud serves AWS over an HTTP endpoint.
LambdaRuntimeKind = Literal["in-process", "process"]
AnyLambdaRuntime = LambdaRuntime | InProcessLambdaRuntime


class ExecutionTimeoutError(TimeoutError):
    """An execution did not finish within the time ``wait`` was given."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def entered_states(history: list[dict[str, Any]]) -> list[str]:
    """The names of the states an execution history shows entered, in order."""
    return [
        event["stateEnteredEventDetails"]["name"]
        for event in history
        if "stateEnteredEventDetails" in event
    ]


class LocalCloud:
    """The deployed stack: its exports, clients bound to the emulator, and helpers to drive it."""

    def __init__(
        self, outputs: dict[str, Any], resources: list[CreatedResource], aws: Emulator
    ) -> None:
        self.outputs = outputs
        self.resources = resources
        self._aws = aws

    @property
    def region(self) -> str:
        return self._aws.region

    @property
    def url(self) -> str:
        """Base URL of the HTTP front door; every exported API URL points into it."""
        return self._aws.front_door.url

    @property
    def clock(self) -> Clock:
        return self._aws.clock

    @property
    def runtime(self) -> AnyLambdaRuntime:
        return self._aws.runtime

    def client(self, service_name: str) -> Any:
        return boto3.client(service_name, region_name=self.region)

    def wait(self, execution_arn: str, timeout: float = 30.0) -> dict[str, Any]:
        """Poll until the execution ends; its final ``describe_execution`` as plain JSON values."""
        sfn = self.client("stepfunctions")
        deadline = time.monotonic() + timeout
        while True:
            description = sfn.describe_execution(executionArn=execution_arn)
            if description["status"] in _TERMINAL:
                return dict(_jsonable(description))
            if time.monotonic() > deadline:
                raise ExecutionTimeoutError(
                    f"{execution_arn} still {description['status']} after {timeout} s"
                )
            time.sleep(0.01)

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        """Every history event of the execution, oldest first."""
        sfn = self.client("stepfunctions")
        events: list[dict[str, Any]] = []
        for page in sfn.get_paginator("get_execution_history").paginate(executionArn=execution_arn):
            events.extend(_jsonable(page["events"]))
        return events

    def path(self, execution_arn: str) -> list[str]:
        """The names of the states the execution entered, in order (nested states included)."""
        return entered_states(self.history(execution_arn))

    def drain(self, timeout: float = 30.0) -> None:
        """Run pending asynchronous work until nothing is left (see localcloud.dispatcher)."""
        self._aws.dispatcher.drain(timeout)

    def request(
        self, method: str, url: str, body: Any = None, signed: bool = True
    ) -> tuple[int, Any]:
        """Call an exported API URL as a client would (SigV4-signed unless ``signed=False``);
        returns the status and the decoded JSON body."""
        data = (
            body
            if isinstance(body, bytes)
            else json.dumps(body).encode()
            if body is not None
            else b""
        )
        headers = {"Content-Type": "application/json"}
        if signed:
            headers = sign(method, url, data, self.region, headers)
        request = urllib.request.Request(url, data=data or None, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, text = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
        return status, json.loads(text) if text else None


@contextlib.contextmanager
def _fake_credentials(region: str) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in (*_FAKE_ENVIRONMENT, "AWS_DEFAULT_REGION")}
    os.environ.update({**_FAKE_ENVIRONMENT, "AWS_DEFAULT_REGION": region})
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def _quiet_moto() -> Iterator[None]:
    """moto's Step Functions interpreter logs every caught task failure as a warning with its
    internal state; the outcome is in the execution history, where it belongs."""
    logger = logging.getLogger("moto.stepfunctions")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


@dataclass
class Emulator:
    """moto with localcloud's runtime pieces installed; what ``deploy`` deploys into."""

    region: str
    account_id: str
    clock: Clock
    runtime: AnyLambdaRuntime
    front_door: FrontDoor
    dispatcher: Dispatcher


@contextlib.contextmanager
def emulator(
    region: str = "us-east-1",
    clock: Clock | None = None,
    fixes: frozenset[str] = frozenset(FIXES),
    port: int = 0,
    *,
    lambda_runtime: LambdaRuntimeKind = "in-process",
    function_environment: FunctionEnvironment = no_environment,
) -> Iterator[Emulator]:
    """An empty in-process AWS: moto plus a Lambda runtime, corrected Step Functions, the
    clock, asynchronous delivery and the HTTP front door."""
    clock = clock or Clock("fast")
    with (
        _quiet_moto(),
        _fake_credentials(region),
        mock_aws(config=_MOTO_CONFIG),  # type: ignore[call-overload]
        tempfile.TemporaryDirectory(prefix="localcloud-") as workdir,
    ):
        account = boto3.client("sts", region_name=region).get_caller_identity()["Account"]
        runtime: AnyLambdaRuntime = (
            LambdaRuntime(Path(workdir), environment_for=function_environment)
            if lambda_runtime == "process"
            else InProcessLambdaRuntime(Path(workdir))
        )
        step_functions = StepFunctionsFixes(clock, fixes)
        front_door = FrontDoor(region=region, port=port, clock=clock)
        dispatcher = Dispatcher()
        clients = Clients(region)
        async_lambda = AsyncLambda(clock, clients)
        sqs_event_source = SqsEventSource(clock, clients, account, region)
        runtime.install()
        step_functions.install()
        async_lambda.install()
        sqs_event_source.install()
        dispatcher.add_source(async_lambda)
        dispatcher.add_source(sqs_event_source)
        dispatcher.start()
        front_door.start()
        try:
            yield Emulator(region, account, clock, runtime, front_door, dispatcher)
        finally:
            _stop_running_executions(region)
            front_door.stop()
            dispatcher.stop()
            sqs_event_source.uninstall()
            async_lambda.uninstall()
            step_functions.uninstall()
            runtime.uninstall()


def _stop_running_executions(region: str) -> None:
    """Executions run on daemon threads; none may outlive the emulator."""
    sfn = boto3.client("stepfunctions", region_name=region)
    for machine in sfn.list_state_machines()["stateMachines"]:
        running = sfn.list_executions(
            stateMachineArn=machine["stateMachineArn"], statusFilter="RUNNING"
        )["executions"]
        for execution in running:
            sfn.stop_execution(
                executionArn=execution["executionArn"],
                error="localcloud.Shutdown",
                cause="the emulator was shut down",
            )


@contextlib.contextmanager
def deploy(
    stack: str = "dev",
    config: Mapping[str, Any] | None = None,
    clock: Clock | None = None,
    port: int = 0,
    *,
    lambda_runtime: LambdaRuntimeKind = "in-process",
    function_environment: FunctionEnvironment = no_environment,
) -> Iterator[LocalCloud]:
    """Deploy the program's ``stack`` (with ``config`` overrides) into an in-process AWS."""
    region = stack_config(stack, config).get("aws:region", "us-east-1")
    with emulator(
        region,
        clock=clock,
        port=port,
        lambda_runtime=lambda_runtime,
        function_environment=function_environment,
    ) as aws:
        provisioner = MotoProvisioner(region, aws.front_door.url, ManagedLayers(aws.account_id))
        outputs = run_program(provisioner, stack=stack, config=config)
        aws.runtime.log_groups.update(
            {arn: spec.log_group for arn, spec in provisioner.functions.items() if spec.log_group}
        )
        yield LocalCloud(outputs, provisioner.created, aws)
