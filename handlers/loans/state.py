"""The state the loan processor's functions pass along, and its checks (pure, no I/O).

The chain is started with ``{"input": {"firstName", "lastName", "postcode"}}``; each proxy adds
its API's result (``identityCheck``, then ``creditReference``) and returns the whole state, which
the success destination hands to the next step. It is the seed's interface plus
``correlationId``: the first step to see a state gives it one, so that both API calls and the
queue records of one application can be found together (seed notes).

Every step checks the whole state before doing anything, with the same rules, and refuses
anything else with ``InvalidLoanRequestError``:

- an object with ``input`` and nothing besides ``correlationId``, ``identityCheck`` and
  ``creditReference``. An unknown key is refused, not carried along: it is a misspelt result
  (which would silently call an API a second time) or an invocation record from a destination
  that does not deliver the response only;
- ``input`` has exactly ``firstName`` and ``lastName`` (1 to 100 characters) and ``postcode``
  (1 to 16); ``correlationId`` is at most 128 characters. Text follows
  ``lambda_support.text.checked_text``: a string, valid Unicode, not blank, used exactly as sent;
- a result present has exactly its shape: ``identityCheck`` is ``{"electoralRole": bool,
  "bankAccount": bool}``, ``creditReference`` is ``{"creditReferenceRating": "Good" | "Bad" |
  "Poor"}``. An optional key is absent or valid: ``null`` is refused like any other wrong value.

A valid state is written back (``LoanState.to_json``) equal to what was received.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from lambda_support.text import checked_text

from loans.errors import InvalidLoanRequestError

MAX_NAME_LENGTH = 100
MAX_POSTCODE_LENGTH = 16
MAX_CORRELATION_ID_LENGTH = 128
INPUT_FIELDS = ("firstName", "lastName", "postcode")
STATE_FIELDS = ("input", "correlationId", "identityCheck", "creditReference")
IDENTITY_CHECK_FIELDS = ("electoralRole", "bankAccount")

# The function that refuses a value raises the error of its own caller.
Refusal = Callable[[str], Exception]


class Rating(StrEnum):
    GOOD = "Good"
    BAD = "Bad"
    POOR = "Poor"


@dataclass(frozen=True)
class Applicant:
    """The state's ``input``: who applies for the loan."""

    first_name: str
    last_name: str
    postcode: str

    def to_json(self) -> dict[str, str]:
        return {"firstName": self.first_name, "lastName": self.last_name, "postcode": self.postcode}


@dataclass(frozen=True)
class IdentityCheck:
    """The identity check API's result; the state and the API's answer use the same names."""

    electoral_role: bool
    bank_account: bool

    @classmethod
    def from_fields(
        cls, fields: Mapping[str, Any], refuse: Refusal, prefix: str = ""
    ) -> IdentityCheck:
        """The two flags in ``fields``; ``prefix`` names where they are in messages."""
        electoral_role = fields.get("electoralRole")
        bank_account = fields.get("bankAccount")
        return cls(
            electoral_role=require_flag(electoral_role, f"{prefix}electoralRole", refuse),
            bank_account=require_flag(bank_account, f"{prefix}bankAccount", refuse),
        )

    def to_json(self) -> dict[str, bool]:
        return {"electoralRole": self.electoral_role, "bankAccount": self.bank_account}


@dataclass(frozen=True)
class CreditReference:
    """The credit reference API's result (the API calls it ``rating``)."""

    rating: Rating

    def to_json(self) -> dict[str, str]:
        return {"creditReferenceRating": self.rating.value}


@dataclass(frozen=True)
class LoanState:
    applicant: Applicant
    correlation_id: str | None = None
    identity_check: IdentityCheck | None = None
    credit_reference: CreditReference | None = None

    def correlated(self, new_correlation_id: Callable[[], str]) -> LoanState:
        """This state with a correlation id: its own, kept, or else a new one."""
        if self.correlation_id is not None:
            return self
        return replace(self, correlation_id=new_correlation_id())

    def to_json(self) -> dict[str, Any]:
        """The state as the next step receives it; absent parts stay absent."""
        state: dict[str, Any] = {"input": self.applicant.to_json()}
        if self.correlation_id is not None:
            state["correlationId"] = self.correlation_id
        if self.identity_check is not None:
            state["identityCheck"] = self.identity_check.to_json()
        if self.credit_reference is not None:
            state["creditReference"] = self.credit_reference.to_json()
        return state


