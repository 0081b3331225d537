"""A threaded HTTP server on 127.0.0.1 for localcloud's front doors (HTTP APIs, GraphQL APIs).

It reads each request whole (by Content-Length or chunked transfer coding, up to a size limit),
hands it to a ``handle`` function and writes what that answers. What a front door answers to a
request it cannot read, or when ``handle`` fails, is its own (``reject``): API Gateway and AppSync
word such errors differently. Every request runs on a thread of its own, and the listen backlog
leaves room for a burst of simultaneous clients.
"""

from __future__ import annotations

import json
import logging
import socketserver
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

# API Gateway HTTP APIs accept payloads of up to 10 MB ("Amazon API Gateway quotas").
MAX_PAYLOAD_BYTES = 10 * 1024 * 1024


@dataclass
class Response:
    status: int
    body: str
    headers: Mapping[str, str]

    @classmethod
    def json(cls, status: int, document: Any, headers: Mapping[str, str] | None = None) -> Response:
        return cls(
            status, json.dumps(document), {"Content-Type": "application/json", **(headers or {})}
        )

    @classmethod
    def message(cls, status: int, message: str) -> Response:
        return cls.json(status, {"message": message})


@dataclass
class Request:
    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    """Lower-cased names."""
    body: bytes
    url: str


Handle = Callable[[Request], Response]
Reject = Callable[[int, str], Response]
"""The answer to a request that cannot be served, from its HTTP status and a reason."""


class BadRequestError(ValueError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def read_body(handler: BaseHTTPRequestHandler, limit: int = MAX_PAYLOAD_BYTES) -> bytes:
    """The request body by Content-Length or chunked transfer coding (RFC 9112, section 6-7)."""
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        return _read_chunked(handler.rfile, limit)
    declared = handler.headers.get("Content-Length")
    if declared is None:
        return b""
    if not declared.isdigit():
        raise BadRequestError(HTTPStatus.BAD_REQUEST, "Bad Request: invalid Content-Length")
    length = int(declared)
    if length > limit:
        raise BadRequestError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "Request Entity Too Large")
    body = handler.rfile.read(length)
    if len(body) < length:
        raise BadRequestError(HTTPStatus.BAD_REQUEST, "Bad Request: incomplete body")
    return bytes(body)


def _read_chunked(stream: Any, limit: int) -> bytes:
    body = bytearray()
    while True:
        size_line = stream.readline(1024).split(b";", 1)[0].strip()
        try:
            size = int(size_line, 16)
        except ValueError:
            raise BadRequestError(HTTPStatus.BAD_REQUEST, "Bad Request: invalid chunk") from None
        if size == 0:
            while stream.readline(1024).strip():  # trailer fields, then the final CRLF
                pass
            return bytes(body)
        if len(body) + size > limit:
            raise BadRequestError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "Request Entity Too Large")
        chunk = stream.read(size)
        if len(chunk) < size or stream.read(2) != b"\r\n":
            raise BadRequestError(HTTPStatus.BAD_REQUEST, "Bad Request: incomplete chunk")
        body += chunk


class ServingThread:
    """A socket server's ``serve_forever`` on a daemon thread of its own, until ``stop``."""

    def __init__(self, server: socketserver.BaseServer, name: str) -> None:
        self._server = server
        self._name = name
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},  # shutdown() waits up to one poll interval
            name=self._name,
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()


class _Server(ThreadingHTTPServer):
    # Room for a burst of simultaneous clients (socketserver's default backlog is 5).
    request_queue_size = 1024
    daemon_threads = True


class LocalHttpServer:
    """Serves ``handle`` on 127.0.0.1 at ``url`` between ``start`` and ``stop``."""

    def __init__(
        self,
        handle: Handle,
        name: str,
        port: int = 0,
        reject: Reject = Response.message,
        limit: int = MAX_PAYLOAD_BYTES,
    ) -> None:
        self._handle = handle
        self._reject = reject
        self._limit = limit
        self._name = name
        server = _Server(("127.0.0.1", port), self._handler_class())
        self._serving = ServingThread(server, name)
        self.url = f"http://127.0.0.1:{server.server_address[1]}"

    def start(self) -> None:
        self._serving.start()

    def stop(self) -> None:
        self._serving.stop()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                try:
                    body = read_body(self, server._limit)
                except BadRequestError as error:
                    self.close_connection = True  # what is left of the body cannot be trusted
                    self._send(server._reject(error.status, error.message))
                    return
                split = urlsplit(self.path)
                request = Request(
                    method=self.command,
                    path=split.path,
                    query=split.query,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                    url=f"{server.url}{self.path}",
                )
                try:
                    response = server._handle(request)
                except Exception:  # a client gets a 500, never a dropped connection
                    logger.exception("%s failed on %s %s", server._name, self.command, self.path)
                    response = server._reject(
                        HTTPStatus.INTERNAL_SERVER_ERROR, "Internal Server Error"
                    )
                self._send(response)

            def _send(self, response: Response) -> None:
                body = response.body.encode()
                self.send_response(response.status)
                for key, value in response.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                if self.close_connection:
                    self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve  # noqa: N815

            def log_message(self, format: str, *args: Any) -> None:
                return  # access logs would interleave with the demo report

        return Handler
