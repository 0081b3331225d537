"""AppSync GraphQL APIs served by localcloud as AppSync serves them.

Sources, as each test names them:
- [direct-lambda] AWS AppSync Developer Guide, "AWS AppSync resolver mapping template reference for
  Lambda", Direct Lambda Resolvers (the context sent without a request template; a function error
  as ``$util.error(message, type, result)``; the example error with ``path``, ``data``,
  ``errorType``, ``errorInfo``, ``locations`` and ``message``; UnauthorizedException's default
  message).
- [context] AWS AppSync Developer Guide, "AWS AppSync resolver mapping template context
  reference" (identity not populated for API_KEY, request headers without the cookie header,
  ``domainName`` null on the default endpoint, ``info`` with ``selectionSetList`` of alias paths
  and ``selectionSetGraphQL``); a context AppSync sent, Powertools' tests/events/
  appSyncDirectResolver.json (``selectionSetGraphQL`` is the field's selection set).
- [http] The AppSync team's description of AppSync's HTTP behaviour, graphql/graphql-over-http#81
  (400 MalformedHttpRequestException bodies, validation errors as 200 with ``data`` null).
- [unauthorized] AWS Knowledge Center, "How do I troubleshoot Unauthorized errors when running
  GraphQL requests in AWS AppSync?" (401 for missing, invalid or expired credentials); the 401
  bodies and header quoted in aws-amplify/amplify-cli#1770 and aws-amplify/amplify-js#3089.
- [scalars] AWS AppSync Developer Guide, "Scalar types in AWS AppSync"; the serialization error
  quoted in aws-amplify/amplify-js#5963.
- [non-null] AppSync's null-in-non-null-field error quoted in graphql-compose/graphql-compose#121.
- [missing-resolver] AWS AppSync Developer Guide, "Troubleshooting and common mistakes".
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest

from localcloud import appsync_registry, emulator
from localcloud.appsync_scalars import InvalidScalarValueError, appsync_schema
from localcloud.clock import Clock
from localcloud.cloud import Emulator
from tests.localcloud.conftest import allows, make_function, role, trust

SCHEMA = """
schema { query: Query mutation: Mutation }
type Nested { a: String b: String }
type Echo { event: AWSJSON id: String n: Nested }
type Order @aws_api_key { id: String! name: String! createdAt: AWSDateTime! source: AWSJSON }
input OrderInput { name: String! }
type Query {
  echo(id: String, limit: Int): Echo
  order(id: String!): Order
  denied: String
  unresolved: String
}
type Mutation { postOrder(input: OrderInput!): Order! }
"""

# One function resolves every field: it answers the event it got, the parent of a nested field,
# orders by id, or the errors the tests need.
RESOLVER = """
class OrderNotFound(Exception):
    pass

class UnauthorizedException(Exception):
    pass

ORDERS = {
    "1": {"id": "1", "name": "tea", "createdAt": "2024-05-01T10:00:00.123Z"},
    "no-name": {"id": "no-name", "createdAt": "2024-05-01T10:00:00Z"},
    "bad-date": {"id": "bad-date", "name": "tea", "createdAt": "2024-05-01 10:00"},
}

def handler(event, context):
    field = event["info"]["parentTypeName"] + "." + event["info"]["fieldName"]
    if field == "Query.echo":
        return {"event": event, "id": "e", "n": {"a": "x", "b": "y"}}
    if field == "Order.source":
        return event["source"]
    if field == "Mutation.postOrder":
        raise OrderNotFound("orders are closed")
    order_id = event["arguments"]["id"]
    if order_id == "secret":
        raise UnauthorizedException("the secret is out")
    if order_id not in ORDERS:
        raise OrderNotFound("no order " + order_id)
    return ORDERS[order_id]
