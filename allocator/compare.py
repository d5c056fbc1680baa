"""Cabinet scenarios side by side: one instance, named policy variants, one workbook.

Each scenario is a full, certified solve of the instance with some policy values changed
(``validate.scenarios`` reads and checks the list). The comparison lays out what a cabinet
weighs: totals, unmet need, the lowest coverage, the price of fairness, and each region's
allocation and coverage under every variant.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from allocator.engine import solve
from allocator.instance import Instance
from allocator.read import read_table
from allocator.result import Result
from allocator.validate import load, scenarios


@dataclass
class Comparison:
    instance: Instance
    results: dict[str, Result]  # by scenario name, in the order given
    seconds: float = 0.0  # wall clock of all variants' solves

    def summary(self) -> pd.DataFrame:
        rows = []
        for name, r in self.results.items():
            cov = r.coverage["coverage"].dropna() if r.optimal else pd.Series(dtype=float)
            price = r.price_of_fairness
            rows.append({
                "scenario": name,
                "status": r.status.value,
                "budget_eur": r.budget_eur,
                "allocated_eur": (int(r.rounded_allocation()["amount_eur"].sum())
                                  if r.optimal else None),
                "weighted_unmet_eur": r.weighted_unmet_eur if r.optimal else None,
                "lowest_coverage": float(cov.min()) if len(cov) else None,
                "highest_coverage": float(cov.max()) if len(cov) else None,
                "price_of_fairness_eur": price.total_eur if price else None,
                "marginal_value": r.marginal_value,
            })
        return pd.DataFrame(rows).set_index("scenario")

    def table(self) -> str:
        """The overview as a reader wants it on a terminal: euros with thousands separators,
        percentages, the change of weighted unmet need against the first variant that holds,
        and why an infeasible variant is (what budget its rules need)."""
        summary = self.summary()
        solved = summary[summary["status"] == "optimal"]
        base = str(solved.index[0]) if len(solved) else None  # the first that holds
        first = solved["weighted_unmet_eur"].iloc[0] if len(solved) else None

        def eur(v: object) -> str:
            return "-" if v is None or pd.isna(v) else f"€{float(v):,.0f}"  # type: ignore[arg-type]

        def pct(v: object) -> str:
            return "-" if v is None or pd.isna(v) else f"{float(v):.1%}"  # type: ignore[arg-type]

        head = ["variant", "status", "budget", "allocated", "weighted unmet",
                f"vs {base}" if base else "difference", "lowest cov.", "highest cov.",
                "price of fairness"]
        rows = []
        for name, row in summary.iterrows():
            unmet = row["weighted_unmet_eur"]
            diff = ("-" if first is None or pd.isna(first) or pd.isna(unmet)
                    else f"{float(unmet) - float(first):+,.0f}")
            rows.append([str(name), str(row["status"]), eur(row["budget_eur"]),
                         eur(row["allocated_eur"]), eur(unmet), diff,
                         pct(row["lowest_coverage"]), pct(row["highest_coverage"]),
                         eur(row["price_of_fairness_eur"])])
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
        lines = ["  ".join(h.ljust(w) if i < 2 else h.rjust(w)
                           for i, (h, w) in enumerate(zip(head, widths, strict=True)))]
        lines += ["  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                            for i, (c, w) in enumerate(zip(r, widths, strict=True)))
                  for r in rows]
        for name, r in self.results.items():
            if not r.optimal:
                reason = r.message.split(". ")[:2]
                lines.append(f"{name}: {'. '.join(reason).rstrip('.')}.")
        return "\n".join(lines)

    def by_region(self, what: str) -> pd.DataFrame:
        """Region x scenario: whole euros allocated (``allocated_eur``) or ``coverage``."""
        columns = {}
        for name, r in self.results.items():
            if not r.optimal:
                continue
            columns[name] = (r.matrix().sum(axis=1) if what == "allocated_eur"
                             else r.coverage["coverage"])
        return pd.DataFrame(columns, index=self.instance.regions.index)

    def to_dict(self) -> dict[str, Any]:
        from allocator.schema import header, records

        summary = self.summary().reset_index()
        regions = self.by_region("allocated_eur")
        allocations = [rec for name, r in self.results.items() if r.optimal
                       for rec in records(r.rounded_allocation(), scenario=name)]
        return {
            **header("compare", self.instance.name, "optimal",
                     f"{len(self.results)} variants, "
                     f"{sum(r.optimal for r in self.results.values())} with an optimum"),
            "allocations": allocations,
            "seconds": self.seconds,
            "scenarios": [
                {**{k: (None if pd.isna(v) else v) for k, v in row.items()},
                 "message": self.results[row["scenario"]].message,
                 "certificate": _certificate(self.results[row["scenario"]]),
                 "allocation_by_region_eur": (
                     {str(k): int(v) for k, v in regions[row["scenario"]].items()}
                     if row["scenario"] in regions else None)}
                for row in summary.to_dict("records")
            ],
        }


def _certificate(r: Result) -> dict[str, object] | None:
    return r.certificate.to_dict() if r.certificate is not None else None


def compare(instance: Instance | str | Path, table: str | Path) -> Comparison:
    """Solve ``instance`` under each scenario of the ``table`` file (CSV or workbook)."""
    if not isinstance(instance, Instance):
        instance = load(instance)
    variants = scenarios(read_table(table), instance.policy)
    clock = time.perf_counter()
    results = {name: solve(dataclasses.replace(instance, policy=policy))
               for name, policy in variants}
    return Comparison(instance, results, time.perf_counter() - clock)


def write_compare_report(c: Comparison, path: str | Path, *, lang: str = "nl") -> Path:
    """The comparison workbook: an overview with a chart, then regions by scenario."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference

    from allocator.labels import label
    from allocator.report import (
        EURO,
        PERCENT,
        header,
        print_setup,
        put,
        save_workbook,
    )

    wb = Workbook()
    ws = wb.active
    ws.title = label("sheet_overview", lang)
    summary = c.summary()
    keys = [("status", None), ("budget", EURO), ("allocated", EURO), ("unmet_after", EURO),
            ("coverage_min", PERCENT), ("coverage_max", PERCENT), ("fairness_price", EURO)]
    header(ws, 1, [label("scenario", lang), *[label(k, lang) for k, _ in keys]])
    for i, (name, row) in enumerate(summary.iterrows(), start=2):
        put(ws, i, 1, str(name))
        values = [label(row["status"], lang), round(row["budget_eur"]), row["allocated_eur"],
                  row["weighted_unmet_eur"], row["lowest_coverage"], row["highest_coverage"],
                  row["price_of_fairness_eur"]]
        for j, (value, (_, fmt)) in enumerate(zip(values, keys, strict=True), start=2):
            put(ws, i, j, None if value is None or pd.isna(value) else
                (round(value) if fmt == EURO else value), fmt)
    n = len(summary)
    for col in "ABCDEFGH":
        ws.column_dimensions[col].width = 22
    if n:
        chart = BarChart()
        chart.type = "col"
        chart.title = label("unmet_after", lang)
        chart.y_axis.numFmt = EURO
        chart.add_data(Reference(ws, min_col=5, min_row=1, max_row=n + 1),
                       titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=n + 1))
        chart.legend = None
        chart.width, chart.height = 20, 9
        ws.add_chart(chart, f"A{n + 3}")
    print_setup(ws)
    names = c.instance.regions["name"]
    for what, title, fmt in (("allocated_eur", "sheet_allocation", EURO),
                             ("coverage", "sheet_coverage", PERCENT)):
        table = c.by_region(what)
        sheet = wb.create_sheet(label(title, lang))
        header(sheet, 1, [label("region", lang), *map(str, table.columns)])
        for i, (region, row) in enumerate(table.iterrows(), start=2):
            put(sheet, i, 1, str(names[region]))
            for j, value in enumerate(row, start=2):
                put(sheet, i, j, None if pd.isna(value) else
                    (int(value) if fmt == EURO else float(value)), fmt)
        if fmt == EURO and len(table.columns):
            last = len(table) + 2
            put(sheet, last, 1, label("total", lang), bold=True)
            for j, value in enumerate(table.sum(axis=0), start=2):
                put(sheet, last, j, int(value), EURO, bold=True)
            bars = BarChart()
            bars.type = "col"
            bars.title = label("chart_by_scenario", lang)
            bars.y_axis.numFmt = EURO
            bars.add_data(Reference(sheet, min_col=2, max_col=len(table.columns) + 1,
                                    min_row=1, max_row=len(table) + 1), titles_from_data=True)
            bars.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=len(table) + 1))
            bars.legend.position = "b"
            bars.width, bars.height = 26, 10
            sheet.add_chart(bars, f"A{last + 2}")
        sheet.column_dimensions["A"].width = 30
        print_setup(sheet)
    return save_workbook(wb, path)
