"""One allocation for uncertain needs: the expected or worst-case optimum over need
scenarios, and each scenario's regret.

The €1 bn need is a first, top-down indication. Given named scenarios (``validate.
need_scenarios``), :func:`robust` solves the LP of :mod:`models.robust` once, then, for
each scenario, its own optimum (the deterministic LP with that scenario's needs) and the
regret of committing to the robust allocation there: how much more weighted need it leaves
unmet than the best allocation for that scenario would have. The plain allocation for the
instance's own needs is evaluated the same way, so the reader sees what robustness buys.
Its regret can be negative, but only where it breaks that scenario's coverage floor (the
floor is on that scenario's larger need); the result says where.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from allocator.errors import AllocatorError, InputError, Problem, Status
from allocator.inputs.instance import Instance
from allocator.inputs.read import read_table
from allocator.inputs.validate import NeedScenario, load, need_scenarios
from allocator.labels import Worded, sentences
from allocator.messages import Message
from allocator.solving import highs, stages
from allocator.solving.certify import (
    VIOLATION_TOLERANCE,
    Certificate,
    tier_penalty,
    violations,
)
from allocator.solving.engine import solve
from allocator.solving.highs import Solver
from allocator.solving.maxmin import MARGIN
from allocator.solving.modeldata import money_scale, to_model_data
from allocator.solving.pipeline import run_stages
from allocator.solving.result import Result
from allocator.solving.rounding import largest_remainder
from allocator.solving.stages import nearest_on_optimal_face
from models.data import AllocationData
from models.matrix import build_lp
from models.robust import (
    COVERAGE,
    OBJECTIVES,
    build_robust_lp,
    scenario_coverages,
    scenario_unmet,
)
from models.rules import LP_RULES, Sums


@dataclass(frozen=True)
class ScenarioOutcome:
    name: str
    probability: float
    own_optimum_eur: float | None  # None: the rules cannot hold under this scenario alone
    robust_unmet_eur: float
    nominal_unmet_eur: float | None  # the instance's own allocation, in this scenario
    nominal_meets_floor: bool | None = None  # does that allocation meet this scenario's floor?

    @property
    def regret_eur(self) -> float | None:
        if self.own_optimum_eur is None:
            return None
        return self.robust_unmet_eur - self.own_optimum_eur

    @property
    def nominal_regret_eur(self) -> float | None:
        if self.own_optimum_eur is None or self.nominal_unmet_eur is None:
            return None
        return self.nominal_unmet_eur - self.own_optimum_eur


@dataclass
class Robust(Worded):
    instance: Instance
    objective: str
    status: Status
    message: str
    outcomes: list[ScenarioOutcome] = field(default_factory=list)
    allocation: pd.DataFrame = field(default_factory=pd.DataFrame)  # region, goal, amount_eur
    nominal_allocation: pd.DataFrame = field(default_factory=pd.DataFrame)
    objective_eur: float | None = None
    duality_gap: float | None = None
    max_violation_eur: float | None = None
    seconds: float = 0.0
    notes: list[tuple[str, dict[str, object]]] = field(default_factory=list)  # for text()

    @property
    def optimal(self) -> bool:
        return self.status == Status.OPTIMAL


    def by_region(self) -> pd.DataFrame:
        """Whole euros per region: the robust allocation and the instance's own."""
        out = {}
        for name, table in (("robust_eur", self.allocation),
                            ("nominal_eur", self.nominal_allocation)):
            if len(table):
                rounded = table.assign(amount_eur=largest_remainder(table["amount_eur"]))
                out[name] = rounded.groupby("region", observed=True)["amount_eur"].sum()
        return pd.DataFrame(out).reindex(self.instance.regions.index).fillna(0).astype("int64")


