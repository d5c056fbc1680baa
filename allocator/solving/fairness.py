"""The price of fairness: what the equity rules cost in weighted unmet need.

Each equity rule is a constraint, so dropping it can only lower the least weighted unmet
need U. The price of all rules together is U minus U without any of them; the price of one
rule is U minus U without that rule alone (the others kept). Both are exact stage-1 LPs on
the same data; a rule that does not bind costs nothing.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from allocator.errors import Status
from allocator.solving.aggregate import optimum
from allocator.solving.certify import unmet
from allocator.solving.explain import RULES, active_rules
from allocator.solving.highs import Solution, Solver
from models.data import AllocationData, FloatArray, IntArray
from models.matrix import LinearProgram, build_lp
from models.rules import STEPS

#: The rules that trade efficiency for equity (spending the whole budget and co-financing
#: are conditions of the money, not of fairness).
EQUITY_RULES = tuple(r for r in RULES if r not in ("spend_all", "cofinancing"))


@dataclass(frozen=True)
class PriceOfFairness:
    unmet_eur: float  # weighted unmet need with every rule in force
    unconstrained_unmet_eur: float  # ... with no equity rule
    per_rule_eur: dict[str, float] = field(default_factory=dict)  # rule -> its own cost
    # rule -> (the step, what tightening the rule by it would cost, first order from duals)
    per_rule_step: dict[str, tuple[str, float]] = field(default_factory=dict)

    @property
    def total_eur(self) -> float:
        return max(0.0, self.unmet_eur - self.unconstrained_unmet_eur)

    @property
    def total_share(self) -> float:
        """The cost relative to the unmet need without equity rules (0.05 = 5 % more)."""
        base = self.unconstrained_unmet_eur
        return self.total_eur / base if base > 0 else 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "unmet_eur": self.unmet_eur,
            "unconstrained_unmet_eur": self.unconstrained_unmet_eur,
            "total_eur": self.total_eur,
            "total_share": self.total_share,
            "per_rule_eur": self.per_rule_eur,
            "per_rule_step": {rule: {"step": step, "cost_eur": cost}
                              for rule, (step, cost) in self.per_rule_step.items()},
        }


def tightening_costs(lp: LinearProgram, d: AllocationData, row_dual: FloatArray,
                     scale: float) -> dict[str, tuple[str, float]]:
    """What tightening each rule by one step would cost in weighted unmet need (euros), to
    first order: |dual| x the move of each bound, summed over the rule's rows. Exact while
    the optimal basis stays; a lower estimate beyond (the curve is convex)."""
    out: dict[str, tuple[str, float]] = {}
    for block in lp.blocks:
        step = STEPS.get(block.rule)
        if step is None:
            continue
        cost = float(np.abs(row_dual[block.rows]) @ step.move(d, block, scale)) * scale
        name = "max_coverage_gap" if block.rule == "coverage_gap" else block.rule
        out[name] = (step.text, cost)
    return out


class Warm:
    """The engine's LP held at its stage-1 optimal basis, which answers "the optimum without
    these rules" by relaxing the rules' rows to no bounds and re-solving from that basis
    (HiGHS's dual simplex, which repairs the relaxed rows' duals first; primal simplex,
    for which the basis stays feasible, took longer where many rows bind: 1.5 s against
    1.2 s for the per-capita cap of a binding 1e4 instance, 1.1 s against 0.12 s for its
    gap). Used where the LP without the rules is this LP without those rows (checked for
    each); elsewhere the LP is built and solved afresh."""

    def __init__(self, lp: LinearProgram, basis: Any) -> None:
        self.lp, self.basis = lp, basis
        self.solver = Solver(lp, algorithm="simplex")
        self.by_row = lp.matrix.tocsr()  # which columns each row touches, made once

    def rows_without(self, d: AllocationData) -> IntArray | None:
        """The rows of the held LP that ``d`` (its data with rules switched off) leaves out,
        or None where ``d``'s LP is not the held one without some of its row blocks."""
        lp, off = self.lp, build_lp(d)
        kept = [b.rule for b in off.blocks]
        if not set(kept) <= {b.rule for b in lp.blocks}:
            return None
        gone = [b for b in lp.blocks if b.rule not in kept]
        rows = (np.concatenate([np.arange(b.start, b.stop) for b in gone]) if gone
                else np.zeros(0, dtype=np.int64))
        n = lp.columns["budget"] + 1  # the cells and the budget column
        same = (off.n_rows == lp.n_rows - rows.size and off.offset == lp.offset
                and np.array_equal(off.cost[:n], lp.cost[:n])
                and np.array_equal(off.col_lower[:n], lp.col_lower[:n])
                and np.array_equal(off.col_upper[:n], lp.col_upper[:n])
                and not np.any(off.cost[n:]) and not np.any(lp.cost[n:][
                    ~np.isin(np.arange(n, lp.n_cols), self.columns_of(rows))]))
        return rows if same else None

    def columns_of(self, rows: IntArray) -> IntArray:
        """The columns the held LP's rows ``rows`` touch."""
        return np.unique(self.by_row[rows].indices) if rows.size else rows

    def optimum(self, rows: IntArray) -> Solution:
        """The held LP's optimum with ``rows`` free of their bounds (put back after)."""
        free = np.full(rows.size, np.inf)
        self.solver.set_row_bounds(rows, -free, free)
        self.solver.h.setBasis(self.basis)
        sol = self.solver.run()
        self.solver.set_row_bounds(rows, self.lp.row_lower[rows], self.lp.row_upper[rows])
        return sol


