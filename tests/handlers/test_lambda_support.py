"""The generic helpers every function may ship (handlers/lambda_support); pure, no AWS."""

import pytest
from botocore.exceptions import ClientError
from lambda_support.arns import execution_arn
from lambda_support.aws_errors import error_code
from lambda_support.lazy import Lazy


def test_given_a_lazy_value_when_used_twice_then_it_is_built_once_on_first_use():
    built = []
    lazy = Lazy(lambda: built.append("built") or len(built))

    assert built == []
    assert (lazy.get(), lazy.get()) == (1, 1)
    assert built == ["built"]


def test_given_a_build_that_failed_when_used_again_then_it_is_built_again():
    # e.g. a client whose configuration was missing on the first invocation of an environment
    attempts = []

    def build():
        attempts.append("attempt")
        if len(attempts) == 1:
            raise KeyError("TABLE_NAME")
        return "client"

    lazy = Lazy(build)

    with pytest.raises(KeyError):
        lazy.get()
    assert lazy.get() == "client"
    assert attempts == ["attempt", "attempt"]


def test_given_a_client_error_then_its_code_is_the_services_error_code():
    error = ClientError(
        {"Error": {"Code": "ExecutionAlreadyExists", "Message": "Execution already exists"}},
        "StartExecution",
    )

    assert error_code(error) == "ExecutionAlreadyExists"


def test_given_a_client_error_without_a_code_then_its_code_is_empty():
    assert error_code(ClientError({}, "StartExecution")) == ""


@pytest.mark.parametrize(
    ("state_machine_arn", "execution_name", "expected"),
    [
        (
            "arn:aws:states:us-east-1:123456789012:stateMachine:workflow",
            "application_1",
            "arn:aws:states:us-east-1:123456789012:execution:workflow:application_1",
        ),
        (
            "arn:aws:states:eu-west-1:210987654321:stateMachine:task-tracker-workflow-3f2a1b0",
            "Breakfast-1700000000",
            "arn:aws:states:eu-west-1:210987654321:execution:task-tracker-workflow-3f2a1b0:"
            "Breakfast-1700000000",
        ),
        (
            "arn:aws-cn:states:cn-north-1:123456789012:stateMachine:workflow",
            "run",
            "arn:aws-cn:states:cn-north-1:123456789012:execution:workflow:run",
        ),
        (
            "arn:aws-us-gov:states:us-gov-west-1:123456789012:stateMachine:workflow",
            "run",
            "arn:aws-us-gov:states:us-gov-west-1:123456789012:execution:workflow:run",
        ),
    ],
)
def test_given_a_state_machine_arn_then_the_execution_arn_names_its_execution(
    state_machine_arn, execution_name, expected
):
    assert execution_arn(state_machine_arn, execution_name) == expected


@pytest.mark.parametrize(
    ("not_a_machine", "message"),
    [
        ("arn:aws:lambda:us-east-1:123456789012:function:f", "is not a state machine ARN"),
        ("workflow", "is not a state machine ARN"),
        ("", "is not a state machine ARN"),
        (":stateMachine:workflow", "is not a state machine ARN"),
        ("arn:aws:states:us-east-1:123456789012:stateMachine:", "it names no machine"),
    ],
)
def test_given_anything_but_a_state_machine_arn_then_value_error(not_a_machine, message):
    with pytest.raises(ValueError, match=message):
        execution_arn(not_a_machine, "x")
