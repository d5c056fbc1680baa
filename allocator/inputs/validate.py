"""Validation: raw tables in, a validated :class:`Instance` out, or every problem at once.

Checks are vectorised over whole columns (an instance may hold a million cells); pydantic
validates the small policy table. Each problem names file, sheet, row and column.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from pydantic import ValidationError

from allocator.errors import MAX_LISTED_PER_COLUMN, InputError, Problem
from allocator.inputs.cells import (
    MAX_ID_LENGTH,
    clean_ids,
    codes_in,
    id_problems,
    number_texts,
    parse_numbers,
    sorted_ids,
    table_decimal,
)
from allocator.inputs.instance import (
    FIGURES,
    NOTES,
    POLICY_KEYS,
    RENAMED_KEYS,
    Instance,
    Policy,
    policy_key,
    reason,
)
from allocator.inputs.read import ROW, RawTable, read_instance
from allocator.limits import (
    MAX_EUR,
    MAX_FACTOR,
    MAX_POPULATION,
    MAX_SCENARIOS,
    MAX_TOTAL_EUR,
    MAX_WEIGHT,
)
from allocator.messages import Message
from allocator.text import CELL_UNSAFE, describe
from models.rules import PARAM, PARAMS
from models.rules.params import OFF_WORDS

#: The numeric columns of each table: together they settle the table's decimal separator.
NUMERIC = {
    "regions": ("population", "weight", "min_eur", "max_eur", "cofinancing_eur",
                "reference_eur"),
    "goals": ("weight", "min_share", "max_share", "need_eur"),
    "needs": ("need_eur", "existing_eur", "cap_eur"),
    "policy": ("value",),
    "sources": (),
    "need_scenarios": ("probability", "factor", "need_eur"),
    "years": ("budget_eur", "need_factor"),
    "funders": ("max_package_share", "carry_over_eur", "borrow_eur"),
    "envelopes": ("budget_eur",),
    "streams": ("amount_eur",),
    "indicators": ("value",),
    "need_model": ("weight",),
    "existing_streams": ("amount_eur",),
    # every numeric parameter a rule declares can be a scenario column
    "scenarios": tuple(p.key for p in PARAMS if p.numeric),
}
#: How each figure column is read and bounded: its values and its stated alternatives
#: (``population_alternative``) alike, so that no alternative takes a value the figure could
#: never take.
FIGURE_RULES: dict[tuple[str, str], dict[str, Any]] = {
    ("regions", "population"): {"minimum": 0, "strict_minimum": True, "integer": True,
                                "maximum": MAX_POPULATION},
    ("regions", "weight"): {"minimum": 0, "strict_minimum": True, "maximum": MAX_WEIGHT},
    ("goals", "weight"): {"minimum": 0, "strict_minimum": True, "maximum": MAX_WEIGHT},
    ("goals", "min_share"): {"minimum": 0, "maximum": 1, "fraction": True},
    ("goals", "max_share"): {"minimum": 0, "maximum": 1, "fraction": True},
    ("goals", "need_eur"): {"minimum": 0, "maximum": MAX_EUR},
    ("indicators", "value"): {"minimum": 0, "maximum": MAX_EUR},
    ("existing_streams", "amount_eur"): {"minimum": 0, "maximum": MAX_EUR},
    **{(table, column): {"minimum": 0, "maximum": MAX_EUR}
       for table, columns in (("regions", ("min_eur", "max_eur", "cofinancing_eur",
                                           "reference_eur")),
                              ("needs", ("need_eur", "existing_eur", "cap_eur")))
       for column in columns},
}


def check_figure(table: str, column: str, value: float) -> Message | None:
    """Why ``value`` cannot be a figure of ``table.column`` (as :data:`FIGURE_RULES` reads
    it), or None."""
    rule = FIGURE_RULES.get((table, column), {})
    low, high = rule.get("minimum"), rule.get("maximum")
    shown = f"{value:g}"
    if low is not None and (value <= low if rule.get("strict_minimum") else value < low):
        return Message("must be {op} {limit}, got {value}",
                       op=">" if rule.get("strict_minimum") else ">=", limit=f"{low:g}",
                       value=shown)
    if high is not None and value > high:
        return Message("must be <= {limit}, got {value}", limit=f"{high:g}", value=shown)
    if rule.get("integer") and value != int(value):
        return Message("must be a whole number, got {value}", value=shown)
    return None


#: Policy keys whose value is a share (read as 20 % or 0.2), from the declarations.
FRACTION_KEYS = tuple(p.key for p in PARAMS if p.kind == "fraction")
TRUE_WORDS = {"true", "waar", "ja", "yes", "1", "wel"}
FALSE_WORDS = {"false", "onwaar", "nee", "no", "0", "niet"}


def load(path: str | Path, **overrides: object) -> Instance:
    """Read and validate an instance; ``overrides`` replace policy values (CLI flags)."""
    path = Path(path)
    return validate(read_instance(path), name=path.stem, source=str(path), overrides=overrides)


def _limit(value: float) -> int | float:
    """A bound as a message shows it: a whole number without its ".0"."""
    return int(value) if float(value).is_integer() else float(value)


def _shown(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


class _Columns:
    """Parses the columns of one table, collecting problems instead of stopping at the first."""

    def __init__(self, table: RawTable, problems: list[Problem], kind: str) -> None:
        self.t = table
        self.f = table.frame
        self.problems = problems
        self.decimal = table.decimal
        self.unsafe = {c: self._control_characters(c) for c in self.f.columns if c != ROW}
        if self.decimal is None:
            numeric = (*NUMERIC[kind], *(f"{c}_alternative" for c in FIGURES.get(kind, ())))
            texts = [t for c in numeric if c in self.f for t in number_texts(self.f[c])]
            self.decimal = table_decimal(texts)

    def _control_characters(self, column: str) -> np.ndarray:
        """Cells holding a character no workbook can hold and a terminal may act on (BEL,
        ESC, vertical tab, C1 controls: common in text pasted from PDFs), each reported."""
        cells = self.f[column]
        if isinstance(cells.dtype, pd.StringDtype):
            import pyarrow as pa
            import pyarrow.compute as pc

            found = pc.match_substring_regex(pa.array(cells, type=pa.large_string()),
                                             CELL_UNSAFE.pattern)
            mask = np.asarray(pc.fill_null(found, False).to_numpy(zero_copy_only=False), bool)
        else:
            mask = np.array([isinstance(v, str) and CELL_UNSAFE.search(v) is not None
                             for v in cells], dtype=bool)
        for i in np.flatnonzero(mask)[:MAX_LISTED_PER_COLUMN]:
            ch = CELL_UNSAFE.search(str(cells.iat[i]))
            assert ch is not None
            self.problems.append(self.t.problem(Message(
                "holds the control character {character}, which a workbook cannot hold and a "
                "terminal may act on; delete it (text pasted from a PDF often carries one)",
                character=describe(ch.group())), int(self.f[ROW].iat[i]), column))
        if mask.sum() > MAX_LISTED_PER_COLUMN:
            self.problems.append(self.t.problem(Message(
                "{count} more rows with the same problem",
                count=int(mask.sum()) - MAX_LISTED_PER_COLUMN), None, column))
        return mask

    def _report(self, mask: pd.Series, column: str, message: Message) -> None:
        """Add ``message`` (which may use {value}, the cell as written) for each row where
        ``mask`` holds."""
        bad = np.flatnonzero(mask.to_numpy())
        for i in bad[:MAX_LISTED_PER_COLUMN]:
            value = _shown(self.f[column].iat[i]) if column in self.f else ""
            self.problems.append(self.t.problem(
                message.filled(value=value),
                int(self.f[ROW].iat[i]), column))
        if bad.size > MAX_LISTED_PER_COLUMN:
            self.problems.append(self.t.problem(Message(
                "{count} more rows with the same problem",
                count=int(bad.size - MAX_LISTED_PER_COLUMN)), None, column))

    def require(self, *columns: str, rows: bool = True) -> bool:
        """The columns are there (each missing one reported) and, with ``rows``, at least one
        row below the header."""
        missing = [c for c in columns if c not in self.f.columns]
        for c in missing:
            self.problems.append(self.t.problem(Message("missing column '{column}'", column=c)))
        if not missing and rows and self.f.empty:
            self.problems.append(self.t.problem(
                Message("a header but no rows: give at least one row")))
            return False
        return not missing

    def ids(self, column: str) -> pd.Series:
        """Stripped text ids; blanks, control characters and runaway lengths are reported."""
        text = clean_ids(self.f[column])
        self._report(text.eq(""), column, Message("missing value"))
        long, control = id_problems(text)
        self._report(pd.Series(long), column,
                     Message("id longer than {limit} characters: '{value}'",
                             limit=MAX_ID_LENGTH))
        reported = self.unsafe.get(column, np.zeros(len(control), dtype=bool))
        self._report(pd.Series(control & ~reported), column,
                     Message("id holds a control character (tab, line break or similar)"))
        return text

    def unique(self, ids: pd.Series, column: str) -> None:
        dup = ids.duplicated(keep="first") & ids.ne("")
        if not dup.any():
            return
        first_row = dict(zip(ids[~dup].to_numpy(), self.f[ROW][~dup].to_numpy(), strict=True))
        for i in np.flatnonzero(dup.to_numpy())[:MAX_LISTED_PER_COLUMN]:
            self.problems.append(self.t.problem(Message(
                "duplicate id '{id}', first on row {first}", id=_shown(ids.iat[i]),
                first=int(first_row[ids.iat[i]])), int(self.f[ROW].iat[i]), column))

    def number(
        self,
        column: str,
        *,
        default: float | None = None,
        required: bool = True,
        minimum: float | None = None,
        strict_minimum: bool = False,
        maximum: float | None = None,
        integer: bool = False,
        fraction: bool = False,
    ) -> pd.Series:
        """Parse a numeric column. Blank cells take ``default`` or are reported if required.

        ``fraction`` columns may be written as percentages (30% is 0.3).
        """
        if column not in self.f.columns:
            return pd.Series(np.full(len(self.f), np.nan if default is None else default))
        parsed = parse_numbers(self.f[column], self.decimal)
        blank = pd.Series(parsed.blank)
        values = pd.Series(parsed.value)
        self._report(pd.Series(parsed.bad), column,
                     Message("must be a number, got '{value}'"))
        self._report(pd.Series(parsed.ambiguous), column,
                     Message("'{value}' is ambiguous: a thousands separator or a decimal "
                             "separator? Write the number without thousands separators"))
        if not fraction:
            self._report(pd.Series(parsed.percent), column,
                         Message("must be a number, not a percentage, got '{value}'"))
        if default is not None:
            values = values.where(~blank, default)
        elif required:
            self._report(blank, column, Message("missing value"))
        ok = np.isfinite(values)
        if minimum is not None:
            low = ok & ((values <= minimum) if strict_minimum else (values < minimum))
            op = ">" if strict_minimum else ">="
            self._report(low, column, Message("must be {op} {limit}, got {value}", op=op,
                                              limit=_limit(minimum)))
        if maximum is not None:
            self._report(ok & (values > maximum), column,
                         Message("must be <= {limit}, got {value}", limit=_limit(maximum)))
        if integer:
            self._report(ok & (values != np.round(values)), column,
                         Message("must be a whole number, got {value}"))
        return values


def validate(
    tables: Mapping[str, RawTable],
    *,
    name: str = "instance",
    source: str = "",
    overrides: Mapping[str, object] | None = None,
) -> Instance:
    """Check every table; raise :class:`InputError` listing all problems found."""
    problems: list[Problem] = []

    rt = _Columns(tables["regions"], problems, "regions")
    regions = pd.DataFrame()
    if rt.require("region", "population"):
        ids = rt.ids("region")
        rt.unique(ids, "region")
        regions = pd.DataFrame({
            "region": ids,
            "name": clean_ids(rt.f["name"]) if "name" in rt.f else ids,
            "population": rt.number("population", **FIGURE_RULES["regions", "population"]),
            "weight": rt.number("weight", default=1.0, **FIGURE_RULES["regions", "weight"]),
            "min_eur": rt.number("min_eur", required=False, minimum=0, maximum=MAX_EUR),
            "max_eur": rt.number("max_eur", required=False, minimum=0, maximum=MAX_EUR),
            "cofinancing_eur": rt.number("cofinancing_eur", required=False, minimum=0,
                                         maximum=MAX_EUR),
            "reference_eur": rt.number("reference_eur", required=False, minimum=0,
                                       maximum=MAX_EUR),
            **_figure_notes(rt, "regions"),
        })
        crossed = regions["min_eur"] > regions["max_eur"]
        rt._report(crossed, "min_eur",
                   Message("must not exceed max_eur on the same row, got {value}"))
        regions["name"] = regions["name"].where(regions["name"].ne(""), regions["region"])

    gt = _Columns(tables["goals"], problems, "goals")
    goals = pd.DataFrame()
    if gt.require("goal"):
        ids = gt.ids("goal")
        gt.unique(ids, "goal")
        goals = pd.DataFrame({
            "goal": ids,
            "name": clean_ids(gt.f["name"]) if "name" in gt.f else ids,
            "weight": gt.number("weight", default=1.0, **FIGURE_RULES["goals", "weight"]),
            "min_share": gt.number("min_share", required=False, minimum=0, maximum=1,
                                   fraction=True),
            "max_share": gt.number("max_share", required=False, minimum=0, maximum=1,
                                   fraction=True),
            "need_eur": gt.number("need_eur", required=False,
                                  **FIGURE_RULES["goals", "need_eur"]),
            **_figure_notes(gt, "goals"),
        })
        goals["name"] = goals["name"].where(goals["name"].ne(""), goals["goal"])
        crossed = goals["min_share"] > goals["max_share"]
        gt._report(crossed, "min_share",
                   Message("must not exceed max_share on the same row, got {value}"))
        total = float(goals["min_share"].fillna(0).sum())
        if total > 1 + 1e-12:
            problems.append(gt.t.problem(Message("the min_share values sum to {total:g}; at "
                                                 "most 1 can be reserved", total=total),
                                         None, "min_share"))

    model = _need_model(tables, regions, goals, gt if not goals.empty else None, problems)
    nt = _Columns(tables["needs"], problems, "needs")
    needs = pd.DataFrame()
    sorted_regions = sorted_goals = None
    if model is not None and "need_eur" in nt.f:
        given = nt.f["need_eur"].map(lambda v: v is not None and str(v).strip() != "")
        nt._report(given, "need_eur", Message(
            "the need comes from the need model (need_model): leave need_eur empty, or "
            "leave the need model out, got {value}"))
    if nt.require("region", "goal", *(() if model is not None else ("need_eur",)),
                  rows=model is None):
        needs = pd.DataFrame({
            "region": nt.ids("region"),
            "goal": nt.ids("goal"),
            "need_eur": (nt.number("need_eur", minimum=0, maximum=MAX_EUR) if model is None
                         else pd.Series(np.zeros(len(nt.f)))),
            "existing_eur": nt.number("existing_eur", default=0.0, minimum=0, maximum=MAX_EUR),
            "cap_eur": nt.number("cap_eur", required=False, minimum=0, maximum=MAX_EUR),
            **_figure_notes(nt, "needs"),
        })
        region_ids = sorted_ids(regions["region"]) if not regions.empty else None
        goal_ids = sorted_ids(goals["goal"]) if not goals.empty else None
        sorted_regions, sorted_goals = region_ids, goal_ids
        region_code = goal_code = None
        if region_ids is not None:
            region_code = codes_in(needs["region"], region_ids)
            nt._report(pd.Series((region_code < 0) & needs["region"].ne("").to_numpy(bool)),
                       "region", Message("unknown region '{value}' (not in regions)"))
        if goal_ids is not None:
            goal_code = codes_in(needs["goal"], goal_ids)
            nt._report(pd.Series((goal_code < 0) & needs["goal"].ne("").to_numpy(bool)),
                       "goal", Message("unknown goal '{value}' (not in goals)"))
        if region_code is not None and goal_code is not None and goal_ids is not None:
            key = region_code * (len(goal_ids) + 1) + goal_code
            order = np.argsort(key, kind="stable")
            repeat = np.zeros(len(key), dtype=bool)
            repeat[order[1:]] = key[order[1:]] == key[order[:-1]]
            repeat &= (region_code >= 0) & (goal_code >= 0)
            first = {}
            if repeat.any():
                starts = order[np.r_[True, key[order[1:]] != key[order[:-1]]]]
                first = {int(key[i]): int(nt.f[ROW].iat[i]) for i in starts}
            for i in np.flatnonzero(repeat)[:MAX_LISTED_PER_COLUMN]:
                problems.append(nt.t.problem(Message(
                    "duplicate pair ({region}, {goal}), first on row {first}",
                    region=needs["region"].iat[i], goal=needs["goal"].iat[i],
                    first=first[int(key[i])]), int(nt.f[ROW].iat[i]), "goal"))
            if not problems:
                # Sorted by (region, goal) so that row order never matters; the ids become
                # categoricals over the sorted id lists, which the model reads as codes.
                needs = needs.iloc[order].reset_index(drop=True)
                needs["region"] = pd.Categorical.from_codes(region_code[order], region_ids)
                needs["goal"] = pd.Categorical.from_codes(goal_code[order], goal_ids)

    streams = _existing_streams(tables, regions, goals, nt, needs, model is not None,
                                problems)
    policy = _policy(tables["policy"], problems, overrides or {})
    if "sources" in tables:
        _Columns(tables["sources"], problems, "sources")  # its text, checked like the rest
    if policy is not None and policy.change_cap is not None and not regions.empty:
        # A cap on change needs a reference to change from, for every region.
        if "reference_eur" not in rt.f:
            problems.append(rt.t.problem(
                Message("missing column 'reference_eur' (change_cap is set)")))
        else:
            rt._report(regions["reference_eur"].isna() & rt.f["reference_eur"].map(
                lambda v: v is None or not str(v).strip()).to_numpy(bool),
                "reference_eur", Message("missing value (change_cap is set)"))

    if not problems and not needs.empty:
        total = float(needs["need_eur"].sum())
        if total > MAX_TOTAL_EUR:
            problems.append(nt.t.problem(Message(
                "the needs add up to €{total:,.0f}, above the limit of €{limit:,.0f}",
                total=total, limit=MAX_TOTAL_EUR), None, "need_eur"))
    if problems:
        raise InputError(problems)
    assert policy is not None
    if model is not None:
        needs = _with_derived_need(needs, _by_id(regions, "region", sorted_regions),
                                   _by_id(goals, "goal", sorted_goals), *model)
    if streams is not None:
        needs = _with_stream_money(needs, streams)
    sources = tables["sources"].frame.drop(columns=ROW) if "sources" in tables else None
    raw_policy = tables["policy"].frame
    policy_notes = pd.DataFrame({"key": clean_ids(raw_policy["key"]).str.lower(),
                                 "value": clean_ids(raw_policy["value"]),
                                 **_notes(raw_policy)})
    return Instance(
        name=name,
        source=source,
        regions=_by_id(regions, "region", sorted_regions),
        goals=_by_id(goals, "goal", sorted_goals),
        needs=needs,
        policy=policy,
        sources=sources,
        policy_notes=policy_notes,
        goal_order=tuple(dict.fromkeys(goals["goal"].astype(str))),
        indicators=None if model is None else model[0],
        need_model=None if model is None else model[1],
        existing_streams=streams,
    )


#: The indicator every need model may use without an indicators row: the regions'
#: population (its status, source and alternative are the population's).
INHABITANTS = "inhabitants"
#: What the need model calls it in Dutch (read as the same indicator).
INHABITANTS_NL = "inwoners"
#: The source every need built from a need model carries.
NEED_SOURCE = ("need_model (behoeftemodel): the goal's national need shared over the regions "
               "by its weighted measures")


def _need_model(tables: Mapping[str, RawTable], regions: pd.DataFrame, goals: pd.DataFrame,
                gt: _Columns | None, problems: list[Problem]
                ) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The tables ``indicators`` and ``need_model``, checked against the regions and goals:
    (indicators: region, indicator, value, unit, of and notes; the model: goal, indicator,
    weight and notes), or None when the instance gives no need model. Every problem names
    its table, row and column."""
    # a sheet with its header alone (the template's) is no table: as if left out
    given = {k for k in ("indicators", "need_model")
             if k in tables and not tables[k].frame.empty}
    if "need_model" not in given:
        if "indicators" in given:
            problems.append(tables["indicators"].problem(Message(
                "indicators without a need model: add the table need_model (behoeftemodel) "
                "that says how each goal's need is split over them, or leave the indicators "
                "out")))
        return None
    region_ids = set(regions["region"]) if not regions.empty else set()
    goal_ids = set(goals["goal"]) if not goals.empty else set()
    indicators = pd.DataFrame(columns=["region", "indicator", "value", "unit", "of"])
    it = None
    if "indicators" in given:
        it = _Columns(tables["indicators"], problems, "indicators")
        if it.require("region", "indicator", "value"):
            names = it.ids("indicator").str.lower().replace(INHABITANTS_NL, INHABITANTS)
            indicators = pd.DataFrame({
                "region": it.ids("region"), "indicator": names,
                "value": it.number("value", **FIGURE_RULES["indicators", "value"]),
                "unit": clean_ids(it.f["unit"]) if "unit" in it.f else "",
                "of": (clean_ids(it.f["of"]).str.lower().replace(INHABITANTS_NL, INHABITANTS)
                       if "of" in it.f else ""),
                **_figure_notes(it, "indicators"),
            })
            it._report(~indicators["region"].isin(region_ids) & indicators["region"].ne(""),
                       "region", Message("unknown region '{value}' (not in regions)"))
            it._report(indicators["indicator"].eq(INHABITANTS), "indicator", Message(
                "'{value}' comes from the regions' population: leave this row out"))
            pair = indicators["region"] + "\x00" + indicators["indicator"]
            it._report(pair.duplicated() & indicators["indicator"].ne(""), "indicator",
                       Message("a second value of '{value}' for the same region"))
    mt = _Columns(tables["need_model"], problems, "need_model")
    model = pd.DataFrame(columns=["goal", "indicator", "weight"])
    if not mt.require("goal", "indicator", "weight"):
        return None
    names = mt.ids("indicator").str.lower().replace(INHABITANTS_NL, INHABITANTS)
    model = pd.DataFrame({"goal": mt.ids("goal"), "indicator": names,
                          "weight": mt.number("weight", minimum=0, maximum=MAX_WEIGHT),
                          **_notes(mt.f)})
    mt._report(~model["goal"].isin(goal_ids) & model["goal"].ne(""), "goal",
               Message("unknown goal '{value}' (not in goals)"))
    known = set(indicators["indicator"]) | {INHABITANTS}
    mt._report(~model["indicator"].isin(known) & model["indicator"].ne(""), "indicator",
               Message("unknown indicator '{value}' (not in indicators, and not "
                       "inhabitants)"))
    mt._report((model["goal"] + "\x00" + model["indicator"]).duplicated(), "indicator",
               Message("a second weight of '{value}' for the same goal"))
    for goal in sorted(goal_ids):
        mine = model["goal"].eq(goal)
        if not (mine & model["weight"].gt(0)).any():
            problems.append(mt.t.problem(Message(
                "goal '{goal}' has no indicator with a weight above 0: its need cannot be "
                "split over the regions", goal=goal), None, "weight"))
    if gt is not None:
        gt._report(goals["need_eur"].isna(), "need_eur", Message(
            "missing value: the need model splits each goal's national need_eur over the "
            "regions"))
    if it is not None and not indicators.empty:
        of = indicators.groupby("indicator")["of"].agg(lambda v: set(v))
        for name, targets in of.items():
            row = int(it.f[ROW].iat[int(np.flatnonzero(indicators["indicator"].eq(name))[0])])
            if len(targets) > 1:
                problems.append(it.t.problem(Message(
                    "indicator '{indicator}' is a share of different indicators on different "
                    "rows ({names}): give one", indicator=name,
                    names=", ".join(sorted(t or "-" for t in targets))), row, "of"))
                continue
            target = next(iter(targets))
            if target and target != INHABITANTS and (
                    target not in of.index or next(iter(of[target])) != ""):
                problems.append(it.t.problem(Message(
                    "indicator '{indicator}' is a share of '{of}', which is not a count in "
                    "indicators (a count, or inhabitants)", indicator=name, of=target),
                    row, "of"))
    used = set(model.loc[model["weight"].gt(0), "indicator"]) - {INHABITANTS}
    for name in sorted(used):
        have = set(indicators.loc[indicators["indicator"].eq(name), "region"])
        missing = sorted(region_ids - have)
        if missing and it is not None:
            problems.append(it.t.problem(Message(
                "indicator '{indicator}' has no value for {regions}: the need model needs "
                "it in every region", indicator=name, regions=", ".join(missing[:8])),
                None, "value"))
        elif it is not None and have and float(indicators.loc[
                indicators["indicator"].eq(name), "value"].sum()) <= 0:
            problems.append(it.t.problem(Message(
                "indicator '{indicator}' is 0 in every region: it cannot split a need",
                indicator=name), None, "value"))
    return indicators.reset_index(drop=True), model.reset_index(drop=True)


