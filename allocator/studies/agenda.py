"""The four-year uitvoeringsagenda: an instance over years and funders, validated, solved
as the LP of :mod:`models.agenda`, certified, and reported as who pays what.

An agenda instance is a format v1 instance with optional sheets (docs/format.md#agenda):
``years`` (the horizon; a national budget and a need factor per year), ``funders`` (who
may pay for which goals, the largest share of a regional package each may pay, how much
each may carry over or borrow), ``envelopes`` (each funder's budget per year) and
``streams`` (existing funding by funder, region, goal and year, with sources). ``needs``
may carry a ``year`` column. A v1 instance is the one-year, one-funder case: the year is
the policy's, the funder is the Rijk, the envelope is ``budget_eur``.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from allocator.errors import CertificateError, InputError, Problem, Status
from allocator.inputs.cells import clean_ids
from allocator.inputs.instance import Instance
from allocator.inputs.read import ROW, RawTable, read_instance
from allocator.inputs.validate import FALSE_WORDS, TRUE_WORDS, _Columns, validate
from allocator.labels import Worded, sentences
from allocator.limits import MAX_EUR, MAX_FACTOR
from allocator.messages import Message
from allocator.solving import split
from allocator.solving.certify import tier_penalty
from allocator.solving.highs import Solver
from allocator.solving.maxmin import MARGIN
from allocator.solving.modeldata import to_model_data
from allocator.solving.pipeline import run_stages
from allocator.solving.rounding import largest_remainder, round_groups
from allocator.solving.stages import nearest_on_optimal_face
from models.agenda import OWN_FORM, AgendaData, agenda_coverages, build_agenda_lp
from models.rules import LP_RULES, Sums

DEFAULT_YEAR = 2026
DEFAULT_FUNDER = "rijk"


@dataclass(frozen=True)
class Funder:
    id: str
    name: str
    national: bool
    goals: tuple[str, ...] | None  # None: every goal
    max_package_share: float | None
    carry_over_eur: float
    borrow_eur: float
    regions: tuple[str, ...] | None = None  # None: every region (a national funder)


@dataclass(frozen=True)
class Agenda:
    """A validated agenda: one v1 instance per year (needs with that year's existing
    streams), the funders and their envelopes (funder x year, euros)."""

    name: str
    source: str
    years: tuple[int, ...]
    instances: tuple[Instance, ...]
    funders: tuple[Funder, ...]
    envelopes: pd.DataFrame  # index funder id, columns years
    streams: pd.DataFrame  # funder, region, goal, year, amount_eur (+ status, source)

    @property
    def policy(self) -> Any:
        return self.instances[0].policy


def load_agenda(path: str | Path, *, preset: str | None = None,
                flags: dict[str, object] | None = None) -> Agenda:
    """Read and validate an agenda instance (or a v1 instance, as one year). Its policy is
    the policy sheet, then ``preset``, then ``flags`` (policy keys), as for every command;
    a ``budget_eur`` flag is the national funder's envelope in every year."""
    from allocator.inputs.presets import with_policy

    path = Path(path)
    flags = dict(flags or {})
    tables = read_instance(path)
    problems: list[Problem] = []
    years, budgets, factors = _years(tables.get("years"), problems)
    funders = _funders(tables.get("funders"), problems)
    if problems:
        raise InputError(problems)
    base = with_policy(_base_instance(tables, path, years, budgets, problems, flags), preset,
                       flags)
    years = years or [DEFAULT_YEAR]  # a v1 instance: one year
    goals = tuple(base.goals.index)
    for f in funders:
        for g in f.goals or ():
            if g not in goals:
                problems.append(tables["funders"].problem(Message(
                    "unknown goal '{goal}' for funder '{funder}' (not in goals)", goal=g,
                    funder=f.id), None, "goals"))
        for r in f.regions or ():
            if r not in base.regions.index:
                problems.append(tables["funders"].problem(Message(
                    "unknown region '{region}' for funder '{funder}' (not in regions)",
                    region=r, funder=f.id), None, "regions"))
        if f.national and f.regions is not None:
            problems.append(tables["funders"].problem(Message(
                "the national funder '{funder}' pays in every region: leave its regions blank",
                funder=f.id), None, "regions"))
    envelopes = _envelopes(tables.get("envelopes"), funders, years, budgets, base, problems)
    if "budget_eur" in flags:
        national = next(f.id for f in funders if f.national)
        envelopes.loc[national, :] = float(flags["budget_eur"])  # type: ignore[arg-type]
    streams = _streams(tables.get("streams"), funders, years, base, problems)
    if problems:
        raise InputError(problems)
    base.refuse_unsupported("agenda")
    instances = tuple(_year_instance(tables, path, base, y, factors.get(y, 1.0), streams,
                                     float(envelopes[y].sum()), problems) for y in years)
    if problems:
        raise InputError(problems)
    return Agenda(path.stem, str(path), tuple(years), instances, tuple(funders), envelopes,
                  streams)



