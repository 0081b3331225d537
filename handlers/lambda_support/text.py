"""Text a function may hand on to AWS.

A JSON event can carry a lone surrogate (``"\\ud800"``): Python decodes it into a ``str`` that has
no UTF-8 form, so a call fails only when boto3 encodes its request, part-way through the function's
work. Checking first lets a function refuse such text by name, before it changes anything.
"""

from __future__ import annotations

import json
from typing import Any


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
