"""The tie-break stage shared by the robust allocation and the agenda: among the optima of
an LP, the point nearest a target in the need-weighted distance sum_c (x_c - p_c)^2 / m_c.

The objective is held within 1e-9 of its optimum by one added row; columns and rows that
complementary slackness pins in every optimum are fixed first (a nonzero reduced cost fixes
a column at its value, a nonzero dual holds a row at that side), so the QP only moves what
is truly tied and cannot spend the objective's slack. The QP is strictly convex in the
allocation columns, so the answer is unique and independent of row or id order. (The
one-year engine has its own stages: max-min coverage before the QP.)
"""

from __future__ import annotations

import numpy as np

from allocator.errors import Status
from allocator.solving.highs import Solver
from models.builder import LinearProgram

#: A reduced cost or dual beyond this (relative to the largest weight, for columns) fixes a
#: column or holds a row.
FIXING_TOLERANCE = 1e-7
#: The QP's tolerances are absolute; scaling its objective sharpens the answer.
QP_SCALE = 1e3
#: The objective may rise by this relative amount in the tie-break.
STAGE_TOLERANCE = 1e-9


def nearest_on_optimal_face(solver: Solver, lp: LinearProgram, x: np.ndarray,
                            col_dual: np.ndarray, row_dual: np.ndarray, cost: np.ndarray,
                            value: float, need: np.ndarray, target: np.ndarray,
                            weight_scale: float, iterations: int) -> np.ndarray | None:
    """The columns of the optimum nearest ``target`` on the first ``len(need)`` columns, or
    None when HiGHS's QP did not finish. ``cost`` and ``value`` are the last stage's
    objective (without offset) and its optimal value; ``x``, ``col_dual`` and ``row_dual``
    its solution."""
    n = need.size
    fixed = np.flatnonzero(np.abs(col_dual) > FIXING_TOLERANCE * max(1.0, weight_scale))
    if fixed.size:
        solver.fix_cols(fixed, x[fixed])
    tight = np.flatnonzero(np.abs(row_dual) > FIXING_TOLERANCE)
    if tight.size:
        at = np.where(row_dual[tight] > 0, lp.row_lower[tight], lp.row_upper[tight])
        solver.set_row_bounds(tight, at, at)
    priced = np.flatnonzero(cost)
    tol = STAGE_TOLERANCE * max(1.0, abs(value))
    solver.add_rows(np.array([-np.inf]), np.array([value + tol]), np.array([0]), priced,
                    cost[priced])
    positive = need > 0
    hess = np.zeros(lp.n_cols)
    hess[:n][positive] = QP_SCALE * 2.0 / need[positive]
    linear = np.zeros(lp.n_cols)
    linear[:n][positive] = QP_SCALE * -2.0 * target[positive] / need[positive]
    solver.set_costs(linear)
    solver.set_hessian_diagonal(hess)
    solver.use_qp_solver(iterations)
    tied = solver.run()
    if tied.status != Status.OPTIMAL and tight.size:
        # Rows held at their bounds as well as fixed columns can leave HiGHS's QP no room
        # within its tolerances (seen with the coverage gap in every agenda year): free the
        # rows again; the objective row still keeps the QP on the optimal face.
        solver.set_row_bounds(tight, lp.row_lower[tight], lp.row_upper[tight])
        tied = solver.run()
    return np.asarray(tied.x) if tied.status == Status.OPTIMAL else None
