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
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from allocator.errors import Status
from allocator.labels import label, money, number, percent, text
from allocator.solving import highs
from allocator.solving.aggregate import optimum
from allocator.solving.highs import Solver
from models.data import AllocationData
from models.matrix import LinearProgram, build_lp, region_rows, with_parameter
from models.rules import PARAM, SWITCH_OFF
from models.rules import RULES as RULE_OBJECTS
from models.rules.params import Param

#: Each optional rule, and how to switch it off in the model data (each rule says so).
RULES: dict[str, Mapping[str, object]] = dict(SWITCH_OFF)


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
    """What cannot hold, and the smallest changes that would make it hold. ``message`` is
    the English text; :meth:`text` gives it in another language from the same facts."""

    message: str
    min_budget_eur: float | None  # None: no budget makes the rules hold
    max_budget_eur: float | None  # None: no upper limit (or no budget at all)
    conflict: list[ConflictMember] = field(default_factory=list)
    conflict_irreducible: bool = False
    droppable: list[str] = field(default_factory=list)  # rules whose removal alone suffices
    unreachable_regions: dict[str, float] = field(default_factory=dict)  # region -> best coverage
    repairs: list[Repair] = field(default_factory=list)
    budget_eur: float = 0.0
    coverage_floor: float = 0.0

    def text(self, lang: str = "en", names: Mapping[str, str] | None = None) -> str:
        """The explanation in ``lang`` ("en" or "nl"); ``names`` shows region and goal ids
        by their names."""
        return _sentences(self, lang, names or {})

    def to_dict(self) -> dict[str, object]:
        return {
            "message": self.message,
            "min_budget_eur": self.min_budget_eur,
            "max_budget_eur": self.max_budget_eur,
            "conflict": [vars(m) for m in self.conflict],
            "conflict_irreducible": self.conflict_irreducible,
            "droppable": self.droppable,
            "unreachable_regions": self.unreachable_regions,
            "repairs": [{**vars(r), "text": r.text} for r in self.repairs],
        }


@dataclass(frozen=True)
class Repair:
    """One rule changed to the nearest value at which everything else can hold."""

    rule: str
    value: float  # euros for budgets and bounds, fractions for floor and gap, else the rule's unit
    region: str = ""  # for per-region bounds

    @property
    def text(self) -> str:
        return self.describe("en")

    def describe(self, lang: str, names: Mapping[str, str] | None = None) -> str:
        """The change in words: ``lower the coverage floor to 37.42%``."""
        if self.rule in ("coverage_floor", "max_coverage_gap"):
            shown = percent(self.value, lang)
        elif self.rule == "per_capita_cap":
            shown = number(self.value, lang)
        elif self.rule == "change_cap":
            shown = money(self.value, lang, decimals=2)
        else:
            shown = money(self.value, lang)
        region = (names or {}).get(self.region, self.region)
        return text(f"repair_{self.rule}", lang, value=shown, region=region)


def active_rules(d: AllocationData) -> list[str]:
    """The optional rules in force in ``d``, as keys of :data:`RULES`."""

    def differs(value: object, off: object) -> bool:
        return (value is not off) if off is None else bool(value != off)

    return [rule for rule, off in RULES.items()
            if any(differs(getattr(d, k), v) for k, v in off.items())]


def _feasible(d: AllocationData) -> bool:
    """Whether every rule of ``d`` can hold: the LP with no objective, by the interior point
    method without crossover (a question of feasibility wants no vertex). On the infeasible
    binding instances of make bench, with the floor at its repair: 0.06 s at 1e4 cells
    (0.17 s for simplex with the weighted objective), 0.12 s at 2e4 (0.20 s through the
    reduced LP), 0.57 s at 1e5 (0.65 s); an infeasible one is told in 0.02-0.03 s. Where
    it ends neither optimal nor infeasible, simplex with the objective decides."""
    lp = build_lp(d)
    solver = Solver(dataclasses.replace(lp, cost=np.zeros(lp.n_cols), offset=0.0),
                    algorithm="ipm")
    solver.without_crossover()
    status = solver.run().status
    if status not in (Status.OPTIMAL, Status.INFEASIBLE):
        status = optimum(lp, d).status
    return status == Status.OPTIMAL