def _years(table: RawTable | None, problems: list[Problem]
           ) -> tuple[list[int], dict[int, float], dict[int, float]]:
    if table is None:
        return [], {}, {}
    cols = _Columns(table, problems, "years")
    if not cols.require("year"):
        return [], {}, {}
    year = cols.number("year", integer=True, minimum=1900, maximum=2200)
    budget = cols.number("budget_eur", required=False, minimum=0, maximum=MAX_EUR)
    factor = cols.number("need_factor", required=False, minimum=0, maximum=MAX_FACTOR)
    ids = [int(y) for y in year if np.isfinite(y)]
    seen: dict[int, int] = {}
    for i, y in enumerate(year):
        if np.isfinite(y):
            row = int(cols.f[ROW].iat[i])
            if int(y) in seen:
                problems.append(table.problem(Message("duplicate year {year}, first on row "
                                                      "{first}", year=str(int(y)),
                                                      first=seen[int(y)]), row, "year"))
            seen.setdefault(int(y), row)
    if ids and ids != sorted(ids):
        problems.append(table.problem(Message("years must be in increasing order"), None,
                                      "year"))
    if ids and ids != list(range(ids[0], ids[0] + len(ids))):
        problems.append(table.problem(Message("years must follow each other without gaps "
                                              "(carry-over and ramp-up run from one year to "
                                              "the next)"), None, "year"))
    budgets = {int(y): float(b) for y, b in zip(year, budget, strict=True)
               if np.isfinite(y) and np.isfinite(b)}
    factors = {int(y): float(v) for y, v in zip(year, factor, strict=True)
               if np.isfinite(y) and np.isfinite(v)}
    return sorted(set(ids)), budgets, factors


