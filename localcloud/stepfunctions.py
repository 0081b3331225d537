"""Step Functions in moto, corrected where it differs from AWS, and run on localcloud's clock.

Each fix is named, so tests can show moto's behaviour without it and AWS's with it:

- ``unnamed-start``: StartExecution without a name gets a UUID name (moto: ``...:None``, and a
  second unnamed start collides with ``ExecutionAlreadyExists``).
- ``task-failure-cause``: SendTaskFailure keeps its ``cause`` (moto drops it).
- ``describe-output``: DescribeExecution returns the output as JSON always: a string result is
  quoted, dates are ISO-8601 (moto returns strings bare and fails on datetimes); a final status
  is never seen before the output, error and cause that go with it.
- ``start-execution-integration``: the ``states:startExecution`` integration starts the child
  (moto fails with ``'StateMachineArn'``).
- ``heartbeat-timeout``: a missed heartbeat is ``States.HeartbeatTimeout`` (moto: States.Timeout).
- ``stop-ends-callbacks``: StopExecution ends a task waiting for its token, records the given error
  and cause, and the execution ends ABORTED at once (moto keeps waiting), even right after
  StartExecution (moto fails while the interpreter is still starting).
- ``role-permissions``: every service call a task makes is checked against the execution role,
  and a denied call fails the task as on AWS (moto authorizes nothing).
- ``clock``: Wait states, retry intervals, TimeoutSeconds (a task's and the execution's) and
  HeartbeatSeconds run on the ``Clock`` (moto uses the wall clock).
- ``fresh-task-token``: each attempt of a retried ``.waitForTaskToken`` task waits for a token of
  its own (moto reuses the first attempt's token, whose wait has already ended, so every retry
  times out at once).
- ``definite-paths``: a definite JSONPath (names and single indices only, e.g.
  ``$.checks[0].flagged``) yields its one value, as on AWS (moto wraps any value reached through an
  array index in a list, so a Choice rule on it never matches).
"""

from __future__ import annotations

import datetime
import importlib
import json
import threading
import time as real_time
import types
import uuid
from collections.abc import Callable
from typing import Any

