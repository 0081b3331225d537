"""SigV4 for the front door's AWS_IAM routes: sign a request as a client, verify it as the API.

localcloud has one set of credentials (the fake ones it sets while deployed); a request signed
with them for service ``execute-api`` in the stack's region is authorized, anything else is not.
"""

from __future__ import annotations

import hmac
import os
import re
from collections.abc import Mapping
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

_AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[\w-]+)/"
    r"(?P<service>[\w-]+)/aws4_request, ?SignedHeaders=(?P<signed>[\w;-]+), ?"
    r"Signature=(?P<signature>[0-9a-f]{64})$"
)


class SignatureError(PermissionError):
    """A request to an AWS_IAM route that is not validly signed."""


def _credentials() -> Credentials:
    return Credentials(
        os.environ["AWS_ACCESS_KEY_ID"],
        os.environ["AWS_SECRET_ACCESS_KEY"],
        os.environ.get("AWS_SESSION_TOKEN"),
    )


def sign(
    method: str, url: str, body: bytes, region: str, headers: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Headers that sign the request with localcloud's credentials, as awscurl or SDKs do."""
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    SigV4Auth(_credentials(), "execute-api", region).add_auth(request)
    return dict(request.headers.items())


def verify_signature(method: str, url: str, headers: Mapping[str, str], body: bytes) -> None:
    """Raise SignatureError unless the request carries a valid SigV4 signature."""
    authorization = headers.get("authorization", "")
    match = _AUTHORIZATION.match(authorization)
    if not match:
        raise SignatureError("missing or malformed SigV4 Authorization header")
    credentials = _credentials()
    if match["key"] != credentials.access_key:
        raise SignatureError("unknown access key")
    if match["service"] != "execute-api":
        raise SignatureError(f"signed for {match['service']}, not execute-api")
    signed = match["signed"].split(";")
    missing = [name for name in signed if name not in headers]
    if missing or "x-amz-date" not in signed:
        raise SignatureError(
            f"signed headers missing from the request: {missing or ['x-amz-date']}"
        )
    request = AWSRequest(
        method=method, url=url, data=body, headers={name: headers[name] for name in signed}
    )
    auth: Any = SigV4Auth(credentials, match["service"], match["region"])
    request.context["timestamp"] = headers["x-amz-date"]
    canonical = auth.canonical_request(request)
    expected = auth.signature(auth.string_to_sign(request, canonical), request)
    if not hmac.compare_digest(expected, match["signature"]):
        raise SignatureError("signature does not match")
