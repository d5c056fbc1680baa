"""The optimum as one column's fixed value moves: a parametric right-hand side, traced by
dual-simplex pivots from an optimal basis.

The LP is ``min c'x  s.t.  L <= A x <= U, l <= x <= u`` with one column ``p`` fixed at a
value θ (the budget). With row activities ``r = A x`` as variables of their own, every
basis holds ``m`` of the ``n + m`` variables, and on the interval of θ over which a basis
stays primal feasible the optimum is linear in θ: the basic values move along
``-B⁻¹ a_p``, the duals do not move, and the slope of the optimum is the column's reduced
cost. Where a basic variable reaches a bound, the curve has (possibly) a breakpoint; one
dual-simplex pivot with that variable leaving gives the basis that is optimal beyond it.
Each breakpoint therefore costs one pivot, not the one or two solves of the sandwich
method, and nothing is re-solved: the basis is held here as a factorisation of its small
kernel (the rows whose activity is not basic, against the basic columns, with the few
dense rows ordered last) plus an eta file, made anew every :data:`REFACTOR` pivots.

The trace is not trusted for itself: every point it gives is certified by the caller as
any solve is, and :func:`trace` gives up (returns ``None``) where a pivot is unsafe; the
caller then falls back to solving.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import scipy.sparse as sp

from models.data import FloatArray

#: A new factorisation of the basis after this many pivots (the eta file grows with each).
REFACTOR = 32
#: Entries below this (relative to the largest in their vector) are no pivot.
PIVOT_TOLERANCE = 1e-9
#: Primal and dual feasibility tolerances (model units), as HiGHS's defaults.
PRIMAL_TOLERANCE = 1e-7
DUAL_TOLERANCE = 1e-7
#: Pivots allowed per variable of the LP before the trace gives up (cycling, numerics).
PIVOTS_PER_VARIABLE = 4
SPARE_PIVOTS = 100


class Singular(ArithmeticError):
    """The basis could not be factorised, or a pivot was too small to trust."""


class Factor:
    """B⁻¹ for a basis of ``[A, -I]``: the kernel A[rows whose activity is nonbasic, basic
    columns] in SuperLU, the basic activities by substitution, then an eta per pivot."""

    def __init__(self, a: sp.csc_matrix, heads: np.ndarray) -> None:
        m, n = a.shape
        self.m, self.n = m, n
        structural = heads < n
        self.pos_s = np.flatnonzero(structural)  # positions of basic columns
        self.pos_r = np.flatnonzero(~structural)  # positions of basic activities
        self.cols = heads[self.pos_s]
        self.rows_r = heads[self.pos_r] - n  # rows whose activity is basic
        in_r = np.zeros(m, dtype=bool)
        in_r[self.rows_r] = True
        rows_k = np.flatnonzero(~in_r)
        if rows_k.size != self.cols.size:
            raise Singular("basis of the wrong size")
        basic = a[:, self.cols].tocsr()
        kernel = basic[rows_k]
        # dense rows (the budget, shares, the gap) last: SuperLU's fill stays small
        order = np.argsort(np.diff(kernel.indptr), kind="stable")
        self.rows_k = rows_k[order]
        self.rest = basic[self.rows_r]  # the basic activities' rows, over the basic columns
        self.rest_t = self.rest.T.tocsr()
        if self.cols.size:
            try:
                # imported here: scipy.sparse.linalg adds 76 MB of data to a process (a
                # server's workers preload this module, under a memory limit)
                import scipy.sparse.linalg as sla

                self.lu = sla.splu(kernel[order].tocsc(), permc_spec="COLAMD",
                                   diag_pivot_thresh=0.01)
            except (RuntimeError, ImportError, MemoryError) as err:
                raise Singular(str(err)) from err  # "Factor is exactly singular"
        self.etas: list[tuple[int, np.ndarray, np.ndarray, float]] = []

    def _solve(self, rhs: FloatArray) -> FloatArray:
        """B0⁻¹ rhs (rhs over rows, the answer over positions)."""
        v = np.empty(self.m)
        zs = self.lu.solve(rhs[self.rows_k]) if self.cols.size else np.empty(0)
        v[self.pos_s] = zs
        v[self.pos_r] = (self.rest @ zs if self.cols.size else 0.0) - rhs[self.rows_r]
        return v

    def _solve_t(self, c: FloatArray) -> FloatArray:
        """B0⁻ᵀ c (c over positions, the answer over rows)."""
        y = np.empty(self.m)
        y[self.rows_r] = -c[self.pos_r]
        if self.cols.size:
            y[self.rows_k] = self.lu.solve(c[self.pos_s] - self.rest_t @ y[self.rows_r],
                                           trans="T")
        return y

    def ftran(self, rhs: FloatArray) -> FloatArray:
        v = self._solve(rhs)
        for p, idx, w, wp in self.etas:
            vp = v[p] / wp
            if vp != 0.0:
                v[idx] -= w * vp
            v[p] = vp
        return v

    def btran(self, c: FloatArray) -> FloatArray:
        u = np.array(c, dtype=float)
        for p, idx, w, wp in reversed(self.etas):
            up = u[p]
            u[p] = (up * (1.0 + wp) - u[idx] @ w) / wp
        return self._solve_t(u)

    def update(self, p: int, w: FloatArray) -> None:
        """The basis with the variable at position ``p`` replaced by the one whose FTRAN
        column is ``w``."""
        idx = np.flatnonzero(w)
        self.etas.append((p, idx, w[idx], float(w[p])))


class Trace:
    """The basis, values and reduced costs of an optimum, moved along θ by pivots.

    Variables are the columns, then the rows' activities; ``heads[p]`` is the variable
    basic at position ``p``. A nonbasic variable can enter rising (``rises``: at its lower
    bound, or free) or falling (``falls``: at its upper, or free); fixed ones never enter.
    """

    def __init__(self, a: sp.csc_matrix, cost: FloatArray, offset: float,
                 lower: FloatArray, upper: FloatArray, param: int, theta: float,
                 basic: np.ndarray, values: FloatArray) -> None:
        self.m, self.n = a.shape
        self.a = a.tocsc()
        self.at = a.T.tocsr()
        self.cost = np.concatenate([cost, np.zeros(self.m)])
        self.offset = offset
        self.lower = np.asarray(lower, float).copy()
        self.upper = np.asarray(upper, float).copy()
        self.param = param
        self.lower[param] = self.upper[param] = theta
        self.theta = theta
        self.heads = np.flatnonzero(basic)
        if self.heads.size != self.m:
            raise Singular("the basis does not hold one variable per row")
        self.z = np.asarray(values, float).copy()  # nonbasic values (basic: see xb)
        self.is_basic = np.asarray(basic, bool).copy()
        fixed = self.lower == self.upper
        at_lower = np.isfinite(self.lower) & (self.z <= self.lower + PRIMAL_TOLERANCE)
        at_upper = np.isfinite(self.upper) & (self.z >= self.upper - PRIMAL_TOLERANCE)
        nonbasic = ~self.is_basic & ~fixed
        self.rises = nonbasic & ~at_upper
        self.falls = nonbasic & ~at_lower
        # nonbasic variables sit exactly on their bound
        self.z = np.where(~self.is_basic & at_lower, self.lower,
                          np.where(~self.is_basic & at_upper, self.upper, self.z))
        self.pivots = 0
        if self.is_basic[param]:
            raise Singular("the parameter's column is basic")
        self.refactor()

    def column(self, j: int) -> FloatArray:
        """Column j of [A, -I], dense."""
        out = np.zeros(self.m)
        if j < self.n:
            lo, hi = self.a.indptr[j], self.a.indptr[j + 1]
            out[self.a.indices[lo:hi]] = self.a.data[lo:hi]
        else:
            out[j - self.n] = -1.0
        return out

    def refactor(self) -> None:
        """A fresh factorisation; the basic values and the duals recomputed from it."""
        self.factor = Factor(self.a, self.heads)
        zn = np.where(self.is_basic, 0.0, self.z)
        self.xb = -self.factor.ftran(self.a @ zn[: self.n] - zn[self.n:])
        self.lb, self.ub = self.lower[self.heads], self.upper[self.heads]
        self.y = self.factor.btran(self.cost[self.heads])
        self.d = self.cost - np.concatenate([self.at @ self.y, -self.y])
        self.d[self.heads] = 0.0
        self.direction = -self.factor.ftran(self.column(self.param))

    @property
    def slope(self) -> float:
        """Of the optimum in θ, on the segment from here (the parameter's reduced cost)."""
        return float(self.d[self.param])

    def x(self) -> FloatArray:
        """The columns' values at θ."""
        z = self.z.copy()
        z[self.heads] = self.xb
        return z[: self.n]

    def objective(self) -> float:
        return float(self.cost[: self.n] @ self.x() + self.offset)

    def status(self) -> np.ndarray:
        """The basis in HiGHS's codes, columns then rows: 1 basic, 2 at the upper bound, 3
        free at zero, 0 at the lower bound (fixed ones too)."""
        free = ~np.isfinite(self.lower) & ~np.isfinite(self.upper)
        upper = (self.z == self.upper) & (self.lower != self.upper)
        return np.where(self.is_basic, 1, np.where(upper, 2, np.where(free, 3, 0)))

    def row_dual(self) -> FloatArray:
        """The rows' duals, in HiGHS's sign convention."""
        return self.y.copy()

    def advance(self, stop: float) -> bool:
        """Move θ to the next breakpoint or to ``stop``, whichever comes first; True where
        a basic variable reached a bound (and leaves at the next pivot)."""
        delta = self.direction
        size = np.abs(delta)
        moves = size > PIVOT_TOLERANCE * max(float(size.max(initial=0.0)), 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            room = np.where(delta > 0, self.ub - self.xb, self.lb - self.xb)
            step = np.where(moves, np.maximum(room / delta, 0.0), np.inf)
        least = float(step.min(initial=np.inf))
        hit = self.theta + least <= stop
        go = least if hit else stop - self.theta
        if go > 0:
            self.xb += go * delta
            self.theta += go
            self.z[self.param] = self.lower[self.param] = self.upper[self.param] = self.theta
        if hit:
            # Harris: of the rows that reach a bound within a tolerance of the first, the
            # one moving fastest per unit of θ leaves (the most stable pivot)
            with np.errstate(divide="ignore"):
                near = np.flatnonzero(step <= least + PRIMAL_TOLERANCE / size)
            self.leaving = int(near[np.argmax(size[near])])
        return hit

    def pivot(self) -> bool:
        """One dual-simplex pivot at the breakpoint: the variable that reached its bound
        leaves; False where no variable can enter (the rules cannot hold beyond θ)."""
        p = self.leaving
        leaves = int(self.heads[p])
        sign = 1.0 if self.direction[p] > 0 else -1.0  # leaves at its upper (+) or lower
        unit = np.zeros(self.m)
        unit[p] = 1.0
        rho = self.factor.btran(unit)
        alpha = np.concatenate([self.at @ rho, -rho])
        if sign < 0:
            alpha = -alpha
        big = float(np.max(np.abs(alpha), initial=0.0))
        if big == 0.0:
            return False
        tol = PIVOT_TOLERANCE * max(big, 1.0)
        cand = np.flatnonzero(((alpha > tol) & self.rises) | ((alpha < -tol) & self.falls))
        if not cand.size:
            return False
        ad, aa = np.abs(self.d[cand]), np.abs(alpha[cand])
        ratio = ad / aa
        within = ratio <= np.min((ad + DUAL_TOLERANCE) / aa)
        q = int(cand[within][np.argmax(aa[within])])
        t = self.d[q] / alpha[q]
        w = self.factor.ftran(self.column(q))
        if abs(w[p] - alpha[q] * sign) > 1e-6 * max(1.0, abs(w[p])):
            raise Singular("the pivot's row and column disagree")
        # duals
        self.d -= t * alpha
        self.d[q] = 0.0
        self.d[leaves] = -sign * t
        self.y += sign * t * rho
        # the basis: q in at its value, the leaving variable out at its bound
        out = self.ub[p] if sign > 0 else self.lb[p]
        self.z[leaves] = out
        self.is_basic[leaves], self.is_basic[q] = False, True
        fixed = self.lower[leaves] == self.upper[leaves]
        self.rises[leaves] = not fixed and sign < 0  # out at its lower: it can rise
        self.falls[leaves] = not fixed and sign > 0
        self.rises[q] = self.falls[q] = False
        self.heads[p] = q
        self.xb[p] = self.z[q]
        self.lb[p], self.ub[p] = self.lower[q], self.upper[q]
        self.factor.update(p, w)
        self.pivots += 1
        if len(self.factor.etas) >= REFACTOR:
            self.refactor()
        else:
            d = self.direction
            dp = d[p] / w[p]
            d -= w * dp
            d[p] = dp
        return True


def trace(a: sp.csc_matrix, cost: FloatArray, offset: float, col_lower: FloatArray,
          col_upper: FloatArray, row_lower: FloatArray, row_upper: FloatArray, param: int,
          start: float, stop: float, basic: np.ndarray, x: FloatArray,
          row_activity: FloatArray) -> Iterator[Trace]:
    """The optimum as column ``param``'s value runs from ``start`` to ``stop``, from an
    optimal basis at ``start`` (``basic``: a mask over the columns, then the rows, as HiGHS
    gives it; ``x`` and ``row_activity`` its values).

    Yields the trace at ``start``, after each pivot (at a point where the slope may change;
    ``slope`` is the slope from there) and at the end: ``stop``, or the last value at which
    the LP is feasible. Raises :class:`Singular` where it cannot go on safely (the caller
    solves instead).
    """
    lower = np.concatenate([col_lower, row_lower])
    upper = np.concatenate([col_upper, row_upper])
    t = Trace(a, cost, offset, lower, upper, param, start, basic,
              np.concatenate([x, row_activity]))
    yield t
    limit = PIVOTS_PER_VARIABLE * (t.m + t.n) + SPARE_PIVOTS
    while t.theta < stop:
        if t.pivots >= limit:
            raise Singular(f"more than {limit} pivots")
        if not t.advance(stop) or not t.pivot():
            yield t
            return
        yield t
