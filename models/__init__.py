"""The allocation model as mathematics: plain sets and parameters in, a model out.

Nothing here reads files or knows the application. Two renderings of one formulation:

* :mod:`models.allocation` — the Pyomo model, written to be read (the reference);
* :mod:`models.matrix` — the same LP as sparse arrays, handed to HiGHS in one call
  (the hot path: its cost grows like the solver's, not like Python's).

A parity test keeps the two in step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from models.data import AllocationData
    from models.matrix import LinearProgram, RowBlock, build_lp

__all__ = ["AllocationData", "LinearProgram", "RowBlock", "build_lp"]

#: Loaded on first use, so that the rules (and the command line's --help, which reads their
#: parameters) import without the sparse-matrix stack.
_LAZY = {"AllocationData": "models.data", "LinearProgram": "models.matrix",
         "RowBlock": "models.matrix", "build_lp": "models.matrix"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'models' has no attribute {name!r}")
