"""Pure rules of the queue and GraphQL API components."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from components.graphql_api import api_key_expiry
from components.queue import VisibilityTimeoutError, check_visibility_timeout


def test_an_api_key_expires_the_given_days_after_the_start_of_the_utc_day():
    now = datetime(2026, 12, 2, 23, 59, 59, tzinfo=UTC)

    assert api_key_expiry(now, 30) == "2027-01-01T00:00:00Z"
    assert api_key_expiry(now, 1) == "2026-12-03T00:00:00Z"
    assert api_key_expiry(now, 365) == "2027-12-02T00:00:00Z"


def test_the_day_of_an_api_key_is_the_utc_day_whatever_the_local_offset():
    # 2026-12-03 01:00 in UTC+2 is still 2026-12-02 in UTC.
    now = datetime(2026, 12, 3, 1, 0, tzinfo=timezone(timedelta(hours=2)))

    assert api_key_expiry(now, 7) == "2026-12-09T00:00:00Z"


@pytest.mark.parametrize("days", [0, 366, -1])
def test_an_api_key_lives_one_to_365_days(days):
    with pytest.raises(ValueError, match="1 to 365 days"):
        api_key_expiry(datetime(2026, 12, 2, tzinfo=UTC), days)


def test_a_queue_must_hide_a_message_six_times_as_long_as_its_consumer_may_run():
    check_visibility_timeout("orders", 180, 30)  # exactly six times

    with pytest.raises(VisibilityTimeoutError, match="orders: visibility timeout 179 s is under"):
        check_visibility_timeout("orders", 179, 30)
