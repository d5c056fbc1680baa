"""Lexicographic max-min fairness: raise the lowest regional coverage as far as it goes, then
the next lowest, and so on (Radunović and Le Boudec's water-filling, as a sequence of LPs).

Each round maximises a common level t that every region not yet fixed must reach:

    max t   s.t.  E_r + Σ_g x_rg ≥ t·N_r   (regions still rising)
                  E_r + Σ_g x_rg ≥ c_r·N_r (regions fixed at their level c_r)
                  every rule of the instance;  U ≤ (1 + ε)·U*  when a loss bound ε is given

A region whose row has a positive dual in that LP is held at t in every optimum
(complementary slackness), so it is fixed at c_r = t; the others rise in the next round.
The result is a per-region minimum in euros, c_r·N_r − E_r: the ordinary engine then
minimises weighted unmet need under it, with its tie-break and its certificate. So the
max-min answer is certified like any other, and still spends what is left efficiently.

The rounds run on any model's LP: :class:`Coverages` says which coverages it has and how
each reads the LP's columns — a region in the one-year model, a region in each need
scenario (``robust``: the money that meets need there), a region in each year or over the
period (``agenda``: every funder's money). :func:`with_levels` then adds the levels as a
``max_min`` row block, which the model's own solve, tie-break and certificate take as they
take any rule.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import scipy.sparse as sp

from allocator.errors import Status
from allocator.solving.highs import Solver
from models.builder import Coverages, RowBlock
from models.data import AllocationData, FloatArray
from models.matrix import LinearProgram, build_lp, region_rows, with_parameter

#: The levels are lowered by this relative margin when they become minimums, so that the
#: solver's own tolerances cannot make the final LP infeasible.
MARGIN = 1e-9


def leximin_levels(lp: LinearProgram, cov: Coverages, max_loss: float | None = None
                   ) -> FloatArray | None:
    """The leximin coverage level of each coverage in ``cov``, subject to every row of
    ``lp`` (and its objective at most (1 + max_loss) times its optimum when given), or
    None if ``lp`` is infeasible."""
    bound = None
    if max_loss is not None:
        best = Solver(lp).run()
        if best.status != Status.OPTIMAL:
            return None
        bound = best.objective * (1.0 + max_loss) + 1e-9 * max(1.0, abs(best.objective))
    rising = np.ones(cov.size, dtype=bool)
    level = np.zeros(cov.size)
    while rising.any():
        sol = Solver(_round_lp(lp, cov, rising, level, bound)).run()
        if sol.status != Status.OPTIMAL:
            return None
        t = float(sol.x[lp.n_cols])
        dual = sol.row_dual[lp.n_rows: lp.n_rows + cov.size]
        held = rising & (dual > 1e-9)
        if not held.any() or t >= 1.0 - 1e-12:
            held = rising  # nothing holds t back but its own bound of 1
        level[held] = t
        rising &= ~held
    return level


def with_levels(lp: LinearProgram, cov: Coverages, levels: FloatArray) -> LinearProgram:
    """``lp`` with the block ``max_min``: each coverage at least its level (lowered by
    :data:`MARGIN`)."""
    lower = levels * (1.0 - MARGIN) * cov.need - cov.have
    start = lp.n_rows
    return dataclasses.replace(
        lp, matrix=sp.vstack([lp.matrix, cov.rows]).tocsc(),
        row_lower=np.concatenate([lp.row_lower, lower]),
        row_upper=np.concatenate([lp.row_upper, np.full(cov.size, np.inf)]),
        blocks=[*lp.blocks, RowBlock("max_min", start, start + cov.size, cov.over,
                                     np.asarray(cov.index, dtype=np.int64))])


def region_coverages(d: AllocationData, n_cols: int) -> Coverages:
    """The one-year model's coverages: one per region with need, on the cells x."""
    covered = d.covered_regions
    return Coverages(region_rows(d, covered, np.zeros(covered.size), n_cols),
                     d.region_need[covered], d.region_covered[covered], "region", covered)


def leximin_minimums(d: AllocationData, max_loss: float | None = None
                     ) -> FloatArray | None:
    """Per-region minimum allocation (model units) that realises the leximin coverage, or
    None if the rules cannot hold at all. ``max_loss`` bounds the weighted unmet need to
    (1 + max_loss) times its optimum without max-min."""
    base = build_lp(d)
    cov = region_coverages(d, base.n_cols)
    level = leximin_levels(base, cov, max_loss)
    if level is None:
        return None
    minimum = np.full(len(d.regions), np.nan)
    minimum[cov.index] = np.maximum(level * (1.0 - MARGIN) * cov.need - cov.have, 0.0)
    if d.region_min is not None:
        minimum = np.fmax(minimum, d.region_min)
    return minimum


def with_leximin(d: AllocationData, max_loss: float | None = None) -> AllocationData | None:
    """``d`` with the leximin levels added as per-region minimums."""
    minimum = leximin_minimums(d, max_loss)
    return None if minimum is None else dataclasses.replace(d, region_min=minimum)


def _round_lp(base: LinearProgram, cov: Coverages, rising: np.ndarray, level: FloatArray,
              bound: float | None) -> LinearProgram:
    """``base`` plus the level t (maximised, the last column) and one row per coverage:
    rising ones a.x - N t >= -E, fixed ones a.x >= c N - E; and the objective <= bound if
    given."""
    n = base.n_cols + 1
    t = sp.csr_matrix(np.where(rising, -cov.need, 0.0)[:, None])
    rows = sp.hstack([cov.rows, t]).tocsr()
    lower = np.where(rising, -cov.have, level * cov.need - cov.have)
    upper = np.full(cov.size, np.inf)
    if bound is not None:  # the objective, cost.x + offset <= bound
        objective = sp.csr_matrix(np.append(base.cost, 0.0)[None, :])
        rows = sp.vstack([rows, objective]).tocsr()
        lower = np.append(lower, -np.inf)
        upper = np.append(upper, bound - base.offset)
    assert rows.shape[1] == n
    return with_parameter(base, rows, lower, upper, sign=-1.0, upper=1.0)
