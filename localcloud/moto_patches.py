"""Every change localcloud makes inside moto goes through ``Patches``.

Each change replaces a moto internal (a method, a function a module imported by name) whose
behaviour was read in one moto release. On another release the same name may do something else,
so ``Patches`` refuses to start on any moto but the pinned one, loudly and by name, instead of
emulating AWS wrongly. Changes are undone in reverse order.
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

PINNED_MOTO_VERSION = "5.2.5"
"""The release localcloud's patches were written against (requirements.lock pins it too)."""

_ABSENT = object()


class UnsupportedMotoVersionError(RuntimeError):
    """moto is not the release localcloud's patches were written against."""


def require_pinned_moto() -> None:
    installed = version("moto")
    if installed != PINNED_MOTO_VERSION:
        raise UnsupportedMotoVersionError(
            f"localcloud patches moto {PINNED_MOTO_VERSION} internals, but moto {installed} is "
            "installed: install requirements.lock, or re-check every patch against this release "
            "and update PINNED_MOTO_VERSION"
        )


class Patches:
    """Attribute replacements inside moto, undone together."""

    def __init__(self) -> None:
        require_pinned_moto()
        self._undo: list[tuple[Any, str, Any]] = []

    def patch(self, owner: Any, name: str, value: Any) -> None:
        # The owner's own attribute, not an inherited one, is what undo must put back.
        self._undo.append((owner, name, vars(owner).get(name, _ABSENT)))
        setattr(owner, name, value)

    def undo(self) -> None:
        while self._undo:
            owner, name, value = self._undo.pop()
            if value is _ABSENT:
                delattr(owner, name)
            else:
                setattr(owner, name, value)
