"""Reading resource properties as the policy SDK hands them to a rule.

The engine gives a resource policy the resource's inputs after the provider's Check, and a stack
policy every resource's outputs (for pulumi-aws, the inputs plus what AWS computed), both keyed by
the provider schema's camelCase names (``sqsManagedSseEnabled``, ``destinationConfig.onFailure``),
with numbers as floats. pulumi_policy wraps them in read-only proxies (``Mapping`` and
``Sequence``, not ``dict`` and ``list``) that raise ``UnknownValueError`` when a value is not known
yet: during a preview, anything computed from another resource's outputs. The SDK turns that
exception into an advisory "can't run policy during preview" diagnostic.

The helpers here let a rule tell "unset" from "set, but not known yet", so a rule that only needs
to know a value is present (a log destination, a redrive policy) still runs fully in a preview.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pulumi_policy.proxy import UnknownValueError


class _Unknown:
    def __repr__(self) -> str:
        return "<unknown during preview>"


UNKNOWN: Any = _Unknown()
"""What ``peek`` answers for a value that is set but not known until the update."""


def peek(value: Any, *path: str) -> Any:
    """The value at ``path`` (keys of nested mappings): None when a step is missing or not a
    mapping, ``UNKNOWN`` when it is not known yet."""
    try:
        for key in path:
            if not isinstance(value, Mapping):
                return None
            value = value.get(key)  # the proxy raises here for an unknown value
            if value is None:
                return None
    except UnknownValueError:
        return UNKNOWN
    return value


def same(value: Any, other: Any) -> bool:
    """Two known, non-empty values that are equal (an unknown value equals nothing)."""
    return value is not UNKNOWN and other is not UNKNOWN and bool(value) and value == other


def read(props: Mapping[str, Any], key: str) -> Any:
    """``props[key]``, raising the SDK's UnknownValueError when it is not known yet (to stop a
    check that cannot go on without it), None when it is unset."""
    return props.get(key)


def is_set(value: Any) -> bool:
    """A value that will be there: non-empty, or unknown during a preview."""
    return value is UNKNOWN or bool(value)


def as_list(value: Any) -> list[Any]:
    """IAM's "one or many": a single value or a sequence of them, as a list (None: empty)."""
    if value is None:
        return []
    if isinstance(value, str | Mapping) or not isinstance(value, Sequence):
        return [value]
    return list(value)


def number(value: Any, default: float) -> float:
    """A number property, or the AWS default when it is unset."""
    return default if value is None else float(value)


class Deferred:
    """Checks of several resources in one stack policy, each run to the end it can reach.

    A check that meets an unknown value stops; the others still report their violations. At the
    end the first unknown is raised, so the SDK says this policy could not fully run during the
    preview, as it does for a resource policy. During an update every value is known.
    """

    def __init__(self) -> None:
        self._first: UnknownValueError | None = None

    def check(self, check: Callable[..., None], *args: Any) -> None:
        try:
            check(*args)
        except UnknownValueError as unknown:
            if self._first is None:
                self._first = unknown

    def finish(self) -> None:
        if self._first is not None:
            raise self._first
