"""The one result shape every command's ``--json`` writes, as pydantic models.

A result is a :data:`ResultDocument`: one object tagged by ``command`` (``solve``,
``compare``, ``sweep``, ``grid``, ``robust``, ``agenda``) whose common part is
:class:`Document` — ``schema_version``, ``command``, ``instance``, ``status``, ``message``
and ``allocations``, a list of :class:`AllocationRecord` ``{region, goal, amount_eur}`` plus
the axes the command has (``scenario``, ``year``, ``funder``, ``policy``, ``budget_eur``).
The JSON Schema (``allocator schema``, ``docs/result.schema.json``) is generated from these
models; tests validate every command's output against it.

:func:`document` builds the JSON of any command's result as plain dicts (a million
records are written in about a second that way); :func:`validate` checks one against the
models. The studies and the solve know nothing of this shape: it is written here alone.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from allocator.inputs.instance import Policy
from allocator.solving.result import Result
from allocator.solving.rounding import largest_remainder
from allocator.studies.agenda import AgendaResult
from allocator.studies.compare import Comparison
from allocator.studies.grid import Grid
from allocator.studies.robust import Robust
from allocator.studies.sweep import Sweep
from allocator.studies.why import reasons

#: Raised in its major part when a key is removed or changes meaning; in its minor part when
#: a key is added.
SCHEMA_VERSION = "2.0"
SCHEMA_ID = "urn:allocator:result-schema"

StatusValue = Literal["optimal", "infeasible", "unbounded", "time_limit", "error"]
#: The record axes, in the order they are written before region, goal and amount.
AXES = ("scenario", "policy", "budget_eur", "year", "funder")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AllocationRecord(_Model):
    """One cell of an allocation in whole euros. The axes a command does not have are
    absent (never null)."""

    scenario: str | None = Field(None, description="compare: the variant; grid: the need "
                                                   "scenario")
    policy: str | None = Field(None, description="grid: the policy variant")
    budget_eur: float | None = Field(None, description="sweep and grid: the budget")
    year: str | None = Field(None, description="agenda: the year")
    funder: str | None = Field(None, description="agenda: the funder id")
    region: str
    goal: str
    amount_eur: int = Field(ge=0, description="whole euros; the cells of one allocation add "
                                              "up to its rounded total")


class Certificate(_Model):
    """The answer re-checked outside the solver: every rule from the instance in euros, and
    the Lagrangian bound."""

    passed: bool
    max_violation_eur: float | None
    duality_gap: float | None = Field(description="relative: (objective - bound) / "
                                                  "max(1, |objective|)")
    worst_rule: str | None = None
    duality_gap_eur: float | None = None
    lower_bound_eur: float | None = None


class Document(_Model):
    """What every command's result has."""

    schema_version: Literal["2.0"] = Field(description="this schema's version")
    command: str
    instance: str = Field(description="the instance's name")
    status: StatusValue = Field(description="the command's outcome, as its exit code says; "
                                            "each run of a multi-run command has its own")
    message: str
    allocations: list[AllocationRecord] = Field(
        description="one record per cell of each allocation the command reports, with "
                    "the axes it has")
    seconds: dict[str, float] | float


class NextMillion(_Model):
    step_eur: float
    unmet_change_eur: float
    tier_change_eur: float | None
    method: Literal["re-solve", "dual"]


class Solver(_Model):
    name: str
    version: str
    seconds: float
    lp_solves: int
    algorithm: str


class SolveDocument(Document):
    command: Literal["solve"]
    budget_eur: float
    allocated_eur: int
    weighted_unmet_eur: float | None
    weighted_unmet_before_eur: float | None
    tier_penalty_eur: float | None
    headline: dict[str, Any] | None
    why: list[dict[str, Any]] | None
    marginal_value: float | None
    next_million: NextMillion | None
    policy: Policy
    tie_break: str
    coverage: dict[str, float | None]
    cofinancing: dict[str, Any] | None
    certificate: Certificate | None
    price_of_fairness: dict[str, Any] | None
    infeasibility: dict[str, Any] | None
    solver: Solver


class CompareVariant(_Model):
    scenario: str
    status: StatusValue
    budget_eur: float | None
    allocated_eur: int | None
    weighted_unmet_eur: float | None
    lowest_coverage: float | None
    highest_coverage: float | None
    price_of_fairness_eur: float | None
    marginal_value: float | None
    message: str
    certificate: Certificate | None
    allocation_by_region_eur: dict[str, int] | None


class CompareDocument(Document):
    command: Literal["compare"]
    scenarios: list[CompareVariant]


