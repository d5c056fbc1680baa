r"""Coverage rules: what share of each region's need is met, and how deep its shortfall runs.

A region's coverage is (E_r + X_r) / N_r with N_r its gross need, E_r the need existing
streams already cover, X_r = sum_g x_rg its allocation; only regions with N_r > 0 count.

    coverage_floor    X_r >= phi N_r - E_r
    coverage_gap      X_r - N_r l >= -E_r,  X_r - N_r h <= -E_r,  h - l <= delta
    shortfall_tier_j  X_r + z_jr >= (1 - t_j) N_r - E_r,  z_jr >= 0 weighing (k_j - k_{j-1}) wbar_r
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from models.data import AllocationData
from models.rules.base import INF, PyomoContext, Rule, Step, Sums
from models.rules.params import Param

if TYPE_CHECKING:
    from models.builder import Target

#: The coverage-gap rule is a ratio; it holds if max - min coverage exceeds the gap by no
#: more than this (HiGHS's primal feasibility tolerance is 1e-7).
GAP_ROW_TOLERANCE = 1e-7



class CoverageFloor(Rule):
    def active(self, d: AllocationData) -> bool:
        return d.coverage_floor > 0 and d.covered_regions.size > 0

    def steps(self) -> dict[str, Step]:
        return {self.name: Step("+1 percentage point",
                                lambda d, b, s: 0.01 * d.region_need[b.index])}

    def holds(self) -> dict[str, str]:
        return {self.name: "minimum"}

    def off(self) -> dict[str, object]:
        return {"coverage_floor": 0.0}

    def build(self, b: Target) -> None:
        d = b.d
        covered = d.covered_regions
        # Row k of the block belongs to region covered[k]; cells of uncovered regions drop out.
        b.sums("coverage_floor", "region", covered,
               d.coverage_floor * d.region_need[covered] - d.region_covered[covered],
               np.full(covered.size, INF))

    def violation(self, d: AllocationData, s: Sums) -> dict[str, float]:
        covered = d.covered_regions
        funded = d.region_covered[covered] + s.per_region[covered]
        short = d.coverage_floor * d.region_need[covered] - funded
        return {"coverage_floor": float(np.max(short, initial=0.0))}

    def pyomo(self, m: Any, d: AllocationData, h: PyomoContext) -> None:
        import pyomo.environ as pyo

        phi = d.coverage_floor
        m.coverage_floor = pyo.Constraint(
            m.Rplus, rule=lambda m, r: h.in_region(m, r) >= phi * m.N[r] - m.E[r])


class CoverageGap(Rule):
    hold_rank = 1

    def active(self, d: AllocationData) -> bool:
        return d.max_coverage_gap is not None

    def steps(self) -> dict[str, Step]:
        return {"coverage_gap": Step("-1 percentage point", lambda d, b, s: np.full(1, 0.01))}

    def holds(self) -> dict[str, str]:
        return {"coverage_low": "minimum", "coverage_high": "maximum"}

    def off(self) -> dict[str, object]:
        return {"max_coverage_gap": None}

    def build(self, b: Target) -> None:
        d = b.d
        low, high = b.add_columns("coverage_min", np.zeros(1), np.ones(1)), \
            b.add_columns("coverage_max", np.zeros(1), np.ones(1))
        covered = d.covered_regions
        k = covered.size
        if not k:
            return
        e = -d.region_covered[covered]
        need = -d.region_need[covered]
        b.sums("coverage_low", "region", covered, e, np.full(k, INF), int(low[0]), need)
        b.sums("coverage_high", "region", covered, np.full(k, -INF), e, int(high[0]), need)
        b.add("coverage_gap", "", np.empty(0, dtype=np.int64), np.zeros(2, dtype=np.int64),
              np.array([high[0], low[0]]), np.array([1.0, -1.0]), -INF * np.ones(1),
              np.ones(1) * float(d.max_coverage_gap))  # type: ignore[arg-type]

    def violation(self, d: AllocationData, s: Sums) -> dict[str, float]:
        covered = d.covered_regions
        if not covered.size:
            return {}
        coverage = (d.region_covered[covered] + s.per_region[covered]) / d.region_need[covered]
        excess = coverage.max() - coverage.min() - float(d.max_coverage_gap)  # type: ignore[arg-type]
        # The gap row is a ratio: HiGHS holds it to its feasibility tolerance in ratio units,
        # which a large need turns into more than the money tolerance (found by the fuzz
        # tests: 1e-7 of coverage on a need 84,000 times the budget unit).
        excess = excess if excess > GAP_ROW_TOLERANCE else 0.0
        # in money: what the lowest-covered region would need to close the excess
        lowest_need = d.region_need[covered][coverage.argmin()]
        return {"max_coverage_gap": max(0.0, float(excess * lowest_need))}

    def pyomo(self, m: Any, d: AllocationData, h: PyomoContext) -> None:
        import pyomo.environ as pyo

        m.coverage_min = pyo.Var(bounds=(0.0, 1.0))
        m.coverage_max = pyo.Var(bounds=(0.0, 1.0))
        m.coverage_low = pyo.Constraint(
            m.Rplus, rule=lambda m, r: m.E[r] + h.in_region(m, r) >= m.coverage_min * m.N[r])
        m.coverage_high = pyo.Constraint(
            m.Rplus, rule=lambda m, r: m.E[r] + h.in_region(m, r) <= m.coverage_max * m.N[r])
        m.coverage_gap = pyo.Constraint(expr=m.coverage_max - m.coverage_min
                                        <= d.max_coverage_gap)


class ShortfallTiers(Rule):
    kind = "objective"

    def active(self, d: AllocationData) -> bool:
        return bool(d.shortfall_tiers)

    def off(self) -> dict[str, object]:
        return {"shortfall_tiers": None}

    def build(self, b: Target) -> None:
        d = b.d
        covered = d.covered_regions
        k = covered.size
        tiers = d.tier_targets()
        cols = [b.add_columns(f"shortfall_tier_{j + 1}", np.zeros(k), np.maximum(target, 0.0),
                              extra) for j, (_, extra, target) in enumerate(tiers)]
        for j, (_, _, target) in enumerate(tiers):
            b.sums(f"shortfall_tier_{j + 1}", "region", covered, target, np.full(k, INF),
                   cols[j], np.ones(k))

    def pyomo(self, m: Any, d: AllocationData, h: PyomoContext) -> None:
        import pyomo.environ as pyo

        tiers = list(d.shortfall_tiers or ())
        m.J = pyo.RangeSet(len(tiers))
        wbar = dict(zip(d.regions, d.region_weight().tolist(), strict=True))
        m.z = pyo.Var(m.J, m.Rplus, within=pyo.NonNegativeReals)
        m.shortfall_tier = pyo.Constraint(m.J, m.Rplus, rule=lambda m, j, r: m.z[j, r] >= (
            (1 - tiers[j - 1][0]) * m.N[r] - m.E[r] - h.in_region(m, r)))
        steps = [k - (tiers[j - 1][1] if j else 1.0) for j, (_, k) in enumerate(tiers)]
        m.unmet.set_value(m.unmet.expr + sum(steps[j - 1] * wbar[r] * m.z[j, r]
                                             for j in m.J for r in m.Rplus))


COVERAGE_FLOOR = CoverageFloor(
    "coverage_floor", ("policy:coverage_floor",),
    "every region's coverage at least phi (in robust: in every need scenario; in the agenda: "
    "every year, or over the period)",
    params=(Param(
        "coverage_floor", "fraction", flag="--floor", metavar="F", default=0.0, off=0.0,
        ge=0, le=1, repair="down",
        name={"nl": "minimumdekking", "en": "coverage floor"},
        help={"nl": "elke regio krijgt ten minste dit deel van haar behoefte gedekt (0 tot 1; "
                    "0,2 = 20%)",
              "en": "every region gets at least this share of its need covered (0 to 1; "
                    "0.2 = 20%)"}),))
COVERAGE_GAP = CoverageGap(
    "max_coverage_gap", ("policy:max_coverage_gap",),
    "highest minus lowest regional coverage at most delta (in robust: in every need "
    "scenario; in the agenda: every year)",
    params=(Param(
        "max_coverage_gap", "fraction", flag="--max-gap", metavar="D", ge=0, le=1,
        repair="up", name={"nl": "maximaal dekkingsverschil", "en": "maximum coverage gap"},
        help={"nl": "de hoogste min de laagste dekking is ten hoogste dit (0 tot 1; leeg = "
                    "geen grens)",
              "en": "the highest minus the lowest coverage is at most this (0 to 1; empty = "
                    "no limit)"}),))
SHORTFALL_TIERS = ShortfallTiers(
    "shortfall_tiers", ("policy:shortfall_tiers",),
    "beyond each unmet fraction of a region's need a euro of shortfall weighs more "
    "(a convex penalty in the objective; in robust: in every need scenario; in the agenda: "
    "every year)",
    params=(Param(
        "shortfall_tiers", "tiers", flag="--tiers", metavar="'25%: 1.5; 50%: 2'",
        name={"nl": "zwaarder wegend diep tekort", "en": "shortfall tiers"},
        help={"nl": "afnemende meeropbrengst: '10%: 1,5; 20%: 2,25' laat een dieper tekort "
                    "zwaarder wegen: voorbij elk onvervuld deel van de behoefte weegt een euro "
                    "tekort de vermenigvuldiger (leeg of 'geen' = uit)",
              "en": "diminishing returns: '10%: 1.5; 20%: 2.25' makes a deeper shortfall "
                    "weigh more: beyond each unmet fraction of a region's need a euro of "
                    "shortfall weighs the multiplier (empty or 'none' = off)"}),))
