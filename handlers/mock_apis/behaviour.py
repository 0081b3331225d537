"""How both mock APIs behave: they stand in for an identity check and a credit reference service.

Each is a Lambda function behind an HTTP API's ``POST /request`` route (a Lambda proxy
integration, payload format 2.0: the request body is the event's ``body``, base64 when
``isBase64Encoded``). For every request it:

1. waits ``MIN_DELAY_MS`` milliseconds, as a real service takes time to answer. Absent means 100
   (the seed's); otherwise a whole number from 0 to 30000 (an HTTP API gives up on its
   integration after 30 s);
2. answers 400 ``{"message"}`` if the body is not a JSON object of exactly ``requestId``,
   ``correlationId``, ``firstName``, ``lastName`` and ``postcode``, each a non-blank string of at
   most 256 characters (``lambda_support.text.checked_text``). A bad request is the caller's
   fault, so it gets its 400 whatever step 3 would draw;
3. fails with 500 ``{"message"}`` with probability ``ERROR_PERCENT`` percent. Absent means 0
   (the seed's); otherwise a number from 0 to 100 (``2.5`` allowed). One draw decides;
4. answers 200 with ``requestId`` and ``correlationId`` echoed and the API's own result, made by
   its ``result`` function from further draws.

A ``MIN_DELAY_MS`` or ``ERROR_PERCENT`` that breaks these rules raises
``MockApiConfigurationError`` at first use (the API answers 500 ``Internal Server Error``). Every
answer is JSON with ``Content-Type: application/json``.

The draws come from one source of uniform numbers in [0, 1), so a test gives a fixed sequence
and knows each answer; the configuration, the source and the sleep are replaced by tests.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger
from lambda_support.lazy import Lazy
from lambda_support.text import checked_text

logger = Logger()

DEFAULT_MIN_DELAY_MS = 100
MAX_MIN_DELAY_MS = 30_000
DEFAULT_ERROR_PERCENT = 0.0
MAX_FIELD_LENGTH = 256
REQUEST_FIELDS = ("requestId", "correlationId", "firstName", "lastName", "postcode")
_WHOLE_NUMBER = re.compile(r"[0-9]{1,5}")
_PERCENT = re.compile(r"[0-9]{1,3}(\.[0-9]{1,6})?")

Draw = Callable[[], float]
"""A uniform number in [0, 1)."""
Result = Callable[[Draw], dict[str, Any]]
"""An API's own answer fields, made from draws."""


class MockApiConfigurationError(RuntimeError):
    """``MIN_DELAY_MS`` or ``ERROR_PERCENT`` is not a value the mock APIs accept."""


class BadRequestError(ValueError):
    """The request is not one a mock API answers; the client gets 400 with the message."""


@dataclass(frozen=True)
class Behaviour:
    min_delay_ms: int
    error_percent: float

    @classmethod
    def from_environment(cls) -> Behaviour:
        return cls(
            min_delay_ms=int(
                _setting("MIN_DELAY_MS", DEFAULT_MIN_DELAY_MS, _WHOLE_NUMBER, MAX_MIN_DELAY_MS)
            ),
            error_percent=_setting("ERROR_PERCENT", DEFAULT_ERROR_PERCENT, _PERCENT, 100),
        )


def _setting(variable: str, default: float, form: re.Pattern[str], maximum: int) -> float:
    text = os.environ.get(variable)
    if text is None:
        return default
    if not form.fullmatch(text.strip()) or float(text) > maximum:
        kind = "a whole number" if form is _WHOLE_NUMBER else "a number"
        raise MockApiConfigurationError(
            f"{variable} must be {kind} from 0 to {maximum}, got {text!r}"
        )
    return float(text)


def response(status: int, body: dict[str, Any]) -> dict[str, Any]:
    """A Lambda proxy result: API Gateway answers with this status, header and body."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
    }


def _body_text(event: Any) -> str:
    if not isinstance(event, dict):
        raise BadRequestError("the event is not an API Gateway HTTP API request")
    body = event.get("body")
    if not isinstance(body, str) or not body:
        raise BadRequestError("the request has no body")
    if not event.get("isBase64Encoded"):
        return body
    try:
        return base64.b64decode(body, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise BadRequestError("the request body is not base64-encoded UTF-8 text") from None


def parse_request(event: Any) -> dict[str, str]:
    """The request in an HTTP API event: ``{requestId, correlationId, firstName, lastName,
    postcode}``."""
    text = _body_text(event)
    try:
        request = json.loads(text)
    except ValueError:
        raise BadRequestError("the request body is not JSON") from None
    rule = f"the request body must be a JSON object with exactly {', '.join(REQUEST_FIELDS)}"
    if not isinstance(request, dict):
        raise BadRequestError(f"{rule}, got {type(request).__name__}")
    if set(request) != set(REQUEST_FIELDS):
        raise BadRequestError(f"{rule}, got {sorted(request)}")
    return {
        field: checked_text(request[field], field, MAX_FIELD_LENGTH, BadRequestError)
        for field in REQUEST_FIELDS
    }


class MockApiHandler:
    """The Lambda entry point of a mock API: ``handler = MockApiHandler(<its result>)``.

    Tests replace ``behaviour``, ``draw`` and ``sleep``.
    """

    def __init__(self, result: Result) -> None:
        self.result = result
        self.behaviour: Lazy[Behaviour] = Lazy(Behaviour.from_environment)
        self.draw: Draw = random.Random().random
        self.sleep: Callable[[float], None] = time.sleep
        self._handle = logger.inject_lambda_context(self._answer)

    def __call__(self, event: Any, context: Any) -> dict[str, Any]:
        return self._handle(event, context)

    def _answer(self, event: Any, context: Any) -> dict[str, Any]:
        behaviour = self.behaviour.get()
        self.sleep(behaviour.min_delay_ms / 1000)
        try:
            request = parse_request(event)
        except BadRequestError as error:
            logger.info("bad request", extra={"status": 400, "reason": str(error)})
            return response(400, {"message": str(error)})
        ids = {"requestId": request["requestId"], "correlationId": request["correlationId"]}
        log = {"request_id": ids["requestId"], "correlation_id": ids["correlationId"]}
        if self.draw() < behaviour.error_percent / 100:
            logger.info("simulated failure", extra={**log, "status": 500})
            message = f"simulated failure (ERROR_PERCENT is {behaviour.error_percent:g})"
            return response(500, {"message": message})
        answer = {**ids, **self.result(self.draw)}
        logger.info("answered", extra={**log, "status": 200, "answer": answer})
        return response(200, answer)
