"""Lambda entry point: reject an application, the workflow's last step after a rejecting or
timed-out review (seed 003's RejectApplication)."""

from __future__ import annotations

from typing import Any

from applications.lazy import Lazy
from applications.outcomes import REJECTION, conclude
from applications.repository import ApplicationRepository
from aws_lambda_powertools import Logger

logger = Logger(service="account-applications")

REPOSITORY = Lazy(ApplicationRepository.from_environment)


@logger.inject_lambda_context
def handler(event: Any, context: Any) -> dict[str, Any]:
    application = conclude(REPOSITORY.get(), event, REJECTION)
    logger.info("application rejected", extra={"application_id": application.id})
    return application.public()
