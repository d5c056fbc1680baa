"""Solving: stage 1 (least weighted unmet need), the tie-break stages, the certificate.

Stage 1 minimises U. Its optima are often many (equal weights make every full spend
optimal), so the reported allocation is pinned down by a documented tie-break, each stage
warm-started on the same HiGHS instance:

2. among the stage-1 optima (U <= U* + tol), raise the lowest regional coverage as far as
   possible (max-min);
3. among those, the allocation closest to the pro-rata split of B over net need, in the
   need-weighted distance sum_c (x_c - p_c)^2 / m_c with p_c = B m_c / sum m. This is a strictly
   convex QP over a polytope, so the answer is unique, whatever order the rows came in.

``tie_break="none"`` stops after stage 1 (what a solver benchmark wants).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from allocator.errors import CertificateError, Status
from allocator.inputs.instance import Instance
from allocator.inputs.validate import load
from allocator.labels import text
from allocator.messages import Message
from allocator.solving import aggregate, highs, stages
from allocator.solving.certify import objective, tier_penalty, unmet, violations
from allocator.solving.explain import explain
from allocator.solving.fairness import (
    PriceOfFairness,
    Warm,
    price_of_fairness,
    tightening_costs,
)
from allocator.solving.maxmin import with_leximin
from allocator.solving.modeldata import money_scale, to_model_data
from allocator.solving.pipeline import run_stages
from allocator.solving.result import NextEuros, Note, Result, SolverInfo
from allocator.solving.stages import (
    FIXING_TOLERANCE,
    QP_SCALE,
    STAGE_TOLERANCE,
    Edits,
    max_min_stage,
)
from models.data import AllocationData, FloatArray
from models.matrix import LinearProgram, build_lp
from models.rules import STEPS

TIE_BREAKS = ("lexicographic", "none")
#: Above this many cells the price of fairness (one LP per equity rule, plus one) is only
#: computed on request: at 1e6 cells each of those LPs takes minutes.
FAIRNESS_PRICE_MAX_CELLS = 100_000
#: Up to this many cells "what €1 m more does" is a second full solve at the larger budget;
#: above, the budget's shadow price (exact where the curve is linear over the step).
MARGINAL_MAX_CELLS = 100_000
#: The step of "what more budget does".
NEXT_STEP_EUR = 1_000_000.0


def solve(
    instance: Instance | str | Path,
    *,
    budget: float | None = None,
    floor: float | None = None,
    max_gap: float | None = None,
    tie_break: str = "lexicographic",
    algorithm: str = "auto",
    time_limit: float | None = None,
    fairness_price: bool | None = None,
    fairness: str | None = None,
    max_efficiency_loss: float | None = None,
    rules: Mapping[str, object] | None = None,
    marginal: bool | None = None,
) -> Result:
    """Solve an instance (a path or a validated :class:`Instance`); flags override its policy,
    and so do the policy keys in ``rules`` (None keeps the instance's value).

    ``fairness_price`` also solves the instance without its equity rules, together and one
    at a time, to price them (one LP more per rule in force, plus one). None (the default)
    does so up to ``FAIRNESS_PRICE_MAX_CELLS`` cells and says so when it does not.

    ``marginal`` solves again at the budget + €1 m (every rule, preset and stage the same) to
    say what the next million does, exactly; None (the default) does so up to
    ``MARGINAL_MAX_CELLS`` cells and uses the budget's shadow price above.
    """
    if tie_break not in TIE_BREAKS:
        raise ValueError(f"tie_break must be one of {TIE_BREAKS}, got {tie_break!r}")
    clock = time.perf_counter()
    seconds: dict[str, float] = {}
    overrides = {"budget_eur": budget, "coverage_floor": floor, "max_coverage_gap": max_gap,
                 "fairness": fairness, "max_efficiency_loss": max_efficiency_loss,
                 **(rules or {})}
    if isinstance(instance, Instance):
        instance = instance.with_policy(**overrides)
    else:
        instance = load(instance, **overrides)
    seconds["read_validate"] = time.perf_counter() - clock

    clock = time.perf_counter()
    scale = money_scale(instance)
    data = to_model_data(instance, scale)
    notes: list[Note] = []
    held: dict[str, Any] = {"agg": None, "solver": None, "probe": None, "warm": None}

    def first_stage(lp: LinearProgram, data: AllocationData, notes: list[Note]
                    ) -> tuple[aggregate.Aggregated | None, highs.Solver | None,
                               highs.Solution]:
        """Stage 1: through the reduced LP where it applies, else HiGHS on the whole LP."""
        clock = time.perf_counter()
        agg = _aggregated(lp, data, algorithm, time_limit, notes)
        if agg is not None:
            seconds["stage1"] = agg.seconds
            return agg, None, agg.solution
        # what the reduced LP used of the time limit before it declined is not given again
        left = (None if time_limit is None
                else max(time_limit - (time.perf_counter() - clock), 1e-3))
        solver = highs.Solver(
            lp, algorithm="auto" if algorithm == "aggregate" else algorithm, time_limit=left)
        first = solver.run()
        seconds["stage1"] = solver.seconds
        return None, solver, first

    own_min = data.region_min  # the instance's own per-region minimums, before max-min's
    # stage 1 of a max-min candidate (the levels money alone sets), kept for the answer
    tried: dict[str, Any] = {}
    fair: AllocationData | None = None
    if instance.policy.fairness == "max-min":
        def holds(candidate: AllocationData) -> bool:
            # the candidate's check is the engine's own stage 1 on it: where the candidate
            # stands, that stage 1 is the answer's (one solve, not two)
            lp_of = build_lp(candidate)
            own: list[Note] = []
            tried.update(data=candidate, lp=lp_of, notes=own,
                         first=first_stage(lp_of, candidate, own))
            return bool(tried["first"][2].status == Status.OPTIMAL)

        # Max-min turns into per-region minimums (a sequence of LPs); the ordinary stages
        # then spend the rest efficiently and certify the result.
        fair = with_leximin(data, instance.policy.max_efficiency_loss, holds=holds)
        if fair is not None:
            data = fair
            notes.append(("note_leximin", {}))
    kept = tried if (tried and fair is not None and fair.region_min is not None
                     and tried["first"][2].status == Status.OPTIMAL
                     and np.array_equal(fair.region_min, tried["data"].region_min,
                                        equal_nan=True)) else {}
    lp = kept["lp"] if kept else build_lp(data)
    seconds["build"] = time.perf_counter() - clock - (seconds["stage1"] if kept else 0.0)

    # The stages (allocator.solving.pipeline.run_stages): stage 1 through the reduced LP
    # (aggregate) where it applies, else the whole LP; what €1 m more does; the tie-break;
    # the certificate.
    resolve = marginal if marginal is not None else lp.n_cells <= MARGINAL_MAX_CELLS
    price = fairness_price if fairness_price is not None else (
        lp.n_cells <= FAIRNESS_PRICE_MAX_CELLS)

    def stage1(lp: LinearProgram) -> tuple[highs.Solver | None, highs.Solution]:
        if kept and lp is kept["lp"]:  # max-min's candidate, solved as its check
            agg, solver, first = kept["first"]
            notes.extend(kept["notes"])
        else:
            agg, solver, first = first_stage(lp, data, notes)
        held["agg"], held["solver"] = agg, solver
        seconds["stage1"] = agg.seconds if agg is not None else solver.seconds
        return solver, first

    def next_million(solver: highs.Solver | None, lp: LinearProgram,
                     first: highs.Solution) -> None:
        if (resolve and not data.shortfall_tiers
                and instance.policy.fairness != "max-min"):
            # What €1 m more does, where the objective is weighted unmet need alone: the
            # optimum at B + €1 m, a warm re-solve with the budget column moved; moved back
            # (and solved warm again) when the tie-break goes on from the stage-1 optimum.
            column = lp.columns["budget"]
            more = data.budget + NEXT_STEP_EUR / scale
            if solver is None:
                clock = time.perf_counter()
                held["probe"] = _probe_aggregated(lp, data, more, time_limit)
                seconds["next_million"] = time.perf_counter() - clock
            else:
                solver.set_col_bounds(column, more, more)
                held["probe"] = solver.run()
                solver.set_col_bounds(column, data.budget, data.budget)
                if tie_break == "lexicographic":
                    solver.run()
                seconds["next_million"] = solver.seconds - seconds["stage1"]
        if price and solver is not None:
            # the price of fairness re-solves the LP from stage 1's basis, before the
            # tie-break changes the solver
            held["warm"] = Warm(lp, solver.h.getBasis())
        return None

    def stages_2_3(solver: highs.Solver | None, lp: LinearProgram, first: highs.Solution
                   ) -> tuple[FloatArray, Note | None]:
        agg = held["agg"]
        if tie_break != "lexicographic":
            return first.x[: lp.n_cells], None
        if agg is not None:
            return aggregate.tie_break(agg, data, first.objective)
        assert solver is not None
        return tie_break_stages(solver, lp, data, first.objective, first.x, first.col_dual,
                                first.row_dual)

    def check(x: FloatArray, _: FloatArray | None) -> tuple[Mapping[str, float], float]:
        return violations(data, x), objective(data, x)

    outcome, lp = run_stages(lp, scale, check, stages_2_3, stage1=stage1,
                             between=next_million)
    agg, solver, probe = held["agg"], held["solver"], held["probe"]

    def info() -> SolverInfo:
        if agg is not None:  # the sample LP, then one reduced LP a round
            return SolverInfo("HiGHS", highs.version(), agg.seconds + seconds.get(
                "tie_break", 0.0), agg.rounds + 1, "aggregate")
        assert solver is not None
        # the solves of the allocation itself; the probe at B + €1 m is in seconds["next_million"]
        extra = 0 if probe is None else 2 if tie_break == "lexicographic" else 1
        return SolverInfo("HiGHS", highs.version(), solver.seconds - seconds.get(
            "next_million", 0.0), solver.runs - extra, solver.algorithm)

    if outcome.status != Status.OPTIMAL:
        infeasibility = explain(data, scale) if outcome.status == Status.INFEASIBLE else None
        stopped: list[Note] = [] if infeasibility else [
            ("note_stopped", {"status": outcome.status.value})]
        message = (infeasibility.message if infeasibility else
                   text("note_stopped", "en", status=outcome.status.value))
        return Result(outcome.status, message, instance, tie_break, info(), notes=stopped,
                      infeasibility=infeasibility, seconds=seconds)

    x = outcome.x
    notes += outcome.notes
    if tie_break == "lexicographic":
        seconds["tie_break"] = (outcome.stages["tie_break"] if agg is not None else
                                solver.seconds - seconds["stage1"]
                                - seconds.get("next_million", 0.0))
    if fairness_price is None and not price:
        notes.append(("note_no_price", {"limit": FAIRNESS_PRICE_MAX_CELLS}))
    cert = outcome.certificate
    assert cert is not None
    seconds["certify"] = outcome.stages["certify"]
    seconds["solver"] = info().seconds
    columns = _all_columns(lp, data, x)

    def rows() -> pd.DataFrame:
        made = _constraints(lp, data, outcome.row_dual, outcome.col_dual, columns, scale)
        if data.region_min is not own_min:  # max-min's levels, named as such
            made = _levels_named(made, data, own_min, scale)
        return made

    result = Result(
        status=Status.OPTIMAL,
        message=" ".join(["Optimal allocation found and certified.",
                          *[text(k, "en", **v) for k, v in notes]]),
        notes=notes,
        instance=instance,
        tie_break=tie_break,
        solver=info(),
        allocation=allocation_of(instance, x * scale),
        coverage=coverage_of(instance, data, x, scale),
        constraint_rows=rows,
        weighted_unmet_eur=unmet(data, x) * scale,
        tier_penalty_eur=tier_penalty(data, x) * scale if data.shortfall_tiers else None,
        weighted_unmet_before_eur=unmet(data, np.zeros_like(x)) * scale,
        marginal_value=float(-outcome.col_dual[lp.columns["budget"]]),
        certificate=cert,
        price_of_fairness=_price(data, outcome.objective, x, scale, seconds,
                                 tightening_costs(lp, data, outcome.row_dual, scale),
                                 leximin=data.region_min is not own_min, warm=held["warm"])
        if price else None,
        seconds=seconds,
    )
    if cert.passed and probe is not None:
        result.next_million = (NextEuros(NEXT_STEP_EUR, (outcome.objective - probe.objective)
                                         * scale, None, "re-solve")
                               if probe.status == Status.OPTIMAL else None)
    elif cert.passed:
        result.next_million = _next_million(result, tie_break, algorithm, time_limit, resolve)
    if not cert.passed:
        raise CertificateError(Message(
            "The allocation failed its independent check (largest violation €{violation:,.2f} "
            "in {rule}, relative duality gap {gap:.2e}); it is not reported as optimal.",
            violation=cert.max_violation_eur, rule=cert.worst_rule or "-",
            gap=cert.duality_gap))
    return result


def _aggregated(lp: LinearProgram, d: AllocationData, algorithm: str,
                time_limit: float | None, notes: list[Note]) -> aggregate.Aggregated | None:
    """Stage 1 through the reduced LP, where ``algorithm`` asks for it ("aggregate", or
    "auto" from aggregate.MIN_CELLS cells) and the LP has its shape; None otherwise (and when
    it declines: the whole LP is then solved, and a forced "aggregate" says why in a note)."""
    if algorithm not in ("aggregate", "auto") or (
            algorithm == "auto" and lp.n_cells < aggregate.MIN_CELLS):
        return None
    try:
        return aggregate.solve(lp, d, time_limit=time_limit)
    except aggregate.Declined as why:
        if algorithm == "aggregate":
            notes.append((f"note_declined_{why.kind}", {}))
        return None


def _probe_aggregated(lp: LinearProgram, d: AllocationData, budget: float,
                      time_limit: float | None) -> highs.Solution | None:
    """Stage 1 at another budget through the reduced LP (what €1 m more does); None when it
    declines there."""
    column = lp.columns["budget"]
    lower, upper = lp.col_lower.copy(), lp.col_upper.copy()
    lower[column] = upper[column] = budget
    moved = dataclasses.replace(lp, col_lower=lower, col_upper=upper)
    try:
        return aggregate.solve(moved, d, time_limit=time_limit).solution
    except aggregate.Declined:
        return None


def _next_million(r: Result, tie_break: str, algorithm: str, time_limit: float | None,
                  resolve: bool) -> NextEuros | None:
    """What €1 m more does to the reported figures, where the objective has two parts
    (tiers) or the allocation is not one LP's optimum (max-min): the whole solve again at
    the budget + €1 m with the same rules and stages (exact), or the budget's shadow price.
    (Without either, solve() reads it off a warm solve of stage 1 at the budget + €1 m.)"""
    step = NEXT_STEP_EUR
    if not resolve:
        return NextEuros(step, (r.marginal_value or 0.0) * step, None, "dual")
    more = solve(r.instance, budget=r.budget_eur + step, tie_break=tie_break,
                 algorithm=algorithm, time_limit=time_limit, fairness_price=False,
                 marginal=False)
    if not more.optimal:
        return None  # spend_all with no need left to absorb more money
    r.__dict__["_one_million_more"] = more  # the explanations' "€1 m more" reads it too
    tiers = (None if r.tier_penalty_eur is None
             else r.tier_penalty_eur - (more.tier_penalty_eur or 0.0))
    return NextEuros(step, r.weighted_unmet_eur - more.weighted_unmet_eur, tiers, "re-solve")


def _price(d: AllocationData, best: float, x: FloatArray, scale: float,
           seconds: dict[str, float], steps: dict[str, tuple[str, float]],
           leximin: bool = False, warm: Warm | None = None) -> PriceOfFairness | None:
    clock = time.perf_counter()
    price = price_of_fairness(d, best, x, scale, steps, warm)
    seconds["price_of_fairness"] = time.perf_counter() - clock
    if price is not None and leximin:
        # under max-min the per-region minimums are its levels: priced as max-min
        rename = {"region_min": "max_min"}
        price = dataclasses.replace(
            price, per_rule_eur={rename.get(k, k): v for k, v in price.per_rule_eur.items()},
            per_rule_step={rename.get(k, k): v for k, v in price.per_rule_step.items()})
    return price


def _levels_named(rows: pd.DataFrame, d: AllocationData, own: FloatArray | None,
                  scale: float) -> pd.DataFrame:
    """Under max-min, a region's minimum row that max-min set (its bound above the region's
    own minimum, if it has one) is the max-min level: named ``max_min``, not a minimum
    someone set."""
    mine = rows["rule"] == "region_min"
    if not mine.any():
        return rows
    position = {str(r): k for k, r in enumerate(d.regions)}
    own_eur = np.full(len(d.regions), -np.inf) if own is None else np.where(
        np.isnan(own), -np.inf, own * scale)
    index = rows.index[mine]
    level = np.array([own_eur[position[str(i)]] for i in rows.loc[index, "id"]])
    raised = rows.loc[index, "lower"].to_numpy(float) > level + 0.5
    rows = rows.copy()
    rows.loc[index[raised], "rule"] = "max_min"
    return rows


def tie_break_stages(solver: highs.Solver | Edits, lp: LinearProgram, d: AllocationData,
                     best: float, x1: FloatArray, reduced_cost: FloatArray,
                     row_dual: FloatArray) -> tuple[FloatArray, Note | None]:
    """Stages 2 and 3 on ``solver`` (which holds ``lp`` after stage 1, and is changed):
    among the stage-1 optima the highest lowest coverage, then nearest to pro rata."""
    n = lp.n_cells
    pinned = np.abs(reduced_cost[:lp.n_cols]) > FIXING_TOLERANCE * max(1.0, d.weight.max())
    pinned[lp.columns["budget"]] = False  # fixed by its bounds already
    fixed = np.flatnonzero(pinned[:n])
    # every column a nonzero reduced cost pins (the cells, and the tiers' shortfall columns)
    # sits at that bound in every stage-1 optimum: fixed, the face left is the optimal one
    every = np.flatnonzero(pinned)
    if every.size:
        solver.fix_cols(every, x1[every])
    # Likewise a row with a nonzero dual is tight in every stage-1 optimum.
    dual = row_dual
    tight = np.flatnonzero(np.abs(dual) > FIXING_TOLERANCE)
    if tight.size:
        at = np.where(dual[tight] > 0, lp.row_lower[tight], lp.row_upper[tight])
        solver.set_row_bounds(tight, at, at)
    tol = STAGE_TOLERANCE * max(1.0, abs(best))
    # U <= U* + tol, written on the cells: -w.x <= U* - offset + tol
    level = solver.add_col(0.0, 0.0, 1.0)
    covered = d.covered_regions
    priced = np.flatnonzero(lp.cost)  # the cells, and the shortfall columns of any tiers
    # the objective's row, then one row per covered region: its cells, then the level
    # column (-need)
    by_region = np.argsort(d.cell_region, kind="stable")
    bounds = np.searchsorted(d.cell_region[by_region], np.arange(len(d.regions) + 1))
    counts = bounds[covered + 1] - bounds[covered]
    ends = np.cumsum(counts + 1)
    starts = ends - counts - 1
    index = np.full(int(ends[-1]) if covered.size else 0, level, dtype=np.int64)
    value = np.empty(index.size)
    within = np.arange(index.size) - np.repeat(starts, counts + 1)
    is_cell = within < np.repeat(counts, counts + 1)
    first = np.repeat(bounds[covered], counts + 1)
    index[is_cell] = by_region[(first + within)[is_cell]]
    value[is_cell] = 1.0
    value[~is_cell] = -d.region_need[covered]
    rows = (np.concatenate([[0], priced.size + starts]), np.concatenate([priced, index]),
            np.concatenate([lp.cost[priced], value]))
    lower = np.concatenate([[-np.inf], -d.region_covered[covered]])
    upper = np.concatenate([[best - lp.offset + tol], np.full(covered.size, np.inf)])
    # Stage 3's QP: nearest to pro rata in the need-weighted 2-norm (strictly convex)
    need = d.net_need
    positive = need > 0
    positive[fixed] = False  # fixed cells take no part in the tie-break
    total = float(need.sum())
    hess = np.zeros(level + 1)
    hess[:n][positive] = QP_SCALE * 2.0 / need[positive]
    cost = np.zeros(level + 1)
    if total > 0:
        cost[:n][positive] = QP_SCALE * -2.0 * d.budget / total
    # stage 2: max-min coverage, on the free columns stage 3 solves on too
    stage2 = max_min_stage(solver, rows, lower, upper, level, sp.diags(hess).tocsc())
    if stage2 is None:
        return x1[:n], ("note_unfinished", {})
    face, second = stage2
    third = face.nearest(cost)
    if third is None:
        return second[:n], (("note_skipped", {"free": face.freedom,
                                              "limit": stages.QP_MAX_FREEDOM})
                            if face.freedom > stages.QP_MAX_FREEDOM
                            else ("note_no_converge", {}))
    return np.clip(third[:n], 0.0, d.upper), None


def allocation_of(instance: Instance, amounts: FloatArray) -> pd.DataFrame:
    out = instance.needs[["region", "goal"]].copy()
    out["amount_eur"] = amounts
    return out


def coverage_of(instance: Instance, d: AllocationData, x: FloatArray, scale: float
              ) -> pd.DataFrame:
    n_regions = len(d.regions)
    allocated = np.bincount(d.cell_region, x, minlength=n_regions) * scale
    need = d.region_need * scale
    existing = d.region_covered * scale
    with np.errstate(invalid="ignore", divide="ignore"):
        before = np.where(need > 0, existing / need, np.nan)
        after = np.where(need > 0, (existing + allocated) / need, np.nan)
    return pd.DataFrame(
        {"need_eur": need, "existing_eur": existing, "allocated_eur": allocated,
         "coverage_before": before, "coverage": after},
        index=pd.Index(d.regions, name="region"),
    )


def _all_columns(lp: LinearProgram, d: AllocationData, x: FloatArray) -> FloatArray:
    """Every LP column at the reported allocation ``x``: the budget, the lowest and highest
    coverage, and each shortfall beyond its tier, as the allocation implies them."""
    cols = np.zeros(lp.n_cols)
    cols[: lp.n_cells] = x
    cols[lp.columns["budget"]] = d.budget
    covered = d.covered_regions
    per_region = np.bincount(d.cell_region, x, minlength=len(d.regions))[covered]
    if "coverage_min" in lp.columns and covered.size:
        coverage = (d.region_covered[covered] + per_region) / d.region_need[covered]
        cols[lp.columns["coverage_min"]] = coverage.min()
        cols[lp.columns["coverage_max"]] = coverage.max()
    for j, (_, _, target) in enumerate(d.tier_targets()):
        start = lp.columns[f"shortfall_tier_{j + 1}"]
        cols[start:start + covered.size] = np.maximum(target - per_region, 0.0)
    return cols


def _constraints(lp: LinearProgram, d: AllocationData, row_dual: FloatArray,
                 col_dual: FloatArray, columns: FloatArray, scale: float) -> pd.DataFrame:
    """Every rule row, and every cell cap, at the reported allocation (``columns``):
    activity, bounds, slack, whether it binds, and its dual (for a cap: the reduced cost of
    its cell).

    The duals are stage 1's. The reported allocation is a stage-1 optimum too, and any
    primal and dual optimum are complementary, so a row with a nonzero dual is tight here.
    Money rows are in euros; their dual is weighted unmet need per euro of the bound.
    ``step_eur`` is the first-order cost of the rule's step (models.rules: ``Rule.steps``)
    at the row: what the report says a binding row means.
    """
    activity, dual = lp.matrix @ columns, row_dual
    frames = []
    ids = {"region": np.asarray(d.regions, dtype=object), "goal": np.asarray(d.goals, dtype=object)}
    for block in lp.blocks:
        rows = block.rows
        money = block.rule != "coverage_gap"
        unit = scale if money else 1.0
        lo, hi, act = lp.row_lower[rows], lp.row_upper[rows], activity[rows]
        slack = np.minimum(np.where(np.isfinite(lo), act - lo, np.inf),
                           np.where(np.isfinite(hi), hi - act, np.inf))
        frames.append(pd.DataFrame({
            "rule": block.rule,
            "id": ids[block.over][block.index] if block.over else [""],
            "activity": act * unit,
            "lower": lo * unit,
            "upper": hi * unit,
            "slack": slack * unit,
            "binding": np.abs(dual[rows]) > 1e-9,
            "dual": dual[rows] * (1.0 if money else scale),
            # what tightening the rule by its step costs at this row, in weighted euros
            "step_eur": (np.abs(dual[rows]) * STEPS[block.rule].move(d, block, scale) * scale
                         if block.rule in STEPS else np.nan),
        }))
    capped = np.flatnonzero(d.upper < d.net_need)  # a cap below the net need
    if capped.size:
        x, reduced = columns[capped], col_dual[capped]
        frames.append(pd.DataFrame({
            "rule": "cap",
            "id": [f"{d.regions[d.cell_region[c]]} / {d.goals[d.cell_goal[c]]}" for c in capped],
            "activity": x * scale,
            "lower": 0.0,
            "upper": d.upper[capped] * scale,
            "slack": (d.upper[capped] - x) * scale,
            "binding": np.abs(reduced) > 1e-9,
            "dual": reduced,
        }))
    return pd.concat(frames, ignore_index=True)
