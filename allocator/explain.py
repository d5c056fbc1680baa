"""Why an instance is infeasible, in words, with the budgets at which it would not be.

The budget is a column of the LP fixed by its bounds, so freeing it and minimising (or
maximising) it gives the exact range of envelopes under which all rules hold: two LPs, no
search. HiGHS names a set of rows and bounds that cannot hold together (irreducible on
small models); dropping one rule family at a time names the rules whose removal alone would
do; and each parametric rule gets its nearest feasible value from an LP of its own.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

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
    "change_cap": {"max_change_per_capita": None},
    "shortfall_tiers": {"shortfall_tiers": None},
    "cofinancing": {"cofinancing_ratio": None},
    "spend_all": {"spend_all": False},
}


#: HiGHS's irreducible IIS strategy grows about with the square of the model and ignores the
#: time limit (measured here: 2.6 s at 1,003 columns, 24 s at 3,001, 308 s at 10,003). Above
#: this many columns the conflict comes from the infeasibility proof instead (0.15 s at
#: 3,001 columns), which is a conflict but not a minimal one; the result says which.
IIS_IRREDUCIBLE_MAX_COLS = 1_500


@dataclass(frozen=True)
class ConflictMember:
    """One row or bound of a set that cannot hold together."""

    rule: str  # a rule of the model, "budget", or "cell_limit" (a cell's net need or cap)
    id: str  # the region, goal or cell it belongs to ("" for a single row)
    bound: str  # "lower", "upper" or "both"


@dataclass(frozen=True)
class Infeasibility:
    """What cannot hold, and the smallest changes that would make it hold."""

    message: str
    min_budget_eur: float | None  # None: no budget makes the rules hold
    max_budget_eur: float | None  # None: no upper limit (or no budget at all)
    conflict: list[ConflictMember] = field(default_factory=list)
    conflict_irreducible: bool = False
    droppable: list[str] = field(default_factory=list)  # rules whose removal alone suffices
    unreachable_regions: dict[str, float] = field(default_factory=dict)  # region -> best coverage
    repairs: list[Repair] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "message": self.message,
            "min_budget_eur": self.min_budget_eur,
            "max_budget_eur": self.max_budget_eur,
            "conflict": [vars(m) for m in self.conflict],
            "conflict_irreducible": self.conflict_irreducible,
            "droppable": self.droppable,
            "unreachable_regions": self.unreachable_regions,
            "repairs": [vars(r) for r in self.repairs],
        }


@dataclass(frozen=True)
class Repair:
    """One rule changed to the nearest value at which everything else can hold."""

    rule: str
    value: float  # euros for budgets and bounds, fractions for floor and gap, else the rule's unit
    text: str
    region: str = ""  # for per-region bounds


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


def repairs(d: AllocationData, scale: float = 1.0) -> list[Repair]:
    """The nearest value of each parametric rule at which the others can hold, by an LP that
    makes the parameter a variable: the highest floor, the smallest gap, the smallest
    per-capita ratio, the smallest change cap, and the least relaxation of per-region
    bounds. Shown rounded towards feasibility (a floor down, a gap up)."""
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
    if d.max_change_per_capita is not None and d.reference is not None:
        lp = build_lp(dataclasses.replace(d, max_change_per_capita=None))
        regions = np.flatnonzero(~np.isnan(d.reference))
        pop = d.population[regions]
        n = lp.n_cols + 1
        rows = sp.vstack([region_rows(d, regions, -pop, n), region_rows(d, regions, pop, n)])
        inf = np.full(regions.size, np.inf)
        ref = d.reference[regions]
        change = _best(with_parameter(lp, rows.tocsr(), np.concatenate([-inf, ref]),
                                      np.concatenate([ref, inf]), 1.0,
                                      upper=float(d.upper.sum() + ref.max()) / pop.min() + 1))
        if change is not None and change > d.max_change_per_capita:
            value = math.ceil(change * scale * 100) / 100
            out.append(Repair("max_change_eur_per_capita", value,
                              f"allow a change of €{value:,.2f} per inhabitant"))
    out.extend(_region_bound_repairs(d, scale))
    return out


def _region_bound_repairs(d: AllocationData, scale: float) -> list[Repair]:
    """The least total relaxation (in euros) of per-region minimums and maximums at which
    everything else holds: an elastic LP with one relaxation column per bound."""
    bounds = [(rule, np.flatnonzero(~np.isnan(b)), b, sign)
              for rule, b, sign in (("region_min", d.region_min, 1.0),
                                    ("region_max", d.region_max, -1.0)) if b is not None]
    bounds = [b for b in bounds if b[1].size]
    if not bounds:
        return []
    lp = build_lp(dataclasses.replace(d, region_min=None, region_max=None))
    k = sum(regions.size for _, regions, _, _ in bounds)
    n = lp.n_cols + k
    blocks, lower, upper, first = [], [], [], lp.n_cols
    for _, regions, bound, sign in bounds:
        sums = region_rows(d, regions, np.zeros(regions.size), n)
        relax = sp.csr_matrix((np.full(regions.size, sign),
                               (np.arange(regions.size), first + np.arange(regions.size))),
                              shape=(regions.size, n))
        blocks.append(sums + relax)  # x_r + s_r >= lo_r, or x_r - s_r <= hi_r
        inf = np.full(regions.size, np.inf)
        lower.append(bound[regions] if sign > 0 else -inf)
        upper.append(inf if sign > 0 else bound[regions])
        first += regions.size
    cost = np.zeros(n)
    cost[lp.n_cols:] = 1.0
    elastic = dataclasses.replace(
        lp, cost=cost, offset=0.0,
        col_lower=np.append(lp.col_lower, np.zeros(k)),
        col_upper=np.append(lp.col_upper, np.full(k, float(d.upper.sum()) + 1.0)),
        matrix=sp.vstack([sp.hstack([lp.matrix, sp.csc_matrix((lp.n_rows, k))]),
                          *blocks]).tocsc(),
        row_lower=np.concatenate([lp.row_lower, *lower]),
        row_upper=np.concatenate([lp.row_upper, *upper]))
    sol = Solver(elastic).run()
    if sol.status != Status.OPTIMAL:
        return []
    relaxed = sol.x[lp.n_cols:]
    out, at = [], 0
    for rule, regions, bound, sign in bounds:
        for r, s in zip(regions, relaxed[at:at + regions.size], strict=True):
            if s * scale < 0.005:
                continue
            name = d.regions[r]
            if sign > 0:
                value = math.floor((bound[r] - s) * scale)
                text = f"lower the minimum of {name} to {_eur(value)}"
            else:
                value = math.ceil((bound[r] + s) * scale)
                text = f"raise the maximum of {name} to {_eur(value)}"
            out.append(Repair(rule, float(value), text, region=name))
        at += regions.size
    return out


def iis_conflict(d: AllocationData) -> tuple[list[ConflictMember], bool]:
    """HiGHS's set of rows and bounds that cannot hold together, named by rule and id, and
    whether it is irreducible. Cells' lower bounds (no negative allocation) are left out."""
    lp = build_lp(d)
    solver = Solver(lp)
    if solver.run().status != Status.INFEASIBLE:
        return [], False
    irreducible = lp.n_cols <= IIS_IRREDUCIBLE_MAX_COLS
    rows, cols = solver.iis(irreducible)
    side = {2: "lower", 3: "upper", 4: "both"}
    names = {"region": d.regions, "goal": d.goals}
    members = []
    for i, bound in rows:
        block = next(b for b in lp.blocks if b.start <= i < b.stop)
        ident = names[block.over][block.index[i - block.start]] if block.over else ""
        members.append(ConflictMember(block.rule, ident, side[bound]))
    budget = lp.columns["budget"]
    for j, bound in cols:
        if j == budget and not any(m.rule == "budget" for m in members):
            members.append(ConflictMember("budget", "", side[bound]))
        elif j < lp.n_cells and bound in (3, 4):
            cell = f"{d.regions[d.cell_region[j]]} / {d.goals[d.cell_goal[j]]}"
            members.append(ConflictMember("cell_limit", cell, "upper"))
    return members, irreducible


