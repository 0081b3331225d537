"""Task starts: validation and the execution a task becomes (pure, no AWS).

A task started at unix second ``t`` runs as the execution ``<taskId>-<t>`` with the input
``{"taskId", "timestamp": t}``. The timestamp has no ``-``, so the name maps back to exactly one
(taskId, timestamp) pair: the same name always means the same task start.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_EXECUTION_NAME_LENGTH = 80
# Characters Step Functions refuses in an execution name, besides white space and control,
# surrogate and non-characters (checked by code point below).
_FORBIDDEN_CHARACTERS = frozenset('<>{}[]?*"#%\\^|~`$&,;:/')


class InvalidTaskError(ValueError):
    """The request is not a task start ``{"taskId": "..."}``."""


class InvalidTaskIdError(InvalidTaskError):
    """``taskId`` is missing, not a string, empty, or cannot be part of an execution name."""


def _is_forbidden(char: str) -> bool:
    code = ord(char)
    return (
        char.isspace()
        or char in _FORBIDDEN_CHARACTERS
        or code <= 0x1F
        or 0x7F <= code <= 0x9F
        or 0xD800 <= code <= 0xDFFF
        or code in (0xFFFE, 0xFFFF)
    )


@dataclass(frozen=True)
class TaskStart:
    task_id: str
    timestamp: int
    """Unix seconds when the task was started."""

    @property
    def execution_name(self) -> str:
        return f"{self.task_id}-{self.timestamp}"

    @property
    def execution_input(self) -> dict[str, Any]:
        return {"taskId": self.task_id, "timestamp": self.timestamp}


def parse_task_start(event: Any, timestamp: int) -> TaskStart:
    """The task start that ``event`` asks for at ``timestamp``, or a named error."""
    if not isinstance(event, dict):
        raise InvalidTaskError(f"expected a JSON object {{taskId}}, got {type(event).__name__}")
    task_id = event.get("taskId")
    if task_id is None or task_id == "":
        raise InvalidTaskIdError("the request needs a non-empty string 'taskId'")
    if not isinstance(task_id, str):
        raise InvalidTaskIdError(f"'taskId' must be a string, got {type(task_id).__name__}")
    forbidden = sorted({char for char in task_id if _is_forbidden(char)})
    if forbidden:
        raise InvalidTaskIdError(
            f"'taskId' contains characters an execution name cannot hold: {forbidden!r}"
        )
    task = TaskStart(task_id=task_id, timestamp=timestamp)
    if len(task.execution_name) > MAX_EXECUTION_NAME_LENGTH:
        limit = MAX_EXECUTION_NAME_LENGTH - len(f"-{timestamp}")
        raise InvalidTaskIdError(f"'taskId' is longer than {limit} characters")
    return task
