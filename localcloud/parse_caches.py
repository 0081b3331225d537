"""The Step Functions interpreter parses once what it used to parse again on every execution.

Under load, parsing was most of localcloud's time: moto parses the state machine's definition
with ANTLR at every StartExecution (over half of the process's time at 30 executions a second;
ANTLR's Python runtime is slow), and jsonpath_ng builds a new yacc parser for every JSONPath it
reads (a quarter). Both results are cached by their text:

- the ANTLR parse tree of a definition, which nothing changes after parsing. The components
  evaluated are still built afresh from it for every execution (a few milliseconds): some keep
  what they were doing on themselves while they run (a Map state its workers), and two
  executions must not share that;
- parsed JSONPath expressions, which are immutable (finding and updating build new values).
"""

from __future__ import annotations

import functools
from typing import Any

import jsonpath_ng
import jsonpath_ng.ext
from antlr4 import CommonTokenStream, InputStream
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


class ParseCaches:
    def __init__(self) -> None:
        self._patches = Patches()

    def install(self) -> None:
        self._patches.patch(AmazonStateLanguageParser, "parse", staticmethod(_parse))
        self._patches.patch(json_path, "parse", parse_extended_path)
        self._patches.patch(result_path, "parse", parse_path)

    def uninstall(self) -> None:
        self._patches.undo()
