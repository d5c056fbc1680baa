r"""The allocation LP as sparse arrays: the same formulation as :mod:`models.allocation`.

Columns: one allocation :math:`x_c` per cell, then the budget :math:`B` (a column fixed by
its bounds, so that the envelope can move without touching any row), then — only when the
coverage-gap rule is in force — the lowest and highest coverage :math:`\ell, h`, then — only
with shortfall tiers — one shortfall column :math:`z_{jr}` per tier and covered region.

Rows, each a :class:`RowBlock` so that duals and slacks can be named afterwards
(money rows keep money units, so a row residual is an amount). Each rule is written once, in
:mod:`models.rules` (one file per family); this module runs them in order::

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

import numpy as np
import scipy.sparse as sp

from models.builder import Builder, LinearProgram, Prices, RowBlock
from models.data import AllocationData, FloatArray, IntArray
from models.rules import LP_RULES

__all__ = ["INF", "LinearProgram", "RowBlock", "build_lp", "prices", "region_rows",
           "with_parameter"]

INF = np.inf


def build_lp(d: AllocationData) -> LinearProgram:
    """Build the stage-1 LP of ``d``: every rule of :data:`models.rules.LP_RULES` that ``d``
    switches on adds its columns and rows, in the registry's order (see the module
    docstring for the formulation)."""
    b = Builder(d)
    for rule in LP_RULES:
        if rule.active(d):
            rule.build(b)
    return b.finish()


def prices(d: AllocationData) -> tuple[FloatArray, float]:
    """The cost vector and offset :func:`build_lp` gives ``d``, without building its rows:
    new weights re-price an LP built for the same cells and rules."""
    b = Prices(d)
    for rule in LP_RULES:
        if rule.active(d):
            rule.build(b)
    return b.objective()


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
