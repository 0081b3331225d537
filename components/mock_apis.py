"""MockApis (seed 000): the identity check and credit reference services the loan processor calls.

Each is an HTTP API with one ``POST /request`` route, ``AWS_IAM`` authorization, backed by a
function that waits at least the configured delay and fails the configured share of calls with
HTTP 500. They stand in for third-party services, so their throttling is fixed here rather than
the stack's API settings: a caller's burst should meet their delay and errors, not a 429.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.function import PythonFunction
from components.http_api import HttpApi, HttpApiArgs, LambdaProxyRoute
from components.settings import LoanSettings, Observability
from components.system import System

REQUEST_ROUTE = "POST /request"
# Enough for every application of a busy minute to call at once.
THROTTLING_RATE_LIMIT = 200
THROTTLING_BURST_LIMIT = 200


@dataclass
class MockApisArgs:
    observability: Observability
    settings: LoanSettings


class MockApis(System):
    seed = "000"

    identity_check: HttpApi
    credit_reference: HttpApi
    identity_check_url: pulumi.Output[str]
    credit_reference_url: pulumi.Output[str]

    def __init__(
        self, name: str, args: MockApisArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("serverless-workflows:mock_apis:MockApis", name, args.observability, opts)
        self._args = args
        self.identity_check = self._api(
            "identity-check", "identity_check_api", "Answers identity checks (mock)"
        )
        self.credit_reference = self._api(
            "credit-reference",
            "credit_reference_api",
            "Answers credit reference requests (mock)",
        )
        self.identity_check_url = self.identity_check.url("request")
        self.credit_reference_url = self.credit_reference.url("request")
        self.register_outputs(
            {
                "identityCheckUrl": self.identity_check_url,
                "creditReferenceUrl": self.credit_reference_url,
            }
        )

    def _api(self, role: str, package: str, description: str) -> HttpApi:
        settings = self._args.settings
        function = self._function(
            role,
            package,
            description,
            shared=("mock_apis", "lambda_support"),
            environment={
                "MIN_DELAY_MS": str(settings.api_min_delay_ms),
                "ERROR_PERCENT": str(settings.api_error_percent),
            },
        )
        return HttpApi(
            f"{self._name}-{role}-http",
            HttpApiArgs(
                routes=[LambdaProxyRoute(REQUEST_ROUTE, function)],
                authorization_type="AWS_IAM",
                throttling_rate_limit=THROTTLING_RATE_LIMIT,
                throttling_burst_limit=THROTTLING_BURST_LIMIT,
                observability=self._args.observability,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def grant_call(self, function: PythonFunction, api: HttpApi, purpose: str) -> None:
        """Let ``function`` call ``POST /request`` of ``api`` (signed with its role)."""
        function.grant(purpose, api.invoke_statements(REQUEST_ROUTE))
