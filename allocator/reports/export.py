"""The stage-1 LP of an instance as a file another solver reads: MPS (``.mps``) or CPLEX LP
(``.lp``), written by HiGHS itself, with readable names.

Columns are ``x.<region>.<goal>`` (the allocation of a cell, in model units of money: the
command says how many euros a unit is), ``budget`` and the columns rules add (``coverage_min``,
``shortfall_tier_1.<region>`` …); rows carry their rule's name and the region or goal they
belong to (``coverage_floor.<region>``). The objective is weighted unmet need (plus the
tier penalty) in the same units, its constant included.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import numpy as np

from allocator.inputs.instance import Instance
from allocator.output import atomic_write
from models.builder import LinearProgram

FORMATS = (".mps", ".lp")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.]")  # a "-" would read as a minus in LP files


def _name(text: str) -> str:
    return _UNSAFE.sub("_", text) or "_"


def readable(ids: tuple[str, ...]) -> list[str]:
    """Each id made safe for MPS and LP files and still told apart: ids that clean to the
    same name (``a b`` and ``a_b``) each keep a short fingerprint of the id as written."""
    import zlib

    cleaned = [_name(i) for i in ids]
    counts: dict[str, int] = {}
    for c in cleaned:
        counts[c] = counts.get(c, 0) + 1
    return [c if counts[c] == 1 else f"{c}_{zlib.crc32(i.encode()):08x}"
            for i, c in zip(ids, cleaned, strict=True)]


def names(lp: LinearProgram, regions: tuple[str, ...], goals: tuple[str, ...],
          cell_region: np.ndarray, cell_goal: np.ndarray) -> tuple[list[str], list[str]]:
    """Column and row names, unique, readable and safe for MPS and LP files."""
    regions, goals = tuple(readable(regions)), tuple(readable(goals))
    cols = [f"x.{regions[r]}.{goals[g]}"
            for r, g in zip(cell_region, cell_goal, strict=True)]
    cols += [f"c{j}" for j in range(len(cols), lp.n_cols)]
    starts = sorted((first, name) for name, first in lp.columns.items())
    for k, (first, name) in enumerate(starts):
        stop = starts[k + 1][0] if k + 1 < len(starts) else lp.n_cols
        for j in range(first, stop):
            cols[j] = name if stop - first == 1 else f"{name}.{j - first}"
    rows = [f"r{i}" for i in range(lp.n_rows)]
    labels = {"region": regions, "goal": goals}
    for block in lp.blocks:
        keys = labels.get(block.over)
        for i, row in enumerate(range(block.start, block.stop)):
            index = int(block.index[i]) if i < len(block.index) else i
            where = keys[index] if keys is not None else str(index)
            rows[row] = block.rule if block.stop - block.start == 1 and not block.over \
                else f"{block.rule}.{where}"
    return _unique(cols), _unique(rows)


def _unique(items: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for item in items:
        count = seen.get(item, 0)
        seen[item] = count + 1
        out.append(item if not count else f"{item}.{count}")
    return out


def write_model(instance: Instance, path: str | Path) -> float:
    """Write the instance's stage-1 LP (every rule in force) to ``path`` (.mps or .lp);
    the euros in one unit of the model's money."""
    from allocator.solving.highs import Solver
    from allocator.solving.modeldata import money_scale, to_model_data
    from models.matrix import build_lp

    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise ValueError(f"{path}: give a .mps or .lp file")
    scale = money_scale(instance)
    d = to_model_data(instance, scale)
    lp = build_lp(d)
    solver = Solver(lp)
    cols, rows = names(lp, d.regions, d.goals, d.cell_region, d.cell_goal)
    for j, name in enumerate(cols):
        solver.h.passColName(j, name)
    for i, name in enumerate(rows):
        solver.h.passRowName(i, name)

    def write(tmp: Path) -> None:
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / f"model{path.suffix.lower()}"
            solver.h.writeModel(str(target))
            tmp.write_bytes(target.read_bytes())

    atomic_write(path, write)
    return scale
