"""How much the answer leans on assumed weights: each weight moved by ±10 % alone, and the
largest change of any region's allocation that follows, as a share of the budget.

Every region weight and goal weight is moved down and up by ``step`` (one at a time, the
rest as they are) and the instance is solved again with the same settings as the answer
(tie-break included), so the change is that of the reported allocation. The figure is the
largest |Δ allocation of a region| / budget over all those solves, with the weight that
causes it. Only optimal re-solves count; one that has no optimum is counted apart.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import pandas as pd

from allocator.inputs.instance import Instance
from allocator.solving.engine import solve
from allocator.solving.result import Result

#: The relative move of each weight.
STEP = 0.10
#: Up to this many weights (regions + goals) the figure is computed with every solve: two
#: full solves a weight.
MAX_WEIGHTS = 60


@dataclass(frozen=True)
class WeightSensitivity:
    step: float  # each weight moved by this fraction, down and up
    largest_share: float  # the largest |Δ region allocation| / budget
    largest_eur: float  # the same in euros
    weight: str  # "region:<id>" or "goal:<id>": the weight whose move causes it
    direction: float  # the factor applied to it (1 - step or 1 + step)
    region: str  # the region whose allocation moves most
    solves: int
    infeasible: int  # moves after which the rules could not hold

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def sentence(self, lang: str, names: dict[str, str]) -> str:
        from allocator.labels import money, percent

        if not self.weight:  # no move changed any region's allocation
            return (f"Gevoeligheid: geen enkel aangenomen gewicht {percent(self.step, lang, 0)} "
                    "hoger of lager verandert de verdeling." if lang == "nl" else
                    f"Sensitivity: no assumed weight {percent(self.step, lang, 0)} higher or "
                    "lower changes the allocation.")
        kind, _, key = self.weight.partition(":")
        shown = names.get(key, key)
        pct = percent(self.step, lang, 0)
        share = percent(self.largest_share, lang, 1)
        region = names.get(self.region, self.region)
        if lang == "nl":
            what = (f"het gewicht van {shown}" if kind == "region"
                    else f"het doelgewicht van {shown}")
            return (f"Gevoeligheid: één aangenomen gewicht {pct} hoger of lager verschuift "
                    f"hoogstens {share} van het budget ({money(self.largest_eur, lang)}, "
                    f"{region}, bij {what} {'−' if self.direction < 1 else '+'}{pct}).")
        what = f"the weight of {shown}" if kind == "region" else f"the goal weight of {shown}"
        return (f"Sensitivity: one assumed weight {pct} higher or lower moves at most {share} "
                f"of the budget ({money(self.largest_eur, lang)}, {region}, with {what} "
                f"{'-' if self.direction < 1 else '+'}{pct}).")


def _by_region(r: Result) -> pd.Series:
    index = r.instance.regions.index.astype(str)
    if not r.optimal or not len(r.allocation):
        return pd.Series(0.0, index=index)
    a = r.allocation
    return a.groupby(a["region"].astype(str), observed=True)["amount_eur"].sum().reindex(
        index, fill_value=0.0)


def weight_sensitivity(result: Result, step: float = STEP, *,
                       tie_break: str = "lexicographic") -> WeightSensitivity | None:
    """The figure for ``result`` (None when it has no optimum or more than
    :data:`MAX_WEIGHTS` weights)."""
    inst: Instance = result.instance
    if not result.optimal or len(inst.regions) + len(inst.goals) > MAX_WEIGHTS:
        return None
    base = _by_region(result)
    budget = inst.policy.budget_eur
    best = (0.0, "", 1.0, str(base.index[0]))
    solves = infeasible = 0
    for kind, table in (("region", inst.regions), ("goal", inst.goals)):
        for key in table.index:
            for factor in (1.0 - step, 1.0 + step):
                moved = table.copy()
                moved.loc[key, "weight"] = float(moved.loc[key, "weight"]) * factor
                field = "regions" if kind == "region" else "goals"
                r = solve(dataclasses.replace(inst, **{field: moved}), tie_break=tie_break,
                          fairness_price=False, marginal=False)
                solves += 1
                if not r.optimal:
                    infeasible += 1
                    continue
                change = (_by_region(r) - base).abs()
                region = str(change.idxmax())
                if float(change[region]) > max(best[0], 0.5):  # half a euro: rounding
                    best = (float(change[region]), f"{kind}:{key}", factor, region)
    largest, weight, direction, region = best
    return WeightSensitivity(step, largest / budget if budget else 0.0, largest, weight,
                             direction, region, solves, infeasible)


__all__ = ["MAX_WEIGHTS", "STEP", "WeightSensitivity", "weight_sensitivity"]
