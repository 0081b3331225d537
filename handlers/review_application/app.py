"""Lambda entry point: a reviewer's decision on a flagged application (seed 003's
ReviewApplication)."""

from __future__ import annotations

from typing import Any

import boto3
from applications.repository import ApplicationRepository
from aws_lambda_powertools import Logger
from lambda_support.lazy import Lazy

from review_application.reviews import Reviews

logger = Logger()

REVIEWS = Lazy(
    lambda: Reviews(ApplicationRepository.from_environment(), boto3.client("stepfunctions"))
)


@logger.inject_lambda_context
def handler(event: Any, context: Any) -> dict[str, Any]:
    application = REVIEWS.get().review(event)
    logger.info(
        "application reviewed", extra={"application_id": application.id, "state": application.state}
    )
    return application.public()