def _optimum(d: AllocationData, warm: Warm | None = None) -> float | None:
    """The weighted unmet need (model units) of ``d``'s stage-1 optimum: with shortfall
    tiers in force, of the allocation that minimises the tiered objective, so that every
    price reads in weighted unmet need, never in the tiers' extra weight. ``warm`` answers
    it from the engine's basis where ``d``'s LP is the engine's without some rows."""
    rows = warm.rows_without(d) if warm is not None else None
    sol = warm.optimum(rows) if warm is not None and rows is not None else optimum(
        build_lp(d), d)
    if sol.status != Status.OPTIMAL:
        return None
    if not d.shortfall_tiers:
        return sol.objective
    return unmet(d, np.asarray(sol.x[: d.n_cells], dtype=float))


def price_of_fairness(d: AllocationData, best: float, x: FloatArray, scale: float,
                      steps: dict[str, tuple[str, float]] | None = None,
                      warm: Warm | None = None) -> PriceOfFairness | None:
    """Price the equity rules of ``d``, whose stage-1 optimum (model units) is ``best``,
    reached by allocation ``x``.

    Every price is in weighted unmet need: the weighted unmet need of ``x`` minus that of
    the optimum without the rule(s). Shortfall tiers change what is minimised rather than
    what is allowed; with tiers in force the optimum without a rule is the tiered one, and
    its weighted unmet need (not the tiered objective, whose extra weight is no money) is
    what the rule is priced against. ``warm`` (the engine's LP at its stage-1 basis)
    answers each optimum by a warm re-solve where it can.
    """
    plain = unmet(d, x)
    rules = [r for r in active_rules(d) if r in EQUITY_RULES]
    if not rules:
        return PriceOfFairness(plain * scale, plain * scale)
    off: dict[str, object] = {}
    for rule in rules:
        off.update(RULES[rule])
    free = _optimum(dataclasses.replace(d, **off), warm)  # type: ignore[arg-type]
    if free is None:  # only when spend_all cannot hold without the rules: nothing to price
        return None
    per_rule = {}
    for rule in rules:
        without = _optimum(dataclasses.replace(d, **RULES[rule]),  # type: ignore[arg-type]
                           warm)
        if without is not None:
            per_rule[rule] = max(0.0, (plain - without) * scale)
    return PriceOfFairness(plain * scale, min(free, plain) * scale, per_rule,
                           {k: v for k, v in (steps or {}).items() if k in per_rule})
