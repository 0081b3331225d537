"""Lambda entry point: list the applications in a state (seed 003's FindApplications)."""

from __future__ import annotations

from typing import Any

from applications.repository import ApplicationRepository
from aws_lambda_powertools import Logger
from lambda_support.lazy import Lazy

from find_applications.search import find_applications

logger = Logger()

REPOSITORY = Lazy(ApplicationRepository.from_environment)


@logger.inject_lambda_context
def handler(event: Any, context: Any) -> dict[str, Any]:
    page = find_applications(REPOSITORY.get(), event)
    logger.info("applications found", extra={"count": len(page["items"])})
    return page
