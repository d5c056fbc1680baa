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
import scipy.sparse as sp

from allocator.errors import Status
from allocator.solving.highs import Solution, Solver
from models.builder import LinearProgram

#: A reduced cost or dual beyond this (relative to the largest weight, for columns) fixes a
#: column or holds a row.
FIXING_TOLERANCE = 1e-7
#: The QP's tolerances are absolute; scaling its objective sharpens the answer.
QP_SCALE = 1e3
#: The objective may rise by this relative amount in the tie-break.
STAGE_TOLERANCE = 1e-9
#: HiGHS's QP solver is an active-set method: one iteration per cell that ends between its
#: bounds, each costing a pass over the model. Measured on synthetic instances (make bench):
#: 0.05 s for 484 tied cells of 999, 0.6 s for 1,283 of 3,000, 3.4 s for 1,129 of 10,002.
#: Above this many tied cells the one-year engine skips the QP stage and says so.
QP_MAX_FREE_CELLS = 500
#: The QP needs about one iteration per tied cell (2,069 for 1,129 cells); beyond this bound
#: it is cycling, and the max-min optimum is reported instead, saying so.
QP_ITERATIONS_BASE = 1000
QP_ITERATIONS_PER_CELL = 20


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


def qp_on_free_columns(solver: Solver, hess_lower: sp.csc_matrix, linear: np.ndarray,
                       iterations: int) -> np.ndarray | None:
    """The QP min 1/2 x'Hx + linear'x over the rows and bounds ``solver`` holds now, solved
    afresh over its free columns only (fixed columns moved into the rows' bounds, rows left
    empty dropped), each column scaled by 1/sqrt(H_jj) so that the Hessian's diagonal is 1.

    HiGHS's active-set QP stops outside an equality row on the unscaled problem when the
    Hessian's diagonal spans many orders of magnitude (2e3/m for needs m from 1e-4 to 10 model
    units; seen on the binding family); scaled, it does not. All columns of the answer, or
    None when HiGHS's QP did not finish."""
    model = solver.h.getLp()
    n, m = model.num_col_, model.num_row_
    a = model.a_matrix_
    matrix = sp.csc_matrix((np.asarray(a.value_), np.asarray(a.index_), np.asarray(a.start_)),
                           shape=(m, n)).tocsr()
    lower, upper = np.asarray(model.col_lower_), np.asarray(model.col_upper_)
    row_lower, row_upper = np.asarray(model.row_lower_), np.asarray(model.row_upper_)
    h = sp.csr_matrix(hess_lower, shape=(n, n))
    h = (h + h.T - sp.diags(h.diagonal())).tocsr()
    free = np.flatnonzero(lower < upper)
    fixed = np.flatnonzero(lower >= upper)
    x = np.where(lower >= upper, lower, 0.0)
    shift = matrix[:, fixed] @ x[fixed]
    sub = matrix[:, free].tocsr()
    rows = np.flatnonzero(np.diff(sub.indptr) > 0)
    diag = h.diagonal()[free]
    scale = np.where(diag > 0, 1.0 / np.sqrt(np.where(diag > 0, diag, 1.0)), 1.0)
    d = sp.diags(scale)
    cost = (np.asarray(linear[:n])[free] + h[free][:, fixed] @ x[fixed]) * scale
    qp = LinearProgram(
        cost=cost, offset=0.0, col_lower=lower[free] / scale, col_upper=upper[free] / scale,
        matrix=(sub[rows] @ d).tocsc(), row_lower=row_lower[rows] - shift[rows],
        row_upper=row_upper[rows] - shift[rows], n_cells=free.size)
    fresh = Solver(qp, algorithm="simplex")
    fresh.set_hessian(sp.tril(d @ h[free][:, free] @ d).tocsc())
    fresh.use_qp_solver(iterations)
    answer = fresh.run()
    if answer.status != Status.OPTIMAL:
        return None
    x[free] = np.clip(answer.x * scale, lower[free], upper[free])
    return x


def max_min_stage(solver: Solver, rows: list[tuple[np.ndarray, np.ndarray]],
                  lower: list[float], upper: list[float], level: int) -> Solution | None:
    """Stage 2 of the one-year tie-break: add ``rows`` (column indices and values each, the
    objective's row first and the coverage rows over column ``level``), maximise ``level``
    alone, and hold it at its maximum for the stage after. Primal simplex goes on from the
    basis at hand: the rows leave it primal feasible with the level at 0 (dual simplex would
    first repair dual feasibility for every cell: 0.24 s against 1.7 s at 1e5 cells).
    None when it does not reach an optimum."""
    ptr = np.cumsum([0] + [len(r[0]) for r in rows])
    solver.add_rows(np.array(lower), np.array(upper), ptr[:-1],
                    np.concatenate([r[0] for r in rows]), np.concatenate([r[1] for r in rows]))
    cost = np.zeros(level + 1)
    cost[level] = -1.0
    solver.set_costs(cost)
    solver.use_primal_simplex()
    second = solver.run()
    if second.status != Status.OPTIMAL:
        return None
    solver.set_col_bounds(level, max(0.0, float(second.x[level]) - STAGE_TOLERANCE), 1.0)
    return second
