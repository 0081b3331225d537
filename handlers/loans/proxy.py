"""What both loan proxies do; they differ only in their API and the result they add (a ``Step``).

A proxy's entry point is ``handler = ProxyHandler(<its step>, <its URL variable>)``, and for each
state it receives:

1. checks the state (``loans.state``): an invalid one is ``InvalidLoanRequestError`` and nothing
   is called;
2. gives it a correlation id if it has none (uuid4 text): normally the identity proxy, the first
   step, does, and every later step keeps it. The state returned always has one, even when step
   3 returns at once: those who read the output queue can rely on it;
3. returns the state if it already holds this step's result: an earlier run made the call (a
   replayed or redelivered event), and it is not made twice. The state is returned as received
   (plus a correlation id if it had none);
4. POSTs ``{requestId, correlationId, firstName, lastName, postcode}`` to the API
   (``loans.api_client``); ``requestId`` is the invocation's own request id, so an API's logs
   lead back to the invocation that called it;
5. reads the answer: it must echo both ids and carry the result. A failed call or a malformed
   answer raises the step's error type; no result is added, and the failure destination's record
   holds the state as the step received it;
6. adds the result and returns the whole state.

Config and the API client are built on first use (``api``), so importing needs no environment;
tests replace ``api`` and ``new_correlation_id``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from functools import partial
from typing import Any, Generic, TypeVar, cast

from aws_lambda_powertools import Logger
from lambda_support.lazy import Lazy

from loans.api_client import ApiCallError, SignedJsonApi
from loans.errors import LoanApiError
from loans.state import LoanState, parse_state

logger = Logger()

R = TypeVar("R")


@dataclass(frozen=True)
class Step(Generic[R]):
    """What tells one proxy from the other."""

    name: str
    """What the step does, as its log lines and error messages say it (``identity check``)."""
    error: type[LoanApiError]
    field: str
    """The ``LoanState`` attribute its result goes in."""
    read_answer: Callable[[Mapping[str, Any]], R]
    """The result in an answer; ``ApiCallError`` if it holds none."""

    def __post_init__(self) -> None:
        if self.field not in {field.name for field in fields(LoanState)}:
            raise ValueError(f"a loan state has no {self.field!r}")

    def result_in(self, state: LoanState) -> R | None:
        return cast("R | None", getattr(state, self.field))

    def with_result(self, state: LoanState, result: R) -> LoanState:
        changes: dict[str, Any] = {self.field: result}
        return replace(state, **changes)


def _new_correlation_id() -> str:
    return str(uuid.uuid4())


def _check_echo(answer: Mapping[str, Any], field: str, sent: str) -> None:
    if answer.get(field) != sent:
        raise ApiCallError(f"'{field}' is {answer.get(field)!r:.80}, not the {sent!r} sent")


class ProxyHandler(Generic[R]):
    """The Lambda entry point of a proxy: the loan state in, the state with ``step``'s result
    out."""

    def __init__(self, step: Step[R], url_variable: str) -> None:
        self.step = step
        self.api: Lazy[SignedJsonApi] = Lazy(partial(SignedJsonApi.from_environment, url_variable))
        self.new_correlation_id: Callable[[], str] = _new_correlation_id
        self._handle = logger.inject_lambda_context(self._run)

    def __call__(self, event: Any, context: Any) -> dict[str, Any]:
        return self._handle(event, context)

    def _run(self, event: Any, context: Any) -> dict[str, Any]:
        state = parse_state(event).correlated(self.new_correlation_id)
        log = self._log_keys(state.correlation_id)
        if self.step.result_in(state) is not None:
            logger.info(f"{self.step.name} already done: nothing called", extra=log)
            return state.to_json()
        result = self._call(state, context.aws_request_id)
        logger.info(f"{self.step.name} done", extra=log)
        return self.step.with_result(state, result).to_json()

    def _log_keys(self, correlation_id: str | None) -> dict[str, Any]:
        return {"correlation_id": correlation_id, "step": self.step.name}

    def _call(self, state: LoanState, request_id: str) -> R:
        correlation_id = str(state.correlation_id)
        applicant = state.applicant.to_json()
        try:
            answer = self.api.get().post(
                {"requestId": request_id, "correlationId": correlation_id, **applicant}
            )
            return self._read(answer, request_id, correlation_id)
        except ApiCallError as error:
            failure = self.step.error(
                f"{self.step.name} failed (correlationId {correlation_id!r}): {error}"
            )
            logger.warning(
                f"{self.step.name} failed: the state goes to the failure destination unchanged",
                extra={**self._log_keys(correlation_id), "error": str(error)},
            )
            raise failure from error

    def _read(self, answer: Mapping[str, Any], request_id: str, correlation_id: str) -> R:
        try:
            _check_echo(answer, "requestId", request_id)
            _check_echo(answer, "correlationId", correlation_id)
            return self.step.read_answer(answer)
        except ApiCallError as error:
            raise ApiCallError(f"malformed answer: {error}") from error
