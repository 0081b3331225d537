"""The loan state both proxies receive and return (seed 000): a valid one is written back as it
came; every other event is refused by name, saying why. Pure: no API, no AWS."""

import re

import pytest
from loans.errors import InvalidLoanRequestError
from loans.state import CreditReference, IdentityCheck, LoanState, Rating, parse_state

from tests.handlers.loans_support import (
    APPLICANT,
    CORRELATION_ID,
    FULL_STATE,
    INVALID_STATES,
    NEW_STATE,
)


@pytest.mark.parametrize(
    "event",
    [
        NEW_STATE,
        FULL_STATE,
        {"input": APPLICANT, "creditReference": {"creditReferenceRating": "Good"}},
        {"input": APPLICANT, "identityCheck": {"electoralRole": False, "bankAccount": True}},
        {
            "input": {"firstName": "Zoë", "lastName": "Ñúñez-O'Brien 🚀", "postcode": "D02 X285"},
            "correlationId": "order/42 ✓",
        },
        {
            "input": {"firstName": "A" * 100, "lastName": "L" * 100, "postcode": "P" * 16},
            "correlationId": "c" * 128,
        },
        {"input": {"firstName": " Ada ", "lastName": "x", "postcode": "1"}},
    ],
)
def test_given_a_valid_state_then_it_is_written_back_as_received(event):
    assert parse_state(event).to_json() == event


def test_given_a_full_state_then_each_part_is_read():
    assert parse_state(FULL_STATE) == LoanState(
        applicant=parse_state(NEW_STATE).applicant,
        correlation_id="c0ffee00-1234-4abc-8def-000000000001",
        identity_check=IdentityCheck(electoral_role=True, bank_account=False),
        credit_reference=CreditReference(Rating.POOR),
    )


def test_given_no_correlation_id_then_correlated_adds_a_new_one():
    state = parse_state(NEW_STATE).correlated(lambda: "generated-1")

    assert state.to_json() == {"input": APPLICANT, "correlationId": "generated-1"}


def test_given_a_correlation_id_then_correlated_keeps_it_and_makes_none():
    def never() -> str:
        raise AssertionError("a state with a correlation id got a new one")

    state = parse_state({**NEW_STATE, "correlationId": CORRELATION_ID}).correlated(never)

    assert state.correlation_id == "c0ffee00-1234-4abc-8def-000000000001"


@pytest.mark.parametrize(("event", "message"), INVALID_STATES)
def test_given_an_invalid_state_then_invalid_loan_request_error_saying_why(event, message):
    with pytest.raises(InvalidLoanRequestError, match=re.escape(message)):
        parse_state(event)