def _funders(table: RawTable | None, problems: list[Problem]) -> list[Funder]:
    if table is None:
        return [Funder(DEFAULT_FUNDER, "Rijk", True, None, None, 0.0, 0.0)]
    cols = _Columns(table, problems, "funders")
    if not cols.require("funder"):
        return []
    ids = cols.ids("funder")
    cols.unique(ids, "funder")
    names = clean_ids(cols.f["name"]) if "name" in cols.f else ids
    share = cols.number("max_package_share", required=False, minimum=0, maximum=1,
                        fraction=True)
    carry = cols.number("carry_over_eur", default=0.0, minimum=0, maximum=MAX_EUR)
    borrow = cols.number("borrow_eur", default=0.0, minimum=0, maximum=MAX_EUR)
    national = clean_ids(cols.f["national"]).str.lower() if "national" in cols.f else \
        pd.Series([""] * len(ids))
    bad = ~national.isin(TRUE_WORDS | FALSE_WORDS | {""})
    cols._report(bad, "national", Message("must be true or false, got '{value}'"))
    goals = clean_ids(cols.f["goals"]) if "goals" in cols.f else pd.Series([""] * len(ids))
    scope = clean_ids(cols.f["regions"]) if "regions" in cols.f else pd.Series([""] * len(ids))
    out = []
    for i, fid in enumerate(ids):
        listed = tuple(g.strip() for g in goals.iat[i].split(";") if g.strip())
        regions = tuple(r.strip() for r in scope.iat[i].split(";") if r.strip())
        out.append(Funder(fid, names.iat[i] or fid, national.iat[i] in TRUE_WORDS,
                          listed or None,
                          None if np.isnan(share.iat[i]) else float(share.iat[i]),
                          float(carry.iat[i]), float(borrow.iat[i]), regions or None))
    if out and not any(f.national for f in out):
        problems.append(table.problem(Message("mark one funder national (true): the one "
                                              "whose euro the report counts as unlocking the "
                                              "rest"), None, "national"))
    marked = [int(cols.f[ROW].iat[i]) for i, f in enumerate(out) if f.national]
    for row in marked[1:]:
        problems.append(table.problem(Message(
            "a second funder marked national (the first is on row {first}); exactly one "
            "funder is national", first=marked[0]), row, "national"))
    return out


def _base_instance(tables: dict[str, RawTable], path: Path, years: list[int],
                   budgets: dict[int, float], problems: list[Problem],
                   flags: dict[str, object]) -> Instance:
    """The v1 validation of everything but the year split (raises on its problems)."""
    needs = tables["needs"]
    first = needs
    if "year" in needs.frame:
        if not years:
            raise InputError([needs.problem(Message("a 'year' column needs a years sheet "
                                                     "listing the horizon"), None, "year")])
        frame = needs.frame[_year_of(needs) == years[0]]
        first = dataclasses.replace(needs, frame=frame.drop(columns="year"))
    budget = budgets.get(years[0]) if years else None
    from allocator.inputs.presets import given

    overrides = {**given(flags), **({"budget_eur": budget} if budget else {})}
    return validate({**tables, "needs": first}, name=path.stem, source=str(path),
                    overrides=overrides)


def _year_of(table: RawTable) -> pd.Series:
    return pd.to_numeric(table.frame["year"].astype(str).str.strip(), errors="coerce")


def _year_instance(tables: dict[str, RawTable], path: Path, base: Instance, year: int,
                   factor: float, streams: pd.DataFrame, envelope: float,
                   problems: list[Problem]) -> Instance:
    """Year ``year``: its needs (its own rows, or the base needs x its need factor) with the
    existing streams of that year added to ``existing_eur``."""
    needs_table = tables["needs"]
    inst = base
    if "year" in needs_table.frame:
        frame = needs_table.frame[_year_of(needs_table) == year]
        if frame.empty:
            problems.append(needs_table.problem(Message("no needs for year {year}",
                                                        year=str(year)), None, "year"))
            return base
        inst = validate({**tables, "needs": dataclasses.replace(
            needs_table, frame=frame.drop(columns="year"))}, name=path.stem,
            source=str(path), overrides={"budget_eur": base.policy.budget_eur})
        pairs = inst.needs[["region", "goal"]].astype(str)
        if not pairs.equals(base.needs[["region", "goal"]].astype(str)):
            problems.append(needs_table.problem(Message(
                "year {year} lists other (region, goal) pairs than year {first}: give every "
                "pair every year", year=str(year), first=str(int(_year_of(needs_table).min()))),
                None, "year"))
            return base
    needs = inst.needs.copy()
    needs["need_eur"] = needs["need_eur"] * factor
    extra = _stream_cells(streams[streams["year"] == year], needs)
    needs["existing_eur"] = needs["existing_eur"] + extra
    # One policy and one regions table for every year: the base's, with preset and flags.
    policy = base.policy.model_copy(update={"budget_eur": max(envelope, 1e-9)})
    return dataclasses.replace(inst, needs=needs, policy=policy, regions=base.regions,
                               goals=base.goals)


