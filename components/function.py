"""PythonFunction: one folder of ``handlers/`` deployed as an arm64 Lambda with its own role.

The archive mirrors ``handlers/``: the function's package plus any shared packages it names, so
``handlers/`` on ``sys.path`` imports exactly as the Lambda runtime does. The role starts with
writing to the function's own log group (and X-Ray when tracing); everything else arrives through
``grant`` from the component that owns the resource.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pulumi
import pulumi_aws as aws

from components.aws_context import arn_context
from components.iam import (
    Statement,
    log_group_write,
    xray_write,
)
from components.observability import Observability
from components.roles import inline_policy, service_role

HANDLERS_DIR = Path(__file__).resolve().parent.parent / "handlers"

# Files that never belong in a deployed archive.
_EXCLUDED_DIRS = {"__pycache__", "tests", ".pytest_cache", ".mypy_cache"}
_EXCLUDED_SUFFIXES = {".pyc", ".pyo"}

RUNTIME = "python3.13"
ARCHITECTURE = "arm64"
# AWS-managed Powertools for AWS Lambda (Python) v3 layer, published by AWS in every region.
POWERTOOLS_LAYER = (
    "arn:{partition}:lambda:{region}:017000801446:layer:"
    "AWSLambdaPowertoolsPythonV3-python313-arm64:{version}"
)


def _is_packaged(path: Path) -> bool:
    return (
        path.suffix not in _EXCLUDED_SUFFIXES
        and not path.name.startswith("test_")
        and not _EXCLUDED_DIRS.intersection(path.parts)
    )


def archive_files(package: str, shared: Sequence[str] = ()) -> dict[str, Path]:
    """Archive path -> source file for the function's package and the shared packages it uses."""
    files: dict[str, Path] = {}
    for name in (package, *shared):
        root = HANDLERS_DIR / name
        if not (root / "__init__.py").is_file():
            raise FileNotFoundError(f"{root} is not a Python package under handlers/")
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(HANDLERS_DIR)
            if path.is_file() and _is_packaged(relative):
                files[relative.as_posix()] = path
    return files


@dataclass
class PythonFunctionArgs:
    package: str
    """Folder under ``handlers/`` holding the function's package."""
    handler: str = "app.handler"
    """Module and function inside the package, e.g. ``app.handler``."""
    shared: Sequence[str] = ()
    """Other packages under ``handlers/`` bundled beside it, exactly those its code imports
    (shared domain code such as ``applications``, generic helpers in ``lambda_support``)."""
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    timeout: int = 10
    memory_size: int = 256
    observability: Observability = field(default_factory=Observability)
    description: str | None = None


class PythonFunction(pulumi.ComponentResource):
    function: aws.lambda_.Function
    role: aws.iam.Role
    log_group: aws.cloudwatch.LogGroup
    name: pulumi.Output[str]
    arn: pulumi.Output[str]
    logical_name: str
    """The function's name in the program (its resources are named after it)."""
    timeout: int
    """Seconds an invocation may run (what a queue's visibility timeout is sized against)."""

    def __init__(
        self, name: str, args: PythonFunctionArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("serverless-workflows:function:PythonFunction", name, None, opts)
        self._name = name
        self.logical_name = name
        self.timeout = args.timeout
        child = pulumi.ResourceOptions(parent=self)

        self.role = service_role(name, "lambda.amazonaws.com", f"Execution role of {name}", self)
        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs", retention_in_days=args.observability.log_retention_days, opts=child
        )
        own_statements = self.log_group.arn.apply(
            lambda arn: [
                log_group_write(arn),
                *([xray_write()] if args.observability.tracing else []),
            ]
        )
        base_policy = self.grant("own-logs", own_statements)

        layers: list[pulumi.Input[str]] = []
        version = args.observability.powertools_layer_version
        if version is not None:
            layers.append(
                arn_context().apply(
                    lambda ctx: POWERTOOLS_LAYER.format(
                        partition=ctx.partition, region=ctx.region, version=version
                    )
                )
            )

        self.function = aws.lambda_.Function(
            f"{name}-function",
            description=args.description,
            role=self.role.arn,
            runtime=RUNTIME,
            architectures=[ARCHITECTURE],
            handler=f"{args.package}.{args.handler}",
            code=pulumi.AssetArchive(
                {
                    path: pulumi.FileAsset(str(source))
                    for path, source in archive_files(args.package, args.shared).items()
                }
            ),
            timeout=args.timeout,
            memory_size=args.memory_size,
            layers=layers,
            environment={"variables": dict(args.environment)} if args.environment else None,
            tracing_config={"mode": "Active" if args.observability.tracing else "PassThrough"},
            logging_config={"log_format": "JSON", "log_group": self.log_group.name},
            # The role must be able to write logs before the first invocation.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[base_policy]),
        )
        self.name = self.function.name
        self.arn = self.function.arn
        self.register_outputs({"name": self.name, "arn": self.arn, "roleArn": self.role.arn})

    def grant(
        self, purpose: str, statements: pulumi.Input[Sequence[Statement]]
    ) -> aws.iam.RolePolicy:
        """Add an inline policy named after its purpose to this function's role."""
        return inline_policy(f"{self._name}-{purpose}", self.role, statements, self)