class Breakpoint(_Model):
    """A vertex of the exact curve, or a point asked for (null figures where infeasible)."""

    budget_eur: float
    status: StatusValue
    weighted_unmet_eur: float | None
    objective_eur: float | None
    tier_penalty_eur: float | None
    marginal_value: float | None
    max_violation_eur: float | None = Field(description="the point's certificate: largest "
                                                        "rule violation, re-checked")
    duality_gap: float | None = Field(description="the point's certificate: relative gap to "
                                                  "the Lagrangian bound")


class SweepDocument(Document):
    command: Literal["sweep"]
    min_feasible_budget_eur: float | None
    saturation_budget_eur: float | None
    lp_solves: int
    breakpoints: list[Breakpoint]


class GridPoint(_Model):
    policy: str
    needs: str
    budget_eur: float
    status: StatusValue
    weighted_unmet_eur: float | None
    marginal_value: float | None
    by_region_eur: dict[str, int] | None
    objective_eur: float | None
    tier_penalty_eur: float | None
    max_violation_eur: float | None = Field(description="the point's certificate")
    duality_gap: float | None = Field(description="the point's certificate")


class GridDocument(Document):
    command: Literal["grid"]
    workers: str
    points: list[GridPoint]


class RobustScenario(_Model):
    name: str
    probability: float
    own_optimum_eur: float | None
    robust_unmet_eur: float
    regret_eur: float | None
    nominal_unmet_eur: float | None
    nominal_regret_eur: float | None
    nominal_meets_floor: bool | None


class RobustDocument(Document):
    command: Literal["robust"]
    objective: Literal["expected", "worst-case"]
    objective_eur: float | None
    certificate: Certificate | None
    scenarios: list[RobustScenario]
    nominal_allocations: list[AllocationRecord] = Field(
        description="the allocation optimal for the instance's own needs")
    allocation_by_region_eur: dict[str, int]
    nominal_by_region_eur: dict[str, int]


class AgendaFunder(_Model):
    id: str
    name: str
    national: bool
    goals: list[str] | None
    max_package_share: float | None
    carry_over_eur: float
    borrow_eur: float
    regions: list[str] | None


class AgendaDocument(Document):
    command: Literal["agenda"]
    years: list[str]
    funders: list[AgendaFunder]
    weighted_unmet_eur: dict[str, float]
    tier_penalty_eur: dict[str, float] | None
    by_funder_eur: dict[str, dict[str, int]]
    carry_over_eur: dict[str, dict[str, float]]
    coverage: dict[str, dict[str, float | None]]
    unlocked_per_national_euro: float | None
    certificate: Certificate | None


ResultDocument = Annotated[
    SolveDocument | CompareDocument | SweepDocument | GridDocument | RobustDocument
    | AgendaDocument,
    Field(discriminator="command"),
]
ADAPTER: TypeAdapter[Any] = TypeAdapter(ResultDocument)


def json_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of every command's ``--json``."""
    schema = ADAPTER.json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "title": f"allocator result, schema version {SCHEMA_VERSION}", **schema}


#: Up to this many regions the JSON carries each region's explanation as text too (the
#: facts it is made of are always there).
WHY_TEXT_MAX_REGIONS = 1_000


def document(result: Any) -> dict[str, Any]:
    """The JSON document of any command's result (what ``--json`` writes)."""
    for kind, build in DOCUMENTS:
        if isinstance(result, kind):
            return build(result)
    raise TypeError(f"no result document for {type(result).__name__}")


def validate(document: dict[str, Any]) -> Any:
    """``document`` checked against the models (raises pydantic's ValidationError)."""
    return ADAPTER.validate_python(document)


def header(command: str, instance: str, status: str, message: str) -> dict[str, Any]:
    """The common part's first keys, in the order every document writes them."""
    return {"schema_version": SCHEMA_VERSION, "command": command, "instance": instance,
            "status": status, "message": message}


def records(table: pd.DataFrame, **axes: object) -> list[dict[str, Any]]:
    """Allocation records from a table with ``region``, ``goal`` and whole-euro
    ``amount_eur`` (and any of the :data:`AXES` as columns); ``axes`` gives values common
    to every record. Plain dicts in a list comprehension: a million in about a second."""
    if table is None or not len(table):
        return []
    common = {k: v for k, v in axes.items() if v is not None}
    columns = [c for c in AXES if c in table.columns and c not in common]
    arrays: list[list[Any]] = [_texts(table[c]) if c != "budget_eur"
                               else table[c].astype(float).tolist() for c in columns]
    regions, goals = _texts(table["region"]), _texts(table["goal"])
    amounts = table["amount_eur"].to_numpy(np.int64).tolist()
    keys = [*common, *columns, "region", "goal", "amount_eur"]
    first = list(common.values())
    if not columns:
        return [dict(zip(keys, (*first, r, g, a), strict=True))
                for r, g, a in zip(regions, goals, amounts, strict=True)]
    return [dict(zip(keys, (*first, *extra, r, g, a), strict=True))
            for *extra, r, g, a in zip(*arrays, regions, goals, amounts, strict=True)]


