"""The NPVR instance solved with its report in a new process, against the bare imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.conftest import RESULTS, ROOT


def run(*args: str) -> None:
    subprocess.run([sys.executable, *args], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def test_bare_imports(benchmark: Any) -> None:
    benchmark.group = "NPVR, new process"
    benchmark.pedantic(run, args=("-c", "import pyomo.environ, pandas, openpyxl, highspy"),
                       rounds=5, warmup_rounds=1)
    RESULTS[("npvr", "", "imports")] = benchmark.stats.stats.median


def test_npvr_solve_with_report(benchmark: Any, tmp_path: Path) -> None:
    benchmark.group = "NPVR, new process"
    benchmark.pedantic(run, args=("-m", "allocator", "solve",
                                  str(ROOT / "instances" / "npvr-2026.xlsx"),
                                  "--out", str(tmp_path / "r.xlsx"), "-q"),
                       rounds=5, warmup_rounds=1)
    RESULTS[("npvr", "", "solve")] = benchmark.stats.stats.median
