"""The validated instance: what the rest of the pipeline may rely on without checking again."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from allocator.errors import InputError, Problem
from allocator.limits import MAX_WEIGHT
from allocator.messages import Message
from models.need import NeedModel
from models.rules import PARAMS
from models.rules.params import Param

#: Every policy key, from the rules' declarations (models.rules.params), in their order.
POLICY_KEYS = tuple(p.key for p in PARAMS)

#: Earlier names of policy keys, still read everywhere a key is (policy sheets, scenario
#: columns, presets, Python keywords): since result schema 2.0 a rule's key is its name.
RENAMED_KEYS = {old: p.key for p in PARAMS for old in p.earlier}


def policy_key(key: str) -> str:
    """A policy key by its current name."""
    return RENAMED_KEYS.get(key, key)


Tiers = tuple[tuple[float, float], ...]

#: The figures of each table: the columns whose every value may carry its own status, source
#: and alternative (``population_status``, ``population_source``, ``population_alternative``);
#: a row's ``status``, ``source`` and ``alternative`` hold for its figures without their own.
FIGURES = {
    "regions": ("population", "weight", "min_eur", "max_eur", "cofinancing_eur",
                "reference_eur"),
    "goals": ("weight", "min_share", "max_share", "need_eur"),
    "needs": ("need_eur", "existing_eur", "cap_eur"),
    "indicators": ("value",),
    "existing_streams": ("amount_eur",),
}
#: What a figure may say about itself.
NOTES = ("status", "source", "alternative")
#: The statuses of a figure (docs/format.md#status-and-source).
STATUSES = ("SRC", "PROXY", "DERIVED", "ASSUMED")

_BOUNDS = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<",
           "less_than_equal": "<="}
_BOUND_KEYS = {"greater_than": "gt", "greater_than_equal": "ge", "less_than": "lt",
               "less_than_equal": "le"}


def reason(err: Mapping[str, Any]) -> Message | str:
    """What pydantic found wrong with a policy value, as a :class:`Message`: a bound, a type,
    a choice, or the message of the project's own validators. pydantic's English text is the
    fallback for an error of another kind."""
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    if kind in _BOUNDS:
        limit = ctx.get(_BOUND_KEYS[kind])
        if isinstance(limit, float) and limit.is_integer():
            limit = int(limit)
        return Message("must be {op} {limit}", op=_BOUNDS[kind], limit=limit)
    if kind.startswith(("float_", "int_", "finite_")):
        return Message("must be a number")
    if kind.startswith("bool_"):
        return Message("must be true or false")
    if kind == "literal_error":
        choices = re.findall(r"'[^']*'", str(ctx.get("expected", "")))
        return Message("must be one of {choices}", choices=", ".join(choices))
    if kind in ("tuple_type", "list_type", "too_short", "too_long") or kind.startswith("tuple"):
        return Message("must be tiers, as 'unmet fraction: multiplier; ...', or 'none'")
    error = ctx.get("error")
    if isinstance(error, Exception) and error.args and isinstance(error.args[0], Message):
        return error.args[0]
    text = str(err.get("msg", "")).removeprefix("Value error, ")
    return text[:1].lower() + text[1:]


def format_tiers(tiers: Tiers) -> str:
    """Tiers the way an instance writes them: ``25%: 1.5; 50%: 2``."""
    return "; ".join(f"{t:.0%}: {k:g}" if round(t * 100, 9).is_integer() else f"{t:g}: {k:g}"
                     for t, k in tiers)


class _PolicyRules(BaseModel):
    """The instance-wide rules. Unknown keys are refused: a typo must not drop a rule.

    The fields are the rules' parameters as declared (models.rules.params): :data:`Policy`
    is this class with one field per declaration."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    if TYPE_CHECKING:  # the fields come from the declarations; a type checker sees Any
        def __getattr__(self, name: str) -> Any: ...

    @model_validator(mode="before")
    @classmethod
    def _current_names(cls, data: object) -> object:
        """Keys under their earlier names (:data:`RENAMED_KEYS`) are read as the new ones."""
        if isinstance(data, dict) and any(k in RENAMED_KEYS for k in data):
            return {policy_key(k): v for k, v in data.items()}
        return data

    @field_validator("*", mode="before")
    @classmethod
    def _no_boolean_numbers(cls, value: object, info: ValidationInfo) -> object:
        """Excel's TRUE or a TOML ``true`` where a number belongs is a mistake, not 1."""
        if isinstance(value, bool) and info.field_name != "spend_all":
            raise ValueError(Message("must be a number, not true or false"))
        if info.field_name == "shortfall_tiers" and isinstance(value, tuple | list) and any(
                isinstance(v, bool) for pair in value if isinstance(pair, tuple | list)
                for v in pair):
            raise ValueError(Message("must be numbers, not true or false"))
        return value

    @field_validator("shortfall_tiers", check_fields=False)
    @classmethod
    def _convex(cls, tiers: Tiers | None) -> Tiers | None:
        """Tiers must make the penalty convex, or the LP would fill shallow shortfalls first."""
        if tiers is None:
            return None
        if not tiers:
            raise ValueError(Message("give at least one tier, as 'unmet fraction: multiplier'"))
        thresholds = [t for t, _ in tiers]
        multipliers = [k for _, k in tiers]
        if any(not 0 < t < 1 for t in thresholds):
            raise ValueError(Message("each unmet fraction must lie strictly between 0% and 100%"))
        if any(b <= a for a, b in zip(thresholds, thresholds[1:], strict=False)):
            raise ValueError(Message("the unmet fractions must increase from tier to tier"))
        if any(k > MAX_WEIGHT for k in multipliers):
            raise ValueError(Message("a multiplier must be at most {limit:g}", limit=MAX_WEIGHT))
        if any(k < 1 for k in multipliers) or any(
                b < a for a, b in zip(multipliers, multipliers[1:], strict=False)):
            raise ValueError(Message("the multipliers must be at least 1 and must not "
                                     "decrease (deeper shortfalls weigh more), or the penalty "
                                     "is not convex"))
        return tiers

    def rules_in_force(self) -> dict[str, float | bool | str]:
        """The optional rules that constrain the allocation, for reports and messages: every
        parameter but the budget that is not at its "off" value, in the declarations'
        order."""
        rules: dict[str, float | bool | str] = {}
        for p in PARAMS:
            value = getattr(self, p.key)
            if p.required or value is None or value == p.off or (
                    p.kind == "bool" and not value):
                continue
            rules[p.key] = format_tiers(value) if p.kind == "tiers" else value
        return rules


