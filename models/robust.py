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
The coverage gap holds in every scenario the same way, with a lowest and highest coverage
l_s, h_s per scenario. Both are the rules of :mod:`models.rules`, built through a view
that reads a region's allocation as sum_g (m_s,rg - y_s,rg). So do the shortfall tiers:
their penalty joins each scenario's U_s (weighed by p_s, or under the worst-case t).
Max-min raises the coverage of every region in every scenario, the lowest first
(:func:`scenario_coverages` gives them to :mod:`allocator.solving.maxmin`).

The gap's upper side (the highest coverage h_s) reads the money given, sum_g x_rg, not the
need it meets: the need met, sum_g min(x, m_s), is concave in x, and a concave function held
from above is no LP row (y may sit above m - min(x, m) at no cost where money exceeds a
scenario's need, and understate the coverage). The money given is at least the need it
meets, so the row on it holds the rule on the true coverage too, exactly, with every row
present from the start: the region's coverage in scenario s for the gap's upper side is
(E_s,r + money given) / N_s,r, which passes 100 % where the money exceeds the need there.

Columns: x (n), the budget B, then y (S x n) scenario by scenario, then l_s, h_s per
scenario (gap only), then t (worst-case only).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import scipy.sparse as sp

from models.builder import Coverages, key_sums
from models.data import AllocationData, FloatArray
from models.matrix import LinearProgram, RowBlock, build_lp
from models.rules import LP_RULES

OBJECTIVES = ("expected", "worst-case")


def build_robust_lp(base: AllocationData, scenarios: list[AllocationData],
                    probabilities: FloatArray, objective: str = "expected") -> LinearProgram:
    """The LP above. ``base`` carries the money rules (its coverage rules hold per scenario,
    on each scenario's data); ``scenarios`` hold each scenario's needs on the same cells;
    ``probabilities`` weigh them in the expected objective."""
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}, got {objective!r}")
    money = dataclasses.replace(base, coverage_floor=0.0, max_coverage_gap=None,
                                shortfall_tiers=None)
    lp = build_lp(money)
    n, k = lp.n_cells, len(scenarios)
    first_y = lp.n_cols
    worst = objective == "worst-case"
    cells = np.arange(n)
    extra_lo: list[float] = []  # columns the coverage rules add (the gap's l and h, tiers)
    extra_hi: list[float] = []
    extra_cost: list[float] = []  # their cost in the scenario's own objective
    extra_scenario: list[int] = []  # the scenario each belongs to

    coo = lp.matrix.tocoo()
    rows_r, rows_c, rows_v = [coo.row.astype(np.int64)], [coo.col.astype(np.int64)], [coo.data]
    lower, upper = [lp.row_lower], [lp.row_upper]
    names = list(lp.blocks)
    row = lp.n_rows

    def add(rule: str, over: str, index: np.ndarray, r: np.ndarray, c: np.ndarray,
            v: FloatArray, lo: FloatArray, hi: FloatArray) -> None:
        nonlocal row
        rows_r.append(np.asarray(r, dtype=np.int64) + row)
        rows_c.append(np.asarray(c, dtype=np.int64))
        rows_v.append(np.asarray(v, dtype=float))
        lower.append(lo)
        upper.append(hi)
        names.append(RowBlock(rule, row, row + lo.size, over, index.astype(np.int64)))
        row += lo.size

    for s, d in enumerate(scenarios):
        y = first_y + s * n + cells
        # y_sc + x_c >= m_sc
        add("unmet", "scenario_cell", s * n + cells, np.tile(cells, 2),
            np.concatenate([cells, y]),
            np.ones(2 * n), d.net_need.copy(), np.full(n, np.inf))
        # The coverage rules hold in every scenario, on the money that meets need there:
        # each rule's own rows (models/rules), with x_c read as m_sc - y_sc.
        scenario = dataclasses.replace(d, coverage_floor=base.coverage_floor,
                                       max_coverage_gap=base.max_coverage_gap,
                                       shortfall_tiers=base.shortfall_tiers)
        view = _ScenarioView(scenario, s, cells, y, first_y + k * n + len(extra_lo), add, extra_lo,
                             extra_hi, extra_cost, extra_scenario)
        for rule in LP_RULES:
            if rule.name in COVERAGE and rule.active(scenario):
                rule.build(view)  # type: ignore[arg-type]
    n_cols = first_y + k * n + len(extra_lo) + (1 if worst else 0)
    first_extra = first_y + k * n
    owner = np.asarray(extra_scenario, dtype=np.int64)
    priced = np.asarray(extra_cost, dtype=float)
    if worst:
        for s, d in enumerate(scenarios):
            # t - sum_c w_c y_sc - (the scenario's tier penalty) >= 0
            y = first_y + s * n + cells
            mine = np.flatnonzero((owner == s) & (priced != 0))
            add("worst_case", "scenario", np.array([s], dtype=np.int64),
                np.zeros(n + 1 + mine.size, dtype=np.int64),
                np.concatenate([y, first_extra + mine, [n_cols - 1]]),
                np.concatenate([-d.weight, -priced[mine], [1.0]]), np.zeros(1),
                np.full(1, np.inf))

    cost = np.zeros(n_cols)
    if worst:
        cost[-1] = 1.0
    else:
        cost[:first_y + k * n] = expected_cost(first_y, scenarios, probabilities)
        if owner.size:
            cost[first_extra:first_extra + owner.size] = probabilities[owner] * priced
    col_lower = np.concatenate([np.zeros(first_y + k * n), extra_lo,
                                [0.0] if worst else []])
    col_upper = np.concatenate([lp.col_upper, *[d.net_need for d in scenarios],
                                extra_hi, [np.inf] if worst else []])
    col_lower[lp.columns["budget"]] = lp.col_lower[lp.columns["budget"]]
    if worst:  # t is at most the largest objective of doing nothing
        col_upper[-1] = float(max(d.weight @ d.net_need for d in scenarios)) + float(
            np.abs(priced) @ np.asarray(extra_hi)) + 1.0
    columns = {**lp.columns, "unmet": first_y}
    if worst:
        columns["worst"] = n_cols - 1
    matrix = sp.csc_matrix((np.concatenate(rows_v), (np.concatenate(rows_r),
                                                      np.concatenate(rows_c))),
                           shape=(row, n_cols))
    return LinearProgram(
        cost=cost, offset=0.0, col_lower=col_lower, col_upper=col_upper,
        matrix=matrix, row_lower=np.concatenate(lower),
        row_upper=np.concatenate(upper), n_cells=n, columns=columns, blocks=names)


