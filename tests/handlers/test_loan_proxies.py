"""The loan processor's two proxies (seed 000) through their Lambda entry points, each against a
local HTTP server standing in for its API: what they send and how it is signed, the result they
add, the correlation id they give a state once, the call they do not make twice, and the named
error for every answer that is not one, every bad state and every bad configuration.

Tests that hold for both proxies run once for each (``proxy``)."""

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

import botocore.session
import pytest
from credit_reference_proxy import app as credit_app
from identity_check_proxy import app as identity_app
from lambda_support.lazy import Lazy
from loans import api_client
from loans.api_client import SignedJsonApi
from loans.errors import (
    CreditReferenceError,
    IdentityCheckError,
    InvalidLoanRequestError,
    LoanConfigurationError,
)
from loans.proxy import ProxyHandler, Step

from localcloud.sigv4 import Signer, verify
from tests.handlers.loans_support import (
    APPLICANT,
    CORRELATION_ID,
    INVALID_STATES,
    NEW_STATE,
    PRINCIPALS,
    REGION,
    REQUEST_ID,
    ROLE,
    RecordingApi,
    closed_port_url,
    echo,
    fixed,
    invocation,
    role_environment,
)


@dataclass(frozen=True)
class Proxy:
    handler: ProxyHandler[Any]
    url_variable: str
    error: type[Exception]
    name: str
    key: str
    """Where its result goes in the state."""
    answer: dict[str, Any]
    """Its API's own fields in a 200 answer."""
    result: dict[str, Any]
    """What that answer adds to the state."""


IDENTITY = Proxy(
    identity_app.handler,
    "IDENTITY_CHECK_API_URL",
    IdentityCheckError,
    "identity check",
    "identityCheck",
    answer={"electoralRole": True, "bankAccount": False},
    result={"electoralRole": True, "bankAccount": False},
)
CREDIT = Proxy(
    credit_app.handler,
    "CREDIT_REFERENCE_API_URL",
    CreditReferenceError,
    "credit reference",
    "creditReference",
    answer={"rating": "Poor"},
    result={"creditReferenceRating": "Poor"},
)


class Harness:
    """A proxy whose API is ``api``, with the environment Lambda gives it; it calls the proxy as
    Lambda does and gives out correlation ids ``generated-1``, ``generated-2``..."""

    def __init__(self, proxy: Proxy, api: RecordingApi, monkeypatch: pytest.MonkeyPatch) -> None:
        self.proxy = proxy
        self.api = api
        self.generated: list[str] = []
        for name, value in {**role_environment(), proxy.url_variable: api.url}.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("API_TIMEOUT_SECONDS", raising=False)
        monkeypatch.setattr(
            proxy.handler, "api", Lazy(partial(SignedJsonApi.from_environment, proxy.url_variable))
        )
        monkeypatch.setattr(proxy.handler, "new_correlation_id", self._new_correlation_id)

    def _new_correlation_id(self) -> str:
        self.generated.append(f"generated-{len(self.generated) + 1}")
        return self.generated[-1]

    def __call__(self, event: Any, request_id: str = REQUEST_ID) -> dict[str, Any]:
        context = invocation()
        context.aws_request_id = request_id
        return self.proxy.handler(event, context)

    def fails(self, event: Any, message: str) -> None:
        """The call raises the proxy's error with exactly ``message``, and leaves ``event`` as
        it was."""
        before = json.loads(json.dumps(event))
        with pytest.raises(self.proxy.error) as raised:
            self(event)
        assert str(raised.value) == message
        assert event == before


@contextmanager
def serving(proxy: Proxy, monkeypatch: pytest.MonkeyPatch) -> Iterator[Harness]:
    api = RecordingApi(echo(proxy.answer))
    with api.running():
        yield Harness(proxy, api, monkeypatch)


@pytest.fixture(params=[IDENTITY, CREDIT], ids=["identity", "credit"])
def proxy(request, monkeypatch) -> Iterator[Harness]:
    with serving(request.param, monkeypatch) as harness:
        yield harness


@pytest.fixture
def identity(monkeypatch) -> Iterator[Harness]:
    with serving(IDENTITY, monkeypatch) as harness:
        yield harness


@pytest.fixture
def credit(monkeypatch) -> Iterator[Harness]:
    with serving(CREDIT, monkeypatch) as harness:
        yield harness


# The call and what it adds


def test_given_a_new_state_then_one_post_with_the_ids_and_applicant_and_the_result_is_added(
    proxy,
):
    state = proxy(NEW_STATE)

    assert state == {
        "input": APPLICANT,
        "correlationId": "generated-1",
        proxy.proxy.key: proxy.proxy.result,
    }
    [request] = proxy.api.requests
    assert (request.method, request.url) == ("POST", proxy.api.url)
    assert request.headers["content-type"] == "application/json"
    assert request.json() == {
        "requestId": "7f9c2ba4-e88f-4b2c-8f9a-0e1d2c3b4a59",
        "correlationId": "generated-1",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "postcode": "SW1A 1AA",
    }