def robust(instance: Instance | str | Path, needs: str | Path | list[NeedScenario], *,
           objective: str = "expected") -> Robust:
    """The allocation minimising the expected (or worst-case) weighted unmet need over the
    need scenarios, with each scenario's own optimum and regret."""
    clock = time.perf_counter()
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}, got {objective!r}")
    if not isinstance(instance, Instance):
        instance = load(instance)
    scenarios = needs if isinstance(needs, list) else need_scenarios(read_table(needs), instance)
    instance.refuse_unsupported("robust")
    if objective == "expected" and any(s.probability is None for s in scenarios):
        raise InputError([Problem(str(needs), Message(
            "the expected objective needs a probability column (or use --objective "
            "worst-case)"))])
    probabilities = np.array([s.probability if s.probability is not None else 1 / len(scenarios)
                              for s in scenarios])
    scale = money_scale(instance)
    data = [to_model_data(s.apply(instance), scale) for s in scenarios]
    base = to_model_data(instance, scale)
    base = dataclasses.replace(base, upper=np.max([d.upper for d in data], axis=0))
    lp = build_robust_lp(base, data, probabilities, objective)
    with _Regret(instance, data, scale) as regret:
        return _solved(instance, objective, scenarios, data, base, probabilities, lp,
                       regret, scale, clock)


def _solved(instance: Instance, objective: str, scenarios: list[NeedScenario],
            data: list[AllocationData], base: AllocationData, probabilities: np.ndarray,
            lp: Any, regret: _Regret, scale: float, clock: float) -> Robust:
    """The robust LP through the stages (on this thread, while ``regret`` solves each
    scenario alone and the instance's own needs on others), and the result."""
    notes: list[tuple[str, dict[str, object]]] = []
    max_min = instance.policy.fairness == "max-min"
    # max-min raises the lowest coverage of any region in any scenario first, then the next
    coverages = scenario_coverages(lp, data) if max_min else None

    def check(columns: np.ndarray, levels: np.ndarray | None
              ) -> tuple[dict[str, float], float]:
        x = np.clip(columns[: lp.n_cells], 0.0, base.upper)
        checks = _violations(base, data, x)
        if coverages is not None and levels is not None:
            checks["max_min"] = coverages.shortfall(_useful_columns(lp, data, x), levels,
                                                    MARGIN)
        return checks, _value(_per_scenario(data, x), probabilities, objective)

    def tie_break(solver: Solver | None, held: Any, last: Any) -> tuple[np.ndarray, Any]:
        assert solver is not None  # stage 1 ran on HiGHS
        tied = _tie_break(solver, held, base, last,
                          np.asarray(solver.h.getLp().col_cost_, dtype=float))
        if tied is None:
            return last.x, ("robust_no_tie_break", {"limit": stages.QP_MAX_FREEDOM})
        return tied, None

    outcome, lp = run_stages(
        lp, scale, check, tie_break, coverages=coverages,
        max_loss=instance.policy.max_efficiency_loss,
        between=_least_expected(base, data, probabilities) if objective == "worst-case"
        else None)
    if outcome.status != Status.OPTIMAL:
        return _infeasible(instance, objective, outcome.status, clock)
    assert outcome.certificate is not None
    if max_min:
        notes.append(("robust_maxmin", {}))
    notes += outcome.notes
    if instance.policy.max_coverage_gap is not None:
        notes.append(("robust_gap_on_money", {}))
    x = np.clip(outcome.x[: lp.n_cells], 0.0, base.upper)
    robust_unmet = _per_scenario(data, x)
    return _finish(instance, objective, scenarios, data, base, probabilities, x,
                   robust_unmet, outcome.certificate, notes, scale, clock, regret)


def _per_scenario(data: list[AllocationData], x: np.ndarray) -> np.ndarray:
    """What the robust objective counts in each scenario at allocation ``x``."""
    return np.array([_scenario_value(d, x) for d in data])


def _value(per_scenario: np.ndarray, probabilities: np.ndarray, objective: str) -> float:
    """The robust objective from each scenario's part: the expected or the worst weighted
    unmet need over the scenarios (with the tiers' penalty), model units. The certificate
    and the result read it alike."""
    return float(per_scenario.max() if objective == "worst-case"
                 else probabilities @ per_scenario)


