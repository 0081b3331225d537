"""The loan processor's two mock APIs (seed 000) through their Lambda entry points, with the
events an HTTP API's Lambda proxy integration sends (payload format 2.0): the answer each gives
for a fixed sequence of draws, the delay it waits, the failures it simulates, the 400 for a bad
request and the configuration error for a bad setting. Nobody sleeps: the sleep is recorded.

Tests that hold for both APIs run once for each (``api``)."""

import base64
import json
import re
from typing import Any

import pytest
from credit_reference_api import app as credit_api
from identity_check_api import app as identity_api
from lambda_support.lazy import Lazy
from mock_apis.behaviour import Behaviour, MockApiConfigurationError, MockApiHandler

from tests.handlers.loans_support import CORRELATION_ID, REQUEST_ID, invocation

REQUEST = {
    "requestId": REQUEST_ID,
    "correlationId": CORRELATION_ID,
    "firstName": "Ada",
    "lastName": "Lovelace",
    "postcode": "SW1A 1AA",
}
IDS = {
    "requestId": "7f9c2ba4-e88f-4b2c-8f9a-0e1d2c3b4a59",
    "correlationId": "c0ffee00-1234-4abc-8def-000000000001",
}


def http_event(body: str | None, base64_encoded: bool = False) -> dict[str, Any]:
    """The event an HTTP API sends for ``POST /request`` (payload format 2.0)."""
    return {
        "version": "2.0",
        "routeKey": "POST /request",
        "rawPath": "/request",
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "host": "abc123.execute-api.local"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "http": {"method": "POST", "path": "/request", "protocol": "HTTP/1.1"},
            "requestId": "Q1w2E3r4T5y6=",
            "routeKey": "POST /request",
            "stage": "$default",
        },
        "body": body,
        "isBase64Encoded": base64_encoded,
    }


class Draws:
    """A source that gives ``values`` in turn; a draw beyond them fails the test."""

    def __init__(self, *values: float) -> None:
        self.left = list(values)

    def __call__(self) -> float:
        assert self.left, "the API drew more numbers than the test gave"
        return self.left.pop(0)


class Mock:
    """A mock API configured as the environment says, drawing ``draws``, recording its sleeps."""

    def __init__(self, handler: MockApiHandler, monkeypatch: pytest.MonkeyPatch) -> None:
        self.handler = handler
        self.monkeypatch = monkeypatch
        self.sleeps: list[float] = []
        monkeypatch.delenv("MIN_DELAY_MS", raising=False)
        monkeypatch.delenv("ERROR_PERCENT", raising=False)
        monkeypatch.setattr(handler, "behaviour", Lazy(Behaviour.from_environment))
        monkeypatch.setattr(handler, "sleep", self.sleeps.append)
        self.draws(0.5)

    def setting(self, name: str, value: str) -> None:
        self.monkeypatch.setenv(name, value)

    def draws(self, *values: float) -> Draws:
        draws = Draws(*values)
        self.monkeypatch.setattr(self.handler, "draw", draws)
        return draws

    def __call__(self, event: Any) -> tuple[int, dict[str, str], Any]:
        """Status, headers and JSON body of the answer."""
        answer = self.handler(event, invocation())
        return answer["statusCode"], answer["headers"], json.loads(answer["body"])


@pytest.fixture(params=[identity_api.handler, credit_api.handler], ids=["identity", "credit"])
def api(request, monkeypatch) -> Mock:
    return Mock(request.param, monkeypatch)


@pytest.fixture
def identity(monkeypatch) -> Mock:
    return Mock(identity_api.handler, monkeypatch)


@pytest.fixture
def credit(monkeypatch) -> Mock:
    return Mock(credit_api.handler, monkeypatch)


# The answers


def test_identity_api_answers_200_with_the_ids_and_two_flags(identity):
    draws = identity.draws(0.5, 0.3, 0.6)  # no failure; electoral role; bank account

    assert identity(http_event(json.dumps(REQUEST))) == (
        200,
        {"Content-Type": "application/json"},
        {
            "requestId": "7f9c2ba4-e88f-4b2c-8f9a-0e1d2c3b4a59",
            "correlationId": "c0ffee00-1234-4abc-8def-000000000001",
            "electoralRole": True,
            "bankAccount": True,
        },
    )
    assert draws.left == []


@pytest.mark.parametrize(
    ("electoral_draw", "bank_draw", "electoral_role", "bank_account"),
    [
        (0.0, 0.0, True, True),
        (0.8999, 0.6999, True, True),
        (0.9, 0.7, False, False),
        (0.95, 0.1, False, True),
        (0.1, 0.95, True, False),
    ],
)
def test_identity_api_electoral_role_below_0_9_and_bank_account_below_0_7_independently(
    identity, electoral_draw, bank_draw, electoral_role, bank_account
):
    identity.draws(0.5, electoral_draw, bank_draw)

    _, _, body = identity(http_event(json.dumps(REQUEST)))

    assert body == {**IDS, "electoralRole": electoral_role, "bankAccount": bank_account}


