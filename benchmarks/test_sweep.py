"""The exact budget curve against a grid of per-point rebuilds, side by side.

The exact trace re-solves one warm HiGHS model; the grid rebuilds the Pyomo model at every
point, as a script without allocator would. Both on the NPVR instance and on a generated
instance of about 10,000 variables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from allocator.inputs.validate import load
from allocator.solving.modeldata import money_scale, to_model_data
from allocator.studies.sweep import sweep
from benchmarks.cases import pyomo_build_and_solve
from benchmarks.conftest import RESULTS, ROOT, instance_paths

#: Points of the rebuild grid: the full 1,000 on NPVR (about 100 s); on the 1e4 instance a
#: rebuilt point costs seconds, so 20 points give its per-point cost (1,000 would take ~40 min).
GRID = {"NPVR": 1000, "1e4 variables": 20}


@pytest.fixture(scope="module", params=["npvr", "1e4"])
def sweep_instance(request: pytest.FixtureRequest) -> tuple[str, Path]:
    if request.param == "npvr":
        return "NPVR", ROOT / "instances" / "npvr-2026.xlsx"
    return "1e4 variables", instance_paths(10_000)[0]


def test_exact_trace(benchmark: Any, sweep_instance: tuple[str, Path]) -> None:
    name, path = sweep_instance
    benchmark.group = f"budget curve, {name}"
    curve = benchmark.pedantic(sweep, args=(path,), rounds=3)
    RESULTS[("sweep", name, "exact")] = benchmark.stats.stats.median
    RESULTS[("sweep", name, "breakpoints")] = len(curve.breakpoints)
    RESULTS[("sweep", name, "solves")] = curve.lp_solves


def test_grid_of_pyomo_rebuilds(benchmark: Any, sweep_instance: tuple[str, Path]) -> None:
    import dataclasses

    name, path = sweep_instance
    instance = load(path)
    scale = money_scale(instance)
    base = to_model_data(instance, scale)
    curve = sweep(instance)
    points = GRID[name]
    budgets = np.linspace(curve.breakpoints[0].budget_eur, curve.breakpoints[-1].budget_eur,
                          points) / scale
    benchmark.group = f"budget curve, {name}"

    def grid() -> None:
        for b in budgets:
            pyomo_build_and_solve(dataclasses.replace(base, budget=float(b)))

    benchmark.pedantic(grid, rounds=1)
    RESULTS[("sweep", name, "grid_point")] = benchmark.stats.stats.median / points
    RESULTS[("sweep", name, "grid_points")] = points