STREAMS_SOURCE = ("existing_streams (bestaande_stromen): the sum of the streams that pay into "
                  "this cell")


def _existing_streams(tables: Mapping[str, RawTable], regions: pd.DataFrame,
                      goals: pd.DataFrame, nt: _Columns, needs: pd.DataFrame,
                      derived: bool, problems: list[Problem]) -> pd.DataFrame | None:
    """The table ``existing_streams``: the existing money by stream (stream, region, goal or
    blank for the region's goals in proportion to need, amount_eur, notes), or None where
    the instance types existing_eur in per cell. Every problem names its table, row and
    column; a needs table that also types existing_eur in is one."""
    if "existing_streams" not in tables or tables["existing_streams"].frame.empty:
        return None
    st = _Columns(tables["existing_streams"], problems, "existing_streams")
    if "existing_eur" in nt.f:
        given = nt.f["existing_eur"].map(lambda v: v is not None and str(v).strip() != "")
        nt._report(given, "existing_eur", Message(
            "the existing money comes from existing_streams (bestaande_stromen): leave "
            "existing_eur empty, or leave the streams out, got {value}"))
    if not st.require("stream", "region", "amount_eur"):
        return None
    streams = pd.DataFrame({
        "stream": st.ids("stream"), "region": st.ids("region"),
        "goal": (clean_ids(st.f["goal"]).reset_index(drop=True) if "goal" in st.f
                 else pd.Series([""] * len(st.f))),  # blank: over the region's goals
        "amount_eur": st.number("amount_eur", **FIGURE_RULES["existing_streams",
                                                             "amount_eur"]),
        **_figure_notes(st, "existing_streams"),
    })
    region_ids = set(regions["region"]) if not regions.empty else set()
    goal_ids = set(goals["goal"]) if not goals.empty else set()
    st._report(~streams["region"].isin(region_ids) & streams["region"].ne(""), "region",
               Message("unknown region '{value}' (not in regions)"))
    st._report(~streams["goal"].isin(goal_ids) & streams["goal"].ne(""), "goal",
               Message("unknown goal '{value}' (not in goals)"))
    key = streams["stream"] + "\x00" + streams["region"] + "\x00" + streams["goal"]
    st._report(key.duplicated() & streams["stream"].ne(""), "stream", Message(
        "a second amount of stream '{value}' for the same region and goal"))
    if not derived and len(needs):
        # a stream on a goal needs that cell in the needs table (a need model has them all)
        pairs = set(zip(needs["region"].astype(str), needs["goal"].astype(str), strict=True))
        missing = pd.Series([g != "" and r in region_ids and g in goal_ids
                             and (r, g) not in pairs for r, g in zip(
                                 streams["region"], streams["goal"], strict=True)])
        st._report(missing, "goal", Message(
            "no needs row for this region and goal '{value}': the stream has no cell to "
            "pay into"))
    return streams.reset_index(drop=True)