def _texts(ids: pd.Series) -> list[str]:
    """Ids as a plain list; categoricals via their (few) categories, not cell by cell."""
    if isinstance(ids.dtype, pd.CategoricalDtype):
        categories = np.asarray(ids.cat.categories.astype(str), dtype=object)
        return list(categories[ids.cat.codes.to_numpy()])
    return [str(v) for v in ids]


def solve_document(r: Result) -> dict[str, Any]:
    """The machine-readable result (what ``--json`` writes)."""
    rounded = r.rounded_allocation() if len(r.allocation) else pd.DataFrame()
    floor = r.instance.policy.coverage_floor
    out: dict[str, Any] = {
        **header("solve", r.instance.name, r.status.value, r.message),
        "allocations": records(rounded),
        "budget_eur": r.budget_eur,
        "allocated_eur": int(rounded["amount_eur"].sum()) if len(rounded) else 0,
        "weighted_unmet_eur": _num(r.weighted_unmet_eur),
        "weighted_unmet_before_eur": _num(r.weighted_unmet_before_eur),
        "tier_penalty_eur": r.tier_penalty_eur,
        "headline": r.headline() if r.optimal and len(r.allocation) else None,
        "why": [{**w.to_dict(), **({"text_nl": w.sentence("nl", floor),
                                     "text_en": w.sentence("en", floor)}
                                    if len(r.instance.regions) <= WHY_TEXT_MAX_REGIONS
                                    else {})}
                for w in reasons(r)] if r.optimal and len(r.allocation) else None,
        "marginal_value": r.marginal_value,
        "next_million": None if r.next_million is None else vars(r.next_million),
        "policy": r.instance.policy.model_dump(),
        "tie_break": r.tie_break,
        "coverage": dict(zip(
            r.coverage.index.astype(str).tolist(),
            np.round(r.coverage["coverage"].to_numpy(float), 10).tolist(), strict=True)
        ) if len(r.coverage) else {},
        "cofinancing": _cofinancing(r.cofinancing(),
                                    r.instance.policy.cofinancing_ratio),
        "certificate": r.certificate.to_dict() if r.certificate else None,
        "price_of_fairness": (r.price_of_fairness.to_dict()
                              if r.price_of_fairness else None),
        "infeasibility": r.infeasibility.to_dict() if r.infeasibility else None,
        "solver": {
            "name": r.solver.name,
            "version": r.solver.version,
            "seconds": r.solver.seconds,
            "lp_solves": r.solver.lp_solves,
            "algorithm": r.solver.algorithm,
        },
        "seconds": r.seconds,
    }
    return out


def compare_document(c: Comparison) -> dict[str, Any]:
    summary = c.summary().reset_index()
    regions = c.by_region("allocated_eur")
    allocations = [rec for name, r in c.results.items() if r.optimal
                   for rec in records(r.rounded_allocation(), scenario=name)]
    return {
        **header("compare", c.instance.name, "optimal",
                 f"{len(c.results)} variants, "
                 f"{sum(r.optimal for r in c.results.values())} with an optimum"),
        "allocations": allocations,
        "seconds": c.seconds,
        "scenarios": [
            {**{k: (None if pd.isna(v) else v) for k, v in row.items()},
             "message": c.results[row["scenario"]].message,
             "certificate": _certificate(c.results[row["scenario"]]),
             "allocation_by_region_eur": (
                 {str(k): int(v) for k, v in regions[row["scenario"]].items()}
                 if row["scenario"] in regions else None)}
            for row in summary.to_dict("records")
        ],
    }


def sweep_document(s: Sweep) -> dict[str, Any]:
    allocations = []
    if not s.allocations.empty:
        cells = s.allocations[["region", "goal"]]
        for column in s.allocations.columns[2:]:
            amounts = largest_remainder(s.allocations[column].clip(lower=0))
            allocations += records(cells.assign(amount_eur=amounts),
                                   budget_eur=float(column))
    return {
        **header("sweep", s.instance.name,
                 "optimal" if s.breakpoints else "infeasible", s.message),
        "allocations": allocations,
        "seconds": s.seconds,
        "min_feasible_budget_eur": s.min_feasible_budget_eur,
        "saturation_budget_eur": s.saturation_budget_eur,
        "lp_solves": s.lp_solves,
        "breakpoints": [vars(p) for p in s.breakpoints],
    }


