r"""Rules on a region's allocation X_r = sum_g x_rg.

    per_capita_cap   X_r - kappa pop_r / P B       <= 0
    region_min       X_r                           >= lo_r
    region_max       X_r                           <= hi_r
    cofinancing      X_r                           <= K_r / rho
    change_cap       ref_r - c pop_r <= X_r        <= ref_r + c pop_r
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from models.data import AllocationData, FloatArray
from models.rules.base import INF, PyomoContext, Rule, Step, Sums, nanmax0
from models.rules.params import MAX_EUR, MAX_WEIGHT, Param

if TYPE_CHECKING:
    from models.builder import Target


class PerCapitaCap(Rule):
    def active(self, d: AllocationData) -> bool:
        return d.per_capita_cap is not None

    def steps(self) -> dict[str, Step]:
        return {self.name: Step("ratio -0.1", lambda d, b, s: 0.1 * d.population[b.index]
                                / d.population.sum() * d.budget)}

    def holds(self) -> dict[str, str]:
        return {self.name: "maximum"}

    def off(self) -> dict[str, object]:
        return {"per_capita_cap": None}

    def _factor(self, d: AllocationData) -> FloatArray:
        return float(d.per_capita_cap) * d.population / d.population.sum()  # type: ignore[arg-type]

    def build(self, b: Target) -> None:
        n = len(b.d.regions)
        b.sums(self.name, "region", np.arange(n, dtype=np.int64), np.full(n, -INF),
               np.zeros(n), b.budget, -self._factor(b.d))

    def violation(self, d: AllocationData, s: Sums) -> dict[str, float]:
        return {self.name: float(np.max(s.per_region - self._factor(d) * d.budget,
                                        initial=0.0))}

    def pyomo(self, m: Any, d: AllocationData, h: PyomoContext) -> None:
        import pyomo.environ as pyo

        kappa = float(d.per_capita_cap)  # type: ignore[arg-type]
        m.per_capita_cap = pyo.Constraint(
            m.R, rule=lambda m, r: h.in_region(m, r) <= kappa * m.pop[r] / h.pop_total * m.B)


class RegionBound(Rule):
    """A bound in euros per region (NaN: none for that region)."""

    lower: bool = True

    def _bound(self, d: AllocationData) -> FloatArray | None:
        return d.region_min if self.lower else d.region_max

    def active(self, d: AllocationData) -> bool:
        bound = self._bound(d)
        return bound is not None and bool((~np.isnan(bound)).any())

    def steps(self) -> dict[str, Step]:
        return {self.name: Step("+€1,000 per region" if self.lower else "-€1,000 per region",
                                lambda d, b, s: np.full(b.index.size, 1000 / s))}

    def holds(self) -> dict[str, str]:
        return {self.name: "minimum" if self.lower else "maximum"}

    def off(self) -> dict[str, object]:
        return {self.name: None}

    def build(self, b: Target) -> None:
        bound = self._bound(b.d)
        assert bound is not None
        regions = np.flatnonzero(~np.isnan(bound))
        free = np.full(regions.size, INF)
        b.sums(self.name, "region", regions, bound[regions] if self.lower else -free,
               free if self.lower else bound[regions])

    def violation(self, d: AllocationData, s: Sums) -> dict[str, float]:
        bound = self._bound(d)
        assert bound is not None
        return {self.name: nanmax0(bound - s.per_region if self.lower
                                   else s.per_region - bound)}

    def pyomo(self, m: Any, d: AllocationData, h: PyomoContext) -> None:
        import pyomo.environ as pyo

        bound = self._bound(d)
        assert bound is not None

        def rule(m: Any, r: str) -> object:
            value = float(bound[d.regions.index(r)])
            if math.isnan(value):
                return pyo.Constraint.Skip
            return h.in_region(m, r) >= value if self.lower else h.in_region(m, r) <= value

        setattr(m, self.name, pyo.Constraint(m.R, rule=rule))


class RegionMax(RegionBound):
    lower = False


class Cofinancing(Rule):
    kind = "money"
    national_money = True

    def active(self, d: AllocationData) -> bool:
        return (d.cofinancing_ratio is not None and d.cofinancing_capacity is not None
                and bool((~np.isnan(d.cofinancing_capacity)).any()))

    def steps(self) -> dict[str, Step]:
        return {self.name: Step("-€1,000 co-financing capacity per region", lambda d, b, s: np.full(
            b.index.size, 1000 / s / float(d.cofinancing_ratio)))}  # type: ignore[arg-type]

    def holds(self) -> dict[str, str]:
        return {self.name: "maximum"}

    def off(self) -> dict[str, object]:
        return {"cofinancing_ratio": None}

    def build(self, b: Target) -> None:
        d = b.d
        capacity = d.cofinancing_capacity
        assert capacity is not None and d.cofinancing_ratio is not None
        regions = np.flatnonzero(~np.isnan(capacity))
        b.sums(self.name, "region", regions, np.full(regions.size, -INF),
               capacity[regions] / d.cofinancing_ratio)

    def violation(self, d: AllocationData, s: Sums) -> dict[str, float]:
        assert d.cofinancing_capacity is not None and d.cofinancing_ratio is not None
        # in national money: what exceeds the capacity, divided by the ratio
        return {self.name: nanmax0(s.per_region
                                   - d.cofinancing_capacity / d.cofinancing_ratio)}

    def pyomo(self, m: Any, d: AllocationData, h: PyomoContext) -> None:
        import pyomo.environ as pyo

        rho = float(d.cofinancing_ratio)  # type: ignore[arg-type]
        capacity = d.cofinancing_capacity
        assert capacity is not None
        m.cofinancing = pyo.Constraint(m.R, rule=lambda m, r: pyo.Constraint.Skip if math.isnan(
            k := float(capacity[d.regions.index(r)])) else rho * h.in_region(m, r) <= k)


class ChangeCap(Rule):
    national_money = True

    def active(self, d: AllocationData) -> bool:
        return (d.change_cap is not None and d.reference is not None
                and bool((~np.isnan(d.reference)).any()))

    def steps(self) -> dict[str, Step]:
        return {self.name: Step("-€1 per inhabitant", lambda d, b, s: d.population[b.index] / s)}

    def holds(self) -> dict[str, str]:
        return {self.name: "maximum"}

    def off(self) -> dict[str, object]:
        return {"change_cap": None}

    def build(self, b: Target) -> None:
        d = b.d
        assert d.reference is not None and d.change_cap is not None
        regions = np.flatnonzero(~np.isnan(d.reference))
        room = d.change_cap * d.population[regions]
        b.sums(self.name, "region", regions, d.reference[regions] - room,
               d.reference[regions] + room)

    def violation(self, d: AllocationData, s: Sums) -> dict[str, float]:
        assert d.reference is not None and d.change_cap is not None
        change = np.abs(s.per_region - d.reference) - d.change_cap * d.population
        return {self.name: nanmax0(change)}

    def pyomo(self, m: Any, d: AllocationData, h: PyomoContext) -> None:
        import pyomo.environ as pyo

        c = float(d.change_cap)  # type: ignore[arg-type]
        assert d.reference is not None
        ref = dict(zip(d.regions, d.reference.tolist(), strict=True))
        m.change_cap = pyo.Constraint(m.R, rule=lambda m, r: pyo.Constraint.Skip if math.isnan(
            ref[r]) else pyo.inequality(ref[r] - c * m.pop[r], h.in_region(m, r),
                                        ref[r] + c * m.pop[r]))


PER_CAPITA_CAP = PerCapitaCap(
    "per_capita_cap", ("policy:per_capita_cap",),
    "no region above kappa times its population share of the budget (in the agenda: its "
    "money from all funders in a year, against the year's envelopes)",
    params=(Param(
        "per_capita_cap", "ratio", flag="--per-capita-cap", metavar="K", gt=0, le=MAX_WEIGHT,
        earlier=("per_capita_cap_ratio",), repair="up",
        name={"nl": "plafond per inwoner", "en": "per-inhabitant cap"},
        help={"nl": "een regio krijgt ten hoogste K maal haar deel van het budget naar "
                    "inwoners (leeg = geen grens)",
              "en": "no region gets more than K times its population share of the budget "
                    "(empty = no limit)"}),))
REGION_MIN = RegionBound(
    "region_min", ("policy:region_min_eur", "regions:min_eur"),
    "each region gets at least lo_r euros (in the agenda: from all funders, every year)",
    params=(Param(
        "region_min_eur", "money", flag="--region-min", metavar="EUR", ge=0, le=MAX_EUR,
        scaled=True, repair="down", repair_decimals=0,
        name={"nl": "minimumbedrag per regio", "en": "regional minimum"},
        help={"nl": "elke regio krijgt ten minste dit bedrag in euro (de min_eur van een "
                    "regio gaat voor)",
              "en": "every region gets at least this many euros (a region's min_eur "
                    "wins)"}),))
REGION_MAX = RegionMax(
    "region_max", ("policy:region_max_eur", "regions:max_eur"),
    "each region gets at most hi_r euros (in the agenda: from all funders, every year)",
    params=(Param(
        "region_max_eur", "money", flag="--region-max", metavar="EUR", ge=0, le=MAX_EUR,
        scaled=True, repair="up", repair_decimals=0,
        name={"nl": "maximumbedrag per regio", "en": "regional maximum"},
        help={"nl": "elke regio krijgt ten hoogste dit bedrag in euro (de max_eur van een "
                    "regio gaat voor)",
              "en": "every region gets at most this many euros (a region's max_eur "
                    "wins)"}),))
COFINANCING = Cofinancing(
    "cofinancing", ("policy:cofinancing_ratio",),
    "each national euro needs rho regional euros, up to the region's capacity K_r (in the "
    "agenda: the national funder's money, every year)",
    params=(Param(
        "cofinancing_ratio", "ratio", flag="--cofinancing-ratio", metavar="R", gt=0,
        le=MAX_WEIGHT, name={"nl": "cofinanciering (regio per rijkseuro)",
                             "en": "co-financing (regional per national euro)"},
        help={"nl": "regionale euro's die elke rijkseuro vraagt, tot de cofinancing_eur van "
                    "de regio",
              "en": "regional euros required per national euro, up to each region's "
                    "cofinancing_eur"}),))
CHANGE_CAP = ChangeCap(
    "change_cap", ("policy:change_cap",),
    "a region's allocation within c euros per inhabitant of its reference (in the agenda: "
    "the national funder's money, every year)",
    params=(Param(
        "change_cap", "money", flag="--max-change", metavar="EUR", ge=0, le=MAX_EUR,
        scaled=True, earlier=("max_change_eur_per_capita",), repair="up", repair_decimals=2,
        name={"nl": "maximale verandering per inwoner t.o.v. referentie",
              "en": "maximum change per inhabitant from the reference"},
        help={"nl": "de toekenning van een regio blijft binnen dit bedrag per inwoner van "
                    "haar reference_eur",
              "en": "a region's allocation stays within this many euros per inhabitant of "
                    "its reference_eur"}),))