def _with_stream_money(needs: pd.DataFrame, streams: pd.DataFrame) -> pd.DataFrame:
    """The cells with existing_eur the sum of their streams, marked DERIVED."""
    from allocator.inputs.instance import existing_from_streams

    needs = needs.copy()
    needs["existing_eur"] = existing_from_streams(needs, streams)
    needs["existing_eur_status"] = "DERIVED"
    needs["existing_eur_source"] = STREAMS_SOURCE
    return needs.drop(columns=[c for c in ("existing_eur_alternative",) if c in needs])


def _with_derived_need(needs: pd.DataFrame, regions: pd.DataFrame, goals: pd.DataFrame,
                       indicators: pd.DataFrame, model: pd.DataFrame) -> pd.DataFrame:
    """The cells with need_eur from the need model (models.need), marked DERIVED: every
    (region, goal) pair, those the needs table leaves out added with no existing money."""
    from allocator.inputs.instance import need_from_model

    need = need_from_model(regions, goals, indicators, model)  # regions x goals
    region_ids, goal_ids = list(regions.index.astype(str)), list(goals.index.astype(str))
    grid = pd.DataFrame({"region": np.repeat(region_ids, len(goal_ids)),
                         "goal": np.tile(goal_ids, len(region_ids))})
    have = needs.assign(region=needs["region"].astype(str), goal=needs["goal"].astype(str))
    have = have.drop(columns=["need_eur"])
    cells = grid.merge(have, on=["region", "goal"], how="left")
    cells["existing_eur"] = cells["existing_eur"].fillna(0.0)
    cells.insert(2, "need_eur", need.reshape(-1))
    cells["need_eur_status"] = "DERIVED"
    cells["need_eur_source"] = NEED_SOURCE
    cells["region"] = pd.Categorical(cells["region"], categories=pd.Index(region_ids))
    cells["goal"] = pd.Categorical(cells["goal"], categories=pd.Index(goal_ids))
    return cells


