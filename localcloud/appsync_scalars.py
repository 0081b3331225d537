"""AppSync's own scalars and directives, so that graphql-core parses and executes AppSync schemas.

A schema given to AppSync uses ``AWSDateTime``, ``@aws_api_key`` and the like without declaring
them: AppSync declares them itself. ``appsync_schema`` adds the declarations a schema lacks and
gives each scalar the formats AppSync accepts, from the AWS AppSync Developer Guide, "Scalar types
in AWS AppSync" (scalars.html), whose descriptions AppSync also returns on introspection:

- AWSDate ``YYYY-MM-DD``, AWSTime ``hh:mm[:ss[.sss]]``, either with an optional time zone offset;
  AWSDateTime ``YYYY-MM-DDThh:mm[:ss[.sss]]`` with a compulsory offset. The fraction after the
  seconds has 1 to 9 digits, the seconds must be there for it, and the offset is ``Z`` or
  ``±hh:mm[:ss]`` ("the seconds field in the timezone offset will be considered valid even though
  it is not part of the ISO 8601 standard"); a year may be negative.
- AWSTimestamp: seconds since 1970-01-01T00:00Z, "serialized and deserialized as numbers".
- AWSJSON: a JSON string; "any valid JSON construct is automatically parsed" on the way in.
- AWSEmail, AWSURL, AWSPhone, AWSIPAddress: checked loosely (an ``@``, a scheme, digits with
  spaces or hyphens, an IPv4 or IPv6 address).

A value a resolver answers that is not of its scalar's format cannot be serialized
(``InvalidScalarValueError``): AppSync answers it as a field error, "Unable to serialize `...` as
a valid DateTime Object." for AWSDateTime (seen in aws-amplify/amplify-js#5963); the wording for
the other scalars is this module's, by analogy.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from graphql import (
    ConstValueNode,
    GraphQLScalarType,
    GraphQLSchema,
    IntValueNode,
    StringValueNode,
    build_schema,
    parse,
)
from graphql.language import DirectiveDefinitionNode, TypeDefinitionNode

# The directives AppSync defines for its authorization modes and subscriptions (Developer Guide,
# "Configuring authorization and authentication to secure your GraphQL APIs" and "Real-time
# data"), as AppSync's own schema declares them.
_DIRECTIVES = {
    "aws_api_key": "directive @aws_api_key on FIELD_DEFINITION | OBJECT",
    "aws_iam": "directive @aws_iam on FIELD_DEFINITION | OBJECT",
    "aws_oidc": "directive @aws_oidc on FIELD_DEFINITION | OBJECT",
    "aws_lambda": "directive @aws_lambda on FIELD_DEFINITION | OBJECT",
    "aws_cognito_user_pools": (
        "directive @aws_cognito_user_pools(cognito_groups: [String!]) on FIELD_DEFINITION | OBJECT"
    ),
    "aws_auth": "directive @aws_auth(cognito_groups: [String!]!) on FIELD_DEFINITION",
    "aws_subscribe": "directive @aws_subscribe(mutations: [String!]!) on FIELD_DEFINITION",
}

_OFFSET = r"(?:Z|[+-]\d{2}:\d{2}(?::\d{2})?)"
_DATE = r"(?P<year>-?\d{4,})-(?P<month>\d{2})-(?P<day>\d{2})"
_TIME = r"(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d{1,9})?)?"
_FORMATS = {
    "AWSDate": re.compile(rf"{_DATE}{_OFFSET}?"),
    "AWSTime": re.compile(rf"{_TIME}{_OFFSET}?"),
    "AWSDateTime": re.compile(rf"{_DATE}T{_TIME}{_OFFSET}"),
    "AWSEmail": re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+"),
    "AWSURL": re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:(?://)?\S+"),
    "AWSPhone": re.compile(r"\+?\d(?:[\d -]*\d)?"),
}
# What AppSync calls each kind of value in its serialization errors.
_NOUNS = {
    "AWSDate": "Date Object",
    "AWSTime": "Time Object",
    "AWSDateTime": "DateTime Object",
    "AWSTimestamp": "Timestamp",
    "AWSEmail": "Email",
    "AWSJSON": "JSON",
    "AWSURL": "URL",
    "AWSPhone": "Phone",
    "AWSIPAddress": "IP Address",
}
SCALARS = tuple(_NOUNS)


class InvalidScalarValueError(ValueError):
    """A value that is not of its AppSync scalar's format."""

    def __init__(self, scalar: str, value: Any) -> None:
        super().__init__(f"Unable to serialize `{value}` as a valid {_NOUNS[scalar]}.")
        self.scalar = scalar
        self.value = value


