"""moto's backend lookup without its global lock once an account's backends exist.

Every moto request looks up its backend with ``BackendDict[account_id]``, which takes a
process-wide lock and scans lists to create the account's backends on first use. With dozens of
threads serving requests (the endpoint, executions, functions, event sources) that lock is where
they queue: profiled under 8 concurrent clients it held about a seventh of all samples. Once an
account's entry exists, reading it needs no lock (a dict lookup is atomic), so only the first
lookup of an account goes the locked way.
"""

from __future__ import annotations

from typing import Any

from moto.core.base_backend import BackendDict

from localcloud.moto_patches import Patches


class FastBackendLookup:
    def __init__(self) -> None:
        self._patches = Patches()

    def install(self) -> None:
        locked_lookup = BackendDict.__getitem__

        def lookup(backends: Any, account_id: str) -> Any:
            if dict.__contains__(backends, account_id):
                return dict.__getitem__(backends, account_id)
            return locked_lookup(backends, account_id)

        self._patches.patch(BackendDict, "__getitem__", lookup)

    def uninstall(self) -> None:
        self._patches.undo()
