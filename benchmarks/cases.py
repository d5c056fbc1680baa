"""The work each benchmark times, and a command line to run one case in a fresh process.

Every case solves the same LP (the synthetic instance's stage-1 LP: least weighted unmet need
under floor, gap and goal shares) with the same HiGHS settings: one thread, simplex below
``IPM_THRESHOLD`` columns and interior point with crossover above it.

- ``highspy``: the LP built from in-memory arrays and handed to highspy in one call, with no
  allocator code between them but the matrix builder: what a solver benchmark calls the
  floor.
- ``allocator``: ``allocator solve --tie-break none --no-fairness-price --no-next-million
  --json`` end to end
  (the stage-1 LP alone, what a solver benchmark compares): read the CSV
  folder, validate, build, solve, certify, write the JSON.
- ``pyomo``: the reference Pyomo model built and solved through ``appsi_highs``.

``python -m benchmarks.cases CASE PATH`` runs one case once; the suite runs it so in a child
process to read the child's peak memory (``ru_maxrss``), which no in-process tool can see
once HiGHS allocates in C++.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

from models.data import AllocationData

IPM_THRESHOLD = 200_000  # the same rule as allocator.solving.highs


def save_arrays(data: AllocationData, path: Path) -> None:
    """The model's input arrays, for a baseline process that starts from arrays."""
    arrays = {k: v for k, v in vars(data).items() if isinstance(v, np.ndarray)}
    scalars = {k: v for k, v in vars(data).items() if not isinstance(v, np.ndarray)}
    np.savez(path, **arrays, _scalars=np.array(repr(scalars)))


def load_arrays(path: Path) -> AllocationData:
    import ast

    with np.load(path) as z:
        fields = {k: z[k] for k in z.files if k != "_scalars"}
        fields.update(ast.literal_eval(str(z["_scalars"])))
    return AllocationData(**fields)


def highspy_from_arrays(data: AllocationData) -> float:
    """Build the LP from arrays, pass it to highspy in one call, solve; the objective."""
    import highspy

    from models.matrix import build_lp

    lp = build_lp(data)
    h = highspy._core._Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("solver", "ipm" if lp.n_cols > IPM_THRESHOLD else "simplex")
    a = lp.matrix
    h.passModel(lp.n_cols, lp.n_rows, int(a.nnz), 1, 1, float(lp.offset), lp.cost,
                lp.col_lower, lp.col_upper, lp.row_lower, lp.row_upper,
                a.indptr[:-1].astype(np.int32), a.indices.astype(np.int32), a.data,
                np.zeros(lp.n_cols, dtype=np.int32))
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return float(h.getInfo().objective_function_value)


def pyomo_build_and_solve(data: AllocationData) -> float:
    import pyomo.environ as pyo

    from models.allocation import build_model

    model = build_model(data)
    opt = pyo.SolverFactory("appsi_highs")
    opt.highs_options = {"threads": 1,
                         "solver": "ipm" if data.n_cells > IPM_THRESHOLD else "simplex"}
    opt.solve(model)
    return float(pyo.value(model.unmet))


def allocator_end_to_end(folder: Path, tie_break: str = "none") -> int:
    from allocator.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        return main(["solve", str(folder), "--tie-break", tie_break, "--no-report", "-q",
                     "--no-fairness-price", "--no-next-million",
                     "--json", str(Path(tmp) / "result.json")])


def main(argv: list[str]) -> int:
    case, path = argv[0], Path(argv[1])
    if case == "allocator":
        return allocator_end_to_end(path)
    data = load_arrays(path)
    {"highspy": highspy_from_arrays, "pyomo": pyomo_build_and_solve}[case](data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
