"""Text a function may hand on to AWS.

A JSON event can carry a lone surrogate (``"\\ud800"``): Python decodes it into a ``str`` that has
no UTF-8 form, so a call fails only when boto3 encodes its request, part-way through the function's
work. Checking first lets a function refuse such text by name, before it changes anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

# The function that refuses a value raises the error of its own domain.
_Refusal = Callable[[str], Exception]


def is_valid_unicode(text: str) -> bool:
    """Whether ``text`` has a UTF-8 form (no lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_valid_unicode_json(value: Any) -> bool:
    """Whether every string in a JSON value (keys included) is valid Unicode text."""
    return is_valid_unicode(json.dumps(value, ensure_ascii=False))


def checked_text(value: Any, field: str, max_length: int, refuse: _Refusal) -> str:
    """``value`` if it is text a caller can mean: a string, valid Unicode, not blank (empty or
    only white space), at most ``max_length`` characters, used exactly as sent. Otherwise
    ``refuse`` (an error class) is raised with a message naming ``field`` and the rule."""
    rule = f"a string of 1 to {max_length} characters"
    if value is None:
        raise refuse(f"'{field}' is required: {rule}")
    if not isinstance(value, str):
        raise refuse(f"'{field}' must be {rule}, got {type(value).__name__}")
    if not is_valid_unicode(value):
        raise refuse(f"'{field}' must be valid Unicode text (it holds a lone surrogate)")
    if not value.strip():
        raise refuse(f"'{field}' must be {rule}, not empty or only white space")
    if len(value) > max_length:
        raise refuse(f"'{field}' must be {rule}, got {len(value)} characters")
    return value