def _stream_cells(streams: pd.DataFrame, needs: pd.DataFrame) -> np.ndarray:
    """Stream euros per cell: a stream with a goal goes to that cell; one without is split
    over the region's cells in proportion to their need (largest remainder, whole euros)."""
    out = np.zeros(len(needs))
    region = needs["region"].astype(str).to_numpy()
    goal = needs["goal"].astype(str).to_numpy()
    for row in streams.itertuples(index=False):
        cells = np.flatnonzero((region == row.region) & ((goal == row.goal) if row.goal
                                                         else True))
        if not cells.size:
            continue
        need = needs["need_eur"].to_numpy(float)[cells]
        share = need / need.sum() if need.sum() > 0 else np.full(cells.size, 1 / cells.size)
        out[cells] += largest_remainder(share * row.amount_eur, round(row.amount_eur))
    return out


def _envelopes(table: RawTable | None, funders: list[Funder], years: list[int],
               budgets: dict[int, float], base: Instance, problems: list[Problem]
               ) -> pd.DataFrame:
    ids = [f.id for f in funders]
    horizon = years
    out = pd.DataFrame(0.0, index=pd.Index(ids, name="funder"), columns=horizon)
    if table is None:
        national = next(f.id for f in funders if f.national)
        for y in horizon:
            out.loc[national, y] = budgets.get(y, base.policy.budget_eur)
        return out
    cols = _Columns(table, problems, "envelopes")
    if not cols.require("funder", "year", "budget_eur"):
        return out
    funder = cols.ids("funder")
    year = cols.number("year", integer=True)
    budget = cols.number("budget_eur", minimum=0, maximum=MAX_EUR)
    cols._report(~funder.isin(ids) & funder.ne(""), "funder",
                 Message("unknown funder '{value}' (not in funders)"))
    cols._report(year.notna() & ~year.isin(horizon), "year",
                 Message("year {value} is not in the years sheet"))
    for f, y, b in zip(funder, year, budget, strict=True):
        if f in ids and y in horizon and np.isfinite(b):
            out.loc[f, int(y)] += b
    return out


def _streams(table: RawTable | None, funders: list[Funder], years: list[int], base: Instance,
             problems: list[Problem]) -> pd.DataFrame:
    columns = ["funder", "region", "goal", "year", "amount_eur", "status", "source"]
    if table is None:
        return pd.DataFrame(columns=columns)
    cols = _Columns(table, problems, "streams")
    if not cols.require("funder", "region", "year", "amount_eur", rows=False):
        return pd.DataFrame(columns=columns)
    horizon = years
    frame = pd.DataFrame({
        "funder": cols.ids("funder"),
        "region": cols.ids("region"),
        "goal": clean_ids(cols.f["goal"]) if "goal" in cols.f else "",
        "year": cols.number("year", integer=True),
        "amount_eur": cols.number("amount_eur", minimum=0, maximum=MAX_EUR),
        "status": clean_ids(cols.f["status"]) if "status" in cols.f else "",
        "source": clean_ids(cols.f["source"]) if "source" in cols.f else "",
    })
    cols._report(~frame["funder"].isin([f.id for f in funders]) & frame["funder"].ne(""),
                 "funder", Message("unknown funder '{value}' (not in funders)"))
    cols._report(~frame["region"].isin(base.regions.index) & frame["region"].ne(""),
                 "region", Message("unknown region '{value}' (not in regions)"))
    cols._report(frame["goal"].ne("") & ~frame["goal"].isin(base.goals.index), "goal",
                 Message("unknown goal '{value}' (not in goals)"))
    scope = {f.id: f.regions for f in funders if f.regions is not None}
    outside = [f in scope and r not in scope[f] for f, r in zip(frame["funder"],
                                                                 frame["region"], strict=True)]
    cols._report(pd.Series(outside), "region",
                 Message("'{value}' lies outside the regions of this row's funder (funders "
                         "sheet)"))
    # A stream outside the horizon is simply not counted (the JTF runs 2021-2027).
    return frame[frame["year"].isin(horizon)].reset_index(drop=True)


