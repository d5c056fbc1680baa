"""The sweep workbook, from a :class:`allocator.studies.sweep.Sweep`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from allocator.labels import label, money
from allocator.reports.workbook import (
    EURO,
    EURO_SIGNED,
    PERCENT,
    WRAP,
    euro_scatter,
    header,
    print_setup,
    put,
    save_workbook,
    straight_series,
)

if TYPE_CHECKING:
    from allocator.studies.sweep import Sweep


def write_sweep_report(result: Sweep, path: str | Path, *, lang: str = "nl") -> Path:
    """The curve as a workbook: breakpoints with a chart, and each region's allocation at
    every breakpoint (whole euros, largest-remainder rounded per breakpoint)."""
    from allocator.solving.rounding import largest_remainder

    wb = Workbook()
    ws = wb.active
    ws.title = label("sheet_curve", lang)
    tiers = any(p.tier_penalty_eur is not None for p in result.breakpoints)
    curve = label("objective" if tiers else "unmet_after", lang)
    header(ws, 1, [label("budget", lang), curve, label("marginal_value", lang),
                   *([label("unmet_after", lang), label("tier_penalty", lang)] if tiers
                     else [])])
    for i, p in enumerate(result.breakpoints, start=2):
        put(ws, i, 1, round(p.budget_eur), EURO)
        if not p.optimal:
            put(ws, i, 2, label(p.status, lang))
            continue
        put(ws, i, 2, round(p.objective_eur), EURO)
        put(ws, i, 3, p.marginal_value, "0.0000")
        if tiers:
            put(ws, i, 4, round(p.weighted_unmet_eur), EURO)
            put(ws, i, 5, round(p.tier_penalty_eur or 0.0), EURO)
    n = len(result.breakpoints)
    put(ws, n + 3, 1, result.text(lang))
    for col in "ABCDE" if tiers else "ABC":
        ws.column_dimensions[col].width = 26
    if n > 1:
        chart = euro_scatter(label("chart_curve", lang), label("budget", lang), curve)
        chart.series.append(straight_series(Reference(ws, min_col=2, min_row=2, max_row=n + 1),
                                            Reference(ws, min_col=1, min_row=2, max_row=n + 1),
                                            curve))
        chart.height = 11
        ws.add_chart(chart, "G2" if tiers else "E2")
        bars = BarChart()
        bars.title = label("chart_marginal", lang)
        bars.y_axis.title = label("marginal_value", lang)
        bars.add_data(Reference(ws, min_col=3, min_row=1, max_row=n), titles_from_data=True)
        bars.set_categories(Reference(ws, min_col=1, min_row=2, max_row=n))
        bars.legend = None
        bars.y_axis.scaling.min = 0  # a bar's height is its value, not its excess
        bars.width, bars.height = 24, 9
        ws.add_chart(bars, "G25" if tiers else "E25")
    print_setup(ws)
    if not result.allocations.empty:
        regions = result.instance.regions["name"]
        by = result.allocations.drop(columns="goal").groupby("region", sort=True).sum()
        table = wb.create_sheet(label("sheet_regions_by_budget", lang))
        header(table, 1, [label("region", lang),
                           *[money(float(c), lang) for c in by.columns]])
        # each budget's figures table where the sweep has one (the same whole euros the
        # terminal and the JSON show); else the column rounded once here
        rounded = {c: (result.figures[round(float(c), 2)].regions["amount_eur"].reindex(
            by.index).to_numpy() if round(float(c), 2) in result.figures
            else largest_remainder(by[c].clip(lower=0))) for c in by.columns}
        for i, region in enumerate(by.index, start=2):
            put(table, i, 1, str(regions.get(region, region)))
            for j, c in enumerate(by.columns, start=2):
                put(table, i, j, int(rounded[c][i - 2]), EURO)
        # The budgets as numbers on a row of their own: the x values of the chart.
        axis = len(by.index) + 3
        put(table, axis, 1, label("budget", lang), bold=True)
        for j, c in enumerate(by.columns, start=2):
            put(table, axis, j, round(float(c)), EURO)
        if len(by.columns) > 1:
            lines = euro_scatter(label("chart_regions_by_budget", lang), label("budget", lang),
                                 label("allocated", lang))
            xs = Reference(table, min_col=2, max_col=len(by.columns) + 1, min_row=axis)
            for i, region in enumerate(by.index, start=2):
                lines.series.append(straight_series(
                    Reference(table, min_col=2, max_col=len(by.columns) + 1, min_row=i), xs,
                    str(regions.get(region, region))))
            table.add_chart(lines, f"A{axis + 2}")
        table.column_dimensions["A"].width = 30
        for j in range(2, len(by.columns) + 2):
            table.column_dimensions[get_column_letter(j)].width = 17
        print_setup(table)
    if result.asked and result.figures:
        _envelopes(wb.create_sheet(label("sheet_envelopes", lang)), result, lang)
    return save_workbook(wb, path)


def _envelopes(ws: Worksheet, result: Sweep, lang: str) -> None:
    """Per region and envelope: amount, per inhabitant, coverage after, and the change in
    amount from the envelope before (the figures table's, nothing recomputed)."""
    table = result.envelopes()
    budgets = sorted(table["budget_eur"].unique())
    put(ws, 1, 1, label("envelopes_title", lang), bold=True)
    heads = [label("region", lang)]
    for k, b in enumerate(budgets):
        heads += [f"{money(b, lang)}: {label('allocated', lang)}",
                  label("per_inhabitant", lang), label("coverage_after", lang)]
        if k:
            heads.append(label("envelope_change", lang))
    header(ws, 3, heads)
    ws.row_dimensions[3].height = 45
    for cell in ws[3]:
        cell.alignment = WRAP
    first = table[table["budget_eur"] == budgets[0]].reset_index(drop=True)
    for i, name in enumerate(first["name"], start=4):
        put(ws, i, 1, str(name))
    col = 2
    for k, b in enumerate(budgets):
        part = table[table["budget_eur"] == b].reset_index(drop=True)
        for i, rec in enumerate(part.itertuples(index=False), start=4):
            put(ws, i, col, int(rec.amount_eur), EURO)
            put(ws, i, col + 1, float(rec.per_inhabitant_eur), '"€" #,##0.00')
            put(ws, i, col + 2, float(rec.coverage_after), PERCENT)
            if k:
                put(ws, i, col + 3, int(rec.change_eur), EURO_SIGNED)
        col += 4 if k else 3
    ws.column_dimensions["A"].width = 28
    for j in range(2, col):
        ws.column_dimensions[get_column_letter(j)].width = 15
    print_setup(ws)
