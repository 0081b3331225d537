"""Shared fixtures. ``handlers/`` is on sys.path (pyproject) exactly as the Lambda runtime puts
the archive root on it, so tests import handler packages the way AWS does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from xdist.scheduler import LoadScopeScheduling

from localcloud.gc_tuning import freeze_loaded_objects
from localcloud.lambda_context import LambdaContext

REGION = "us-east-1"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An empty in-process AWS (moto) with fake credentials that can reach nothing real."""
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        yield


@pytest.fixture
def lambda_context() -> LambdaContext:
    return LambdaContext(
        function_name="test-function",
        invoked_function_arn=f"arn:aws:lambda:{REGION}:123456789012:function:test-function",
    )


def create_table(name: str, key: str = "id", sort_key: tuple[str, str] | None = None):
    """A DynamoDB table in moto, on demand, keyed like the program's."""
    attributes = [{"AttributeName": key, "AttributeType": "S"}]
    schema = [{"AttributeName": key, "KeyType": "HASH"}]
    if sort_key:
        attributes.append({"AttributeName": sort_key[0], "AttributeType": sort_key[1]})
        schema.append({"AttributeName": sort_key[0], "KeyType": "RANGE"})
    return boto3.resource("dynamodb", region_name=REGION).create_table(
        TableName=name,
        KeySchema=schema,
        AttributeDefinitions=attributes,
        BillingMode="PAY_PER_REQUEST",
    )


SHARED_FIXTURE_MODULES = (
    "tests/e2e/",
    "tests/wiring/",
    "tests/localcloud/test_provisioner.py",
    "tests/localcloud/test_appsync.py",
    "tests/localcloud/test_eventbridge_lambda.py",
    "tests/localcloud/test_execution_notifications.py",
    "tests/policy/test_pack.py",
    "tests/policy/test_program_compliance.py",
)
"""Where tests share a fixture wider than one test; ``test_schedule`` keeps this true."""


class _WholeModulesWhereShared(LoadScopeScheduling):
    """Two workers that finish together: a module whose tests share a fixture wider than one
    test (a deployed stack, a program run under mocks) is one unit, run on one worker so the
    fixture is made once; every other test is a unit of its own. xdist starts the largest units
    first and fills in with single tests. (``--dist loadfile`` queued whole modules and left one
    worker running the last heavy ones; ``--dist loadgroup`` cannot group under pytest 9.)"""

    def _split_scope(self, nodeid: str) -> str:
        module = nodeid.split("::", 1)[0]
        return module if module.startswith(SHARED_FIXTURE_MODULES) else nodeid

    def _assign_work_unit(self, node: Any) -> None:
        if not getattr(self, "_interleaved", False):
            self._interleaved = True
            units = list(self.workqueue.items())
            self.workqueue.clear()
            self.workqueue.update(_modules_spread_out(units))
        super()._assign_work_unit(node)


def _modules_spread_out(units: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """The whole modules first (xdist queued them largest first), then the single tests with
    each module's spread evenly over the run: tests of one module that wait on a clock
    (timeouts, sleeps) then overlap other modules' tests that keep the cores busy, not each
    other."""
    whole = [(scope, unit) for scope, unit in units if "::" not in scope]
    by_module: dict[str, list[tuple[str, Any]]] = {}
    for scope, unit in units:
        if "::" in scope:
            by_module.setdefault(scope.split("::", 1)[0], []).append((scope, unit))
    placed = [
        ((index + 0.5) / len(tests), module, test)
        for module, tests in by_module.items()
        for index, test in enumerate(tests)
    ]
    return whole + [test for _, _, test in sorted(placed, key=lambda place: place[:2])]


@pytest.hookimpl(optionalhook=True)  # so `-p no:xdist` still runs the suite
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> LoadScopeScheduling | None:
    """The suite's ``--dist loadscope`` (pyproject); any other mode asked for is xdist's own."""
    if config.getvalue("dist") != "loadscope":
        return None
    return _WholeModulesWhereShared(config, log)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What is imported and collected lives for the whole run (see localcloud.gc_tuning)."""
    freeze_loaded_objects()
