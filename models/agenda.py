r"""The four-year agenda: the allocation over years and funders as one LP.

Sets
    T years (in order), F funders, C cells (region r, goal g) as in the one-year model;
    A ⊆ T × C × F the triples where funder f may pay for goal g in region r (a funder's
    scope: a province pays only in its own regions; no column exists outside it).
Parameters
    m[t,c] net need and u[t,c] absorption bound in year t, w[c] weight; N[t,r], E[t,r]
    gross need and need already covered by existing streams; B[f,t] funder f's envelope;
    carry[f], borrow[f] the most f may move forward to the next year or take from it;
    σ[f] the largest share of a region's package funder f may pay (Regio Deal: the Rijk at
    most half); φ the coverage floor (per year, or over the whole period); ramp factor ρ
    and amount a.
Variables
    x[t,c,f] ≥ 0 on A; s[f,t] ∈ [0, carry[f]] unspent money moved from year t to t+1;
    b[f,t] ∈ [0, borrow[f]] money of year t+1 spent in year t.
Objective
    minimise  Σ_t Σ_c w[c]·(m[t,c] − Σ_f x[t,c,f])              weighted unmet need, all years
Constraints
    Σ_c x[t,c,f] + s[f,t] − s[f,t−1] − b[f,t] + b[f,t−1] ≤ B[f,t]     envelope with carry-over
    Σ_f x[t,c,f] ≤ u[t,c]                                              absorption per cell
    X[t,r] ≥ φ·N[t,r] − E[t,r]          (or Σ_t X[t,r] ≥ φ Σ_t N − Σ_t E)   coverage floor
    X[t,r] ≤ ρ·X[t−1,r] + a             t after the first                 ramp-up
    Σ_g x[t,(r,g),f] ≤ σ[f]·X[t,r]                                     co-financing share
with X[t,r] = Σ_g Σ_f x[t,(r,g),f] a region's allocation from all funders in year t.
Carry and borrow columns exist only between consecutive years, so nothing moves past the
horizon. One year and one funder with no carry-over is exactly the one-year model with its
budget and floor (tested).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from models.builder import Coverages, LinearProgram, Reading, Rows
from models.data import AllocationData, FloatArray, IntArray
from models.rules import LP_RULES

#: The one-year rules the agenda states its own way: the budget (each funder's envelope with
#: carry-over and borrowing) and the coverage floor (every year, or over the period).
OWN_FORM = ("budget", "coverage_floor")


@dataclass(frozen=True)
class AgendaData:
    years: tuple[str, ...]
    funders: tuple[str, ...]
    regions: tuple[str, ...]
    goals: tuple[str, ...]
    cell_region: IntArray  # (n,)
    cell_goal: IntArray  # (n,)
    net_need: FloatArray  # (T, n)
    upper: FloatArray  # (T, n)
    weight: FloatArray  # (n,)
    region_need: FloatArray  # (T, R)
    region_covered: FloatArray  # (T, R)
    envelope: FloatArray  # (F, T)
    may_fund: np.ndarray  # (F, G) bool: funder f may pay for goal g
    scope: np.ndarray  # (F, R) bool: funder f may pay in region r (a province in its own)
    package_share: FloatArray  # (F,) NaN = no limit
    carry: FloatArray  # (F,) most moved to the next year; 0 = none
    borrow: FloatArray  # (F,) most taken from the next year; 0 = none
    coverage_floor: float = 0.0
    floor_over_period: bool = False
    ramp_factor: float | None = None
    ramp_amount: float | None = None
    # Each year as a one-year problem (its needs, its total envelope as the budget B_t):
    # the one-year rules of models.rules hold in every year through these.
    per_year: tuple[AllocationData, ...] = ()
    national: int = 0  # the national funder (whose money the national-money rules read)
    spend_all: bool = False  # every envelope spent or carried on, every year

    @property
    def n_cells(self) -> int:
        return int(self.cell_region.shape[0])

    def triples(self) -> tuple[IntArray, IntArray, IntArray]:
        """(year, cell, funder) of every allocation column, year-major, then cell, funder."""
        n_years, n_funders = len(self.years), len(self.funders)
        grid = np.meshgrid(np.arange(n_years), np.arange(self.n_cells), np.arange(n_funders),
                           indexing="ij")
        t, c, f = (a.ravel() for a in grid)
        keep = self.may_fund[f, self.cell_goal[c]] & self.scope[f, self.cell_region[c]]
        return t[keep], c[keep], f[keep]


def build_agenda_lp(d: AgendaData) -> LinearProgram:
    """The LP of the module docstring. Columns: x (``n_cells`` of them: one per triple),
    then s and b per funder and consecutive pair of years, then the columns the one-year
    rules add in each year.

    One :class:`~models.builder.Rows`: the agenda's own rows carry their year and funder as
    coordinates, and the one-year rules build into each year, a coordinate of the ``year``
    axis (:meth:`~models.builder.Rows.along`)."""
    t, c, f = d.triples()
    nx = t.size
    n_years, n_funders, n_regions = len(d.years), len(d.funders), len(d.regions)
    pairs = max(n_years - 1, 0)
    b = Rows(nx)
    col_s = b.add_columns("carry", np.zeros(n_funders * pairs),
                          np.repeat(d.carry, pairs)).reshape(n_funders, pairs)
    col_b = b.add_columns("borrow", np.zeros(n_funders * pairs),
                          np.repeat(d.borrow, pairs)).reshape(n_funders, pairs)
    cols = np.arange(nx)
    region_of = d.cell_region[c]
    funders, years = np.arange(n_funders), np.arange(n_years)

    # envelope[f, t]: row f * T + t
    env_r = [f * n_years + t]
    env_c = [cols]
    env_v = [np.ones(nx)]
    for p in range(pairs):  # s[f,p] leaves year p for p+1; b[f,p] brings year p+1 into p
        env_r += [funders * n_years + p, funders * n_years + p + 1, funders * n_years + p,
                  funders * n_years + p + 1]
        env_c += [col_s[:, p], col_s[:, p], col_b[:, p], col_b[:, p]]
        env_v += [np.ones(n_funders), -np.ones(n_funders), -np.ones(n_funders),
                  np.ones(n_funders)]
    b.add("envelope", "year", np.tile(years, n_funders), np.concatenate(env_r),
          np.concatenate(env_c), np.concatenate(env_v),
          d.envelope.ravel() if d.spend_all else np.full(n_funders * n_years, -np.inf),
          d.envelope.ravel(), outer={"funder": np.repeat(funders, n_years)})

    # absorption[t, c]: row t * n + c
    n = d.n_cells
    b.add("absorption", "cell", np.tile(np.arange(n), n_years), t * n + c, cols, np.ones(nx),
          np.full(n_years * n, -np.inf), d.upper.ravel(),
          outer={"year": np.repeat(years, n)})

    if d.coverage_floor > 0:
        cov = _coverages(d, nx)
        floor = cov.rows.tocoo()
        b.add("coverage_floor", cov.over, cov.index, floor.row, floor.col, floor.data,
              d.coverage_floor * cov.need - cov.have, np.full(cov.size, np.inf),
              outer=cov.outer)

    if (d.ramp_factor is not None or d.ramp_amount is not None) and n_years > 1:
        factor = 1.0 if d.ramp_factor is None else d.ramp_factor
        amount = 0.0 if d.ramp_amount is None else d.ramp_amount
        # row (t-1) * R + r for t >= 1: X[t,r] - factor * X[t-1,r] <= amount
        now = t >= 1
        before = t < n_years - 1
        b.add("ramp_up", "region", np.tile(np.arange(n_regions), pairs),
              np.concatenate([(t[now] - 1) * n_regions + region_of[now],
                              t[before] * n_regions + region_of[before]]),
              np.concatenate([cols[now], cols[before]]),
              np.concatenate([np.ones(int(now.sum())), np.full(int(before.sum()), -factor)]),
              np.full(pairs * n_regions, -np.inf), np.full(pairs * n_regions, amount),
              outer={"year": np.repeat(years[1:], n_regions)})

    per_funder = n_years * n_regions
    for k in np.flatnonzero(~np.isnan(d.package_share)):
        share = float(d.package_share[k])
        # funder k, year t, region r (row t * R + r):
        # sum of funder k's x in (t, r) - share * X[t, r] <= 0
        coef = np.where(f == k, 1.0 - share, -share)
        b.add("package_share", "region", np.tile(np.arange(n_regions), n_years),
              t * n_regions + region_of, cols, coef,
              np.full(per_funder, -np.inf), np.zeros(per_funder),
              outer={"funder": np.full(per_funder, k), "year": np.repeat(years, n_regions)})

    # The one-year rules, in every year: each rule's own rows (models/rules), over the
    # columns of that year, a region's or goal's sum running over every funder; the budget
    # B_t a column of the year's own, fixed at its envelopes together.
    for year, one in enumerate(d.per_year):
        now = t == year
        for rule in LP_RULES:
            if rule.name not in OWN_FORM and rule.active(one):
                # a rule on national money sums the national funder's columns alone
                mine = now & (f == d.national) if rule.national_money else now
                rule.build(b.along("year", year, one, Reading(cols[mine], c[mine]),
                                   label=d.years[year]))
    return b.assemble(-d.weight[c], np.zeros(nx), d.upper[t, c],
                      offset=float((d.weight[None, :] * d.net_need).sum()), n_cells=nx)


def agenda_coverages(lp: LinearProgram, d: AgendaData) -> Coverages:
    """The coverages of the agenda, for max-min: the coverage floor's (region r in year t
    from every funder's money, the year its outer coordinate; or over the whole period)."""
    return _coverages(d, lp.n_cols)


