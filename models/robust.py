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
l_s, h_s per scenario. Both are the rules of :mod:`models.rules`, built into each scenario as
a coordinate of the builder's ``scenario`` axis (:class:`models.builder.Slice`), which reads
a region's allocation as sum_g (m_s,rg - y_s,rg). So do the shortfall tiers:
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

import numpy as np
import scipy.sparse as sp

from models.builder import Builder, Coverages, Reading, key_sums
from models.data import AllocationData, FloatArray
from models.matrix import LinearProgram
from models.rules import LP_RULES

OBJECTIVES = ("expected", "worst-case")
#: The rules that hold in every scenario (the rest bind x alone and are built as in the
#: one-year LP).
COVERAGE = ("coverage_floor", "max_coverage_gap", "shortfall_tiers")
#: The rows that read a region's allocation as the money given (see the module's text).
ON_MONEY_GIVEN = ("coverage_high",)


def build_robust_lp(base: AllocationData, scenarios: list[AllocationData],
                    probabilities: FloatArray, objective: str = "expected") -> LinearProgram:
    """The LP above. ``base`` carries the money rules (its coverage rules hold per scenario,
    on each scenario's data); ``scenarios`` hold each scenario's needs on the same cells;
    ``probabilities`` weigh them in the expected objective.

    One :class:`~models.builder.Builder`: the money rules build into it as into the
    one-year LP, and the coverage rules into each scenario, a coordinate of its
    ``scenario`` axis (:meth:`~models.builder.Rows.along`), whose rows carry it."""
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}, got {objective!r}")
    money = dataclasses.replace(base, coverage_floor=0.0, max_coverage_gap=None,
                                shortfall_tiers=None)
    b = Builder(money)
    for rule in LP_RULES:
        if rule.active(money):
            rule.build(b)
    n, k = money.n_cells, len(scenarios)
    worst = objective == "worst-case"
    cells = np.arange(n, dtype=np.int64)
    first_y = int(b.add_columns(
        "unmet", np.zeros(k * n), np.concatenate([d.net_need for d in scenarios]),
        np.zeros(k * n) if worst else expected_cost(0, scenarios, probabilities))[0])
    slices = []
    for s, d in enumerate(scenarios):
        y = first_y + s * n + cells
        at = {"scenario": np.full(n, s, dtype=np.int64)}
        # y_sc + x_c >= m_sc
        b.add("unmet", "cell", cells, np.tile(cells, 2), np.concatenate([cells, y]),
              np.ones(2 * n), d.net_need.copy(), np.full(n, np.inf), outer=at)
        # The coverage rules hold in every scenario, on the money that meets need there:
        # each rule's own rows (models/rules), with x_c read as m_sc - y_sc; the gap's
        # upper side on the money given (ON_MONEY_GIVEN)
        scenario = dataclasses.replace(d, coverage_floor=base.coverage_floor,
                                       max_coverage_gap=base.max_coverage_gap,
                                       shortfall_tiers=base.shortfall_tiers)
        met = Reading(y, cells, -1.0, d.net_need)
        one = b.along("scenario", s, scenario, met, budget=b.budget,
                       reads={rule: Reading(cells, cells) for rule in ON_MONEY_GIVEN},
                       cost_factor=0.0 if worst else float(probabilities[s]))
        for rule in LP_RULES:
            if rule.name in COVERAGE and rule.active(scenario):
                rule.build(one)
        slices.append(one)
    if worst:
        # t is at most the largest objective of doing nothing
        priced = [(cost, upper) for one in slices for _, cost, upper in one.priced]
        ceiling = float(max(d.weight @ d.net_need for d in scenarios)) + float(
            np.abs(np.concatenate([[0.0], *(c for c, _ in priced)]))
            @ np.concatenate([[0.0], *(u for _, u in priced)]))
        t = int(b.add_columns("worst", np.zeros(1), np.full(1, ceiling + 1.0), np.ones(1))[0])
        for s, (d, one) in enumerate(zip(scenarios, slices, strict=True)):
            # t - sum_c w_c y_sc - (the scenario's tier penalty) >= 0
            y = first_y + s * n + cells
            cols = np.concatenate([y, *(c for c, _, _ in one.priced), [t]])
            vals = np.concatenate([-d.weight, *(-c for _, c, _ in one.priced), [1.0]])
            b.add("worst_case", "", np.empty(0, np.int64), np.zeros(cols.size, np.int64),
                  cols, vals, np.zeros(1), np.full(1, np.inf),
                  outer={"scenario": np.full(1, s)})
    x_cost, x_lower, x_upper = b.own_columns()
    x_cost[:] = 0.0  # the objective is on the unmet columns
    return b.assemble(x_cost, x_lower, x_upper, offset=0.0, n_cells=n)


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
    rows, need, have, index, scenario = [], [], [], [], []
    for s, d in enumerate(scenarios):
        covered = d.covered_regions
        r, c, v = key_sums(d.cell_region, len(d.regions), covered,
                           first_y + s * n + np.arange(n), -1.0)
        rows.append(sp.csr_matrix((v, (r, c)), shape=(covered.size, lp.n_cols)))
        need.append(d.region_need[covered])
        have.append(d.region_covered[covered]
                    + np.bincount(d.cell_region, d.net_need, minlength=len(d.regions))[covered])
        index.append(covered)
        scenario.append(np.full(covered.size, s, dtype=np.int64))
    return Coverages(sp.vstack(rows).tocsr(), np.concatenate(need), np.concatenate(have),
                     "region", np.concatenate(index), {"scenario": np.concatenate(scenario)})
