"""How much the answer leans on assumed weights: each weight moved by ±10 % alone, and the
largest change of any region's allocation that follows, as a share of the budget.

Every region weight and goal weight is moved down and up by ``step`` (one at a time, the
rest as they are) and the instance is solved again with the same settings as the answer
(tie-break included), so the change is that of the reported allocation. The figure is the
largest |Δ allocation of a region| / budget over all those solves, with the weight that
causes it. Only optimal re-solves count; one that has no optimum is counted apart.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from allocator.inputs.instance import Instance
from allocator.messages import Message
from allocator.solving import highs
from allocator.solving.engine import solve
from allocator.solving.pipeline import Pipeline
from allocator.solving.result import Result
from models.rules import PARAM, PARAMS
from models.rules.params import OFF_WORDS

#: The relative move of each weight.
STEP = 0.10
#: Up to this many weights (regions + goals) the figure is computed with every solve: two
#: full solves a weight.
MAX_WEIGHTS = 60
#: From this many cells the warm runs are shared over the cores, one thread each (see
#: :func:`_warm_runs`; below it a run is mostly Python, which holds the GIL).
THREADED_CELLS = 2000


@dataclass(frozen=True)
class WeightSensitivity:
    step: float  # each weight moved by this fraction, down and up
    largest_share: float  # the largest |Δ region allocation| / budget
    largest_eur: float  # the same in euros
    weight: str  # "region:<id>" or "goal:<id>": the weight whose move causes it
    direction: float  # the factor applied to it (1 - step or 1 + step)
    region: str  # the region whose allocation moves most
    solves: int
    infeasible: int  # moves after which the rules could not hold

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def sentence(self, lang: str, names: dict[str, str]) -> str:
        from allocator.labels import money, percent

        if not self.weight:  # no move changed any region's allocation
            return (f"Gevoeligheid: geen enkel aangenomen gewicht {percent(self.step, lang, 0)} "
                    "hoger of lager verandert de verdeling." if lang == "nl" else
                    f"Sensitivity: no assumed weight {percent(self.step, lang, 0)} higher or "
                    "lower changes the allocation.")
        kind, _, key = self.weight.partition(":")
        shown = names.get(key, key)
        pct = percent(self.step, lang, 0)
        share = percent(self.largest_share, lang, 1)
        region = names.get(self.region, self.region)
        if lang == "nl":
            what = (f"het gewicht van {shown}" if kind == "region"
                    else f"het doelgewicht van {shown}")
            return (f"Gevoeligheid: één aangenomen gewicht {pct} hoger of lager verschuift "
                    f"hoogstens {share} van het budget ({money(self.largest_eur, lang)}, "
                    f"{region}, bij {what} {'−' if self.direction < 1 else '+'}{pct}).")
        what = f"the weight of {shown}" if kind == "region" else f"the goal weight of {shown}"
        return (f"Sensitivity: one assumed weight {pct} higher or lower moves at most {share} "
                f"of the budget ({money(self.largest_eur, lang)}, {region}, with {what} "
                f"{'-' if self.direction < 1 else '+'}{pct}).")


def _by_region(r: Result) -> pd.Series:
    index = r.instance.regions.index.astype(str)
    if not r.optimal or not len(r.allocation):
        return pd.Series(0.0, index=index)
    a = r.allocation
    return a.groupby(a["region"].astype(str), observed=True)["amount_eur"].sum().reindex(
        index, fill_value=0.0)


#: What a cabinet chooses, not what it assumes: every policy parameter a rule declares
#: (models.rules.params): the budget, the floor, the gap, the tiers, ... Moved with the
#: assumptions, the budget dominated the tornado. ``sensitivity`` takes each at its stated
#: alternative in a table of its own (:attr:`Sensitivity.decisions`), never among the
#: assumptions.
DECISIONS = tuple(p.key for p in PARAMS)


def assumptions(inst: Instance, vary: tuple[str, ...] | None = None) -> list[str]:
    """The assumptions a sensitivity run moves: every region and goal weight (the default
    instances mark the weights ASSUMED); ``vary`` keeps those whose name or kind
    (``weights``) it names. Policy values are decisions (:func:`decisions`)."""
    found = [f"region:{k}" for k in inst.regions.index]
    found += [f"goal:{k}" for k in inst.goals.index]
    if vary:
        kinds = {"weights": ("region", "goal")}
        found = [a for a in found if a.partition(":")[2] in vary or a in vary
                 or any(a.startswith(k + ":") for v in vary for k in kinds.get(v, ()))]
    return found


def decisions(inst: Instance, vary: tuple[str, ...] | None = None) -> list[str]:
    """The cabinet's choices the policy sheet states an alternative for (whatever their
    status), each to be taken at it alone: ``alt:policy:<key>``. ``vary`` keeps those it
    names (``policy`` keeps them all)."""
    from allocator.inputs.instance import policy_key

    notes = inst.policy_notes
    if notes is None or not {"key", "alternative"} <= set(notes.columns):
        return []
    found = []
    for key, alternative in zip(notes["key"], notes["alternative"], strict=True):
        key = policy_key(str(key).strip().lower())
        text = "" if alternative is None else str(alternative).strip()
        if key in DECISIONS and text and text.lower() != "nan":
            found.append(f"{ALT}policy:{key}")
    if vary:
        found = [d for d in found if "policy" in vary or d.rpartition(":")[2] in vary]
    return list(dict.fromkeys(found))


#: The prefix of an assumption taken at its stated alternative: ``alt:regions:twente:weight``,
#: ``alt:policy:coverage_floor``, ``alt:needs:need_eur`` (every need cell at its own).
ALT = "alt:"


def alternatives(inst: Instance, vary: tuple[str, ...] | None = None) -> list[str]:
    """Every ASSUMED figure with an alternative value, as an assumption to take at it: each
    region, goal and policy figure on its own, the need cells one column at a time (the
    split of the need, the attribution of existing money). ``vary`` keeps those whose id or
    column it names."""
    f = inst.figures()
    f = f[(f["status"].astype(str).str.upper() == "ASSUMED") & f["alternative"].notna()
          & (f["alternative"].astype(str) != f["value"].astype(str))]
    f = f[f["table"] != "policy"]  # the policy values are decisions (see decisions())
    found = [f"{ALT}{t}:{i}:{c}"
             for t, i, c in zip(f["table"], f["id"], f["column"], strict=True) if t != "needs"]
    found += [f"{ALT}needs:{c}" for c in dict.fromkeys(f.loc[f["table"] == "needs", "column"])]
    if vary:
        def parts(a: str) -> set[str]:  # an indicator's id (region/indicator), and its halves
            return {*a.removeprefix(ALT).split(":"), *a.removeprefix(ALT).replace(
                "/", ":").split(":")}

        found = [a for a in found if any(v in parts(a) for v in vary)]
    return found


def at_alternative(inst: Instance, assumption: str) -> Instance:
    """``inst`` with one ASSUMED figure (or one need column) at its stated alternative."""
    from allocator.inputs.instance import figure_note
    from allocator.inputs.validate import _policy_value

    parts = assumption.removeprefix(ALT).split(":")
    if parts[0] == "policy":
        key = parts[1]
        notes = inst.policy_notes
        assert notes is not None
        text = str(notes.loc[notes["key"] == key, "alternative"].iloc[0]).strip()
        if text.lower() in OFF_WORDS:  # the rule off: its parameter at its "off" value
            return dataclasses.replace(inst, policy=inst.policy.model_copy(
                update={key: PARAM[key].off}))
        return inst.with_policy(**{key: _policy_value(key, text, None)})
    if parts[0] == "needs":
        column = parts[1]
        needs = inst.needs.copy()
        texts = figure_note(needs, column, "alternative")
        alt = np.array([np.nan if t is None else _alternative(
            "needs", f"{needs['region'].iat[i]}/{needs['goal'].iat[i]}", column, t)
            for i, t in enumerate(texts)], dtype=float)
        needs[column] = np.where(~np.isnan(alt), alt, needs[column])
        return dataclasses.replace(inst, needs=needs)
    table, key, column = parts
    frame = getattr(inst, table).copy()
    if table == "existing_streams":  # id stream/region/goal; the rows are not indexed by it
        ident = (frame["stream"].astype(str) + "/" + frame["region"].astype(str) + "/"
                 + frame["goal"].astype(str))
        at = frame.index[ident == key]
        text = figure_note(frame.loc[at], column, "alternative")[0]
        frame.loc[at, column] = _alternative(table, key, column, text)
    elif table == "indicators":  # id region/indicator; the rows are not indexed by it
        region, _, name = key.partition("/")
        at = frame.index[(frame["region"].astype(str) == region)
                         & (frame["indicator"].astype(str) == name)]
        text = figure_note(frame.loc[at], column, "alternative")[0]
        frame.loc[at, column] = _alternative(table, key, column, text)
    else:
        # the figure's own alternative, else its row's (the row's `alternative` column)
        text = figure_note(frame.loc[[key]], column, "alternative")[0]
        frame.loc[key, column] = _alternative(table, key, column, text)
    # a need built from the need model follows the figures it is built from
    return dataclasses.replace(inst, **{table: frame}).rederived()


def _alternative(table: str, key: str, column: str, text: object) -> float:
    """A stated alternative as a number, held to the rules its figure's values are held to
    (a weight of 0, a population of 0,5 or a share of 1,5 is refused, naming the figure)."""
    from allocator.errors import InputError, Problem
    from allocator.inputs.cells import parse_numbers
    from allocator.inputs.validate import check_figure

    parsed = parse_numbers(pd.Series([text], dtype=object), None)
    value = float(parsed.value[0])
    if parsed.bad[0] or parsed.ambiguous[0] or parsed.blank[0] or not np.isfinite(value):
        raise InputError([Problem(f"{table}", Message(
            "{id}: the alternative of {column} is no number, got '{value}'", id=key,
            column=column, value=str(text)[:40]))])
    why = check_figure(table, column, value)
    if why is not None:
        raise InputError([Problem(f"{table}", Message(
            "{id}: the alternative of {column} {reason}", id=key, column=column,
            reason=why))])
    return value


def moved(inst: Instance, assumption: str, factor: float) -> Instance:
    """``inst`` with one assumption multiplied by ``factor`` (or, for an ``alt:`` one, at
    its alternative)."""
    if assumption.startswith(ALT):
        return at_alternative(inst, assumption)
    kind, _, key = assumption.partition(":")
    if kind == "policy":
        value = float(getattr(inst.policy, key)) * factor
        upper = PARAM[key].le  # a share moved 10 % up stays a share
        return inst.with_policy(**{key: min(value, upper) if upper is not None else value})
    field = "regions" if kind == "region" else "goals"
    table = getattr(inst, field).copy()
    table.loc[key, "weight"] = float(table.loc[key, "weight"]) * factor
    return dataclasses.replace(inst, **{field: table})


def _plan(names: list[str], step: float) -> list[tuple[str, float]]:
    """The runs: each assumption down and up by ``step``; one at its alternative."""
    return [(name, factor) for name in names
            for factor in ((1.0,) if name.startswith(ALT) else (1.0 - step, 1.0 + step))]


def _is_weight(name: str) -> bool:
    return name.startswith(("region:", "goal:"))


def _one(inst: Instance, name: str, factor: float, tie_break: str) -> Result:
    return solve(moved(inst, name, factor), tie_break=tie_break, fairness_price=False,
                 marginal=False)


def _runs(inst: Instance, names: list[str], step: float, tie_break: str, *,
          workers: int | None = None, scheduler: str | None = None,
          base: Result | None = None) -> list[tuple[str, float, Result]]:
    """Every run, in plan order: here, or on Dask (``workers`` local processes or the
    cluster at ``scheduler``), as ``grid`` runs its points. A weight is a change of costs:
    where the pipeline answers as the engine does (see Pipeline.takes, given the engine's
    answer ``base``), one built model answers every such run warm."""
    plan = _plan(names, step)
    if not workers and not scheduler:
        warm = (Pipeline(inst, tie_break) if Pipeline.takes(inst, base)
                and any(_is_weight(name) for name, _ in plan) else None)
        if warm is None:
            return [(name, factor, _one(inst, name, factor, tie_break))
                    for name, factor in plan]
        return _warm_runs(warm, inst, plan, tie_break)
    from allocator.studies.grid import _client

    with _client(None, workers, scheduler) as (client, _):
        shared = client.scatter(inst, broadcast=True, hash=False)
        futures = [client.submit(_one, shared, name, factor, tie_break, pure=False)
                   for name, factor in plan]
        return [(name, factor, f.result())
                for (name, factor), f in zip(plan, futures, strict=True)]


def _warm_runs(warm: Pipeline, inst: Instance, plan: list[tuple[str, float]],
               tie_break: str) -> list[tuple[str, float, Result]]:
    """The plan's runs on the pipeline ``warm`` (a weight: warm; anything else: a full
    solve), in plan order. From :data:`THREADED_CELLS` cells the plan is cut into one run
    of consecutive questions per core, each answered on a thread by a twin of the pipeline
    (HiGHS solves without the GIL); a warm answer is the one point the stages define,
    whichever basis it starts from (:meth:`Pipeline.takes`), so the split changes no
    answer."""

    def answer(pipeline: Pipeline, part: list[tuple[str, float]]) -> list[Result]:
        return [pipeline.result(moved(inst, name, factor)) if _is_weight(name)
                else _one(inst, name, factor, tie_break) for name, factor in part]

    parts = (min(highs.cores(), len(plan)) if len(inst.needs) >= THREADED_CELLS else 1)
    if parts <= 1:
        return [(name, factor, r) for (name, factor), r in zip(plan, answer(warm, plan),
                                                                strict=True)]
    cuts = np.linspace(0, len(plan), parts + 1).round().astype(int)
    with highs.Background(parts) as background:
        jobs = [background.start(answer, warm if k == 0 else warm.twin(),
                                 plan[cuts[k]:cuts[k + 1]]) for k in range(parts)]
        answers = [r for job in jobs for r in job.result()]
    return [(name, factor, r) for (name, factor), r in zip(plan, answers, strict=True)]


def weight_sensitivity(result: Result, step: float = STEP, *,
                       tie_break: str = "lexicographic") -> WeightSensitivity | None:
    """The figure for ``result`` (None when it has no optimum or more than
    :data:`MAX_WEIGHTS` weights)."""
    inst: Instance = result.instance
    if not result.optimal or len(inst.regions) + len(inst.goals) > MAX_WEIGHTS:
        return None
    base = _by_region(result)
    budget = inst.policy.budget_eur
    best = (0.0, "", 1.0, str(base.index[0]))
    runs = _runs(inst, assumptions(inst, ("weights",)), step, tie_break, base=result)
    for name, factor, r in runs:
        if not r.optimal:
            continue
        change = (_by_region(r) - base).abs()
        region = str(change.idxmax())
        if float(change[region]) > max(best[0], 0.5):  # half a euro: rounding
            best = (float(change[region]), name, factor, region)
    largest, weight, direction, region = best
    return WeightSensitivity(step, largest / budget if budget else 0.0, largest, weight,
                             direction, region, len(runs),
                             sum(not r.optimal for _, _, r in runs))


@dataclass
class Sensitivity:
    """Every assumption moved down and up by ``step`` alone, each a full, certified solve:
    per region the range its allocation and coverage take, and the assumption that moves
    its allocation most."""

    base: Result
    step: float
    runs: list[tuple[str, float, Result]]
    seconds: float = 0.0
    # the cabinet's choices, each at its stated alternative (never in the tornado)
    decisions: list[tuple[str, float, Result]] = dataclasses.field(default_factory=list)

    @property
    def instance(self) -> Instance:
        return self.base.instance

    def table(self) -> pd.DataFrame:
        """One row per (assumption, factor): status, then each region's allocation."""
        rows = []
        for name, factor, r in self.runs:
            rows.append({"assumption": name, "factor": factor, "status": r.status.value,
                         **(_by_region(r).to_dict() if r.optimal else {})})
        return pd.DataFrame(rows)

    def decision_table(self) -> pd.DataFrame:
        """One row per decision taken at its alternative: the policy key, its value now and
        its alternative as the policy sheet writes them, the status, the weighted unmet need
        and the money allocated (from each run's figures table, rounded once), and the
        region whose allocation moves most, by how much."""
        notes = self.instance.policy_notes
        written = ({} if notes is None or not self.decisions else
                   {str(k).strip().lower(): (str(v), str(a)) for k, v, a in zip(
                       notes["key"], notes["value"], notes["alternative"], strict=True)})
        def shown(r: Result) -> pd.Series:  # the figures table's amounts, rounded once
            assert r.figures is not None
            return r.figures.regions["amount_eur"].astype(float)

        base = shown(self.base) if self.base.optimal else None
        rows = []
        for name, _, r in self.decisions:
            key = name.rpartition(":")[2]
            value, alternative = written.get(key, ("", ""))
            row: dict[str, Any] = {"decision": key, "value": value,
                                   "alternative": alternative, "status": r.status.value,
                                   "weighted_unmet_eur": None, "allocated_eur": None,
                                   "region": None, "moved_eur": 0.0}
            if r.optimal and base is not None and r.figures is not None:
                change = shown(r) - base
                region = str(change.abs().idxmax())
                moves = abs(float(change[region])) > 1.0  # a euro: the rounding
                row.update(weighted_unmet_eur=int(r.figures.total["weighted_unmet_eur"]),
                           allocated_eur=int(r.figures.total["amount_eur"]),
                           region=region if moves else None,
                           moved_eur=float(change[region]) if moves else 0.0)
            rows.append(row)
        return pd.DataFrame(rows, columns=["decision", "value", "alternative", "status",
                                           "weighted_unmet_eur", "allocated_eur", "region",
                                           "moved_eur"])

    def regions(self) -> pd.DataFrame:
        """Per region: the base allocation and coverage, their lowest and highest over the
        runs with an optimum, and the assumption (with its factor) that moves the
        allocation most."""
        base = _by_region(self.base)
        cov0 = self.base.coverage["coverage"].reindex(base.index)
        amounts = {(n, f): _by_region(r) for n, f, r in self.runs if r.optimal}
        covers = {(n, f): r.coverage["coverage"].reindex(base.index)
                  for n, f, r in self.runs if r.optimal}
        a = pd.DataFrame(amounts) if amounts else pd.DataFrame(index=base.index)
        c = pd.DataFrame(covers) if covers else pd.DataFrame(index=base.index)
        # the range a region takes: its base and every run with an optimum
        with_base = pd.concat([a, base.rename("base")], axis=1)
        cover_base = pd.concat([c, cov0.rename("base")], axis=1)
        out = pd.DataFrame({"base_eur": base, "low_eur": with_base.min(axis=1),
                            "high_eur": with_base.max(axis=1), "coverage": cov0,
                            "coverage_low": cover_base.min(axis=1),
                            "coverage_high": cover_base.max(axis=1)}, index=base.index)
        delta = a.sub(base, axis=0).abs()
        most = delta.idxmax(axis=1) if len(delta.columns) else pd.Series(None, index=base.index)
        largest = delta.max(axis=1) if len(delta.columns) else pd.Series(0.0, index=base.index)
        moves = largest > 1.0  # a euro: the rounding and the solver's tolerance
        out["moved_most_by"] = [m[0] if isinstance(m, tuple) and ok else None
                                for m, ok in zip(most, moves, strict=True)]
        out["factor"] = [m[1] if isinstance(m, tuple) and ok else None
                         for m, ok in zip(most, moves, strict=True)]
        out["moved_most_eur"] = largest
        return out