# --- solving -------------------------------------------------------------------------------


@dataclass
class AgendaResult(Worded):
    agenda: Agenda
    status: Status
    message: str
    allocation: pd.DataFrame = field(default_factory=pd.DataFrame)  # year funder region goal
    carry: pd.DataFrame = field(default_factory=pd.DataFrame)  # funder x year, euros
    coverage: pd.DataFrame = field(default_factory=pd.DataFrame)  # region x year (+ period)
    weighted_unmet_eur: dict[int, float] = field(default_factory=dict)  # per year
    duality_gap: float | None = None
    max_violation_eur: float | None = None
    seconds: float = 0.0
    tier_penalty_eur: dict[int, float] = field(default_factory=dict)  # per year, with tiers
    notes: list[tuple[str, dict[str, object]]] = field(default_factory=list)  # for text()

    @property
    def optimal(self) -> bool:
        return self.status == Status.OPTIMAL


    def rounded(self) -> pd.DataFrame:
        """Whole euros per (year, funder, region, goal), rounded once, top down: each
        year's total is its exact total rounded, each funder's money in a year adds up to
        it, and the cells to their funder's (a year read 339.999.999 and the next
        340.000.001 when each funder was rounded alone)."""
        out = self.allocation.copy()
        x = out["amount_eur"].clip(lower=0).to_numpy(float)
        year, _ = pd.factorize(out["year"])
        pair, pairs = pd.factorize(out["year"].astype(str) + "\x00" + out["funder"].astype(str))
        pair_year = np.zeros(len(pairs), dtype=np.int64)
        pair_year[pair] = year
        years = round_groups(np.bincount(year, x), groups=np.arange(year.max() + 1))
        funders = round_groups(np.bincount(pair, x, minlength=len(pairs)), years, pair_year)
        out["amount_eur"] = round_groups(x, funders, pair)
        return out

    def by_funder(self) -> pd.DataFrame:
        """Funder x year, whole euros allocated."""
        r = self.rounded()
        return r.pivot_table(index="funder", columns="year", values="amount_eur",
                             aggfunc="sum").reindex(
            index=[f.id for f in self.agenda.funders], columns=list(self.agenda.years)
        ).fillna(0).astype("int64")

    def unlocked(self) -> float | None:
        """Total euros of all funders per national euro."""
        totals = self.by_funder().sum(axis=1)
        national = sum(int(totals[f.id]) for f in self.agenda.funders if f.national)
        return float(totals.sum()) / national if national else None


def agenda_data(agenda: Agenda, scale: float) -> AgendaData:
    """The model's sets and parameters, money in units of ``scale`` euros."""
    years = [to_model_data(inst, scale) for inst in agenda.instances]
    first = years[0]
    goals = first.goals
    funders = agenda.funders
    may = np.array([[f.goals is None or g in f.goals for g in goals] for f in funders])
    scope = np.array([[f.regions is None or r in f.regions for r in first.regions]
                      for f in funders])
    p = agenda.policy
    return AgendaData(
        years=tuple(str(y) for y in agenda.years), funders=tuple(f.id for f in funders),
        regions=first.regions, goals=goals, cell_region=first.cell_region,
        cell_goal=first.cell_goal,
        net_need=np.vstack([d.net_need for d in years]),
        upper=np.vstack([d.upper for d in years]), weight=first.weight,
        region_need=np.vstack([d.region_need for d in years]),
        region_covered=np.vstack([d.region_covered for d in years]),
        envelope=agenda.envelopes.to_numpy(float) / scale, may_fund=may, scope=scope,
        package_share=np.array([np.nan if f.max_package_share is None
                                else f.max_package_share for f in funders]),
        carry=np.array([f.carry_over_eur for f in funders]) / scale,
        borrow=np.array([f.borrow_eur for f in funders]) / scale,
        coverage_floor=p.coverage_floor, floor_over_period=p.equity_over == "period",
        ramp_factor=p.ramp_factor,
        ramp_amount=None if p.ramp_amount_eur is None else p.ramp_amount_eur / scale,
        per_year=tuple(years),
        national=next(i for i, f in enumerate(funders) if f.national),
        spend_all=p.spend_all)


