"""The stack's configuration, read once and checked, as typed values for the components."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi

from components.durability import Durability
from components.http_api import AUTHORIZATION_TYPES
from components.observability import Observability

__all__ = ["Durability", "Observability", "StackSettings"]


# One address, as SNS's e-mail protocol takes it: no display name, no list.
_EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+")


MAX_MOCK_API_DELAY_MS = 2000
"""Below the 3 s the loan proxies wait for an answer."""


class ConfigError(ValueError):
    """A stack configuration value outside what the program supports."""


@dataclass(frozen=True)
class ApiSettings:
    authorization_type: str
    throttling_rate_limit: int
    throttling_burst_limit: int


@dataclass(frozen=True)
class AccountApplicationsSettings:
    review_timeout_seconds: int
    """How long "Pending Review" waits for a reviewer before the application is rejected."""


@dataclass(frozen=True)
class OrdersSettings:
    api_key_expiry_days: int
    """Days after the deploy's day that the orders API key stops working (1 to 365)."""
    payment_failure_rate: float
    """Probability (0 to 1) that the simulated payment fails."""
    notification_email: str
    """Address subscribed to order notifications; empty for none."""


@dataclass(frozen=True)
class LoanSettings:
    retry_attempts: int
    """Lambda's retries of each proxy's asynchronous invocation (0 to 2)."""
    max_event_age_seconds: int
    """How long Lambda keeps trying an asynchronous invocation (60 to 21600)."""
    api_min_delay_ms: int
    """The least time each mock API takes to answer."""
    api_error_percent: int
    """How often, in percent, each mock API answers HTTP 500."""


@dataclass(frozen=True)
class StackSettings:
    observability: Observability
    durability: Durability
    api: ApiSettings
    task_wait_seconds: int
    """How long the task tracker waits between STARTED and Done."""
    account_applications: AccountApplicationsSettings
    orders: OrdersSettings
    loans: LoanSettings
    alarm_email: str
    """Where alarms and failed executions are sent; empty for nowhere (not on a protected stack)."""

    @classmethod
    def from_config(cls, config: pulumi.Config) -> StackSettings:
        """Read every key (defaults come from Pulumi.yaml) and reject values that cannot work."""
        settings = cls(
            observability=Observability(
                log_retention_days=config.require_int("logRetentionDays"),
                tracing=config.require_bool("tracing"),
                powertools_layer_version=config.require_int("powertoolsLayerVersion"),
            ),
            durability=Durability(
                point_in_time_recovery=config.require_bool("pointInTimeRecovery"),
                deletion_protection=config.require_bool("deletionProtection"),
                protect=config.require_bool("protectStatefulResources"),
            ),
            api=ApiSettings(
                authorization_type=config.require("apiAuthorization"),
                throttling_rate_limit=config.require_int("apiThrottlingRateLimit"),
                throttling_burst_limit=config.require_int("apiThrottlingBurstLimit"),
            ),
            task_wait_seconds=config.require_int("taskWaitSeconds"),
            account_applications=AccountApplicationsSettings(
                review_timeout_seconds=config.require_int("reviewTimeoutSeconds"),
            ),
            orders=OrdersSettings(
                api_key_expiry_days=config.require_int("ordersApiKeyExpiryDays"),
                payment_failure_rate=config.require_float("ordersPaymentFailureRate"),
                notification_email=config.require("ordersNotificationEmail").strip(),
            ),
            alarm_email=config.require("alarmEmail").strip(),
            loans=LoanSettings(
                retry_attempts=config.require_int("loanRetryAttempts"),
                max_event_age_seconds=config.require_int("loanMaxEventAgeSeconds"),
                api_min_delay_ms=config.require_int("loanApiMinDelayMs"),
                api_error_percent=config.require_int("loanApiErrorPercent"),
            ),
        )
        settings.check()
        return settings

    def check(self) -> None:
        # The retention periods CloudWatch Logs accepts.
        retention_days = {
            1,
            3,
            5,
            7,
            14,
            30,
            60,
            90,
            120,
            150,
            180,
            365,
            400,
            545,
            731,
            1096,
            1827,
            2192,
            2557,
            2922,
            3288,
            3653,
        }
        if self.observability.log_retention_days not in retention_days:
            raise ConfigError(
                f"logRetentionDays must be one of {sorted(retention_days)}, "
                f"not {self.observability.log_retention_days}"
            )
        if self.api.authorization_type not in AUTHORIZATION_TYPES:
            raise ConfigError(
                f"apiAuthorization must be one of {AUTHORIZATION_TYPES}, "
                f"not {self.api.authorization_type!r}"
            )
        if self.api.throttling_rate_limit <= 0 or self.api.throttling_burst_limit <= 0:
            raise ConfigError("apiThrottlingRateLimit and apiThrottlingBurstLimit must be positive")
        # A Standard execution lasts at most a year, so no longer wait can finish.
        if not 0 <= self.task_wait_seconds <= 31_536_000:
            raise ConfigError(
                f"taskWaitSeconds must be from 0 to 31536000, not {self.task_wait_seconds}"
            )
        # The review wait must end before the execution's one-year limit does.
        review_timeout = self.account_applications.review_timeout_seconds
        if not 1 <= review_timeout <= 31_536_000:
            raise ConfigError(
                f"reviewTimeoutSeconds must be from 1 to 31536000, not {review_timeout}"
            )
        self._check_orders()
        self._check_loans()
        self._check_alarms()

    def _check_alarms(self) -> None:
        if self.alarm_email and not _EMAIL.fullmatch(self.alarm_email):
            raise ConfigError(f"alarmEmail {self.alarm_email!r} is not an e-mail address")
        # A stack that protects its data is one someone depends on: its alarms must reach them.
        if self.durability.protect and not self.alarm_email:
            raise ConfigError("a stack with protectStatefulResources needs an alarmEmail")

    def _check_orders(self) -> None:
        orders = self.orders
        # AppSync accepts an API key expiry from 1 to 365 days ahead.
        if not 1 <= orders.api_key_expiry_days <= 365:
            raise ConfigError(
                f"ordersApiKeyExpiryDays must be from 1 to 365, not {orders.api_key_expiry_days}"
            )
        if not 0.0 <= orders.payment_failure_rate <= 1.0:  # also false for NaN
            raise ConfigError(
                f"ordersPaymentFailureRate must be from 0 to 1, not {orders.payment_failure_rate}"
            )
        email = orders.notification_email
        if email and not _EMAIL.fullmatch(email):
            raise ConfigError(f"ordersNotificationEmail {email!r} is not an e-mail address")

    def _check_loans(self) -> None:
        loans = self.loans
        # Lambda's limits for an asynchronous invocation (PutFunctionEventInvokeConfig).
        if not 0 <= loans.retry_attempts <= 2:
            raise ConfigError(f"loanRetryAttempts must be from 0 to 2, not {loans.retry_attempts}")
        if not 60 <= loans.max_event_age_seconds <= 21600:
            raise ConfigError(
                "loanMaxEventAgeSeconds must be from 60 to 21600, "
                f"not {loans.max_event_age_seconds}"
            )
        # A mock API slower than the proxies wait for would fail every call.
        if not 0 <= loans.api_min_delay_ms <= MAX_MOCK_API_DELAY_MS:
            raise ConfigError(
                f"loanApiMinDelayMs must be from 0 to {MAX_MOCK_API_DELAY_MS}, "
                f"not {loans.api_min_delay_ms}"
            )
        if not 0 <= loans.api_error_percent <= 100:
            raise ConfigError(
                f"loanApiErrorPercent must be from 0 to 100, not {loans.api_error_percent}"
            )
