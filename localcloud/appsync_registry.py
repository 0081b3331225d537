"""AppSync data sources and resolvers, which moto 5.2.5 does not keep ("Not yet implemented").

localcloud keeps them next to moto's GraphQL API, and they go when it goes. It keeps only what its
GraphQL server (``localcloud.graphql_server``) serves as AppSync does: ``AWS_LAMBDA`` data sources
and ``UNIT`` resolvers with neither mapping templates nor code, which AppSync calls direct Lambda
resolvers. Anything else is refused by name when it is created, never kept and ignored.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from graphql import GraphQLObjectType
from moto.appsync.models import GraphqlAPI, appsync_backends

from localcloud.appsync_scalars import appsync_schema
from localcloud.aws_types import UnsupportedResourceError

# A data source's name (AppSync API Reference, CreateDataSource: pattern [_A-Za-z][_0-9A-Za-z]*).
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")


class UnsupportedAppSyncError(UnsupportedResourceError):
    """A data source or resolver localcloud cannot serve as AppSync would."""


@dataclass(frozen=True)
class LambdaDataSource:
    name: str
    arn: str
    function_arn: str
    service_role_arn: str
    """The role AppSync invokes the function as."""


@dataclass(frozen=True)
class DirectLambdaResolver:
    type_name: str
    field_name: str
    data_source: LambdaDataSource
    arn: str


@dataclass
class _Kept:
    data_sources: dict[str, LambdaDataSource] = field(default_factory=dict)
    resolvers: dict[tuple[str, str], DirectLambdaResolver] = field(default_factory=dict)


_kept: WeakKeyDictionary[GraphqlAPI, _Kept] = WeakKeyDictionary()
_lock = threading.Lock()


def graphql_api(account_id: str, region: str, api_id: str) -> GraphqlAPI:
    """moto's GraphQL API (GraphqlAPINotFound, AppSync's NotFoundException, if there is none)."""
    return appsync_backends[account_id][region].get_graphql_api(api_id)


def _of(api: GraphqlAPI) -> _Kept:
    with _lock:
        return _kept.setdefault(api, _Kept())


def add_data_source(
    api: GraphqlAPI,
    name: str,
    source_type: str,
    *,
    function_arn: str | None = None,
    service_role_arn: str | None = None,
) -> LambdaDataSource:
    if not _NAME.fullmatch(name):
        raise ValueError(f"AppSync data source names match [_A-Za-z][_0-9A-Za-z]*, not {name!r}")
    if source_type != "AWS_LAMBDA":
        raise UnsupportedAppSyncError(
            f"localcloud serves AWS_LAMBDA AppSync data sources only, not {source_type} ({name!r})"
        )
    if not function_arn:
        raise ValueError(f"the AWS_LAMBDA data source {name!r} names no function")
    data_source = LambdaDataSource(
        name=name,
        arn=f"{api.arn}/datasources/{name}",
        function_arn=function_arn,
        service_role_arn=service_role_arn or "",
    )
    _of(api).data_sources[name] = data_source
    return data_source


def add_resolver(
    api: GraphqlAPI, type_name: str, field_name: str, data_source: str, **options: Any
) -> DirectLambdaResolver:
    """A direct Lambda resolver; ``options`` are CreateResolver's others, refused unless empty
    (``kind`` UNIT and a ``maxBatchSize`` of 0 are what a direct Lambda resolver has anyway)."""
    refused = _refused(options)
    if refused:
        raise UnsupportedAppSyncError(
            f"localcloud serves direct Lambda resolvers only; {type_name}.{field_name} has "
            f"{refused}"
        )
    _check_field(api, type_name, field_name)
    kept = _of(api)
    if data_source not in kept.data_sources:
        raise ValueError(f"No data source found named {data_source} (API {api.api_id})")
    resolver = DirectLambdaResolver(
        type_name=type_name,
        field_name=field_name,
        data_source=kept.data_sources[data_source],
        arn=f"{api.arn}/types/{type_name}/resolvers/{field_name}",
    )
    kept.resolvers[(type_name, field_name)] = resolver
    return resolver


def _refused(options: Mapping[str, Any]) -> str:
    kind = options.get("kind") or "UNIT"
    if kind != "UNIT":
        return f"kind {kind} (pipeline resolvers are not modelled)"
    if options.get("maxBatchSize"):
        return "maxBatchSize (batched invokes are not modelled)"
    names = {
        "requestMappingTemplate": "a VTL request mapping template",
        "responseMappingTemplate": "a VTL response mapping template",
        "code": "APPSYNC_JS code",
        "runtime": "a resolver runtime",
        "pipelineConfig": "a pipeline configuration",
        "cachingConfig": "caching",
        "syncConfig": "conflict detection (syncConfig)",
    }
    present = [name for key, name in names.items() if options.get(key)]
    unknown = sorted(set(options) - set(names) - {"kind", "maxBatchSize"})
    return ", ".join(present + [f"{key} (not modelled)" for key in unknown])


def _check_field(api: GraphqlAPI, type_name: str, field_name: str) -> None:
    """A resolver attaches to a field of the API's schema (when it has one)."""
    if api.graphql_schema is None or api.graphql_schema.status != "SUCCESS":
        return
    parent = appsync_schema(api.graphql_schema.definition).get_type(type_name)
    if not isinstance(parent, GraphQLObjectType) or field_name not in parent.fields:
        raise ValueError(f"the schema of API {api.api_id} has no field {type_name}.{field_name}")


def resolvers(api: GraphqlAPI) -> Mapping[tuple[str, str], DirectLambdaResolver]:
    """The API's resolvers by (parent type name, field name)."""
    return _of(api).resolvers


def data_sources(api: GraphqlAPI) -> Mapping[str, LambdaDataSource]:
    return _of(api).data_sources