def _least_expected(base: AllocationData, data: list[AllocationData],
                    probabilities: np.ndarray) -> Any:
    """The worst case's second stage: the worst case pins down only the worst scenario's
    share; among its optima, the one with the least expected unmet need, so the other
    scenarios are not left to chance (stage 1's duals still certify the worst-case
    value)."""

    def between(solver: Solver | None, lp: Any, first: Any) -> Any:
        assert solver is not None  # stage 1 ran on HiGHS
        solver.set_col_bounds(lp.columns["worst"], 0.0, first.objective * (1 + 1e-9) + 1e-9)
        cost = np.zeros(lp.n_cols)  # the worst-case column t costs nothing now
        expected = build_robust_lp(base, data, probabilities, "expected").cost
        cost[: expected.size] = expected
        solver.set_costs(cost)
        second = solver.run()
        return second if second.status == Status.OPTIMAL else None

    return between


class _Regret:
    """What regret compares with: each scenario's own optimum and the engine's allocation
    for the instance's own needs, solved on other threads (:func:`highs.cores` of them)
    while the robust LP is solved on this one. A scenario whose LP is the instance's own
    (every factor 1) takes the nominal solve's optimum (weighted, without max-min's
    levels); a solve that ends in an error on another thread is solved again here."""

    def __init__(self, instance: Instance, data: list[AllocationData], scale: float) -> None:
        self.scale = scale
        self.background = highs.Background()
        try:
            start = self.background.start
            self.nominal = start(solve, instance, fairness_price=False, marginal=False)
            own = (build_lp(to_model_data(instance, scale))
                   if instance.policy.fairness != "max-min" else None)
            self.lps = [build_lp(d) for d in data]
            self.same = [own is not None and lp.same_numbers(own) for lp in self.lps]
            self.alone = [None if same else start(_alone, lp)
                          for lp, same in zip(self.lps, self.same, strict=True)]
        except BaseException:
            self.background.__exit__()
            raise

    def optima(self, nominal: Result) -> list[float | None]:
        """Each scenario's own optimum (euros; None where it has none)."""
        out: list[float | None] = []
        for lp, same, job in zip(self.lps, self.same, self.alone, strict=True):
            if same and nominal.optimal:
                out.append(nominal.weighted_unmet_eur + (nominal.tier_penalty_eur or 0.0))
                continue
            own = job.result() if job is not None else _alone(lp)
            if own.status == Status.ERROR:
                own = _alone(lp)
            out.append(own.objective * self.scale if own.status == Status.OPTIMAL else None)
        return out

    def __enter__(self) -> _Regret:
        return self

    def __exit__(self, *_: object) -> None:
        self.background.__exit__()


def _alone(lp: Any) -> highs.Solution:
    """A scenario's LP solved alone (stage 1: its optimum is all regret reads)."""
    return Solver(lp).run()


def _finish(instance: Instance, objective: str, scenarios: list[NeedScenario],
            data: list[AllocationData], base: AllocationData, probabilities: np.ndarray,
            x: np.ndarray, robust_unmet: np.ndarray, certificate: Certificate,
            notes: list[tuple[str, dict[str, object]]], scale: float, clock: float,
            regret: _Regret) -> Robust:
    """The result: each scenario's own optimum and regret, the allocation for the instance's
    own needs beside it, and the check (raises when it fails)."""
    value = _value(robust_unmet, probabilities, objective)
    nominal = regret.nominal.result()
    nominal_x = (nominal.allocation["amount_eur"].to_numpy(float) / scale
                 if nominal.optimal else None)
    outcomes = []
    for k, (s, d, u, best) in enumerate(zip(scenarios, data, robust_unmet,
                                            regret.optima(nominal), strict=True)):
        outcomes.append(ScenarioOutcome(
            s.name, float(probabilities[k]), best,
            float(u) * scale,
            _scenario_value(d, nominal_x) * scale if nominal_x is not None else None,
            max(_violations(base, [d], nominal_x).values()) <= VIOLATION_TOLERANCE
            if nominal_x is not None else None))
    gap, worst_violation = certificate.duality_gap, certificate.max_violation_eur / scale
    if not certificate.passed:
        raise AllocatorError(Message(
            "The robust allocation failed its check (largest violation €{violation:,.2f}, "
            "relative duality gap {gap:.1e}).", violation=worst_violation * scale, gap=gap))
    allocation = instance.needs[["region", "goal"]].copy()
    allocation["amount_eur"] = x * scale
    # with shortfall tiers the figures are the objective (weighted unmet need plus the
    # tiers' extra weight), and the words say so
    tiered = "_tiers" if base.shortfall_tiers else ""
    notes.insert(0, (("robust_ok_expected" if objective == "expected" else "robust_ok_worst")
                     + tiered, {"n": len(scenarios), "gap": float(f"{gap:.1e}")}))
    result = Robust(
        instance, objective, Status.OPTIMAL, sentences(notes, "en"), outcomes, allocation,
        nominal.allocation[["region", "goal", "amount_eur"]] if nominal.optimal
        else pd.DataFrame(),
        value * scale, gap, worst_violation * scale, time.perf_counter() - clock, notes)
    return result


