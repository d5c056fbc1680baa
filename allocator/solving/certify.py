"""The certificate: the answer checked outside the solver.

Feasibility is re-checked from the model data (not from the LP rows HiGHS saw), and optimality
by a Lagrangian lower bound built from the stage-1 row duals. The bound is valid for *any* duals
with the right signs, so it holds even if the solver's own numbers were off: a small gap
between the reported allocation's unmet need and that bound proves optimality.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from models.data import AllocationData, FloatArray
from models.matrix import LinearProgram
from models.rules import LP_RULES, Sums

#: An allocation passes if no rule is violated by more than this many model units (the
#: budget is 1e3..1e4 units, so about 1e-9 of the budget: a tenth of a euro at €100 m) ...
VIOLATION_TOLERANCE = 1e-6
#: ... and its weighted unmet need is within this relative distance of the dual bound.
GAP_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Certificate:
    max_violation_eur: float
    worst_rule: str
    duality_gap: float  # relative: (U - bound) / max(1, |U|)
    duality_gap_eur: float  # weighted euros
    lower_bound_eur: float
    passed: bool

    def to_dict(self) -> dict[str, object]:
        return {
            "max_violation_eur": self.max_violation_eur,
            "worst_rule": self.worst_rule or None,
            "duality_gap": self.duality_gap,
            "duality_gap_eur": self.duality_gap_eur,
            "lower_bound_eur": self.lower_bound_eur,
            "passed": self.passed,
        }


def violations(d: AllocationData, x: FloatArray) -> dict[str, float]:
    """The largest violation of each rule by allocation ``x`` (model units of money), each
    rule checked by its own :meth:`models.rules.base.Rule.violation` from the data."""
    sums = Sums.of(d, x)
    out = {
        "lower_bound": float(np.max(-x, initial=0.0)),
        "upper_bound": float(np.max(x - d.upper, initial=0.0)),
    }
    for rule in LP_RULES:
        if rule.active(d):
            out.update(rule.violation(d, sums))
    return out


def unmet(d: AllocationData, x: FloatArray) -> float:
    """Weighted unmet need U of allocation ``x`` (model units)."""
    return float(d.weight @ (d.net_need - x))


def tier_penalty(d: AllocationData, x: FloatArray) -> float:
    """The extra weight the shortfall tiers put on deep regional shortfalls (model units)."""
    if not d.shortfall_tiers:
        return 0.0
    per_region = np.bincount(d.cell_region, x, minlength=len(d.regions))[d.covered_regions]
    return float(sum(extra @ np.maximum(target - per_region, 0.0)
                     for _, extra, target in d.tier_targets()))


def objective(d: AllocationData, x: FloatArray) -> float:
    """What stage 1 minimises: weighted unmet need plus the shortfall-tier penalty."""
    return unmet(d, x) + tier_penalty(d, x)


def lagrangian_bound(lp: LinearProgram, row_dual: FloatArray,
                     fixed: tuple[int, float] | None = None) -> float:
    """A lower bound on the stage-1 optimum from any row multipliers (signs are enforced).

    With HiGHS's convention (reduced cost = c - A'y; y > 0 prices a lower bound, y < 0 an
    upper), L(y) = offset + sum_i y_i b_i + sum_j min(z_j l_j, z_j u_j) <= c'x + offset for
    every feasible x. Every column is bounded, so L(y) is finite. ``fixed`` = (column,
    value) bounds that column at that value instead of its own bounds (a curve's budget).
    """
    y = np.asarray(row_dual, dtype=float)
    # a multiplier on a side that is not there prices nothing
    y = np.where(y > 0, np.where(np.isfinite(lp.row_lower), y, 0.0),
                 np.where(np.isfinite(lp.row_upper), y, 0.0))
    rhs = np.where(y > 0, lp.row_lower, np.where(y < 0, lp.row_upper, 0.0))
    z = lp.cost - lp.matrix.T @ y
    cols = np.minimum(z * lp.col_lower, z * lp.col_upper)
    if fixed is not None:
        column, value = fixed
        cols[column] = z[column] * value
    return float(lp.offset + y @ rhs + cols.sum())


def certify_at(d: AllocationData, lp: LinearProgram, budget: float, x: FloatArray,
               row_dual: FloatArray, scale: float) -> Certificate:
    """The certificate of a point on a curve or grid: ``lp`` re-solved with its budget column
    fixed at ``budget`` (model units), ``x`` and ``row_dual`` its solution there; every rule
    is re-checked at that budget and the bound uses that budget's column bounds."""
    return certify(dataclasses.replace(d, budget=budget), lp, x, row_dual, scale,
                   fixed=(lp.columns["budget"], budget))


def certify(d: AllocationData, lp: LinearProgram, x: FloatArray, stage1_row_dual: FloatArray,
            scale: float, fixed: tuple[int, float] | None = None) -> Certificate:
    """Check allocation ``x`` (cells only, model units) and return the certificate in euros
    (``fixed``: a column held at a value, as :func:`lagrangian_bound` takes it)."""
    return judge(violations(d, x), objective(d, x),
                 lagrangian_bound(lp, stage1_row_dual, fixed), scale)


def judge(checks: Mapping[str, float], value: float, bound: float, scale: float
          ) -> Certificate:
    """The one verdict on every model's answer (the one-year model, robust, the agenda):
    ``checks`` is each rule's largest violation (model units), as the model's own checks
    find it from the data; ``value`` the objective at the answer and ``bound`` a lower bound
    on its optimum (:func:`lagrangian_bound` of the answer's duals). It passes when no rule
    is violated by more than :data:`VIOLATION_TOLERANCE` and the gap is within
    :data:`GAP_TOLERANCE` of the value."""
    worst = max(checks, key=lambda k: checks[k]) if checks else ""
    violation = max(checks[worst], 0.0) if checks else 0.0
    gap = max(0.0, value - bound)
    relative = gap / max(1.0, abs(value))
    return Certificate(
        max_violation_eur=violation * scale,
        worst_rule=worst if violation > 0 else "",
        duality_gap=relative,
        duality_gap_eur=gap * scale,
        lower_bound_eur=bound * scale,
        passed=violation <= VIOLATION_TOLERANCE and relative <= GAP_TOLERANCE,
    )
