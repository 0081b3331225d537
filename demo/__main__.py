"""``./dev demo``: deploy this project's stack into localcloud, run every system's scenarios as a
client would, report each execution's path and result, and exit 1 unless every scenario passed."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from demo.report import report
from demo.scenario import run_all
from demo.scenarios import SCENARIOS
from localcloud.cli import add_deploy_options, deployed

PROGRAM_DIR = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./dev demo", description=__doc__)
    add_deploy_options(parser)
    args = parser.parse_args(argv)
    with deployed(args, PROGRAM_DIR) as cloud:
        results = run_all(cloud, SCENARIOS)
        report(cloud, results, sys.stdout)
    return 0 if all(outcome.passed for _, outcome in results) else 1


if __name__ == "__main__":
    sys.exit(main())
