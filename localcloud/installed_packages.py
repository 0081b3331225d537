"""A directory holding exactly some installed distributions, for a worker's import path.

A Lambda worker must import what AWS would give it and nothing else: the runtime's own libraries
(the runtime interface client and boto3, under ``LAMBDA_RUNTIME_DIR``) and a layer's content
(under ``/opt/python``). Both are taken from the packages installed beside localcloud, pinned in
requirements.lock, so the worker runs with ``python -S`` (no site-packages) and this directory on
its path. The distributions are linked, not copied: building one costs a few milliseconds.
"""

from __future__ import annotations

import importlib.metadata
import re
from collections.abc import Iterable
from pathlib import Path

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _required(distribution: importlib.metadata.Distribution) -> list[str]:
    """The names of the distributions it needs; extras are never installed in a layer."""
    names = []
    for requirement in distribution.requires or []:
        _, _, marker = requirement.partition(";")
        match = _NAME.match(requirement)
        if match and "extra" not in marker:
            names.append(match.group(1))
    return names


def _closure(names: Iterable[str]) -> list[importlib.metadata.Distribution]:
    found: dict[str, importlib.metadata.Distribution] = {}
    pending = list(names)
    while pending:
        name = _canonical(pending.pop())
        if name in found:
            continue
        try:
            distribution = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            # A requirement whose marker excludes this interpreter (a backport) is not installed.
            continue
        found[name] = distribution
        pending.extend(_required(distribution))
    return list(found.values())


def _top_level(distribution: importlib.metadata.Distribution) -> set[str]:
    """The entries a distribution installed at the top of site-packages (packages, modules,
    native extensions and its .dist-info, so importlib.metadata works in the worker)."""
    entries = set()
    for file in distribution.files or []:
        first = file.parts[0]
        if first not in {"..", "__pycache__"} and not first.endswith(".data"):
            entries.add(first)
    return entries


def link_distributions(names: Iterable[str], directory: Path) -> Path:
    """Make ``directory`` hold the named distributions and everything they require."""
    directory.mkdir(parents=True, exist_ok=True)
    for distribution in _closure(names):
        for entry in _top_level(distribution):
            link = directory / entry
            if not link.exists():
                link.symlink_to(Path(str(distribution.locate_file(entry))))
    return directory
