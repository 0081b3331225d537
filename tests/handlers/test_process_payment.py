"""The fake payment the order workflow calls, through its Lambda entry point: its answer at the
configured failure rate, its refusal of bad requests and of a bad rate. No AWS."""

import re

import pytest
from lambda_support.lazy import Lazy
from process_payment import app

REQUEST = {
    "orderId": "0b6f3c1e-6c1d-4c4e-9a4f-3f1b2c3d4e01",
    "quantity": 2,
    "restaurantId": "luigis",
}


class Draws:
    """A random source that draws ``value`` and picks the ``pick``-th reason."""

    def __init__(self, value: float, pick: int = 0) -> None:
        self.value = value
        self.pick = pick

    def random(self) -> float:
        return self.value

    def choice(self, options):
        return options[self.pick]


@pytest.fixture
def payment(monkeypatch):
    """Set the rate (as the environment's text) and the draw, then call the handler."""

    def configure(rate: str | None, draws: Draws | None = None):
        if rate is None:
            monkeypatch.delenv("PAYMENT_FAILURE_RATE", raising=False)
        else:
            monkeypatch.setenv("PAYMENT_FAILURE_RATE", rate)
        monkeypatch.setattr(app, "FAILURE_RATE", Lazy(app._failure_rate))
        if draws is not None:
            monkeypatch.setattr(app, "RANDOM", draws)

    return configure


@pytest.mark.parametrize("draw", [0.0, 0.5, 0.999999])
def test_given_rate_0_then_every_payment_succeeds(payment, lambda_context, draw):
    payment("0", Draws(draw))

    assert app.handler(dict(REQUEST), lambda_context) == {"status": "SUCCESS", "errorMessage": None}


@pytest.mark.parametrize(
    ("draw", "pick", "reason"),
    [
        (0.0, 0, "could not reach payment processor"),
        (0.5, 1, "payment method declined"),
        (0.999999, 2, "unknown error"),
    ],
)
def test_given_rate_1_then_every_payment_fails_with_one_of_the_seeds_three_reasons(
    payment, lambda_context, draw, pick, reason
):
    payment("1", Draws(draw, pick))

    assert app.handler(dict(REQUEST), lambda_context) == {
        "status": "FAILED",
        "errorMessage": reason,
    }


@pytest.mark.parametrize(
    ("draw", "status"), [(0.0, "FAILED"), (0.2499, "FAILED"), (0.25, "SUCCESS"), (0.9, "SUCCESS")]
)
def test_given_rate_a_quarter_then_a_draw_below_it_fails(payment, lambda_context, draw, status):
    payment("0.25", Draws(draw, pick=1))

    assert app.handler(dict(REQUEST), lambda_context)["status"] == status


def test_with_the_real_random_source_rate_0_and_1_hold_every_time(payment, lambda_context):
    payment("0")
    assert {app.handler(dict(REQUEST), lambda_context)["status"] for _ in range(200)} == {"SUCCESS"}

    payment("1")
    reasons = {app.handler(dict(REQUEST), lambda_context)["errorMessage"] for _ in range(200)}
    assert reasons == {
        "could not reach payment processor",
        "payment method declined",
        "unknown error",
    }


@pytest.mark.parametrize("rate", ["0.0", "1.0", "0.5", " 0.5 ", "1e-05", ".1"])
def test_given_any_number_from_0_to_1_then_it_is_the_rate(payment, lambda_context, rate):
    payment(rate, Draws(0.5))

    app.handler(dict(REQUEST), lambda_context)

    assert app.FAILURE_RATE.get() == float(rate)


@pytest.mark.parametrize(
    "rate", [None, "", "abc", "-0.1", "1.5", "2", "nan", "inf", "-inf", "50%", "0,5"], ids=repr
)
def test_given_a_rate_not_from_0_to_1_then_a_configuration_error_at_first_use(
    payment, lambda_context, rate
):
    payment(rate, Draws(0.5))

    with pytest.raises(
        app.PaymentConfigurationError,
        match=re.escape(f"PAYMENT_FAILURE_RATE must be a number from 0 to 1, got {rate!r}"),
    ):
        app.handler(dict(REQUEST), lambda_context)


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (None, "exactly orderId, quantity and restaurantId, got NoneType"),
        ([REQUEST], "got list"),
        ({}, "got []"),
        ({"orderId": "o-1", "quantity": 2}, "got ['orderId', 'quantity']"),
        ({**REQUEST, "amount": 10}, "got ['amount', 'orderId', 'quantity', 'restaurantId']"),
        ({**REQUEST, "orderId": ""}, "'orderId' must be a string of 1 to 128 characters"),
        ({**REQUEST, "orderId": " "}, "only white space"),
        ({**REQUEST, "orderId": None}, "'orderId' is required"),
        ({**REQUEST, "orderId": 1}, "got int"),
        ({**REQUEST, "orderId": "o" * 129}, "got 129 characters"),
        ({**REQUEST, "orderId": "\ud800"}, "'orderId' must be valid Unicode"),
        ({**REQUEST, "quantity": 0}, "'quantity' must be a whole number from 1 to 100, got 0"),
        ({**REQUEST, "quantity": 101}, "got 101"),
        ({**REQUEST, "quantity": "2"}, "got str"),
        ({**REQUEST, "quantity": 2.0}, "got float"),
        ({**REQUEST, "quantity": True}, "got bool"),
        ({**REQUEST, "quantity": None}, "'quantity' is required"),
        ({**REQUEST, "restaurantId": ""}, "'restaurantId' must be a string of 1 to 64"),
        ({**REQUEST, "restaurantId": "r" * 65}, "got 65 characters"),
        ({**REQUEST, "restaurantId": 5}, "got int"),
        ({**REQUEST, "restaurantId": None}, "'restaurantId' is required"),
    ],
)
def test_given_a_bad_request_then_invalid_payment_request_error(
    payment, lambda_context, event, message
):
    payment("0", Draws(0.5))

    with pytest.raises(app.InvalidPaymentRequestError, match=re.escape(message)):
        app.handler(event, lambda_context)