def solve_agenda(agenda: Agenda | str | Path) -> AgendaResult:
    """Solve the agenda LP and certify it: every rule re-checked from the data, the
    objective against the Lagrangian bound of the duals."""
    clock = time.perf_counter()
    if not isinstance(agenda, Agenda):
        agenda = load_agenda(agenda)
    total = float(agenda.envelopes.to_numpy().sum(axis=0).max())
    scale = float(10.0 ** (np.floor(np.log10(max(total, 1.0))) - 3))
    d = agenda_data(agenda, scale)
    lp = build_agenda_lp(d)
    max_min = agenda.policy.fairness == "max-min"
    # max-min raises the lowest coverage of any region in any year (or over the period)
    # first, then the next
    coverages = agenda_coverages(lp, d) if max_min else None
    t, c, f = d.triples()

    def check(columns: np.ndarray, levels: np.ndarray | None
              ) -> tuple[dict[str, float], float]:
        x = np.clip(columns[: lp.n_cells], 0.0, d.upper[t, c])
        checks = agenda_violations(d, x, columns[lp.n_cells:])
        if coverages is not None and levels is not None:
            checks["max_min"] = coverages.shortfall(
                np.concatenate([x, columns[lp.n_cells:]]), levels, MARGIN)
        return checks, _value(d, x)

    def tie_break(solver: Solver | None, held: Any, first: Any) -> tuple[np.ndarray, Any]:
        assert solver is not None  # stage 1 ran on HiGHS
        return _tie_break(solver, held, d, first.objective, first.x,
                          (first.col_dual, first.row_dual))

    outcome, lp = run_stages(lp, scale, check, tie_break, coverages=coverages,
                             max_loss=agenda.policy.max_efficiency_loss, stage1=_stage1)
    if outcome.status != Status.OPTIMAL:
        failed: list[tuple[str, dict[str, object]]] = [("agenda_infeasible",
                                                         {"status": outcome.status.value})]
        return AgendaResult(agenda, outcome.status, sentences(failed, "en"),
                            seconds=time.perf_counter() - clock, notes=failed)
    notes: list[tuple[str, dict[str, object]]] = []
    if max_min:
        notes.append(("agenda_maxmin_period" if d.floor_over_period else "agenda_maxmin", {}))
    notes += outcome.notes
    columns = outcome.x
    x = np.clip(columns[: lp.n_cells], 0.0, d.upper[t, c])
    unmet, penalties = _objective_parts(d, x)
    tiers = {agenda.years[i]: p * scale for i, p in penalties.items()}
    certificate = outcome.certificate
    assert certificate is not None
    gap, violation = certificate.duality_gap, certificate.max_violation_eur / scale
    if not certificate.passed:
        raise CertificateError(Message("The agenda failed its independent check (largest "
                                       "violation €{violation:,.2f}, duality gap {gap:.1e}).",
                                       violation=violation * scale, gap=gap))
    cells = agenda.instances[0].needs
    allocation = pd.DataFrame({
        "year": np.asarray(agenda.years)[t], "funder": np.asarray(d.funders)[f],
        "region": cells["region"].astype(str).to_numpy()[c],
        "goal": cells["goal"].astype(str).to_numpy()[c], "amount_eur": x * scale})
    pairs = max(len(d.years) - 1, 0)
    carry = pd.DataFrame(columns[lp.n_cells:lp.n_cells + len(d.funders) * pairs]
                         .reshape(len(d.funders), pairs) * scale,
                         index=pd.Index(d.funders, name="funder"),
                         columns=list(agenda.years[:-1]))
    notes.insert(0, ("agenda_ok", {"years": len(d.years), "funders": len(d.funders),
                                   "gap": float(f"{gap:.1e}")}))
    return AgendaResult(
        agenda, Status.OPTIMAL, sentences(notes, "en"),
        allocation, carry, _coverage(d, t, c, x, scale, agenda),
        {y: float(unmet[i].sum()) * scale for i, y in enumerate(agenda.years)},
        gap, violation * scale, time.perf_counter() - clock, tiers, notes)