def budget_range(d: AllocationData, *, highest: bool = True
                 ) -> tuple[float | None, float | None]:
    """Smallest and largest budget (model units) at which every rule of ``d`` holds.

    ``(None, None)`` when no budget does; the upper end is ``inf`` when there is no limit,
    and ``None`` when not asked for (``highest=False``: one LP instead of two).
    """
    lp = build_lp(d)
    b = lp.columns["budget"]
    # A finite ceiling keeps HiGHS from answering "unbounded or infeasible"; reaching it
    # means there is no upper limit.
    ceiling = 4.0 * max(d.budget, float(d.upper.sum())) + 1.0
    lp.col_lower[b], lp.col_upper[b] = 0.0, ceiling
    lp.cost[:] = 0.0
    lp.offset = 0.0
    solver = Solver(lp)  # one model: the least budget, then (warm) the largest
    ends: list[float | None] = []
    for sign in (1.0, -1.0) if highest else (1.0,):
        cost = np.zeros(lp.n_cols)
        cost[b] = sign
        solver.set_costs(cost)
        sol = solver.run()
        if sol.status == Status.OPTIMAL:
            value = float(sol.x[b])
            ends.append(math.inf if value >= ceiling * (1 - 1e-9) else value)
        else:
            ends.append(None)
    return ends[0], ends[1] if highest else None


def _best(lp: LinearProgram, d: AllocationData | None = None) -> float | None:
    """The parameter column's optimum (the last column), through the reduced LP where
    ``d`` is given and it applies."""
    sol = optimum(lp, d) if d is not None else Solver(lp).run()
    return float(sol.x[-1]) if sol.status == Status.OPTIMAL else None


def towards(param: Param, value: float) -> float:
    """A repaired value as its parameter declares it is moved (models.rules.params): down
    for a floor or a minimum, up for a cap, a gap or a maximum, to its declared decimals,
    so that the value shown is on the feasible side."""
    unit = 10.0 ** param.repair_decimals
    move = math.floor if param.repair == "down" else math.ceil
    return move(value * unit) / unit


def highest_floor(d: AllocationData) -> float | None:
    """The highest coverage floor at which every other rule of ``d`` holds (None: none
    does).

    It is at most U, the lower of the lowest coverage a covered region can reach on its own
    (its cells' bounds and its own caps: :func:`maxmin.reach`) and the level the budget can
    pay for every region (:func:`maxmin.affordable`). Where ``d`` holds with its floor at U,
    U is the answer: one feasibility solve (:func:`_feasible`: 0.06 s on the infeasible
    binding 1e4 instance of make bench, whose answer is U). Elsewhere an LP with the floor
    as a variable, below U, gives it (0.26 s there)."""
    from allocator.solving import maxmin

    without = dataclasses.replace(d, coverage_floor=0.0)
    lp = build_lp(without)
    covered = d.covered_regions
    if not covered.size:
        return None if not _feasible(without) else 1.0
    cov = maxmin.region_coverages(without, lp.n_cols)
    reach = maxmin.reach(lp, cov)
    rising = np.ones(cov.size, dtype=bool)
    ceiling = min(float(reach.min()), 1.0,
                  maxmin.affordable(cov, rising, np.zeros(cov.size), reach, d.budget))
    if _feasible(dataclasses.replace(d, coverage_floor=ceiling)):
        return ceiling
    rows = region_rows(d, covered, -d.region_need[covered], lp.n_cols + 1)
    return _best(with_parameter(lp, rows, -d.region_covered[covered],
                                np.full(covered.size, np.inf), -1.0, upper=ceiling), without)


