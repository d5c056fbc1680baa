r"""The allocation LP as sparse arrays: the same formulation as :mod:`models.allocation`.

Columns: one allocation :math:`x_c` per cell, then the budget :math:`B` (a column fixed by
its bounds, so that the envelope can move without touching any row), then — only when the
coverage-gap rule is in force — the lowest and highest coverage :math:`\ell, h`, then — only
with shortfall tiers — one shortfall column :math:`z_{jr}` per tier and covered region.

Rows, each a :class:`RowBlock` so that duals and slacks can be named afterwards
(money rows keep money units, so a row residual is an amount)::

    budget          sum_c x_c - B                      <= 0    (= 0 when spend_all)
    coverage_floor  sum_{g} x_rg                       >= phi*N_r - E_r
    coverage_low    sum_{g} x_rg - N_r*l               >= -E_r
    coverage_high   sum_{g} x_rg - N_r*h               <= -E_r
    coverage_gap    h - l                              <= delta
    min_share       sum_{r} x_rg - alpha_g*B           >= 0
    max_share       sum_{r} x_rg - beta_g*B            <= 0
    per_capita_cap  sum_{g} x_rg - kappa*pop_r/P*B     <= 0
    region_min      sum_{g} x_rg                       >= lo_r
    region_max      sum_{g} x_rg                       <= hi_r
    cofinancing     sum_{g} x_rg                       <= K_r / rho
    change_cap      ref_r - c*pop_r <= sum_{g} x_rg    <= ref_r + c*pop_r
    shortfall_tier_j  sum_{g} x_rg + z_jr              >= (1 - t_j) N_r - E_r

Objective: minimise U = sum_c w_c (m_c - x_c) + sum_{j,r} (k_j - k_{j-1}) wbar_r z_jr, stored
as cost -w (and the tier weights on z) and offset sum w*m. Each shortfall column
z_jr in [0, max(0, (1 - t_j) N_r - E_r)] is the part of region r's shortfall beyond tier j.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from models.data import AllocationData, FloatArray, IntArray

INF = np.inf


@dataclass(frozen=True)
class RowBlock:
    """A contiguous run of rows that all express one rule."""

    rule: str
    start: int
    stop: int
    over: str  # "region", "goal" or "" (a single row)
    index: IntArray  # the region or goal of each row

    @property
    def rows(self) -> slice:
        return slice(self.start, self.stop)


@dataclass
class LinearProgram:
    """min cost @ x + offset  s.t.  row_lower <= A x <= row_upper, col_lower <= x <= col_upper."""

    cost: FloatArray
    offset: float
    col_lower: FloatArray
    col_upper: FloatArray
    matrix: sp.csc_matrix
    row_lower: FloatArray
    row_upper: FloatArray
    n_cells: int
    columns: dict[str, int] = field(default_factory=dict)
    blocks: list[RowBlock] = field(default_factory=list)

    @property
    def n_cols(self) -> int:
        return int(self.cost.shape[0])

    @property
    def n_rows(self) -> int:
        return int(self.row_lower.shape[0])


class _Rows:
    """Collects rows as COO triplets; each ``add`` appends one block."""

    def __init__(self) -> None:
        self.r: list[IntArray] = []
        self.c: list[IntArray] = []
        self.v: list[FloatArray] = []
        self.lo: list[FloatArray] = []
        self.hi: list[FloatArray] = []
        self.blocks: list[RowBlock] = []
        self.n = 0

    def add(
        self,
        rule: str,
        over: str,
        index: IntArray,
        rows: IntArray,
        cols: IntArray,
        vals: FloatArray,
        lo: FloatArray,
        hi: FloatArray,
    ) -> None:
        k = int(lo.shape[0])
        self.r.append(rows.astype(np.int64) + self.n)
        self.c.append(cols.astype(np.int64))
        self.v.append(vals.astype(np.float64))
        self.lo.append(lo.astype(np.float64))
        self.hi.append(hi.astype(np.float64))
        self.blocks.append(RowBlock(rule, self.n, self.n + k, over, index.astype(np.int64)))
        self.n += k


def build_lp(d: AllocationData) -> LinearProgram:
    """Build the stage-1 LP of ``d`` (see the module docstring for the formulation)."""
    n = d.n_cells
    n_regions, n_goals = len(d.regions), len(d.goals)
    cells = np.arange(n, dtype=np.int64)
    col_budget = n
    columns = {"budget": col_budget}
    n_cols = n + 1
    gap = d.max_coverage_gap is not None
    if gap:
        columns["coverage_min"], columns["coverage_max"] = n_cols, n_cols + 1
        n_cols += 2
    tiers = d.tier_targets()
    covered = d.covered_regions
    k = covered.size
    tier_cols: list[IntArray] = []
    for j in range(len(tiers)):
        columns[f"shortfall_tier_{j + 1}"] = n_cols
        tier_cols.append(np.arange(n_cols, n_cols + k, dtype=np.int64))
        n_cols += k

    rows = _Rows()
    empty = np.empty(0, dtype=np.int64)
    one = np.ones(1)

    # budget: sum x - B <= 0  (or == 0)
    rows.add(
        "budget", "", empty,
        np.zeros(n + 1, dtype=np.int64), np.append(cells, col_budget),
        np.append(np.ones(n), -1.0),
        one * (0.0 if d.spend_all else -INF), one * 0.0,
    )

    def sums(rule: str, over: str, keys: IntArray, lo: FloatArray, hi: FloatArray,
             col: int | IntArray | None = None, coef: FloatArray | None = None) -> None:
        """One row per key k in ``keys``: the sum of the cells of region (or goal) k, plus
        coef[k] times column ``col`` (one column, or one per key) when given, between lo[k]
        and hi[k]."""
        cell_key = d.cell_region if over == "region" else d.cell_goal
        pos = np.full(n_regions if over == "region" else n_goals, -1, dtype=np.int64)
        pos[keys] = np.arange(keys.size)
        keep = pos[cell_key] >= 0
        r, c, v = pos[cell_key][keep], cells[keep], np.ones(int(keep.sum()))
        if col is not None and coef is not None:
            r = np.concatenate([r, np.arange(keys.size)])
            c = np.concatenate([c, np.broadcast_to(np.asarray(col, dtype=np.int64), keys.size)])
            v = np.concatenate([v, coef])
        rows.add(rule, over, keys, r, c, v, lo, hi)

    if d.coverage_floor > 0 and k:
        # Row k of the block belongs to region covered[k]; cells of uncovered regions drop out.
        sums("coverage_floor", "region", covered,
             d.coverage_floor * d.region_need[covered] - d.region_covered[covered],
             np.full(k, INF))

    if gap and k:
        e = -d.region_covered[covered]
        need = -d.region_need[covered]
        sums("coverage_low", "region", covered, e, np.full(k, INF), columns["coverage_min"], need)
        sums("coverage_high", "region", covered, np.full(k, -INF), e, columns["coverage_max"],
             need)
        rows.add(
            "coverage_gap", "", empty,
            np.zeros(2, dtype=np.int64),
            np.array([columns["coverage_max"], columns["coverage_min"]]),
            np.array([1.0, -1.0]), -INF * one, one * float(d.max_coverage_gap),  # type: ignore[arg-type]
        )

    for rule, shares in (("min_share", d.min_share), ("max_share", d.max_share)):
        goals = np.flatnonzero(~np.isnan(shares)) if shares is not None else empty
        if goals.size:
            zero, free = np.zeros(goals.size), np.full(goals.size, INF)
            sums(rule, "goal", goals, zero if rule == "min_share" else -free,
                 free if rule == "min_share" else zero, col_budget, -shares[goals])  # type: ignore[index]

    if d.per_capita_cap_ratio is not None:
        regions = np.arange(n_regions, dtype=np.int64)
        factor = d.per_capita_cap_ratio * d.population / d.population.sum()
        sums("per_capita_cap", "region", regions, np.full(n_regions, -INF),
             np.zeros(n_regions), col_budget, -factor)

    for rule, bound in (("region_min", d.region_min), ("region_max", d.region_max)):
        regions = np.flatnonzero(~np.isnan(bound)) if bound is not None else empty
        if regions.size:
            free = np.full(regions.size, INF)
            sums(rule, "region", regions,
                 bound[regions] if rule == "region_min" else -free,  # type: ignore[index]
                 free if rule == "region_min" else bound[regions])  # type: ignore[index]

    if d.cofinancing_ratio is not None and d.cofinancing_capacity is not None:
        regions = np.flatnonzero(~np.isnan(d.cofinancing_capacity))
        if regions.size:
            sums("cofinancing", "region", regions, np.full(regions.size, -INF),
                 d.cofinancing_capacity[regions] / d.cofinancing_ratio)

    if d.max_change_per_capita is not None and d.reference is not None:
        regions = np.flatnonzero(~np.isnan(d.reference))
        if regions.size:
            room = d.max_change_per_capita * d.population[regions]
            sums("change_cap", "region", regions, d.reference[regions] - room,
                 d.reference[regions] + room)

    for j, (_, _, target) in enumerate(tiers):
        sums(f"shortfall_tier_{j + 1}", "region", covered, target, np.full(k, INF),
             tier_cols[j], np.ones(k))

    matrix = sp.csc_matrix(
        (np.concatenate(rows.v), (np.concatenate(rows.r), np.concatenate(rows.c))),
        shape=(rows.n, n_cols),
    )
    cost = np.zeros(n_cols)
    cost[:n] = -d.weight
    col_lower = np.zeros(n_cols)
    col_upper = np.ones(n_cols)  # coverage columns live in [0, 1]
    col_upper[:n] = d.upper
    for cols, (_, extra, target) in zip(tier_cols, tiers, strict=True):
        cost[cols] = extra
        col_upper[cols] = np.maximum(target, 0.0)
    col_lower[col_budget] = col_upper[col_budget] = d.budget
    return LinearProgram(
        cost=cost,
        offset=float(d.weight @ d.net_need),
        col_lower=col_lower,
        col_upper=col_upper,
        matrix=matrix,
        row_lower=np.concatenate(rows.lo),
        row_upper=np.concatenate(rows.hi),
        n_cells=n,
        columns=columns,
        blocks=rows.blocks,
    )


def with_parameter(lp: LinearProgram, rows: sp.csr_matrix, row_lower: FloatArray,
                   row_upper: FloatArray, sign: float, upper: float = 1e6) -> LinearProgram:
    """``lp`` plus a parameter column p in [0, upper] (the last column of ``rows``), the given
    rows, and the objective sign * p alone: the best value of a rule's parameter (the
    highest feasible floor, the smallest gap, the max-min level)."""
    n = lp.n_cols + 1
    cost = np.zeros(n)
    cost[-1] = sign
    base = sp.hstack([lp.matrix, sp.csc_matrix((lp.n_rows, 1))]).tocsc()
    return dataclasses.replace(
        lp, cost=cost, offset=0.0,
        col_lower=np.append(lp.col_lower, 0.0), col_upper=np.append(lp.col_upper, upper),
        matrix=sp.vstack([base, rows]).tocsc(),
        row_lower=np.concatenate([lp.row_lower, row_lower]),
        row_upper=np.concatenate([lp.row_upper, row_upper]))


def region_rows(d: AllocationData, regions: IntArray, coefficient: FloatArray,
                n_cols: int) -> sp.csr_matrix:
    """Rows sum_g x[r,g] + coefficient[r] * p for the given regions, p the last of ``n_cols``
    columns (a zero coefficient leaves p out of that row)."""
    pos = np.full(len(d.regions), -1)
    pos[regions] = np.arange(regions.size)
    cells = np.flatnonzero(pos[d.cell_region] >= 0)
    with_p = np.flatnonzero(coefficient != 0)
    r = np.concatenate([pos[d.cell_region[cells]], with_p])
    c = np.concatenate([cells, np.full(with_p.size, n_cols - 1)])
    v = np.concatenate([np.ones(cells.size), coefficient[with_p]])
    return sp.csr_matrix((v, (r, c)), shape=(regions.size, n_cols))
