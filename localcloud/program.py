"""Run this repository's Pulumi program (``__main__.py``) without the Pulumi CLI.

The same runner serves the unit tests (with recording mocks) and localcloud (with mocks that
create every resource in moto). It does what the CLI would: it passes the stack's configuration
(``Pulumi.yaml`` defaults under ``Pulumi.<stack>.yaml`` under explicit overrides), runs the program
in a fresh context so no Pulumi global state leaks between runs, waits for every output, and
returns the stack's exports.
"""

from __future__ import annotations

import contextvars
import json
import runpy
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.stack import wait_for_rpcs
from pulumi.runtime.sync_await import _sync_await

PROJECT_DIR = Path(__file__).resolve().parent.parent


class ConfigFileError(ValueError):
    """Pulumi.yaml or a stack file is missing or malformed."""


def project_name() -> str:
    return str(_read_yaml(PROJECT_DIR / "Pulumi.yaml")["name"])


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except FileNotFoundError:
        raise ConfigFileError(f"{path.name} not found in {path.parent}") from None
    if not isinstance(data, dict):
        raise ConfigFileError(f"{path} is not a YAML mapping")
    return data


def _wire(value: Any) -> str:
    """Config values reach the program as strings; structured ones as JSON, like the CLI."""
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _qualify(key: str, project: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def stack_config(stack: str, overrides: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The configuration the CLI would give ``stack``: project defaults, then the stack file,
    then ``overrides`` (keys with or without the project namespace)."""
    project = _read_yaml(PROJECT_DIR / "Pulumi.yaml")
    name = str(project["name"])
    config: dict[str, str] = {}
    for key, declaration in (project.get("config") or {}).items():
        if isinstance(declaration, dict) and "default" in declaration:
            config[_qualify(key, name)] = _wire(declaration["default"])
    stack_file = PROJECT_DIR / f"Pulumi.{stack}.yaml"
    if stack_file.exists():
        for key, value in (_read_yaml(stack_file).get("config") or {}).items():
            config[_qualify(key, name)] = _wire(value)
    for key, value in (overrides or {}).items():
        config[_qualify(key, name)] = _wire(value)
    return config


def answer_context_invoke(token: str, region: str, account_id: str) -> dict[str, Any] | None:
    """The results of the AWS provider's region/partition/account data sources, as mocks must
    return them; None for any other invoke (which the caller must refuse, never answer empty)."""
    match token:
        case "aws:index/getRegion:getRegion":
            return {"region": region, "name": region, "id": region}
        case "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": account_id,
                "arn": f"arn:aws:iam::{account_id}:user/program",
                "userId": "program",
                "id": account_id,
            }
    return None


def _resolve(value: Any) -> Any:
    """The plain value of an exported Output (after the program finished, it is known)."""
    future = pulumi.Output.from_input(value).future()
    if future is None:
        return None
    return _sync_await(future)


def _run(
    mocks: pulumi_mocks.Mocks,
    stack: str,
    config: dict[str, str],
    preview: bool,
    monitor: pulumi_mocks.MockMonitor | None,
) -> dict[str, Any]:
    if str(PROJECT_DIR) not in sys.path:  # the CLI runs the program with its directory on the path
        sys.path.insert(0, str(PROJECT_DIR))
    set_all_config(config)
    pulumi_mocks.set_mocks(
        mocks,
        project=project_name(),
        stack=stack,
        preview=preview,
        monitor=monitor or pulumi_mocks.MockMonitor(mocks),
    )
    runpy.run_path(str(PROJECT_DIR / "__main__.py"), run_name="__main__")
    _sync_await(wait_for_rpcs())
    root = pulumi_settings.get_root_resource()
    exports: dict[str, Any] = getattr(root, "outputs", {})
    outputs = {name: _resolve(value) for name, value in exports.items()}
    _sync_await(wait_for_rpcs())
    return outputs


def run_program(
    mocks: pulumi_mocks.Mocks,
    stack: str = "dev",
    config: Mapping[str, Any] | None = None,
    preview: bool = False,
    monitor: pulumi_mocks.MockMonitor | None = None,
) -> dict[str, Any]:
    """Run ``__main__.py`` under ``mocks`` and return its stack exports as plain values.

    Each run gets an empty ``contextvars.Context``: Pulumi keeps its root stack, configuration and
    settings in context variables, so nothing from one run is visible in the next.
    """
    resolved_config = stack_config(stack, config)
    context = contextvars.Context()
    return context.run(_run, mocks, stack, resolved_config, preview, monitor)
