"""Whose orders a call is about: the partition of the orders table it may read and write.

The seed's API is called with its API key, which names no one: AppSync passes ``identity: null``
and every such caller is the seed's single user, ``demo_user``. This is the one place that says
so. When the API gets real users (a Cognito user pool, say), this function maps their identity
(e.g. the token's ``sub``) to a partition instead, and nothing else changes.

A caller with an identity is refused rather than given ``demo_user``'s orders: no identity mapping
is decided yet, and sharing one partition with every signed-in user would hand each the others'
orders.
"""

from __future__ import annotations

from typing import Any

DEMO_USER = "demo_user"


class UnknownCallerError(PermissionError):
    """The call carries an identity this API does not map to a partition (yet)."""


def partition_of(event: Any) -> str:
    """The ``user_id`` of the caller of an AppSync resolver event (``identity`` null for an API
    key)."""
    identity = event.get("identity")
    if identity is None:
        return DEMO_USER
    kind = ", ".join(sorted(identity)) if isinstance(identity, dict) else type(identity).__name__
    raise UnknownCallerError(
        f"only API key callers are served; this call carries an identity ({kind})"
    )
