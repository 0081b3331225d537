"""Logging, tracing and runtime settings every function, state machine and API shares."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Observability:
    log_retention_days: int = 14
    """Days CloudWatch keeps the logs."""
    tracing: bool = True
    """Active X-Ray tracing."""
    powertools_layer_version: int | None = None
    """Version of the AWS-managed Powertools layer functions get; None for none."""
