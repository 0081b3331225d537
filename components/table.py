"""Table: an on-demand, encrypted DynamoDB table that grants data access to functions, action by
action, with the stack's durability (point-in-time recovery, deletion protection, `protect`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.durability import Durability
from components.function import PythonFunction
from components.iam import Statement, allow


@dataclass
class Key:
    name: str
    type: str = "S"
    """DynamoDB scalar type: S, N or B."""


@dataclass
class GlobalIndex:
    name: str
    partition_key: Key
    sort_key: Key | None = None


@dataclass
class TableArgs:
    partition_key: Key
    sort_key: Key | None = None
    global_indexes: Sequence[GlobalIndex] = field(default_factory=list)
    durability: Durability = field(default_factory=Durability)


class Table(pulumi.ComponentResource):
    table: aws.dynamodb.Table
    name: pulumi.Output[str]
    arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: TableArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("serverless-workflows:table:Table", name, None, opts)
        keys = {args.partition_key.name: args.partition_key}
        if args.sort_key:
            keys[args.sort_key.name] = args.sort_key
        for index in args.global_indexes:
            for key in (index.partition_key, index.sort_key):
                if key:
                    keys[key.name] = key
        self.table = aws.dynamodb.Table(
            f"{name}-table",
            billing_mode="PAY_PER_REQUEST",
            hash_key=args.partition_key.name,
            range_key=args.sort_key.name if args.sort_key else None,
            attributes=[{"name": key.name, "type": key.type} for key in keys.values()],
            global_secondary_indexes=[
                {
                    "name": index.name,
                    "hash_key": index.partition_key.name,
                    "range_key": index.sort_key.name if index.sort_key else None,
                    "projection_type": "ALL",
                }
                for index in args.global_indexes
            ]
            or None,
            point_in_time_recovery={"enabled": args.durability.point_in_time_recovery},
            deletion_protection_enabled=args.durability.deletion_protection,
            server_side_encryption={"enabled": True},
            opts=args.durability.options(self),
        )
        self._index_names = {index.name for index in args.global_indexes}
        self.name = self.table.name
        self.arn = self.table.arn
        self.register_outputs({"name": self.name, "arn": self.arn})

    def statements(
        self, actions: Sequence[str], indexes: Sequence[str] = ()
    ) -> pulumi.Output[list[Statement]]:
        """``actions`` on this table and on the named indexes (for queries), nothing wider."""
        unknown = set(indexes) - self._index_names
        if unknown:
            raise ValueError(f"table has no index {sorted(unknown)}")
        return self.arn.apply(
            lambda arn: [allow(actions, [arn, *(f"{arn}/index/{index}" for index in indexes)])]
        )

    def grant(
        self,
        function: PythonFunction,
        purpose: str,
        actions: Sequence[str],
        indexes: Sequence[str] = (),
    ) -> aws.iam.RolePolicy:
        """Let ``function`` call exactly ``actions`` on this table (and the named indexes)."""
        return function.grant(purpose, self.statements(actions, indexes))