def _infeasible(instance: Instance, objective: str, status: Status, clock: float) -> Robust:
    notes: list[tuple[str, dict[str, object]]] = [("robust_infeasible",
                                                    {"status": status.value})]
    return Robust(instance, objective, status, sentences(notes, "en"),
                  seconds=time.perf_counter() - clock, notes=notes)


def _scenario_value(d: AllocationData, x: np.ndarray) -> float:
    """What the robust objective counts in a scenario: weighted unmet need there, plus the
    tiers' penalty on the money that meets need there (model units)."""
    penalty = tier_penalty(d, np.minimum(x, d.net_need)) if d.shortfall_tiers else 0.0
    return scenario_unmet(d, x) + penalty


def _tie_break(solver: Solver, lp: Any, base: AllocationData, best: Any,
               cost: np.ndarray) -> np.ndarray | None:
    """Among the robust optima (the objective ``cost`` of the last stage ``best`` within
    1e-9 of its value; the worst case's second stage keeps t at its optimum), the
    allocation nearest the pro-rata split of the budget over net need, in the need-weighted
    distance sum_c (x_c - p_c)^2 / m_c: strictly convex in x, so the robust allocation is
    unique and does not depend on row order. The duals of ``best`` still certify it."""
    need = base.net_need
    target = base.budget * need / max(float(need.sum()), 1e-300)
    tied = nearest_on_optimal_face(
        solver, lp, best.x, best.col_dual, best.row_dual, cost, best.objective, need, target,
        float(np.abs(cost).max(initial=0.0)))
    return tied


def _useful_columns(lp: Any, data: list[AllocationData], x: np.ndarray) -> np.ndarray:
    """The robust LP's columns as allocation ``x`` alone sets them: y_sc = m_sc - min(x_c,
    m_sc), the unmet need in each scenario (what the max-min rows read)."""
    columns = np.zeros(lp.n_cols)
    columns[: x.size] = x
    first = lp.columns["unmet"]
    for s, d in enumerate(data):
        columns[first + s * x.size: first + (s + 1) * x.size] = d.net_need - np.minimum(
            x, d.net_need)
    return columns


def _violations(base: AllocationData, data: list[AllocationData], x: np.ndarray
                ) -> dict[str, float]:
    """The largest violation of each money rule, and of each coverage rule over the
    scenarios on the money that meets need there (model units), each by the rule's own
    check."""
    money = dataclasses.replace(base, coverage_floor=0.0, max_coverage_gap=None,
                                shortfall_tiers=None)
    checks = violations(money, x)
    for d in data:
        scenario = dataclasses.replace(d, coverage_floor=base.coverage_floor,
                                       max_coverage_gap=base.max_coverage_gap)
        useful = Sums.of(scenario, np.minimum(x, d.net_need))
        for rule in LP_RULES:
            if rule.name in COVERAGE and rule.active(scenario):
                for name, v in rule.violation(scenario, useful).items():
                    checks[name] = max(checks.get(name, 0.0), v)
    return checks