"""


@dataclass
class Api:
    aws: Emulator
    id: str
    url: str
    key: str

    def post(
        self, body: Any, headers: dict[str, str] | None = None, key: str | None = ""
    ) -> tuple[int, Any, Any]:
        """POST ``body`` (JSON unless bytes) with the API key (another ``key``, or none);
        the status, the decoded answer and the response headers."""
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        sent = {"Content-Type": "application/json", **(headers or {})}
        if key is not None:
            sent["x-api-key"] = key or self.key
        request = urllib.request.Request(self.url, data=data, method="POST", headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read()), response.headers
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read()), error.headers

    def query(self, query: str, **fields: Any) -> Any:
        status, answer, _ = self.post({"query": query, **fields})
        assert status == 200, answer
        return answer


@pytest.fixture(scope="module")
def api():
    """One API of SCHEMA and an API key, its fields resolved by RESOLVER through a data source
    whose role may invoke it, and ``Query.denied`` through one whose role may not."""
    with emulator(clock=Clock("fast", speedup=1000)) as aws:
        appsync = boto3.client("appsync")
        api_id = appsync.create_graphql_api(name="orders", authenticationType="API_KEY")[
            "graphqlApi"
        ]["apiId"]
        appsync.start_schema_creation(apiId=api_id, definition=SCHEMA.encode())
        key = appsync.create_api_key(apiId=api_id, expires=int(time.time()) + 7 * 86400)
        function = make_function("resolver", {"main.py": RESOLVER})
        appsync_trust = trust("appsync.amazonaws.com")
        model = appsync_registry.graphql_api(aws.account_id, aws.region, api_id)
        appsync_registry.add_data_source(
            model,
            "orders",
            "AWS_LAMBDA",
            function_arn=function,
            service_role_arn=role(
                "orders", appsync_trust, allows(function, "lambda:InvokeFunction")
            ),
        )
        appsync_registry.add_data_source(
            model,
            "locked",
            "AWS_LAMBDA",
            function_arn=function,
            service_role_arn=role("locked", appsync_trust, allows(f"{function}-other", "*")),
        )
        for parent, field in [
            ("Query", "echo"),
            ("Query", "order"),
            ("Order", "source"),
            ("Mutation", "postOrder"),
        ]:
            appsync_registry.add_resolver(model, parent, field, "orders")
        appsync_registry.add_resolver(model, "Query", "denied", "locked")
        yield Api(aws, api_id, aws.graphql.endpoint(api_id), key["apiKey"]["id"])


def test_a_direct_lambda_resolver_gets_appsyncs_context_for_an_api_key_caller(api):
    # [direct-lambda] the context itself; [context] its fields for an API_KEY caller
    query = """query Echo($id: String) {
  echo(id: $id, limit: 5) { event id n { a renamed: b } ... on Echo { inline: id } ...More }
}
fragment More on Echo { n { a } }"""

    status, answer, _ = api.post(
        {"query": query, "variables": {"id": "o-1"}, "operationName": "Echo"},
        headers={"x-custom": "nadia", "Cookie": "session=1"},
    )

    assert status == 200
    event = json.loads(answer["data"]["echo"]["event"])
    headers = event["request"].pop("headers")
    assert event == {
        "arguments": {"id": "o-1", "limit": 5},
        "identity": None,
        "source": None,
        "request": {"domainName": None},
        "prev": None,
        "info": {
            "selectionSetList": ["event", "id", "n", "n/a", "n/renamed", "inline"],
            "selectionSetGraphQL": (
                "{\n  event\n  id\n  n {\n    a\n    renamed: b\n  }\n"
                "  ... on Echo {\n    inline: id\n  }\n  ...More\n}"
            ),
            "parentTypeName": "Query",
            "fieldName": "echo",
            "variables": {"id": "o-1"},
        },
        "stash": {},
    }
    assert headers["x-custom"] == "nadia"
    assert headers["x-api-key"] == api.key
    assert headers["content-type"] == "application/json"
    assert "cookie" not in headers


def test_a_nested_resolver_gets_its_parent_as_source(api):
    # [context] source: "the resolution of the parent field"
    answer = api.query('{ order(id: "1") { id source } }')

    assert json.loads(answer["data"]["order"]["source"]) == {
        "id": "1",
        "name": "tea",
        "createdAt": "2024-05-01T10:00:00.123Z",
    }


def test_the_answer_of_the_function_is_the_fields_value(api):
    answer = api.query('{ order(id: "1") { id name createdAt } }')

    assert answer == {
        "data": {"order": {"id": "1", "name": "tea", "createdAt": "2024-05-01T10:00:00.123Z"}}
    }


@pytest.mark.parametrize(
    ("order_id", "error_type", "message"),
    [
        ("missing", "OrderNotFound", "no order missing"),
        # [direct-lambda] "If errorType is UnauthorizedException, AWS AppSync returns the default
        # message"
        ("secret", "UnauthorizedException", "You are not authorized to make this call."),
    ],
)
def test_a_function_error_is_the_fields_error_and_the_field_is_null(
    api, order_id, error_type, message
):
    # [direct-lambda] the example response of "Custom error handling"
    answer = api.query(f'{{ order(id: "{order_id}") {{ id }} }}')

    assert answer == {
        "data": {"order": None},
        "errors": [
            {
                "path": ["order"],
                "data": None,
                "errorType": error_type,
                "errorInfo": None,
                "locations": [{"line": 1, "column": 3, "sourceName": None}],
                "message": message,
            }
        ],
    }


def test_an_error_in_a_non_null_root_field_nulls_the_whole_data(api):
    answer = api.query('mutation { postOrder(input: {name: "tea"}) { id } }')

    assert answer["data"] is None
    assert [(e["path"], e["errorType"]) for e in answer["errors"]] == [
        (["postOrder"], "OrderNotFound")
    ]


@pytest.mark.parametrize(
    ("order_id", "field", "message"),
    [
        # [non-null] the message and "locations": null
        (
            "no-name",
            "name",
            "Cannot return null for non-nullable type: 'String' within parent 'Order' "
            "(/order/name)",
        ),
        # [scalars] AWSDateTime: an offset is compulsory; the error quoted in amplify-js#5963
        (
            "bad-date",
            "createdAt",
            "Can't serialize value (/order/createdAt) : Unable to serialize `2024-05-01 10:00` "
            "as a valid DateTime Object.",
        ),
    ],
    ids=["null in a non-null field", "AWSDateTime without an offset"],
)
def test_a_value_the_field_cannot_have_nulls_the_nearest_nullable_parent(
    api, order_id, field, message
):
    answer = api.query(f'{{ order(id: "{order_id}") {{ id {field} }} }}')

    assert answer == {
        "data": {"order": None},
        "errors": [{"path": ["order", field], "locations": None, "message": message}],
    }


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        # [scalars] the examples of "Scalar types in AWS AppSync"
        ("1970-01-01T12:00:00.2Z", True),
        ("1970-01-01T12:00:00.277Z", True),
        ("1970-01-01T12:00:00.123456789Z", True),
        ("-2017-01-01T00:00Z", True),
        ("2020-01-01T00:00+05:30", True),
        ("2020-01-01T00:00:00-07:00:30", True),  # seconds in the offset are accepted
        ("2020-01-01T00:00:00", False),  # the offset is compulsory
        ("2020-01-01", False),
        ("2020-05-23T06:4:37.000Z", False),  # amplify-js#5963's value
        ("2020-02-30T00:00Z", False),
        ("2020-01-01T12:00:00.1234567890Z", False),  # at most 9 digits after the seconds
        (1588204800, False),
    ],
)
def test_awsdatetime_accepts_what_appsync_documents(value, valid):
    scalar: Any = appsync_schema("type Query { at: AWSDateTime }").type_map["AWSDateTime"]

    if valid:
        assert scalar.coerce_output_value(value) == value
    else:
        with pytest.raises(InvalidScalarValueError):
            scalar.coerce_output_value(value)


def test_appsyncs_scalars_and_directives_need_no_declaration():
    schema = appsync_schema(
        """type Query @aws_api_key {
  a: AWSDate b: AWSTime c: AWSTimestamp d: AWSEmail e: AWSJSON @aws_iam
  f: AWSURL g: AWSPhone h: AWSIPAddress @aws_cognito_user_pools(cognito_groups: ["x"])
}
type Subscription { on: String @aws_subscribe(mutations: ["m"]) @aws_auth(cognito_groups: ["y"]) }
"""
    )

    assert schema.query_type is not None


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (None, "Missing authorization header"),
        ("da2-notakey", "You are not authorized to make this call."),
    ],
    ids=["missing", "wrong"],
)
def test_a_request_without_a_valid_api_key_is_401(api, key, message):
    # [unauthorized]
    status, answer, headers = api.post({"query": "{ unresolved }"}, key=key)

    assert status == 401
    assert answer == {"errors": [{"errorType": "UnauthorizedException", "message": message}]}
    assert headers["x-amzn-ErrorType"] == "UnauthorizedException"


def test_a_request_with_an_expired_api_key_is_401(api):
    # [unauthorized] "The credentials are valid and not expired"; a key's expiry is its expires
    appsync = boto3.client("appsync")
    key = appsync.create_api_key(apiId=api.id, expires=int(time.time()) + 2 * 86400)["apiKey"]
    assert api.post({"query": "{ unresolved }"}, key=key["id"])[0] == 200

    # When its expiry has passed (AppSync keeps an expired key until it deletes it)
    model = appsync_registry.graphql_api(api.aws.account_id, api.aws.region, api.id)
    model.api_keys[key["id"]].expires = datetime.utcnow() - timedelta(seconds=1)

    status, answer, _ = api.post({"query": "{ unresolved }"}, key=key["id"])
    assert (status, answer["errors"][0]["message"]) == (
        401,
        "You are not authorized to make this call.",
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "Request body is empty."),
        (b"meow", "Unable to parse GraphQL query."),
        (b"{}", "Unable to parse GraphQL query."),
        (b"{}}", "Unable to parse GraphQL query."),
        (b"[]", "Unable to parse GraphQL query."),
    ],
)
def test_a_malformed_request_is_400(api, body, message):
    # [http]
    status, answer, _ = api.post(body)

    assert status == 400
    assert answer == {
        "errors": [{"errorType": "MalformedHttpRequestException", "message": message}]
    }


def test_an_invalid_selection_is_answered_200_with_data_null(api):
    # [http] "Request body containing {badfield}"
    answer = api.query("{badfield}")

    assert answer["data"] is None
    [error] = answer["errors"]
    assert error["path"] is None
    assert error["locations"] == [{"line": 1, "column": 2, "sourceName": None}]
    assert "badfield" in error["message"]


def test_a_missing_variable_is_answered_200_with_data_null(api):
    # [http] "Missing query variables: 200"
    answer = api.query("query Q($id: String!) { order(id: $id) { id } }")

    assert answer["data"] is None
    assert [e["path"] for e in answer["errors"]] == [None]
    assert "$id" in answer["errors"][0]["message"]


def test_variables_and_the_operation_name_choose_what_runs(api):
    document = """
