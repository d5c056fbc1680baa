"""The tie-break's stages, shared by every model: max-min coverage among the optima
(:func:`max_min_stage`, the one-year LP's stage 2) and the point nearest a target in the
need-weighted distance sum_c (x_c - p_c)^2 / m_c, a QP over the free columns alone
(:func:`qp_on_free_columns`, the last stage of the one-year LP, the reduced LP, robust and
the agenda, with one size rule: :data:`QP_MAX_FREEDOM`).

:func:`nearest_on_optimal_face` is that last stage for robust and the agenda. Stage 2 and
the last stage solve on the same free columns (:class:`Face`); :class:`Edits` holds a
tie-break's changes to an LP on this side, where no HiGHS instance need hold them.

The objective is held within 1e-9 of its optimum by one added row; columns and rows that
complementary slackness pins in every optimum are fixed first (a nonzero reduced cost fixes
a column at its value, a nonzero dual holds a row at that side), so the QP only moves what
is truly tied and cannot spend the objective's slack. The QP is strictly convex in the
allocation columns, so the answer is unique and independent of row or id order.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import scipy.sparse as sp

from allocator.errors import Status
from allocator.solving.highs import Refused, Solution, Solver, with_rows
from models.builder import LinearProgram

#: A reduced cost or dual beyond this (relative to the largest weight, for columns) fixes a
#: column or holds a row.
FIXING_TOLERANCE = 1e-7
#: The QP's tolerances are absolute; scaling its objective sharpens the answer.
QP_SCALE = 1e3
#: The objective may rise by this relative amount in the tie-break.
STAGE_TOLERANCE = 1e-9
#: The one size rule of the tie-break's last stage, on every model it runs on (the one-year
#: LP, the reduced LP, robust, the agenda): the QP over the free columns
#: (:func:`qp_on_free_columns`) runs when its degrees of freedom, the free columns its
#: presolve leaves less its equality rows, are at most this many. HiGHS's active-set method
#: starts at a vertex and frees about one direction per iteration, each costing more as the
#: null space grows, so the degrees of freedom, not the free columns, are what costs.
#: Measured on make bench's instances: a binding 1e4 instance leaves 1,627 free columns and
#: 4 degrees of freedom (6 iterations, 0.06 s); a binding 1e5 one 46 on its reduced LP (71
#: iterations); an easy 1e3 one, where equal weights tie every cell, 368 (755 iterations,
#: 0.09 s); easy 3e3 1,062 (1,000 iterations did not finish: 0.2 s); easy 1e4 3,335 (64 s
#: to the end); easy 1e5 33,869 (1,000 iterations took 5.7 s). A count, not a clock: the
#: same instance gets the same answer on any machine.
QP_MAX_FREEDOM = 500
#: A QP within that size takes about two iterations per degree of freedom; this many more
#: means it is cycling (seen on badly scaled 5-cell instances found by the fuzz tests).
QP_MAX_ITERATIONS = 1000 + 4 * QP_MAX_FREEDOM
#: Passes of the QP's presolve (rows over one free column made bounds; each pass can leave
#: other rows with one).
PRESOLVE_PASSES = 3


def nearest_on_optimal_face(solver: Solver, lp: LinearProgram, x: np.ndarray,
                            col_dual: np.ndarray, row_dual: np.ndarray, cost: np.ndarray,
                            value: float, need: np.ndarray, target: np.ndarray,
                            weight_scale: float) -> np.ndarray | None:
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
    try:
        solver.add_rows(np.array([-np.inf]), np.array([value + tol]), np.array([0]), priced,
                        cost[priced])
    except Refused:
        return None
    positive = need > 0
    hess = np.zeros(lp.n_cols)
    hess[:n][positive] = QP_SCALE * 2.0 / need[positive]
    linear = np.zeros(lp.n_cols)
    linear[:n][positive] = QP_SCALE * -2.0 * target[positive] / need[positive]
    hessian = sp.diags(hess).tocsc()
    tied, _ = qp_on_free_columns(solver, hessian, linear)
    if tied is None and tight.size:
        # Rows held at their bounds as well as fixed columns can leave HiGHS's QP no room
        # within its tolerances (seen with the coverage gap in every agenda year): free the
        # rows again; the objective row still keeps the QP on the optimal face.
        solver.set_row_bounds(tight, lp.row_lower[tight], lp.row_upper[tight])
        tied, _ = qp_on_free_columns(solver, hessian, linear)
    return tied


#: HiGHS refuses a matrix coefficient of this size or more (its ``large_matrix_value``).
LARGEST_COEFFICIENT = 1e15


class Edits:
    """An LP changed as a tie-break changes its solver (columns fixed, rows held, a column
    and rows added), kept on this side: where the stages after stage 1 solve on the free
    columns alone (:class:`Face`), they need the changed model, not a HiGHS instance that
    holds it. The pipeline's warm answers take their tie-break on one, so the solver that
    answered stage 1 stays as it was without a copy of it (a HiGHS instance made, given
    the basis, changed and read back: 6 ms of each answer's 60 at 1e4 cells)."""

    def __init__(self, lp: LinearProgram) -> None:
        self.lp = lp
        self.col_lower, self.col_upper = lp.col_lower.copy(), lp.col_upper.copy()
        self.row_lower, self.row_upper = lp.row_lower.copy(), lp.row_upper.copy()
        self.rows: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # as Solver's
        self.runs, self.seconds = 0, 0.0

    def fix_cols(self, cols: np.ndarray, values: np.ndarray) -> None:
        self.col_lower[cols] = self.col_upper[cols] = values

    def set_row_bounds(self, rows: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        self.row_lower[rows], self.row_upper[rows] = lower, upper

    def add_col(self, cost: float, lower: float, upper: float) -> int:
        del cost  # the stages set their own objectives
        self.col_lower = np.append(self.col_lower, lower)
        self.col_upper = np.append(self.col_upper, upper)
        return self.col_lower.size - 1

    def add_rows(self, lower: np.ndarray, upper: np.ndarray, starts: np.ndarray,
                 index: np.ndarray, value: np.ndarray) -> None:
        """As :meth:`Solver.add_rows`, :class:`Refused` where HiGHS would refuse them."""
        value = np.asarray(value, dtype=float)
        if value.size and np.abs(value).max() >= LARGEST_COEFFICIENT:
            raise Refused("HiGHS refuses the rows")
        self.rows.append((np.append(starts, len(index)), np.asarray(index), value))
        self.row_lower = np.append(self.row_lower, lower)
        self.row_upper = np.append(self.row_upper, upper)

    def model(self) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """As :meth:`Solver.model`: the matrix, column bounds and row bounds now."""
        return (with_rows(self.lp.matrix, self.rows, self.col_lower.size), self.col_lower,
                self.col_upper, self.row_lower, self.row_upper)


class Face:
    """The free part of the model a solver holds now, as an LP of its own: its columns the
    ones its presolve (:func:`_presolved`) leaves free, each scaled by 1/sqrt(H_jj) for the
    QP's Hessian H (given by its lower triangle) so that the Hessian's diagonal is 1, the
    fixed ones moved into the rows' bounds, the rows that cannot bind dropped.

    Stage 2 (:meth:`maximise`) and the last stage (:meth:`nearest`) both solve on it, so
    the model is read and presolved once, and stage 2 solves 1,627 columns instead of the
    10,004 a binding 1e4 instance's solver holds (5 ms cold against 24 ms warm).

    HiGHS's active-set QP stops outside an equality row on the unscaled problem when the
    Hessian's diagonal spans many orders of magnitude (2e3/m for needs m from 1e-4 to 10
    model units; seen on the binding family); scaled, it does not."""

    def __init__(self, solver: Solver | Edits, hess_lower: sp.csc_matrix) -> None:
        self.solver = solver
        matrix, lower, upper, row_lower, row_upper = solver.model()
        n = matrix.shape[1]
        h = sp.csr_matrix(hess_lower, shape=(n, n))
        self.diagonal = h.nnz == np.count_nonzero(h.diagonal())  # one-year model's, robust's
        if not self.diagonal:
            h = (h + h.T - sp.diags(h.diagonal())).tocsr()
        self.h = h
        lo, up, rows = _presolved(matrix, lower, upper, row_lower, row_upper)
        self.lo, self.up = lo, up
        self.free = np.flatnonzero(lo < up)
        self.x = np.where(lo >= up, lo, 0.0)  # the fixed columns at their values
        fixed = np.flatnonzero(lo >= up)
        self.fixed = fixed
        free = self.free
        shift = matrix[:, fixed] @ self.x[fixed]
        diag = h.diagonal()[free]
        self.scale = np.where(diag > 0, 1.0 / np.sqrt(np.where(diag > 0, diag, 1.0)), 1.0)
        self.positive = diag > 0
        self.lp = LinearProgram(
            cost=np.zeros(free.size), offset=0.0, col_lower=lo[free] / self.scale,
            col_upper=up[free] / self.scale,
            matrix=(matrix[rows][:, free] @ sp.diags(self.scale)).tocsc(),
            row_lower=row_lower[rows] - shift[rows], row_upper=row_upper[rows] - shift[rows],
            n_cells=free.size)
        #: the QP's degrees of freedom: its free columns less its equality rows
        self.freedom = int(free.size - np.count_nonzero(self.lp.row_lower
                                                        == self.lp.row_upper))

    def full(self, z: np.ndarray) -> np.ndarray:
        """Every column of the model from the face's (scaled) columns ``z``."""
        x = self.x.copy()
        x[self.free] = np.clip(z * self.scale, self.lo[self.free], self.up[self.free])
        return x

    def maximise(self, column: int) -> np.ndarray | None:
        """Every column of a point of the face where model column ``column`` (one the
        Hessian leaves out: unscaled) is highest, that column then held at least at that
        value (less :data:`STAGE_TOLERANCE`) for the stages after; None when HiGHS does
        not reach an optimum."""
        at = int(np.searchsorted(self.free, column))
        if at == self.free.size or self.free[at] != column:  # fixed: it is what it is
            return self.x.copy()
        cost = np.zeros(self.free.size)
        cost[at] = -1.0
        answer = self._on_behalf(Solver(dataclasses.replace(self.lp, cost=cost),
                                        algorithm="simplex"))
        if answer.status != Status.OPTIMAL:
            return None
        top = float(answer.x[at])
        self.lp.col_lower[at] = max(self.lp.col_lower[at], top - STAGE_TOLERANCE)
        return self.full(answer.x)

    def nearest(self, linear: np.ndarray) -> np.ndarray | None:
        """The QP min 1/2 x'Hx + linear'x over the face: every column of its answer, or
        None when it has more than :data:`QP_MAX_FREEDOM` degrees of freedom or HiGHS's QP
        did not finish."""
        free = self.free
        if not free.size:
            return self.x.copy()
        if self.freedom > QP_MAX_FREEDOM:
            return None
        cost = np.asarray(linear[:self.x.size])[free] * self.scale
        h = self.h
        if not self.diagonal:  # the fixed columns' part of the gradient
            cost = cost + (h[free][:, self.fixed] @ self.x[self.fixed]) * self.scale
        fresh = Solver(dataclasses.replace(self.lp, cost=cost), algorithm="simplex")
        d = sp.diags(self.scale)
        fresh.set_hessian(sp.diags(self.positive.astype(float)).tocsc() if self.diagonal
                          else sp.tril(d @ h[free][:, free] @ d).tocsc())
        fresh.use_qp_solver(QP_MAX_ITERATIONS)
        answer = self._on_behalf(fresh)
        if answer.status != Status.OPTIMAL:
            return None
        return self.full(answer.x)

    def _on_behalf(self, fresh: Solver) -> Solution:
        """``fresh`` run, counted as a run of the model's own solver (its runs, its
        seconds)."""
        answer = fresh.run()
        self.solver.runs += 1
        self.solver.seconds += fresh.seconds
        return answer


def qp_on_free_columns(solver: Solver, hess_lower: sp.csc_matrix, linear: np.ndarray
                       ) -> tuple[np.ndarray | None, int]:
    """The QP min 1/2 x'Hx + linear'x over the rows and bounds ``solver`` holds now, solved
    afresh over its free columns only (:class:`Face`). Returns all columns of the answer
    (None when the QP has more than :data:`QP_MAX_FREEDOM` degrees of freedom or HiGHS's
    QP did not finish) and the QP's degrees of freedom."""
    face = Face(solver, hess_lower)
    return face.nearest(linear), face.freedom


def _presolved(matrix: sp.csr_matrix, lower: np.ndarray, upper: np.ndarray,
               row_lower: np.ndarray, row_upper: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The same feasible set with fewer rows: a row over one free column is that column's
    bounds (a column its bounds then pin is fixed, which may leave other rows with one),
    and a row no point in the columns' box can violate is dropped. Returns the columns'
    bounds and the rows the QP keeps. On the one-year tie-break of a binding 1e4 instance:
    15,012 rows over the free columns, 7,489 of them on one column, 3,875 never binding."""
    lo, up = lower.astype(float), upper.astype(float)
    keep = np.ones(matrix.shape[0], dtype=bool)
    for _ in range(PRESOLVE_PASSES):
        free = lo < up
        on = matrix[:, free] if not free.all() else matrix
        x = np.where(free, 0.0, lo)
        rl, ru = row_lower - matrix @ x, row_upper - matrix @ x
        count = np.diff(on.indptr)
        single = np.flatnonzero(keep & (count == 1))
        if not single.size:
            keep &= count > 0
            break
        where = np.flatnonzero(free)[on.indices[on.indptr[single]]]
        a = on.data[on.indptr[single]]
        with np.errstate(divide="ignore", invalid="ignore"):
            low = np.where(a > 0, rl[single], ru[single]) / a
            high = np.where(a > 0, ru[single], rl[single]) / a
        np.maximum.at(lo, where, np.nan_to_num(low, nan=-np.inf))
        np.minimum.at(up, where, np.nan_to_num(high, nan=np.inf))
        # a row held at its bound pins its column to within the solver's tolerance: there
        # the bounds may cross by a rounding error, and the column is fixed where they meet
        crossed = lo > up
        lo[crossed] = up[crossed] = np.clip((lo[crossed] + up[crossed]) / 2,
                                            lower[crossed], upper[crossed])
        keep[single] = False
        keep &= count > 0
    free = lo < up
    x = np.where(free, 0.0, lo)
    rl, ru = row_lower - matrix @ x, row_upper - matrix @ x
    on = matrix[:, free]
    positive, negative = on.maximum(0), on.minimum(0)
    least = positive @ lo[free] + negative @ up[free]
    most = positive @ up[free] + negative @ lo[free]
    keep &= (np.diff(on.indptr) > 0) & ~((least >= rl) & (most <= ru))
    return lo, up, np.flatnonzero(keep)


def stacked(rows: list[tuple[np.ndarray, np.ndarray]]
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows given one by one (column indices and values each) as one block: each row's
    start, then all indices and all values."""
    ptr = np.cumsum([0] + [len(r[0]) for r in rows])
    return (ptr[:-1], np.concatenate([r[0] for r in rows]),
            np.concatenate([r[1] for r in rows]))


def max_min_stage(solver: Solver | Edits, rows: tuple[np.ndarray, np.ndarray, np.ndarray],
                  lower: np.ndarray, upper: np.ndarray, level: int,
                  hess_lower: sp.csc_matrix) -> tuple[Face, np.ndarray] | None:
    """Stage 2 of the one-year tie-break: add ``rows`` (each row's start, the column indices
    and the values: the objective's row first and the coverage rows over column ``level``)
    to the model ``solver`` holds, and maximise ``level`` alone on its free columns (the
    :class:`Face` of the last stage's Hessian ``hess_lower``, where ``level`` is then held
    at its maximum). Returns the face, for the last stage, and every column of stage 2's
    answer; None when it does not reach an optimum."""
    starts, index, value = rows
    try:
        solver.add_rows(np.asarray(lower, dtype=float), np.asarray(upper, dtype=float),
                        starts, index, value)
    except Refused:  # a coverage row's coefficient beyond what HiGHS takes
        return None
    face = Face(solver, hess_lower)
    second = face.maximise(level)
    return None if second is None else (face, second)