def _calendar_date(match: re.Match[str]) -> bool:
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    if 1 <= year <= 9999:
        try:
            date(year, month, day)
        except ValueError:
            return False
        return True
    return 1 <= month <= 12 and 1 <= day <= 31  # beyond Python's calendar: the ranges only


def _clock_time(match: re.Match[str]) -> bool:
    second = match["second"]
    return int(match["hour"]) < 24 and int(match["minute"]) < 60 and int(second or 0) < 60


def _valid(scalar: str, value: Any) -> bool:
    if scalar == "AWSTimestamp":
        return isinstance(value, int) and not isinstance(value, bool)
    if not isinstance(value, str):
        return False
    if scalar == "AWSJSON":
        try:
            json.loads(value)
        except ValueError:
            return False
        return True
    if scalar == "AWSIPAddress":
        try:
            ipaddress.ip_interface(value)
        except ValueError:
            return False
        return True
    match = _FORMATS[scalar].fullmatch(value)
    if match is None:
        return False
    groups = match.groupdict()
    return ("year" not in groups or _calendar_date(match)) and (
        "hour" not in groups or _clock_time(match)
    )


def _output(scalar: str) -> Callable[[Any], Any]:
    def coerce(value: Any) -> Any:
        if scalar == "AWSJSON" and not isinstance(value, str):
            return json.dumps(value, separators=(",", ":"))  # a resolver's object, as JSON text
        if scalar == "AWSTimestamp" and isinstance(value, float) and value.is_integer():
            value = int(value)  # JSON numbers may arrive as 1.7e9
        if not _valid(scalar, value):
            raise InvalidScalarValueError(scalar, value)
        return value

    return coerce


def _input(scalar: str) -> Callable[[Any], Any]:
    def coerce(value: Any) -> Any:
        if not _valid(scalar, value):
            raise ValueError(f"Unable to parse `{value}` as a valid {_NOUNS[scalar]}.")
        return json.loads(value) if scalar == "AWSJSON" else value

    return coerce


def _literal(scalar: str) -> Callable[[ConstValueNode], Any]:
    coerce = _input(scalar)

    def from_literal(node: ConstValueNode) -> Any:
        if scalar == "AWSTimestamp" and isinstance(node, IntValueNode):
            return coerce(int(node.value))
        if isinstance(node, StringValueNode):
            return coerce(node.value)
        raise ValueError(f"Expected a literal {_NOUNS[scalar]}.")

    return from_literal


def _missing_declarations(definition: str) -> str:
    """The SDL of AppSync's scalars and directives that ``definition`` does not declare."""
    declared = {
        node.name.value
        for node in parse(definition).definitions
        if isinstance(node, TypeDefinitionNode | DirectiveDefinitionNode)
    }
    scalars = [f"scalar {name}" for name in SCALARS if name not in declared]
    directives = [sdl for name, sdl in _DIRECTIVES.items() if name not in declared]
    return "\n".join(scalars + directives)


@functools.lru_cache(maxsize=32)
def appsync_schema(definition: str) -> GraphQLSchema:
    """The executable schema of an AppSync API's SDL, AppSync's scalars and directives included.

    Raises GraphQLError (or TypeError) for a schema AppSync would not accept either."""
    schema = build_schema(f"{definition}\n{_missing_declarations(definition)}")
    for name in SCALARS:
        scalar = schema.type_map.get(name)
        if isinstance(scalar, GraphQLScalarType):
            scalar.coerce_output_value = _output(name)
            scalar.coerce_input_value = _input(name)
            scalar.coerce_input_literal = _literal(name)
    return schema