def _notes(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """The optional status (SRC, PROXY, DERIVED, ASSUMED), source and alternative value of
    each row, as text, carried to the report so that a reader sees what is measured and
    what is assumed."""
    return {c: clean_ids(frame[c]).reset_index(drop=True) for c in NOTES if c in frame}


def _figure_notes(cols: _Columns, table: str) -> dict[str, pd.Series]:
    """The row's notes, and each figure's own (``population_status``, ``population_source``
    as text; ``population_alternative`` a number, read like the figure)."""
    out = _notes(cols.f)
    for column in FIGURES[table]:
        for note in ("status", "source"):
            name = f"{column}_{note}"
            if name in cols.f:
                out[name] = clean_ids(cols.f[name]).reset_index(drop=True)
        name = f"{column}_alternative"
        if name in cols.f:  # an alternative is read and bounded as the figure is
            out[name] = cols.number(name, required=False,
                                    **FIGURE_RULES[table, column]).reset_index(drop=True)
    return out


def _by_id(table: pd.DataFrame, column: str, order: pd.Index | None) -> pd.DataFrame:
    """The table indexed by its ids in code-point order (the categories of ``needs``)."""
    if order is None:
        order = sorted_ids(table[column])
    return table.set_index(column).loc[order].rename_axis(column)



class Variant(NamedTuple):
    """A named policy variant: its policy, and the keys it switches off (whose per-region
    columns are cleared too, as ``--policy`` does: :func:`apply_variant`)."""

    name: str
    policy: Policy
    off: tuple[str, ...] = ()


def apply_variant(instance: Instance, policy: Policy, off: tuple[str, ...] = ()) -> Instance:
    """``instance`` under a variant's policy, with the per-region columns of the rules it
    switches off cleared (the same as a preset's ``off``)."""
    from allocator.inputs.presets import REGION_COLUMNS

    instance = dataclasses.replace(instance, policy=policy)
    columns = [REGION_COLUMNS[k] for k in off if REGION_COLUMNS.get(k) in instance.regions]
    if columns:
        regions = instance.regions.copy()
        regions[columns] = float("nan")
        instance = dataclasses.replace(instance, regions=regions)
    return instance


def scenarios(table: RawTable, base: Policy) -> list[Variant]:
    """Named policy variants, one per row: a ``name`` column, then an optional ``policy``
    column naming a preset (or a ``.toml`` file) applied over ``base``, then policy keys as
    columns; a blank cell keeps the value before it, ``geen``/``none`` switches that key's
    rule off. Every problem is reported at once."""
    from allocator.inputs.presets import load_preset

    problems: list[Problem] = []
    st = _Columns(table, problems, "scenarios")
    if not st.require("name"):
        raise InputError(problems)
    st.f = st.f.rename(columns=RENAMED_KEYS)
    keys = [c for c in st.f.columns if c not in ("name", "policy", ROW)]
    unknown = [c for c in keys if c not in POLICY_KEYS]
    for c in unknown:
        problems.append(table.problem(Message("unknown policy key '{key}' as a column "
                                              "{known}", key=c, known=_known(c))))
    names = clean_ids(st.f["name"])
    st._report(names.eq(""), "name", Message("missing value"))
    st.unique(names, "name")
    if len(names) > MAX_SCENARIOS:
        problems.append(table.problem(Message("{count} policy variants, above the limit of "
                                              "{limit}", count=len(names),
                                              limit=MAX_SCENARIOS)))
        raise InputError(problems)
    out = []
    for i, name in enumerate(names):
        row = int(st.f[ROW].iat[i])
        values = base.model_dump()
        raw: dict[str, object] = {}
        off: list[str] = []
        preset = st.f["policy"].iat[i] if "policy" in st.f else None
        if preset is not None and str(preset).strip():
            try:
                chosen = load_preset(str(preset).strip())
            except InputError as exc:
                for p in exc.problems:
                    problems.append(table.problem(p.message, row, "policy"))
                continue
            for key in chosen.off:
                values[key] = PARAM[key].off
            off += list(chosen.off)
            values.update(chosen.values)
        for key in keys:
            cell = st.f[key].iat[i]
            if key not in POLICY_KEYS or cell is None or not str(cell).strip():
                continue
            if str(cell).strip().lower() in OFF_WORDS and PARAM[key].can_off:
                values[key] = PARAM[key].off
                off.append(key)
                continue
            values[key] = _policy_value(key, cell, st.decimal)
            raw[key] = cell
            if key in off:
                off.remove(key)
        try:
            out.append(Variant(str(name), Policy.model_validate(values), tuple(off)))
        except ValidationError as exc:
            for err in exc.errors():
                key = str(err["loc"][0]) if err["loc"] else ""
                problems.append(table.problem(Message(
                    "{reason}, got {value}", reason=reason(err),
                    value=_shown(raw.get(key, values.get(key)))), row, key))
    if problems:
        raise InputError(problems)
    return out


def _known(key: str) -> Message:
    """The nearest known policy key, or the list of them all."""
    close = difflib.get_close_matches(key, POLICY_KEYS, n=1)
    if close:
        return Message("(did you mean '{key}'?)", key=close[0])
    return Message("(known: {keys})", keys=", ".join(POLICY_KEYS))


def _policy_value(key: str, value: object, decimal: str | None) -> object:
    """A policy cell in the form pydantic checks: numbers parsed the Dutch or English way,
    Dutch and English words for true and false. Unreadable values pass through unchanged so
    that pydantic names the key and the value."""
    if isinstance(value, str):
        value = value.strip()
    param = PARAM.get(key)
    if param is None:
        return value
    if param.can_off and str(value).strip().lower() in OFF_WORDS:
        return param.off  # "geen" / "none": the rule switched off
    kind = param.kind
    if kind == "bool":
        word = str(value).lower()
        return True if word in TRUE_WORDS else False if word in FALSE_WORDS else value
    if kind == "choice":
        return value
    if kind == "tiers":
        return parse_tiers(str(value), decimal)
    parsed = parse_numbers(pd.Series([value], dtype=object), decimal)
    if parsed.ambiguous[0] or parsed.bad[0] or (parsed.percent[0] and key not in FRACTION_KEYS):
        return value
    return float(parsed.value[0])


def parse_tiers(text: str, decimal: str | None = None) -> object:
    """``25%: 1.5; 50%: 2; 75%: 3`` as ((0.25, 1.5), (0.5, 2.0), (0.75, 3.0)). Tiers are
    separated by semicolons, so that a decimal comma stays unambiguous. Text that does not
    read as tiers is returned unchanged, for pydantic to name it."""
    pairs = [part.split(":") for part in text.split(";") if part.strip()]
    if not pairs or any(len(p) != 2 for p in pairs):
        return text
    flat = pd.Series([v.strip() for p in pairs for v in p], dtype=object)
    parsed = parse_numbers(flat, decimal)
    if (parsed.bad | parsed.ambiguous | parsed.blank).any() or parsed.percent[1::2].any():
        return text
    values = parsed.value
    return tuple((float(values[i]), float(values[i + 1])) for i in range(0, len(values), 2))


def _policy(table: RawTable, problems: list[Problem], overrides: Mapping[str, object]
            ) -> Policy | None:
    pt = _Columns(table, problems, "policy")
    if not pt.require("key", "value", rows=False):  # a budget may come from a flag
        return None
    values: dict[str, object] = {}
    raw: dict[str, object] = {}  # as written, for messages
    rows: dict[str, int] = {}
    for key_cell, value, row in zip(pt.f["key"], pt.f["value"], pt.f[ROW], strict=True):
        key = policy_key("" if key_cell is None else str(key_cell).strip().lower())
        if not key:
            problems.append(table.problem(Message("missing key"), int(row), "key"))
        elif key not in POLICY_KEYS:
            problems.append(table.problem(
                Message("unknown policy key '{key}' {known}", key=_shown(key_cell),
                        known=_known(key)), int(row), "key"))
        elif key in values:
            problems.append(table.problem(Message("duplicate key '{key}', first on row "
                                                  "{first}", key=key, first=rows[key]),
                                          int(row), "key"))
        elif value is not None and not (isinstance(value, str) and not value.strip()):
            values[key] = _policy_value(key, value, pt.decimal)
            raw[key] = value
            rows[key] = int(row)
    for key, value in overrides.items():
        if value is not None:
            values[key] = value
            rows.pop(key, None)
            raw.pop(key, None)
    # a stated alternative is held to the rules the value is held to ('geen' switches off)
    if "alternative" in pt.f:
        for key_cell, alt, row in zip(pt.f["key"], pt.f["alternative"], pt.f[ROW],
                                      strict=True):
            key = policy_key("" if key_cell is None else str(key_cell).strip().lower())
            if key not in PARAM or alt is None or not str(alt).strip():
                continue
            try:
                Policy.model_validate({**values, "budget_eur": values.get("budget_eur", 1.0),
                                       key: _policy_value(key, alt, pt.decimal)})
            except ValidationError as exc:
                err = next((e for e in exc.errors() if e["loc"] and e["loc"][0] == key), None)
                if err is not None:
                    problems.append(table.problem(Message(
                        "{key}: the alternative {reason}, got {value}", key=key,
                        reason=reason(err), value=_shown(alt)), int(row), "alternative"))
    try:
        return Policy.model_validate(values)
    except ValidationError as exc:
        for err in exc.errors():
            key = str(err["loc"][0]) if err["loc"] else ""
            if err["type"] == "missing":
                problems.append(table.problem(Message("'{key}' is required (a row with key "
                                                      "{key})", key=key), None, "key"))
                continue
            where = rows.get(key)
            shown = _shown(raw.get(key, values.get(key)))
            problems.append(table.problem(
                Message("{key}: {reason}, got {value}", key=key, reason=reason(err),
                        value=shown) if where is not None else
                Message("{key}: {reason}, got {value} (given on the command line)", key=key,
                        reason=reason(err), value=shown),
                where, "value"))
        return None


@dataclass(frozen=True)
class NeedScenario:
    """One named need scenario: the need of every cell (euros, in the instance's cell
    order) and its probability (None when the table gives none)."""

    name: str
    probability: float | None
    need_eur: np.ndarray

    def apply(self, instance: Instance) -> Instance:
        """The instance with this scenario's needs."""
        needs = instance.needs.copy()
        needs["need_eur"] = self.need_eur
        return dataclasses.replace(instance, needs=needs)


def need_scenarios(table: RawTable, instance: Instance) -> list[NeedScenario]:
    """Need scenarios from a table with columns ``scenario``, optional ``probability``,
    ``region`` and ``goal`` (blank: all), and either ``factor`` (multiplies the need of
    every matching cell; factors of several rows multiply) or ``need_eur`` (the need of one
    cell, region and goal both given). Every problem is reported at once."""
    problems: list[Problem] = []
    st = _Columns(table, problems, "need_scenarios")
    if not st.require("scenario"):
        raise InputError(problems)
    if "factor" not in st.f and "need_eur" not in st.f:
        problems.append(table.problem(Message("give a 'factor' or a 'need_eur' column")))
        raise InputError(problems)
    names = clean_ids(st.f["scenario"])
    st._report(names.eq(""), "scenario", Message("missing value"))
    probability = st.number("probability", required=False, minimum=0, maximum=1, fraction=True)
    factor = st.number("factor", required=False, minimum=0, maximum=MAX_FACTOR)
    absolute = st.number("need_eur", required=False, minimum=0, maximum=MAX_EUR)
    region = clean_ids(st.f["region"]) if "region" in st.f else pd.Series([""] * len(st.f))
    goal = clean_ids(st.f["goal"]) if "goal" in st.f else pd.Series([""] * len(st.f))
    both = factor.notna() & absolute.notna()
    st._report(both, "need_eur", Message("give a factor or a need_eur on a row, not both"))
    neither = factor.isna() & absolute.isna() & names.ne("")
    st._report(neither, "factor", Message("missing value (or a need_eur)"))
    st._report(absolute.notna() & (region.eq("") | goal.eq("")), "need_eur",
               Message("a need_eur needs both a region and a goal"))
    regions, goals = instance.regions.index, instance.goals.index
    st._report(region.ne("") & ~region.isin(regions), "region",
               Message("unknown region '{value}' (not in the instance)"))
    st._report(goal.ne("") & ~goal.isin(goals), "goal",
               Message("unknown goal '{value}' (not in the instance)"))
    cell_region = instance.needs["region"].astype(str).to_numpy()
    cell_goal = instance.needs["goal"].astype(str).to_numpy()
    cell_of = {(r, g): i for i, (r, g) in enumerate(zip(cell_region, cell_goal, strict=True))}
    base = instance.needs["need_eur"].to_numpy(float)
    order: list[str] = []
    needs: dict[str, np.ndarray] = {}
    probs: dict[str, float] = {}
    first: dict[str, int] = {}
    for i, name in enumerate(names):
        row = int(st.f[ROW].iat[i])
        if not name:
            continue
        if name not in needs:
            order.append(name)
            needs[name] = base.copy()
            first[name] = row
        p = probability.iat[i]
        if not np.isnan(p):
            if name in probs and probs[name] != p:
                problems.append(table.problem(Message(
                    "probability {value} differs from {earlier} given for '{name}' earlier",
                    value=_limit(p), earlier=_limit(probs[name]), name=name),
                    row, "probability"))
            probs.setdefault(name, float(p))
        r, g = region.iat[i], goal.iat[i]
        if (r and r not in regions) or (g and g not in goals):
            continue
        if not np.isnan(absolute.iat[i]):
            if (r, g) not in cell_of:
                problems.append(table.problem(Message("the instance has no need row for "
                                                      "({region}, {goal})", region=r, goal=g),
                                              row, "goal"))
                continue
            needs[name][cell_of[(r, g)]] = absolute.iat[i]
        elif not np.isnan(factor.iat[i]) and factor.iat[i] <= MAX_FACTOR:
            match = np.ones(base.size, dtype=bool)
            if r:
                match &= cell_region == r
            if g:
                match &= cell_goal == g
            needs[name][match] *= factor.iat[i]
    if probs:
        missing = [n for n in order if n not in probs]
        for n in missing:
            problems.append(table.problem(Message("scenario '{name}' has no probability (the "
                                                  "others do)", name=n),
                                          first[n], "probability"))
        total = sum(probs.values())
        if not missing and not problems and abs(total - 1) > 1e-6:
            problems.append(table.problem(Message("the probabilities sum to {total:g}, not 1",
                                                  total=total), None, "probability"))
    if len(order) > MAX_SCENARIOS:
        problems.append(table.problem(Message("{count} need scenarios, above the limit of "
                                              "{limit}", count=len(order),
                                              limit=MAX_SCENARIOS)))
    for n in order:  # factors multiply: a need may grow beyond what any one cell allows
        high = float(needs[n].max(initial=0.0))
        if high > MAX_EUR or float(needs[n].sum()) > MAX_TOTAL_EUR:
            problems.append(table.problem(Message(
                "scenario '{name}' makes a need of €{high:,.0f} (needs in all €{total:,.0f}), "
                "above the limit of €{limit:,.0f} per need and €{total_limit:,.0f} in all",
                name=n, high=high, total=float(needs[n].sum()), limit=MAX_EUR,
                total_limit=MAX_TOTAL_EUR), first[n], "factor"))
    if not order and not problems:
        problems.append(table.problem(Message("no scenarios")))
    if problems:
        raise InputError(problems)
    return [NeedScenario(n, probs.get(n), needs[n]) for n in order]