def sensitivity(inst: Instance, *, vary: tuple[str, ...] | None = None, step: float = STEP,
                tie_break: str = "lexicographic", alternative: bool = False,
                workers: int | None = None, scheduler: str | None = None) -> Sensitivity:
    """Move each assumption of ``inst`` (see :func:`assumptions`) by ``step`` down and up,
    or, with ``alternative``, take each ASSUMED figure at its stated alternative (see
    :func:`alternatives`); on Dask with ``workers`` or ``scheduler``."""
    import time

    clock = time.perf_counter()
    base = solve(inst, tie_break=tie_break, fairness_price=False, marginal=False)
    names = alternatives(inst, vary) if alternative else assumptions(inst, vary)
    chosen = decisions(inst, vary)
    if not names and not chosen:  # nothing to move: said plainly, not a table of nothing
        from allocator.errors import UsageError

        if alternative:
            raise UsageError(Message(
                "nothing to vary: no ASSUMED figure states a usable alternative among --vary")
                if vary else Message(
                    "nothing to vary: no ASSUMED figure states a usable alternative"))
        raise UsageError(Message("nothing to vary: no assumption matches --vary") if vary
                         else Message("nothing to vary: no assumption"))
    # every alternative held to its figure's rules before any solve
    for name in [*(names if alternative else []), *chosen]:
        at_alternative(inst, name)
    runs = _runs(inst, names, step, tie_break, workers=workers,
                 scheduler=scheduler, base=base) if base.optimal and names else []
    taken = _runs(inst, chosen, step, tie_break, workers=workers,
                  scheduler=scheduler) if base.optimal and chosen else []
    return Sensitivity(base, step, runs, time.perf_counter() - clock, taken)


__all__ = ["ALT", "DECISIONS", "MAX_WEIGHTS", "STEP", "Sensitivity", "WeightSensitivity",
           "alternatives", "assumptions", "at_alternative", "decisions", "moved", "sensitivity",
           "weight_sensitivity"]
