"""``python -m localcloud up [PROGRAM_DIR]``: deploy a stack of a Pulumi program into the
in-process AWS and serve it until interrupted: the AWS API of every emulated service on one
endpoint, and the HTTP and GraphQL APIs on their front doors."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from localcloud.cli import add_deploy_options, deployed
from localcloud.cloud import LocalCloud
from localcloud.provisioner import outputs_json


def connection_info(cloud: LocalCloud) -> dict[str, Any]:
    """What a client needs to use the deployed stack (``--info-file`` writes it as JSON)."""
    return {
        "endpoint": cloud.endpoint_url,
        "region": cloud.region,
        "accessKeyId": cloud.credentials.access_key_id,
        "secretAccessKey": cloud.credentials.secret_access_key,
        "frontDoor": cloud.url,
        "outputs": cloud.outputs,
    }


def summary(cloud: LocalCloud) -> str:
    """A few lines a developer reads: each system, how to reach the cloud, the stack outputs."""
    lines = ["systems:"]
    lines += [
        f"  {system.component.name} ({system.kind}): {system.owned_text()}"
        for system in cloud.systems
    ]
    lines += [
        "",
        f"AWS endpoint:    {cloud.endpoint_url}   (every emulated service)",
        f"HTTP front door: {cloud.url}   (the deployed HTTP APIs)",
        f"GraphQL APIs:    {cloud.graphql_url}   (the deployed AppSync APIs)",
        "",
        "use it from a shell with:",
        f"  export AWS_ENDPOINT_URL={cloud.endpoint_url}",
        f"  export AWS_REGION={cloud.region} AWS_DEFAULT_REGION={cloud.region}",
        f"  export AWS_ACCESS_KEY_ID={cloud.credentials.access_key_id}",
        f"  export AWS_SECRET_ACCESS_KEY={cloud.credentials.secret_access_key}",
        "  unset AWS_SESSION_TOKEN AWS_PROFILE",
        "",
        "stack outputs:",
        outputs_json(cloud.outputs),
    ]
    return "\n".join(lines)


def _write_atomically(path: Path, text: str) -> None:
    """Readers polling for the file never see it half written."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text)
    os.replace(partial, path)


class _StopRequestedError(Exception):
    """SIGTERM, raised in the main thread so the deployment unwinds as on Ctrl-C."""


def _raise_stop(signum: int, frame: Any) -> None:
    raise _StopRequestedError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localcloud", description=__doc__)
    parser.add_argument("command", choices=["up"])
    parser.add_argument(
        "program_dir",
        nargs="?",
        default=None,
        help="the program's directory (default: the nearest one with a Pulumi.yaml at or above "
        "the working directory)",
    )
    add_deploy_options(parser)
    parser.add_argument(
        "--info-file",
        type=Path,
        help="once serving, write the endpoint, region, credentials, front door and stack "
        "outputs there as JSON",
    )
    args = parser.parse_args(argv)

    signal.signal(signal.SIGTERM, _raise_stop)
    try:
        with deployed(args, args.program_dir) as cloud:
            print(summary(cloud))
            if args.info_file is not None:
                _write_atomically(args.info_file, json.dumps(connection_info(cloud), indent=2))
            print("\nserving until interrupted (Ctrl-C)", flush=True)
            try:
                threading.Event().wait()
            finally:
                # A second signal must not cut the shutdown short (running executions stop).
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                print("stopping", flush=True)
    except (KeyboardInterrupt, _StopRequestedError):
        pass
    finally:
        if args.info_file is not None:
            args.info_file.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
