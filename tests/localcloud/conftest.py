"""Fixtures for localcloud's own tests: an empty emulator and small functions written inline."""

from __future__ import annotations

import io
import json
import textwrap
import zipfile
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from localcloud import emulator
from localcloud.clock import Clock
from localcloud.cloud import Emulator


def trust(service: str) -> str:
    """A trust policy for one AWS service principal."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
            ],
        }
    )


TRUST_LAMBDA = trust("lambda.amazonaws.com")


@pytest.fixture
def aws() -> Iterator[Emulator]:
    """An empty in-process AWS on a fast clock."""
    with emulator(clock=Clock("fast", speedup=1000)) as running:
        yield running


@pytest.fixture
def manual_aws() -> Iterator[Emulator]:
    """An empty in-process AWS whose clock only moves when the test advances it."""
    with emulator(clock=Clock("manual")) as running:
        yield running


def zip_files(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, source in files.items():
            archive.writestr(path, textwrap.dedent(source))
    return buffer.getvalue()


def role(
    name: str, trust: str = TRUST_LAMBDA, statements: list[dict[str, Any]] | None = None
) -> str:
    iam = boto3.client("iam")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    if statements:
        grant(name, statements, f"{name}-policy")
    return arn


def grant(role_name: str, statements: list[dict[str, Any]], policy_name: str) -> None:
    """Give the role an inline policy of ``statements`` (replacing one of the same name)."""
    boto3.client("iam").put_role_policy(
        RoleName=role_name,
        PolicyName=policy_name,
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}),
    )


def make_function(
    name: str,
    files: dict[str, str],
    handler: str = "main.handler",
    environment: dict[str, str] | None = None,
    timeout: int = 10,
    *,
    layers: list[str] | None = None,
    statements: list[dict[str, Any]] | None = None,
) -> str:
    """Create a Python function from inline sources, its role allowed ``statements``; returns
    its ARN. Its calls to AWS are checked against that role, as on AWS."""
    return str(
        boto3.client("lambda").create_function(
            FunctionName=name,
            Runtime="python3.13",
            Role=role(f"{name}-role", statements=statements),
            Handler=handler,
            Code={"ZipFile": zip_files(files)},
            Timeout=timeout,
            Environment={"Variables": environment or {}},
            Layers=layers or [],
        )["FunctionArn"]
    )


def queue_arn(name: str) -> str:
    return f"arn:aws:sqs:us-east-1:123456789012:{name}"


def allows(resource: str, *actions: str) -> list[dict[str, Any]]:
    """The statement that allows ``actions`` on ``resource`` and nothing else."""
    return [{"Effect": "Allow", "Action": list(actions), "Resource": resource}]


def invoke(function: str, event: Any) -> tuple[dict[str, Any], Any]:
    """Synchronous invoke; returns the raw response and the decoded payload."""
    response = boto3.client("lambda").invoke(FunctionName=function, Payload=json.dumps(event))
    return response, json.loads(response["Payload"].read() or b"null")
