"""Lambda entry point of the loan processor's first step (seed 000's IdentityCheckProxyFunction).

The loan state in, the same state out with ``identityCheck`` ``{"electoralRole", "bankAccount"}``
added from the identity check API's answer (``loans.proxy`` says how, for both proxies). On
success the state goes on to the credit reference proxy; an ``InvalidLoanRequestError``,
``IdentityCheckError`` or ``LoanConfigurationError`` sends the invocation to the failure queue.

Environment: ``IDENTITY_CHECK_API_URL`` (the API's ``POST /request`` URL), ``API_TIMEOUT_SECONDS``
(optional), and ``AWS_REGION`` and the role's credentials, which Lambda sets. AWS calls: none
through an SDK; one SigV4-signed POST to the identity check API (``execute-api:Invoke``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from loans.api_client import ApiCallError
from loans.errors import IdentityCheckError
from loans.proxy import ProxyHandler, Step
from loans.state import IdentityCheck


def read_identity_check(answer: Mapping[str, Any]) -> IdentityCheck:
    """The API answers ``{"requestId", "correlationId", "electoralRole", "bankAccount"}``."""
    return IdentityCheck.from_fields(answer, ApiCallError)


IDENTITY_CHECK = Step("identity check", IdentityCheckError, "identity_check", read_identity_check)

handler = ProxyHandler(IDENTITY_CHECK, "IDENTITY_CHECK_API_URL")
