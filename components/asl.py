"""Amazon States Language templates: load, render ``${Name}`` placeholders, validate.

Templates in ``definitions/`` are valid ASL whose placeholder strings follow SAM's
DefinitionSubstitutions convention, so they open in Workflow Studio unchanged. Rendering walks the
parsed JSON instead of templating text: JSONPath's ``$`` would break ``string.Template``, and a
walk can keep a number a number (``"Seconds": "${WaitSeconds}"`` renders to ``30``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from statelint.linter import Linter

DEFINITIONS_DIR = Path(__file__).resolve().parent.parent / "definitions"

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z][A-Za-z0-9_]*)\}")

Scalar = str | int | float | bool


class DefinitionError(ValueError):
    """Base class for problems with a state machine definition."""


class SubstitutionError(DefinitionError):
    """A placeholder without a value, or a value without a placeholder."""


class InvalidDefinitionError(DefinitionError):
    """The rendered definition is not valid Amazon States Language."""


def load_template(file_name: str) -> dict[str, Any]:
    """Parse ``definitions/<file_name>``."""
    path = DEFINITIONS_DIR / file_name
    try:
        template: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError:
        raise DefinitionError(f"no definition template {path}") from None
    except json.JSONDecodeError as err:
        raise DefinitionError(f"{path} is not JSON: {err}") from None
    return template


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def placeholders(template: Any) -> set[str]:
    """Every ``${Name}`` used anywhere in the template's string values."""
    return {name for text in _strings(template) for name in _PLACEHOLDER.findall(text)}


def check_substitutions(template: Any, names: set[str] | frozenset[str]) -> None:
    """Raise unless ``names`` is exactly the set of placeholders the template uses."""
    used = placeholders(template)
    missing, unused = sorted(used - names), sorted(names - used)
    problems = []
    if missing:
        problems.append(f"placeholders without a value: {', '.join(missing)}")
    if unused:
        problems.append(f"values without a placeholder: {', '.join(unused)}")
    if problems:
        raise SubstitutionError("; ".join(problems))


def _render_string(text: str, values: Mapping[str, Scalar]) -> Any:
    whole = _PLACEHOLDER.fullmatch(text)
    if whole:
        return values[whole.group(1)]
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), text)


def _render_node(node: Any, values: Mapping[str, Scalar]) -> Any:
    if isinstance(node, str):
        return _render_string(node, values)
    if isinstance(node, dict):
        return {key: _render_node(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [_render_node(item, values) for item in node]
    return node


def render(template: dict[str, Any], values: Mapping[str, Scalar]) -> dict[str, Any]:
    """Replace every placeholder with its value; a string that is exactly one placeholder takes
    the value's own type. Missing and unused values are errors."""
    check_substitutions(template, frozenset(values))
    for name, value in values.items():
        if value is None or (isinstance(value, str) and not value):
            raise SubstitutionError(f"placeholder {name} has an empty value")
    rendered: dict[str, Any] = _render_node(template, values)
    return rendered


def validate(definition: dict[str, Any]) -> None:
    """Raise InvalidDefinitionError with every problem statelint finds."""
    problems = Linter.validate(definition)
    if problems:
        raise InvalidDefinitionError(
            "invalid state machine definition:\n  " + "\n  ".join(problems)
        )


def render_and_validate(template: dict[str, Any], values: Mapping[str, Scalar]) -> str:
    """The rendered, validated definition as the JSON string AWS expects."""
    definition = render(template, values)
    validate(definition)
    return json.dumps(definition, indent=2)


_NUMBER_FIELDS = {"Seconds", "TimeoutSeconds", "HeartbeatSeconds", "IntervalSeconds", "MaxAttempts"}
_STAND_IN_ARN = "arn:aws:lambda:us-east-1:123456789012:function:stand-in"


def _stand_in(node: Any, known: Mapping[str, Scalar], key: str = "") -> Any:
    if isinstance(node, dict):
        return {k: _stand_in(v, known, k) for k, v in node.items()}
    if isinstance(node, list):
        return [_stand_in(item, known, key) for item in node]
    if isinstance(node, str) and (whole := _PLACEHOLDER.fullmatch(node)):
        name = whole.group(1)
        if name in known:
            return known[name]
        if key in _NUMBER_FIELDS:
            return 1
        return _STAND_IN_ARN if key == "Resource" else node
    return node


def validate_structure(template: dict[str, Any], known: Mapping[str, Scalar]) -> None:
    """Validate the template before the ARNs exist (a preview of a new stack), with each
    placeholder whose value is not known yet stood in for by a value of the right shape."""
    validate(_stand_in(template, known))


def states(definition: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every state, including those nested in Parallel branches and Map processors."""
    for name, state in definition.get("States", {}).items():
        yield name, state
        for branch in state.get("Branches", []):
            yield from states(branch)
        for key in ("ItemProcessor", "Iterator"):
            if key in state:
                yield from states(state[key])
