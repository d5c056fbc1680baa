"""Why an instance is infeasible, in words, with the budgets at which it would not be.

The budget is a column of the LP fixed by its bounds, so freeing it and minimising (or
maximising) it gives the exact range of envelopes under which all rules hold: two LPs, no
search. Dropping one rule family at a time then names the rules in conflict.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from allocator.errors import Status
from allocator.highs import Solver
from models.data import AllocationData
from models.matrix import LinearProgram, build_lp, region_rows, with_parameter

#: Each optional rule, and how to switch it off in the model data.
RULES: dict[str, dict[str, object]] = {
    "coverage_floor": {"coverage_floor": 0.0},
    "max_coverage_gap": {"max_coverage_gap": None},
    "min_share": {"min_share": None},
    "max_share": {"max_share": None},
    "per_capita_cap_ratio": {"per_capita_cap_ratio": None},
    "region_min": {"region_min": None},
    "region_max": {"region_max": None},
    "spend_all": {"spend_all": False},
}


@dataclass(frozen=True)
class Infeasibility:
    """What cannot hold, and the smallest changes of budget that would make it hold."""

    message: str
    min_budget_eur: float | None  # None: no budget makes the rules hold
    max_budget_eur: float | None  # None: no upper limit (or no budget at all)
    conflict: list[str] = field(default_factory=list)
    unreachable_regions: dict[str, float] = field(default_factory=dict)  # region -> best coverage
    repairs: list[Repair] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "message": self.message,
            "min_budget_eur": self.min_budget_eur,
            "max_budget_eur": self.max_budget_eur,
            "conflict": self.conflict,
            "unreachable_regions": self.unreachable_regions,
            "repairs": [vars(r) for r in self.repairs],
        }


@dataclass(frozen=True)
class Repair:
    """One rule changed to the nearest value at which everything else can hold."""

    rule: str
    value: float  # budget in euros, floor and gap as fractions, per-capita ratio
    text: str


def active_rules(d: AllocationData) -> list[str]:
    """The optional rules in force in ``d``, as keys of :data:`RULES`."""

    def differs(value: object, off: object) -> bool:
        return (value is not off) if off is None else bool(value != off)

    return [rule for rule, off in RULES.items()
            if any(differs(getattr(d, k), v) for k, v in off.items())]


def _feasible(d: AllocationData) -> bool:
    return Solver(build_lp(d)).run().status == Status.OPTIMAL


def budget_range(d: AllocationData) -> tuple[float | None, float | None]:
    """Smallest and largest budget (model units) at which every rule of ``d`` holds.

    ``(None, None)`` when no budget does; the upper end is ``inf`` when there is no limit.
    """
    lp = build_lp(d)
    b = lp.columns["budget"]
    # A finite ceiling keeps HiGHS from answering "unbounded or infeasible"; reaching it
    # means there is no upper limit.
    ceiling = 4.0 * max(d.budget, float(d.upper.sum())) + 1.0
    lp.col_lower[b], lp.col_upper[b] = 0.0, ceiling
    ends: list[float | None] = []
    for sign in (1.0, -1.0):
        lp.cost[:] = 0.0
        lp.cost[b] = sign
        lp.offset = 0.0
        sol = Solver(lp).run()
        if sol.status == Status.OPTIMAL:
            value = float(sol.x[b])
            ends.append(math.inf if value >= ceiling * (1 - 1e-9) else value)
        else:
            ends.append(None)
    return ends[0], ends[1]


def _best(lp: LinearProgram) -> float | None:
    sol = Solver(lp).run()
    return float(sol.x[-1]) if sol.status == Status.OPTIMAL else None


def repairs(d: AllocationData) -> list[Repair]:
    """The nearest value of each parametric rule at which the others can hold, by an LP that
    makes the parameter a variable: the highest floor, the smallest gap, the smallest
    per-capita ratio. Shown rounded towards feasibility (a floor down, a gap up)."""
    out = []
    if d.coverage_floor > 0:
        lp = build_lp(dataclasses.replace(d, coverage_floor=0.0))
        covered = d.covered_regions
        rows = region_rows(d, covered, -d.region_need[covered], lp.n_cols + 1)
        phi = _best(with_parameter(lp, rows, -d.region_covered[covered],
                                    np.full(covered.size, np.inf), -1.0))
        if phi is not None and phi < d.coverage_floor:
            value = math.floor(min(phi, 1.0) * 1e4) / 1e4
            out.append(Repair("coverage_floor", value,
                              f"lower the coverage floor to {value:.2%}"))
    if d.max_coverage_gap is not None:
        lp = build_lp(d)
        gap_row = next(b.start for b in lp.blocks if b.rule == "coverage_gap")
        lp.row_upper[gap_row] = np.inf
        lo, hi = lp.columns["coverage_min"], lp.columns["coverage_max"]
        lp.cost[:] = 0.0
        lp.cost[hi], lp.cost[lo], lp.offset = 1.0, -1.0, 0.0
        sol = Solver(lp).run()
        if sol.status == Status.OPTIMAL:
            delta = float(sol.x[hi] - sol.x[lo])
            if delta > d.max_coverage_gap:
                value = math.ceil(delta * 1e4) / 1e4
                out.append(Repair("max_coverage_gap", value,
                                  f"allow a coverage gap of {value:.2%}"))
    if d.per_capita_cap_ratio is not None:
        lp = build_lp(dataclasses.replace(d, per_capita_cap_ratio=None))
        regions = np.arange(len(d.regions))
        share = d.population / d.population.sum() * d.budget
        rows = region_rows(d, regions, -share, lp.n_cols + 1)
        kappa = _best(with_parameter(lp, rows, np.full(regions.size, -np.inf),
                                      np.zeros(regions.size), 1.0))
        if kappa is not None and kappa > d.per_capita_cap_ratio:
            value = math.ceil(kappa * 1e4) / 1e4
            out.append(Repair("per_capita_cap_ratio", value,
                              f"raise the per-capita cap ratio to {value:g}"))
    return out


def _eur(value: float) -> str:
    return f"€{value:,.0f}"


def explain(d: AllocationData, scale: float) -> Infeasibility:
    """Explain why ``d`` has no feasible allocation."""
    low, high = budget_range(d)
    budget = d.budget
    conflict = [rule for rule in active_rules(d)
                if _feasible(dataclasses.replace(d, **RULES[rule]))]  # type: ignore[arg-type]

    unreachable: dict[str, float] = {}
    if d.coverage_floor > 0:
        covered = d.covered_regions
        per_region = np.bincount(d.cell_region, d.upper, minlength=len(d.regions))
        best = (d.region_covered[covered] + per_region[covered]) / d.region_need[covered]
        for r, c in zip(covered, best, strict=True):
            if c < d.coverage_floor - 1e-12:
                unreachable[d.regions[r]] = float(c)

    parts = [f"The rules cannot all hold with a budget of {_eur(budget * scale)}."]
    if low is None:
        parts.append("No budget makes them hold together.")
    elif budget < low:
        parts.append(f"The smallest budget at which they hold is {_eur(math.ceil(low * scale))}.")
    elif high is not None and budget > high:
        parts.append(f"They hold only up to a budget of {_eur(math.floor(high * scale))}.")
    if conflict:
        parts.append("Dropping any one of these rules would restore feasibility: "
                     + ", ".join(conflict) + ".")
    if unreachable:
        listed = ", ".join(f"{r} (at most {c:.1%})" for r, c in unreachable.items())
        parts.append(f"coverage_floor {d.coverage_floor:.1%} is out of reach, whatever the "
                     f"budget, in: {listed}, given their need, existing funding and caps.")
    fixes = repairs(d)
    if low is not None and (budget < low or (high is not None and budget > high)):
        target = math.ceil(low * scale) if budget < low else math.floor(high * scale)  # type: ignore[operator]
        fixes.insert(0, Repair("budget_eur", float(target), f"set the budget to {_eur(target)}"))
    if fixes:
        parts.append("Single changes that would restore feasibility: "
                     + "; ".join(f.text for f in fixes) + ".")
    return Infeasibility(
        message=" ".join(parts),
        min_budget_eur=None if low is None else low * scale,
        max_budget_eur=None if high is None or math.isinf(high) else high * scale,
        conflict=conflict,
        unreachable_regions=unreachable,
        repairs=fixes,
    )