def test_the_post_is_signed_for_execute_api_in_the_functions_region_as_its_role(proxy):
    proxy(NEW_STATE)

    [request] = proxy.api.requests
    today = datetime.now(UTC).strftime("%Y%m%d")
    assert request.headers["authorization"].startswith(
        f"AWS4-HMAC-SHA256 Credential={ROLE.access_key_id}/{today}/eu-west-2/execute-api/"
        "aws4_request, SignedHeaders="
    )
    assert request.headers["x-amz-security-token"] == ROLE.session_token
    assert verify(request, PRINCIPALS, regions={REGION}, services={"execute-api"}) == Signer(
        ROLE, "eu-west-2", "execute-api"
    )


def test_given_credentials_without_a_session_token_then_none_is_sent(proxy, monkeypatch):
    monkeypatch.setattr(api_client, "SESSION", Lazy(botocore.session.get_session))
    monkeypatch.delenv("AWS_SESSION_TOKEN")
    for name, value in PRINCIPALS.root.environment.items():
        monkeypatch.setenv(name, value)

    proxy(NEW_STATE)

    [request] = proxy.api.requests
    assert "x-amz-security-token" not in request.headers
    assert verify(request, PRINCIPALS, regions={REGION}, services={"execute-api"}) == Signer(
        PRINCIPALS.root, "eu-west-2", "execute-api"
    )


def test_given_a_state_with_a_correlation_id_then_it_is_sent_and_kept_and_none_is_made(proxy):
    state = proxy({**NEW_STATE, "correlationId": CORRELATION_ID})

    assert state["correlationId"] == "c0ffee00-1234-4abc-8def-000000000001"
    assert proxy.api.requests[0].json()["correlationId"] == "c0ffee00-1234-4abc-8def-000000000001"
    assert proxy.generated == []


def test_given_the_other_proxys_result_then_it_is_kept_as_it_was(proxy):
    other = {"identityCheck": {"electoralRole": False, "bankAccount": True}}
    if proxy.proxy is IDENTITY:
        other = {"creditReference": {"creditReferenceRating": "Bad"}}

    state = proxy({**NEW_STATE, "correlationId": CORRELATION_ID, **other})

    assert state == {
        "input": APPLICANT,
        "correlationId": "c0ffee00-1234-4abc-8def-000000000001",
        **other,
        proxy.proxy.key: proxy.proxy.result,
    }


# Idempotency


def test_given_its_result_in_the_state_then_it_comes_back_as_received_and_nothing_is_called(
    proxy, monkeypatch
):
    monkeypatch.delenv(proxy.proxy.url_variable)  # not even its configuration is read
    done = {
        "input": APPLICANT,
        "correlationId": CORRELATION_ID,
        proxy.proxy.key: {"electoralRole": False, "bankAccount": False}
        if proxy.proxy is IDENTITY
        else {"creditReferenceRating": "Good"},
    }

    assert proxy(done) == done
    assert proxy.api.requests == []
    assert proxy.generated == []


def test_given_its_result_but_no_correlation_id_then_only_the_correlation_id_is_added(proxy):
    done = {"input": APPLICANT, proxy.proxy.key: proxy.proxy.result}

    assert proxy(done) == {**done, "correlationId": "generated-1"}
    assert proxy.api.requests == []


def test_given_the_same_new_state_twice_then_two_calls_with_their_own_ids(proxy):
    """A redelivered event without a correlation id is a new start: the state it returned the
    first time went on with its own id, so nothing can tie the two together."""
    first = proxy(NEW_STATE, request_id="request-1")
    second = proxy(NEW_STATE, request_id="request-2")

    assert (first["correlationId"], second["correlationId"]) == ("generated-1", "generated-2")
    assert [(r.json()["requestId"], r.json()["correlationId"]) for r in proxy.api.requests] == [
        ("request-1", "generated-1"),
        ("request-2", "generated-2"),
    ]


# Failed calls


def test_given_the_api_answers_500_then_its_error_with_status_and_body(proxy):
    proxy.api.answer = fixed(500, '{"message": "simulated failure (ERROR_PERCENT is 100)"}')

    proxy.fails(
        NEW_STATE,
        f"{proxy.proxy.name} failed (correlationId 'generated-1'): POST {proxy.api.url} answered "
        'HTTP 500 Internal Server Error: {"message": "simulated failure (ERROR_PERCENT is 100)"}',
    )
    assert len(proxy.api.requests) == 1


