"""allocator: share a public budget over regions and goals, leaving the least weighted need unmet.

The Python API mirrors the command line::

    import allocator
    result = allocator.solve("instances/npvr-2026.xlsx", budget=500e6)
    result.allocation      # pandas DataFrame: region, goal, amount_eur
    result.coverage        # per region, before and after
    result.certificate     # feasibility and optimality checked outside the solver

Heavy libraries load on first use, so ``import allocator`` and ``allocator --help`` stay quick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from allocator.errors import InputError, Status
    from allocator.inputs.instance import Instance, Policy
    from allocator.inputs.validate import load
    from allocator.solving.engine import solve
    from allocator.solving.result import Result

_LAZY = {
    "solve": "allocator.solving.engine",
    "load": "allocator.inputs.validate",
    "Instance": "allocator.inputs.instance",
    "Policy": "allocator.inputs.instance",
    "Result": "allocator.solving.result",
    "InputError": "allocator.errors",
    "Status": "allocator.errors",
}

__all__ = ["Instance", "InputError", "Policy", "Result", "Status", "load", "solve"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'allocator' has no attribute {name!r}")
