"""moto computes once what it used to compute again on every execution or request.

Under load, parsing was most of localcloud's time: moto parses the state machine's definition
with ANTLR at every StartExecution (over half of the process's time at 30 executions a second;
ANTLR's Python runtime is slow), and jsonpath_ng builds a new yacc parser for every JSONPath it
reads (a quarter). Both results are cached by their text:

- the ANTLR parse tree of a definition, which nothing changes after parsing. The components
  evaluated are still built afresh from it for every execution (a few milliseconds): some keep
  what they were doing on themselves while they run (a Map state its workers), and two
  executions must not share that;
- parsed JSONPath expressions, which are immutable (finding and updating build new values).

And for every request, moto's server lists its own package directory (to tell a service name
from a host name) and lists each response class's methods (to find the action): about a quarter
of the endpoint's time per call. Neither changes while localcloud runs (its patches replace
actions moto defines; they add none).

One response is written directly: GetExecutionHistory. moto's generic serializer walks every
member of the HistoryEvent shape (about seventy) for every event and parses each timestamp back
from text, ~1 ms an event; reading histories was a third of the e2e tests' time. The events are
already in the API's shape, so they are written as JSON as they are: dates as epoch seconds
truncated to milliseconds (the JSON protocol's timestamps, as moto's serializer writes them),
absent fields left out. A client parses the same events from either.
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
from moto.stepfunctions.parser.asl.antlr.runtime.ASLLexer import ASLLexer
from moto.stepfunctions.parser.asl.antlr.runtime.ASLParser import ASLParser
from moto.stepfunctions.parser.asl.component.common.path import result_path
from moto.stepfunctions.parser.asl.parse.asl_parser import (
    AmazonStateLanguageParser,
    ASLParserException,
    SyntaxErrorListener,
)
from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor
from moto.stepfunctions.parser.asl.utils import json_path
from moto.stepfunctions.responses import StepFunctionResponse

from localcloud.moto_patches import Patches

parse_path = functools.lru_cache(maxsize=4096)(jsonpath_ng.parse)
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
    return tree


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


class MotoCaches:
    def __init__(self) -> None:
        self._patches = Patches()

    def install(self) -> None:
        self._patches.patch(AmazonStateLanguageParser, "parse", staticmethod(_parse))
        self._patches.patch(json_path, "parse", parse_extended_path)
        self._patches.patch(result_path, "parse", parse_path)
        self._patches.patch(backends, "list_of_moto_modules", _moto_modules)
        self._patches.patch(core_responses, "method_names_from_class", _method_names)
        self._patches.patch(StepFunctionResponse, "get_execution_history", _get_execution_history)

    def uninstall(self) -> None:
        self._patches.undo()
