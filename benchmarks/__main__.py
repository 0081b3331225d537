"""``./dev bench``: the figures users of this project ask for, measured by one command.

1. What one business transaction of each flow costs on AWS, next to the seed's design
   (``cost``: counted from a localcloud run, priced from ``pricing``).
2. How fast the loop is (``loop``: the program under mocks, a localcloud deploy, each demo
   scenario cold and warm) and how it scales (``scale``: sustained executions per second with 1,
   10 and 50 clients, and where latency grows).
3. How cold a start is (``cold_start``: each handler module's import in a new process, and its
   archive's size).
4. Peak memory of the demo (``memory``).

    ./dev bench            the figures as text
    ./dev bench --json     the same figures as JSON, to compare commits

Times are the median, min and max of repeated runs; counts are exact.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from benchmarks import cold_start, cost, loop, memory, scale


def machine() -> dict[str, Any]:
    """What the figures were taken on: they mean little without it."""
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


Section = tuple[str, Callable[[], Any], Callable[[Any, TextIO], None]]


def sections(args: argparse.Namespace) -> list[Section]:
    return [
        ("cost", lambda: cost.measure(args.transactions), cost.report),
        ("loop", loop.measure, loop.report),
        ("scale", scale.measure, scale.report),
        ("cold_start", lambda: cold_start.measure(args.repeats), cold_start.report),
        ("memory", memory.measure, memory.report),
    ]


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {number}")
    return number


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./dev bench", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--transactions", type=_positive, default=5, help="metered per flow")
    parser.add_argument("--repeats", type=_positive, default=3, help="cold imports per function")
    args = parser.parse_args(argv)

    figures: dict[str, Any] = {"machine": machine(), "seconds": {}}
    started = time.perf_counter()
    for name, measure, report in sections(args):
        section_started = time.perf_counter()
        figures[name] = measure()
        figures["seconds"][name] = round(time.perf_counter() - section_started, 1)
        if not args.json:
            report(figures[name], sys.stdout)
            print(flush=True)
    figures["seconds"]["total"] = round(time.perf_counter() - started, 1)
    if args.json:
        json.dump(figures, sys.stdout, indent=2, default=str)
        print()
    else:
        about = figures["machine"]
        load = f"{about['load_average'][0]:.2f}" if about["load_average"] else "unknown"
        taken = ", ".join(f"{name} {seconds} s" for name, seconds in figures["seconds"].items())
        print(
            f"Taken {about['date']} on {about['cpu']} ({about['cores']} cores, load {load}),"
            f" Python {about['python']}; {taken}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
