"""The endpoint's authorization: a call signed with a role's credentials must be allowed by that
role's policies, as IAM decides for an assumed role (identity-based policies only: an explicit
Deny wins, and without an Allow the call is denied).

Which action and which resources a call is evaluated as comes from ``localcloud.iam_actions``;
a call localcloud cannot read or does not know how IAM authorizes is refused, never let through.
The account's root (localcloud's fixed credentials) may do anything.
"""

from __future__ import annotations

import functools

from localcloud.api_requests import UnreadableRequestError, parse_request
from localcloud.endpoint import ApiRequest, CallDeniedError
from localcloud.iam_actions import InvalidRequestError, UnknownOperationError, authorizations
from localcloud.iam_check import AccessDeniedError, RolePolicies
from localcloud.sigv4 import Signer
from localcloud.task_tokens import token_owner

# The error code each service answers a denied call with (its API Reference's "Errors").
_DENIED_CODES = {
    "sns": "AuthorizationError",
    "sqs": "AccessDenied",
    "iam": "AccessDenied",
    "sts": "AccessDenied",
}
_DEFAULT_DENIED_CODE = "AccessDeniedException"


class RoleAuthorizer:
    def __init__(self, account_id: str, partition: str = "aws") -> None:
        self.account_id = account_id
        self.partition = partition

    def __call__(self, signer: Signer, request: ApiRequest) -> None:
        role_arn = signer.principal.role_arn
        if role_arn is None:
            return
        try:
            call = parse_request(request.method, request.url, request.headers, request.body)
        except UnreadableRequestError as error:
            raise CallDeniedError(_DEFAULT_DENIED_CODE, f"refused: {error}") from None
        code = _DENIED_CODES.get(call.service, _DEFAULT_DENIED_CODE)
        try:
            needed = authorizations(
                call.service,
                call.operation,
                call.params,
                call.region,
                self.account_id,
                partition=self.partition,
                token_owner=functools.partial(token_owner, self.account_id, call.region),
            )
        except (UnknownOperationError, InvalidRequestError) as error:
            raise CallDeniedError(code, f"refused: {error}") from None
        if not needed:
            return
        policies = RolePolicies.of(role_arn)
        for authorization in needed:
            for resource in authorization.resources:
                try:
                    policies.check(authorization.action, resource)
                except AccessDeniedError as denied:
                    raise CallDeniedError(code, str(denied)) from None
