r"""Goal shares: each goal gets at least alpha_g and at most beta_g of the budget.

    min_share   sum_r x_rg - alpha_g B >= 0
    max_share   sum_r x_rg - beta_g B  <= 0
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from models.data import AllocationData
from models.rules.base import INF, PyomoContext, Rule, Step, Sums

if TYPE_CHECKING:
    from models.builder import Target


class GoalShare(Rule):
    lower: bool = True

    def _shares(self, d: AllocationData) -> Any:
        return d.min_share if self.lower else d.max_share

    def active(self, d: AllocationData) -> bool:
        shares = self._shares(d)
        return shares is not None and bool((~np.isnan(shares)).any())

    def steps(self) -> dict[str, Step]:
        return {self.name: Step("+1 percentage point" if self.lower else "-1 percentage point",
                                lambda d, b, s: np.full(b.index.size, 0.01 * d.budget))}

    def off(self) -> dict[str, object]:
        return {self.name: None}

    def build(self, b: Target) -> None:
        shares = self._shares(b.d)
        goals = np.flatnonzero(~np.isnan(shares))
        zero, free = np.zeros(goals.size), np.full(goals.size, INF)
        b.sums(self.name, "goal", goals, zero if self.lower else -free,
               free if self.lower else zero, b.budget, -shares[goals])

    def violation(self, d: AllocationData, s: Sums) -> dict[str, float]:
        shares = self._shares(d)
        gap = shares * d.budget - s.per_goal if self.lower else s.per_goal - shares * d.budget
        return {self.name: float(np.nanmax(np.append(gap, 0.0)))}

    def pyomo(self, m: Any, d: AllocationData, h: PyomoContext) -> None:
        import pyomo.environ as pyo

        shares = self._shares(d)

        def rule(m: Any, g: str) -> object:
            a = float(shares[d.goals.index(g)])
            if math.isnan(a):
                return pyo.Constraint.Skip
            return h.in_goal(m, g) >= a * m.B if self.lower else h.in_goal(m, g) <= a * m.B

        setattr(m, self.name, pyo.Constraint(m.G, rule=rule))


class MaxShare(GoalShare):
    lower = False


MIN_SHARE = GoalShare("min_share", ("goals:min_share",),
                      "each goal gets at least alpha_g of the budget (in the agenda: of each "
                      "year's envelopes of all funders together)")
MAX_SHARE = MaxShare("max_share", ("goals:max_share",),
                     "each goal gets at most beta_g of the budget (in the agenda: likewise)")
