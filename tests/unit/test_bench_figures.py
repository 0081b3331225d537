"""The benchmarks' arithmetic on hand-written numbers: where latency grows, the 90th percentile,
the resident set of a process tree read from a fake /proc, and what `./dev bench --json` writes.
Nothing here times anything."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import __main__ as bench
from benchmarks.memory import ProcessInfo, descendants, parse_stat, read_processes, tree_sample
from benchmarks.scale import LevelFigures, latency_grows_at, level_figures, percentile_90

PAGE_KB = 4


def _level(clients: int, median_ms: float) -> LevelFigures:
    return {
        "clients": clients,
        "executions_per_s": 1.0,
        "median_ms": median_ms,
        "p90_ms": median_ms,
        "max_ms": median_ms,
        "n": 1,
    }


@pytest.mark.parametrize(
    ("medians", "grows_at"),
    [
        ({1: 30.0, 10: 176.8, 50: 1108.1}, 10),
        ({1: 30.0, 10: 60.0, 50: 60.1}, 50),  # exactly twice is not more than twice
        ({1: 30.0, 10: 45.0, 50: 59.9}, None),
        ({1: 30.0}, None),
    ],
)
def test_latency_grows_at_the_lowest_level_past_twice_the_one_client_median(medians, grows_at):
    levels = [_level(clients, median) for clients, median in medians.items()]
    assert latency_grows_at(levels) == grows_at


def test_the_baseline_is_the_lowest_level_whatever_the_order_given():
    levels = [_level(50, 100.0), _level(10, 41.0), _level(1, 20.0)]
    assert latency_grows_at(levels) == 10


def test_level_figures_from_latencies_and_elapsed_time():
    latencies = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0]
    assert level_figures(10, latencies, elapsed_s=2.0) == {
        "clients": 10,
        "executions_per_s": 5.0,
        "median_ms": 55.0,
        "p90_ms": 91.0,
        "max_ms": 100.0,
        "n": 10,
    }


def test_the_90th_percentile_of_one_sample_is_that_sample():
    assert percentile_90([42.0]) == 42.0


def _stat(pid: int, comm: str, parent: int, rss_pages: int) -> str:
    # The fields of proc(5) up to rss (the 24th), the ones not read left 0.
    middle = " ".join(["0"] * 19)
    return f"{pid} ({comm}) S {parent} {middle} {rss_pages} 0 0\n"


def test_a_stat_line_gives_the_parent_and_the_resident_set_in_kb():
    info = parse_stat(_stat(7, "python", 3, 250).encode(), page_kb=PAGE_KB)
    assert info == ProcessInfo(parent=3, rss_kb=1000)


def test_a_command_name_with_spaces_and_parentheses_does_not_shift_the_fields():
    info = parse_stat(_stat(7, "a (b) c)", 3, 250).encode(), page_kb=PAGE_KB)
    assert info == ProcessInfo(parent=3, rss_kb=1000)


def _fake_proc(root: Path, processes: dict[int, tuple[int, int]]) -> Path:
    """A /proc with a stat file for each pid: {pid: (parent, rss pages)}, plus entries that are
    not processes."""
    for pid, (parent, rss_pages) in processes.items():
        (root / str(pid)).mkdir()
        (root / str(pid) / "stat").write_text(_stat(pid, f"p{pid}", parent, rss_pages))
    (root / "self").mkdir()
    (root / "meminfo").write_text("MemTotal: 1 kB\n")
    return root


# 100 is the demo; 101 its fork server, whose children 102 and 103 are workers; 104 a worker
# started the plain way; 200 and 201 another program; 2 a kernel thread (no resident set).
TREE = {
    1: (0, 10),
    2: (0, 0),
    100: (1, 1000),
    101: (100, 200),
    102: (101, 30),
    103: (101, 40),
    104: (100, 5),
    200: (1, 7000),
    201: (200, 9000),
}


def test_descendants_follow_every_generation_and_nothing_else():
    processes = {pid: ProcessInfo(parent, rss) for pid, (parent, rss) in TREE.items()}
    assert descendants(100, processes) == {101, 102, 103, 104}
    assert descendants(102, processes) == set()


def test_read_processes_skips_entries_that_are_not_processes(tmp_path):
    processes = read_processes(_fake_proc(tmp_path, TREE), page_kb=PAGE_KB)
    assert sorted(processes) == sorted(TREE)
    assert processes[101] == ProcessInfo(parent=100, rss_kb=800)


def test_the_tree_sample_sums_the_root_and_all_its_descendants(tmp_path):
    sample = tree_sample(100, _fake_proc(tmp_path, TREE), page_kb=PAGE_KB)
    assert (sample.total_kb, sample.root_kb, sample.processes) == (
        (1000 + 200 + 30 + 40 + 5) * PAGE_KB,
        1000 * PAGE_KB,
        5,
    )


def test_a_root_that_has_gone_is_an_empty_sample(tmp_path):
    sample = tree_sample(999, _fake_proc(tmp_path, TREE), page_kb=PAGE_KB)
    assert (sample.total_kb, sample.root_kb, sample.processes) == (0, 0, 0)


def test_bench_json_holds_every_sections_figures_the_machine_and_the_time_taken(
    monkeypatch, capsys
):
    def fake_sections(_args):
        return [
            ("cost", lambda: {"flows": [{"key": "api-item"}]}, lambda figures, out: None),
            ("memory", lambda: {"peak_total_mb": 12.5}, lambda figures, out: None),
        ]

    monkeypatch.setattr(bench, "sections", fake_sections)
    assert bench.main(["--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["cost"] == {"flows": [{"key": "api-item"}]}
    assert figures["memory"] == {"peak_total_mb": 12.5}
    assert set(figures["seconds"]) == {"cost", "memory", "total"}
    assert {"date", "cpu", "cores", "python"} <= set(figures["machine"])


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        (["--transactions", "0"], "--transactions: must be 1 or more, not 0"),
        (["--repeats", "x"], "--repeats: must be a whole number, not 'x'"),
    ],
)
def test_bench_refuses_counts_it_cannot_measure_with(argument, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        bench.main(argument)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err
