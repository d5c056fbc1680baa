"""Speed, measured side by side in one process (pytest-benchmark), never asserted.

Run with ``make bench``. Each group compares allocator against a baseline measured in the
same run: the same LP fed to highspy as arrays, the plain Pyomo build, bare imports.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyomo.environ as pyo
import pytest

import allocator
from allocator.generate import synthetic_tables, write_csv_folder
from allocator.highs import Solver
from allocator.modeldata import money_scale, to_model_data
from models.allocation import build_model
from models.matrix import build_lp

ROOT = Path(__file__).resolve().parents[1]
SIZES = [333, 3_333]  # areas; x 3 goals = about 1e3 and 1e4 variables


@pytest.fixture(scope="module", params=SIZES, ids=lambda n: f"{3 * n}vars")
def synthetic(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_csv_folder(tmp_path_factory.mktemp("bench") / "i",
                            synthetic_tables(request.param))


def test_allocator_end_to_end(benchmark, synthetic: Path) -> None:  # type: ignore[no-untyped-def]
    benchmark.group = f"stage 1, {synthetic.parent.name}"
    benchmark(allocator.solve, synthetic, tie_break="none")


def test_highspy_from_arrays(benchmark, synthetic: Path) -> None:  # type: ignore[no-untyped-def]
    inst = allocator.load(synthetic)
    lp = build_lp(to_model_data(inst, money_scale(inst)))
    benchmark.group = f"stage 1, {synthetic.parent.name}"
    benchmark(lambda: Solver(lp).run())


def test_pyomo_build_and_solve(benchmark, synthetic: Path) -> None:  # type: ignore[no-untyped-def]
    inst = allocator.load(synthetic)
    data = to_model_data(inst, money_scale(inst))
    benchmark.group = f"stage 1, {synthetic.parent.name}"
    benchmark.pedantic(lambda: pyo.SolverFactory("appsi_highs").solve(build_model(data)),
                       rounds=3)


def test_npvr_solve_with_report(benchmark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    benchmark.group = "NPVR, new process"
    out = tmp_path / "r.xlsx"
    benchmark.pedantic(subprocess.run, args=([sys.executable, "-m", "allocator", "solve",
                                              str(ROOT / "instances" / "npvr-2026.xlsx"),
                                              "--out", str(out), "-q"],), rounds=5)


def test_bare_imports(benchmark) -> None:  # type: ignore[no-untyped-def]
    benchmark.group = "NPVR, new process"
    benchmark.pedantic(subprocess.run, args=([sys.executable, "-c",
                                              "import pyomo.environ, pandas, openpyxl, highspy"],),
                       rounds=5)
