"""Find applications in a given state, a page at a time, through the table's ``state`` index.

The next-page token is opaque to callers: base64url of the index key to continue from, bound to
the state it was issued for. A token is accepted only in exactly the shape find issues it: the
``state`` index's last evaluated key is the table key plus the index key, ``{"id", "state"}``, so
anything else (another key shape, another state, an id submit never makes) is an
InvalidSearchError before the table is asked.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from applications.model import APPLICATION_ID, InvalidRequestError, State, require_object
from applications.repository import ApplicationRepository

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
MAX_TOKEN_LENGTH = 2048
_TOKEN_FIELDS = {"state", "key"}
_INDEX_KEY_FIELDS = {"id", "state"}


class InvalidSearchError(InvalidRequestError):
    """The search names no known state, a limit out of range, or a token not issued for it."""


@dataclass(frozen=True)
class Search:
    state: State
    limit: int = DEFAULT_LIMIT
    start_key: dict[str, Any] | None = None


def encode_token(state: State, last_key: dict[str, Any]) -> str:
    payload = json.dumps({"state": state.value, "key": last_key}, sort_keys=True)
    return base64.urlsafe_b64encode(payload.encode()).decode()


def decode_token(state: State, token: Any) -> dict[str, Any]:
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidSearchError("'nextToken' must be a token from an earlier page")
    try:
        payload = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (binascii.Error, ValueError):
        raise InvalidSearchError("'nextToken' is not a token from an earlier page") from None
    if not isinstance(payload, dict) or set(payload) != _TOKEN_FIELDS:
        raise InvalidSearchError("'nextToken' is not a token from an earlier page")
    if payload["state"] != state.value:
        raise InvalidSearchError(f"'nextToken' was not issued for state {state.value}")
    key = payload["key"]
    if not _is_index_key(key, state):
        raise InvalidSearchError("'nextToken' is not a token from an earlier page")
    return dict(key)


def _is_index_key(key: Any, state: State) -> bool:
    """Whether ``key`` is a last evaluated key of the ``state`` index for ``state``."""
    return (
        isinstance(key, dict)
        and set(key) == _INDEX_KEY_FIELDS
        and key["state"] == state.value
        and isinstance(key["id"], str)
        and APPLICATION_ID.fullmatch(key["id"]) is not None
    )


def parse_search(event: Any) -> Search:
    """A request ``{"state", "limit"?, "nextToken"?}``."""
    request = require_object(event)
    state_name = request.get("state")
    if not isinstance(state_name, str) or state_name not in State.__members__:
        raise InvalidSearchError(f"'state' must be one of {', '.join(State)}, got {state_name!r}")
    state = State(state_name)
    limit = request.get("limit", DEFAULT_LIMIT)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidSearchError(f"'limit' must be a whole number from 1 to {MAX_LIMIT}")
    token = request.get("nextToken")
    start_key = decode_token(state, token) if token is not None else None
    return Search(state, limit, start_key)


def find_applications(repository: ApplicationRepository, event: Any) -> dict[str, Any]:
    """``{"items": [...], "nextToken": ...}``; no ``nextToken`` on the last page."""
    search = parse_search(event)
    items, last_key = repository.find_by_state(search.state, search.limit, search.start_key)
    page: dict[str, Any] = {"items": [application.public() for application in items]}
    if last_key:
        page["nextToken"] = encode_token(search.state, last_key)
    return page
