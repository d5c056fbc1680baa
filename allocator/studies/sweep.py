"""The exact response curve: weighted unmet need as a function of the budget.

U*(B) is piecewise linear and convex in B (the budget enters only as the bounds of one LP
column), so it is traced exactly instead of sampled: the sandwich method of Eisner and
Severance. Two evaluated points with their slopes (the reduced cost of the budget column)
give two tangents; where they cross, one more evaluation either lies on both tangents — the
crossing is a breakpoint and the interval is done — or splits the interval in two. Every
evaluation is a warm re-solve of one HiGHS model with only the budget column's bounds
changed; nothing is rebuilt. The count of LP solves is about twice the number of
breakpoints, and is reported.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from allocator.errors import CertificateError, Status, UsageError
from allocator.inputs.instance import Instance
from allocator.inputs.validate import load
from allocator.labels import Worded
from allocator.limits import MAX_EUR, MAX_STEPS
from allocator.messages import Message
from allocator.solving import highs, parametric
from allocator.solving.certify import Certificate, certify_at, tier_penalty, unmet
from allocator.solving.engine import solve
from allocator.solving.explain import budget_range
from allocator.solving.figures import Figures, figures_of
from allocator.solving.modeldata import money_scale, to_model_data
from allocator.solving.pipeline import Pipeline
from allocator.solving.result import Result
from models.data import AllocationData
from models.matrix import build_lp

#: Relative tolerance on U for "this point lies on both tangents".
ON_TANGENT = 1e-9
#: Allocations per breakpoint are kept up to this many cells (JSON and workbook size).
MAX_CELLS_PER_BREAKPOINT = 20_000
#: ... and up to this many values in all (breakpoints x cells): a traced curve of 1,000
#: regions has about 2,000 breakpoints, whose allocations and region figures made a JSON of
#: 1.35 GB and a peak of 6 GB. Beyond it the curve is kept, and the message says how to see
#: allocations (ask for the budgets).
MAX_VALUES = 500_000


def keeps(cells: int, points: int) -> bool:
    """Whether a sweep of ``points`` budgets over ``cells`` cells keeps each budget's
    allocation and figures (see :data:`MAX_VALUES`)."""
    return cells <= MAX_CELLS_PER_BREAKPOINT and cells * points <= MAX_VALUES
#: Up to this many breakpoints, each one's allocation is the engine's full, tie-broken and
#: certified solve at that budget; beyond, the stage-1 optimum of the trace.
MAX_TIE_BROKEN = 50
#: The sandwich gives up after this many LP solves per variable of the LP (and says so).
SOLVES_PER_VARIABLE = 4
#: Segments of a curve traced by pivots that are re-solved in their middle as its check.
CHECKED_SEGMENTS = 8
#: ``method="auto"`` traces by pivots where the LP has at least one distinct cost per this
#: many variables (columns and rows). The curve has about one breakpoint per distinct cost
#: (3,692 distinct costs gave 5,702 breakpoints on the binding family at 1e4 cells, 7 gave
#: 12 on the easy family), the trace takes about one pivot per two variables (0.42 and
#: 0.6), and each of the sandwich's warm runs (1.5 per breakpoint) costs about five of the
#: trace's pivots: 15 = 1.5 x 5 / 0.5. A count, not a clock, so that the same instance is
#: traced the same way on every machine.
VARIABLES_PER_COST = 15
#: Budgets a max-min sweep solves when --steps does not say (21: every 5 % of the range).
MAX_MIN_SAMPLES = 21


@dataclass(frozen=True)
class Breakpoint:
    """One vertex of the curve; ``marginal_value`` holds on the segment that starts here.

    The curve is the objective: weighted unmet need plus, with shortfall tiers, the tier
    penalty (both parts given). Without tiers the two are the same number.
    """

    budget_eur: float
    weighted_unmet_eur: float  # of the allocation reported at this budget
    marginal_value: float  # objective removed per extra euro, on the segment from here
    objective_eur: float = 0.0  # the curve: weighted unmet need + tier penalty
    tier_penalty_eur: float | None = None  # None: no tiers in force
    status: Status = Status.OPTIMAL  # INFEASIBLE for an asked budget where the rules cannot hold
    # The certificate of the allocation reported here (None where infeasible): every rule
    # re-checked at this budget, the objective against the Lagrangian bound of its duals.
    max_violation_eur: float | None = None
    duality_gap: float | None = None

    @property
    def optimal(self) -> bool:
        return self.status == Status.OPTIMAL


@dataclass
class Sweep(Worded):
    instance: Instance
    breakpoints: list[Breakpoint]
    min_feasible_budget_eur: float | None
    saturation_budget_eur: float | None  # None: more budget still helps at the end of range
    lp_solves: int
    message: str
    allocations: pd.DataFrame = field(default_factory=pd.DataFrame)  # breakpoint x cell
    seconds: float = 0.0  # wall clock of the whole trace
    notes: list[tuple[str, dict[str, object]]] = field(default_factory=list)  # for text()
    # per budget with an allocation: its figures table (allocator.solving.figures), the one
    # every surface of the sweep shows (the envelope table, the JSON's records)
    figures: dict[float, Figures] = field(default_factory=dict)
    asked: bool = False  # the budgets were asked (--budgets, --from/--to/--steps): envelopes

    def envelopes(self) -> pd.DataFrame:
        """Per budget with an allocation and per region: amount, per inhabitant, coverage
        before and after, and the change in amount from the budget before (the figures
        table's, in the instance's order of regions)."""
        frames = []
        previous = None
        for budget in sorted(self.figures):
            regions = self.figures[budget].regions
            frame = regions[["name", "amount_eur", "per_inhabitant_eur", "coverage_before",
                             "coverage_after", "pro_rata_population_eur",
                             "pro_rata_need_eur"]].reset_index()
            frame.insert(0, "budget_eur", budget)
            frame["change_eur"] = (regions["amount_eur"].to_numpy()
                                   - previous if previous is not None else 0)
            previous = regions["amount_eur"].to_numpy()
            frames.append(frame)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


    def value_at(self, budget_eur: float) -> float:
        """The objective (weighted unmet need, plus the tier penalty with tiers) at any budget
        in range, by linear interpolation: exact, the curve being piecewise linear."""
        b = np.array([p.budget_eur for p in self.breakpoints if p.optimal])
        u = np.array([p.objective_eur for p in self.breakpoints if p.optimal])
        if not len(b) or budget_eur < b[0] - 1e-6 or budget_eur > b[-1] + 1e-6:
            raise ValueError(f"budget {budget_eur:,.2f} is outside the traced range")
        return float(np.interp(budget_eur, b, u))


def sweep(instance: Instance | str | Path, *, start: float | None = None,
          stop: float | None = None, steps: int | None = None,
          budgets: Sequence[float] | None = None, figures: bool = True,
          tie_break: bool = True, method: str = "auto") -> Sweep:
    """Trace U*(B) exactly on [start, stop] (default: the whole range where it changes).

    ``steps`` evaluates a fixed grid of that many budgets instead, with the same warm
    re-solves; its points carry the solver's marginal value at each budget. With ``start``
    and ``stop`` the grid runs exactly from one to the other; ``budgets`` evaluates exactly
    the budgets asked. Either way a budget at which the rules cannot hold is marked so,
    never moved. ``figures=False`` leaves out each breakpoint's figures table (a caller
    that reads the allocations alone); ``tie_break=False`` leaves each breakpoint at the
    traced optimum (a caller that reads the budgets and marginal values alone).
    ``method`` traces the exact curve by dual-simplex pivots from one solve (``"pivot"``,
    which falls back to the sandwich where a pivot cannot be trusted), by the sandwich
    method alone (``"sandwich"``: one or two solves per breakpoint; the other's check), or
    (``"auto"``) by pivots where the LP's count of distinct costs says they are faster
    (:data:`VARIABLES_PER_COST`).
    """
    if method not in ("auto", "pivot", "sandwich"):
        raise ValueError(f"method {method!r}: 'auto', 'pivot' or 'sandwich'")
    clock = time.perf_counter()
    traced = _sweep(instance, start=start, stop=stop, steps=steps, budgets=budgets,
                    figures=figures, tie_break=tie_break, method=method)
    traced.seconds = time.perf_counter() - clock
    return traced


def _sweep(instance: Instance | str | Path, *, start: float | None = None,
           stop: float | None = None, steps: int | None = None,
           budgets: Sequence[float] | None = None, figures: bool = True,
           tie_break: bool = True, method: str = "auto") -> Sweep:
    if budgets is not None:
        if not budgets or len(budgets) > MAX_STEPS:
            raise UsageError(Message("--budgets: give 1 to {limit} budgets", limit=MAX_STEPS))
        for each in budgets:
            if not (math.isfinite(each) and 0 <= each <= MAX_EUR):
                raise UsageError(Message("--budgets {value:g}: give budgets from €0 to "
                                         "€{limit:,.0f}", value=each, limit=MAX_EUR))
    if steps is not None and not 1 <= steps <= MAX_STEPS:
        raise UsageError(Message("--steps {steps}: give 1 to {limit} budgets", steps=str(steps),
                                 limit=MAX_STEPS))
    for flag, value in (("--from", start), ("--to", stop)):
        if value is not None and not (math.isfinite(value) and 0 <= value <= MAX_EUR):
            raise UsageError(Message("{flag} {value:g}: give a budget from €0 to €{limit:,.0f}",
                                     flag=flag, value=value, limit=MAX_EUR))
    if start is not None and stop is not None and start > stop:
        raise UsageError(Message("--from {start:,.0f} lies above --to {stop:,.0f}: give the "
                                 "lower budget first", start=start, stop=stop))
    if not isinstance(instance, Instance):
        instance = load(instance)
    scale = money_scale(instance)
    d = to_model_data(instance, scale)
    lp = build_lp(d)
    if method == "auto":
        method = ("pivot" if np.unique(lp.cost).size * VARIABLES_PER_COST
                  >= lp.n_rows + lp.n_cols else "sandwich")
    # the whole curve by pivots: its top is where the trace finds the rules stop holding,
    # so the LP that finds the largest budget is not solved (unless the sandwich must)
    whole = (method == "pivot" and start is None and stop is None and budgets is None
             and steps is None and instance.policy.fairness != "max-min")
    low, high = budget_range(d, highest=not whole)
    solves = 1 if whole else 2
    if low is None:
        return _with_notes(Sweep(instance, [], None, None, solves, ""), [("sweep_none", {})])
    col = lp.columns["budget"]
    solver = highs.Solver(lp)
    absorb = float(d.upper.sum())
    a = max(low, (start / scale) if start is not None else low)
    top = high if high is not None and math.isfinite(high) else max(absorb, d.budget)
    b = min(top, (stop / scale) if stop is not None else top)
    if high is None:  # up to budget_range's ceiling, above which there is no limit
        b = 4.0 * max(d.budget, absorb) + 1.0
    asked = None
    if budgets is not None:
        asked = np.asarray(sorted(budgets), dtype=float)
    elif steps is not None and start is not None and stop is not None:
        asked = np.linspace(start, stop, max(steps, 2)) if stop > start else np.array([start])
    if b < a and asked is None:
        raise UsageError(Message(
            "the curve runs from €{low:,.0f} (the least budget at which the rules hold) to "
            "€{top:,.0f} (beyond which nothing more can be placed); €{start:,.0f} to "
            "{stop} lies outside it", low=low * scale, top=top * scale, start=start or 0.0,
            stop=Message("€{stop:,.0f}", stop=stop) if stop is not None
            else Message("the top")))
    if instance.policy.fairness == "max-min":
        return _sampled(instance, asked if asked is not None else (
            np.linspace(a, b, steps or MAX_MIN_SAMPLES) * scale if b > a
            else np.array([a * scale])), low * scale, asked is not None)
    # per evaluated budget: the objective, its slope from there, the allocation (None once
    # a pivoted curve holds too many to keep), the certificate, and (weighted unmet need,
    # tier penalty) of the allocation
    points: dict[float, tuple[float, float, np.ndarray | None, Certificate,
                              tuple[float, float]]] = {}

    def evaluate(budget: float) -> tuple[float, float]:
        nonlocal solves
        if budget not in points:
            solver.set_col_bounds(col, budget, budget)
            sol = solver.run()
            solves += 1
            if sol.status != Status.OPTIMAL:
                raise RuntimeError(f"no optimum at budget {budget * scale:,.2f} "
                                   f"({sol.status.value})")
            x = sol.x[: lp.n_cells]
            points[budget] = (sol.objective, float(sol.col_dual[col]), x,
                              _certified(d, lp, budget, x, sol.row_dual, scale),
                              (unmet(d, x), tier_penalty(d, x)))
        u, slope = points[budget][:2]
        return u, slope

    if asked is not None:
        return _grid(instance, d, asked / scale, evaluate, points, scale, low, lambda: solves,
                     high)
    if steps is not None:
        return _grid(instance, d, np.linspace(a, b, max(steps, 2)) if b > a
                     else np.array([a]), evaluate, points, scale, low, lambda: solves)
    pivots = None
    if method == "pivot" and b > a:
        try:
            pivots, checked, end = _pivoted(d, lp, solver, a, b, scale, points,
                                            open_end=high is None)
            solves += checked
            if high is None:  # the trace found the top, or that there is none
                if end < b * (1 - 1e-9):
                    high = b = end
                else:
                    high, b = math.inf, top
                    for budget in [x for x in points if x > b]:
                        del points[budget]
                    evaluate(b)
        except parametric.Singular:
            points.clear()  # the sandwich instead, from the start
            pivots = None
            if high is None:
                high = budget_range(d)[1]
                solves += 2
                top = high if high is not None and math.isfinite(high) else top
                b = top
    if pivots is None:
        evaluate(a)
        if b > a:
            evaluate(b)
        stack = [(a, b)] if b > a else []
        # at most about one breakpoint per variable (columns and rows: shortfall tiers and
        # diminishing returns add columns, and with them breakpoints, beyond one per cell)
        limit = solves + SOLVES_PER_VARIABLE * (lp.n_cols + lp.n_rows) + 100
        while stack and solves < limit:
            x1, x2 = stack.pop()
            (u1, s1), (u2, s2) = evaluate(x1), evaluate(x2)
            if s2 - s1 <= ON_TANGENT * max(1.0, abs(s1)):
                continue  # one slope: a straight segment
            xc = (u2 - u1 + s1 * x1 - s2 * x2) / (s1 - s2)
            if not x1 < xc < x2:
                continue  # the tangents cross at an end: the end is the breakpoint
            uc, _ = evaluate(xc)
            if uc - (u1 + s1 * (xc - x1)) <= ON_TANGENT * max(1.0, abs(uc)):
                continue  # on both tangents: xc is a breakpoint, both halves are straight
            stack += [(xc, x2), (x1, xc)]
        if stack:  # never a curve with an interval left open: it would be wrong there
            raise CertificateError(Message(
                "The curve was not traced to its end in {limit} LP solves (from "
                "€{budget:,.2f} on it was left open); it is not reported. Ask for the budgets "
                "you want with --budgets.", limit=limit,
                budget=min(x for x, _ in stack) * scale))

    xs: list[float] = []
    for x in sorted(points):  # points closer than the solver can tell apart are one
        if not xs or x - xs[-1] > 1e-9 * max(1.0, abs(x)):
            xs.append(x)
    us = [points[x][0] for x in xs]
    vertices = _vertices(xs, us)
    values = []
    for k, i in enumerate(vertices):
        if k + 1 < len(vertices):
            j = vertices[k + 1]
            value = -(us[j] - us[i]) / (xs[j] - xs[i])
        elif stop is None or b >= top:
            value = 0.0  # the natural end: beyond it nothing more can be placed or allowed
        else:
            value = -points[xs[i]][1]  # the slope the solver reports there
        values.append(max(0.0, value))
    tiers = d.shortfall_tiers is not None
    allocations = pd.DataFrame()
    keep = keeps(len(instance.needs), len(vertices)) and all(
        points[xs[i]][2] is not None for i in vertices)
    tie_broken = tie_break and len(vertices) <= MAX_TIE_BROKEN
    cells = instance.needs[["region", "goal"]].astype(str)
    columns = {}
    tables: dict[float, Figures] = {}
    breakpoints = []
    # the engine's stages at each breakpoint, on one built model re-solved warm
    warm = Pipeline(instance) if tie_broken and Pipeline.takes(instance) else None
    for i, value in zip(vertices, values, strict=True):
        at = points[xs[i]][2]
        cert = points[xs[i]][3]
        if xs[i] <= 0.0:
            at = np.zeros(d.n_cells)  # no money: the only allocation there is
        elif tie_broken:
            # The stage-1 optimum at a budget is often a face: the engine's tie-break
            # picks the reported allocation, so a breakpoint shows what `solve` would.
            at_budget = instance.with_policy(budget_eur=xs[i] * scale)
            full = (warm.result(at_budget) if warm is not None else
                    solve(at_budget, fairness_price=False, marginal=False))
            if full.optimal and full.certificate is not None:
                at = full.allocation["amount_eur"].to_numpy(float) / scale
                cert = full.certificate
                if keep and figures and full.figures is not None:
                    tables[round(xs[i] * scale, 2)] = full.figures
        if keep and at is not None:
            columns[f"{xs[i] * scale:.2f}"] = at * scale
            if figures:
                tables.setdefault(round(xs[i] * scale, 2),
                                  figures_of(instance, at * scale, xs[i] * scale))
        weighted, extra = ((unmet(d, at), tier_penalty(d, at)) if at is not None
                           else points[xs[i]][4])
        breakpoints.append(Breakpoint(
            round(xs[i] * scale, 2), round(weighted * scale, 2), value,
            round(us[i] * scale, 2), round(extra * scale, 2) if tiers else None,
            max_violation_eur=cert.max_violation_eur, duality_gap=cert.duality_gap))
    saturation = next((p.budget_eur for p in breakpoints if p.marginal_value <= 1e-12), None)
    if keep:
        allocations = pd.concat([cells, pd.DataFrame(columns)], axis=1)
    span = {"n": len(breakpoints), "a": round(a * scale), "b": round(b * scale)}
    notes: list[tuple[str, dict[str, object]]] = [
        ("sweep_traced", {**span, "solves": solves}) if pivots is None else
        ("sweep_pivoted", {**span, "pivots": pivots, "solves": solves})]
    if keep:
        notes.append(("sweep_tie_broken", {"k": len(vertices)}) if tie_broken else
                     ("sweep_not_tie_broken", {"limit": MAX_TIE_BROKEN}))
    else:
        notes.append(("sweep_no_allocations", {"limit": MAX_VALUES}))
    return _with_notes(Sweep(instance, breakpoints, round(low * scale, 2), saturation, solves,
                             "", allocations, figures=tables), notes)


def _pivoted(d: AllocationData, lp: Any, solver: highs.Solver, a: float, b: float,
             scale: float, points: dict[float, Any], *, open_end: bool = False
             ) -> tuple[int, int, float]:
    """The exact curve on [a, b] by dual-simplex pivots from the optimum at ``a``
    (:func:`allocator.solving.parametric.trace`): each point where the slope changes goes
    into ``points`` as the sandwich's evaluations do, certified. Then up to
    :data:`CHECKED_SEGMENTS` segments, spread over the curve, are re-solved at their middle
    as the sandwich would test them: each must lie on its line. With ``open_end`` the
    curve may end below ``b``, where the rules stop holding (the largest budget at which
    they hold is then not known beforehand): HiGHS must find them infeasible just above.
    Returns (pivots, LP solves, the end); raises
    :class:`~allocator.solving.parametric.Singular` where the trace cannot go on or a check
    fails (the caller then traces by the sandwich)."""
    col = lp.columns["budget"]
    n = lp.n_cells

    def solved(budget: float) -> highs.Solution:
        solver.set_col_bounds(col, budget, budget)
        sol = solver.run()
        if sol.status != Status.OPTIMAL:
            raise parametric.Singular(f"no optimum at budget {budget * scale:,.2f}")
        return sol

    sol = solved(a)
    basic = solver.basic()
    room = max(MAX_TIE_BROKEN, MAX_VALUES // max(n, 1))  # allocations kept, at most
    end = b - 1e-9 * max(1.0, abs(b))  # the end, to the solver's precision

    def keep(step: parametric.Trace) -> None:
        x = step.x()[:n]
        try:
            cert = _certified(d, lp, step.theta, x, step.row_dual(), scale)
        except CertificateError as err:  # the sandwich then, whose points are solves
            raise parametric.Singular(str(err)) from err
        points[step.theta] = (step.objective(), step.slope, x if len(points) < room else None,
                              cert, (unmet(d, x), tier_penalty(d, x)))
        if len(points) == room + 1:  # too many to keep: none is kept
            for k, v in points.items():
                points[k] = (*v[:2], None, *v[3:])

    last: tuple[float, float] | None = None  # the last point kept and its slope
    step = None
    # the checks: segments spread over the pivots, each with the basis that holds on it
    # (HiGHS starts from it, so a check costs no long re-solve); between CHECKED_SEGMENTS
    # and twice as many are held, every other one dropped as the stride between them doubles
    checked: list[list[Any]] = []  # [start, end or None, basis]
    stride = 1
    for step in parametric.trace(lp.matrix, lp.cost, lp.offset, lp.col_lower, lp.col_upper,
                                 lp.row_lower, lp.row_upper, col, a, b, basic, sol.x,
                                 sol.row_activity):
        slope, theta = step.slope, step.theta
        if checked and checked[-1][1] is None and theta > checked[-1][0]:
            checked[-1][1] = theta
        if (step.pivots % stride == 0 and theta < end
                and (not checked or checked[-1][1] is not None)):
            checked.append([theta, None, step.status()])
            if len(checked) > 2 * CHECKED_SEGMENTS:
                checked, stride = checked[1::2], 2 * stride
        if last is not None and theta == last[0]:  # more pivots at one point: its slope
            points[theta] = (points[theta][0], slope, *points[theta][2:])
            last = (theta, slope)
        elif (last is None or theta >= end
              or abs(slope - last[1]) > 10 * ON_TANGENT * max(1.0, abs(last[1]))):
            keep(step)
            last = (theta, slope)
    if step is None or last is None:
        raise parametric.Singular("no trace")
    if step.theta > last[0]:
        keep(step)  # the end, where the slope did not change
    solves = 1
    if step.theta < end:
        if not open_end:
            raise parametric.Singular("the trace ended inside the range")
        # the rules stop holding here: HiGHS must agree just above (from the last basis)
        beyond = step.theta + 1e-7 * max(1.0, abs(step.theta))
        solver.set_basis(step.status())
        solver.set_col_bounds(col, beyond, beyond)
        solves += 1
        if solver.run().status != Status.INFEASIBLE:
            raise parametric.Singular(f"the trace ended at {step.theta * scale:,.2f}, where "
                                      "the rules still hold just above")
        b = step.theta
    budgets = sorted(points)
    values = [points[x][0] for x in budgets]
    checks = 0
    finished = [c for c in checked if c[1] is not None]
    spread = np.unique(np.linspace(0, len(finished) - 1, CHECKED_SEGMENTS).astype(int))
    for start, stop, status in [finished[k] for k in spread] if finished else []:
        middle = (start + stop) / 2
        line = float(np.interp(middle, budgets, values))
        solver.set_basis(status)
        value = solved(middle).objective
        checks += 1
        if abs(value - line) > ON_TANGENT * 100 * max(1.0, abs(value)):
            raise parametric.Singular(
                f"the curve at {middle * scale:,.2f} is {value * scale:,.2f}, the trace "
                f"says {line * scale:,.2f}")
    return step.pivots, checks + solves, b


def _grid(instance: Instance, d: AllocationData, budgets: np.ndarray, evaluate: Any,
          points: dict[float, Any], scale: float, low: float, solves: Any,
          high: float | None = None) -> Sweep:
    """A fixed grid of budgets, each a warm re-solve; the marginal value is the solver's.
    A budget outside [low, high] is marked infeasible, with no solve."""
    def holds(budget: float) -> bool:
        return budget >= low * (1 - 1e-12) and (
            high is None or not math.isfinite(high) or budget <= high * (1 + 1e-12))

    for budget in budgets:
        if holds(float(budget)):
            evaluate(float(budget))
    envelopes = (len(budgets) <= MAX_TIE_BROKEN
                 and keeps(len(instance.needs), len(budgets)))
    figures: dict[float, Figures] = {}
    columns: dict[str, np.ndarray] = {}
    grid = []
    for budget in budgets:
        if not holds(float(budget)):
            nan = float("nan")
            grid.append(Breakpoint(round(float(budget) * scale, 2), nan, nan, nan, None,
                                   Status.INFEASIBLE))
            continue
        value, slope, x, cert, _ = points[float(budget)]
        if envelopes and budget <= 0:  # no money: the only allocation there is
            figures[0.0] = figures_of(instance, np.zeros(len(instance.needs)), 0.0)
            columns["0.00"] = np.zeros(len(instance.needs))
        elif envelopes:
            # the envelope a cabinet asks about: what `solve` gives at it, tie-broken
            full = solve(instance, budget=float(budget) * scale, fairness_price=False,
                         marginal=False)
            if full.optimal and full.figures is not None:
                figures[round(float(budget) * scale, 2)] = full.figures
                columns[f"{float(budget) * scale:.2f}"] = full.allocation[
                    "amount_eur"].to_numpy(float)
        penalty = tier_penalty(d, x) * scale if d.shortfall_tiers is not None else None
        grid.append(Breakpoint(round(float(budget) * scale, 2),
                               round(value * scale - (penalty or 0.0), 2), max(0.0, -slope),
                               round(value * scale, 2),
                               None if penalty is None else round(penalty, 2),
                               max_violation_eur=cert.max_violation_eur,
                               duality_gap=cert.duality_gap))
    notes: list[tuple[str, dict[str, object]]] = [("sweep_grid", {
        "n": len(grid), "a": round(budgets[0] * scale), "b": round(budgets[-1] * scale),
        "solves": solves()})]
    short = [p for p in grid if not p.optimal]
    if short:
        bounded = high is not None and math.isfinite(high)
        notes.append(("sweep_short_high" if bounded else "sweep_short", {
            "k": len(short), "low": math.ceil(low * scale),
            **({"high": math.floor(high * scale)} if bounded else {})}))  # type: ignore[operator]
    allocations = (pd.concat([instance.needs[["region", "goal"]].astype(str),
                              pd.DataFrame(columns)], axis=1) if columns else pd.DataFrame())
    return _with_notes(Sweep(instance, grid, round(low * scale, 2), None, solves(), "",
                             allocations, figures=figures, asked=True), notes)


def _sampled(instance: Instance, budgets: np.ndarray, low: float, asked: bool = False
             ) -> Sweep:
    """Under max-min the reported allocation is not the optimum of one LP in the budget (its
    levels move with it), so there is no exact curve to trace: each budget is a full solve
    (max-min, tie-break, certificate), and the value between two is their secant."""
    scale = money_scale(instance)
    d = to_model_data(instance, scale)
    nothing = np.zeros(d.n_cells)
    # (budget, weighted unmet need, tier penalty or None, allocation) of each optimal point;
    # no money is the one allocation at a budget of 0, with nothing to solve
    ok: list[tuple[float, float, float | None, np.ndarray, Certificate | None]] = []
    short: list[float] = []  # budgets at which the rules cannot hold
    results: dict[float, Result] = {}
    for budget in (float(b) for b in budgets):
        if budget <= 0:
            ok.append((0.0, unmet(d, nothing) * scale,
                       tier_penalty(d, nothing) * scale if d.shortfall_tiers else None,
                       nothing, None))
            continue
        r = solve(instance, budget=budget, fairness_price=False, marginal=False)
        results[budget] = r
        if r.optimal:
            ok.append((budget, r.weighted_unmet_eur, r.tier_penalty_eur,
                       r.allocation["amount_eur"].to_numpy(float), r.certificate))
        else:
            short.append(budget)
    points = []
    columns = {}
    figures: dict[float, Figures] = {}
    nan = float("nan")
    points += [Breakpoint(round(b, 2), nan, nan, nan, None, Status.INFEASIBLE)
               for b in short]
    for k, (budget, weighted, tiers, x, cert) in enumerate(ok):
        objective = weighted + (tiers or 0.0)
        if k + 1 < len(ok):
            nb, nw, nt, _, _ = ok[k + 1]
            value = -((nw + (nt or 0.0)) - objective) / (nb - budget)
        else:
            value = 0.0
        points.append(Breakpoint(round(budget, 2), round(weighted, 2), max(0.0, value),
                                 round(objective, 2), None if tiers is None else round(tiers, 2),
                                 # no money: nothing to certify but that nothing is spent
                                 max_violation_eur=cert.max_violation_eur if cert else 0.0,
                                 duality_gap=cert.duality_gap if cert else 0.0))
        columns[f"{budget:.2f}"] = x
        if keeps(len(instance.needs), len(budgets)):
            held = results[budget].figures if budget in results else None
            figures[round(budget, 2)] = held or figures_of(instance, x, budget)
    points.sort(key=lambda p: p.budget_eur)
    cells = instance.needs[["region", "goal"]].astype(str)
    allocations = (pd.concat([cells, pd.DataFrame(columns)], axis=1)
                   if keeps(len(instance.needs), len(budgets)) else pd.DataFrame())
    return _with_notes(Sweep(instance, points, round(low, 2), None, len(budgets), "",
                             allocations, figures=figures, asked=asked),
                       [("sweep_sampled", {"n": len(points), "a": round(budgets[0]),
                                           "b": round(budgets[-1])})])


def _with_notes(s: Sweep, notes: list[tuple[str, dict[str, object]]]) -> Sweep:
    """``s`` with its message's parts (``message`` in English, ``text(lang)`` any)."""
    s.notes = notes
    s.message = s.text("en")
    return s


def _certified(d: AllocationData, lp: Any, budget: float, x: np.ndarray,
               row_dual: np.ndarray, scale: float) -> Certificate:
    """The certificate of the stage-1 optimum at ``budget``; one that fails stops the
    sweep as it stops a solve."""
    cert = certify_at(d, lp, budget, x, row_dual, scale)
    if not cert.passed:
        raise CertificateError(Message(
            "The curve failed its independent check at €{budget:,.2f} (largest violation "
            "€{violation:,.2f} in {rule}, relative duality gap {gap:.2e}); it is not reported.",
            budget=budget * scale, violation=cert.max_violation_eur,
            rule=cert.worst_rule or "-", gap=cert.duality_gap))
    return cert


def _vertices(xs: list[float], us: list[float]) -> list[int]:
    """Indices of the evaluated points where the slope changes (and both ends)."""
    keep = [0]
    for i in range(1, len(xs) - 1):
        k = keep[-1]
        left = (us[i] - us[k]) / (xs[i] - xs[k])
        right = (us[i + 1] - us[i]) / (xs[i + 1] - xs[i])
        if right - left > ON_TANGENT * max(1.0, abs(left)) * 10:
            keep.append(i)
    if len(xs) > 1:
        keep.append(len(xs) - 1)
    return keep