def _stage1(lp: Any) -> tuple[Solver, Any]:
    """Stage 1 of the agenda: one LP a year, on threads, where nothing ties the years
    together (no carry-over, borrowing, ramp-up or floor over the period:
    :mod:`allocator.solving.split`), else the whole LP. The tie-break takes the whole LP
    from the solver returned, which holds it."""
    solver = Solver(lp)
    first = split.solve(lp)
    if first is None or first.status not in (Status.OPTIMAL, Status.INFEASIBLE):
        first = solver.run()
    return solver, first


def _value(d: AgendaData, x: np.ndarray) -> float:
    """The agenda's objective at allocation ``x``: weighted unmet need over the years plus
    each year's tier penalty (model units)."""
    unmet, tiers = _objective_parts(d, x)
    return float(unmet.sum()) + sum(tiers.values())


def _objective_parts(d: AgendaData, x: np.ndarray) -> tuple[np.ndarray, dict[int, float]]:
    """Weighted unmet need per year and cell, and the tier penalty of each year that has
    tiers (by the year's position), at allocation ``x`` (model units)."""
    t, c, _ = d.triples()
    unmet = d.weight[None, :] * d.net_need
    np.subtract.at(unmet, (t, c), d.weight[c] * x)
    per_cell = _per_year_cells(d, x)
    return unmet, {i: tier_penalty(one, per_cell[i]) for i, one in enumerate(d.per_year)
                   if one.shortfall_tiers}


def _tie_break(solver: Solver, lp: Any, d: AgendaData, best: float, first: np.ndarray,
               first_duals: tuple[np.ndarray, np.ndarray]
               ) -> tuple[np.ndarray, tuple[str, dict[str, object]] | None]:
    """Among the agendas with the least weighted unmet need (to 1e-9 relative), the one
    nearest to each funder's envelope spread over the cells it may fund in proportion to
    their net need, in the need-weighted distance sum (x - p)^2 / m: a strictly convex QP,
    so the reported split over funders, years and regions is unique. With one year and one
    funder the target is the one-year model's pro-rata split."""
    t, c, f = d.triples()
    need = d.net_need[t, c]
    fundable = np.zeros((len(d.funders), len(d.years)))
    np.add.at(fundable, (f, t), need)
    with np.errstate(invalid="ignore", divide="ignore"):
        target = np.where(need > 0, d.envelope[f, t] * need / fundable[f, t], 0.0)
    reduced, dual = first_duals
    tied = nearest_on_optimal_face(solver, lp, first, reduced, dual, lp.cost, best - lp.offset,
                                   need, target, float(d.weight.max()))
    if tied is None:
        return first, ("agenda_unfinished", {})
    return tied, None


def _coverage(d: AgendaData, t: np.ndarray, c: np.ndarray, x: np.ndarray, scale: float,
              agenda: Agenda) -> pd.DataFrame:
    n_years, n_regions = len(d.years), len(d.regions)
    given = np.zeros((n_years, n_regions))
    np.add.at(given, (t, d.cell_region[c]), x)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_year = (d.region_covered + given) / d.region_need
        period = (d.region_covered + given).sum(axis=0) / d.region_need.sum(axis=0)
    out = pd.DataFrame(per_year.T, index=pd.Index(d.regions, name="region"),
                       columns=list(agenda.years))
    out["period"] = period
    return out


