"""Lambda entry point: submit an account application (seed 003's SubmitApplication)."""

from __future__ import annotations

import os
from typing import Any

import boto3
from applications.repository import ApplicationRepository
from aws_lambda_powertools import Logger
from lambda_support.lazy import Lazy

from submit_application.submission import Submissions, parse_application

logger = Logger()


def _submissions() -> Submissions:
    return Submissions(
        ApplicationRepository.from_environment(),
        boto3.client("stepfunctions"),
        os.environ["STATE_MACHINE_ARN"],
    )


SUBMISSIONS = Lazy(_submissions)


@logger.inject_lambda_context
def handler(event: Any, context: Any) -> dict[str, Any]:
    new = parse_application(event)
    application = SUBMISSIONS.get().submit(new, default_key=context.aws_request_id)
    logger.info("application submitted", extra={"application_id": application.id})
    return application.public()
