"""Time and peak memory at 1e3..1e6 variables: allocator against highspy and Pyomo.

Timings are pytest-benchmark measurements in this process (imports done, so they compare the
work, not interpreter start-up); peak memory comes from one fresh child process per case.
Nothing is asserted about speed: the figures are printed side by side (see conftest).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks.cases import (
    allocator_end_to_end,
    highspy_from_arrays,
    load_arrays,
    pyomo_build_and_solve,
)
from benchmarks.conftest import RESULTS, ROOT, family_of


def rounds(n: int) -> int:
    return 5 if n <= 10_000 else 3 if n <= 100_000 else 1


def peak_mb(*command: str) -> float:
    """Peak resident memory of a fresh process running the command, in MB."""
    proc = subprocess.Popen([sys.executable, *command], cwd=ROOT, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, command
    return usage.ru_maxrss / 1024  # kB on Linux


def record(benchmark: Any, n: int, folder: Path, case: str, command: tuple[str, ...]) -> None:
    row = f"{family_of(folder)}|{n}"
    RESULTS[("time", row, case)] = benchmark.stats.stats.median
    mb = peak_mb(*command)
    RESULTS[("memory", row, case)] = mb
    benchmark.extra_info["peak_mb"] = round(mb, 1)


def baseline_allowed(n: int) -> None:
    """``BENCH_BASELINE_MAX`` (default 1e6 variables) bounds the sizes of the whole-LP
    baselines (highspy, Pyomo): on the binding family at 1e6 one highspy run did not finish
    in 25 minutes, and each case runs twice (time, then peak memory)."""
    if n > int(float(os.environ.get("BENCH_BASELINE_MAX", "1e6"))):
        pytest.skip("above BENCH_BASELINE_MAX")


def test_highspy_from_arrays(benchmark: Any, instance: tuple[int, Path, Path]) -> None:
    n, folder, arrays = instance
    baseline_allowed(n)
    data = load_arrays(arrays)
    benchmark.group = f"{family_of(folder)}, {n:.0e} variables"
    benchmark.pedantic(highspy_from_arrays, args=(data,), rounds=rounds(n))
    record(benchmark, n, folder, "highspy",
           ("-m", "benchmarks.cases", "highspy", str(arrays)))


def test_allocator_end_to_end(benchmark: Any, instance: tuple[int, Path, Path]) -> None:
    n, folder, _ = instance
    benchmark.group = f"{family_of(folder)}, {n:.0e} variables"
    code = benchmark.pedantic(allocator_end_to_end, args=(folder,), rounds=rounds(n))
    assert code == 0
    record(benchmark, n, folder, "allocator",
           ("-m", "benchmarks.cases", "allocator", str(folder)))


def test_pyomo_build_and_solve(benchmark: Any, instance: tuple[int, Path, Path]) -> None:
    n, folder, arrays = instance
    baseline_allowed(n)
    if n > int(float(os.environ.get("BENCH_PYOMO_MAX", "1e6"))):
        pytest.skip("above BENCH_PYOMO_MAX")
    data = load_arrays(arrays)
    benchmark.group = f"{family_of(folder)}, {n:.0e} variables"
    benchmark.pedantic(pyomo_build_and_solve, args=(data,), rounds=1 if n > 10_000 else 3)
    record(benchmark, n, folder, "pyomo", ("-m", "benchmarks.cases", "pyomo", str(arrays)))


def test_tie_break_against_stage_one(benchmark: Any, instance: tuple[int, Path, Path]) -> None:
    """The shipped tie-break's extra solver time, as a ratio to stage 1 (both inside HiGHS)."""
    import allocator

    n, folder, _ = instance
    benchmark.group = f"{family_of(folder)}, {n:.0e} variables, tie-break"
    result = benchmark.pedantic(allocator.solve, args=(folder,),
                                kwargs={"fairness_price": False, "marginal": False}, rounds=1)
    seconds = result.seconds
    RESULTS[("tie-break", f"{family_of(folder)}|{n}", "ratio")] = (
        (seconds["stage1"] + seconds["tie_break"]) / seconds["stage1"])
    benchmark.extra_info.update(stage1_s=seconds["stage1"], tie_break_s=seconds["tie_break"])
