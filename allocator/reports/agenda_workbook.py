"""The agenda as a workbook: who pays what, per year, region and goal.

Sheets: a summary (per year: envelopes, allocated, carried over, weighted unmet need; per
funder: the total, and what the national euro unlocks), one sheet per year (region x
funder, whole euros, with a stacked bar chart), one per funder (region x year), coverage
per year and over the period, and the existing streams with their sources. Amounts are
whole euros by largest remainder per funder and year, so every total is the sum above it.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.worksheet.worksheet import Worksheet

from allocator.labels import label
from allocator.reports.workbook import EURO, PERCENT, header, print_setup, put, save_workbook
from allocator.studies.agenda import AgendaResult


def write_agenda_report(result: AgendaResult, path: str | Path, *, lang: str = "nl") -> Path:
    wb = Workbook()
    ws = wb.active
    _summary(ws, result, lang)
    if result.optimal:
        rounded = result.rounded()
        names = result.agenda.instances[0].regions["name"]
        funder_names = {f.id: f.name for f in result.agenda.funders}
        for year in result.agenda.years:
            table = rounded[rounded["year"] == year].pivot_table(
                index="region", columns="funder", values="amount_eur", aggfunc="sum")
            table = table.reindex(index=list(names.index),
                                  columns=[f.id for f in result.agenda.funders]).fillna(0)
            _matrix(wb.create_sheet(str(year)), table.astype("int64"), names,
                    [funder_names[f] for f in table.columns], lang,
                    label("chart_year", lang).format(year=year))
        for funder in result.agenda.funders:
            table = rounded[rounded["funder"] == funder.id].pivot_table(
                index="region", columns="year", values="amount_eur", aggfunc="sum")
            table = table.reindex(index=list(names.index),
                                  columns=list(result.agenda.years)).fillna(0)
            _matrix(wb.create_sheet(funder.name[:31]), table.astype("int64"), names,
                    [str(y) for y in table.columns], lang,
                    label("chart_funder", lang).format(funder=funder.name))
        _coverage(wb.create_sheet(label("sheet_coverage", lang)), result, names, lang)
        _details(wb.create_sheet(label("sheet_details", lang)), rounded, names,
                 funder_names, result.agenda.instances[0].goals["name"], lang)
    _streams(wb.create_sheet(label("sheet_streams", lang)), result, lang)
    return save_workbook(wb, path)


def _summary(ws: Worksheet, r: AgendaResult, lang: str) -> None:
    ws.title = label("sheet_summary", lang)
    put(ws, 1, 1, label("agenda_title", lang), bold=True)
    put(ws, 2, 1, r.text(lang))
    years = list(r.agenda.years)
    header(ws, 4, ["", *[str(y) for y in years], label("total", lang)])
    envelopes = r.agenda.envelopes.sum(axis=0)
    rows: list[tuple[str, list[float]]] = [(label("envelopes", lang),
                                            [float(envelopes[y]) for y in years])]
    if r.optimal:
        spent = r.by_funder().sum(axis=0)
        rows += [(label("allocated", lang), [float(spent[y]) for y in years]),
                 (label("carried_over", lang),
                  [float(r.carry[y].sum()) if y in r.carry else 0.0 for y in years]),
                 (label("unmet_after", lang), [r.weighted_unmet_eur[y] for y in years])]
    for i, (name, values) in enumerate(rows, start=5):
        put(ws, i, 1, name, bold=True)
        for j, v in enumerate(values, start=2):
            put(ws, i, j, round(v), EURO)
        if name != label("carried_over", lang):
            put(ws, i, len(years) + 2, sum(round(v) for v in values), EURO)
    if r.optimal:
        top = 5 + len(rows) + 1
        header(ws, top, [label("funder", lang), *[str(y) for y in years], label("total", lang)])
        by = r.by_funder()
        names = {f.id: f.name for f in r.agenda.funders}
        for i, (funder, row) in enumerate(by.iterrows(), start=top + 1):
            put(ws, i, 1, names[str(funder)])
            for j, v in enumerate(row, start=2):
                put(ws, i, j, int(v), EURO)
            put(ws, i, len(years) + 2, int(row.sum()), EURO)
        last = top + len(by) + 2
        unlocked = r.unlocked()
        put(ws, last, 1, label("unlocked", lang), bold=True)
        put(ws, last, 2, None if unlocked is None else round(unlocked, 4), "0.00")
    ws.column_dimensions["A"].width = 44
    for col in "BCDEFGH":
        ws.column_dimensions[col].width = 18
    print_setup(ws)


def _matrix(ws: Worksheet, table: object, names: object, columns: list[str], lang: str,
            title: str) -> None:
    import pandas as pd

    assert isinstance(table, pd.DataFrame) and isinstance(names, pd.Series)
    header(ws, 1, [label("region", lang), *columns, label("total", lang)])
    for i, (region, row) in enumerate(table.iterrows(), start=2):
        put(ws, i, 1, str(names[region]))
        for j, v in enumerate(row, start=2):
            put(ws, i, j, int(v), EURO)
        put(ws, i, len(columns) + 2, int(row.sum()), EURO)
    last = len(table) + 2
    put(ws, last, 1, label("total", lang), bold=True)
    for j, col in enumerate(table.columns, start=2):
        put(ws, last, j, int(table[col].sum()), EURO, bold=True)
    put(ws, last, len(columns) + 2, int(table.to_numpy().sum()), EURO, bold=True)
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "bar", "stacked", 100
    chart.title = title
    chart.add_data(Reference(ws, min_col=2, max_col=len(columns) + 1, min_row=1,
                             max_row=last - 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=last - 1))
    chart.x_axis.numFmt = EURO
    chart.width, chart.height = 22, 11
    ws.add_chart(chart, f"A{last + 2}")
    ws.column_dimensions["A"].width = 30
    for j in range(2, len(columns) + 3):
        ws.column_dimensions[chr(64 + j)].width = 17
    print_setup(ws)


def _coverage(ws: Worksheet, r: AgendaResult, names: object, lang: str) -> None:
    header(ws, 1, [label("region", lang), *[str(c) if c != "period" else label("period", lang)
                                            for c in r.coverage.columns]])
    for i, (region, row) in enumerate(r.coverage.iterrows(), start=2):
        put(ws, i, 1, str(names[region]))  # type: ignore[index]
        for j, v in enumerate(row, start=2):
            put(ws, i, j, float(v), PERCENT)
    ws.column_dimensions["A"].width = 30
    print_setup(ws)


def _details(ws: Worksheet, rounded: object, regions: object, funders: dict[str, str],
             goals: object, lang: str) -> None:
    """Every (year, funder, region, goal) amount: who pays what, in full, filterable."""
    import pandas as pd

    assert isinstance(rounded, pd.DataFrame)
    header(ws, 1, [label("year", lang), label("funder", lang), label("region", lang),
                    label("goal", lang), label("amount", lang)])
    shown = rounded[rounded["amount_eur"] != 0]
    for i, row in enumerate(shown.itertuples(index=False), start=2):
        put(ws, i, 1, int(row.year))
        put(ws, i, 2, funders[row.funder])
        put(ws, i, 3, str(regions[row.region]))  # type: ignore[index]
        put(ws, i, 4, str(goals[row.goal]))  # type: ignore[index]
        put(ws, i, 5, int(row.amount_eur), EURO)
    last = len(shown) + 2
    put(ws, last, 1, label("total", lang), bold=True)
    put(ws, last, 5, int(shown["amount_eur"].sum()), EURO, bold=True)
    ws.auto_filter.ref = f"A1:E{last - 1}"
    for col, width in zip("ABCDE", (8, 20, 28, 44, 18), strict=True):
        ws.column_dimensions[col].width = width
    print_setup(ws)


def _streams(ws: Worksheet, r: AgendaResult, lang: str) -> None:
    header(ws, 1, [label("funder", lang), label("region", lang), label("goal", lang),
                    label("year", lang), label("amount", lang), "status", label("source", lang)])
    for i, row in enumerate(r.agenda.streams.itertuples(index=False), start=2):
        put(ws, i, 1, row.funder)
        put(ws, i, 2, row.region)
        put(ws, i, 3, row.goal or label("all_goals", lang))
        put(ws, i, 4, int(row.year))
        put(ws, i, 5, round(row.amount_eur), EURO)
        put(ws, i, 6, row.status)
        put(ws, i, 7, row.source)
    for col, width in zip("ABCDEFG", (14, 26, 20, 8, 16, 12, 80), strict=True):
        ws.column_dimensions[col].width = width
    print_setup(ws)
