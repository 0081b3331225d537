"""Lambda function behind the mock credit reference API's ``POST /request`` (seed 000's mock).

A 200 answer is ``{"requestId", "correlationId", "rating"}``, the rating drawn uniformly from the
seed's ``Good, Good, Good, Bad, Bad, Poor`` (so Good half the time, Bad a third, Poor a sixth).
Delay, simulated failures and bad requests: ``mock_apis.behaviour`` (``MIN_DELAY_MS``,
``ERROR_PERCENT``). No AWS calls.
"""

from __future__ import annotations

from mock_apis.behaviour import Draw, MockApiHandler

RATINGS = ("Good", "Good", "Good", "Bad", "Bad", "Poor")


def rate(draw: Draw) -> dict[str, str]:
    """One draw picks one of the six ratings, each with the same chance."""
    return {"rating": RATINGS[min(int(draw() * len(RATINGS)), len(RATINGS) - 1)]}


handler = MockApiHandler(rate)