query One($id: String!) { order(id: $id) { id } }
query Two($id: String!) { order(id: $id) { name } }
"""
    answer = api.query(document, variables={"id": "1"}, operationName="Two")

    assert answer == {"data": {"order": {"name": "tea"}}}


def test_a_get_request_carries_the_query_and_its_variables_as_parameters(api):
    # [http] "Query variables are sent ... as query parameters in HTTP GET"
    parameters = urllib.parse.urlencode(
        {"query": "query Q($id: String!) { order(id: $id) { id } }", "variables": '{"id": "1"}'}
    )
    request = urllib.request.Request(f"{api.url}?{parameters}", headers={"x-api-key": api.key})

    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.loads(response.read()) == {"data": {"order": {"id": "1"}}}


def test_introspection_describes_the_schema_and_appsyncs_scalars(api):
    answer = api.query(
        '{ __schema { queryType { name } mutationType { name } } __type(name: "AWSDateTime") '
        "{ kind } }"
    )

    assert answer == {
        "data": {
            "__schema": {"queryType": {"name": "Query"}, "mutationType": {"name": "Mutation"}},
            "__type": {"kind": "SCALAR"},
        }
    }


def test_a_field_without_a_resolver_is_null(api):
    # [missing-resolver]
    assert api.query("{ unresolved }") == {"data": {"unresolved": None}}


def test_a_data_source_whose_role_may_not_invoke_the_function_fails_the_field(api):
    invoked = len(api.aws.runtime.invocations)

    answer = api.query("{ denied }")

    assert answer["data"] == {"denied": None}
    [error] = answer["errors"]
    assert error["path"] == ["denied"]
    # No AWS page shows AppSync's errorType for a refused invoke: see localcloud.direct_lambda.
    assert error["errorType"] == "Lambda:AWSLambdaException"
    assert "is not authorized to perform: lambda:InvokeFunction" in error["message"]
    assert len(api.aws.runtime.invocations) == invoked  # the function never ran


def test_a_hundred_simultaneous_requests_are_all_answered(api):
    barrier = threading.Barrier(100)

    def call(_: int) -> tuple[int, Any, Any]:
        barrier.wait()
        return api.post({"query": '{ order(id: "1") { id } }'})

    with ThreadPoolExecutor(max_workers=100) as pool:
        answers = list(pool.map(call, range(100)))

    assert [(status, answer) for status, answer, _ in answers] == [
        (200, {"data": {"order": {"id": "1"}}})
    ] * 100
