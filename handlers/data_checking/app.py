"""Lambda entry point of the data-checking service (seed 003's DataChecking)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from data_checking.checks import run_check

logger = Logger()


@logger.inject_lambda_context
def handler(event: Any, context: Any) -> dict[str, bool]:
    result = run_check(event)
    logger.info("data checked", extra={"command": event.get("command"), **result})
    return result