def _field(p: Param) -> tuple[Any, Any]:
    """The pydantic field of one declared parameter."""
    kinds: dict[str, Any] = {"money": float, "fraction": float, "ratio": float, "bool": bool,
                             "tiers": Tiers}
    kind = Literal[p.choices] if p.kind == "choice" else kinds[p.kind]
    if not p.required and p.default is None:
        kind = kind | None
    bounds = {k: getattr(p, k) for k in ("ge", "gt", "le") if getattr(p, k) is not None}
    return kind, Field(... if p.required else p.default, description=p.help["en"], **bounds)


if TYPE_CHECKING:
    class Policy(_PolicyRules):
        """The policy model (a type checker sees its declared fields as Any)."""
else:
    #: The policy model: one field per declared parameter (models.rules.params).
    Policy = create_model("Policy", __base__=_PolicyRules, __module__=__name__,
                          **{p.key: _field(p) for p in PARAMS})


def figure_note(frame: pd.DataFrame, column: str, note: str) -> np.ndarray:
    """A figure's own ``note`` (its column's ``<column>_<note>``), else its row's; None
    where neither gives one."""
    out = np.full(len(frame), None, dtype=object)
    for name in (note, f"{column}_{note}"):  # the row's first, the figure's own over it
        if name in frame:
            text = frame[name].astype(object)
            given = text.notna().to_numpy() & (text.astype(str).str.strip() != "").to_numpy()
            out[given] = text.to_numpy()[given]
    return out


