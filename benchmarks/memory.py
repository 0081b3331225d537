"""Peak memory of the demo: ``python -m demo`` run as a subprocess while its whole process tree
(the demo, the fork server, every Lambda worker) is sampled from /proc every ``SAMPLE_INTERVAL_S``.

The total is the sum of each process's resident set: pages that forked workers still share with
the fork server count once per process, so it is an upper bound on the memory the tree holds (on
one run, 1113 MB of summed RSS against 725 MB of PSS). PSS is not sampled: reading smaps_rollup of
the tree's 21 processes took 64 ms, longer than the sampling interval.
The demo's wall time comes with it: this one run is also a cold run of the demo (its first
deploy in a new process), which the bench need not pay for twice.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TextIO, TypedDict

from benchmarks.stats import summary, summary_line

PROGRAM_DIR = Path(__file__).resolve().parent.parent
PROC = Path("/proc")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
SAMPLE_INTERVAL_S = 0.05
OUTPUT_TAIL_CHARS = 2000


class MemoryFigures(TypedDict):
    peak_total_mb: float
    peak_main_mb: float
    most_processes: int
    samples: int
    wall_ms: float
    exit_code: int
    output_tail: str
    """The end of the demo's output when it failed, to see why; empty when it passed."""


@dataclass(frozen=True)
class ProcessInfo:
    parent: int
    rss_kb: int


@dataclass(frozen=True)
class TreeSample:
    total_kb: int
    root_kb: int
    processes: int


def measure() -> MemoryFigures:
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        demo = subprocess.Popen(
            [sys.executable, "-m", "demo"],
            cwd=PROGRAM_DIR,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        samples = _sample_until_exit(demo)
        wall_ms = (time.perf_counter() - started) * 1000
        tail = "" if demo.returncode == 0 else _tail(output)
    if not samples:
        raise RuntimeError("the demo ended before its memory could be sampled once")
    return {
        "peak_total_mb": max(sample.total_kb for sample in samples) / 1024,
        "peak_main_mb": max(sample.root_kb for sample in samples) / 1024,
        "most_processes": max(sample.processes for sample in samples),
        "samples": len(samples),
        "wall_ms": wall_ms,
        "exit_code": demo.returncode,
        "output_tail": tail,
    }


def _sample_until_exit(process: subprocess.Popen[bytes]) -> list[TreeSample]:
    """Samples of the process's tree, taken by a thread, until the process has exited (waited
    for here, so that its wall time is not rounded up to the sampling interval)."""
    samples: list[TreeSample] = []
    ended = threading.Event()

    def sample() -> None:
        next_sample = time.monotonic()
        while not ended.is_set():
            tree = tree_sample(process.pid)
            if tree.processes:
                samples.append(tree)
            # On a fixed schedule: the time a sample takes does not stretch the interval.
            next_sample += SAMPLE_INTERVAL_S
            ended.wait(max(0.0, next_sample - time.monotonic()))

    sampler = threading.Thread(target=sample, name="rss-sampler", daemon=True)
    sampler.start()
    process.wait()
    ended.set()
    sampler.join()
    return samples


def tree_sample(root: int, proc: Path = PROC, page_kb: int = PAGE_KB) -> TreeSample:
    """The resident set of ``root`` and all its descendants now; processes=0 when ``root`` has
    already gone."""
    processes = read_processes(proc, page_kb)
    tree = descendants(root, processes) | ({root} if root in processes else set())
    return TreeSample(
        total_kb=sum(processes[pid].rss_kb for pid in tree),
        root_kb=processes[root].rss_kb if root in processes else 0,
        processes=len(tree),
    )


def read_processes(proc: Path = PROC, page_kb: int = PAGE_KB) -> dict[int, ProcessInfo]:
    """Every process's parent and resident set, from ``proc``/<pid>/stat (a third of the cost
    of reading status, which matters every 50 ms). A process that ends while it is read is
    left out."""
    processes = {}
    for name in os.listdir(proc):
        if not name.isdigit():
            continue
        try:
            with open(f"{proc}/{name}/stat", "rb") as stat:
                processes[int(name)] = parse_stat(stat.read(), page_kb)
        except OSError:  # it ended (ENOENT, ESRCH) after the directory was listed
            continue
    return processes


def parse_stat(stat: bytes, page_kb: int = PAGE_KB) -> ProcessInfo:
    """The parent and resident set of a /proc/<pid>/stat line, "pid (comm) state ppid ...".
    comm may hold spaces and parentheses, so fields are counted after its last ")"; rss, the
    24th field, is in pages (0 for a kernel thread or a zombie)."""
    after_comm = stat.rsplit(b")", 1)[1].split()
    return ProcessInfo(parent=int(after_comm[1]), rss_kb=int(after_comm[21]) * page_kb)


def descendants(root: int, processes: dict[int, ProcessInfo]) -> set[int]:
    """Every process whose chain of parents leads to ``root``, ``root`` itself left out."""
    children: dict[int, list[int]] = {}
    for pid, info in processes.items():
        children.setdefault(info.parent, []).append(pid)
    found: set[int] = set()
    waiting = list(children.get(root, []))
    while waiting:
        pid = waiting.pop()
        if pid not in found:
            found.add(pid)
            waiting.extend(children.get(pid, []))
    return found


def _tail(output: IO[bytes]) -> str:
    output.seek(0)
    return output.read().decode(errors="replace")[-OUTPUT_TAIL_CHARS:]


def report(figures: MemoryFigures, out: TextIO) -> None:
    verdict = "passed" if figures["exit_code"] == 0 else "FAILED"
    wall = summary([figures["wall_ms"]])
    out.write(
        f"{'peak RSS of the demo, its whole process tree':<52} {figures['peak_total_mb']:9.1f} MB"
        f"   (summed over its processes, {figures['samples']} samples"
        f" every {SAMPLE_INTERVAL_S * 1000:.0f} ms)\n"
        f"{'peak RSS of the demo process itself':<52} {figures['peak_main_mb']:9.1f} MB\n"
        f"{'most processes in the tree at once':<52} {figures['most_processes']:9d}\n"
        f"{summary_line('./dev demo wall time (new process, cold)', wall)}"
        f"   exit code {figures['exit_code']} ({verdict})\n"
    )
    if figures["output_tail"]:
        out.write(f"  the demo's output ended:\n{figures['output_tail']}\n")
