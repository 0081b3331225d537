"""Submit an account application: validate it, store it, start its workflow.

What a submit guarantees
------------------------
*A record and an execution, or neither; and a retry never makes a second of either.*

- The application id is derived from an idempotency key: the caller's ``idempotencyKey`` if it
  sends one (a client that retries must), otherwise the Lambda request id (which Lambda keeps when
  it retries an asynchronous invocation). The same key always gives the same id, shaped
  ``application_<uuid4>`` (the UUID's random bits come from a SHA-256 of the key).
- The record is written first, by one conditional write that either creates it as SUBMITTED or,
  for a retry, finds it with the same name and address (different data under the same key is a
  ``SubmissionConflictError``; nothing changes). The write also stamps the record with this call's
  attempt id.
- The execution is then started with the application id as its name and an input built only from
  the id, name and address, so a retry sends exactly the same request. Step Functions keeps
  execution names unique per state machine (90 days after an execution closes), so a retry can never
  start a second execution: it gets the running one back, or ``ExecutionAlreadyExists``, and both
  mean the application has its execution.
- If the start fails, the execution may still exist (an earlier attempt, or a request that timed
  out after it arrived). ``DescribeExecution`` decides: if it exists, the submit succeeded after
  all; only if Step Functions says it does not exist is the record deleted, and only if it is still
  SUBMITTED and still carries this call's attempt id (a concurrent retry that claimed it in the
  meantime may be starting the execution right now). Then the error is raised.
- If even that check fails, the record stays SUBMITTED and the error is raised: a retry with the
  same key completes the submit. This is the one window where a record can be without an
  execution, and only until the caller retries; no path ever leaves an execution without a record.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from applications.model import (
    Application,
    ApplicationError,
    InvalidRequestError,
    require_object,
)
from applications.repository import ApplicationRepository
from botocore.exceptions import BotoCoreError, ClientError
from lambda_support.arns import execution_arn
from lambda_support.aws_errors import error_code
from lambda_support.text import checked_text

MAX_NAME_LENGTH = 200
MAX_ADDRESS_LENGTH = 500
MAX_IDEMPOTENCY_KEY_LENGTH = 128
_KEY_NAMESPACE = b"serverless-workflows/account-applications/submit:"


class InvalidApplicationError(InvalidRequestError):
    """The submitted name, address or idempotency key is missing or malformed."""


class SubmissionFailedError(ApplicationError):
    """The workflow could not be started; the application was not kept (or a retry completes it)."""


@dataclass(frozen=True)
class NewApplication:
    name: str
    address: str
    idempotency_key: str | None = None


def _text(event: dict[str, Any], field: str, max_length: int) -> str:
    return checked_text(event.get(field), field, max_length, InvalidApplicationError)


def parse_application(event: Any) -> NewApplication:
    """The application in a request ``{"name", "address", "idempotencyKey"?}``."""
    try:
        request = require_object(event)
    except InvalidRequestError as error:
        raise InvalidApplicationError(str(error)) from None
    key = None
    if request.get("idempotencyKey") is not None:
        key = _text(request, "idempotencyKey", MAX_IDEMPOTENCY_KEY_LENGTH)
    return NewApplication(
        name=_text(request, "name", MAX_NAME_LENGTH),
        address=_text(request, "address", MAX_ADDRESS_LENGTH),
        idempotency_key=key,
    )


def application_id(idempotency_key: str) -> str:
    """``application_<uuid4>``, the same for the same key."""
    digest = hashlib.sha256(_KEY_NAMESPACE + idempotency_key.encode()).digest()
    return f"application_{uuid.UUID(bytes=digest[:16], version=4)}"


def execution_input(application: Application) -> str:
    """The workflow's input: only what never changes, so a retry sends the same request."""
    body = {"id": application.id, "name": application.name, "address": application.address}
    return json.dumps({"application": body}, sort_keys=True)


class Submissions:
    def __init__(
        self, repository: ApplicationRepository, states: Any, state_machine_arn: str
    ) -> None:
        self._repository = repository
        self._states = states
        self._state_machine_arn = state_machine_arn

    def submit(self, new: NewApplication, default_key: str) -> Application:
        key = new.idempotency_key or default_key
        attempt = uuid.uuid4().hex
        application = self._repository.submit(application_id(key), new.name, new.address, attempt)
        try:
            self._start(application)
        except (ClientError, BotoCoreError) as error:
            try:
                started = self._execution_exists(application)
            except (ClientError, BotoCoreError) as check_error:
                raise SubmissionFailedError(
                    f"could not start the workflow of {application.id} ({error}) nor tell "
                    f"whether it started ({check_error}); a retry with the same idempotency key "
                    "completes it"
                ) from error
            if started:
                return application
            withdrawn = self._repository.withdraw(application.id, attempt)
            raise SubmissionFailedError(
                f"could not start the workflow of {application.id} ({error}); "
                + ("the application was withdrawn" if withdrawn else "a retry completes it")
            ) from error
        return application

    def _start(self, application: Application) -> None:
        try:
            self._states.start_execution(
                stateMachineArn=self._state_machine_arn,
                name=application.id,
                input=execution_input(application),
            )
        except ClientError as error:
            if error_code(error) != "ExecutionAlreadyExists":
                raise

    def _execution_exists(self, application: Application) -> bool:
        """Whether Step Functions has this application's execution; raises if it cannot tell."""
        arn = execution_arn(self._state_machine_arn, application.id)
        try:
            self._states.describe_execution(executionArn=arn)
        except ClientError as error:
            if error_code(error) == "ExecutionDoesNotExist":
                return False
            raise
        return True