@dataclass(frozen=True)
class Instance:
    """A validated instance. Tables are sorted by id so that row order never matters.

    ``regions`` is indexed by region id (columns name, population, weight); ``goals`` by goal
    id (name, weight, min_share, max_share; NaN where a share is absent); ``needs`` has one row
    per cell (region, goal, need_eur, existing_eur, cap_eur; NaN cap = none).
    """

    name: str
    source: str
    regions: pd.DataFrame
    goals: pd.DataFrame
    needs: pd.DataFrame
    policy: Policy
    sources: pd.DataFrame | None = None  # the legend of the status markers, if given
    policy_notes: pd.DataFrame | None = None  # policy rows as read: key, value, status, source
    goal_order: tuple[str, ...] = ()  # the goal ids in the order the instance lists them
    # the need model, where the need is built from verdeelmaatstaven (models.need):
    # indicators (region, indicator, value, unit, of, notes) and the model (goal,
    # indicator, weight, notes); the goals' need_eur is each goal's national need
    indicators: pd.DataFrame | None = None
    need_model: pd.DataFrame | None = None
    # the existing money by stream, where it is given so (stream, region, goal with "" for
    # the region's goals in proportion to need, amount_eur, notes): the needs'
    # existing_eur is then their sum per cell (existing_from_streams)
    existing_streams: pd.DataFrame | None = None

    def streams_of(self, region: str) -> list[tuple[str, float]]:
        """The existing streams that pay into ``region``, by name, with their euros a year,
        largest first (empty where the existing money is typed in per cell)."""
        s = self.existing_streams
        if s is None or not len(s):
            return []
        mine = s[s["region"].astype(str) == region]
        total = mine.groupby(mine["stream"].astype(str), sort=False)["amount_eur"].sum()
        total = total[total > 0.5].sort_values(ascending=False, kind="stable")
        return [(str(k), float(v)) for k, v in total.items()]

    @property
    def goals_in_order(self) -> pd.Index:
        """The goal ids in the instance's own order (the order every table shows them);
        the sorted ids where the instance gave none."""
        ids = self.goals.index.astype(str)
        if self.goal_order and set(self.goal_order) == set(ids):
            return pd.Index(list(self.goal_order), name=self.goals.index.name)
        return ids

    @property
    def total_need_eur(self) -> float:
        return float(self.needs["need_eur"].sum())

    def with_policy(self, **changes: object) -> Instance:
        """A copy with some policy values changed (None keeps a value) and validated again;
        a value that does not validate is an :class:`InputError` naming it."""
        data = self.policy.model_dump()
        given = {k: v for k, v in changes.items() if v is not None}
        data.update(given)
        try:
            policy = Policy.model_validate(data)
        except ValidationError as exc:
            raise InputError([Problem(
                self.source or self.name,
                Message("{key}: {reason}, got {value} (given on the command line)",
                        key=str(err["loc"][0]), reason=reason(err),
                        value=str(given.get(str(err["loc"][0])))))
                for err in exc.errors()]) from None
        return dataclasses.replace(self, policy=policy).checked()

    def figures(self) -> pd.DataFrame:
        """Every figure of the instance with what it says about itself: one row per value
        of the figure columns (:data:`FIGURES`) and per policy row, with ``table``, ``id``
        (``region/goal`` for a need), ``column``, ``value``, ``status``, ``source`` and
        ``alternative`` (each the figure's own, else its row's; None where neither says)."""
        parts = []
        tables = [("regions", self.regions.reset_index(), ["region"]),
                  ("goals", self.goals.reset_index(), ["goal"]),
                  ("needs", self.needs, ["region", "goal"])]
        if self.indicators is not None:
            tables.append(("indicators", self.indicators, ["region", "indicator"]))
        if self.existing_streams is not None:
            tables.append(("existing_streams", self.existing_streams,
                           ["stream", "region", "goal"]))
        for table, frame, key in tables:
            if not len(frame):
                continue
            ident = frame[key[0]].astype(str)
            for k in key[1:]:
                ident = ident + "/" + frame[k].astype(str)
            for column in FIGURES[table]:
                if column not in frame:
                    continue
                values = frame[column]
                given = values.notna().to_numpy()
                part = {"table": table, "id": ident.to_numpy()[given], "column": column,
                        "value": values.to_numpy()[given]}
                for note in NOTES:
                    part[note] = figure_note(frame, column, note)[given]
                parts.append(pd.DataFrame(part))
        if self.policy_notes is not None and len(self.policy_notes):
            p = self.policy_notes
            given = (p["value"].astype(str).str.strip() != "").to_numpy()
            part = {"table": "policy", "id": p["key"].astype(str).to_numpy()[given],
                    "column": "value", "value": p["value"].to_numpy()[given]}
            for note in NOTES:
                part[note] = figure_note(p, "value", note)[given]
            # in the declarations' order of the keys, not the sheet's: the same instance
            # with its rows in another order gives the same figures
            frame = pd.DataFrame(part)
            rank = {k: i for i, k in enumerate(POLICY_KEYS)}
            order = sorted(range(len(frame)), key=lambda i: (rank.get(
                policy_key(str(frame["id"].iat[i])), len(rank)), str(frame["id"].iat[i])))
            parts.append(frame.iloc[order].reset_index(drop=True))
        columns = ["table", "id", "column", "value", *NOTES]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)

    def unsourced(self) -> list[Message]:
        """Every figure without a status or a source, as "table 'id' column: no status" (a
        figure whose origin a reader cannot see)."""
        out = []
        figures = self.figures()
        for note in ("status", "source"):
            blank = figures[note].isna().to_numpy()
            for row in figures.loc[blank].itertuples(index=False):
                out.append(Message("{table} '{id}' {column}: no status", table=row.table,
                                   id=row.id, column=row.column) if note == "status" else
                           Message("{table} '{id}' {column}: no source", table=row.table,
                                   id=row.id, column=row.column))
        return out

    def unexplained(self) -> list[Message]:
        """Every figure marked ASSUMED without an alternative value, and every status
        outside the four (:data:`STATUSES`)."""
        figures = self.figures()
        status = figures["status"].astype(str).str.strip().str.upper()
        out = [Message("{table} '{id}' {column}: ASSUMED without an alternative",
                       table=row.table, id=row.id, column=row.column)
               for row in figures.loc[(status == "ASSUMED").to_numpy()
                                      & figures["alternative"].isna().to_numpy()
                                      ].itertuples(index=False)]
        odd = figures["status"].notna().to_numpy() & ~status.isin(STATUSES).to_numpy()
        out += [Message("{table} '{id}' {column}: status '{status}' is none of SRC, PROXY, "
                        "DERIVED, ASSUMED", table=row.table, id=row.id, column=row.column,
                        status=row.status)
                for row in figures.loc[odd].itertuples(index=False)]
        return out

    def refuse_unsupported(self, command: str) -> None:
        """Raise :class:`InputError` naming every rule in force that ``command`` cannot hold
        (the support table of :mod:`models.rules`, one refusal for every command)."""
        from models.rules import refusals

        found = refusals(command, self.policy, {"regions": self.regions, "goals": self.goals})
        if found:
            raise InputError([Problem(self.source or self.name, why) for why in found])

    def derivation(self) -> pd.DataFrame:
        """Which indicator contributed how many euros to which cell's need, and the region's
        share of that indicator: one row per region, goal and indicator with a contribution
        (empty without a need model). Computed once here; the report reads it."""
        columns = ["region", "goal", "indicator", "share", "need_eur"]
        if self.indicators is None or self.need_model is None:
            return pd.DataFrame(columns=columns)
        arrays, names = need_arrays(self.regions, self.goals, self.indicators,
                                    self.need_model)
        part = arrays.contributions()  # regions x goals x indicators
        r, g, i = (a.ravel() for a in np.meshgrid(
            np.arange(part.shape[0]), np.arange(part.shape[1]), np.arange(part.shape[2]),
            indexing="ij"))
        frame = pd.DataFrame({"region": self.regions.index.astype(str).to_numpy()[r],
                              "goal": self.goals.index.astype(str).to_numpy()[g],
                              "indicator": np.asarray(names, dtype=object)[i],
                              "share": arrays.shares()[r, i],
                              "need_eur": part.ravel()}, columns=columns)
        return frame[frame["need_eur"] > 0].reset_index(drop=True)

    def rederived(self) -> Instance:
        """A copy whose need is built again from the need model (after a population, an
        indicator, a goal's national need or a weight changed), and whose existing money is
        the sum of its streams again (after a stream's amount, or the need it is split by,
        changed); itself without either."""
        needs = self.needs
        if self.indicators is not None and self.need_model is not None:
            need = need_from_model(self.regions, self.goals, self.indicators, self.need_model)
            needs = needs.copy()
            row = pd.Index(self.regions.index.astype(str)).get_indexer(
                needs["region"].astype(str))
            col = pd.Index(self.goals.index.astype(str)).get_indexer(needs["goal"].astype(str))
            needs["need_eur"] = need[row, col]
        if self.existing_streams is not None:
            needs = needs.copy()
            needs["existing_eur"] = existing_from_streams(needs, self.existing_streams)
        return self if needs is self.needs else dataclasses.replace(self, needs=needs)

    def checked(self) -> Instance:
        """Self, once the rules in force have the region columns they need."""
        if self.policy.change_cap is not None and (
                "reference_eur" not in self.regions or self.regions["reference_eur"].isna().any()):
            raise InputError([Problem(self.source or self.name, Message(
                "change_cap needs a reference_eur for every region (regions sheet)"))])
        return self