@pytest.mark.parametrize(
    ("draw", "rating"),
    [
        (0.0, "Good"),
        (0.4999, "Good"),
        (0.5, "Bad"),
        (0.8333, "Bad"),
        (0.8334, "Poor"),
        (0.999999, "Poor"),
    ],
)
def test_credit_api_draws_from_good_good_good_bad_bad_poor(credit, draw, rating):
    credit.draws(0.5, draw)

    assert credit(http_event(json.dumps(REQUEST))) == (
        200,
        {"Content-Type": "application/json"},
        {**IDS, "rating": rating},
    )


def test_with_the_real_random_source_every_result_comes_up(identity, credit, monkeypatch):
    for mock in (identity, credit):
        monkeypatch.setattr(mock.handler, "draw", MockApiHandler(dict).draw)
    event = http_event(json.dumps(REQUEST))

    flags = {(b["electoralRole"], b["bankAccount"]) for _, _, b in map(identity, [event] * 300)}
    ratings = {b["rating"] for _, _, b in map(credit, [event] * 300)}

    assert flags == {(True, True), (True, False), (False, True), (False, False)}
    assert ratings == {"Good", "Bad", "Poor"}


def test_given_a_base64_encoded_body_then_it_is_decoded(api):
    api.draws(0.5, 0.5, 0.5)
    body = base64.b64encode(json.dumps(REQUEST).encode()).decode()

    status, _, answer = api(http_event(body, base64_encoded=True))

    assert (status, answer["requestId"]) == (200, "7f9c2ba4-e88f-4b2c-8f9a-0e1d2c3b4a59")


# The delay


@pytest.mark.parametrize(("setting", "seconds"), [(None, 0.1), ("0", 0.0), ("2500", 2.5)])
def test_every_answer_waits_min_delay_ms_first(api, setting, seconds):
    if setting is not None:
        api.setting("MIN_DELAY_MS", setting)
    api.draws(0.5, 0.5, 0.5)

    api(http_event(json.dumps(REQUEST)))
    api(http_event("not JSON"))

    assert api.sleeps == [seconds, seconds]


# Simulated failures


def test_given_error_percent_100_then_every_answer_is_500_and_nothing_else_is_drawn(api):
    api.setting("ERROR_PERCENT", "100")
    draws = api.draws(0.999999)

    assert api(http_event(json.dumps(REQUEST))) == (
        500,
        {"Content-Type": "application/json"},
        {"message": "simulated failure (ERROR_PERCENT is 100)"},
    )
    assert draws.left == []
    assert api.sleeps == [0.1]


@pytest.mark.parametrize(
    ("setting", "draw", "status"),
    [
        (None, 0.0, 200),
        ("0", 0.0, 200),
        ("25", 0.2499, 500),
        ("25", 0.25, 200),
        ("2.5", 0.0249, 500),
        ("2.5", 0.025, 200),
        ("100", 0.999999, 500),
    ],
)
def test_a_draw_below_error_percent_fails(api, setting, draw, status):
    if setting is not None:
        api.setting("ERROR_PERCENT", setting)
    api.draws(draw, 0.5, 0.5)

    assert api(http_event(json.dumps(REQUEST)))[0] == status


def test_with_the_real_random_source_error_percent_0_and_100_hold_every_time(api, monkeypatch):
    monkeypatch.setattr(api.handler, "draw", MockApiHandler(dict).draw)
    event = http_event(json.dumps(REQUEST))

    assert {api(event)[0] for _ in range(200)} == {200}

    api.setting("ERROR_PERCENT", "100")
    monkeypatch.setattr(api.handler, "behaviour", Lazy(Behaviour.from_environment))
    assert {api(event)[0] for _ in range(200)} == {500}


# Bad requests


