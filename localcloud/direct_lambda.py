"""AppSync's direct Lambda resolvers: the event a field's function gets, and what it answers.

Without a request mapping template AppSync "will send the Context object directly to your Lambda
function as an Invoke operation", and without a response mapping template a function error
becomes ``$util.error($ctx.error.message, $ctx.error.type, $ctx.result)`` on the field (AWS AppSync
Developer Guide, "AWS AppSync resolver mapping template reference for Lambda", Direct Lambda
Resolvers). The context has the shape of "AWS AppSync resolver mapping template context
reference": ``arguments``, ``identity`` ("isn't populated" for API_KEY authorization),
``source`` (the resolution of the parent field), ``request`` (the request headers, less the
cookie header, and ``domainName``, null on the default endpoint), ``prev``, ``info``
(``fieldName``, ``parentTypeName``, ``variables``, ``selectionSetList``, ``selectionSetGraphQL``)
and ``stash``. A function is invoked synchronously with the data source's role, which must allow
``lambda:InvokeFunction`` on it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from botocore.exceptions import ClientError
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLResolveInfo,
    InlineFragmentNode,
    NamedTypeNode,
    SelectionSetNode,
    get_named_type,
    print_ast,
)

from localcloud.appsync_registry import DirectLambdaResolver
from localcloud.clients import Clients
from localcloud.iam_check import AccessDeniedError, RolePolicies

# "If errorType is UnauthorizedException, AWS AppSync returns the default message ("You are not
# authorized to make this call.") instead of a custom message." (Direct Lambda Resolvers)
UNAUTHORIZED = "UnauthorizedException"
UNAUTHORIZED_MESSAGE = "You are not authorized to make this call."


class ResolverError(Exception):
    """A field error as a resolver raises it: AppSync's ``errorType``, message, data and info."""

    def __init__(
        self, error_type: str, message: str, data: Any = None, error_info: Any = None
    ) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.data = data
        self.error_info = error_info


def event(
    source: Any,
    arguments: Mapping[str, Any],
    info: GraphQLResolveInfo,
    headers: Mapping[str, str],
    variables: Mapping[str, Any],
) -> dict[str, Any]:
    """The context a direct Lambda resolver sends, for an API_KEY caller."""
    return {
        "arguments": dict(arguments),
        "identity": None,
        "source": source,
        "request": {
            "headers": {name: value for name, value in headers.items() if name != "cookie"},
            "domainName": None,
        },
        "prev": None,
        "info": {
            "selectionSetList": selection_set_list(info),
            "selectionSetGraphQL": _selection_set_graphql(info),
            "parentTypeName": info.parent_type.name,
            "fieldName": info.field_name,
            "variables": dict(variables),
        },
        "stash": {},
    }


def _selection_set_graphql(info: GraphQLResolveInfo) -> str:
    """The field's selection set as GraphQL text, fragments spread as written."""
    selection_set = info.field_nodes[0].selection_set
    return print_ast(selection_set) if selection_set is not None else ""


def selection_set_list(info: GraphQLResolveInfo) -> list[str]:
    """Every field selected below this one, as ``a`` and ``a/b`` paths of their response names
    (aliases), fragments included where they apply to the field's own type ("selectionSetList
    exposes only fields that belong to the current type")."""
    parent = get_named_type(info.return_type)
    paths: list[str] = []
    for node in info.field_nodes:
        if node.selection_set is not None:
            paths.extend(_paths(info, node.selection_set, parent, ""))
    return list(dict.fromkeys(paths))


def _paths(
    info: GraphQLResolveInfo,
    selection_set: SelectionSetNode,
    parent: GraphQLNamedType | None,
    prefix: str,
) -> Iterator[str]:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            path = prefix + (selection.alias or selection.name).value
            yield path
            if selection.selection_set is not None:
                child = _field_type(parent, selection.name.value)
                yield from _paths(info, selection.selection_set, child, f"{path}/")
        elif isinstance(selection, InlineFragmentNode):
            if _applies(selection.type_condition, parent):
                yield from _paths(info, selection.selection_set, parent, prefix)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = info.fragments[selection.name.value]
            if _applies(fragment.type_condition, parent):
                yield from _paths(info, fragment.selection_set, parent, prefix)


def _applies(condition: NamedTypeNode | None, parent: GraphQLNamedType | None) -> bool:
    return condition is None or (parent is not None and condition.name.value == parent.name)


def _field_type(parent: GraphQLNamedType | None, name: str) -> GraphQLNamedType | None:
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType) and name in parent.fields:
        return get_named_type(parent.fields[name].type)
    return None


class DirectLambda:
    """Invokes a resolver's function as its data source's role, as AppSync does."""

    def __init__(self, clients: Clients) -> None:
        self._clients = clients

    def resolve(self, resolver: DirectLambdaResolver, context: dict[str, Any]) -> Any:
        """The function's answer to ``context``; ResolverError when it fails."""
        data_source = resolver.data_source
        function = data_source.function_arn
        try:
            RolePolicies.of(data_source.service_role_arn).check("lambda:InvokeFunction", function)
        except AccessDeniedError as denied:
            # AppSync, like Step Functions (Lambda.AWSLambdaException), names the client
            # exception of Lambda's SDK; no AWS page shows this case's errorType.
            raise ResolverError(
                "Lambda:AWSLambdaException",
                f"{denied} (Service: AWSLambda; Status Code: 403; Error Code: "
                "AccessDeniedException)",
            ) from None
        region = function.split(":")[3] if function.startswith("arn:") else None
        try:
            response = self._clients("lambda", region).invoke(
                FunctionName=function, Payload=json.dumps(context)
            )
        except ClientError as error:
            code = error.response["Error"]["Code"]
            raise ResolverError(f"Lambda:{code}", error.response["Error"]["Message"]) from None
        payload = response["Payload"].read()
        answer = json.loads(payload) if payload else None
        if response.get("FunctionError"):
            raise _function_error(answer)
        return answer


def _function_error(answer: Any) -> ResolverError:
    """A function error as AppSync reports it: the error's type and message (Lambda's
    ``errorType`` is the exception's class name)."""
    details = answer if isinstance(answer, dict) else {}
    error_type = str(details.get("errorType") or "Lambda:Unhandled")
    message = str(details.get("errorMessage") or "")
    if error_type == UNAUTHORIZED:
        message = UNAUTHORIZED_MESSAGE
    return ResolverError(error_type, message)
