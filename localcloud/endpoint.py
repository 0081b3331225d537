"""One AWS endpoint on 127.0.0.1 for every emulated service, as SDKs and the aws CLI call AWS.

moto's own server application answers the requests, over the same in-process backends the rest of
localcloud uses, so what a client sees here is the live state: items, executions and their
histories, messages, functions. In front of it localcloud does what AWS does first: it verifies
the SigV4 signature (``localcloud.sigv4``) and, when an ``authorize`` hook is given, asks it whether
the signer may make the call. A refusal is answered in the protocol the client spoke, with AWS's
error code and message, and never reaches moto.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from typing import Any
from xml.sax.saxutils import escape

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

from localcloud.http_server import ServingThread
from localcloud.principals import Principals
from localcloud.sigv4 import SignatureError, Signer, verify

# The signing names (credential scope services) of what localcloud emulates.
SERVICES = frozenset(
    {
        "apigateway",
        "appsync",
        "dynamodb",
        "events",
        "iam",
        "lambda",
        "logs",
        "monitoring",
        "sns",
        "sqs",
        "ssm",
        "states",
        "sts",
    }
)
# IAM is global: SDKs sign its calls for us-east-1 whatever region they are configured with.
_GLOBAL_SERVICES = frozenset({"iam"})


class CallDeniedError(PermissionError):
    """A signed call its signer may not make; ``code`` and ``message`` are AWS's."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


Authorize = Callable[[Signer, "ApiRequest"], None]
"""Raise CallDeniedError if the signer may not make this call."""


class ApiRequest:
    """A request to the AWS API as the endpoint received it."""

    def __init__(self, environ: dict[str, Any], body: bytes) -> None:
        self.method: str = environ["REQUEST_METHOD"]
        self.raw_uri: str = environ.get("RAW_URI") or environ.get("REQUEST_URI") or "/"
        self.headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(key):
                self.headers[key.replace("_", "-").lower()] = environ[key]
        self.body = body
        self.url = f"http://{self.headers.get('host', '127.0.0.1')}{self.raw_uri}"

    @property
    def speaks_query_protocol(self) -> bool:
        """Query-protocol clients (SNS, IAM, STS) post forms and read XML errors."""
        form = self.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
        return form and "x-amz-target" not in self.headers


def _error_response(
    request: ApiRequest, status: int, code: str, message: str
) -> tuple[int, dict[str, str], bytes]:
    """AWS's error shape for the protocol the request used."""
    if request.speaks_query_protocol:
        body = (
            "<ErrorResponse><Error><Type>Sender</Type>"
            f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
            "</Error><RequestId>localcloud</RequestId></ErrorResponse>"
        )
        return status, {"Content-Type": "text/xml"}, body.encode()
    document = {"__type": code, "message": message}
    headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": code}
    return status, headers, json.dumps(document).encode()


class _QuietRequestHandler(MotoRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        return  # one line per call would drown the demo's report


class Endpoint:
    """The AWS API on ``url``, for this cloud's ``region``."""

    def __init__(
        self,
        region: str,
        principals: Principals,
        authorize: Authorize | None = None,
        port: int = 0,
    ) -> None:
        self.region = region
        self.principals = principals
        self.authorize = authorize
        self._moto = DomainDispatcherApplication(create_backend_app)
        self._server: BaseWSGIServer = make_server(
            "127.0.0.1", port, self._app, threaded=True, request_handler=_QuietRequestHandler
        )
        self._server.daemon_threads = True  # type: ignore[attr-defined]
        self._serving = ServingThread(self._server, "localcloud-endpoint")
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> None:
        self._serving.start()

    def stop(self) -> None:
        self._serving.stop()

    def _app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)
        request = ApiRequest(environ, body)
        refusal = self._refusal(request)
        if refusal is not None:
            status, headers, payload = refusal
            start_response(
                f"{status} Refused", [*headers.items(), ("Content-Length", str(len(payload)))]
            )
            return [payload]
        return self._moto(environ, start_response)

    def _refusal(self, request: ApiRequest) -> tuple[int, dict[str, str], bytes] | None:
        """None if the call may go to moto; else the error response AWS would give."""
        try:
            signer = verify(
                request,
                self.principals,
                regions={self.region, "us-east-1"} if self._is_global(request) else {self.region},
                services=SERVICES,
            )
        except SignatureError as error:
            status = 400 if error.code == "IncompleteSignatureException" else 403
            return _error_response(request, status, error.code, error.message)
        if self.authorize is not None:
            try:
                self.authorize(signer, request)
            except CallDeniedError as denied:
                return _error_response(request, 403, denied.code, denied.message)
        return None

    @staticmethod
    def _is_global(request: ApiRequest) -> bool:
        scope = request.headers.get("authorization", "").split("/")
        return len(scope) > 3 and scope[3] in _GLOBAL_SERVICES
