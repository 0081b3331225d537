"""The one call a loan proxy makes: a JSON POST to its API, signed with SigV4 as the function.

Each API's ``POST /request`` route is authorized by IAM, so a request must be signed for the
``execute-api`` service in the function's region, with the function's own credentials: the Lambda
runtime puts its role's temporary credentials in the environment, botocore's credential chain
reads them and its SigV4 signer signs (botocore comes with the Lambda runtime). ``urllib`` sends.
The role needs ``execute-api:Invoke`` on the route and nothing else.

An answer is HTTP 200 with a JSON object for body. Anything else is an ``ApiCallError`` whose
message says what happened: another status (redirects are not followed: a signed POST is not
replayed elsewhere), no answer within the timeout, a connection refused or broken, a body that is
not a JSON object or is over 64 KiB. The proxy reports it under its own error type.

Configuration, read once at first use (``LoanConfigurationError`` if wrong): the API's URL (an
http or https URL, from the variable the proxy names), ``AWS_REGION``, credentials, and
``API_TIMEOUT_SECONDS``: absent means 3; otherwise a number above 0 and at most 30 (an HTTP API
gives up on its integration after 30 s). It bounds each wait on the socket (connecting, then each
read), as urllib's timeout does.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from lambda_support.lazy import Lazy

from loans.errors import LoanConfigurationError

SERVICE = "execute-api"
DEFAULT_TIMEOUT_SECONDS = 3.0
MAX_TIMEOUT_SECONDS = 30.0
MAX_ANSWER_BYTES = 64 * 1024
_SECONDS = re.compile(r"[0-9]{1,2}(\.[0-9]{1,6})?|\.[0-9]{1,6}")
_EXCERPT_LENGTH = 200


class ApiCallError(Exception):
    """The API gave no usable answer."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx answer is an answer like any other that is not 200: it fails the call."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)

# botocore's session, whose credential chain finds the function's credentials; built on first
# use, once per execution environment (it costs milliseconds); tests replace it.
SESSION = Lazy(botocore.session.get_session)


def _timeout(text: str | None) -> float:
    if text is None:
        return DEFAULT_TIMEOUT_SECONDS
    seconds = float(text.strip()) if _SECONDS.fullmatch(text.strip()) else 0.0
    if not 0.0 < seconds <= MAX_TIMEOUT_SECONDS:
        raise LoanConfigurationError(
            f"API_TIMEOUT_SECONDS must be a number of seconds above 0 and at most "
            f"{MAX_TIMEOUT_SECONDS:g}, got {text!r}"
        )
    return seconds


def _url(variable: str) -> str:
    url = os.environ.get(variable, "")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LoanConfigurationError(
            f"{variable} must be the http or https URL of the API's POST /request route, "
            f"got {url!r}"
        )
    return url


def _excerpt(data: bytes) -> str:
    text = data.decode("utf-8", errors="replace")
    return text if len(text) <= _EXCERPT_LENGTH else text[:_EXCERPT_LENGTH] + "..."


@dataclass(frozen=True)
class SignedJsonApi:
    url: str
    region: str
    timeout_seconds: float
    credentials: Any
    """botocore credentials; frozen at each call, so temporary ones are refreshed when due."""

    @classmethod
    def from_environment(cls, url_variable: str) -> SignedJsonApi:
        """The API at the URL in ``url_variable``, called as this function, from its region."""
        url = _url(url_variable)
        region = os.environ.get("AWS_REGION", "")
        if not region:
            raise LoanConfigurationError("AWS_REGION must name the function's region; it is unset")
        timeout = _timeout(os.environ.get("API_TIMEOUT_SECONDS"))
        credentials = SESSION.get().get_credentials()
        if credentials is None:
            raise LoanConfigurationError(
                "no AWS credentials to sign with: Lambda sets AWS_ACCESS_KEY_ID, "
                "AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN for the function's role"
            )
        return cls(url, region, timeout, credentials)

    def post(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST ``body`` as JSON; the answer's JSON object, or ApiCallError."""
        data = json.dumps(body).encode()
        signed = AWSRequest(
            method="POST", url=self.url, data=data, headers={"Content-Type": "application/json"}
        )
        SigV4Auth(self.credentials.get_frozen_credentials(), SERVICE, self.region).add_auth(signed)
        request = urllib.request.Request(
            self.url, data=data, headers=dict(signed.headers.items()), method="POST"
        )
        return self._answer(self._send(request))

    def _send(self, request: urllib.request.Request) -> bytes:
        where = f"POST {self.url}"
        try:
            with _OPENER.open(request, timeout=self.timeout_seconds) as response:
                if response.status != 200:
                    raise ApiCallError(
                        f"{where} answered HTTP {response.status} {response.reason}, not 200"
                    )
                return bytes(response.read(MAX_ANSWER_BYTES + 1))
        except urllib.error.HTTPError as error:
            detail = _excerpt(error.read(_EXCERPT_LENGTH + 1)) if error.fp else ""
            raise ApiCallError(
                f"{where} answered HTTP {error.code} {error.reason}: {detail}"
            ) from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise self._late(where) from None
            raise ApiCallError(f"{where} failed: {error.reason}") from None
        except TimeoutError:
            raise self._late(where) from None
        except (http.client.HTTPException, OSError) as error:
            raise ApiCallError(f"{where} failed: {type(error).__name__}: {error}") from None

    def _late(self, where: str) -> ApiCallError:
        return ApiCallError(f"{where} gave no answer within {self.timeout_seconds:g} s")

    def _answer(self, data: bytes) -> dict[str, Any]:
        if len(data) > MAX_ANSWER_BYTES:
            raise ApiCallError(f"the answer is longer than {MAX_ANSWER_BYTES // 1024} KiB")
        try:
            answer = json.loads(data)
        except ValueError:
            raise ApiCallError(f"the answer is not JSON: {_excerpt(data)}") from None
        if not isinstance(answer, dict):
            raise ApiCallError(f"the answer must be a JSON object: {_excerpt(data)}")
        return answer
