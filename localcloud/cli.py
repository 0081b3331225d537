"""Command-line options to deploy a program into localcloud, for ``python -m localcloud up`` and
for any command of a project that deploys its own program (a demo, say)."""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

from localcloud.clock import MODES, Clock
from localcloud.cloud import LocalCloud, deploy
from localcloud.gc_tuning import freeze_loaded_objects


def add_deploy_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stack", default="dev", help="stack whose Pulumi.<stack>.yaml to use")
    parser.add_argument(
        "--config",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a stack config key (repeatable)",
    )
    parser.add_argument(
        "--clock",
        choices=[m for m in MODES if m != "manual"],
        default="fast",
        help="fast: waits and retries run 100x faster; real: as long as on AWS",
    )
    parser.add_argument(
        "--port", type=int, default=0, help="front door port (default: any free one)"
    )


def config_overrides(pairs: list[str]) -> dict[str, str]:
    config = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"--config takes key=value, not {pair!r}")
        config[key] = value
    return config


@contextlib.contextmanager
def deployed(args: argparse.Namespace, program_dir: str | Path | None) -> Iterator[LocalCloud]:
    """The program deployed as the options in ``args`` say, once it says how long that took."""
    started = time.monotonic()
    with deploy(
        args.stack,
        config_overrides(args.config),
        clock=Clock(args.clock),
        port=args.port,
        program_dir=program_dir,
        prewarm=True,  # an interactive run wants its first calls answered warm
    ) as cloud:
        elapsed = time.monotonic() - started
        freeze_loaded_objects()
        print(f"deployed stack {args.stack!r} into localcloud in {elapsed:.1f} s", flush=True)
        yield cloud
