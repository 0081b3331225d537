"""The data-checking service the workflow's parallel checks call (seed 003, final version).

``{"command": "CHECK_NAME" | "CHECK_ADDRESS", "data": {...}}`` answers ``{"flagged": bool}``:
- a name containing ``evil`` is flagged; a name containing ``UNPROCESSABLE_DATA`` cannot be
  checked and raises UnprocessableDataException (Step Functions catches it by that class name);
- an address in which no ``<digits> <word>`` or ``<word> <digits>`` appears is flagged.
Pure: no AWS calls.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

CHECK_NAME = "CHECK_NAME"
CHECK_ADDRESS = "CHECK_ADDRESS"

# As the workshop's JavaScript matches: anywhere in the string, ASCII digits and word characters.
ADDRESS_PATTERN = re.compile(r"(\d+ \w+)|(\w+ \d+)", re.ASCII)


class InvalidCheckError(ValueError):
    """The request names no known command or lacks the value to check."""


# The workflow's Catch matches this exact class name (Lambda reports it as the errorType), so it
# keeps the workshop's name rather than this project's ...Error convention.
class UnprocessableDataException(Exception):  # noqa: N818
    """The value cannot be checked at all; the application is flagged as unprocessable."""


def check_name(name: str) -> dict[str, bool]:
    if "UNPROCESSABLE_DATA" in name:
        raise UnprocessableDataException(
            f"Simulated error: Name '{name}' is not possible to check."
        )
    return {"flagged": "evil" in name}


def check_address(address: str) -> dict[str, bool]:
    return {"flagged": ADDRESS_PATTERN.search(address) is None}


_COMMANDS: dict[str, tuple[str, Callable[[str], dict[str, bool]]]] = {
    CHECK_NAME: ("name", check_name),
    CHECK_ADDRESS: ("address", check_address),
}


def run_check(event: Any) -> dict[str, bool]:
    if not isinstance(event, dict):
        raise InvalidCheckError(f"expected a JSON object, got {type(event).__name__}")
    command = event.get("command")
    if command not in _COMMANDS:
        raise InvalidCheckError(
            f"'command' must be {CHECK_NAME} or {CHECK_ADDRESS}, got {command!r}"
        )
    field, check = _COMMANDS[command]
    data = event.get("data")
    value = data.get(field) if isinstance(data, dict) else None
    if not isinstance(value, str):
        raise InvalidCheckError(f"{command} needs a string 'data.{field}'")
    return check(value)