@pytest.mark.parametrize(
    ("status", "what"),
    [
        (201, "answered HTTP 201 Created, not 200"),
        (204, "answered HTTP 204 No Content, not 200"),
        (302, "answered HTTP 302 Found: {}"),
        (307, "answered HTTP 307 Temporary Redirect: {}"),
        (400, "answered HTTP 400 Bad Request: {}"),
        (403, "answered HTTP 403 Forbidden: {}"),
        (404, "answered HTTP 404 Not Found: {}"),
        (429, "answered HTTP 429 Too Many Requests: {}"),
        (503, "answered HTTP 503 Service Unavailable: {}"),
    ],
)
def test_given_any_status_but_200_then_its_error_and_no_second_request(proxy, status, what):
    proxy.api.answer = fixed(status, "{}" if status != 204 else "")

    proxy.fails(
        {**NEW_STATE, "correlationId": CORRELATION_ID},
        f"{proxy.proxy.name} failed (correlationId '{CORRELATION_ID}'): POST {proxy.api.url} "
        + what,
    )
    assert len(proxy.api.requests) == 1


def test_given_no_answer_within_the_timeout_then_its_error(proxy, monkeypatch):
    monkeypatch.setenv("API_TIMEOUT_SECONDS", "0.05")
    proxy.api.stall()

    proxy.fails(
        NEW_STATE,
        f"{proxy.proxy.name} failed (correlationId 'generated-1'): POST {proxy.api.url} gave no "
        "answer within 0.05 s",
    )


def test_given_nothing_listening_then_its_error_naming_the_refusal(proxy, monkeypatch):
    url = closed_port_url()
    monkeypatch.setenv(proxy.proxy.url_variable, url)

    with pytest.raises(proxy.proxy.error) as raised:
        proxy(NEW_STATE)

    assert str(raised.value).startswith(
        f"{proxy.proxy.name} failed (correlationId 'generated-1'): POST {url} failed: "
    )
    assert "Connection refused" in str(raised.value)


@pytest.mark.parametrize(
    ("body", "what"),
    [
        ("<html>busy</html>", "the answer is not JSON: <html>busy</html>"),
        ("", "the answer is not JSON: "),
        ('["Good"]', 'the answer must be a JSON object: ["Good"]'),
        ("null", "the answer must be a JSON object: null"),
        (" " * (64 * 1024 + 1), "the answer is longer than 64 KiB"),
        (
            '{"requestId": "someone-else", "correlationId": "generated-1"}',
            "malformed answer: 'requestId' is 'someone-else', not the "
            "'7f9c2ba4-e88f-4b2c-8f9a-0e1d2c3b4a59' sent",
        ),
        (
            '{"requestId": "7f9c2ba4-e88f-4b2c-8f9a-0e1d2c3b4a59"}',
            "malformed answer: 'correlationId' is None, not the 'generated-1' sent",
        ),
    ],
)
def test_given_an_answer_that_is_not_one_then_its_error_saying_why(proxy, body, what):
    proxy.api.answer = fixed(200, body)

    proxy.fails(NEW_STATE, f"{proxy.proxy.name} failed (correlationId 'generated-1'): {what}")


# Bad states


@pytest.mark.parametrize(("event", "message"), INVALID_STATES)
def test_given_an_invalid_state_then_invalid_loan_request_error_and_nothing_is_called(
    proxy, event, message
):
    with pytest.raises(InvalidLoanRequestError, match=re.escape(message)):
        proxy(event)

    assert proxy.api.requests == []
    assert proxy.generated == []


# Configuration


@pytest.mark.parametrize(
    "url", [None, "", "api.example.com/request", "ftp://api.example.com/request", "http://"]
)
def test_given_no_http_url_then_a_configuration_error_and_nothing_is_called(
    proxy, monkeypatch, url
):
    if url is None:
        monkeypatch.delenv(proxy.proxy.url_variable)
    else:
        monkeypatch.setenv(proxy.proxy.url_variable, url)

    with pytest.raises(
        LoanConfigurationError,
        match=re.escape(
            f"{proxy.proxy.url_variable} must be the http or https URL of the API's POST /request "
            f"route, got {url or ''!r}"
        ),
    ):
        proxy(NEW_STATE)
    assert proxy.api.requests == []


def test_given_no_region_then_a_configuration_error(proxy, monkeypatch):
    monkeypatch.delenv("AWS_REGION")

    with pytest.raises(LoanConfigurationError, match="AWS_REGION must name the function's region"):
        proxy(NEW_STATE)


def test_given_no_credentials_anywhere_then_a_configuration_error(proxy, monkeypatch, tmp_path):
    monkeypatch.setattr(api_client, "SESSION", Lazy(botocore.session.get_session))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)

    with pytest.raises(LoanConfigurationError, match="no AWS credentials to sign with"):
        proxy(NEW_STATE)
    assert proxy.api.requests == []