def need_arrays(regions: pd.DataFrame, goals: pd.DataFrame, indicators: pd.DataFrame,
                model: pd.DataFrame) -> tuple[NeedModel, list[str]]:
    """The need model's arrays (models.need) and the indicator names, regions and goals in
    the order of the tables given (indexed by id). ``inhabitants`` is the regions'
    population."""
    names = sorted(set(model["indicator"]) | set(indicators["indicator"])
                   | set(indicators["of"].replace("", np.nan).dropna()) | {"inhabitants"})
    position = {n: k for k, n in enumerate(names)}
    region_index = pd.Index(regions.index.astype(str))
    values = np.zeros((len(regions), len(names)))
    values[:, position["inhabitants"]] = regions["population"].to_numpy(float)
    if len(indicators):
        rows = region_index.get_indexer(indicators["region"].astype(str))
        cols = np.array([position[n] for n in indicators["indicator"]])
        values[rows, cols] = indicators["value"].to_numpy(float)
    of = np.full(len(names), -1)
    for name, target in zip(indicators["indicator"], indicators["of"], strict=True):
        if target:
            of[position[name]] = position[target]
    goal_index = pd.Index(goals.index.astype(str))
    weights = np.zeros((len(goals), len(names)))
    gr = goal_index.get_indexer(model["goal"].astype(str))
    ic = np.array([position[n] for n in model["indicator"]])
    weights[gr, ic] = model["weight"].to_numpy(float)
    national = goals["need_eur"].to_numpy(float) if "need_eur" in goals else np.zeros(
        len(goals))
    return NeedModel(values, of, weights, np.nan_to_num(national)), names


