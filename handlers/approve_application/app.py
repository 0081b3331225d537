"""Lambda entry point: approve an application, the workflow's last step after a clean check or
an approving review (seed 003's ApproveApplication)."""

from __future__ import annotations

from typing import Any

from applications.lazy import Lazy
from applications.outcomes import APPROVAL, conclude
from applications.repository import ApplicationRepository
from aws_lambda_powertools import Logger

logger = Logger(service="account-applications")

REPOSITORY = Lazy(ApplicationRepository.from_environment)


@logger.inject_lambda_context
def handler(event: Any, context: Any) -> dict[str, Any]:
    application = conclude(REPOSITORY.get(), event, APPROVAL)
    logger.info("application approved", extra={"application_id": application.id})
    return application.public()
