"""The compare workbook, from a :class:`allocator.studies.compare.Comparison`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from allocator.labels import label
from allocator.reports.workbook import (
    EURO,
    PERCENT,
    by_region,
    header,
    print_setup,
    put,
    save_workbook,
)

if TYPE_CHECKING:
    from allocator.studies.compare import Comparison


def write_compare_report(c: Comparison, path: str | Path, *, lang: str = "nl") -> Path:
    """The comparison workbook: an overview with a chart, then regions by scenario."""
    wb = Workbook()
    ws = wb.active
    ws.title = label("sheet_overview", lang)
    summary = c.summary()
    keys = [("status", None), ("budget", EURO), ("allocated", EURO), ("unmet_after", EURO),
            ("coverage_min", PERCENT), ("coverage_max", PERCENT), ("fairness_price", EURO),
            ("unallocated", EURO), ("unspent_why", None)]
    header(ws, 1, [label("scenario", lang), *[label(k, lang) for k, _ in keys]])
    for i, (name, row) in enumerate(summary.iterrows(), start=2):
        put(ws, i, 1, str(name))
        values = [label(row["status"], lang), round(row["budget_eur"]), row["allocated_eur"],
                  row["weighted_unmet_eur"], row["lowest_coverage"], row["highest_coverage"],
                  row["price_of_fairness_eur"], row["unspent_eur"],
                  c.results[str(name)].unspent_text(lang) or None]
        for j, (value, (_, fmt)) in enumerate(zip(values, keys, strict=True), start=2):
            put(ws, i, j, None if value is None or pd.isna(value) else
                (round(value) if fmt == EURO else value), fmt)
    n = len(summary)
    for col in "ABCDEFGHI":
        ws.column_dimensions[col].width = 22
    ws.column_dimensions["J"].width = 60
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
            bars.title = label("chart_by_scenario", lang)
            bars.y_axis.numFmt = EURO
            bars.add_data(Reference(sheet, min_col=2, max_col=len(table.columns) + 1,
                                    min_row=1, max_row=len(table) + 1), titles_from_data=True)
            bars.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=len(table) + 1))
            bars.legend.position = "b"
            bars.width = 26
            by_region(bars, len(table))
            sheet.add_chart(bars, f"A{last + 2}")
        sheet.column_dimensions["A"].width = 30
        print_setup(sheet)
    _baselines(wb.create_sheet(label("sheet_baselines", lang)), c, lang)
    return save_workbook(wb, path)


def _baselines(ws: Any, c: Comparison, lang: str) -> None:
    """Per variant, each region's gain (+) or loss (-) against the variant's own budget
    shared pro rata to population, then pro rata to net need."""
    names = c.instance.regions["name"]
    solved = {name: r.baselines() for name, r in c.results.items() if r.optimal}
    row = 1
    for kind in ("pro_rata_population", "pro_rata_need"):
        put(ws, row, 1, f"{label('base_gain', lang)}: {label(f'base_{kind}', lang)}",
            bold=True)
        header(ws, row + 1, [label("region", lang), *solved])
        for i, region in enumerate(c.instance.regions.index, start=row + 2):
            put(ws, i, 1, str(names[region]))
            for j, table in enumerate(solved.values(), start=2):
                put(ws, i, j, int(table.loc[region, f"{kind}_gain_eur"]), EURO)
        row += len(names) + 3
    put(ws, row, 1, label("base_note", lang))
    ws.column_dimensions["A"].width = 30
    for k in range(len(solved)):
        ws.column_dimensions[chr(ord("B") + k)].width = 22
    print_setup(ws)
