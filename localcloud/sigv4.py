"""SigV4: sign a request as a client does, and verify one as an AWS service does.

Verification follows the IAM User Guide's "Troubleshoot Signature Version 4 signing for AWS API
requests" and the services' "Common Errors" pages: the access key must be known, the credential
scope must name this region and the service called, the request time (``X-Amz-Date``) must be
within 15 minutes of now and on the scope's date, and the signature must match. Each failure is a
SignatureError carrying AWS's error code and message text.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from localcloud.principals import Principal, Principals

MAX_CLOCK_SKEW = timedelta(minutes=15)
_AMZ_DATE = "%Y%m%dT%H%M%SZ"
_AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/\s]+)/(?P<date>\d{8})/(?P<region>[\w-]+)/"
    r"(?P<service>[\w-]+)/aws4_request, ?SignedHeaders=(?P<signed>[\w;-]+), ?"
    r"Signature=(?P<signature>[0-9a-f]{64})$"
)


class SignatureError(PermissionError):
    """A request that is not validly signed; ``code`` and ``message`` are AWS's."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class HttpRequest(Protocol):
    """What verification reads of a request; header names lower-case."""

    @property
    def method(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    @property
    def body(self) -> bytes: ...


@dataclass(frozen=True)
class Signer:
    """Who signed a request, and for which region and service."""

    principal: Principal
    region: str
    service: str


def sign(
    method: str,
    url: str,
    body: bytes,
    *,
    region: str,
    principal: Principal,
    service: str = "execute-api",
    headers: Mapping[str, str] | None = None,
    at: datetime | None = None,
) -> dict[str, str]:
    """Headers that sign the request with ``principal``'s credentials, as awscurl or SDKs do
    (``at`` signs as of another time, to show what a late or early request gets)."""
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    credentials = Credentials(
        principal.access_key_id, principal.secret_access_key, principal.session_token
    )
    auth: Any = SigV4Auth(credentials, service, region)
    if at is None:
        auth.add_auth(request)
        return dict(request.headers.items())
    request.context["timestamp"] = at.strftime(_AMZ_DATE)
    request.headers["X-Amz-Date"] = request.context["timestamp"]
    if principal.session_token is not None:
        request.headers["X-Amz-Security-Token"] = principal.session_token
    string_to_sign = auth.string_to_sign(request, auth.canonical_request(request))
    request.headers["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={principal.access_key_id}/"
        f"{auth.credential_scope(request)}, "
        f"SignedHeaders={auth.signed_headers(auth.headers_to_sign(request))}, "
        f"Signature={auth.signature(string_to_sign, request)}"
    )
    return dict(request.headers.items())


def _request_time(headers: Mapping[str, str], scope_date: str, now: datetime) -> str:
    stamp = headers.get("x-amz-date", "")
    try:
        signed_at = datetime.strptime(stamp, _AMZ_DATE).replace(tzinfo=UTC)
    except ValueError:
        raise SignatureError(
            "IncompleteSignatureException",
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        ) from None
    if stamp[:8] != scope_date:
        raise SignatureError(
            "InvalidSignatureException",
            f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            f"from HTTP: '{scope_date}' != '{stamp[:8]}', from '{stamp}'.",
        )
    current = now.strftime(_AMZ_DATE)
    if signed_at < now - MAX_CLOCK_SKEW:
        earliest = (now - MAX_CLOCK_SKEW).strftime(_AMZ_DATE)
        raise SignatureError(
            "InvalidSignatureException",
            f"Signature expired: {stamp} is now earlier than {earliest} ({current} - 15 min.)",
        )
    if signed_at > now + MAX_CLOCK_SKEW:
        latest = (now + MAX_CLOCK_SKEW).strftime(_AMZ_DATE)
        raise SignatureError(
            "InvalidSignatureException",
            f"Signature not yet current: {stamp} is still later than {latest} "
            f"({current} + 15 min.)",
        )
    return stamp


def verify(
    request: HttpRequest,
    principals: Principals,
    *,
    regions: Collection[str],
    services: Collection[str],
    now: datetime | None = None,
) -> Signer:
    """Who signed the request; SignatureError if nobody."""
    headers = request.headers
    authorization = headers.get("authorization", "")
    if not authorization:
        raise SignatureError("MissingAuthenticationTokenException", "Missing Authentication Token")
    match = _AUTHORIZATION.match(authorization)
    if not match:
        raise SignatureError(
            "IncompleteSignatureException",
            "The request signature does not conform to AWS standards.",
        )
    principal = principals.find(match["key"])
    if principal is None or (
        # temporary credentials are refused without their session token, as by STS-issued ones
        principal.session_token is not None
        and not hmac.compare_digest(
            headers.get("x-amz-security-token", ""), principal.session_token
        )
    ):
        raise SignatureError(
            "UnrecognizedClientException", "The security token included in the request is invalid."
        )
    if match["region"] not in regions:
        raise SignatureError(
            "InvalidSignatureException",
            f"Credential should be scoped to a valid region, not '{match['region']}'. ",
        )
    if match["service"] not in services:
        expected = next(iter(services)) if len(services) == 1 else "the service called"
        raise SignatureError(
            "InvalidSignatureException",
            f"Credential should be scoped to correct service: '{expected}'. ",
        )
    signed = match["signed"].split(";")
    if "host" not in signed or any(name not in headers for name in signed):
        raise SignatureError(
            "IncompleteSignatureException",
            "The request signature does not conform to AWS standards.",
        )
    stamp = _request_time(headers, match["date"], now or datetime.now(UTC))
    signed_request = AWSRequest(
        method=request.method,
        url=request.url,
        data=request.body,
        headers={name: headers[name] for name in signed},
    )
    credentials = Credentials(principal.access_key_id, principal.secret_access_key)
    auth: Any = SigV4Auth(credentials, match["service"], match["region"])
    signed_request.context["timestamp"] = stamp
    canonical = auth.canonical_request(signed_request)
    string_to_sign = auth.string_to_sign(signed_request, canonical)
    expected_signature = auth.signature(string_to_sign, signed_request)
    if not hmac.compare_digest(expected_signature, match["signature"]):
        raise SignatureError(
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details.",
        )
    return Signer(principal, match["region"], match["service"])
