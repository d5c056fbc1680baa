"""Validation: raw tables in, a validated :class:`Instance` out, or every problem at once.

Checks are vectorised over whole columns (an instance may hold a million cells); pydantic
validates the small policy table. Each problem names file, sheet, row and column.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import ValidationError

from allocator.errors import MAX_LISTED_PER_COLUMN, InputError, Problem
from allocator.instance import POLICY_KEYS, Instance, Policy
from allocator.read import ROW, RawTable, read_instance


def load(path: str | Path, **overrides: object) -> Instance:
    """Read and validate an instance; ``overrides`` replace policy values (CLI flags)."""
    path = Path(path)
    return validate(read_instance(path), name=path.stem, source=str(path), overrides=overrides)


def _shown(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


class _Columns:
    """Parses the columns of one table, collecting problems instead of stopping at the first."""

    def __init__(self, table: RawTable, problems: list[Problem]) -> None:
        self.t = table
        self.f = table.frame
        self.problems = problems

    def _report(self, mask: pd.Series, column: str, message: str) -> None:
        """Add ``message`` (which may use {value}) for each row where ``mask`` holds."""
        bad = np.flatnonzero(mask.to_numpy())
        for i in bad[:MAX_LISTED_PER_COLUMN]:
            value = _shown(self.f[column].iat[i]) if column in self.f else ""
            self.problems.append(
                self.t.problem(message.format(value=value), int(self.f[ROW].iat[i]), column)
            )
        if bad.size > MAX_LISTED_PER_COLUMN:
            self.problems.append(self.t.problem(
                f"{bad.size - MAX_LISTED_PER_COLUMN} more rows with the same problem",
                None, column))

    def require(self, *columns: str) -> bool:
        missing = [c for c in columns if c not in self.f.columns]
        for c in missing:
            self.problems.append(self.t.problem(f"missing column '{c}'"))
        return not missing

    def ids(self, column: str) -> pd.Series:
        """Stripped text ids; blanks are reported."""
        raw = self.f[column]
        text = raw.map(lambda v: "" if v is None else _shown(v).strip() if isinstance(v, float)
                       else str(v).strip())
        self._report(text.eq(""), column, "missing value")
        return text

    def unique(self, ids: pd.Series, column: str) -> None:
        dup = ids.duplicated(keep="first") & ids.ne("")
        first_row = dict(zip(ids[~dup].to_numpy(), self.f[ROW][~dup].to_numpy(), strict=True))
        for i in np.flatnonzero(dup.to_numpy())[:MAX_LISTED_PER_COLUMN]:
            self.problems.append(self.t.problem(
                f"duplicate id '{_shown(ids.iat[i])}', first on row {first_row[ids.iat[i]]}",
                int(self.f[ROW].iat[i]), column))

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
    ) -> pd.Series:
        """Parse a numeric column. Blank cells take ``default`` or are reported if required."""
        if column not in self.f.columns:
            return pd.Series(np.full(len(self.f), np.nan if default is None else default))
        raw = self.f[column]
        blank = raw.map(lambda v: v is None or (isinstance(v, str) and not v.strip())).astype(bool)
        values = pd.to_numeric(raw.where(~blank, None), errors="coerce").astype(float)
        bad = ~blank & ~np.isfinite(values)
        self._report(bad, column, "must be a number, got '{value}'")
        if default is not None:
            values = values.where(~blank, default)
        elif required:
            self._report(blank, column, "missing value")
        ok = np.isfinite(values)
        if minimum is not None:
            low = ok & ((values <= minimum) if strict_minimum else (values < minimum))
            op = ">" if strict_minimum else ">="
            self._report(low, column, f"must be {op} {_shown(float(minimum))}, got {{value}}")
        if maximum is not None:
            self._report(ok & (values > maximum), column,
                         f"must be <= {_shown(float(maximum))}, got {{value}}")
        if integer:
            self._report(ok & (values != np.round(values)), column,
                         "must be a whole number, got {value}")
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

    rt = _Columns(tables["regions"], problems)
    regions = pd.DataFrame()
    if rt.require("region", "population"):
        ids = rt.ids("region")
        rt.unique(ids, "region")
        regions = pd.DataFrame({
            "region": ids,
            "name": rt.f["name"].map(lambda v: "" if v is None else str(v).strip())
            if "name" in rt.f else ids,
            "population": rt.number("population", minimum=0, strict_minimum=True, integer=True),
            "weight": rt.number("weight", default=1.0, minimum=0, strict_minimum=True),
        })
        regions["name"] = regions["name"].where(regions["name"].ne(""), regions["region"])

    gt = _Columns(tables["goals"], problems)
    goals = pd.DataFrame()
    if gt.require("goal"):
        ids = gt.ids("goal")
        gt.unique(ids, "goal")
        goals = pd.DataFrame({
            "goal": ids,
            "name": gt.f["name"].map(lambda v: "" if v is None else str(v).strip())
            if "name" in gt.f else ids,
            "weight": gt.number("weight", default=1.0, minimum=0, strict_minimum=True),
            "min_share": gt.number("min_share", required=False, minimum=0, maximum=1),
            "max_share": gt.number("max_share", required=False, minimum=0, maximum=1),
        })
        goals["name"] = goals["name"].where(goals["name"].ne(""), goals["goal"])
        crossed = goals["min_share"] > goals["max_share"]
        gt._report(crossed, "min_share", "must not exceed max_share on the same row, got {value}")
        total = float(goals["min_share"].fillna(0).sum())
        if total > 1 + 1e-12:
            problems.append(gt.t.problem(f"the min_share values sum to {total:g}; "
                                         "at most 1 can be reserved", None, "min_share"))

    nt = _Columns(tables["needs"], problems)
    needs = pd.DataFrame()
    if nt.require("region", "goal", "need_eur"):
        needs = pd.DataFrame({
            "region": nt.ids("region"),
            "goal": nt.ids("goal"),
            "need_eur": nt.number("need_eur", minimum=0),
            "existing_eur": nt.number("existing_eur", default=0.0, minimum=0),
            "cap_eur": nt.number("cap_eur", required=False, minimum=0),
        })
        if not regions.empty:
            unknown = ~needs["region"].isin(regions["region"]) & needs["region"].ne("")
            nt._report(unknown, "region", "unknown region '{value}' (not in regions)")
        if not goals.empty:
            unknown = ~needs["goal"].isin(goals["goal"]) & needs["goal"].ne("")
            nt._report(unknown, "goal", "unknown goal '{value}' (not in goals)")
        pair = needs["region"] + "\x1f" + needs["goal"]
        dup = pair.duplicated(keep="first")
        if dup.any():
            first = dict(zip(pair[~dup].to_numpy(), nt.f[ROW][~dup].to_numpy(), strict=True))
            for i in np.flatnonzero(dup.to_numpy())[:MAX_LISTED_PER_COLUMN]:
                problems.append(nt.t.problem(
                    f"duplicate pair ({needs['region'].iat[i]}, {needs['goal'].iat[i]}), "
                    f"first on row {first[pair.iat[i]]}", int(nt.f[ROW].iat[i]), "goal"))

    policy = _policy(tables["policy"], problems, overrides or {})

    if problems:
        raise InputError(problems)
    assert policy is not None
    sources = tables["sources"].frame.drop(columns=ROW) if "sources" in tables else None
    return Instance(
        name=name,
        source=source,
        regions=regions.sort_values("region").set_index("region"),
        goals=goals.sort_values("goal").set_index("goal"),
        needs=needs.sort_values(["region", "goal"]).reset_index(drop=True),
        policy=policy,
        sources=sources,
    )


def _policy(table: RawTable, problems: list[Problem], overrides: Mapping[str, object]
            ) -> Policy | None:
    pt = _Columns(table, problems)
    if not pt.require("key", "value"):
        return None
    values: dict[str, object] = {}
    rows: dict[str, int] = {}
    for key_cell, value, row in zip(pt.f["key"], pt.f["value"], pt.f[ROW], strict=True):
        key = "" if key_cell is None else str(key_cell).strip().lower()
        if not key:
            problems.append(table.problem("missing key", int(row), "key"))
        elif key not in POLICY_KEYS:
            problems.append(table.problem(
                f"unknown policy key '{_shown(key_cell)}' (known: {', '.join(POLICY_KEYS)})",
                int(row), "key"))
        elif key in values:
            problems.append(table.problem(f"duplicate key '{key}', first on row {rows[key]}",
                                          int(row), "key"))
        elif value is not None and not (isinstance(value, str) and not value.strip()):
            values[key] = value.strip() if isinstance(value, str) else value
            rows[key] = int(row)
    for key, value in overrides.items():
        if value is not None:
            values[key] = value
            rows.pop(key, None)
    try:
        return Policy.model_validate(values)
    except ValidationError as exc:
        for err in exc.errors():
            key = str(err["loc"][0]) if err["loc"] else ""
            if err["type"] == "missing":
                problems.append(table.problem(f"'{key}' is required (a row with key {key})",
                                              None, "key"))
                continue
            where = rows.get(key)
            origin = "" if where is not None else " (given on the command line)"
            problems.append(table.problem(
                f"{key}: {err['msg'].lower()}, got {_shown(values.get(key))}{origin}",
                where, "value"))
        return None