def existing_from_streams(needs: pd.DataFrame, streams: pd.DataFrame) -> np.ndarray:
    """existing_eur per need row: each stream's amount on its (region, goal) cell, or, with
    no goal, over the region's cells in proportion to their need (largest remainder, whole
    euros; evenly where the region has no need). Every (region, goal) a stream names has a
    row (checked on reading)."""
    from allocator.solving.rounding import largest_remainder

    out = np.zeros(len(needs))
    region = needs["region"].astype(str).to_numpy()
    goal = needs["goal"].astype(str).to_numpy()
    need = needs["need_eur"].to_numpy(float)
    for r, g, amount in zip(streams["region"].astype(str), streams["goal"].astype(str),
                            streams["amount_eur"].to_numpy(float), strict=True):
        if g:
            out[(region == r) & (goal == g)] += amount
            continue
        cells = np.flatnonzero(region == r)
        weights = need[cells] if need[cells].sum() > 0 else np.ones(len(cells))
        out[cells] += largest_remainder(amount * weights / weights.sum(), round(amount))
    return out


def need_from_model(regions: pd.DataFrame, goals: pd.DataFrame, indicators: pd.DataFrame,
                    model: pd.DataFrame) -> np.ndarray:
    """need_rg (regions x goals, in the tables' order) from the need model, in whole euros
    as a typed-in need is: each goal's national need shared out by largest remainder, so
    the cells of a goal add up to it exactly and a full cell is never a fraction of a euro
    above what can be paid."""
    from allocator.solving.rounding import largest_remainder

    exact = need_arrays(regions, goals, indicators, model)[0].need()
    if not exact.size:
        return exact
    return np.column_stack([largest_remainder(exact[:, g]).astype(float)
                            for g in range(exact.shape[1])])