def repairs(d: AllocationData, scale: float = 1.0,
            holds_without: set[str] | None = None) -> list[Repair]:
    """The nearest value of each parametric rule at which the others can hold, by an LP that
    makes the parameter a variable: the highest floor, the smallest gap, the smallest
    per-capita ratio, the smallest change cap, and the least relaxation of per-region
    bounds. Shown rounded towards feasibility (a floor down, a gap up).

    Each such LP is the instance without the rule, restricted further (the parameter a
    variable in a box): where it has a solution, the instance without the rule has one
    too, and the rule's name goes into ``holds_without`` when given (the explanation then
    need not solve that instance again)."""
    out = []
    found = set() if holds_without is None else holds_without
    if d.coverage_floor > 0:
        phi = highest_floor(d)
        if phi is not None:
            found.add("coverage_floor")
        if phi is not None and phi < d.coverage_floor:
            out.append(Repair("coverage_floor", towards(PARAM["coverage_floor"], min(phi, 1.0))))
    if d.max_coverage_gap is not None and d.covered_regions.size:  # no need: no gap row
        lp = build_lp(d)
        gap_row = next(b.start for b in lp.blocks if b.rule == "coverage_gap")
        lp.row_upper[gap_row] = np.inf
        lo, hi = lp.columns["coverage_min"], lp.columns["coverage_max"]
        lp.cost[:] = 0.0
        lp.cost[hi], lp.cost[lo], lp.offset = 1.0, -1.0, 0.0
        sol = Solver(lp).run()
        if sol.status == Status.OPTIMAL:
            found.add("max_coverage_gap")
            delta = float(sol.x[hi] - sol.x[lo])
            if delta > d.max_coverage_gap:
                out.append(Repair("max_coverage_gap", towards(PARAM["max_coverage_gap"], delta)))
    if d.per_capita_cap is not None:
        lp = build_lp(dataclasses.replace(d, per_capita_cap=None))
        regions = np.arange(len(d.regions))
        share = d.population / d.population.sum() * d.budget
        rows = region_rows(d, regions, -share, lp.n_cols + 1)
        kappa = _best(with_parameter(lp, rows, np.full(regions.size, -np.inf),
                                      np.zeros(regions.size), 1.0))
        if kappa is not None:
            found.add("per_capita_cap")
        if kappa is not None and kappa > d.per_capita_cap:
            out.append(Repair("per_capita_cap", towards(PARAM["per_capita_cap"], kappa)))
    if d.change_cap is not None and d.reference is not None:
        lp = build_lp(dataclasses.replace(d, change_cap=None))
        regions = np.flatnonzero(~np.isnan(d.reference))
        pop = d.population[regions]
        n = lp.n_cols + 1
        rows = sp.vstack([region_rows(d, regions, -pop, n), region_rows(d, regions, pop, n)])
        inf = np.full(regions.size, np.inf)
        ref = d.reference[regions]
        change = _best(with_parameter(lp, rows.tocsr(), np.concatenate([-inf, ref]),
                                      np.concatenate([ref, inf]), 1.0,
                                      upper=float(d.upper.sum() + ref.max()) / pop.min() + 1))
        if change is not None:
            found.add("change_cap")
        if change is not None and change > d.change_cap:
            out.append(Repair("change_cap", towards(PARAM["change_cap"], change * scale)))
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
            value = (math.floor((bound[r] - s) * scale) if sign > 0
                     else math.ceil((bound[r] + s) * scale))
            out.append(Repair(rule, float(value), region=d.regions[r]))
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


def rules_in(members: list[ConflictMember]) -> set[str] | None:
    """The rules (keys of :data:`RULES`) whose rows a conflict holds; None where there is
    no conflict or a row no rule names, so that nothing is ruled out by it. A set of rows
    that cannot hold together still cannot once a rule outside it is dropped."""
    if not members:
        return None
    owner = {block: rule.name for rule in RULE_OBJECTS
             for block in (rule.name, *rule.holds())}
    found = set()
    for m in members:
        if m.rule in ("budget", "cell_limit"):  # the budget row, a cell's bound: no rule
            continue
        if m.rule not in owner:
            return None
        found.add(owner[m.rule])
    return found


def describe_conflict(members: list[ConflictMember], irreducible: bool, lang: str = "en",
                      names: Mapping[str, str] | None = None) -> str:
    """The conflict in one sentence, grouped by rule."""
    groups: dict[str, list[str]] = {}
    for m in members:
        groups.setdefault(m.rule, [])
        if m.id:
            groups[m.rule].append((names or {}).get(m.id, m.id))
    parts = []
    for rule, ids in groups.items():
        if rule == "cell_limit":
            parts.append(text("inf_cells", lang, n=len(ids),
                              s=("s" if lang == "en" else "len") * (len(ids) != 1)))
        elif ids:
            more = text("inf_more", lang, n=len(ids) - 8) if len(ids) > 8 else ""
            parts.append(text("inf_in", lang, rule=_rule(rule, lang),
                              ids=", ".join(ids[:8]) + more))
        else:
            parts.append(_rule(rule, lang))
    return text("inf_irreducible" if irreducible else "inf_proof", lang, parts="; ".join(parts))


