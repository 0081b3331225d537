"""Durability: how a stack keeps its data, the settings a production stack turns on."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi


@dataclass(frozen=True)
class Durability:
    point_in_time_recovery: bool = True
    """Continuous backups of every table (restore to any second of the last 35 days)."""
    deletion_protection: bool = False
    """DynamoDB refuses to delete a table while it is on."""
    protect: bool = False
    """Pulumi refuses to delete or replace the stateful resources (tables, queues) while on."""

    def options(self, parent: pulumi.Resource) -> pulumi.ResourceOptions:
        """Options of a stateful resource: a child of ``parent``, protected if configured."""
        return pulumi.ResourceOptions(parent=parent, protect=self.protect)
