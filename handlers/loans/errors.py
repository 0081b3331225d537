"""The loan processor's error types.

A proxy that raises fails its invocation, and Lambda sends the invocation record to the failure
destination: its ``responsePayload`` carries the exception's class name as ``errorType`` and its
text as ``errorMessage``, and its ``requestPayload`` the state exactly as the step received it.
These names therefore say which step failed and why; raising one means no result was added.
"""

from __future__ import annotations


class InvalidLoanRequestError(ValueError):
    """The event is not a loan state (``loans.state`` says what one is); no API was called."""


class LoanConfigurationError(RuntimeError):
    """The function's configuration (API URL, region, timeout, credentials) is missing or wrong;
    raised at first use, before any call."""


class LoanApiError(RuntimeError):
    """An API gave no usable answer (a status other than 200, no answer in time, a failed
    connection, a malformed answer); the message says which."""


class IdentityCheckError(LoanApiError):
    """The identity check API gave no usable answer."""


class CreditReferenceError(LoanApiError):
    """The credit reference API gave no usable answer."""
