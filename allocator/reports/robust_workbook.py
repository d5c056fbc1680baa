"""The robust workbook, from a :class:`allocator.studies.robust.Robust`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from allocator.labels import label
from allocator.reports.workbook import (
    EURO,
    PERCENT,
    header,
    print_setup,
    put,
    save_workbook,
)

if TYPE_CHECKING:
    from allocator.studies.robust import Robust


def write_robust_report(result: Robust, path: str | Path, *, lang: str = "nl") -> Path:
    """The scenarios with their regret (and a chart), and the allocation per region, robust
    against the instance's own, in whole euros."""
    wb = Workbook()
    ws = wb.active
    ws.title = label("sheet_scenarios", lang)
    header(ws, 1, [label("scenario", lang), label("probability", lang),
                    label("own_optimum", lang), label("robust_unmet", lang),
                    label("regret", lang), label("nominal_unmet", lang),
                    label("nominal_regret", lang), label("nominal_meets_floor", lang)])
    for i, o in enumerate(result.outcomes, start=2):
        put(ws, i, 1, o.name)
        put(ws, i, 2, o.probability, PERCENT)
        for j, v in enumerate((o.own_optimum_eur, o.robust_unmet_eur, o.regret_eur,
                               o.nominal_unmet_eur, o.nominal_regret_eur), start=3):
            put(ws, i, j, None if v is None else round(v), EURO)
        if o.nominal_meets_floor is not None:
            put(ws, i, 8, label("yes" if o.nominal_meets_floor else "no", lang))
    n = len(result.outcomes)
    put(ws, n + 3, 1, result.text(lang))
    for letter in "ABCDEFGH":
        ws.column_dimensions[letter].width = 24
    if n:
        chart = BarChart()
        chart.title = label("chart_regret", lang)
        chart.y_axis.title = label("regret", lang)
        chart.y_axis.numFmt = EURO
        for col in (5, 7):
            chart.add_data(Reference(ws, min_col=col, min_row=1, max_row=n + 1),
                           titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=n + 1))
        chart.width, chart.height = 24, 10
        ws.add_chart(chart, f"A{n + 5}")
    print_setup(ws)
    if result.optimal:
        table = wb.create_sheet(label("sheet_allocation", lang))
        regions = result.by_region()
        names = result.instance.regions["name"]
        header(table, 1, [label("region", lang), label("robust_plan", lang),
                           label("nominal_plan", lang)])
        for i, (region, row) in enumerate(regions.iterrows(), start=2):
            put(table, i, 1, str(names[region]))
            put(table, i, 2, int(row.get("robust_eur", 0)), EURO)
            put(table, i, 3, int(row.get("nominal_eur", 0)), EURO)
        last = len(regions) + 2
        put(table, last, 1, label("total", lang), bold=True)
        for col, key in ((2, "robust_eur"), (3, "nominal_eur")):
            if key in regions:
                put(table, last, col, int(regions[key].sum()), EURO, bold=True)
        bars = BarChart()
        bars.title = label("chart_robust_plan", lang)
        bars.add_data(Reference(table, min_col=2, max_col=3, min_row=1, max_row=last - 1),
                      titles_from_data=True)
        bars.set_categories(Reference(table, min_col=1, min_row=2, max_row=last - 1))
        bars.y_axis.numFmt = EURO
        bars.width, bars.height = 24, 10
        table.add_chart(bars, "E2")
        table.column_dimensions["A"].width = 30
        for letter in "BC":
            table.column_dimensions[letter].width = 22
        print_setup(table)
    return save_workbook(wb, path)
