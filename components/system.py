"""System: the base of the program's top-level components, one per seed system.

What every system does the same way: its functions are its children, named ``<system>-<role>``,
log as the system (Powertools reads its service name from ``POWERTOOLS_SERVICE_NAME``), share the
stack's observability settings, and say in their description which seed they come from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi

from components.function import PythonFunction, PythonFunctionArgs
from components.observability import Observability


class System(pulumi.ComponentResource):
    seed: str
    """The source document the system rebuilds, e.g. ``002``."""
    functions: list[PythonFunction]
    """Every function of the system (what operations watches)."""

    def __init__(
        self,
        type_: str,
        name: str,
        observability: Observability,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(type_, name, None, opts)
        self._name = name
        self._observability = observability
        self.functions = []

    def _function(
        self,
        role: str,
        package: str,
        description: str,
        *,
        shared: Sequence[str] = (),
        environment: Mapping[str, pulumi.Input[str]] | None = None,
        timeout: int = 10,
    ) -> PythonFunction:
        """The function ``<system>-<role>`` from ``handlers/<package>``, with exactly the shared
        packages its code imports and the environment it reads."""
        function = PythonFunction(
            f"{self._name}-{role}",
            PythonFunctionArgs(
                package=package,
                shared=shared,
                description=f"{description} (seed {self.seed})",
                environment={"POWERTOOLS_SERVICE_NAME": self._name, **(environment or {})},
                timeout=timeout,
                observability=self._observability,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.functions.append(function)
        return function
