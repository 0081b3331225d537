"""``deploy()``: the Pulumi program deployed into an in-process AWS, ready to be used.

The emulator is moto (``mock_aws``) with its Step Functions interpreter on; localcloud adds the
pieces moto lacks (in-process Lambda, corrected Step Functions behaviour and its status change
events, a controllable clock, asynchronous delivery, EventBridge delivery to functions and topics,
front doors for HTTP and GraphQL APIs)
and deploys a program's ``__main__.py`` through the same program runner the recording mocks use.
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
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws
from moto.awslambda.models import lambda_backends
from moto.core.exceptions import AWSError
from moto.stepfunctions.parser import utils as interpreter
from moto.stepfunctions.parser.api import ExecutionStatus
from moto.stepfunctions.parser.models import stepfunctions_parser_backends

from localcloud import api_requests
from localcloud.async_lambda import AsyncLambda
from localcloud.aws_types import Placement
from localcloud.backend_lookup import FastBackendLookup
from localcloud.clients import Clients
from localcloud.clock import Clock
from localcloud.dispatcher import Dispatcher
from localcloud.dynamodb import DynamoDBFixes
from localcloud.endpoint import Endpoint
from localcloud.eventbridge import EventBridgeTargets
from localcloud.execution_events import ExecutionStatusEvents
from localcloud.front_door import FrontDoor
from localcloud.graphql_server import GraphQLServer
from localcloud.lambda_runtime import LambdaRuntime
from localcloud.layers import ManagedLayers
from localcloud.moto_caches import MotoCaches
from localcloud.principals import Principal, Principals
from localcloud.program import resolve_program_dir, run_program, stack_config
from localcloud.provisioner import CreatedResource, FunctionSpec, MotoProvisioner
from localcloud.recording import RecordingMonitor, System, systems
from localcloud.role_authorization import authorize_role_call
from localcloud.sigv4 import sign
from localcloud.sqs_event_source import SqsEventSource
from localcloud.stepfunctions import FIXES, StepFunctionsFixes
from localcloud.usage import UsageMeter

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
        self,
        outputs: dict[str, Any],
        resources: list[CreatedResource],
        aws: Emulator,
        systems: list[System] | None = None,
    ) -> None:
        self.outputs = outputs
        self.resources = resources
        self.systems = systems or []
        """The program's top-level components and what each owns."""
        self._aws = aws

    @property
    def region(self) -> str:
        return self._aws.region

    @property
    def url(self) -> str:
        """Base URL of the HTTP front door; every exported API URL points into it."""
        return self._aws.front_door.url

    @property
    def graphql_url(self) -> str:
        """Base URL of the GraphQL front door; every exported GraphQL URL points into it."""
        return self._aws.graphql.url

    @property
    def clock(self) -> Clock:
        return self._aws.clock

    @property
    def endpoint_url(self) -> str:
        """The AWS API of every emulated service, for SDKs and the aws CLI."""
        return self._aws.endpoint.url

    @property
    def credentials(self) -> Principal:
        """The local credentials a client outside localcloud signs with (the account's root)."""
        return self._aws.principals.root

    @property
    def runtime(self) -> LambdaRuntime:
        return self._aws.runtime

    @property
    def usage(self) -> UsageMeter:
        """Every billable thing the cloud has done (``localcloud.usage``)."""
        return self._aws.usage

    def client(self, service_name: str) -> Any:
        """A boto3 client of the emulated service, made once and shared (clients are
        thread-safe, and making one costs milliseconds)."""
        return self._aws.clients(service_name)

    def wait(self, execution_arn: str, timeout: float = 30.0) -> dict[str, Any]:
        """Wait until the execution ends; its final ``describe_execution`` as plain JSON values.

        It watches the execution in the backend rather than polling the API: eight callers
        polling every 10 ms through the API kept the process too busy to run the executions."""
        sfn = self.client("stepfunctions")
        backend = stepfunctions_parser_backends[self._aws.account_id][self.region]
        try:
            execution: Any = backend.describe_execution(execution_arn)  # the parser's Execution
        except AWSError:
            # No such execution, or no ARN: the caller gets the API's ClientError. Unless it was
            # started in the meantime (by a queue consumer, say): then the API finds it too.
            sfn.describe_execution(executionArn=execution_arn)
            execution = backend.describe_execution(execution_arn)
        _poll_until(
            lambda: execution.exec_status is not ExecutionStatus.RUNNING,
            timeout,
            f"{execution_arn} still RUNNING after {timeout} s",
        )
        return dict(_jsonable(sfn.describe_execution(executionArn=execution_arn)))

    def wait_started(self, execution_arn: str, timeout: float = 30.0) -> dict[str, Any]:
        """Wait until something else (a queue's consumer, say) has started the execution, then
        until it ends (``wait``). Both watch the backend, for the reason ``wait`` gives."""
        backend = stepfunctions_parser_backends[self._aws.account_id][self.region]

        def started() -> bool:
            try:
                backend.describe_execution(execution_arn)
            except AWSError:
                return False
            return True

        deadline = time.monotonic() + timeout
        _poll_until(started, timeout, f"no execution {execution_arn} after {timeout} s")
        return self.wait(execution_arn, timeout=max(0.0, deadline - time.monotonic()))

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

    def settle(self, timeout: float = 30.0) -> None:
        """Run the asynchronous work that is due now; work due later on the clock (a retry)
        stays scheduled (see localcloud.dispatcher)."""
        self._aws.dispatcher.settle(timeout)

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
            headers = sign(
                method, url, data, region=self.region, principal=self.credentials, headers=headers
            )
        request = urllib.request.Request(url, data=data or None, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, text = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
        return status, json.loads(text) if text else None


def _poll_until(done: Callable[[], bool], timeout: float, failure: str) -> None:
    """Check ``done`` every millisecond at first, then less often (up to 20 ms), until it holds;
    ``ExecutionTimeoutError(failure)`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    pause = 0.001
    while not done():
        if time.monotonic() > deadline:
            raise ExecutionTimeoutError(failure)
        time.sleep(pause)
        pause = min(2 * pause, 0.02)


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
    runtime: LambdaRuntime
    front_door: FrontDoor
    dispatcher: Dispatcher
    principals: Principals
    endpoint: Endpoint
    clients: Clients
    graphql: GraphQLServer
    usage: UsageMeter


@contextlib.contextmanager
def emulator(
    region: str = "us-east-1",
    clock: Clock | None = None,
    fixes: frozenset[str] = frozenset(FIXES),
    port: int = 0,
) -> Iterator[Emulator]:
    """An empty AWS: moto behind one endpoint, functions in worker processes, corrected Step
    Functions, the clock, asynchronous delivery and the front doors of HTTP and GraphQL APIs."""
    clock = clock or Clock("fast")
    with (
        _quiet_moto(),
        _fake_credentials(region),
        mock_aws(config=_MOTO_CONFIG),  # type: ignore[call-overload]
        tempfile.TemporaryDirectory(prefix="localcloud-") as workdir,
    ):
        account = boto3.client("sts", region_name=region).get_caller_identity()["Account"]
        principals = Principals(account)
        endpoint = Endpoint(region, principals, authorize=authorize_role_call)
        api_requests.preload()  # the hook reads requests with botocore's models

        def through_endpoint(function: Any) -> dict[str, str]:
            # Functions reach AWS as on AWS: through the API, signed as their role.
            role = principals.for_role(function.role)
            return {"AWS_ENDPOINT_URL": endpoint.url, **role.environment}

        usage = UsageMeter()
        runtime = LambdaRuntime(Path(workdir), environment_for=through_endpoint, meter=usage)
        step_functions = StepFunctionsFixes(clock, fixes)
        dynamodb = DynamoDBFixes()
        moto_caches = MotoCaches()
        backend_lookup = FastBackendLookup()
        clients = Clients(region)
        front_door = FrontDoor(region, principals, clients, port=port, clock=clock, meter=usage)
        graphql = GraphQLServer(region, account, clients, meter=usage)
        dispatcher = Dispatcher()
        async_lambda = AsyncLambda(clock, clients)
        sqs_event_source = SqsEventSource(clock, clients, account, region)
        eventbridge = EventBridgeTargets()
        status_events = ExecutionStatusEvents(dispatcher.submit)
        # What changes moto, installed in this order and undone in the reverse one.
        moto_changes = (
            usage,
            runtime,
            backend_lookup,
            dynamodb,
            moto_caches,
            step_functions,
            async_lambda,
            sqs_event_source,
            eventbridge,
            status_events,
        )
        for change in moto_changes:
            change.install()
        dispatcher.add_source(async_lambda)
        dispatcher.add_source(sqs_event_source)
        dispatcher.start()
        front_door.start()
        graphql.start()
        endpoint.start()
        try:
            yield Emulator(
                region,
                account,
                clock,
                runtime,
                front_door,
                dispatcher,
                principals,
                endpoint,
                clients,
                graphql,
                usage,
            )
        finally:
            status_events.close()
            _stop_running_executions(region)
            clock.release_all()
            # Without the stop fix moto can leave a Parallel state's thread waiting forever for a
            # stopped branch (test_stepfunctions_fixes shows it): a longer wait would not end it.
            _join_interpreter_threads(timeout=3.0 if "stop-ends-callbacks" in fixes else 1.0)
            endpoint.stop()
            front_door.stop()
            graphql.stop()
            dispatcher.stop()
            for change in reversed(moto_changes):
                change.uninstall()


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


def _join_interpreter_threads(timeout: float = 3.0) -> None:
    """Wait for the stopped executions' threads: one still running a task would call into a
    runtime that is gone, or write into its removed directory."""
    deadline = time.monotonic() + timeout
    for thread in list(interpreter.TMP_THREADS):
        thread.join(max(0.0, deadline - time.monotonic()))
    interpreter.TMP_THREADS.clear()


@contextlib.contextmanager
def deploy(
    stack: str = "dev",
    config: Mapping[str, Any] | None = None,
    *,
    clock: Clock | None = None,
    port: int = 0,
    program_dir: str | Path | None = None,
    prewarm: bool = False,
) -> Iterator[LocalCloud]:
    """Deploy ``stack`` (with ``config`` overrides) of the Pulumi program in ``program_dir``
    (default: found from the working directory) into an in-process AWS.

    With ``prewarm``, each function's first worker starts as the function is created, so that
    its initialization overlaps the rest of the deploy instead of delaying its first invocation.
    """
    program_dir = resolve_program_dir(program_dir)
    region = stack_config(stack, config, program_dir).get("aws:region", "us-east-1")
    with emulator(region, clock=clock, port=port) as aws:

        def function_created(spec: FunctionSpec) -> None:
            if spec.log_group:
                aws.runtime.log_groups[spec.arn] = spec.log_group
            if prewarm:
                aws.runtime.prewarm(lambda_backends[aws.account_id][region].get_function(spec.arn))

        placement = Placement(
            region,
            aws.account_id,
            api_base_url=aws.front_door.url,
            graphql_base_url=aws.graphql.url,
        )
        provisioner = MotoProvisioner(placement, ManagedLayers(aws.account_id), function_created)
        monitor = RecordingMonitor(provisioner)
        outputs = run_program(provisioner, stack, config, monitor=monitor, program_dir=program_dir)
        yield LocalCloud(outputs, provisioner.created, aws, systems(monitor.recorded))