def _rule(rule: str, lang: str) -> str:
    """A rule's name: its key in English (what the instance and flags call it), its label
    in Dutch."""
    if lang == "en":
        return rule
    key = "budget_rule" if rule == "budget" else rule
    try:
        return label(key, lang)
    except KeyError:
        return rule




def explain(d: AllocationData, scale: float) -> Infeasibility:
    """Explain why ``d`` has no feasible allocation."""
    # the repairs' LPs each say, where they have a solution, that their rule can be dropped
    holds_without: set[str] = set()
    # The repairs (the longest part: 0.31 s of an infeasible 20k-cell instance's 0.51 s)
    # on a thread of their own while the budget range and the conflict are found here:
    # separate HiGHS instances, each solving without the GIL.
    with highs.Background(1) as background:
        repaired = background.start(repairs, d, scale, holds_without)
        low, high = budget_range(d)
        members, irreducible = iis_conflict(d)
        fixes = repaired.result()
    budget = d.budget
    # a rule whose rows are not in the conflict leaves the conflict standing when dropped:
    # only the rules in it are solved without them
    owners = rules_in(members)
    droppable = [rule for rule in active_rules(d)
                 if (owners is None or rule in owners)
                 and (rule in holds_without or _feasible(
                     dataclasses.replace(d, **RULES[rule])))]  # type: ignore[arg-type]

    unreachable: dict[str, float] = {}
    if d.coverage_floor > 0:
        covered = d.covered_regions
        per_region = np.bincount(d.cell_region, d.upper, minlength=len(d.regions))
        best = (d.region_covered[covered] + per_region[covered]) / d.region_need[covered]
        for r, c in zip(covered, best, strict=True):
            if c < d.coverage_floor - 1e-12:
                unreachable[d.regions[r]] = float(c)

    if low is not None and (budget < low or (high is not None and budget > high)):
        target = math.ceil(low * scale) if budget < low else math.floor(high * scale)  # type: ignore[operator]
        fixes.insert(0, Repair("budget_eur", float(target)))
    facts = Infeasibility(
        message="",
        min_budget_eur=None if low is None else low * scale,
        max_budget_eur=None if high is None or math.isinf(high) else high * scale,
        conflict=members,
        conflict_irreducible=irreducible,
        droppable=droppable,
        unreachable_regions=unreachable,
        repairs=fixes,
        budget_eur=budget * scale,
        coverage_floor=d.coverage_floor,
    )
    return dataclasses.replace(facts, message=facts.text("en"))


def _sentences(inf: Infeasibility, lang: str, names: Mapping[str, str]) -> str:
    """The explanation, sentence by sentence, from the facts alone."""
    budget, low, high = inf.budget_eur, inf.min_budget_eur, inf.max_budget_eur
    parts = [text("inf_budget", lang, value=money(budget, lang))]
    if low is None:
        parts.append(text("inf_none", lang))
    elif budget < low:
        parts.append(text("inf_low", lang, value=money(math.ceil(low), lang)))
    elif high is not None and budget > high:
        parts.append(text("inf_high", lang, value=money(math.floor(high), lang)))
    if inf.conflict:
        parts.append(describe_conflict(inf.conflict, inf.conflict_irreducible, lang, names))
    if inf.droppable:
        parts.append(text("inf_droppable", lang,
                          rules=", ".join(_rule(r, lang) for r in inf.droppable)))
    if inf.unreachable_regions:
        listed = ", ".join(text("inf_at_most", lang, region=names.get(r, r),
                                value=percent(c, lang, 1))
                           for r, c in inf.unreachable_regions.items())
        parts.append(text("inf_unreachable", lang, floor=percent(inf.coverage_floor, lang, 1),
                          listed=listed))
    single = [f.describe(lang, names) for f in inf.repairs if not f.region]
    if single:
        parts.append(text("inf_single", lang, fixes="; ".join(single)))
    joint = [f.describe(lang, names) for f in inf.repairs if f.region]
    if joint:
        parts.append(text("inf_joint", lang, fixes="; ".join(joint)))
    return " ".join(parts)
