"""LoanProcessor and its MockApis (seed 000) as the program registers them."""

import json

import pytest

from components.settings import ConfigError
from localcloud.recording import deploy_with_mocks

SYSTEM = "loan-processor"
APIS = "loan-mock-apis"
ACCOUNT = "123456789012"
DEFAULT_BUS = f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/default"
PROXIES = ("identity-check", "credit-reference")


@pytest.fixture(scope="module")
def configured():
    """The dev stack with every loan setting away from its default (one program run)."""
    return deploy_with_mocks(
        "dev",
        {
            "loanRetryAttempts": 0,
            "loanMaxEventAgeSeconds": 120,
            "loanApiMinDelayMs": 250,
            "loanApiErrorPercent": 30,
        },
    )


def _arn(deployment, name):
    return deployment.named(name).outputs["arn"]


def _statements(deployment, role_name):
    """The role's statements, without the log and X-Ray statements every function role has."""
    return sorted(
        (
            statement
            for statement in deployment.role_statements(deployment.named(role_name))
            if not any(action.startswith(("logs:", "xray:")) for action in statement["Action"])
        ),
        key=lambda statement: statement["Action"][0],
    )


def _route_arn(deployment, api):
    execution_arn = deployment.named(f"{APIS}-{api}-http-api").outputs["executionArn"]
    return f"{execution_arn}/$default/POST/request"


# -- the chain ------------------------------------------------------------------------------


def test_the_identity_check_ends_on_the_default_bus_or_in_the_failure_queue(dev):
    config = dev.named(f"{SYSTEM}-identity-check-async")

    assert (
        config.inputs["functionName"]
        == dev.named(f"{SYSTEM}-identity-check-function").outputs["name"]
    )
    assert config.inputs["destinationConfig"] == {
        "onSuccess": {"destination": DEFAULT_BUS},
        "onFailure": {"destination": _arn(dev, f"{SYSTEM}-failures")},
    }
    # Lambda checks the role may send to each destination when they are set.
    assert dev.named(f"{SYSTEM}-identity-check-send-to-destinations").urn in config.dependencies


def test_the_credit_reference_ends_in_the_output_queue_or_in_the_failure_queue(dev):
    config = dev.named(f"{SYSTEM}-credit-reference-async")

    assert (
        config.inputs["functionName"]
        == (dev.named(f"{SYSTEM}-credit-reference-function").outputs["name"])
    )
    assert config.inputs["destinationConfig"] == {
        "onSuccess": {"destination": _arn(dev, f"{SYSTEM}-output")},
        "onFailure": {"destination": _arn(dev, f"{SYSTEM}-failures")},
    }
    assert dev.named(f"{SYSTEM}-credit-reference-send-to-destinations").urn in config.dependencies


def test_a_successful_identity_check_runs_the_credit_reference_with_only_the_state(dev):
    rule = dev.named(f"{SYSTEM}-identity-checked")
    target = dev.named(f"{SYSTEM}-identity-checked-target")
    identity_arn = _arn(dev, f"{SYSTEM}-identity-check-function")
    credit_arn = _arn(dev, f"{SYSTEM}-credit-reference-function")

    assert json.loads(rule.inputs["eventPattern"]) == {
        "source": ["lambda"],
        "detail-type": ["Lambda Function Invocation Result - Success"],
        "resources": [f"{identity_arn}:$LATEST"],
    }
    assert "eventBusName" not in rule.inputs  # the default bus
    assert target.inputs["rule"] == rule.outputs["name"]
    assert target.inputs["arn"] == credit_arn
    assert target.inputs["inputPath"] == "$.detail.responsePayload"


def test_only_this_rule_may_invoke_the_credit_reference(dev):
    permission = dev.named(f"{SYSTEM}-credit-reference-from-rule")

    assert permission.inputs == {
        "action": "lambda:InvokeFunction",
        "function": _arn(dev, f"{SYSTEM}-credit-reference-function"),
        "principal": "events.amazonaws.com",
        "sourceArn": _arn(dev, f"{SYSTEM}-identity-checked"),
    }
    assert permission.urn in dev.named(f"{SYSTEM}-identity-checked-target").dependencies


@pytest.mark.parametrize("proxy", PROXIES)
def test_retries_and_event_age_come_from_config(dev, configured, proxy):
    default = dev.named(f"{SYSTEM}-{proxy}-async").inputs
    changed = configured.named(f"{SYSTEM}-{proxy}-async").inputs

    assert (default["maximumRetryAttempts"], default["maximumEventAgeInSeconds"]) == (2, 3600)
    assert (changed["maximumRetryAttempts"], changed["maximumEventAgeInSeconds"]) == (0, 120)


# -- who may do what ------------------------------------------------------------------------


def test_the_identity_check_may_put_its_success_on_the_bus_fail_to_the_queue_and_call_its_api(
    dev,
):
    assert _statements(dev, f"{SYSTEM}-identity-check-role") == [
        {"Effect": "Allow", "Action": ["events:PutEvents"], "Resource": [DEFAULT_BUS]},
        {
            "Effect": "Allow",
            "Action": ["execute-api:Invoke"],
            "Resource": [_route_arn(dev, "identity-check")],
        },
        {
            "Effect": "Allow",
            "Action": ["sqs:SendMessage"],
            "Resource": [_arn(dev, f"{SYSTEM}-failures")],
        },
    ]


