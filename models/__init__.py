"""The allocation model as mathematics: plain sets and parameters in, a model out.

Nothing here reads files or knows the application. Two renderings of one formulation:

* :mod:`models.allocation` — the Pyomo model, written to be read (the reference);
* :mod:`models.matrix` — the same LP as sparse arrays, handed to HiGHS in one call
  (the hot path: its cost grows like the solver's, not like Python's).

A parity test keeps the two in step.
"""

from models.data import AllocationData
from models.matrix import LinearProgram, RowBlock, build_lp

__all__ = ["AllocationData", "LinearProgram", "RowBlock", "build_lp"]
