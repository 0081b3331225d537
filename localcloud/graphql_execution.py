"""Executing a GraphQL operation against an AppSync API, answered as AppSync answers it.

The API's schema is moto's (with AppSync's scalars and directives, ``localcloud.appsync_scalars``);
a field with a resolver is resolved by its function (``localcloud.direct_lambda``), any other
field by the default resolver, so an unresolved root field is null (AWS AppSync Developer Guide,
"Troubleshooting and common mistakes", Missing resolver). Execution is graphql-core's, so
errors propagate as the GraphQL specification says: a field error nulls the nearest nullable
field above it.

The response is ``{"data": ..., "errors": [...]}`` (errors only when there are some), each error
shaped as AppSync shapes it:

- a resolver's error: ``path``, ``data``, ``errorType``, ``errorInfo``, ``locations`` (with
  ``sourceName`` null) and ``message`` (Direct Lambda Resolvers, "Custom error handling");
- a request AppSync cannot run (syntax, validation, variables): ``"data": null`` and errors with
  ``"path": null``, ``locations`` and ``message``, HTTP 200 (the AppSync team's description of its
  HTTP behaviour, graphql/graphql-over-http#81). The messages are graphql-core's, not AppSync's
  graphql-java wording ("Validation error of type FieldUndefined: ...");
- a null in a non-null field: "Cannot return null for non-nullable type: 'T' within parent 'P'
  (/a/b[0]/c)" with ``"locations": null`` (AppSync responses quoted in graphql-compose#121 and
  aws-appsync-community#247);
- a value its scalar cannot represent: "Can't serialize value (/a/b) : Unable to serialize `x` as a
  valid DateTime Object." with ``"locations": null`` (aws-amplify/amplify-js#5963).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    OperationType,
    default_field_resolver,
    execute_sync,
    get_operation_ast,
    is_leaf_type,
    is_non_null_type,
    parse,
    validate,
)
from graphql.execution.executor import Executor
from graphql.pyutils import Path

from localcloud.appsync_registry import DirectLambdaResolver
from localcloud.appsync_scalars import InvalidScalarValueError
from localcloud.direct_lambda import DirectLambda, ResolverError, event

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class GraphQLRequest:
    query: str
    variables: Mapping[str, Any]
    operation_name: str | None
    headers: Mapping[str, str]
    """The HTTP request's headers, lower-cased names."""


class _FieldError(Exception):
    """A field error AppSync reports without a type or a location."""


def _path_text(path: Path) -> str:
    """A response path as AppSync writes it in messages: ``/orders/items[0]/id``."""
    text = ""
    for key in path.as_list():
        text += f"[{key}]" if isinstance(key, int) else f"/{key}"
    return text


class _AppSyncExecutor(Executor):
    """graphql-core's executor, with AppSync's words for nulls in non-null fields and for values
    a scalar cannot represent."""

    def complete_value(  # noqa: PLR0917 - graphql-core's signature
        self,
        return_type: GraphQLOutputType,
        field_details_list: Any,
        info: GraphQLResolveInfo,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        if is_non_null_type(return_type) and not isinstance(result, Exception):
            inner = return_type.of_type
            completed = self.complete_value(
                inner, field_details_list, info, path, result, position_context
            )
            if completed is None:
                raise _FieldError(
                    f"Cannot return null for non-nullable type: '{inner}' within parent "
                    f"'{info.parent_type.name}' ({_path_text(path)})"
                )
            return completed
        try:
            return super().complete_value(
                return_type, field_details_list, info, path, result, position_context
            )
        except InvalidScalarValueError as error:
            if not is_leaf_type(return_type):
                raise
            raise _FieldError(f"Can't serialize value ({_path_text(path)}) : {error}") from None


def _locations(error: GraphQLError) -> list[dict[str, Any]] | None:
    if not error.locations:
        return None
    return [
        {"line": location.line, "column": location.column, "sourceName": None}
        for location in error.locations
    ]


def _appsync_error(error: GraphQLError) -> dict[str, Any]:
    original = error.original_error
    if isinstance(original, ResolverError):
        return {
            "path": error.path,
            "data": original.data,
            "errorType": original.error_type,
            "errorInfo": original.error_info,
            "locations": _locations(error),
            "message": original.message,
        }
    if isinstance(original, _FieldError):
        return {"path": error.path, "locations": None, "message": str(original)}
    if original is not None and not isinstance(original, GraphQLError):
        logger.warning("a field of a GraphQL request failed", exc_info=original)
    return {"path": error.path, "locations": _locations(error), "message": error.message}


def _request_errors(errors: list[GraphQLError]) -> dict[str, Any]:
    return {"data": None, "errors": [_appsync_error(error) for error in errors]}


@functools.lru_cache(maxsize=256)
def _checked(schema: GraphQLSchema, query: str) -> DocumentNode | list[GraphQLError]:
    """The parsed document of a valid query, or why it is not one. Clients send the same few
    operations over and over: each is parsed and validated once (a few milliseconds each time)."""
    try:
        document = parse(query)
    except GraphQLError as error:
        return [error]
    return validate(schema, document) or document


def execute(
    schema: GraphQLSchema,
    resolvers: Mapping[tuple[str, str], DirectLambdaResolver],
    request: GraphQLRequest,
    direct_lambda: DirectLambda,
) -> dict[str, Any]:
    """The response document of ``request`` on an API of ``schema`` and ``resolvers`` (by parent
    type and field name)."""
    document = _checked(schema, request.query)
    if isinstance(document, list):
        return _request_errors(document)
    operation = get_operation_ast(document, request.operation_name)
    if operation is not None and operation.operation is OperationType.SUBSCRIPTION:
        # AppSync delivers subscriptions over WebSockets, which localcloud does not serve.
        refused = GraphQLError(
            "localcloud does not serve subscriptions", operation, original_error=None
        )
        return _request_errors([refused])

    def resolve(source: Any, info: GraphQLResolveInfo, **arguments: Any) -> Any:
        resolver = resolvers.get((info.parent_type.name, info.field_name))
        if resolver is None:
            return default_field_resolver(source, info, **arguments)
        context = event(source, arguments, info, request.headers, request.variables)
        return direct_lambda.resolve(resolver, context)

    result = execute_sync(
        schema,
        document,
        variable_values=dict(request.variables),
        operation_name=request.operation_name,
        field_resolver=resolve,
        executor_class=_AppSyncExecutor,
    )
    response: dict[str, Any] = {"data": result.data}
    if result.errors:
        response["errors"] = [_appsync_error(error) for error in result.errors]
    return response
