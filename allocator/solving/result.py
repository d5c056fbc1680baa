"""The result of a solve: one object that every output renders without recomputing."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from allocator.errors import Status
from allocator.inputs.instance import Instance
from allocator.solving.certify import Certificate
from allocator.solving.explain import Infeasibility
from allocator.solving.fairness import PriceOfFairness
from allocator.solving.rounding import largest_remainder

if TYPE_CHECKING:
    from allocator.solving.figures import Figures


@dataclass(frozen=True)
class SolverInfo:
    name: str
    version: str
    seconds: float  # time inside HiGHS, all stages
    lp_solves: int
    algorithm: str


#: An engine note: a key of allocator.labels' texts and the values it needs.
Note = tuple[str, dict[str, object]]


@dataclass(frozen=True)
class NextEuros:
    """What ``step_eur`` more budget does to the reported allocation's figures.

    ``method`` is "re-solve" (the whole solve run again at the larger budget, with every rule,
    preset and tie-break: exact) or "dual" (the budget's shadow price times the step: exact
    where the curve is linear over the step, used above ``MARGINAL_MAX_CELLS``; it cannot split
    the change over weighted unmet need and the tier penalty, so ``tier_change_eur`` is None
    and ``unmet_change_eur`` is the change of their sum).
    """

    step_eur: float
    unmet_change_eur: float  # weighted unmet need at the budget minus at budget + step
    tier_change_eur: float | None  # the same for the tier penalty; None without tiers
    method: str

    def sentence(self, lang: str, key: str = "next_text") -> str:
        """In words; ``key`` is the label of the first clause (``{step}``, ``{value}``)."""
        from allocator.labels import label, money

        step = ("€1 mln" if lang == "nl" else "€1 m") if self.step_eur == 1e6 else money(
            self.step_eur, lang)
        parts = label(key, lang).format(step=step,
                                                value=money(self.unmet_change_eur, lang))
        if self.tier_change_eur is not None:
            parts += label("next_tiers", lang).format(value=money(self.tier_change_eur, lang))
        elif self.method == "dual":
            parts += label("next_dual", lang)
        return parts


@dataclass
class Result:
    """An allocation with its explanation and its certificate.

    ``allocation`` has one row per cell (region, goal, amount_eur) with exact amounts;
    :meth:`rounded_allocation` gives whole euros that add up to the rounded total.
    ``coverage`` is indexed by region: need, existing funding counted, allocation, coverage
    before and after. ``constraints`` lists every rule row with its slack and dual.
    """

    status: Status
    message: str
    instance: Instance
    tie_break: str
    solver: SolverInfo
    allocation: pd.DataFrame = field(default_factory=pd.DataFrame)
    coverage: pd.DataFrame = field(default_factory=pd.DataFrame)
    # the rule rows (see :attr:`constraints`), or how to make them when first asked for: a
    # sweep solves at every breakpoint and never reads them
    constraint_rows: pd.DataFrame | Callable[[], pd.DataFrame] = field(
        default_factory=pd.DataFrame)
    weighted_unmet_eur: float = math.nan
    weighted_unmet_before_eur: float = math.nan
    tier_penalty_eur: float | None = None  # the shortfall tiers' extra weight, when in force
    marginal_value: float | None = None  # objective removed by one more euro (budget dual)
    next_million: NextEuros | None = None  # what €1 m more does, from a re-solve
    certificate: Certificate | None = None
    price_of_fairness: PriceOfFairness | None = None
    infeasibility: Infeasibility | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)  # what the message says beyond "optimal"
    # how far one assumed weight moved by 10 % moves the allocation (a study: set by the
    # command, allocator.studies.sensitivity), or None when not computed
    weight_sensitivity: Any = None

    @property
    def constraints(self) -> pd.DataFrame:
        """Every rule row with its slack and dual (made on first use)."""
        if callable(self.constraint_rows):
            self.constraint_rows = self.constraint_rows()
        return self.constraint_rows

    def explanation(self, lang: str) -> str:
        """The notes (or, when infeasible, the explanation) in ``lang``."""
        from allocator.labels import text

        if self.infeasibility is not None:
            names = {**self.instance.goals["name"].astype(str).to_dict(),
                     **self.instance.regions["name"].astype(str).to_dict()}
            return self.infeasibility.text(lang, names)
        if self.notes:
            return " ".join(text(k, lang, **v) for k, v in self.notes)
        return "" if self.optimal else self.message

    @property
    def budget_eur(self) -> float:
        return self.instance.policy.budget_eur

    @property
    def optimal(self) -> bool:
        return self.status == Status.OPTIMAL

    @property
    def allocated_eur(self) -> float:
        return float(self.allocation["amount_eur"].sum()) if len(self.allocation) else 0.0

    def names(self) -> dict[str, str]:
        """Region and goal names by id (for sentences)."""
        return {**self.instance.goals["name"].astype(str).to_dict(),
                **self.instance.regions["name"].astype(str).to_dict()}

    def unspent_text(self, lang: str) -> str:
        """How much of the budget stays unspent and why, in words (empty when all is
        spent or there is no allocation)."""
        f = self.figures
        return "" if f is None else f.unspent.sentence(lang, self.names())

    def next_text(self, lang: str, key: str = "next_text") -> str:
        """What €1 m more does, in words; where the budget does not bind (money is left
        unspent), what binds instead."""
        from allocator.labels import label, money

        f = self.figures
        if f is not None and f.unspent.reason != "none" and self.next_million is not None \
                and abs(self.next_million.unmet_change_eur) < 0.5 \
                and not (self.next_million.tier_change_eur or 0.0):
            step = "€1 mln" if lang == "nl" else "€1 m"
            return label("next_not_binding", lang).format(
                step=step, a=money(f.unspent.eur, lang), why=f.unspent.binds(lang, self.names()))
        if self.next_million is None:
            return label("next_none", lang)
        return self.next_million.sentence(lang, key)

    @property
    def figures(self) -> Figures | None:
        """The figures every surface shows, computed and rounded once
        (:mod:`allocator.solving.figures`); None without an allocation."""
        from allocator.solving.figures import figures

        return figures(self)

    def rounded_allocation(self) -> pd.DataFrame:
        """Whole euros per cell, adding up exactly to the rounded total allocated (the
        figures table's amounts)."""
        f = self.figures
        if f is None:
            return pd.DataFrame({"region": [], "goal": [], "amount_eur": []})
        out = self.allocation[["region", "goal"]].copy()
        out["amount_eur"] = f.cells["amount_eur"].to_numpy()
        return out

    def cofinancing(self) -> pd.DataFrame:
        """Per region, in whole euros: the national allocation, the regional co-financing it
        requires (ratio x allocation) and the total investment it unlocks. Empty without a
        co-financing ratio."""
        ratio = self.instance.policy.cofinancing_ratio
        if ratio is None or not len(self.allocation):
            return pd.DataFrame()
        national = self.matrix().sum(axis=1)
        regional = largest_remainder(national.astype(float) * ratio)
        return pd.DataFrame({"national_eur": national, "regional_eur": regional,
                             "total_eur": national + regional}, index=national.index)

    def headline(self) -> dict[str, Any]:
        """The plain figures before the weighted ones: unmet need in euros before and after,
        overall coverage before and after, and euros per inhabitant per region (lowest and
        highest, with the region), all read from the figures table."""
        f = self.figures
        assert f is not None
        t, regions = f.total, f.regions
        per_head = regions["per_inhabitant_eur"]
        low, high = per_head.idxmin(), per_head.idxmax()
        return {
            "unmet_before_eur": t["net_need_eur"],
            "unmet_after_eur": t["unmet_eur"],
            "coverage_before": t["coverage_before"],
            "coverage_after": t["coverage_after"],
            "per_inhabitant_lowest_eur": float(per_head[low]),
            "per_inhabitant_lowest_region": str(regions.at[low, "name"]),
            "per_inhabitant_highest_eur": float(per_head[high]),
            "per_inhabitant_highest_region": str(regions.at[high, "name"]),
            "unspent_eur": f.unspent.eur,
            "unspent_reason": f.unspent.reason,
        }

    def baselines(self) -> pd.DataFrame:
        """Per region, in whole euros: the allocation and what simple rules would give with
        the same money spent — pro rata to population, pro rata to net need (need minus existing
        streams) and, when the instance has one, the reference allocation (``reference_eur``)
        — each with the allocation's gain (+) or loss (-) against it. The pro-rata baselines
        ignore what a region can absorb: they are yardsticks, not allocations."""
        if not self.optimal or self.figures is None:
            return pd.DataFrame()
        regions = self.instance.regions
        table = self.figures.regions
        out = pd.DataFrame({"allocated_eur": table["amount_eur"].to_numpy()},
                           index=regions.index)
        for name in ("pro_rata_population_eur", "pro_rata_need_eur"):
            out[name] = table[name].to_numpy()
        if "reference_eur" in regions and regions["reference_eur"].notna().all():
            out["reference_eur"] = regions["reference_eur"].round().astype("int64").to_numpy()
        for name in [c for c in out.columns if c != "allocated_eur"]:
            out[name.replace("_eur", "_gain_eur")] = out["allocated_eur"] - out[name]
        return out

    def matrix(self) -> pd.DataFrame:
        """Region x goal matrix of rounded euros (cells without a need are 0), regions and
        goals in the instance's order."""
        f = self.figures
        return pd.DataFrame() if f is None else f.matrix()