def test_the_credit_reference_may_send_to_its_two_queues_and_call_its_api(dev):
    assert _statements(dev, f"{SYSTEM}-credit-reference-role") == [
        {
            "Effect": "Allow",
            "Action": ["execute-api:Invoke"],
            "Resource": [_route_arn(dev, "credit-reference")],
        },
        {
            "Effect": "Allow",
            "Action": ["sqs:SendMessage"],
            "Resource": sorted([_arn(dev, f"{SYSTEM}-output"), _arn(dev, f"{SYSTEM}-failures")]),
        },
    ]


@pytest.mark.parametrize("api", PROXIES)
def test_the_mock_apis_call_nothing(dev, api):
    assert _statements(dev, f"{APIS}-{api}-role") == []


@pytest.mark.parametrize(
    ("proxy", "variable"),
    [
        ("identity-check", "IDENTITY_CHECK_API_URL"),
        ("credit-reference", "CREDIT_REFERENCE_API_URL"),
    ],
)
def test_each_proxy_finds_its_api_at_its_request_route(dev, proxy, variable):
    environment = dev.named(f"{SYSTEM}-{proxy}-function").inputs["environment"]["variables"]
    endpoint = dev.named(f"{APIS}-{proxy}-http-api").outputs["apiEndpoint"]

    assert environment == {"POWERTOOLS_SERVICE_NAME": SYSTEM, variable: f"{endpoint}/request"}


# -- the mock APIs --------------------------------------------------------------------------


@pytest.mark.parametrize("api", PROXIES)
def test_each_mock_api_is_one_signed_route_to_its_function(dev, api):
    function_arn = _arn(dev, f"{APIS}-{api}-function")
    route = dev.named(f"{APIS}-{api}-http-post-request-route")
    integration = dev.named(f"{APIS}-{api}-http-post-request-integration")
    permission = dev.named(f"{APIS}-{api}-http-post-request-permission")

    assert (route.inputs["routeKey"], route.inputs["authorizationType"]) == (
        "POST /request",
        "AWS_IAM",
    )
    assert route.inputs["target"] == f"integrations/{integration.outputs['id']}"
    assert integration.inputs == {
        "apiId": dev.named(f"{APIS}-{api}-http-api").outputs["id"],
        "integrationType": "AWS_PROXY",
        "integrationUri": function_arn,
        "integrationMethod": "POST",
        "payloadFormatVersion": "2.0",
    }
    # API Gateway may invoke the function for this route alone.
    assert permission.inputs == {
        "action": "lambda:InvokeFunction",
        "function": function_arn,
        "principal": "apigateway.amazonaws.com",
        "sourceArn": _route_arn(dev, api),
    }


@pytest.mark.parametrize("api", PROXIES)
def test_the_mock_apis_delay_and_errors_come_from_config(dev, configured, api):
    def variables(deployment):
        function = deployment.named(f"{APIS}-{api}-function")
        return function.inputs["environment"]["variables"]

    assert variables(dev) == {
        "POWERTOOLS_SERVICE_NAME": APIS,
        "MIN_DELAY_MS": "100",
        "ERROR_PERCENT": "0",
    }
    assert variables(configured) == {
        "POWERTOOLS_SERVICE_NAME": APIS,
        "MIN_DELAY_MS": "250",
        "ERROR_PERCENT": "30",
    }


# -- queues and exports ---------------------------------------------------------------------


def test_the_queues_are_encrypted_long_polled_and_failures_kept_14_days(dev):
    output = dev.named(f"{SYSTEM}-output").inputs
    failures = dev.named(f"{SYSTEM}-failures").inputs

    for queue in (output, failures):
        assert queue["sqsManagedSseEnabled"] is True
        assert queue["receiveWaitTimeSeconds"] == 20
    assert failures["messageRetentionSeconds"] == 1_209_600
    assert "messageRetentionSeconds" not in output  # SQS's default, 4 days


def test_the_stack_exports_the_loan_entry_points(dev):
    assert (
        dev.outputs["loanProcessorInputFunctionName"]
        == (dev.named(f"{SYSTEM}-identity-check-function").outputs["name"])
    )
    assert (
        dev.outputs["loanProcessorOutputQueueUrl"] == dev.named(f"{SYSTEM}-output").outputs["url"]
    )
    assert (
        dev.outputs["loanProcessorFailureQueueUrl"]
        == (dev.named(f"{SYSTEM}-failures").outputs["url"])
    )
    for api, output in (
        ("identity-check", "identityCheckApiUrl"),
        ("credit-reference", "creditReferenceApiUrl"),
    ):
        endpoint = dev.named(f"{APIS}-{api}-http-api").outputs["apiEndpoint"]
        assert dev.outputs[output] == f"{endpoint}/request"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("loanRetryAttempts", "3", "loanRetryAttempts must be from 0 to 2"),
        ("loanRetryAttempts", "-1", "loanRetryAttempts must be from 0 to 2"),
        ("loanMaxEventAgeSeconds", "59", "loanMaxEventAgeSeconds must be from 60 to 21600"),
        ("loanMaxEventAgeSeconds", "21601", "loanMaxEventAgeSeconds must be from 60 to 21600"),
        ("loanApiMinDelayMs", "2001", "loanApiMinDelayMs must be from 0 to 2000"),
        ("loanApiMinDelayMs", "-1", "loanApiMinDelayMs must be from 0 to 2000"),
        ("loanApiErrorPercent", "101", "loanApiErrorPercent must be from 0 to 100"),
        ("loanApiErrorPercent", "-5", "loanApiErrorPercent must be from 0 to 100"),
    ],
)
def test_a_loan_setting_the_system_cannot_use_fails_the_preview(key, value, message):
    with pytest.raises(ConfigError, match=message):
        deploy_with_mocks("dev", {key: value}, preview=True)