from jsonpath_ng import jsonpath
from moto.core.responses import ActionResult, EmptyResult
from moto.stepfunctions.parser import utils as interpreter_threads
from moto.stepfunctions.parser.api import HistoryEventType, TaskTimedOutEventDetails
from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEvent
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import (
    StatesErrorName,
)
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
    StatesErrorNameType,
)
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent
from moto.stepfunctions.parser.asl.component.program.program import Program
from moto.stepfunctions.parser.asl.component.state.exec import execute_state
from moto.stepfunctions.parser.asl.component.state.exec.state_parallel.branch_worker import (
    BranchWorker,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task import state_task
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service_sfn,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import (
    ResourceCondition,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_callback import (  # noqa: E501
    StateTaskServiceCallback,
)
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import (
    WaitFunction,
)
from moto.stepfunctions.parser.asl.eval.callback import callback
from moto.stepfunctions.parser.asl.eval.environment import Environment
from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
from moto.stepfunctions.parser.asl.eval.program_state import ProgramStopped
from moto.stepfunctions.parser.asl.utils import json_path
from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication
from moto.stepfunctions.parser.models import StepFunctionsParserBackend
from moto.stepfunctions.responses import StepFunctionResponse

from localcloud.clock import Clock
from localcloud.moto_caches import parse_extended_path
from localcloud.moto_patches import Patches
from localcloud.task_permissions import TaskPermissions

FIXES = (
    "unnamed-start",
    "task-failure-cause",
    "describe-output",
    "start-execution-integration",
    "heartbeat-timeout",
    "stop-ends-callbacks",
    "role-permissions",
    "clock",
    "definite-paths",
    "fresh-task-token",
)

# Every module of moto's interpreter that imported ``extract_json`` by name.
_EXTRACT_JSON_USERS = tuple(
    f"moto.stepfunctions.parser.asl.{module}"
    for module in (
        "utils.json_path",
        "component.common.string.string_expression",
        "component.intrinsic.argument.argument",
        "component.state.choice.comparison.operator.implementations.boolean_equals",
        "component.state.choice.comparison.operator.implementations.numeric",
        "component.state.choice.comparison.operator.implementations.string_operators",
        "component.state.choice.comparison.operator.implementations.timestamp_operators",
        "eval.states",
    )
)


# How long StopExecution waits for a just-started execution's interpreter to exist.
_EVALUATION_START_TIMEOUT = 10.0


def _await_evaluation(execution: Any) -> None:
    """moto starts an execution's interpreter on a thread that builds its environment a moment
    after StartExecution returns, and marks the program running only when it enters the first
    state; a stop before then fails inside moto (``env`` is None) or is lost (only a running
    program can be stopped). AWS can stop an execution at any time, so wait for both."""
    worker = getattr(execution, "exec_worker", None)
    deadline = real_time.monotonic() + _EVALUATION_START_TIMEOUT

    def starting() -> bool:
        env = getattr(worker, "env", None)
        return env is None or env.program_state() is None

    while worker is not None and starting():
        if real_time.monotonic() > deadline:
            raise RuntimeError(f"the interpreter of {execution.exec_arn} did not start")
        real_time.sleep(0.002)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def output_text(output: Any) -> str:
    """An execution's output as Step Functions gives it: always JSON, a string result quoted,
    dates ISO-8601 (moto passes a str through bare and fails on its datetimes)."""
    return json.dumps(output, default=_json_default, separators=(",", ":"))


class StepFunctionsFixes:
    def __init__(self, clock: Clock, enabled: frozenset[str] | set[str] = frozenset(FIXES)) -> None:
        unknown = set(enabled) - set(FIXES)
        if unknown:
            raise ValueError(f"unknown Step Functions fixes: {sorted(unknown)}")
        self.clock = clock
        self.enabled = frozenset(enabled)
        self._patches = Patches()
        self._permissions = TaskPermissions()

    def _patch(self, owner: Any, name: str, value: Any) -> None:
        self._patches.patch(owner, name, value)

    def install(self) -> None:
        installers: dict[str, Callable[[], None]] = {
            "unnamed-start": self._unnamed_start,
            "task-failure-cause": self._task_failure_cause,
            "describe-output": self._describe_output,
            "start-execution-integration": self._start_execution_integration,
            "heartbeat-timeout": self._heartbeat_timeout,
            "stop-ends-callbacks": self._stop_ends_callbacks,
            "role-permissions": self._role_permissions,
            "clock": self._clock,
            "definite-paths": self._definite_paths,
            "fresh-task-token": self._fresh_task_token,
        }
        for fix in FIXES:
            if fix in self.enabled:
                installers[fix]()

    def uninstall(self) -> None:
        self._permissions.uninstall()
        self._patches.undo()

    # -- the fixes -----------------------------------------------------------------------------

    def _unnamed_start(self) -> None:
        original = StepFunctionsParserBackend.start_execution

        def start_execution(
            backend: Any, state_machine_arn: str, name: Any = None, *args: Any, **kwargs: Any
        ) -> Any:
            return original(backend, state_machine_arn, name or str(uuid.uuid4()), *args, **kwargs)

        self._patch(StepFunctionsParserBackend, "start_execution", start_execution)

    def _task_failure_cause(self) -> None:
        def send_task_failure(response: Any) -> Any:
            response.stepfunction_backend.send_task_failure(
                response._get_param("taskToken"),
                error=response._get_param("error"),
                cause=response._get_param("cause"),
            )
            return EmptyResult()

        self._patch(StepFunctionResponse, "send_task_failure", send_task_failure)

    def _describe_output(self) -> None:
        def describe_execution(response: Any) -> Any:
            arn = response._get_param("executionArn")
            execution = response.stepfunction_backend.describe_execution(arn)
            result: dict[str, Any] = {
                "executionArn": arn,
                "input": execution.execution_input,
                "name": execution.name,
                "startDate": execution.start_date,
                "stateMachineArn": execution.state_machine_arn,
                "status": execution.status,
            }
            if execution.status != "RUNNING":
                result["stopDate"] = execution.stop_date
            if execution.status == "SUCCEEDED" and execution.output is not None:
                result["output"] = output_text(execution.output)
                result["outputDetails"] = execution.output_details
            for key in ("error", "cause"):
                if getattr(execution, key) is not None:
                    result[key] = getattr(execution, key)
            return ActionResult(result)

        self._patch(StepFunctionResponse, "describe_execution", describe_execution)

        original_reflect: Callable[[Any], None] = (
            BaseExecutionWorkerCommunication._reflect_execution_status
        )

        def reflect_execution_status(communication: Any) -> None:
            # moto sets the final status before the output, error and cause, so a reader in
            # between saw SUCCEEDED without an output. Stage every field, then the status last.
            execution = communication.execution
            staged = types.SimpleNamespace(exec_worker=execution.exec_worker)
            original_reflect(types.SimpleNamespace(execution=staged))
            status = staged.exec_status
            for name, value in vars(staged).items():
                if name not in ("exec_worker", "exec_status"):
                    setattr(execution, name, value)
            execution.exec_status = status

        self._patch(
            BaseExecutionWorkerCommunication, "_reflect_execution_status", reflect_execution_status
        )

    def _start_execution_integration(self) -> None:
        def eval_service_task(
            task: Any,
            env: Any,
            resource_runtime_part: Any,
            normalised_parameters: dict,
            state_credentials: Any,
        ) -> None:
            # The integration's Parameters use the API's capitalised names; boto3 wants camelCase.
            parameters = {
                key[0].lower() + key[1:]: value for key, value in normalised_parameters.items()
            }
            if isinstance(parameters.get("input"), dict | list):
                parameters["input"] = json.dumps(parameters["input"])
            client = state_task_service_sfn.boto_client_for(
                region=resource_runtime_part.region,
                service="stepfunctions",
                state_credentials=state_credentials,
            )
            response = getattr(client, task._get_boto_service_action())(**parameters)
            response.pop("ResponseMetadata", None)
            # ...and the task's result uses the API's names again (ExecutionArn, StartDate).
            result = {key[0].upper() + key[1:]: value for key, value in response.items()}
            env.stack.append(json.loads(json.dumps(result, default=_json_default)))

        self._patch(
            state_task_service_sfn.StateTaskServiceSfn, "_eval_service_task", eval_service_task
        )

    def _heartbeat_timeout(self) -> None:
        original = state_task.StateTask._from_error

        def from_error(task: Any, env: Any, ex: Exception) -> Any:
            if isinstance(ex, callback.HeartbeatTimeoutError):
                error = StatesErrorNameType.StatesHeartbeatTimeout
                return FailureEvent(
                    env=env,
                    error_name=StatesErrorName(typ=error),
                    event_type=HistoryEventType.TaskTimedOut,
                    event_details=EventDetails(  # type: ignore[typeddict-item]
                        taskTimedOutEventDetails=TaskTimedOutEventDetails(error=error.to_name())
                    ),
                )
            return original(task, env, ex)

        self._patch(state_task.StateTask, "_from_error", from_error)

    def _stop_ends_callbacks(self) -> None:
        def stop_execution(response: Any) -> Any:
            arn = response._get_param("executionArn")
            backend = response.stepfunction_backend
            execution = backend.describe_execution(arn)
            _await_evaluation(execution)
            stop_date = datetime.datetime.now(tz=datetime.UTC)
            error, cause = response._get_param("error"), response._get_param("cause")
            # moto keeps neither on an ABORTED execution; DescribeExecution shows both on AWS.
            # Set before the stop, so the execution is never ABORTED without them.
            execution.error, execution.cause = error, cause
            execution.stop(stop_date=stop_date, error=error, cause=cause)
            worker = getattr(execution, "exec_worker", None)
            if worker is not None:
                for endpoint in list(worker.env.callback_pool_manager._pool.values()):
                    endpoint.interrupt_all()
            return ActionResult({"stopDate": stop_date})

        self._patch(StepFunctionResponse, "stop_execution", stop_execution)

        # Ending the wait makes the interrupted task fail; on AWS a stopped execution stays
        # ABORTED whatever its tasks do afterwards.
        for name in ("set_error", "set_timed_out"):
            self._patch(Environment, name, _unless_stopped(getattr(Environment, name)))

        # A Parallel branch that starts just after its execution was stopped finds its frame
        # stopped and fails on its first step; it has nothing left to do but end.
        original_branch = BranchWorker._thread_routine

        def branch_routine(worker: Any) -> None:
            try:
                original_branch(worker)
            except RuntimeError:
                if not isinstance(worker.env.program_state(), ProgramStopped):
                    raise
                worker._branch_worker_comm.on_terminated(env=worker.env)

        self._patch(BranchWorker, "_thread_routine", branch_routine)

    def _definite_paths(self) -> None:
        original = json_path.extract_json

        def extract_json(path: str, data: Any) -> Any:
            expression = parse_extended_path(path)
            if not _definite(expression):
                return original(path, data)
            matches = expression.find(data)
            if not matches:
                raise json_path.NoSuchJsonPathError(json_path=path, data=data)
            return matches[0].value

        for name in _EXTRACT_JSON_USERS:
            self._patch(importlib.import_module(name), "extract_json", extract_json)

    def _fresh_task_token(self) -> None:
        original = StateTaskServiceCallback._eval_execution

        def eval_execution(task: Any, env: Any) -> None:
            # `env` is this attempt's frame: the token it sends is the one it waits for.
            if task.resource.condition == ResourceCondition.WaitForTaskToken:
                env.callback_pool_manager.add(env.states.context_object.update_task_token())
            original(task, env)

        self._patch(StateTaskServiceCallback, "_eval_execution", eval_execution)

    def _role_permissions(self) -> None:
        self._permissions.install()

    def _clock(self) -> None:
        clock = self.clock

        def wait_interval(wait: WaitFunction, env: Any, wait_seconds: int) -> None:
            # A stopped execution sets program_state_event, which ends the wait early as in AWS.
            clock.sleep(wait_seconds, interrupt=env.program_state_event)

        self._patch(WaitFunction, "_wait_interval", wait_interval)
        self._patch(
            retrier_decl,
            "time",
            types.SimpleNamespace(
                sleep=clock.sleep, time=real_time.time, monotonic=real_time.monotonic
            ),
        )

        def heartbeat_wait(endpoint: Any) -> bool:
            with endpoint._mutex:
                if endpoint._next_heartbeat_event.is_set():
                    endpoint._next_heartbeat_event.clear()
                    return True
            return not clock.sleep(
                endpoint._heartbeat_seconds, interrupt=endpoint._next_heartbeat_event
            )

        self._patch(callback.HeartbeatEndpoint, "clear_and_wait", heartbeat_wait)

        def callback_wait(endpoint: Any, timeout: float | None = None) -> Any:
            if timeout is None:
                endpoint._notify_event.wait()
            else:
                clock.sleep(timeout, interrupt=endpoint._notify_event)
            return endpoint._outcome

        self._patch(callback.CallbackEndpoint, "wait", callback_wait)
        # ExecutionState waits for its task on `threading.Event().wait(TimeoutSeconds)`.
        self._patch(execute_state, "threading", types.SimpleNamespace(Event=_clock_event(clock)))

        def program_eval(program: Program, env: Any) -> None:
            # moto joins the program's thread for the machine's TimeoutSeconds of wall time.
            timeout = program.timeout_seconds.timeout_seconds if program.timeout_seconds else None
            env.next_state_name = program.start_at.start_at_name
            ended = threading.Event()

            def evaluate() -> None:
                try:
                    EvalComponent.eval(program, env)
                finally:
                    ended.set()

            worker = threading.Thread(target=evaluate, daemon=True)
            interpreter_threads.TMP_THREADS.append(worker)
            started = clock.now()  # before the first state can run: the timeout counts from here
            worker.start()
            if timeout is None:
                worker.join()
                return
            remaining = timeout - (clock.now() - started)
            if clock.sleep(remaining, interrupt=ended) and not ended.is_set():
                env.set_timed_out()

        self._patch(Program, "eval", program_eval)


def _definite(expression: Any) -> bool:
    """Whether a parsed JSONPath names one node: fields and single indices, nothing else."""
    if isinstance(expression, jsonpath.Child):
        return _definite(expression.left) and _definite(expression.right)
    if isinstance(expression, jsonpath.Index):
        return len(expression.indices) == 1
    if isinstance(expression, jsonpath.Fields):
        return len(expression.fields) == 1 and expression.fields[0] != "*"
    return isinstance(expression, jsonpath.Root | jsonpath.This)


def _unless_stopped(transition: Callable[..., None]) -> Callable[..., None]:
    def guarded(env: Any, *args: Any, **kwargs: Any) -> None:
        if not isinstance(env.program_state(), ProgramStopped):
            transition(env, *args, **kwargs)

    return guarded


def _clock_event(clock: Clock) -> type[threading.Event]:
    """threading.Event whose timed wait is measured on ``clock`` (for task TimeoutSeconds)."""

    class ClockEvent(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            if timeout is None:
                return super().wait()
            clock.sleep(timeout, interrupt=self)
            return self.is_set()

    return ClockEvent
