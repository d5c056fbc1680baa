"""The JSON document of every command's result: the shape :mod:`allocator.reports.schema`
states, built as plain dicts (a million records in about a second), with no pydantic on the
way: the schema is for checking and publishing, this module for writing.

The studies and the solve know nothing of this shape: it is written here alone.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from allocator.solving.rounding import largest_remainder
from allocator.studies.why import reasons

#: Raised in its major part when a key is removed or changes meaning; in its minor part when
#: a key is added.
SCHEMA_VERSION = "2.4"
#: The record axes, in the order they are written before region, goal and amount.
AXES = ("scenario", "policy", "budget_eur", "year", "funder")

if TYPE_CHECKING:
    from allocator.solving.result import Result
    from allocator.studies.agenda import AgendaResult
    from allocator.studies.compare import Comparison
    from allocator.studies.grid import Grid
    from allocator.studies.robust import Robust
    from allocator.studies.sensitivity import Sensitivity
    from allocator.studies.sweep import Sweep

#: Up to this many regions the JSON carries each region's explanation as text too (the
#: facts it is made of are always there).
WHY_TEXT_MAX_REGIONS = 1_000


def document(result: Any) -> dict[str, Any]:
    """The JSON document of any command's result (what ``--json`` writes)."""
    build = DOCUMENTS.get(type(result).__name__)
    if build is None:
        raise TypeError(f"no result document for {type(result).__name__}")
    return build(result)


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
        "allocated_eur": int(r.figures.total["amount_eur"]) if r.figures is not None else 0,
        "weighted_unmet_eur": _num(r.weighted_unmet_eur),
        "weighted_unmet_before_eur": _num(r.weighted_unmet_before_eur),
        "tier_penalty_eur": r.tier_penalty_eur,
        "headline": r.headline() if r.optimal and len(r.allocation) else None,
        "why": [{**w.to_dict(), **({"text_nl": w.sentence("nl", floor),
                                     "text_en": w.sentence("en", floor),
                                     "detail_nl": w.detail("nl"), "detail_en": w.detail("en")}
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
        "weight_sensitivity": (r.weight_sensitivity.to_dict()
                               if r.weight_sensitivity is not None else None),
        "baselines": _baselines(r.baselines()),
        "figures": figures(r.instance),
        **_figure_tables(r),
    }
    return out


def _figure_tables(r: Result) -> dict[str, Any]:
    """The figures table (regions, totals, unspent) as the JSON carries it."""
    f = r.figures if r.optimal else None
    if f is None:
        return {"regions": None, "totals": None, "unspent": None}
    totals = {k: v for k, v in f.total.items() if k != "goal_order"}
    return {"regions": f.region_records(), "totals": totals,
            "unspent": f.unspent.to_dict(r.names())}


def _baselines(frame: pd.DataFrame) -> dict[str, dict[str, int]] | None:
    """Per region, the baselines in whole euros (None when there are none); built column
    by column (row by row it took 13 s at 333,334 regions)."""
    if not len(frame):
        return None
    columns = {c: frame[c].astype("int64").tolist() for c in frame.columns}
    names = list(columns)
    return {region: dict(zip(names, values, strict=True)) for region, values in zip(
        frame.index.astype(str), zip(*columns.values(), strict=True), strict=True)}


#: Up to this many figures the solve document lists each with its status and source (a
#: generated instance of a million cells has three million, with none of either).
FIGURES_MAX = 100_000


def figures(inst: Any) -> list[dict[str, Any]] | None:
    """Every figure of the instance with its status, source and alternative (None above
    :data:`FIGURES_MAX`)."""
    table = inst.figures()
    if len(table) > FIGURES_MAX:
        return None

    def plain(v: Any) -> Any:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return None
        return v.item() if isinstance(v, np.generic) else v

    return [{k: plain(v) for k, v in row.items()} for row in table.to_dict("records")]


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
        # per scenario that holds and per region: its figures table's amount, per
        # inhabitant, coverage and change from the scenario before (since 2.2)
        "regions": [{k: _plain_value(v) for k, v in rec.items()}
                    for rec in c.envelopes().to_dict("records")],
    }


def sweep_document(s: Sweep) -> dict[str, Any]:
    allocations = []
    if not s.allocations.empty:
        cells = s.allocations[["region", "goal"]]
        for column in s.allocations.columns[2:]:
            f = s.figures.get(round(float(column), 2))
            amounts = (f.cells["amount_eur"].to_numpy() if f is not None
                       else largest_remainder(s.allocations[column].clip(lower=0)))
            allocations += records(cells.assign(amount_eur=amounts),
                                   budget_eur=float(column))
    envelopes = s.envelopes()
    return {
        **header("sweep", s.instance.name,
                 "optimal" if s.breakpoints else "infeasible", s.message),
        "allocations": allocations,
        "seconds": s.seconds,
        "min_feasible_budget_eur": s.min_feasible_budget_eur,
        "saturation_budget_eur": s.saturation_budget_eur,
        "lp_solves": s.lp_solves,
        "breakpoints": [vars(p) for p in s.breakpoints],
        # per budget with an allocation and per region: the figures table's amount, per
        # inhabitant, coverage and change from the budget before (since 2.2)
        "regions": [{k: _plain_value(v) for k, v in rec.items()}
                    for rec in envelopes.to_dict("records")] if len(envelopes) else [],
    }


def _plain_value(v: Any) -> Any:
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, float | np.floating):
        return None if math.isnan(v) else float(v)
    return v


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