def _per_year_cells(d: AgendaData, x: np.ndarray, funder: int | None = None) -> np.ndarray:
    """Each year's allocation per cell, summed over funders, or of ``funder`` alone
    (years x cells)."""
    t, c, f = d.triples()
    mine = np.ones(t.size, dtype=bool) if funder is None else f == funder
    out = np.zeros((len(d.years), d.n_cells))
    np.add.at(out, (t[mine], c[mine]), x[mine])
    return out


def agenda_violations(d: AgendaData, x: np.ndarray, moves: np.ndarray) -> dict[str, float]:
    """The largest violation of each agenda rule by allocation ``x`` (one value per triple)
    and carry/borrow ``moves`` (model units), recomputed from the data; the one-year rules
    in every year by their own checks (models/rules)."""
    t, c, f = d.triples()
    n_years, n_funders, n_regions = len(d.years), len(d.funders), len(d.regions)
    pairs = max(n_years - 1, 0)
    s = moves[: n_funders * pairs].reshape(n_funders, pairs)
    b = moves[n_funders * pairs: 2 * n_funders * pairs].reshape(n_funders, pairs)
    spent = np.zeros((n_funders, n_years))
    np.add.at(spent, (f, t), x)
    net = spent.copy()
    net[:, :-1] += s - b
    net[:, 1:] += b - s
    out = {"negative": float(np.max(-x, initial=0.0)),
           "envelope": float(np.max(net - d.envelope, initial=0.0)),
           "carry": float(np.max(np.concatenate([(s - d.carry[:, None]).ravel(),
                                                 (b - d.borrow[:, None]).ravel(),
                                                 -s.ravel(), -b.ravel()]), initial=0.0))}
    cell = np.zeros((n_years, d.n_cells))
    np.add.at(cell, (t, c), x)
    out["absorption"] = float(np.max(cell - d.upper, initial=0.0))
    region = np.zeros((n_years, n_regions))
    np.add.at(region, (t, d.cell_region[c]), x)
    if d.coverage_floor > 0:
        if d.floor_over_period:
            short = (d.coverage_floor * d.region_need.sum(axis=0) - d.region_covered.sum(axis=0)
                     - region.sum(axis=0))[d.region_need.sum(axis=0) > 0]
        else:
            short = (d.coverage_floor * d.region_need - d.region_covered
                     - region)[d.region_need > 0]
        out["coverage_floor"] = float(np.max(short, initial=0.0))
    if (d.ramp_factor is not None or d.ramp_amount is not None) and n_years > 1:
        factor = 1.0 if d.ramp_factor is None else d.ramp_factor
        amount = 0.0 if d.ramp_amount is None else d.ramp_amount
        out["ramp_up"] = float(np.max(region[1:] - factor * region[:-1] - amount, initial=0.0))
    for k in np.flatnonzero(~np.isnan(d.package_share)):
        own = np.zeros((n_years, n_regions))
        mine = f == k
        np.add.at(own, (t[mine], d.cell_region[c[mine]]), x[mine])
        out["package_share"] = max(out.get("package_share", 0.0), float(
            np.max(own - d.package_share[k] * region, initial=0.0)))
    if d.spend_all:
        out["spend_all"] = float(np.max(d.envelope - net, initial=0.0))
    everyone, national = _per_year_cells(d, x), _per_year_cells(d, x, d.national)
    for year, one in enumerate(d.per_year):
        for rule in LP_RULES:
            if rule.name not in OWN_FORM and rule.active(one):
                cells = (national if rule.national_money else everyone)[year]
                for key, value in rule.violation(one, Sums.of(one, cells)).items():
                    out[f"{key}_{d.years[year]}"] = value
    return out
