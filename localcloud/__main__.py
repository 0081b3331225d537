"""``python -m localcloud up|demo``: deploy the program into the in-process AWS."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time

from localcloud.clock import MODES, Clock
from localcloud.cloud import deploy
from localcloud.demo import report, run_all
from localcloud.provisioner import describe, outputs_json
from localcloud.scenarios import SCENARIOS


def _config(pairs: list[str]) -> dict[str, str]:
    config = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"--config takes key=value, not {pair!r}")
        config[key] = value
    return config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localcloud", description=__doc__)
    parser.add_argument("command", choices=["up", "demo"])
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
    args = parser.parse_args(argv)

    started = time.monotonic()
    with deploy(args.stack, _config(args.config), clock=Clock(args.clock), port=args.port) as cloud:
        print(
            f"deployed stack {args.stack!r} into localcloud in {time.monotonic() - started:.1f} s"
        )
        if args.command == "up":
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
        results = run_all(cloud, SCENARIOS)
        report(cloud, results, sys.stdout)
        return 0 if all(outcome.passed for _, outcome in results) else 1


if __name__ == "__main__":
    sys.exit(main())
