"""Find applications in a given state, a page at a time, through the table's ``state`` index.

The next-page token is opaque to callers: base64url of the index key to continue from, bound to
the state it was issued for.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from applications.model import InvalidRequestError, State, require_object
from applications.repository import ApplicationRepository

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
MAX_TOKEN_LENGTH = 2048


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
    key = payload.get("key") if isinstance(payload, dict) else None
    if not isinstance(key, dict) or not all(isinstance(value, str) for value in key.values()):
        raise InvalidSearchError("'nextToken' is not a token from an earlier page")
    if payload.get("state") != state.value:
        raise InvalidSearchError(f"'nextToken' was not issued for state {state.value}")
    return key


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