def describe_conflict(members: list[ConflictMember], irreducible: bool) -> str:
    """The conflict in one sentence, grouped by rule."""
    groups: dict[str, list[str]] = {}
    for m in members:
        groups.setdefault(m.rule, [])
        if m.id:
            groups[m.rule].append(m.id)
    parts = []
    for rule, ids in groups.items():
        if rule == "cell_limit":
            parts.append(f"the net need or cap of {len(ids)} cell{'s' * (len(ids) != 1)}")
        elif ids:
            shown = ", ".join(ids[:8]) + (f" and {len(ids) - 8} more" if len(ids) > 8 else "")
            parts.append(f"{rule} in {shown}")
        else:
            parts.append(rule)
    kind = "cannot hold together (an irreducible set: drop any one and the rest can)" if (
        irreducible) else "cannot hold together (a conflict set from the infeasibility proof, " \
                          "not necessarily minimal)"
    return "These " + kind + ": " + "; ".join(parts) + "."


def _eur(value: float) -> str:
    return f"€{value:,.0f}"


def explain(d: AllocationData, scale: float) -> Infeasibility:
    """Explain why ``d`` has no feasible allocation."""
    low, high = budget_range(d)
    budget = d.budget
    droppable = [rule for rule in active_rules(d)
                 if _feasible(dataclasses.replace(d, **RULES[rule]))]  # type: ignore[arg-type]
    members, irreducible = iis_conflict(d)

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
    if members:
        parts.append(describe_conflict(members, irreducible))
    if droppable:
        parts.append("Dropping any one of these rules would restore feasibility: "
                     + ", ".join(droppable) + ".")
    if unreachable:
        listed = ", ".join(f"{r} (at most {c:.1%})" for r, c in unreachable.items())
        parts.append(f"coverage_floor {d.coverage_floor:.1%} is out of reach, whatever the "
                     f"budget, in: {listed}, given their need, existing funding and caps.")
    fixes = repairs(d, scale)
    if low is not None and (budget < low or (high is not None and budget > high)):
        target = math.ceil(low * scale) if budget < low else math.floor(high * scale)  # type: ignore[operator]
        fixes.insert(0, Repair("budget_eur", float(target), f"set the budget to {_eur(target)}"))
    single = [f.text for f in fixes if not f.region]
    if single:
        parts.append("Single changes that would restore feasibility: " + "; ".join(single) + ".")
    joint = [f.text for f in fixes if f.region]
    if joint:
        parts.append("Or relax the per-region bounds together, by the fewest euros in all: "
                     + "; ".join(joint) + ".")
    return Infeasibility(
        message=" ".join(parts),
        min_budget_eur=None if low is None else low * scale,
        max_budget_eur=None if high is None or math.isinf(high) else high * scale,
        conflict=members,
        conflict_irreducible=irreducible,
        droppable=droppable,
        unreachable_regions=unreachable,
        repairs=fixes,
    )