@pytest.mark.parametrize(
    ("text", "seconds"), [(None, 3.0), ("0.5", 0.5), (" 2 ", 2.0), ("30", 30.0), (".25", 0.25)]
)
def test_given_a_timeout_above_0_and_at_most_30_then_it_is_used(
    identity, monkeypatch, text, seconds
):
    if text is not None:
        monkeypatch.setenv("API_TIMEOUT_SECONDS", text)

    identity(NEW_STATE)

    assert identity.proxy.handler.api.get().timeout_seconds == seconds


@pytest.mark.parametrize("text", ["", "0", "0.0", "-1", "30.5", "31", "abc", "nan", "inf", "1e1"])
def test_given_a_timeout_not_above_0_and_at_most_30_then_a_configuration_error(
    proxy, monkeypatch, text
):
    monkeypatch.setenv("API_TIMEOUT_SECONDS", text)

    with pytest.raises(
        LoanConfigurationError,
        match=re.escape(
            f"API_TIMEOUT_SECONDS must be a number of seconds above 0 and at most 30, got {text!r}"
        ),
    ):
        proxy(NEW_STATE)
    assert proxy.api.requests == []


# What each API answers


@pytest.mark.parametrize("electoral_role", [True, False])
@pytest.mark.parametrize("bank_account", [True, False])
def test_identity_proxy_adds_the_two_flags_as_answered(identity, electoral_role, bank_account):
    identity.api.answer = echo({"electoralRole": electoral_role, "bankAccount": bank_account})

    assert identity(NEW_STATE)["identityCheck"] == {
        "electoralRole": electoral_role,
        "bankAccount": bank_account,
    }


@pytest.mark.parametrize(
    ("answer", "what"),
    [
        ({"bankAccount": True}, "'electoralRole' must be true or false, got null"),
        (
            {"electoralRole": "yes", "bankAccount": True},
            "'electoralRole' must be true or false, got str",
        ),
        ({"electoralRole": True, "bankAccount": 1}, "'bankAccount' must be true or false, got int"),
        ({"rating": "Good"}, "'electoralRole' must be true or false, got null"),
    ],
)
def test_identity_proxy_given_an_answer_without_both_flags_then_identity_check_error(
    identity, answer, what
):
    identity.api.answer = echo(answer)

    identity.fails(
        NEW_STATE, f"identity check failed (correlationId 'generated-1'): malformed answer: {what}"
    )


@pytest.mark.parametrize("rating", ["Good", "Bad", "Poor"])
def test_credit_proxy_adds_the_rating_as_answered(credit, rating):
    credit.api.answer = echo({"rating": rating})

    assert credit(NEW_STATE)["creditReference"] == {"creditReferenceRating": rating}


@pytest.mark.parametrize(
    ("answer", "what"),
    [
        ({}, "'rating' must be one of Good, Bad or Poor, got None"),
        ({"rating": "good"}, "'rating' must be one of Good, Bad or Poor, got 'good'"),
        ({"rating": "Excellent"}, "got 'Excellent'"),
        ({"rating": 3}, "got 3"),
        ({"creditReferenceRating": "Good"}, "got None"),
    ],
)
def test_credit_proxy_given_an_answer_without_a_rating_then_credit_reference_error(
    credit, answer, what
):
    credit.api.answer = echo(answer)

    with pytest.raises(CreditReferenceError) as raised:
        credit(NEW_STATE)

    assert str(raised.value).startswith(
        "credit reference failed (correlationId 'generated-1'): malformed answer: "
    )
    assert str(raised.value).endswith(what)


# The chain


def test_given_the_identity_proxys_state_then_the_credit_proxy_keeps_its_correlation_id(
    identity, credit
):
    identity.api.answer = echo({"electoralRole": True, "bankAccount": True})
    credit.api.answer = echo({"rating": "Good"})

    checked = identity(NEW_STATE, request_id="identity-invocation")
    final = credit(checked, request_id="credit-invocation")

    assert final == {
        "input": {"firstName": "Ada", "lastName": "Lovelace", "postcode": "SW1A 1AA"},
        "correlationId": "generated-1",
        "identityCheck": {"electoralRole": True, "bankAccount": True},
        "creditReference": {"creditReferenceRating": "Good"},
    }
    assert (identity.generated, credit.generated) == (["generated-1"], [])
    assert [r.json()["requestId"] for r in identity.api.requests + credit.api.requests] == [
        "identity-invocation",
        "credit-invocation",
    ]
    assert {r.json()["correlationId"] for r in identity.api.requests + credit.api.requests} == {
        "generated-1"
    }


def test_a_step_whose_result_has_no_place_in_the_state_is_refused_when_defined():
    with pytest.raises(ValueError, match="a loan state has no 'fraudCheck'"):
        Step("fraud check", IdentityCheckError, "fraudCheck", dict)
