"""Run a Pulumi Python program without the Pulumi CLI, as the CLI would run it.

A program is a directory holding ``Pulumi.yaml`` (project name, runtime, config declarations),
``Pulumi.<stack>.yaml`` files and ``__main__.py``; by default the nearest directory at or above the
working directory that has a ``Pulumi.yaml``, as the CLI finds its project. The runner passes the
stack's configuration (``Pulumi.yaml`` defaults under ``Pulumi.<stack>.yaml`` under explicit
overrides), runs ``__main__.py`` from the program's directory in a fresh context so no Pulumi global
state leaks between runs, waits for every output, and returns the stack's exports. The recording
mocks (``localcloud.recording``) and localcloud's deploy (mocks that create every resource in moto)
both run programs through it.
"""

from __future__ import annotations

import contextlib
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

PROJECT_FILE = "Pulumi.yaml"


class ProgramError(ValueError):
    """A directory is not a Pulumi Python program, or its project or stack file is malformed."""


def find_program_dir(start: str | Path | None = None) -> Path:
    """The nearest directory at or above ``start`` (default: the working directory) that holds a
    ``Pulumi.yaml``."""
    here = Path(start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        if (directory / PROJECT_FILE).is_file():
            return directory
    raise ProgramError(f"no {PROJECT_FILE} in {here} or any directory above it")


def resolve_program_dir(program_dir: str | Path | None = None) -> Path:
    """``program_dir`` as given, or the program found from the working directory when None."""
    return find_program_dir() if program_dir is None else Path(program_dir).resolve()


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except FileNotFoundError:
        raise ProgramError(f"{path.name} not found in {path.parent}") from None
    if not isinstance(data, dict):
        raise ProgramError(f"{path} is not a YAML mapping")
    return data


def _project(directory: Path) -> dict[str, Any]:
    project = _read_yaml(directory / PROJECT_FILE)
    runtime = project.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        raise ProgramError(f"{directory / PROJECT_FILE}: runtime {runtime_name!r}, not python")
    return project


def project_name(program_dir: str | Path | None = None) -> str:
    return str(_project(resolve_program_dir(program_dir))["name"])


def _wire(value: Any) -> str:
    """Config values reach the program as strings; structured ones as JSON, like the CLI."""
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _qualify(key: str, project: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def stack_config(
    stack: str,
    overrides: Mapping[str, Any] | None = None,
    program_dir: str | Path | None = None,
) -> dict[str, str]:
    """The configuration the CLI would give ``stack`` of the program in ``program_dir``: project
    defaults, then the stack file, then ``overrides`` (keys with or without the project
    namespace)."""
    directory = resolve_program_dir(program_dir)
    project = _project(directory)
    name = str(project["name"])
    config: dict[str, str] = {}
    for key, declaration in (project.get("config") or {}).items():
        if isinstance(declaration, dict) and "default" in declaration:
            config[_qualify(key, name)] = _wire(declaration["default"])
    stack_file = directory / f"Pulumi.{stack}.yaml"
    if stack_file.exists():
        for key, value in (_read_yaml(stack_file).get("config") or {}).items():
            config[_qualify(key, name)] = _wire(value)
    for key, value in (overrides or {}).items():
        config[_qualify(key, name)] = _wire(value)
    return config


def _resolve(value: Any) -> Any:
    """The plain value of an exported Output (after the program finished, it is known)."""
    future = pulumi.Output.from_input(value).future()
    if future is None:
        return None
    return _sync_await(future)


def _run(
    mocks: pulumi_mocks.Mocks,
    directory: Path,
    stack: str,
    config: dict[str, str],
    *,
    preview: bool,
    monitor: pulumi_mocks.MockMonitor | None,
) -> dict[str, Any]:
    entry_point = directory / "__main__.py"
    if not entry_point.is_file():
        raise ProgramError(f"{directory} has no __main__.py to run")
    if str(directory) not in sys.path:  # the CLI runs the program with its directory on the path
        sys.path.insert(0, str(directory))
    set_all_config(config)
    pulumi_mocks.set_mocks(
        mocks,
        project=project_name(directory),
        stack=stack,
        preview=preview,
        monitor=monitor or pulumi_mocks.MockMonitor(mocks),
    )
    # From its own directory, as the CLI runs it: relative paths (assets, files) resolve there.
    with contextlib.chdir(directory):
        runpy.run_path(str(entry_point), run_name="__main__")
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
    *,
    preview: bool = False,
    monitor: pulumi_mocks.MockMonitor | None = None,
    program_dir: str | Path | None = None,
) -> dict[str, Any]:
    """Run the ``__main__.py`` of the program in ``program_dir`` (default: found from the working
    directory) under ``mocks`` and return its stack exports as plain values.

    Each run gets an empty ``contextvars.Context``: Pulumi keeps its root stack, configuration and
    settings in context variables, so nothing from one run is visible in the next.
    """
    directory = resolve_program_dir(program_dir)
    resolved_config = stack_config(stack, config, directory)
    context = contextvars.Context()
    return context.run(
        _run, mocks, directory, stack, resolved_config, preview=preview, monitor=monitor
    )
