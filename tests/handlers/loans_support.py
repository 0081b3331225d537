"""Helpers for the loan processor's handler tests (seed 000): a local HTTP server that stands in for
an API and records what it was sent, the credentials a proxy's role signs with, and the states
and events the functions receive."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from localcloud.lambda_context import LambdaContext
from localcloud.principals import Principal, Principals

REGION = "eu-west-2"
ACCOUNT = "123456789012"
REQUEST_ID = "7f9c2ba4-e88f-4b2c-8f9a-0e1d2c3b4a59"
"""The ``aws_request_id`` of the invocation under test."""
CORRELATION_ID = "c0ffee00-1234-4abc-8def-000000000001"

APPLICANT = {"firstName": "Ada", "lastName": "Lovelace", "postcode": "SW1A 1AA"}
NEW_STATE = {"input": APPLICANT}
"""What the chain is started with."""

PRINCIPALS = Principals(ACCOUNT)
ROLE = PRINCIPALS.for_role(f"arn:aws:iam::{ACCOUNT}:role/loan-proxy")
"""Temporary credentials (with a session token), as Lambda gives a function's role."""


def invocation() -> LambdaContext:
    return LambdaContext(
        function_name="loan-proxy",
        invoked_function_arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:loan-proxy",
        aws_request_id=REQUEST_ID,
    )


@dataclass(frozen=True)
class Recorded:
    """A request as the server received it; header names lower-case (``sigv4.HttpRequest``)."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


Answer = Callable[[Recorded], tuple[int, bytes]]


def echo(fields: dict[str, Any], status: int = 200) -> Answer:
    """Answer with the request's two ids and ``fields``, as the real APIs do."""

    def answer(request: Recorded) -> tuple[int, bytes]:
        sent = request.json()
        ids = {"requestId": sent["requestId"], "correlationId": sent["correlationId"]}
        return status, json.dumps({**ids, **fields}).encode()

    return answer


def fixed(status: int, body: str) -> Answer:
    return lambda request: (status, body.encode())


class RecordingApi:
    """An HTTP server on 127.0.0.1 that records every request and answers with ``answer``.

    ``stall()`` makes it hold every answer until the server stops, so a client's timeout is
    met without anyone sleeping it out.
    """

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.requests: list[Recorded] = []
        self._stalled = False
        self._released = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/request"

    def stall(self) -> None:
        self._stalled = True

    def _respond(self, request: Recorded) -> tuple[int, bytes]:
        self.requests.append(request)
        if self._stalled:
            self._released.wait(timeout=10)
        return self.answer(request)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {name.lower(): value for name, value in self.headers.items()}
                url = f"http://{headers.get('host')}{self.path}"
                status, answer = api._respond(Recorded(self.command, url, headers, body))
                try:
                    self.send_response(status)
                    if 300 <= status < 400:  # a redirect to a route that would answer
                        self.send_header("Location", f"{url}/elsewhere")
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # a client that gave up waiting (a timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    @contextmanager
    def running(self) -> Iterator[RecordingApi]:
        """Serve until the block ends. Each request is awaited without polling; at the end a
        last, empty connection wakes the server to see that it is to stop."""
        stopping = threading.Event()

        def serve() -> None:
            while not stopping.is_set():
                self._server.handle_request()

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._released.set()
            stopping.set()
            socket.create_connection(self._server.server_address[:2]).close()
            thread.join()
            self._server.server_close()


