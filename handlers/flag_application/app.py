"""Lambda entry point: flag an application from the workflow (seed 003's FlagApplication)."""

from __future__ import annotations

from typing import Any

from applications.repository import ApplicationRepository
from aws_lambda_powertools import Logger
from lambda_support.lazy import Lazy

from flag_application.flags import flag_application

logger = Logger()

REPOSITORY = Lazy(ApplicationRepository.from_environment)


@logger.inject_lambda_context
def handler(event: Any, context: Any) -> dict[str, Any]:
    application = flag_application(REPOSITORY.get(), event)
    logger.info("application flagged", extra={"application_id": application.id})
    return application.public()
