"""GraphQL APIs served on 127.0.0.1 as AppSync serves them, at ``{url}/{api_id}/graphql``.

A request is authorized with the API's API keys, read as AppSync reads it and executed by
``localcloud.graphql_execution``. What AppSync answers, and where it says so:

- ``POST`` with a JSON body ``{"query", "variables"?, "operationName"?}``, or ``GET`` with those
  as query parameters (the AppSync team's description of AppSync's HTTP behaviour,
  graphql/graphql-over-http#81). The body is JSON whatever its Content-Type: AppSync's own
  examples send it as ``application/graphql`` (Developer Guide, "AWS AppSync resolver mapping
  template context reference", Access request headers).
- An empty body: HTTP 400 ``{"errors": [{"message": "Request body is empty.", "errorType":
  "MalformedHttpRequestException"}]}``; a body that is not such a JSON object ("meow", "{}",
  "[]"): HTTP 400 with "Unable to parse GraphQL query." (graphql-over-http#81).
- API_KEY authorization: the ``x-api-key`` header must hold a key of the API that has not
  expired; otherwise HTTP 401 with ``errorType`` UnauthorizedException ("AWS AppSync GraphQL:
  How do I troubleshoot Unauthorized errors", AWS Knowledge Center: "the credentials are missing
  or not valid", "valid and not expired"). The message is "Missing authorization header" without
  the header (an AppSync 401 quoted in aws-amplify/amplify-cli#1770) and AppSync's default "You
  are not authorized to make this call." for a wrong or expired key; the response carries
  ``x-amzn-ErrorType: UnauthorizedException`` (an AppSync 401 quoted in
  aws-amplify/amplify-js#3089).
  A key expires at its ``expires`` (AppSync API Reference, ApiKey: seconds since the epoch).

Without an AWS source, and so this module's choice: authorization comes before the body is read,
an API without a usable schema answers HTTP 400 GraphQLSchemaException, an unknown API or path
answers 404 and a method other than GET and POST 405, and only API_KEY authorization is served
(another mode is answered 401, naming it).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from moto.appsync.models import GraphqlAPI, appsync_backends

from localcloud import appsync_registry
from localcloud.appsync_scalars import appsync_schema
from localcloud.clients import Clients
from localcloud.direct_lambda import UNAUTHORIZED, UNAUTHORIZED_MESSAGE, DirectLambda
from localcloud.graphql_execution import GraphQLRequest, execute
from localcloud.http_server import LocalHttpServer, Request, Response
from localcloud.usage import UsageMeter

_MALFORMED = "MalformedHttpRequestException"


def error_response(
    status: int, error_type: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    """AppSync's answer to a request it does not run: errors only, each with its type."""
    return Response.json(
        status, {"errors": [{"errorType": error_type, "message": message}]}, headers
    )


def _rejection(status: int, message: str) -> Response:
    """A request the HTTP server could not read, or failed on."""
    return error_response(status, _MALFORMED if status < 500 else "InternalFailure", message)


def _unauthorized(message: str) -> Response:
    return error_response(
        HTTPStatus.UNAUTHORIZED, UNAUTHORIZED, message, {"x-amzn-ErrorType": UNAUTHORIZED}
    )


class _MalformedError(ValueError):
    pass


def _graphql_request(request: Request) -> GraphQLRequest:
    if request.method == "GET":
        parameters = {k: v[-1] for k, v in parse_qs(request.query).items()}
        try:
            variables = json.loads(parameters["variables"]) if "variables" in parameters else {}
        except ValueError:
            raise _MalformedError("Unable to parse GraphQL query.") from None
        document: Any = {**parameters, "variables": variables}
    else:
        if not request.body.strip():
            raise _MalformedError("Request body is empty.")
        try:
            document = json.loads(request.body)
        except ValueError:
            raise _MalformedError("Unable to parse GraphQL query.") from None
    if not isinstance(document, dict) or not isinstance(document.get("query"), str):
        raise _MalformedError("Unable to parse GraphQL query.")
    variables = document.get("variables") or {}
    operation = document.get("operationName")
    if not isinstance(variables, dict) or not isinstance(operation, str | None):
        raise _MalformedError("Unable to parse GraphQL query.")
    return GraphQLRequest(document["query"], variables, operation, request.headers)


class GraphQLServer:
    """Every GraphQL API of one account and region, between ``start`` and ``stop``."""

    def __init__(
        self,
        region: str,
        account_id: str,
        clients: Clients,
        port: int = 0,
        wall_clock: Callable[[], float] = time.time,
        *,
        meter: UsageMeter | None = None,
    ) -> None:
        self.region = region
        self._meter = meter
        self.account_id = account_id
        self._wall_clock = wall_clock
        self._direct_lambda = DirectLambda(clients)
        self._http = LocalHttpServer(self.handle, "localcloud-graphql", port, reject=_rejection)
        self.url = self._http.url

    def endpoint(self, api_id: str) -> str:
        return f"{self.url}/{api_id}/graphql"

    def start(self) -> None:
        self._http.start()

    def stop(self) -> None:
        self._http.stop()

    def handle(self, request: Request) -> Response:
        api_id, _, rest = request.path.lstrip("/").partition("/")
        api = appsync_backends[self.account_id][self.region].graphql_apis.get(api_id)
        if api is None or rest != "graphql":
            return error_response(HTTPStatus.NOT_FOUND, "NotFoundException", "Not Found")
        if request.method not in ("GET", "POST"):
            return error_response(HTTPStatus.METHOD_NOT_ALLOWED, _MALFORMED, "Method Not Allowed")
        refused = self._authorize(api, request)
        if refused is not None:
            return refused
        try:
            graphql_request = _graphql_request(request)
        except _MalformedError as error:
            return error_response(HTTPStatus.BAD_REQUEST, _MALFORMED, str(error))
        if api.graphql_schema is None or api.graphql_schema.status != "SUCCESS":
            return error_response(
                HTTPStatus.BAD_REQUEST, "GraphQLSchemaException", "No schema definition exists."
            )
        if self._meter is not None:
            # AppSync charges each query or mutation operation a request carries.
            self._meter.record("graphql-request", api_id=api_id)
        schema = appsync_schema(api.graphql_schema.definition)
        resolvers = appsync_registry.resolvers(api)
        return Response.json(
            HTTPStatus.OK, execute(schema, resolvers, graphql_request, self._direct_lambda)
        )

    def _authorize(self, api: GraphqlAPI, request: Request) -> Response | None:
        if api.authentication_type != "API_KEY" or api.additional_authentication_providers:
            return _unauthorized(
                f"localcloud authorizes API_KEY only, not {api.authentication_type}"
            )
        key = request.headers.get("x-api-key")
        if key is None:
            return _unauthorized("Missing authorization header")
        stored = api.api_keys.get(key)
        # moto keeps a key's expiry as a naive UTC datetime.
        if stored is None or stored.expires.replace(tzinfo=UTC).timestamp() <= self._wall_clock():
            return _unauthorized(UNAUTHORIZED_MESSAGE)
        return None