def closed_port_url() -> str:
    """The URL of a port nothing listens on (it was bound, then released)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = server.server_address[1]
    server.server_close()
    return f"http://127.0.0.1:{port}/request"


def role_environment(principal: Principal = ROLE) -> dict[str, str]:
    """What Lambda sets for a function running as ``principal``, in ``REGION``."""
    return {"AWS_REGION": REGION, **principal.environment}


IDENTITY_CHECK = {"electoralRole": True, "bankAccount": False}
CREDIT_REFERENCE = {"creditReferenceRating": "Poor"}
FULL_STATE = {
    "input": APPLICANT,
    "correlationId": CORRELATION_ID,
    "identityCheck": IDENTITY_CHECK,
    "creditReference": CREDIT_REFERENCE,
}


def _with_input(**fields: Any) -> dict[str, Any]:
    return {"input": {**APPLICANT, **fields}}


INVALID_STATES = [
    (None, "a loan state must be a JSON object, got null"),
    ([NEW_STATE], "a loan state must be a JSON object, got list"),
    ("Ada Lovelace", "a loan state must be a JSON object, got str"),
    (
        {},
        "a loan state has 'input' and nothing besides correlationId, identityCheck and "
        "creditReference; got []",
    ),
    ({**NEW_STATE, "identitycheck": IDENTITY_CHECK}, "got ['identitycheck', 'input']"),
    (
        {"version": "1.0", "requestPayload": NEW_STATE, "responsePayload": NEW_STATE},
        "got ['requestPayload', 'responsePayload', 'version']",
    ),
    (
        {"input": None},
        "'input' must be an object with exactly firstName, lastName, postcode, got null",
    ),
    ({"input": "Ada Lovelace"}, "'input' must be an object with exactly firstName, lastName, "),
    ({"input": {}}, "missing ['firstName', 'lastName', 'postcode'], unknown []"),
    ({"input": {"firstName": "Ada", "lastName": "Lovelace"}}, "missing ['postcode'], unknown []"),
    (_with_input(dateOfBirth="1815-12-10"), "missing [], unknown ['dateOfBirth']"),
    (
        _with_input(firstName=""),
        "'input.firstName' must be a string of 1 to 100 characters, not empty or only white space",
    ),
    (_with_input(firstName=" \t "), "'input.firstName' must be a string of 1 to 100 characters"),
    (
        _with_input(firstName="A" * 101),
        "'input.firstName' must be a string of 1 to 100 characters, got 101 characters",
    ),
    (
        _with_input(firstName=7),
        "'input.firstName' must be a string of 1 to 100 characters, got int",
    ),
    (_with_input(firstName=None), "'input.firstName' is required"),
    (_with_input(firstName="\ud800"), "'input.firstName' must be valid Unicode text"),
    (_with_input(lastName=""), "'input.lastName' must be a string of 1 to 100 characters"),
    (
        _with_input(lastName="L" * 101),
        "'input.lastName' must be a string of 1 to 100 characters, got 101 characters",
    ),
    (
        _with_input(lastName=["Lovelace"]),
        "'input.lastName' must be a string of 1 to 100 characters, got list",
    ),
    (_with_input(postcode=""), "'input.postcode' must be a string of 1 to 16 characters"),
    (
        _with_input(postcode="P" * 17),
        "'input.postcode' must be a string of 1 to 16 characters, got 17 characters",
    ),
    (
        _with_input(postcode=1234),
        "'input.postcode' must be a string of 1 to 16 characters, got int",
    ),
    (_with_input(postcode="\udfff"), "'input.postcode' must be valid Unicode text"),
    (
        {**NEW_STATE, "correlationId": None},
        "'correlationId' must be a string of 1 to 128 characters or absent, got null",
    ),
    ({**NEW_STATE, "correlationId": ""}, "'correlationId' must be a string of 1 to 128 characters"),
    ({**NEW_STATE, "correlationId": "  "}, "not empty or only white space"),
    ({**NEW_STATE, "correlationId": "c" * 129}, "got 129 characters"),
    (
        {**NEW_STATE, "correlationId": 42},
        "'correlationId' must be a string of 1 to 128 characters, got int",
    ),
    ({**NEW_STATE, "correlationId": "\ud800"}, "'correlationId' must be valid Unicode text"),
    (
        {**NEW_STATE, "identityCheck": None},
        "'identityCheck' must be an object with exactly electoralRole, bankAccount, got null",
    ),
    ({**NEW_STATE, "identityCheck": [True, False]}, "got list"),
    ({**NEW_STATE, "identityCheck": {}}, "missing ['bankAccount', 'electoralRole'], unknown []"),
    (
        {**NEW_STATE, "identityCheck": {"electoralRole": True}},
        "missing ['bankAccount'], unknown []",
    ),
    (
        {**NEW_STATE, "identityCheck": {**IDENTITY_CHECK, "creditScore": 700}},
        "missing [], unknown ['creditScore']",
    ),
    (
        {**NEW_STATE, "identityCheck": {**IDENTITY_CHECK, "electoralRole": "true"}},
        "'identityCheck.electoralRole' must be true or false, got str",
    ),
    (
        {**NEW_STATE, "identityCheck": {**IDENTITY_CHECK, "electoralRole": 1}},
        "'identityCheck.electoralRole' must be true or false, got int",
    ),
    (
        {**NEW_STATE, "identityCheck": {**IDENTITY_CHECK, "bankAccount": None}},
        "'identityCheck.bankAccount' must be true or false, got null",
    ),
    (
        {**NEW_STATE, "creditReference": None},
        "'creditReference' must be an object with exactly creditReferenceRating, got null",
    ),
    ({**NEW_STATE, "creditReference": "Good"}, "got str"),
    ({**NEW_STATE, "creditReference": {}}, "missing ['creditReferenceRating'], unknown []"),
    (
        {**NEW_STATE, "creditReference": {"rating": "Good"}},
        "missing ['creditReferenceRating'], unknown ['rating']",
    ),
    (
        {**NEW_STATE, "creditReference": {"creditReferenceRating": "good"}},
        "'creditReference.creditReferenceRating' must be one of Good, Bad or Poor, got 'good'",
    ),
    ({**NEW_STATE, "creditReference": {"creditReferenceRating": "Excellent"}}, "got 'Excellent'"),
    ({**NEW_STATE, "creditReference": {"creditReferenceRating": None}}, "got None"),
    ({**NEW_STATE, "creditReference": {"creditReferenceRating": 1}}, "got 1"),
]
"""Every way a state is refused, and (part of) the message that says why."""
