"""The endpoint's authorization: a call signed with a role's credentials must be allowed by that
role's policies, as IAM decides for an assumed role (identity-based policies only: an explicit
Deny wins, and without an Allow the call is denied).

Which action and which resources a call is evaluated as comes from ``localcloud.iam_actions``;
a call localcloud cannot read or does not know how IAM authorizes is refused, never let through.
The account's root (localcloud's fixed credentials) may do anything.
"""

from __future__ import annotations

from localcloud.api_requests import UnreadableRequestError, parse_request
from localcloud.endpoint import ApiRequest, CallDeniedError
from localcloud.iam_check import (
    DEFAULT_DENIED_CODE,
    DENIED_CODES,
    AccessDeniedError,
    authorize_call,
)
from localcloud.sigv4 import Signer


def authorize_role_call(signer: Signer, request: ApiRequest) -> None:
    """The endpoint's ``authorize`` hook: CallDeniedError unless the signer may make the call."""
    role_arn = signer.principal.role_arn
    if role_arn is None:
        return
    try:
        call = parse_request(request.method, request.url, request.headers, request.body)
    except UnreadableRequestError as error:
        raise CallDeniedError(DEFAULT_DENIED_CODE, f"refused: {error}") from None
    try:
        authorize_call(role_arn, call.service, call.operation, call.params, call.region)
    except AccessDeniedError as denied:
        code = DENIED_CODES.get(call.service, DEFAULT_DENIED_CODE)
        raise CallDeniedError(code, str(denied)) from None
