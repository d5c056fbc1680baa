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
"""

from __future__ import annotations

import dataclasses

import numpy as np
import scipy.sparse as sp

from allocator.errors import Status
from allocator.highs import Solver
from models.data import AllocationData, FloatArray, IntArray
from models.matrix import LinearProgram, build_lp, region_rows, with_parameter

#: The levels are lowered by this relative margin when they become minimums, so that the
#: solver's own tolerances cannot make the final LP infeasible.
MARGIN = 1e-9


def leximin_minimums(d: AllocationData, max_loss: float | None = None
                     ) -> FloatArray | None:
    """Per-region minimum allocation (model units) that realises the leximin coverage, or
    None if the rules cannot hold at all. ``max_loss`` bounds the weighted unmet need to
    (1 + max_loss) times its optimum without max-min."""
    base = build_lp(d)
    bound = None
    if max_loss is not None:
        best = Solver(base).run()
        if best.status != Status.OPTIMAL:
            return None
        bound = best.objective * (1.0 + max_loss) + 1e-9 * max(1.0, abs(best.objective))
    covered = d.covered_regions
    rising = np.ones(covered.size, dtype=bool)
    level = np.zeros(covered.size)
    while rising.any():
        sol = Solver(_round_lp(base, d, covered, rising, level, bound)).run()
        if sol.status != Status.OPTIMAL:
            return None
        t = float(sol.x[base.n_cols])
        dual = sol.row_dual[base.n_rows: base.n_rows + covered.size]
        held = rising & (dual > 1e-9)
        if not held.any() or t >= 1.0 - 1e-12:
            held = rising  # nothing holds t back but its own bound of 1
        level[held] = t
        rising &= ~held
    minimum = np.full(len(d.regions), np.nan)
    need, have = d.region_need[covered], d.region_covered[covered]
    minimum[covered] = np.maximum(level * (1.0 - MARGIN) * need - have, 0.0)
    if d.region_min is not None:
        minimum = np.fmax(minimum, d.region_min)
    return minimum


def with_leximin(d: AllocationData, max_loss: float | None = None) -> AllocationData | None:
    """``d`` with the leximin levels added as per-region minimums."""
    minimum = leximin_minimums(d, max_loss)
    return None if minimum is None else dataclasses.replace(d, region_min=minimum)


def _round_lp(base: LinearProgram, d: AllocationData, covered: IntArray, rising: np.ndarray,
              level: FloatArray, bound: float | None) -> LinearProgram:
    """``base`` plus the level t (maximised) and one coverage row per covered region:
    rising regions sum x - N t >= -E, fixed ones sum x >= c N - E; and U <= bound if given."""
    n = base.n_cols + 1
    need, have = d.region_need[covered], d.region_covered[covered]
    rows = region_rows(d, covered, np.where(rising, -need, 0.0), n)
    lower = np.where(rising, -have, level * need - have)
    upper = np.full(covered.size, np.inf)
    if bound is not None:  # U <= bound, written on the cells: -w.x <= bound - offset
        u_row = sp.csr_matrix((-d.weight, (np.zeros(d.n_cells, dtype=np.int64),
                                           np.arange(d.n_cells))), shape=(1, n))
        rows = sp.vstack([rows, u_row]).tocsr()
        lower = np.append(lower, -np.inf)
        upper = np.append(upper, bound - base.offset)
    return with_parameter(base, rows, lower, upper, sign=-1.0, upper=1.0)