def sensitivity_document(s: Sensitivity) -> dict[str, Any]:
    base = s.base
    names = list(dict.fromkeys(n for n, _, _ in s.runs))
    regions = s.regions() if base.optimal else None
    from allocator.studies.sensitivity import ALT

    at_alternatives = bool(names) and all(n.startswith(ALT) for n in names)
    message = (base.message if not base.optimal else
               f"{len(names)} assumed figures, each at its stated alternative alone: "
               f"{len(s.runs)} full, certified solves." if at_alternatives else
               f"{len(names)} assumptions, each {s.step:.0%} lower and higher alone: "
               f"{len(s.runs)} full, certified solves.")

    def num(v: object) -> object:
        return None if v is None or (isinstance(v, float) and math.isnan(v)) else v

    return {
        **header("sensitivity", base.instance.name, base.status.value, message),
        "allocations": records(base.rounded_allocation()) if base.optimal else [],
        "seconds": s.seconds,
        "step": s.step,
        "assumptions": names,
        "regions": [] if regions is None else [
            {"region": str(region), **{k: num(float(row[k])) for k in (
                "base_eur", "low_eur", "high_eur", "coverage", "coverage_low",
                "coverage_high", "moved_most_eur")},
             "moved_most_by": (row["moved_most_by"] if isinstance(row["moved_most_by"], str)
                               else None),
             "factor": (float(row["factor"]) if isinstance(row["moved_most_by"], str)
                        else None)}
            for region, row in regions.iterrows()],
        "decisions": [
            {"decision": row.decision, "value": row.value, "alternative": row.alternative,
             "status": row.status,
             **{k: (None if not isinstance(getattr(row, k), int | float)
                    or math.isnan(getattr(row, k)) else int(getattr(row, k)))
                for k in ("weighted_unmet_eur", "allocated_eur")},
             "region": row.region if isinstance(row.region, str) else None,
             "moved_eur": float(row.moved_eur)}
            for row in s.decision_table().itertuples(index=False)],
        "runs": [{"assumption": n, "factor": f, "status": r.status.value,
                  "by_region_eur": ({str(k): int(v) for k, v in
                                     r.matrix().sum(axis=1).items()} if r.optimal else None),
                  "certificate": _certificate(r)} for n, f, r in s.runs],
    }


#: The document builder of each result type, by the type's name (no study is imported to
#: write another's result).
DOCUMENTS: dict[str, Any] = {
    "Result": solve_document, "Comparison": compare_document, "Sweep": sweep_document,
    "Grid": grid_document, "Robust": robust_document, "AgendaResult": agenda_document,
    "Sensitivity": sensitivity_document}
