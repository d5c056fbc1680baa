"""The budget: the allocation spends at most B, or exactly B with ``spend_all``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from models.data import AllocationData
from models.rules.base import INF, PyomoContext, Rule, Sums
from models.rules.params import MAX_EUR, Param

if TYPE_CHECKING:
    from models.builder import Target


class Budget(Rule):
    kind = "money"

    def active(self, d: AllocationData) -> bool:
        return True

    def build(self, b: Target) -> None:
        # sum x - B <= 0  (or == 0 with spend_all)
        n, one = b.d.n_cells, np.ones(1)
        b.add("budget", "", np.empty(0, dtype=np.int64), np.zeros(n + 1, dtype=np.int64),
              np.append(b.cells, b.budget), np.append(np.ones(n), -1.0),
              one * (0.0 if b.d.spend_all else -INF), one * 0.0)

    def violation(self, d: AllocationData, s: Sums) -> dict[str, float]:
        out = {"budget": max(0.0, float(s.x.sum() - d.budget))}
        if d.spend_all:
            out["spend_all"] = max(0.0, float(d.budget - s.x.sum()))
        return out

    def pyomo(self, m: Any, d: AllocationData, h: PyomoContext) -> None:
        import pyomo.environ as pyo

        total = sum(m.x[c] for c in m.C)
        m.budget = pyo.Constraint(expr=(total == m.B) if d.spend_all else (total <= m.B))


class SpendAll(Rule):
    """Part of the budget row (its lower bound); listed for the support table."""

    kind = "money"

    def off(self) -> dict[str, object]:
        return {"spend_all": False}


BUDGET = Budget("budget", ("policy:budget_eur",),
                "the allocation spends at most the budget B (in the agenda: each funder's "
                "envelope per year, with carry-over and borrowing)",
                params=(Param(
                    "budget_eur", "money", flag="--budget", metavar="EUR", required=True,
                    can_off=False, gt=0, le=MAX_EUR, scaled=True,
                    name={"nl": "budget", "en": "budget"},
                    help={"nl": "het jaarbudget in euro (verplicht)",
                          "en": "the annual budget in euros (required)"}),))
SPEND_ALL = SpendAll("spend_all", ("policy:spend_all",),
                     "the whole budget is allocated (in the agenda: each funder's envelope "
                     "is spent or carried to the next year, every year)",
                     params=(Param(
                         "spend_all", "bool", flag="--spend-all", default=False, off=False,
                         name={"nl": "volledig besteden", "en": "spend all"},
                         help={"nl": "waar: het hele budget moet worden verdeeld",
                               "en": "true: the whole budget must be allocated"}),))
