"""Lambda function behind the mock identity check API's ``POST /request`` (seed 000's mock).

A 200 answer is ``{"requestId", "correlationId", "electoralRole", "bankAccount"}``:
``electoralRole`` is true 90% of the time and ``bankAccount`` 70%, from two independent draws.
Delay, simulated failures and bad requests: ``mock_apis.behaviour`` (``MIN_DELAY_MS``,
``ERROR_PERCENT``). No AWS calls.
"""

from __future__ import annotations

from mock_apis.behaviour import Draw, MockApiHandler

ELECTORAL_ROLE_CHANCE = 0.9
BANK_ACCOUNT_CHANCE = 0.7


def check_identity(draw: Draw) -> dict[str, bool]:
    """Electoral role first, then bank account: one draw each."""
    electoral_role = draw() < ELECTORAL_ROLE_CHANCE
    bank_account = draw() < BANK_ACCOUNT_CHANCE
    return {"electoralRole": electoral_role, "bankAccount": bank_account}


handler = MockApiHandler(check_identity)
