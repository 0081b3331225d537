"""moto computes once what it used to compute again on every execution or request.

Under load, parsing was most of localcloud's time: moto parses the state machine's definition
with ANTLR at every StartExecution (over half of the process's time at 30 executions a second;
ANTLR's Python runtime is slow), and jsonpath_ng builds a new yacc parser for every JSONPath it
reads (a quarter). Both results are cached by their text:

- the ANTLR parse tree of a definition, which nothing changes after parsing, with each node's
  text worked out once (ANTLR builds it again at every ``getText``). The components
  evaluated are still built afresh from it for every execution (a few milliseconds): some keep
  what they were doing on themselves while they run (a Map state its workers), and two
  executions must not share that;
- parsed JSONPath expressions, which are immutable (finding and updating build new values);
- parsed intrinsic functions (``States.Format(...)`` and the like), which the definition's
  components are built from at every execution: ANTLR lexes and parses each again (about a
  millisecond each), and the functions they give hold only what they were parsed from.

And for every request, moto's server lists its own package directory (to tell a service name
from a host name) and lists each response class's methods (to find the action): about a quarter
of the endpoint's time per call. Neither changes while localcloud runs (its patches replace
actions moto defines; they add none).

Some responses are written directly, because moto's generic serializer walks every member of the
output shape for every value:

- GetExecutionHistory: about seventy members of the HistoryEvent shape for every event, and each
  timestamp parsed back from text, ~1 ms an event; reading histories was a third of the e2e
  tests' time. The events are already in the API's shape, so they are written as JSON as they
  are: dates as epoch seconds truncated to milliseconds (the JSON protocol's timestamps, as
  moto's serializer writes them), absent fields left out.
- DynamoDB's item actions (GetItem, PutItem, Query...): items are already in the API's JSON shape
  (``{"S": ...}``, numbers as strings), and serializing them was about half of moto's time for a
  GetItem. The output shape's members that hold items, keys, counts and consumed capacity are
  written as JSON as they are; an answer with anything else (item collection metrics, a binary
  attribute's bytes, which the serializer base64-encodes) is moto's serializer's to write.

A client parses the same answer from either; tests compare them.
"""

from __future__ import annotations

import datetime
import functools
import json
import math
from typing import Any

import jsonpath_ng
import jsonpath_ng.ext
from antlr4 import CommonTokenStream, InputStream
from moto import backends
from moto.core import responses as core_responses
from moto.core import utils as core_utils
from moto.dynamodb.responses import DynamoHandler
from moto.stepfunctions.parser.asl.antlr.runtime.ASLLexer import ASLLexer
from moto.stepfunctions.parser.asl.antlr.runtime.ASLParser import ASLParser
from moto.stepfunctions.parser.asl.component.common.path import result_path
from moto.stepfunctions.parser.asl.parse.asl_parser import (
    AmazonStateLanguageParser,
    ASLParserException,
    SyntaxErrorListener,
)
from moto.stepfunctions.parser.asl.parse.intrinsic.intrinsic_parser import IntrinsicParser
from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor
from moto.stepfunctions.parser.asl.utils import json_path
from moto.stepfunctions.responses import StepFunctionResponse

from localcloud.moto_patches import Patches

parse_path = functools.lru_cache(maxsize=4096)(jsonpath_ng.parse)
_parse_intrinsic = functools.lru_cache(maxsize=1024)(IntrinsicParser.parse)
parse_extended_path = functools.lru_cache(maxsize=4096)(jsonpath_ng.ext.parse)


@functools.lru_cache(maxsize=256)
def _syntax_tree(definition: str) -> Any:
    """What moto's ``AmazonStateLanguageParser.parse`` does before preprocessing (an invalid
    definition raises the same ASLParserException, and is not cached)."""
    errors = SyntaxErrorListener()
    parser = ASLParser(CommonTokenStream(ASLLexer(InputStream(definition))))
    parser.removeErrorListeners()
    parser.addErrorListener(errors)
    tree = parser.state_machine()
    if errors.errors:
        raise ASLParserException(errors=errors.errors)
    _remember_texts(tree)
    return tree


def _remember_texts(tree: Any) -> None:
    """Give every node of the finished tree its text once. Preprocessing asks each string
    literal for its text, which ANTLR's ``getText`` builds again from every token below it each
    time: over half of building an execution's program. The tree no longer changes."""
    pending, finished = [tree], []
    while pending:  # the nodes, parents before children
        node = pending.pop()
        finished.append(node)
        pending.extend(getattr(node, "children", None) or ())
    texts: dict[int, str] = {}
    for node in reversed(finished):  # children before parents
        children = getattr(node, "children", None)
        if hasattr(node, "symbol"):  # a token
            text = node.getText()
        else:
            text = "".join(texts[id(child)] for child in children or ())
        texts[id(node)] = text
        node.getText = text.__str__  # the instance's own, in front of ANTLR's method