def _coverages(d: AgendaData, n_cols: int) -> Coverages:
    """Region r's coverage in year t (or over the period with ``floor_over_period``) as
    rows over the allocation columns, the first of ``n_cols``."""
    t, c, _ = d.triples()
    n_regions = len(d.regions)
    region_of = d.cell_region[c]
    cols = np.arange(t.size)
    have = d.region_need > 0
    if d.floor_over_period:
        regions = np.flatnonzero(have.any(axis=0))
        pos = np.full(n_regions, -1)
        pos[regions] = np.arange(regions.size)
        keep = pos[region_of] >= 0
        rows = sp.csr_matrix((np.ones(int(keep.sum())), (pos[region_of][keep], cols[keep])),
                             shape=(regions.size, n_cols))
        return Coverages(rows, d.region_need.sum(axis=0)[regions],
                         d.region_covered.sum(axis=0)[regions], "region", regions)
    ty, rg = np.nonzero(have)
    pos = np.full((len(d.years), n_regions), -1)
    pos[ty, rg] = np.arange(ty.size)
    r = pos[t, region_of]
    keep = r >= 0
    rows = sp.csr_matrix((np.ones(int(keep.sum())), (r[keep], cols[keep])),
                         shape=(ty.size, n_cols))
    return Coverages(rows, d.region_need[ty, rg], d.region_covered[ty, rg], "region", rg,
                     {"year": ty})
