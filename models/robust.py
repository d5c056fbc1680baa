r"""The allocation under need uncertainty: one allocation, several need scenarios, one LP.

The allocation x is decided before the need is known; in scenario s a cell's unmet need is
max(0, m_sc - x_c) (money beyond a cell's need in that scenario is not used), written with
one column y_sc per scenario and cell:

    y_sc >= m_sc - x_c,   0 <= y_sc <= m_sc                          unmet need in scenario s
    U_s = sum_c w_c y_sc                                             weighted unmet need in s

    expected:    minimise  sum_s p_s U_s
    worst-case:  minimise  t   s.t.  t >= U_s for every s

The money rules (budget, goal shares, per-capita cap, region bounds, co-financing, change
cap) bind x and come from :func:`models.matrix.build_lp` unchanged. The coverage floor must
hold in every scenario, on the need that money actually meets:

    sum_g (m_s,rg - y_s,rg) >= phi N_s,r - E_s,r                     r with N_s,r > 0

(y at its smallest is m - min(x, m), so the row is the floor on the useful allocation).
The coverage gap, shortfall tiers and max-min are not part of this model.

Columns: x (n), the budget B, [coverage columns none], then y (S x n) scenario by scenario,
then t (worst-case only).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import scipy.sparse as sp

from models.data import AllocationData, FloatArray
from models.matrix import LinearProgram, RowBlock, build_lp

OBJECTIVES = ("expected", "worst-case")


def build_robust_lp(base: AllocationData, scenarios: list[AllocationData],
                    probabilities: FloatArray, objective: str = "expected") -> LinearProgram:
    """The LP above. ``base`` carries the money rules (its coverage rules are ignored);
    ``scenarios`` hold each scenario's needs on the same cells; ``probabilities`` weigh
    them in the expected objective."""
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}, got {objective!r}")
    money = dataclasses.replace(base, coverage_floor=0.0, max_coverage_gap=None,
                                shortfall_tiers=None)
    lp = build_lp(money)
    n, k = lp.n_cells, len(scenarios)
    first_y = lp.n_cols
    worst = objective == "worst-case"
    n_cols = first_y + k * n + (1 if worst else 0)
    cells = np.arange(n)

    blocks = [sp.hstack([lp.matrix, sp.csc_matrix((lp.n_rows, n_cols - lp.n_cols))]).tocsr()]
    lower, upper = [lp.row_lower], [lp.row_upper]
    names = list(lp.blocks)
    row = lp.n_rows

    def add(rule: str, over: str, index: np.ndarray, m: sp.csr_matrix, lo: FloatArray,
            hi: FloatArray) -> None:
        nonlocal row
        blocks.append(m)
        lower.append(lo)
        upper.append(hi)
        names.append(RowBlock(rule, row, row + m.shape[0], over, index.astype(np.int64)))
        row += m.shape[0]

    for s, d in enumerate(scenarios):
        y = first_y + s * n + cells
        # y_sc + x_c >= m_sc
        m = sp.csr_matrix((np.ones(2 * n), (np.tile(cells, 2), np.concatenate([cells, y]))),
                          shape=(n, n_cols))
        add(f"unmet_{s}", "cell", cells, m, d.net_need.copy(), np.full(n, np.inf))
        covered = d.covered_regions
        if base.coverage_floor > 0 and covered.size:
            pos = np.full(len(d.regions), -1)
            pos[covered] = np.arange(covered.size)
            keep = pos[d.cell_region] >= 0
            m = sp.csr_matrix((-np.ones(int(keep.sum())), (pos[d.cell_region][keep], y[keep])),
                              shape=(covered.size, n_cols))
            net = np.bincount(d.cell_region, d.net_need, minlength=len(d.regions))[covered]
            rhs = base.coverage_floor * d.region_need[covered] - d.region_covered[covered] - net
            add(f"coverage_floor_{s}", "region", covered, m, rhs, np.full(covered.size, np.inf))
        if worst:
            # t - sum_c w_c y_sc >= 0
            m = sp.csr_matrix((np.append(-d.weight, 1.0), (np.zeros(n + 1, dtype=np.int64),
                                                            np.append(y, n_cols - 1))),
                              shape=(1, n_cols))
            add(f"worst_{s}", "", np.empty(0, dtype=np.int64), m, np.zeros(1), np.full(1, np.inf))

    cost = np.zeros(n_cols)
    if worst:
        cost[-1] = 1.0
    else:
        cost[:first_y + k * n] = expected_cost(first_y, scenarios, probabilities)
    col_lower = np.zeros(n_cols)
    col_upper = np.concatenate([lp.col_upper, *[d.net_need for d in scenarios],
                                [np.inf] if worst else []])
    col_lower[lp.columns["budget"]] = lp.col_lower[lp.columns["budget"]]
    if worst:
        col_upper[-1] = float(max(d.weight @ d.net_need for d in scenarios)) + 1.0
    columns = {**lp.columns, "unmet": first_y}
    if worst:
        columns["worst"] = n_cols - 1
    return LinearProgram(
        cost=cost, offset=0.0, col_lower=col_lower, col_upper=col_upper,
        matrix=sp.vstack(blocks).tocsc(), row_lower=np.concatenate(lower),
        row_upper=np.concatenate(upper), n_cells=n, columns=columns, blocks=names)


def expected_cost(first_unmet: int, scenarios: list[AllocationData],
                  probabilities: FloatArray) -> FloatArray:
    """The expected objective on the columns up to the last unmet column: p_s w_c on y_sc."""
    n = scenarios[0].n_cells
    cost = np.zeros(first_unmet + len(scenarios) * n)
    for s, d in enumerate(scenarios):
        cost[first_unmet + s * n: first_unmet + (s + 1) * n] = probabilities[s] * d.weight
    return cost


def scenario_unmet(d: AllocationData, x: FloatArray) -> float:
    """Weighted unmet need of allocation ``x`` in scenario ``d``: money beyond a cell's need
    there is not used."""
    return float(d.weight @ np.maximum(d.net_need - x, 0.0))