def grid_document(g: Grid) -> dict[str, Any]:
    cells = g.instance.needs[["region", "goal"]]
    allocations = [rec for p in g.points if p.cells_eur is not None
                   for rec in records(cells.assign(amount_eur=list(p.cells_eur)),
                                      scenario=p.needs, policy=p.policy,
                                      budget_eur=p.budget_eur)]
    solved = sum(p.status == "optimal" for p in g.points)
    return {**header("grid", g.instance.name, "optimal",
                     f"{len(g.points)} points, {solved} with an optimum"),
            "allocations": allocations, "seconds": g.seconds,
            "workers": g.workers,
            "points": [{k: v for k, v in vars(p).items() if k != "cells_eur"}
                       for p in g.points]}


def robust_document(r: Robust) -> dict[str, Any]:
    regions = r.by_region() if r.optimal else pd.DataFrame()

    def rounded(table: pd.DataFrame) -> pd.DataFrame:
        return table.assign(amount_eur=largest_remainder(table["amount_eur"].clip(lower=0))
                            ) if len(table) else table

    return {
        **header("robust", r.instance.name, r.status.value, r.message),
        "allocations": records(rounded(r.allocation)) if r.optimal else [],
        "seconds": r.seconds,
        "objective": r.objective,
        "objective_eur": r.objective_eur,
        # An uncertified allocation is never returned (robust() raises): present means
        # passed.
        "certificate": ({"passed": True, "duality_gap": r.duality_gap,
                         "max_violation_eur": r.max_violation_eur}
                        if r.optimal else None),
        "scenarios": [{"name": o.name, "probability": o.probability,
                       "own_optimum_eur": o.own_optimum_eur,
                       "robust_unmet_eur": o.robust_unmet_eur,
                       "regret_eur": o.regret_eur,
                       "nominal_unmet_eur": o.nominal_unmet_eur,
                       "nominal_regret_eur": o.nominal_regret_eur,
                       "nominal_meets_floor": o.nominal_meets_floor}
                      for o in r.outcomes],
        "nominal_allocations": (records(rounded(r.nominal_allocation))
                                if r.optimal else []),
        "allocation_by_region_eur": {str(r): int(v) for r, v in
                                     regions.get("robust_eur", pd.Series()).items()},
        "nominal_by_region_eur": {str(r): int(v) for r, v in
                                  regions.get("nominal_eur", pd.Series()).items()},
    }


def agenda_document(a: AgendaResult) -> dict[str, Any]:
    return {
        **header("agenda", a.agenda.name, a.status.value, a.message),
        "allocations": records(a.rounded()) if a.optimal else [],
        "seconds": a.seconds,
        "years": [str(y) for y in a.agenda.years],
        "funders": [vars(f) for f in a.agenda.funders],
        "weighted_unmet_eur": {str(k): v for k, v in a.weighted_unmet_eur.items()},
        "tier_penalty_eur": ({str(k): v for k, v in a.tier_penalty_eur.items()}
                             if a.tier_penalty_eur else None),
        "by_funder_eur": ({f: {str(y): int(v) for y, v in row.items()}
                           for f, row in a.by_funder().iterrows()}
                          if a.optimal else {}),
        "carry_over_eur": ({f: {str(y): round(float(v), 2) for y, v in row.items()}
                            for f, row in a.carry.iterrows()} if len(a.carry) else {}),
        "coverage": ({str(r): {str(y): float(v) for y, v in row.items()}
                      for r, row in a.coverage.iterrows()} if a.optimal else {}),
        "unlocked_per_national_euro": a.unlocked() if a.optimal else None,
        # An agenda that fails its check is never returned (solve_agenda raises).
        "certificate": ({"passed": True, "duality_gap": a.duality_gap,
                         "max_violation_eur": a.max_violation_eur}
                        if a.optimal else None),
    }


def _cofinancing(table: pd.DataFrame, ratio: float | None) -> dict[str, Any] | None:
    if table.empty:
        return None
    return {
        "ratio": ratio,
        "national_eur": int(table["national_eur"].sum()),
        "regional_eur": int(table["regional_eur"].sum()),
        "total_investment_eur": int(table["total_eur"].sum()),
        "by_region": {str(r): {k: int(v) for k, v in row.items()}
                      for r, row in table.iterrows()},
    }


def _num(value: float) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


def _certificate(r: Result) -> dict[str, object] | None:
    return r.certificate.to_dict() if r.certificate is not None else None


DOCUMENTS: tuple[tuple[type, Any], ...] = (
    (Result, solve_document), (Comparison, compare_document), (Sweep, sweep_document),
    (Grid, grid_document), (Robust, robust_document), (AgendaResult, agenda_document))
