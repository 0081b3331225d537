"""The Lambda Runtime API, served to one worker's runtime interface client.

AWS gives every execution environment its own Runtime API (``AWS_LAMBDA_RUNTIME_API``,
127.0.0.1:9001 there). Here every worker process gets its own server on a free loopback port, so a
request needs no identity to say which worker sent it. Paths, status codes and headers are those of
https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html; the server only speaks the wire
format and leaves what an invocation means to its ``RuntimeApiBackend``.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

_PREFIX = "/2018-06-01/runtime"
_RESULT_PATH = re.compile(rf"^{_PREFIX}/invocation/(?P<id>[^/]+)/(?P<kind>response|error)$")


@dataclass(frozen=True)
class NextInvocation:
    """What ``GET /invocation/next`` hands the runtime: the event and its context headers."""

    request_id: str
    body: bytes
    deadline_ms: int
    function_arn: str
    trace_id: str = ""
    client_context: str = ""
    cognito_identity: str = ""

    def headers(self) -> dict[str, str]:
        # awslambdaric's native client waits forever on `next` unless every one of these is
        # present, empty or not (design.md, "localcloud v2").
        return {
            "Lambda-Runtime-Aws-Request-Id": self.request_id,
            "Lambda-Runtime-Deadline-Ms": str(self.deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": self.function_arn,
            "Lambda-Runtime-Trace-Id": self.trace_id,
            "Lambda-Runtime-Client-Context": self.client_context,
            "Lambda-Runtime-Cognito-Identity": self.cognito_identity,
            "Content-Type": "application/json",
        }


class RuntimeApiBackend(Protocol):
    def next_invocation(self) -> NextInvocation | None:
        """Block until the worker has an invocation; None once the worker is being stopped."""

    def invocation_result(self, request_id: str, body: bytes, errored: bool) -> bool:
        """The runtime's response or error for ``request_id``; False if it is not the current
        invocation."""

    def init_error(self, body: bytes) -> None:
        """The runtime could not initialize (import failure, missing handler); it exits next."""


class _Server(ThreadingHTTPServer):
    # A request thread may wait in `next` for as long as the worker lives: it must never keep
    # the interpreter from exiting. Stopping the worker ends them (its connections close).
    daemon_threads = True

    def __init__(self, backend: RuntimeApiBackend) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.backend = backend

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A killed worker (timeout, shutdown) drops its connection mid-request: expected.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # the native client keeps its connection open between calls
    # Headers and body go out in two writes; with Nagle's algorithm on, the second waits for the
    # client's delayed ACK, 40 ms on every call.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per poll would drown every other output

    def do_GET(self) -> None:
        if self.path != f"{_PREFIX}/invocation/next":
            self._reply(HTTPStatus.NOT_FOUND, {"errorMessage": f"no route {self.path}"})
            return
        invocation = self.server.backend.next_invocation()
        if invocation is None:
            self._reply(HTTPStatus.INTERNAL_SERVER_ERROR, {"errorMessage": "worker stopping"})
            return
        self._send(HTTPStatus.OK, invocation.body, invocation.headers())

    def do_POST(self) -> None:
        body = self._body()
        backend = self.server.backend
        if self.path == f"{_PREFIX}/init/error":
            backend.init_error(body)
            self._reply(HTTPStatus.ACCEPTED, {"status": "OK"})
            return
        match = _RESULT_PATH.match(self.path)
        if match is None:
            self._reply(HTTPStatus.NOT_FOUND, {"errorMessage": f"no route {self.path}"})
        elif backend.invocation_result(match["id"], body, errored=match["kind"] == "error"):
            self._reply(HTTPStatus.ACCEPTED, {"status": "OK"})
        else:
            self._reply(
                HTTPStatus.BAD_REQUEST,
                {"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"},
            )

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0], 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            self.rfile.readline()
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _reply(self, status: HTTPStatus, document: dict[str, str]) -> None:
        self._send(status, json.dumps(document).encode(), {"Content-Type": "application/json"})

    def _send(self, status: HTTPStatus, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class RuntimeApiServer:
    """One worker's Runtime API on 127.0.0.1, on a port of its own."""

    def __init__(self, backend: RuntimeApiBackend) -> None:
        self._server = _Server(backend)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            # shutdown() waits up to one poll interval (0.5 s by default) for the loop to notice.
            kwargs={"poll_interval": 0.02},
            name="lambda-runtime-api",
            daemon=True,
        )

    @property
    def address(self) -> str:
        """The value of ``AWS_LAMBDA_RUNTIME_API``: host and port, no scheme."""
        host, port = self._server.server_address[:2]
        return f"{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop listening; the backend must already answer ``next`` with None."""
        if self._thread.is_alive():  # shutdown() waits forever for a loop that never ran
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()