_RATINGS = frozenset(rating.value for rating in Rating)


def require_flag(value: Any, field: str, refuse: Refusal) -> bool:
    """``value`` if it is true or false (a JSON boolean, never 0, 1 or "true")."""
    if not isinstance(value, bool):
        raise refuse(f"'{field}' must be true or false, got {_kind(value)}")
    return value


def require_rating(value: Any, field: str, refuse: Refusal) -> Rating:
    """``value`` if it is one of the ratings, spelt exactly."""
    if not isinstance(value, str) or value not in _RATINGS:
        raise refuse(f"'{field}' must be one of Good, Bad or Poor, got {value!r:.80}")
    return Rating(value)


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _exact_object(value: Any, field: str, keys: tuple[str, ...]) -> Mapping[str, Any]:
    """``value`` if it is an object with exactly ``keys``."""
    rule = f"'{field}' must be an object with exactly {', '.join(keys)}"
    if not isinstance(value, dict):
        raise InvalidLoanRequestError(f"{rule}, got {_kind(value)}")
    missing, unknown = set(keys) - set(value), set(value) - set(keys)
    if missing or unknown:
        raise InvalidLoanRequestError(
            f"{rule}; missing {sorted(missing)}, unknown {sorted(unknown)}"
        )
    return value


def _parse_applicant(value: Any) -> Applicant:
    fields = _exact_object(value, "input", INPUT_FIELDS)
    refuse = InvalidLoanRequestError
    return Applicant(
        first_name=checked_text(fields["firstName"], "input.firstName", MAX_NAME_LENGTH, refuse),
        last_name=checked_text(fields["lastName"], "input.lastName", MAX_NAME_LENGTH, refuse),
        postcode=checked_text(fields["postcode"], "input.postcode", MAX_POSTCODE_LENGTH, refuse),
    )


def _parse_correlation_id(state: Mapping[str, Any]) -> str | None:
    if "correlationId" not in state:
        return None
    value = state["correlationId"]
    if value is None:
        raise InvalidLoanRequestError(
            f"'correlationId' must be a string of 1 to {MAX_CORRELATION_ID_LENGTH} characters "
            "or absent, got null"
        )
    return checked_text(value, "correlationId", MAX_CORRELATION_ID_LENGTH, InvalidLoanRequestError)


def _parse_identity_check(state: Mapping[str, Any]) -> IdentityCheck | None:
    if "identityCheck" not in state:
        return None
    fields = _exact_object(state["identityCheck"], "identityCheck", IDENTITY_CHECK_FIELDS)
    return IdentityCheck.from_fields(fields, InvalidLoanRequestError, prefix="identityCheck.")


def _parse_credit_reference(state: Mapping[str, Any]) -> CreditReference | None:
    if "creditReference" not in state:
        return None
    fields = _exact_object(state["creditReference"], "creditReference", ("creditReferenceRating",))
    return CreditReference(
        require_rating(
            fields["creditReferenceRating"],
            "creditReference.creditReferenceRating",
            InvalidLoanRequestError,
        )
    )


def parse_state(event: Any) -> LoanState:
    """The loan state in an event, checked in the order of its fields."""
    if not isinstance(event, dict):
        raise InvalidLoanRequestError(f"a loan state must be a JSON object, got {_kind(event)}")
    unknown = set(event) - set(STATE_FIELDS)
    if unknown or "input" not in event:
        raise InvalidLoanRequestError(
            "a loan state has 'input' and nothing besides correlationId, identityCheck and "
            f"creditReference; got {sorted(event)}"
        )
    return LoanState(
        applicant=_parse_applicant(event["input"]),
        correlation_id=_parse_correlation_id(event),
        identity_check=_parse_identity_check(event),
        credit_reference=_parse_credit_reference(event),
    )
