"""``python -m localcloud up [PROGRAM_DIR]``: deploy a stack of a Pulumi program into the
in-process AWS and serve its HTTP APIs until interrupted."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from localcloud.cli import add_deploy_options, deployed
from localcloud.provisioner import describe, outputs_json


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
    args = parser.parse_args(argv)

    with deployed(args, args.program_dir) as cloud:
        print(describe(cloud.resources))
        print(f"\nHTTP front door: {cloud.url}\nstack outputs:\n{outputs_json(cloud.outputs)}")
        print("\nserving until interrupted (Ctrl-C)", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            # A second Ctrl-C must not cut the shutdown short (running executions stop).
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            print("stopping")
    return 0


if __name__ == "__main__":
    sys.exit(main())
