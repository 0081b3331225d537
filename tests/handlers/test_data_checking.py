"""The data-checking service (seed 003, final version): pure rules, no AWS."""

import pytest
from data_checking import app
from data_checking.checks import InvalidCheckError, UnprocessableDataException


def check(lambda_context, command, **data):
    return app.handler({"command": command, "data": data}, lambda_context)


@pytest.mark.parametrize(
    ("name", "flagged"),
    [("Spock", False), ("Gabe", False), ("evil Spock", True), ("Spockevil", True), ("Evil", False)],
)
def test_a_name_containing_evil_is_flagged(lambda_context, name, flagged):
    assert check(lambda_context, "CHECK_NAME", name=name) == {"flagged": flagged}


@pytest.mark.parametrize(
    ("address", "flagged"),
    [
        ("123 Enterprise Street", False),
        ("Street 42", False),
        ("Flat 3, Main Road", False),
        ("ABadAddress", True),
        ("Enterprise Street", True),
        ("123", True),
        ("", True),
    ],
)
def test_an_address_without_number_and_word_together_is_flagged(lambda_context, address, flagged):
    assert check(lambda_context, "CHECK_ADDRESS", address=address) == {"flagged": flagged}


@pytest.mark.parametrize("name", ["UNPROCESSABLE_DATA", "Mr UNPROCESSABLE_DATA evil"])
def test_a_name_with_unprocessable_data_raises_the_exception_the_workflow_catches(
    lambda_context, name
):
    with pytest.raises(UnprocessableDataException) as raised:
        check(lambda_context, "CHECK_NAME", name=name)

    # Lambda reports the class name as errorType; the workflow's Catch matches it exactly.
    assert type(raised.value).__name__ == "UnprocessableDataException"
    assert str(raised.value) == f"Simulated error: Name '{name}' is not possible to check."


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"command": "CHECK_PHONE", "data": {"phone": "1"}}, "'command' must be CHECK_NAME"),
        ({"data": {"name": "Spock"}}, "'command' must be CHECK_NAME"),
        ({"command": "CHECK_NAME"}, "needs a string 'data.name'"),
        ({"command": "CHECK_NAME", "data": {"address": "1 Main"}}, "'data.name'"),
        ({"command": "CHECK_ADDRESS", "data": {"address": 12}}, "'data.address'"),
        ("CHECK_NAME", "expected a JSON object"),
    ],
)
def test_a_malformed_check_is_an_invalid_check(lambda_context, event, message):
    with pytest.raises(InvalidCheckError, match=message):
        app.handler(event, lambda_context)
