"""Read an HTTP request to an AWS API as the call it makes: service, operation and parameters.

The endpoint authorizes each call against the caller's role, so it must know what was called.
botocore's service models say how each protocol lays a call out; this module reads them the other
way. It reads what authorization needs, not every shape: query-protocol parameters only at the
top level and as scalars. It does not verify signatures (localcloud.sigv4 does).
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import parse_qsl, unquote, urlsplit

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape


class UnreadableRequestError(ValueError):
    """The request is not an AWS API call localcloud can read."""


@dataclass(frozen=True)
class ApiCall:
    service: str  # botocore's name, e.g. "stepfunctions" (signed for "states")
    operation: str  # e.g. "StartExecution"
    params: dict[str, Any]  # the API's parameter names, as boto3 takes them
    region: str  # the region of the credential scope


# The services localcloud serves, by botocore name; the scope a request is signed for picks one.
SERVICES = (
    "apigatewayv2",
    "dynamodb",
    "events",
    "iam",
    "lambda",
    "logs",
    "sns",
    "sqs",
    "stepfunctions",
    "sts",
)


@dataclass(frozen=True)
class _Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes


def preload() -> None:
    """Start reading every served service's model on a thread of its own, so that the first
    calls to the endpoint do not wait for it (a few hundred ms, once per process)."""
    threading.Thread(target=_services_by_scope, name="localcloud-models", daemon=True).start()


def parse_request(method: str, url: str, headers: Mapping[str, str], body: bytes) -> ApiCall:
    """The call an HTTP request makes; ``url`` may be a full URL or a path with its query."""
    parts = urlsplit(url)
    request = _Request(
        method.upper(),
        parts.path,
        dict(parse_qsl(parts.query, keep_blank_values=True)),
        {name.lower(): value for name, value in headers.items()},
        body,
    )
    region, scope = _credential_scope(request)
    service = _services_by_scope().get(scope)
    if service is None:
        raise UnreadableRequestError(f"localcloud serves no service signed as {scope!r}")
    try:
        operation, params = _read(_model(service), request)
    except UnreadableRequestError:
        raise
    except ValueError as malformed:  # bad JSON, text or numbers
        raise UnreadableRequestError(f"malformed {service} request: {malformed}") from None
    return ApiCall(service, operation, params, region)


def _read(model: ServiceModel, request: _Request) -> tuple[str, dict[str, Any]]:
    if "x-amz-target" in request.headers:
        return _read_json(model, request)
    if model.protocol == "rest-json":
        return _read_rest_json(model, request)
    # The query protocol; older clients also speak it to SQS, which now takes JSON.
    form = dict(parse_qsl(request.body.decode(), keep_blank_values=True))
    return _read_query(model, {**request.query, **form})


# -- which service, and where -------------------------------------------------------------------

_CREDENTIAL = re.compile(r"Credential=([^,\s]+)")


def _credential_scope(request: _Request) -> tuple[str, str]:
    """(region, service) of the SigV4 credential scope, from the header or a presigned URL."""
    match = _CREDENTIAL.search(request.headers.get("authorization", ""))
    credential = match[1] if match else request.query.get("X-Amz-Credential", "")
    fields = credential.split("/")
    if len(fields) != 5 or fields[4] != "aws4_request":
        raise UnreadableRequestError("the request carries no SigV4 credential scope")
    return fields[2], fields[3]


_R = TypeVar("_R")


def _computed_once(function: Callable[..., _R]) -> Callable[..., _R]:
    """``functools.cache`` that computes each value once even when the endpoint's threads all
    ask at once (loading the models takes a few hundred ms; computed in parallel, seconds)."""
    cached = functools.cache(function)
    lock = threading.RLock()  # reentrant: one cached function calls another

    @functools.wraps(function)
    def once(*args: Hashable) -> _R:
        with lock:
            return cached(*args)

    return once


@_computed_once
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@_computed_once
def _model(service: str) -> ServiceModel:
    return _session().get_service_model(service)


@_computed_once
def _services_by_scope() -> dict[str, str]:
    return {_model(service).signing_name: service for service in SERVICES}


def _members(operation: OperationModel) -> dict[str, Shape]:
    shape = operation.input_shape
    return dict(shape.members) if shape is not None else {}


def _wire_name(name: str, member: Shape) -> str:
    return str(member.serialization.get("name", name))


def _scalar(member: Shape, value: str) -> Any:
    if member.type_name in ("integer", "long"):
        return int(value)
    if member.type_name == "boolean":
        return value == "true"
    return value


# -- JSON protocol: X-Amz-Target and a JSON body ------------------------------------------------


def _read_json(model: ServiceModel, request: _Request) -> tuple[str, dict[str, Any]]:
    target = request.headers["x-amz-target"]
    prefix, _, operation = target.rpartition(".")
    if prefix != model.metadata.get("targetPrefix") or operation not in model.operation_names:
        raise UnreadableRequestError(f"{target!r} is not an operation of {model.service_name}")
    params = json.loads(request.body or b"{}")
    if not isinstance(params, dict):
        raise UnreadableRequestError("the JSON body is not an object")
    return operation, params


# -- query protocol: Action=... in the form body or the URL --------------------------------------


def _read_query(model: ServiceModel, fields: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
    operation = fields.get("Action", "")
    if operation not in model.operation_names:
        raise UnreadableRequestError(f"{operation!r} is not an operation of {model.service_name}")
    params = {}
    for name, member in _members(model.operation_model(operation)).items():
        key = _wire_name(name, member)
        if key in fields and member.type_name not in ("structure", "list", "map"):
            params[name] = _scalar(member, fields[key])
    return operation, params


# -- rest-json: the method and path select the operation ----------------------------------------


@dataclass(frozen=True)
class _Route:
    operation: str
    method: str
    path: re.Pattern[str]
    query: dict[str, str]  # literal query parameters the operation's URI requires


def _route(operation: OperationModel) -> _Route:
    path, _, literal_query = operation.http["requestUri"].partition("?")
    pattern, start = "", 0
    # ``{Label}`` is one path segment; ``{Label+}`` may span several.
    for label in re.finditer(r"\{(\w+)(\+?)\}", path):
        segment = ".+" if label[2] else "[^/]+"
        pattern += re.escape(path[start : label.start()]) + f"(?P<{label[1]}>{segment})"
        start = label.end()
    pattern += re.escape(path[start:].rstrip("/"))
    return _Route(
        operation.name,
        operation.http["method"],
        re.compile(pattern + "/?"),
        dict(parse_qsl(literal_query, keep_blank_values=True)),
    )


@_computed_once
def _routes(service: str) -> list[_Route]:
    model = _model(service)
    routes = [_route(model.operation_model(name)) for name in model.operation_names]
    # Where two URIs match, the one that requires more is meant.
    return sorted(routes, key=lambda r: (len(r.query), len(r.path.pattern)), reverse=True)


def _find_route(model: ServiceModel, request: _Request) -> tuple[_Route, re.Match[str]]:
    for route in _routes(model.service_name):
        match = route.path.fullmatch(request.path) if route.method == request.method else None
        if match and all(request.query.get(k) == v for k, v in route.query.items()):
            return route, match
    raise UnreadableRequestError(
        f"{request.method} {request.path} is not an operation of {model.service_name}"
    )


def _read_rest_json(model: ServiceModel, request: _Request) -> tuple[str, dict[str, Any]]:
    route, match = _find_route(model, request)
    operation = model.operation_model(route.operation)
    members = _members(operation)
    params: dict[str, Any] = {}
    for name, member in members.items():
        location = member.serialization.get("location")
        key = _wire_name(name, member)
        if location == "uri":
            params[name] = unquote(match[key])
        elif location == "querystring" and key in request.query:
            params[name] = _scalar(member, request.query[key])
        elif location == "header" and key.lower() in request.headers:
            params[name] = _scalar(member, request.headers[key.lower()])
    if request.body:
        params.update(_body_params(operation, members, request.body))
    return route.operation, params


def _body_params(
    operation: OperationModel, members: dict[str, Shape], body: bytes
) -> dict[str, Any]:
    payload = operation.input_shape.serialization.get("payload") if operation.input_shape else None
    if payload:
        # The body is that one member (Invoke's Payload), raw unless it is a structure.
        kind = members[payload].type_name
        if kind == "blob":
            return {payload: body}
        return {payload: body.decode() if kind == "string" else json.loads(body)}
    document = json.loads(body)
    if not isinstance(document, dict):
        raise UnreadableRequestError("the JSON body is not an object")
    return {
        name: document[_wire_name(name, member)]
        for name, member in members.items()
        if "location" not in member.serialization and _wire_name(name, member) in document
    }
