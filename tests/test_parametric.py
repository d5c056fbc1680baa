"""The parametric trace (allocator.solving.parametric) against HiGHS solved afresh.

Each test builds an LP with one column fixed at a parameter θ, traces the optimum from one
basis, and compares every point with HiGHS solving the LP at that θ from scratch: the
objective, the slope (the parameter's reduced cost, against a finite difference of two
fresh solves), and the allocation's feasibility in every row and bound.
"""

from __future__ import annotations

import highspy
import numpy as np
import pytest
import scipy.sparse as sp

from allocator.solving import parametric


def fresh(a: sp.csc_matrix, cost: np.ndarray, lower: np.ndarray, upper: np.ndarray,
          row_lower: np.ndarray, row_upper: np.ndarray) -> tuple[str, float, highspy.Highs]:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = a.shape[1], a.shape[0]
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, lower, upper
    lp.row_lower_, lp.row_upper_ = row_lower, row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = a.indptr, a.indices, a.data
    h.passModel(lp)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    return status, float(h.getInfo().objective_function_value), h


def allocation_lp(seed: int, cells: int = 30, groups: int = 5):
    """A small allocation LP: cells with weights and needs, a budget column θ equal to the
    money given, a floor and a cap per group (some binding), and a share row."""
    rng = np.random.default_rng(seed)
    need = rng.uniform(1, 10, cells)
    weight = rng.uniform(0.5, 2.0, cells)
    group = rng.integers(0, groups, cells)
    n = cells + 1  # the last column is θ
    rows, cols, vals, lo, hi = [], [], [], [], []

    def row(members: np.ndarray, coef: np.ndarray, lower: float, upper: float) -> None:
        r = len(lo)
        rows.extend([r] * len(members))
        cols.extend(members.tolist())
        vals.extend(coef.tolist())
        lo.append(lower)
        hi.append(upper)

    every = np.arange(cells)
    row(np.append(every, cells), np.append(np.ones(cells), -1.0), 0.0, 0.0)  # Σx = θ
    for g in range(groups):
        members = every[group == g]
        if members.size:
            total = need[members].sum()
            row(members, np.ones(members.size), 0.2 * total, 0.8 * total)
    share = every[: cells // 3]
    row(np.append(share, cells), np.append(np.ones(share.size), -0.25), 0.0, np.inf)
    a = sp.csc_matrix((vals, (rows, cols)), shape=(len(lo), n))
    cost = np.append(-weight, 0.0)
    lower, upper = np.zeros(n), np.append(need, np.inf)
    return a, cost, lower, upper, np.array(lo), np.array(hi)


@pytest.mark.parametrize("seed", range(6))
def test_every_point_of_the_trace_is_the_optimum_solved_afresh(seed: int) -> None:
    a, cost, lower, upper, row_lower, row_upper = allocation_lp(seed)
    n = a.shape[1]
    param = n - 1
    # the range where the rules hold: the least and the most θ (two LPs)
    objective = np.zeros(n)
    objective[param] = 1.0
    start = fresh(a, objective, lower, upper, row_lower, row_upper)[1]
    stop = -fresh(a, -objective, lower, upper, row_lower, row_upper)[1]
    lo, hi = lower.copy(), upper.copy()
    lo[param] = hi[param] = start
    status, _, h = fresh(a, cost, lo, hi, row_lower, row_upper)
    assert status == "Optimal"
    basis = h.getBasis()
    basic = np.array([s == highspy.HighsBasisStatus.kBasic
                      for s in (*basis.col_status, *basis.row_status)])
    sol = h.getSolution()
    points = [(t.theta, t.objective(), t.slope, t.x())
              for t in parametric.trace(a, cost, 0.0, lower, upper, row_lower, row_upper,
                                        param, start, stop, basic,
                                        np.asarray(sol.col_value), np.asarray(sol.row_value))]
    assert points[0][0] == start and points[-1][0] == pytest.approx(stop, rel=1e-12)
    assert len(points) >= 3
    for theta, value, slope, x in points:
        lo[param] = hi[param] = theta
        status, solved, _ = fresh(a, cost, lo, hi, row_lower, row_upper)
        assert status == "Optimal"
        assert value == pytest.approx(solved, rel=1e-9, abs=1e-9)
        # the allocation holds every bound and row at this θ
        assert x[param] == pytest.approx(theta)
        assert np.all(x >= lower - 1e-9) and np.all(x <= upper + 1e-9)
        activity = a @ x
        assert np.all(activity >= row_lower - 1e-9) and np.all(activity <= row_upper + 1e-9)
        # the slope from here: a finite difference of two fresh solves
        if theta < stop - 1e-6:
            step = min(1e-4, (stop - theta) / 2)
            lo[param] = hi[param] = theta + step
            ahead = fresh(a, cost, lo, hi, row_lower, row_upper)[1]
            assert (ahead - solved) / step == pytest.approx(slope, rel=1e-6, abs=1e-6)
