"""Lambda entry point of the loan processor's second step (seed 000's
CreditReferenceProxyFunction).

The loan state in, the same state out with ``creditReference`` ``{"creditReferenceRating"}``
added from the credit reference API's answer (``loans.proxy`` says how, for both proxies). It
needs no ``identityCheck``: the steps know nothing of each other, only of the state. On success
the state goes to the output queue; an ``InvalidLoanRequestError``, ``CreditReferenceError`` or
``LoanConfigurationError`` sends the invocation to the failure queue.

Environment: ``CREDIT_REFERENCE_API_URL`` (the API's ``POST /request`` URL),
``API_TIMEOUT_SECONDS`` (optional), and ``AWS_REGION`` and the role's credentials, which Lambda
sets. AWS calls: none through an SDK; one SigV4-signed POST to the credit reference API
(``execute-api:Invoke``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from loans.api_client import ApiCallError
from loans.errors import CreditReferenceError
from loans.proxy import ProxyHandler, Step
from loans.state import CreditReference, require_rating


def read_credit_reference(answer: Mapping[str, Any]) -> CreditReference:
    """The API answers ``{"requestId", "correlationId", "rating"}``."""
    return CreditReference(require_rating(answer.get("rating"), "rating", ApiCallError))


CREDIT_REFERENCE = Step(
    "credit reference", CreditReferenceError, "credit_reference", read_credit_reference
)

handler = ProxyHandler(CREDIT_REFERENCE, "CREDIT_REFERENCE_API_URL")
