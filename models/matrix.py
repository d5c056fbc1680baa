r"""The allocation LP as sparse arrays: the same formulation as :mod:`models.allocation`.

Columns: one allocation :math:`x_c` per cell, then the budget :math:`B` (a column fixed by
its bounds, so that the envelope can move without touching any row), then — only when the
coverage-gap rule is in force — the lowest and highest coverage :math:`\ell, h`.

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

Objective: minimise U = sum_c w_c (m_c - x_c), stored as cost -w and offset sum w*m.
"""

from __future__ import annotations

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

    covered = d.covered_regions
    if d.coverage_floor > 0 and covered.size:
        # Row k of the block belongs to region covered[k]; cells of uncovered regions drop out.
        pos = np.full(n_regions, -1, dtype=np.int64)
        pos[covered] = np.arange(covered.size)
        keep = pos[d.cell_region] >= 0
        rows.add(
            "coverage_floor", "region", covered,
            pos[d.cell_region][keep], cells[keep], np.ones(int(keep.sum())),
            d.coverage_floor * d.region_need[covered] - d.region_covered[covered],
            np.full(covered.size, INF),
        )

    if gap and covered.size:
        pos = np.full(n_regions, -1, dtype=np.int64)
        pos[covered] = np.arange(covered.size)
        keep = pos[d.cell_region] >= 0
        k = covered.size
        e = -d.region_covered[covered]
        for rule, col, lo, hi in (
            ("coverage_low", columns["coverage_min"], e, np.full(k, INF)),
            ("coverage_high", columns["coverage_max"], np.full(k, -INF), e),
        ):
            rows.add(
                rule, "region", covered,
                np.concatenate([pos[d.cell_region][keep], np.arange(k)]),
                np.concatenate([cells[keep], np.full(k, col)]),
                np.concatenate([np.ones(int(keep.sum())), -d.region_need[covered]]),
                lo, hi,
            )
        rows.add(
            "coverage_gap", "", empty,
            np.zeros(2, dtype=np.int64),
            np.array([columns["coverage_max"], columns["coverage_min"]]),
            np.array([1.0, -1.0]), -INF * one, one * float(d.max_coverage_gap),  # type: ignore[arg-type]
        )

    for rule, shares, lo_sign in (("min_share", d.min_share, 1), ("max_share", d.max_share, -1)):
        if shares is None:
            continue
        goals = np.flatnonzero(~np.isnan(shares))
        if not goals.size:
            continue
        pos = np.full(n_goals, -1, dtype=np.int64)
        pos[goals] = np.arange(goals.size)
        keep = pos[d.cell_goal] >= 0
        k = goals.size
        bound_lo = np.zeros(k) if lo_sign > 0 else np.full(k, -INF)
        bound_hi = np.full(k, INF) if lo_sign > 0 else np.zeros(k)
        rows.add(
            rule, "goal", goals,
            np.concatenate([pos[d.cell_goal][keep], np.arange(k)]),
            np.concatenate([cells[keep], np.full(k, col_budget)]),
            np.concatenate([np.ones(int(keep.sum())), -shares[goals]]),
            bound_lo, bound_hi,
        )

    if d.per_capita_cap_ratio is not None:
        regions = np.arange(n_regions, dtype=np.int64)
        factor = d.per_capita_cap_ratio * d.population / d.population.sum()
        rows.add(
            "per_capita_cap", "region", regions,
            np.concatenate([d.cell_region, regions]),
            np.concatenate([cells, np.full(n_regions, col_budget)]),
            np.concatenate([np.ones(n), -factor]),
            np.full(n_regions, -INF), np.zeros(n_regions),
        )

    for rule, bound in (("region_min", d.region_min), ("region_max", d.region_max)):
        if bound is None:
            continue
        regions = np.flatnonzero(~np.isnan(bound))
        if not regions.size:
            continue
        pos = np.full(n_regions, -1, dtype=np.int64)
        pos[regions] = np.arange(regions.size)
        keep = pos[d.cell_region] >= 0
        rows.add(
            rule, "region", regions,
            pos[d.cell_region][keep], cells[keep], np.ones(int(keep.sum())),
            bound[regions] if rule == "region_min" else np.full(regions.size, -INF),
            np.full(regions.size, INF) if rule == "region_min" else bound[regions],
        )

    matrix = sp.csc_matrix(
        (np.concatenate(rows.v), (np.concatenate(rows.r), np.concatenate(rows.c))),
        shape=(rows.n, n_cols),
    )
    cost = np.zeros(n_cols)
    cost[:n] = -d.weight
    col_lower = np.zeros(n_cols)
    col_upper = np.ones(n_cols)  # coverage columns live in [0, 1]
    col_upper[:n] = d.upper
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