#: The rules that hold in every scenario (the rest bind x alone and come from build_lp).
COVERAGE = ("coverage_floor", "max_coverage_gap", "shortfall_tiers")


#: The rows that read a region's allocation as the money given (see the module's text).
ON_MONEY_GIVEN = ("coverage_high",)


class _ScenarioView:
    """Scenario ``s`` seen as the one-year model a coverage rule builds into: ``d`` is the
    scenario's data, and a region's allocation X_r is the money that meets need there,
    sum_g (m_sc - y_sc): rows on -y with the bounds moved by sum_g m_sc; the gap's upper
    side (:data:`ON_MONEY_GIVEN`) reads the money given, sum_g x_c."""

    def __init__(self, d: AllocationData, s: int, x: np.ndarray, y: np.ndarray, next_col: int,
                 add: Any, lower: list[float], upper: list[float], cost: list[float],
                 owner: list[int]) -> None:
        self.d, self.s, self.x, self.y = d, s, x, y
        self._next, self._add, self._lower, self._upper = next_col, add, lower, upper
        self._cost, self._owner = cost, owner
        self.columns: dict[str, int] = {}

    def add_columns(self, name: str, lower: FloatArray, upper: FloatArray,
                    cost: FloatArray | None = None) -> np.ndarray:
        """Columns of this scenario; a cost (the tiers' penalty) is the scenario's own, which
        the objective weighs with its probability (or puts under the worst-case t)."""
        k = int(lower.shape[0])
        first = self._next
        self._next += k
        self._lower += lower.tolist()
        self._upper += upper.tolist()
        self._cost += (np.zeros(k) if cost is None else np.asarray(cost, float)).tolist()
        self._owner += [self.s] * k
        self.columns[name] = first
        return np.arange(first, first + k)

    def add(self, rule: str, over: str, index: np.ndarray, rows: np.ndarray, cols: np.ndarray,
            vals: FloatArray, lo: FloatArray, hi: FloatArray) -> None:
        # one block per rule over the scenario axis: row k of scenario s is indexed
        # s * (size of the axis) + k, so no block's name carries a scenario
        size = len(self.d.regions) if over == "region" else len(self.d.goals) if over else 1
        where = index if over else np.zeros(1, dtype=np.int64)
        self._add(rule, f"scenario_{over}" if over else "scenario", self.s * size + where,
                  rows, cols, vals, lo, hi)

    def sums(self, rule: str, over: str, keys: np.ndarray, lo: FloatArray, hi: FloatArray,
             col: int | np.ndarray | None = None, coef: FloatArray | None = None) -> None:
        d = self.d
        key_of = d.cell_region if over == "region" else d.cell_goal
        size = len(d.regions) if over == "region" else len(d.goals)
        if rule in ON_MONEY_GIVEN:
            r, c, v = key_sums(key_of, size, keys, self.x, 1.0, col, coef)
            self.add(rule, over, keys, r, c, v, lo, hi)
            return
        r, c, v = key_sums(key_of, size, keys, self.y, -1.0, col, coef)
        net = np.bincount(key_of, d.net_need, minlength=size)[keys]
        self.add(rule, over, keys, r, c, v, lo - net, hi - net)


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


def scenario_coverages(lp: LinearProgram, scenarios: list[AllocationData]) -> Coverages:
    """The coverages of the robust model, for max-min: region r in scenario s (where it has
    need), on the money that meets need there, (E_sr + sum_g (m_s,rg - y_s,rg)) / N_sr;
    indexed s * R + r."""
    n = lp.n_cells
    first_y = lp.columns["unmet"]
    rows, need, have, index = [], [], [], []
    for s, d in enumerate(scenarios):
        covered = d.covered_regions
        r, c, v = key_sums(d.cell_region, len(d.regions), covered,
                           first_y + s * n + np.arange(n), -1.0)
        rows.append(sp.csr_matrix((v, (r, c)), shape=(covered.size, lp.n_cols)))
        need.append(d.region_need[covered])
        have.append(d.region_covered[covered]
                    + np.bincount(d.cell_region, d.net_need, minlength=len(d.regions))[covered])
        index.append(s * len(d.regions) + covered)
    return Coverages(sp.vstack(rows).tocsr(), np.concatenate(need), np.concatenate(have),
                     "scenario_region", np.concatenate(index))