def _parse(definition: str) -> tuple[Any, Any]:
    tree = _syntax_tree(definition)
    return Preprocessor().visit(tree), tree


_MOTO_MODULES = tuple(backends.list_of_moto_modules())


def _moto_modules() -> tuple[str, ...]:
    return _MOTO_MODULES


_method_names = functools.cache(core_utils.method_names_from_class)


def _present(value: Any) -> Any:
    """``value`` without the fields that are None, which the serializer leaves out."""
    if isinstance(value, dict):
        return {key: _present(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_present(item) for item in value]
    return value


def _epoch_seconds(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        # A date without a zone is UTC, as botocore reads it; milliseconds, truncated (Smithy).
        aware = value if value.tzinfo else value.replace(tzinfo=datetime.UTC)
        return math.floor(aware.timestamp() * 1000) / 1000
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _get_execution_history(response: Any) -> str:
    history = response.stepfunction_backend.get_execution_history(
        response._get_param("executionArn")
    )
    return json.dumps(_present(dict(history)), default=_epoch_seconds)


# Their results hold items, keys and counts only: no timestamps, nothing the shape renames.
DIRECT_DYNAMODB_ACTIONS = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactGetItems",
        "TransactWriteItems",
    }
)
# What those results may hold to be written directly: items, keys, counts and consumed capacity.
# Anything else in the output shape (ItemCollectionMetrics) goes through moto's serializer.
_ITEM_MEMBERS = frozenset(
    {
        "Item",
        "Items",
        "Attributes",
        "Count",
        "ScannedCount",
        "LastEvaluatedKey",
        "Responses",
        "UnprocessedKeys",
        "UnprocessedItems",
        "ConsumedCapacity",
    }
)
_MOTO_DYNAMODB_SERIALIZED = DynamoHandler.serialized


@functools.cache
def _members(action: str, member: str | None = None) -> frozenset[str]:
    """The members of the action's output shape, or of one of its members' (a list's element)."""
    shape = core_utils.get_service_model("dynamodb").operation_model(action).output_shape
    if shape is not None and member is not None:
        shape = shape.members[member]
        shape = getattr(shape, "member", shape)
    return frozenset(getattr(shape, "members", ()))


def _capacity(action: str, value: Any) -> Any:
    """ConsumedCapacity (one or a list) with only the shape's members, as moto writes it."""
    kept = _members(action, "ConsumedCapacity")
    if isinstance(value, list):
        return [{k: v for k, v in each.items() if k in kept} for each in value]
    return {k: v for k, v in value.items() if k in kept}


def _dynamodb_serialized(self: Any, action_result: Any) -> Any:
    result, action = action_result.result, self._get_action()
    if isinstance(result, dict) and action in DIRECT_DYNAMODB_ACTIONS:
        members = _members(action)
        answer = {key: value for key, value in result.items() if key in members}  # as moto does
        if "ConsumedCapacity" in answer:
            answer["ConsumedCapacity"] = _capacity(action, answer["ConsumedCapacity"])
        if answer.keys() <= _ITEM_MEMBERS:
            try:
                body = json.dumps(_present(answer))
            except TypeError:  # a binary attribute's bytes
                pass
            else:
                # The JSON 1.0 protocol's content type, then moto's own headers, as moto answers.
                headers = {"Content-Type": "application/x-amz-json-1.0", **self.response_headers}
                return 200, headers, body
    return _MOTO_DYNAMODB_SERIALIZED(self, action_result)


class MotoCaches:
    def __init__(self) -> None:
        self._patches = Patches()

    def install(self) -> None:
        self._patches.patch(AmazonStateLanguageParser, "parse", staticmethod(_parse))
        self._patches.patch(json_path, "parse", parse_extended_path)
        self._patches.patch(IntrinsicParser, "parse", staticmethod(_parse_intrinsic))
        self._patches.patch(result_path, "parse", parse_path)
        self._patches.patch(backends, "list_of_moto_modules", _moto_modules)
        self._patches.patch(core_responses, "method_names_from_class", _method_names)
        self._patches.patch(StepFunctionResponse, "get_execution_history", _get_execution_history)
        self._patches.patch(DynamoHandler, "serialized", _dynamodb_serialized)

    def uninstall(self) -> None:
        self._patches.undo()