FIELDS = "requestId, correlationId, firstName, lastName, postcode"


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (None, "the event is not an API Gateway HTTP API request"),
        ("POST /request", "the event is not an API Gateway HTTP API request"),
        (http_event(None), "the request has no body"),
        (http_event(""), "the request has no body"),
        (http_event("not JSON"), "the request body is not JSON"),
        (http_event("{'requestId': 1}"), "the request body is not JSON"),
        (
            http_event(json.dumps([REQUEST])),
            f"the request body must be a JSON object with exactly {FIELDS}, got list",
        ),
        (
            http_event("{}"),
            f"the request body must be a JSON object with exactly {FIELDS}, got []",
        ),
        (
            http_event(json.dumps({k: v for k, v in REQUEST.items() if k != "postcode"})),
            f"the request body must be a JSON object with exactly {FIELDS}, "
            "got ['correlationId', 'firstName', 'lastName', 'requestId']",
        ),
        (
            http_event(json.dumps({**REQUEST, "dateOfBirth": "1815-12-10"})),
            f"the request body must be a JSON object with exactly {FIELDS}, "
            "got ['correlationId', 'dateOfBirth', 'firstName', 'lastName', 'postcode', "
            "'requestId']",
        ),
        (
            http_event(json.dumps({**REQUEST, "requestId": 42})),
            "'requestId' must be a string of 1 to 256 characters, got int",
        ),
        (
            http_event(json.dumps({**REQUEST, "correlationId": None})),
            "'correlationId' is required: a string of 1 to 256 characters",
        ),
        (
            http_event(json.dumps({**REQUEST, "firstName": " "})),
            "'firstName' must be a string of 1 to 256 characters, not empty or only white space",
        ),
        (
            http_event(json.dumps({**REQUEST, "lastName": "L" * 257})),
            "'lastName' must be a string of 1 to 256 characters, got 257 characters",
        ),
        (
            http_event(json.dumps({**REQUEST, "postcode": "\ud800"})),
            "'postcode' must be valid Unicode text (it holds a lone surrogate)",
        ),
        (
            http_event("not base64!", base64_encoded=True),
            "the request body is not base64-encoded UTF-8 text",
        ),
        (
            http_event(base64.b64encode(b"\xff\xfe").decode(), base64_encoded=True),
            "the request body is not base64-encoded UTF-8 text",
        ),
    ],
)
def test_given_a_bad_request_then_400_saying_why_after_the_delay_and_no_draw(api, event, message):
    api.setting("ERROR_PERCENT", "100")  # a bad request is refused whatever would be drawn
    draws = api.draws()

    assert api(event) == (400, {"Content-Type": "application/json"}, {"message": message})
    assert draws.left == []
    assert api.sleeps == [0.1]


# Configuration


@pytest.mark.parametrize(
    ("name", "value", "rule"),
    [
        ("MIN_DELAY_MS", "", "a whole number from 0 to 30000"),
        ("MIN_DELAY_MS", "-1", "a whole number from 0 to 30000"),
        ("MIN_DELAY_MS", "1.5", "a whole number from 0 to 30000"),
        ("MIN_DELAY_MS", "30001", "a whole number from 0 to 30000"),
        ("MIN_DELAY_MS", "100ms", "a whole number from 0 to 30000"),
        ("MIN_DELAY_MS", "1e3", "a whole number from 0 to 30000"),
        ("MIN_DELAY_MS", "1_000", "a whole number from 0 to 30000"),
        ("ERROR_PERCENT", "", "a number from 0 to 100"),
        ("ERROR_PERCENT", "-1", "a number from 0 to 100"),
        ("ERROR_PERCENT", "100.5", "a number from 0 to 100"),
        ("ERROR_PERCENT", "101", "a number from 0 to 100"),
        ("ERROR_PERCENT", "50%", "a number from 0 to 100"),
        ("ERROR_PERCENT", "0.5e1", "a number from 0 to 100"),
        ("ERROR_PERCENT", "nan", "a number from 0 to 100"),
        ("ERROR_PERCENT", "inf", "a number from 0 to 100"),
    ],
)
def test_given_a_bad_setting_then_a_configuration_error_before_anything_else(
    api, name, value, rule
):
    api.setting(name, value)
    draws = api.draws()

    with pytest.raises(
        MockApiConfigurationError, match=re.escape(f"{name} must be {rule}, got {value!r}")
    ):
        api(http_event(json.dumps(REQUEST)))
    assert (api.sleeps, draws.left) == ([], [])


@pytest.mark.parametrize(
    ("min_delay", "error_percent", "behaviour"),
    [
        (None, None, Behaviour(min_delay_ms=100, error_percent=0.0)),
        ("30000", "100", Behaviour(min_delay_ms=30000, error_percent=100.0)),
        (" 250 ", " 12.5 ", Behaviour(min_delay_ms=250, error_percent=12.5)),
        ("0", "0.0", Behaviour(min_delay_ms=0, error_percent=0.0)),
    ],
)
def test_given_settings_in_range_then_they_are_the_behaviour(
    api, min_delay, error_percent, behaviour
):
    for name, value in (("MIN_DELAY_MS", min_delay), ("ERROR_PERCENT", error_percent)):
        if value is not None:
            api.setting(name, value)

    assert Behaviour.from_environment() == behaviour
