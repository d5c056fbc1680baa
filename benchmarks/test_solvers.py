"""HiGHS's algorithms on the exported stage-1 LP, against allocator's reduced LP.

``allocator export`` writes the LP the engine solves (MPS, names that map back to rules,
regions and goals); each case reads that file into a fresh HiGHS and solves it with one
algorithm and one thread: dual simplex, interior point with and without crossover, and PDLP
where the installed highspy has it. ``plain-ranged`` is the plain script a benchmarker
would write (the gap as one ranged row per region over one level column, IPM). The
reduced-LP path (``aggregate``) solves the same LP
through ``allocator.solving.aggregate``. The table (conftest) gives each as a ratio to the
``highspy`` case of the scale table, the LP built from arrays and solved as ``auto`` would
without the reduced LP. ``BENCH_SOLVERS_MAX`` (default 1e5 variables) bounds the sizes: at
1e6 on the binding family each whole-LP algorithm takes ten minutes or more.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from benchmarks.conftest import RESULTS, family_of

#: name -> HiGHS options
ALGORITHMS: dict[str, dict[str, object]] = {
    "simplex": {"solver": "simplex"},
    "ipm": {"solver": "ipm"},
    "ipm-no-crossover": {"solver": "ipm", "run_crossover": "off"},
    # first order: at 1e5 variables on the binding family it had not converged after several
    # minutes, so it stops at a minute and the table says so
    "pdlp": {"solver": "pdlp", "time_limit": 60.0},
}


def exported(folder: Path) -> Path:
    """The instance's stage-1 LP as MPS, written once beside the cached instance."""
    from allocator.inputs.validate import load
    from allocator.reports.export import write_model

    path = folder / "model.mps"
    if not path.exists():
        write_model(load(folder), path)
    return path


def solve_file(path: Path, options: dict[str, object]) -> str:
    """Read the MPS file into a fresh HiGHS, solve it with ``options``; the model status."""
    import highspy

    h = highspy._core._Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    for key, value in options.items():
        if h.setOptionValue(key, value) != highspy.HighsStatus.kOk:
            return "not available"
    h.readModel(str(path))
    h.run()
    return str(h.getModelStatus()).rsplit(".", 1)[-1].removeprefix("k")


def plain_ranged(folder: Path) -> str:
    """The plain script a solver benchmarker would write for the same problem: the gap as
    one ranged row per region over one level column t (t <= coverage_r <= t + delta,
    normalised by the region's gross need) instead of two rows and two levels, the other
    rows as the engine builds them, HiGHS's interior point method with crossover."""
    import numpy as np
    import scipy.sparse as sp

    from allocator.inputs.validate import load
    from allocator.solving import highs
    from allocator.solving.modeldata import money_scale, to_model_data
    from models.matrix import LinearProgram, build_lp

    instance = load(folder)
    d = to_model_data(instance, money_scale(instance))
    lp = build_lp(d)
    if d.max_coverage_gap is None:
        return highs.Solver(lp, algorithm="ipm").run().status.value
    keep = np.ones(lp.n_rows, dtype=bool)
    for block in lp.blocks:
        if block.rule in ("coverage_low", "coverage_high", "coverage_gap"):
            keep[block.rows] = False
    levels = [lp.columns["coverage_min"], lp.columns["coverage_max"]]
    cols = np.setdiff1d(np.arange(lp.n_cols), levels)
    a = lp.matrix.tocsr()[keep][:, cols]
    covered = d.covered_regions
    need = d.region_need[covered]
    position = np.full(len(d.regions), -1)
    position[covered] = np.arange(covered.size)
    cells = np.flatnonzero(position[d.cell_region] >= 0)
    ranged = sp.csr_matrix(
        (np.concatenate([1.0 / need[position[d.cell_region[cells]]], -np.ones(covered.size)]),
         (np.concatenate([position[d.cell_region[cells]], np.arange(covered.size)]),
          np.concatenate([cells, np.full(covered.size, cols.size)]))),
        shape=(covered.size, cols.size + 1))
    start = -d.region_covered[covered] / need
    plain = LinearProgram(
        cost=np.append(lp.cost[cols], 0.0), offset=lp.offset,
        col_lower=np.append(lp.col_lower[cols], 0.0), col_upper=np.append(lp.col_upper[cols], 1.0),
        matrix=sp.vstack([sp.hstack([a, sp.csr_matrix((a.shape[0], 1))]), ranged]).tocsc(),
        row_lower=np.concatenate([lp.row_lower[keep], start]),
        row_upper=np.concatenate([lp.row_upper[keep], start + float(d.max_coverage_gap)]),
        n_cells=lp.n_cells)
    return highs.Solver(plain, algorithm="ipm").run().status.value


def aggregated(folder: Path) -> float:
    """Stage 1 through the reduced LP, from the model's arrays (as the highspy case)."""
    from allocator.inputs.validate import load
    from allocator.solving import aggregate
    from allocator.solving.modeldata import money_scale, to_model_data
    from models.matrix import build_lp

    instance = load(folder)
    d = to_model_data(instance, money_scale(instance))
    return aggregate.solve(build_lp(d), d).solution.objective


@pytest.mark.parametrize("algorithm", [*ALGORITHMS, "plain-ranged", "aggregate"])
def test_algorithm_on_the_exported_lp(benchmark: Any, instance: tuple[int, Path, Path],
                                      algorithm: str) -> None:
    n, folder, _ = instance
    if n > int(float(os.environ.get("BENCH_SOLVERS_MAX", "1e5"))):
        pytest.skip("above BENCH_SOLVERS_MAX")
    benchmark.group = f"{family_of(folder)}, {n:.0e} variables, HiGHS algorithms"
    row = f"{family_of(folder)}|{n}"
    if algorithm == "aggregate":
        benchmark.pedantic(aggregated, args=(folder,), rounds=1)
        RESULTS[("solvers", row, algorithm)] = (benchmark.stats.stats.median, "optimal")
        return
    if algorithm == "plain-ranged":
        status = benchmark.pedantic(plain_ranged, args=(folder,), rounds=1)
        RESULTS[("solvers", row, algorithm)] = (benchmark.stats.stats.median, status)
        return
    path = exported(folder)
    status = benchmark.pedantic(solve_file, args=(path, ALGORITHMS[algorithm]), rounds=1)
    RESULTS[("solvers", row, algorithm)] = (benchmark.stats.stats.median, status)
    benchmark.extra_info["status"] = status
