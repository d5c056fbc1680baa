"""The Excel report: what a budget officer reads and forwards.

Rendered from a :class:`~allocator.solving.result.Result` alone; amounts are whole euros from
largest-remainder rounding, so every total shown is the sum of the figures above it.
Text from the input is always written as text, never as a formula.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import platform
import re
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, LineChart, Reference, ScatterChart, Series
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from allocator.inputs.instance import STATUSES
from allocator.labels import label, money, number, percent
from allocator.output import atomic_write
from allocator.solving.result import Result
from allocator.text import workbook_safe

EURO = '"€" #,##0'
#: Charts are drawn up to this many regions; beyond it bars become unreadable.
MAX_CHART_REGIONS = 60
#: The inputs sheet lists tables up to this many rows (Excel's own limit is 1,048,576).
MAX_INPUT_ROWS = 100_000
PERCENT = "0.0%"
#: A change in euros, with its sign.
EURO_SIGNED = '+"€" #,##0;-"€" #,##0;"€" 0'
#: A weighing in weighted euros (the tiers' extra weight, the objective): no € sign.
WEIGHT = "#,##0"
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def put(ws: Worksheet, row: int, col: int, value: Any, fmt: str | None = None,
         bold: bool = False) -> Cell:
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        value = workbook_safe(value)  # validation refuses these; text from elsewhere too
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    if fmt:
        cell.number_format = fmt
    if bold:
        cell.font = BOLD
    return cell


def header(ws: Worksheet, row: int, labels: list[str]) -> None:
    for j, text in enumerate(labels, start=1):
        put(ws, row, j, text, bold=True).alignment = WRAP
    ws.freeze_panes = ws.cell(row=row + 1, column=1)
    # Long labels (goal names) wrap; rows do not grow by themselves in every spreadsheet.
    lines = max((len(t) // 16 + 1 for t in labels), default=1)
    ws.row_dimensions[row].height = 15 * min(lines, 4)


def euro_scatter(title: str, x_title: str, y_title: str) -> ScatterChart:
    """A scatter chart with euro axes starting at zero: money against the budget."""
    chart = ScatterChart()
    chart.title = title
    chart.x_axis.title, chart.y_axis.title = x_title, y_title
    chart.x_axis.numFmt = chart.y_axis.numFmt = EURO
    chart.y_axis.scaling.min = 0
    chart.width, chart.height = 24, 12
    return chart


def straight_series(values: Reference, xvalues: Reference, title: str) -> Series:
    """Points joined by straight lines: these curves are piecewise linear."""
    series = Series(values, xvalues, title=workbook_safe(title))
    series.marker.symbol = "circle"
    series.smooth = False
    return series


def eur_text(value: float, lang: str) -> str:
    """An amount inside a sentence, with the thousands separator of the language."""
    return money(value, lang)


def _shown_rule(value: object, lang: str) -> str:
    """A policy value as the rules line shows it: numbers in the language's style
    (minimumdekking = 0,2), tiers with the language's decimal mark, words as they are."""
    if isinstance(value, bool) or value is True:
        return label("yes" if value else "no", lang)
    if isinstance(value, (int, float)):
        return number(value, lang)
    text = str(value)
    return text.replace(".", ",") if lang == "nl" and any(ch.isdigit() for ch in text) else text


def _widths(ws: Worksheet, first: int = 34, rest: int = 18) -> None:
    for j in range(1, ws.max_column + 1):
        ws.column_dimensions[get_column_letter(j)].width = first if j == 1 else rest
    print_setup(ws)


#: Above this many cells the workbook holds the summaries a reader takes in (Samenvatting,
#: the regions with the lowest and the highest coverage, Over) and the full tables go beside
#: it as CSV files (see :func:`companions`): writing two million cells one by one takes
#: openpyxl a minute at 1e5 cells, and Excel stops at 1,048,576 rows.
LARGE_REPORT_CELLS = 20_000
#: The regions the large report lists at each end of the coverage ranking.
LARGE_REPORT_REGIONS = 25


def companions(path: str | Path) -> tuple[Path, Path]:
    """The CSV files a large report writes beside ``path``: per region and per cell."""
    path = Path(path)
    return (path.with_name(f"{path.stem}-regions.csv"), path.with_name(f"{path.stem}-cells.csv"))


def write_report(result: Result, path: str | Path, *, lang: str = "nl",
                 command: str = "") -> Path:
    """Write the report workbook for ``result`` to ``path`` (atomically); above
    :data:`LARGE_REPORT_CELLS` cells, with its full tables as CSV beside it."""
    wb = Workbook()
    _summary(wb.active, result, lang)
    if result.optimal and len(result.instance.needs) > LARGE_REPORT_CELLS:
        _large(wb, result, lang, path)
        _about(wb.create_sheet(label("sheet_about", lang)), result, lang, command)
        return save_workbook(wb, path)
    if result.optimal:
        _why(wb.create_sheet(label("sheet_why", lang)), result, lang)
        _allocation(wb.create_sheet(label("sheet_allocation", lang)), result, lang)
        _summary_chart(wb.active, wb[label("sheet_allocation", lang)], result, lang)
        _coverage(wb.create_sheet(label("sheet_coverage", lang)), result, lang)
        _baselines(wb.create_sheet(label("sheet_baselines", lang)), result, lang)
        _unmet(wb.create_sheet(label("sheet_unmet", lang)), result, lang)
        _constraints(wb.create_sheet(label("sheet_constraints", lang)), result, lang)
    _inputs(wb.create_sheet(label("sheet_inputs", lang)), result, lang)
    if result.instance.need_model is not None:
        _derivation(wb.create_sheet(label("sheet_derivation", lang)), result.instance, lang)
    _provenance(wb.create_sheet(label("sheet_provenance", lang)), result.instance, lang)
    _about(wb.create_sheet(label("sheet_about", lang)), result, lang, command)
    return save_workbook(wb, path)


def _derivation(ws: Worksheet, inst: Any, lang: str) -> None:
    """The need built from verdeelmaatstaven (models.need): which indicator contributed how
    many euros to which cell, with the indicator's value, its unit and the region's share
    of it; each cell's need is the sum of its rows."""
    put(ws, 1, 1, label("derivation_title", lang), bold=True)
    put(ws, 2, 1, label("derivation_note", lang))
    parts = inst.derivation()
    given = inst.indicators.set_index(["region", "indicator"]) if len(
        inst.indicators) else None
    heads = ["region", "goal", "indicator", "value", "unit", "derivation_share",
             "derivation_eur"]
    for j, key in enumerate(heads, start=1):
        put(ws, 4, j, label(key, lang), bold=True)
    region_names = inst.regions["name"].astype(str).to_dict()
    goal_names = inst.goals["name"].astype(str).to_dict()
    for i, row in enumerate(parts.itertuples(index=False), start=5):
        r, name = str(row.region), str(row.indicator)
        if name == "inhabitants":
            value, unit = float(inst.regions.loc[r, "population"]), label("population", lang)
        elif given is not None and (r, name) in given.index:
            value, unit = float(given.loc[(r, name), "value"]), str(given.loc[(r, name),
                                                                                 "unit"])
        else:
            value, unit = None, ""
        put(ws, i, 1, region_names.get(r, r))
        put(ws, i, 2, goal_names.get(str(row.goal), str(row.goal)))
        # the built-in measure in the reader's words; the instance's own by their ids
        put(ws, i, 3, label("population", lang).lower() if name == "inhabitants" else name)
        put(ws, i, 4, value, "#,##0.###")
        put(ws, i, 5, unit)
        put(ws, i, 6, float(row.share), PERCENT)
        put(ws, i, 7, float(row.need_eur), EURO)
    for letter, width in zip("ABCDEFG", (24, 30, 20, 14, 12, 14, 18), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A5"
    print_setup(ws)


def _large(wb: Workbook, r: Result, lang: str, path: str | Path) -> None:
    """The large report: the regions with the lowest and the highest coverage after the
    allocation in the workbook, every region and every cell in CSV files beside it."""
    from allocator.output import write_csv

    f = r.figures
    assert f is not None
    regions = f.regions.reset_index()[[
        "region", "name", "population", "need_eur", "existing_eur", "amount_eur",
        "coverage_before", "coverage_after", "per_inhabitant_eur", "unmet_eur",
        "weighted_unmet_eur"]].rename(columns={"amount_eur": "allocated_eur"})
    cells = f.cells[["region", "goal", "need_eur", "existing_eur", "amount_eur",
                     "unmet_eur", "coverage_before", "coverage_after",
                     "weighted_unmet_eur"]].rename(columns={"amount_eur": "allocated_eur"})
    by_region, by_cell = companions(path)
    write_csv(by_region, regions)
    write_csv(by_cell, cells)
    ws = wb.create_sheet(label("sheet_large", lang))
    put(ws, 1, 1, label("large_note", lang).format(
        n=f"{len(cells):,}", regions=by_region.name, cells=by_cell.name,
        k=LARGE_REPORT_REGIONS), bold=True)
    heads = [label("region", lang), label("population", lang), label("need", lang),
             label("existing", lang), label("allocated", lang), label("per_inhabitant", lang),
             label("coverage_before", lang), label("coverage_after", lang)]
    ranked = regions.sort_values(["coverage_after", "region"])
    row = 3
    for title, part in ((label("large_lowest", lang), ranked.head(LARGE_REPORT_REGIONS)),
                        (label("large_highest", lang), ranked.tail(LARGE_REPORT_REGIONS)[::-1])):
        put(ws, row, 1, title, bold=True)
        header(ws, row + 1, heads)
        for i, rec in enumerate(part.itertuples(index=False), start=row + 2):
            put(ws, i, 1, rec.name)
            put(ws, i, 2, int(rec.population), "#,##0")
            for j, value in ((3, rec.need_eur), (4, rec.existing_eur), (5, rec.allocated_eur)):
                put(ws, i, j, round(float(value)), EURO)
            put(ws, i, 6, round(float(rec.per_inhabitant_eur), 2), '"€" #,##0.00')
            put(ws, i, 7, float(rec.coverage_before), PERCENT)
            put(ws, i, 8, float(rec.coverage_after), PERCENT)
        row += len(part) + 3
    _widths(ws)
    ws.column_dimensions["A"].width = 40


def report_time() -> datetime:
    """Now, or ``SOURCE_DATE_EPOCH`` when set: the reproducible-builds convention, so that
    two runs on the same instance can be compared byte for byte."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC).replace(microsecond=0)


#: A column's width when the sheet sets none (Excel's and LibreOffice's default), and the
#: height of one line of text in points.
DEFAULT_WIDTH = 8.43
LINE_POINTS = 13.5
#: Sheets up to this many cells get every text wrapped for print (a data sheet of an
#: instance at scale is a table to read on screen, and would cost seconds).
PRINT_WRAP_CELLS = 60_000


def for_print(wb: Workbook) -> None:
    """Every sheet prints legibly on A4: every text wraps inside its column (a label or a
    sentence never runs into the next column or is cut), aligned to the top, and every
    sheet fits the page width (``tests/test_print.py`` renders the reports in LibreOffice
    and checks that every text prints whole)."""
    import textwrap

    aligned: dict[Any, Alignment] = {}
    wrapped_lines: dict[tuple[str, int], int] = {}  # a text wraps alike in alike columns
    for ws in wb.worksheets:
        if ws.max_row * ws.max_column > PRINT_WRAP_CELLS:
            continue
        texts = []
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value:
                    texts.append((cell, cell.value))
                elif cell.value is not None and cell.alignment.vertical is None:
                    # a number beside a long text stands at the top of the row with it
                    key = ("n", cell.alignment.horizontal)
                    if key not in aligned:
                        aligned[key] = Alignment(horizontal=cell.alignment.horizontal,
                                                 vertical="top")
                    cell.alignment = aligned[key]
        # a column at least as wide as its longest word (a header is never cut mid-word)
        longest: dict[str, int] = {}
        merged = {c for r in ws.merged_cells.ranges for row in r.rows for c in row}
        for cell, text in texts:
            if merged and (cell.row, cell.column) in merged:
                continue
            word = max((len(w) for w in text.split()), default=0)
            longest[cell.column_letter] = max(longest.get(cell.column_letter, 0), word)
        for letter, word in longest.items():
            dim = ws.column_dimensions[letter]
            wanted = min(word * (1.15 if ws[f"{letter}1"].font.b else 1.0) + 2, 60)
            if (dim.width or DEFAULT_WIDTH) < wanted:
                dim.width = wanted
        # every text wrapped inside its column, each row as tall as its longest text
        lines: dict[int, int] = {}
        for cell, text in texts:
            key = cell.alignment.horizontal
            if key not in aligned:
                aligned[key] = Alignment(horizontal=key, wrap_text=True, vertical="top")
            cell.alignment = aligned[key]
            width = ws.column_dimensions[cell.column_letter].width or DEFAULT_WIDTH
            chars = max(int(width * 0.95) - 1, 4)
            wrapped = wrapped_lines.get((text, chars))
            if wrapped is None:
                wrapped = wrapped_lines[text, chars] = sum(
                    len(textwrap.wrap(part, chars) or [""]) for part in text.split("\n"))
            lines[cell.row] = max(lines.get(cell.row, 1), wrapped)
        for r, n in lines.items():
            height = LINE_POINTS * n + 3
            if n > 1 and (ws.row_dimensions[r].height or 0) < height:
                ws.row_dimensions[r].height = height
        if not ws.sheet_properties.pageSetUpPr or not ws.sheet_properties.pageSetUpPr.fitToPage:
            print_setup(ws)


def save_workbook(wb: Workbook, path: str | Path) -> Path:
    """Write ``wb`` atomically, laid out for print (:func:`for_print`), with reproducible
    timestamps (see :func:`report_time`)."""
    for_print(wb)
    return atomic_write(path, lambda tmp: save_reproducibly(wb, tmp, report_time()))


def save_reproducibly(wb: Workbook, path: Path, when: datetime) -> None:
    """Save with every timestamp set to ``when``: document properties and zip entries.

    openpyxl stamps each zip member with the wall clock, so two saves of one workbook differ
    in their bytes; rewriting the archive with one date makes the bytes a function of the
    content and ``when`` alone.
    """
    wb.properties.created = when.replace(tzinfo=None)
    buffer = io.BytesIO()
    wb.save(buffer)  # openpyxl sets "modified" to the wall clock here; rewritten below
    stamp = when.timetuple()[:6]
    w3c = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + w3c.encode() + rb"\g<2>", data)
            info = zipfile.ZipInfo(item.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = item.external_attr
            dst.writestr(info, data)


def _summary(ws: Worksheet, r: Result, lang: str) -> None:
    ws.title = label("sheet_summary", lang)
    put(ws, 1, 1, label("title", lang), bold=True)
    rows: list[tuple[str, Any, str | None]] = [
        (label("instance", lang), r.instance.name, None),
        (label("status", lang), label(r.status.value, lang), None),
        (label("budget", lang), round(r.budget_eur), EURO),
    ]
    if r.optimal:
        f = r.figures
        assert f is not None
        t = f.total
        cov = f.regions["coverage_after"].dropna()
        h = r.headline()
        rows += [
            (label("allocated", lang), t["amount_eur"], EURO),
            (label("unallocated", lang), round(f.unspent.eur), EURO),
            *([(label("unspent_why", lang), r.unspent_text(lang), None)]
              if f.unspent.reason != "none" else []),
            (label("plain_unmet_before", lang), round(h["unmet_before_eur"]), EURO),
            (label("plain_unmet_after", lang), round(h["unmet_after_eur"]), EURO),
            (label("coverage_all_before", lang), h["coverage_before"], PERCENT),
            (label("coverage_all_after", lang), h["coverage_after"], PERCENT),
            (label("per_head_lowest", lang), label("per_head_text", lang).format(
                value=money(h["per_inhabitant_lowest_eur"], lang, 2),
                region=h["per_inhabitant_lowest_region"]), None),
            (label("per_head_highest", lang), label("per_head_text", lang).format(
                value=money(h["per_inhabitant_highest_eur"], lang, 2),
                region=h["per_inhabitant_highest_region"]), None),
            (label("unmet_before", lang), t["weighted_unmet_before_eur"], EURO),
            (label("unmet_after", lang), t["weighted_unmet_eur"], EURO),
            *([(label("tier_penalty", lang), t["tier_penalty_eur"], WEIGHT),
               (label("objective", lang), t["weighted_unmet_eur"] + t["tier_penalty_eur"],
                WEIGHT),
               (label("tier_penalty_note", lang), label("tier_penalty_text", lang), None)]
              if t["tier_penalty_eur"] is not None else []),
            (label("coverage_min", lang), float(cov.min()) if len(cov) else None, PERCENT),
            (label("coverage_max", lang), float(cov.max()) if len(cov) else None, PERCENT),
            (label("marginal", lang), r.next_text(lang), None),
        ]
        if r.weight_sensitivity is not None:
            names = {**r.instance.regions["name"].astype(str).to_dict(),
                     **r.instance.goals["name"].astype(str).to_dict()}
            rows.append((label("weight_sensitivity", lang),
                         r.weight_sensitivity.sentence(lang, names), None))
        cofinancing = r.cofinancing()
        if not cofinancing.empty:
            rows += [(label("cofinancing_regional", lang),
                      int(cofinancing["regional_eur"].sum()), EURO),
                     (label("total_investment", lang), int(cofinancing["total_eur"].sum()), EURO)]
        if r.certificate:
            c = r.certificate
            rows.append((label("certificate", lang), label("certificate_text", lang).format(
                violation=money(c.max_violation_eur, lang, 2),
                gap=number(float(f"{c.duality_gap:.1e}"), lang)), None))
    price = r.price_of_fairness
    if r.optimal and price is not None and price.per_rule_eur:
        rows.append((label("fairness_price", lang), label("fairness_price_text", lang).format(
            value=eur_text(price.total_eur, lang), share=percent(price.total_share, lang, 1)),
            None))
        for rule, cost in price.per_rule_eur.items():
            text = label("fairness_rule_text", lang).format(value=eur_text(cost, lang))
            if rule in price.per_rule_step:
                step, step_cost = price.per_rule_step[rule]
                text += label("fairness_step_text", lang).format(
                    step=label(step, lang), value=eur_text(step_cost, lang))
            rows.append(("  " + label(rule, lang), text, None))
    note = r.explanation(lang)
    if note:  # the engine's notes (a skipped tie-break stage) or why there is no allocation
        rows.append((label("message", lang), note, None))
    rules = r.instance.policy.rules_in_force()
    text = "; ".join(f"{label(k, lang)} = {_shown_rule(v, lang)}" for k, v in rules.items())
    rows.append((label("rules", lang), text or label("no_rules", lang), None))
    for i, (name, value, fmt) in enumerate(rows, start=3):
        put(ws, i, 1, name, bold=True)
        put(ws, i, 2, value, fmt)
    ws.column_dimensions["A"].width = 46
    ws.column_dimensions["B"].width = 70
    print_setup(ws)


def _why(ws: Worksheet, r: Result, lang: str) -> None:
    """Why each region gets what it gets, in a sentence or two (allocator.studies.why)."""
    header(ws, 1, [label("region", lang), label("allocated", lang),
                   label("per_inhabitant", lang), label("held_by", lang),
                   label("why_text", lang), label("why_detail", lang)])
    floor = r.instance.policy.coverage_floor
    from allocator.studies.why import reasons

    for i, w in enumerate(reasons(r), start=2):
        put(ws, i, 1, w.name)
        put(ws, i, 2, round(w.amount_eur), EURO)
        put(ws, i, 3, round(w.per_inhabitant_eur, 2), '"€" #,##0.00')
        put(ws, i, 4, label(f"held_{w.held_by}", lang))
        put(ws, i, 5, w.sentence(lang, floor)).alignment = WRAP
        put(ws, i, 6, w.detail(lang)).alignment = WRAP
        ws.row_dimensions[i].height = 90
    for letter, width in zip("ABCDEF", (28, 16, 14, 26, 110, 50), strict=True):
        ws.column_dimensions[letter].width = width
    print_setup(ws)


def print_setup(ws: Worksheet) -> None:
    """Landscape A4, fit to the page width."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def by_region(chart: Any, n: int) -> None:
    """A bar chart over regions as horizontal bars, first region on top, tall enough for
    every name to print whole (columns turn long names on their side and cut them)."""
    chart.type = "bar"
    chart.x_axis.scaling.orientation = "maxMin"
    chart.height = max(8.0, 0.7 * n + 3.0)


def upright_labels(chart: Any) -> None:
    """Category names at 45 degrees, so that a column chart with a line over it (which
    cannot turn on its side) still prints each name whole."""
    from openpyxl.chart.text import RichText
    from openpyxl.drawing.text import (
        CharacterProperties,
        Paragraph,
        ParagraphProperties,
        RichTextProperties,
    )

    chart.x_axis.txPr = RichText(
        bodyPr=RichTextProperties(rot=-2700000, vert="horz"),
        p=[Paragraph(pPr=ParagraphProperties(defRPr=CharacterProperties(sz=800)),
                     endParaRPr=CharacterProperties(sz=800))])


def _summary_chart(ws: Worksheet, allocation: Worksheet, r: Result, lang: str) -> None:
    """The key chart on Samenvatting (euros per inhabitant per region, from the Verdeling
    sheet), and the page set to print on one A4."""
    from openpyxl.chart import BarChart, Reference

    n = len(r.instance.regions)
    column = len(r.instance.goals) + 3  # Verdeling's "per inhabitant"
    chart = BarChart()
    chart.title = label("chart_per_inhabitant", lang)
    chart.y_axis.numFmt = EURO
    chart.legend = None
    chart.add_data(Reference(allocation, min_col=column, min_row=2, max_row=n + 1))
    chart.set_categories(Reference(allocation, min_col=1, min_row=2, max_row=n + 1))
    chart.width = 22
    by_region(chart, n)
    ws.add_chart(chart, f"A{ws.max_row + 2}")
    ws.page_setup.fitToHeight = 1


def _allocation(ws: Worksheet, r: Result, lang: str) -> None:
    m = r.matrix()
    goals = r.instance.goals
    regions = r.instance.regions
    header(ws, 1, [label("region", lang), *[str(goals.loc[g, "name"]) for g in m.columns],
                    label("total", lang), label("per_inhabitant", lang)])
    for i, (region, row) in enumerate(m.iterrows(), start=2):
        put(ws, i, 1, str(regions.loc[region, "name"]))
        for j, amount in enumerate(row, start=2):
            put(ws, i, j, int(amount), EURO)
        fig = r.figures.regions.loc[str(region)]  # type: ignore[union-attr]
        put(ws, i, len(m.columns) + 2, int(fig["amount_eur"]), EURO)
        put(ws, i, len(m.columns) + 3, float(fig["per_inhabitant_eur"]), '"€" #,##0.00')
    last = len(m) + 2
    put(ws, last, 1, label("total", lang), bold=True)
    for j, amount in enumerate(m.sum(axis=0), start=2):
        put(ws, last, j, int(amount), EURO, bold=True)
    put(ws, last, len(m.columns) + 2, int(m.to_numpy().sum()), EURO, bold=True)
    _widths(ws)
    if 0 < len(m) <= MAX_CHART_REGIONS:
        chart = BarChart()
        chart.grouping, chart.overlap = "stacked", 100
        chart.title = label("chart_allocation", lang)
        chart.y_axis.numFmt = EURO
        chart.y_axis.title = "€"
        chart.add_data(Reference(ws, min_col=2, max_col=len(m.columns) + 1, min_row=1,
                                 max_row=len(m) + 1), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(m) + 1))
        chart.legend.position = "b"
        chart.width = 26
        by_region(chart, len(m))
        ws.add_chart(chart, f"A{last + 2}")


def _baselines(ws: Worksheet, r: Result, lang: str) -> None:
    """Gains and losses per region against simple rules with the same budget, with a
    chart of the gains."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.series import SeriesLabel

    table = r.baselines()
    names = r.instance.regions["name"].astype(str)
    kinds = [k for k in ("pro_rata_population", "pro_rata_need", "reference")
             if f"{k}_eur" in table]
    head = [label("region", lang), label("allocated", lang)]
    for k in kinds:
        head += [label(f"base_{k}", lang), label("base_gain", lang)]
    header(ws, 1, head)
    for i, (region, row) in enumerate(table.iterrows(), start=2):
        put(ws, i, 1, str(names[region]))
        put(ws, i, 2, int(row["allocated_eur"]), EURO)
        for j, k in enumerate(kinds):
            put(ws, i, 3 + 2 * j, int(row[f"{k}_eur"]), EURO)
            put(ws, i, 4 + 2 * j, int(row[f"{k}_gain_eur"]), EURO)
    last = len(table) + 1
    put(ws, last + 2, 1, label("base_note", lang))
    chart = BarChart()
    chart.title = label("base_chart", lang)
    chart.y_axis.numFmt = EURO
    for j, k in enumerate(kinds[:2]):  # the gains against the two pro-rata rules
        chart.add_data(Reference(ws, min_col=4 + 2 * j, min_row=2, max_row=last))
        chart.series[-1].tx = SeriesLabel(v=label(f"base_{k}", lang))
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=last))
    chart.width = 24
    by_region(chart, last - 1)
    ws.add_chart(chart, f"A{last + 4}")
    _widths(ws)
    print_setup(ws)


def _coverage(ws: Worksheet, r: Result, lang: str) -> None:
    c = r.figures.regions  # type: ignore[union-attr]
    header(ws, 1, [label("region", lang), label("population", lang), label("need", lang),
                    label("existing", lang), label("allocated", lang),
                    label("coverage_before", lang), label("coverage_after", lang),
                    label("floor", lang)])
    for i, rec in enumerate(c.itertuples(index=False)):
        row = i + 2
        put(ws, row, 1, str(rec.name))
        put(ws, row, 2, int(rec.population), "#,##0")
        put(ws, row, 3, int(rec.need_eur), EURO)
        put(ws, row, 4, int(rec.existing_eur), EURO)
        put(ws, row, 5, int(rec.amount_eur), EURO)
        for j, value in ((6, rec.coverage_before), (7, rec.coverage_after)):
            put(ws, row, j, None if value != value else float(value), PERCENT)
        put(ws, row, 8, r.instance.policy.coverage_floor, PERCENT)
    _widths(ws)
    n = len(c.index)
    if n:
        # The weakest regions stand out: red at the lowest coverage, green at the highest.
        ws.conditional_formatting.add(f"G2:G{n + 1}", ColorScaleRule(
            start_type="min", start_color="F8696B", mid_type="percentile", mid_value=50,
            mid_color="FFEB84", end_type="max", end_color="63BE7B"))
    if 0 < n <= MAX_CHART_REGIONS:
        bars = BarChart()
        bars.type = "col"
        bars.title = label("chart_coverage", lang)
        bars.y_axis.numFmt = "0%"
        bars.y_axis.scaling.min = 0
        bars.add_data(Reference(ws, min_col=7, min_row=1, max_row=n + 1), titles_from_data=True)
        bars.set_categories(Reference(ws, min_col=1, min_row=2, max_row=n + 1))
        floor = LineChart()
        floor.add_data(Reference(ws, min_col=8, min_row=1, max_row=n + 1), titles_from_data=True)
        bars += floor
        bars.legend.position = "b"
        bars.width, bars.height = 24, 12
        upright_labels(bars)
        ws.add_chart(bars, f"A{n + 3}")


def _constraints(ws: Worksheet, r: Result, lang: str) -> None:
    """Every rule and cap: its value, its bound, whether it binds, its shadow price, and what
    that price means in words (what a small change of the rule would do)."""
    header(ws, 1, [label("rule", lang), label("for", lang), label("value", lang),
                    label("bound", lang), label("binding", lang), label("shadow", lang),
                    label("meaning", lang)])
    names = {**r.instance.regions["name"].to_dict(), **r.instance.goals["name"].to_dict()}
    for i, row in enumerate(r.constraints.itertuples(index=False), start=2):
        rule = "budget_rule" if row.rule == "budget" else row.rule
        money = row.rule != "coverage_gap"
        name = (f"{label('shortfall_tier', lang)} {row.rule.rsplit('_', 1)[1]}"
                if row.rule.startswith("shortfall_tier_") else label(rule, lang))
        bound = row.upper if abs(row.upper - row.activity) <= abs(row.activity - row.lower) \
            else row.lower
        value, fmt = float(row.activity), EURO if money else PERCENT
        value, bound, fmt = _in_user_units(row, r, value, bound, fmt)
        put(ws, i, 1, name)
        put(ws, i, 2, str(names.get(row.id, row.id)))
        put(ws, i, 3, value, fmt)
        put(ws, i, 4, None if bound is None or not math.isfinite(bound) else float(bound), fmt)
        put(ws, i, 5, label("yes" if row.binding else "no", lang))
        put(ws, i, 6, float(row.dual), "0.0000")
        put(ws, i, 7, _meaning(row, r, lang))
    _widths(ws)
    ws.column_dimensions["G"].width = 70
    for cells in ws.iter_rows(min_row=2, min_col=7, max_col=7):
        cells[0].alignment = WRAP


def _in_user_units(row: Any, r: Result, value: float, bound: float, fmt: str
                   ) -> tuple[float, float | None, str]:
    """A rule row's value and bound as the user states the rule, not as the LP row reads:
    the budget as allocated against the budget; a coverage floor as the region's coverage
    against the floor; a shortfall tier as the region's unmet share against the tier's
    threshold."""
    policy = r.instance.policy
    if row.rule == "budget":
        return r.allocated_eur, policy.budget_eur, EURO
    coverage = r.coverage["coverage"]
    if row.rule == "coverage_floor" and row.id in coverage.index:
        return float(coverage[row.id]), policy.coverage_floor, PERCENT
    if row.rule.startswith("shortfall_tier_") and row.id in coverage.index:
        j = int(row.rule.rsplit("_", 1)[1]) - 1
        tiers = policy.shortfall_tiers or ()
        if j < len(tiers):
            return max(0.0, 1.0 - float(coverage[row.id])), tiers[j][0], PERCENT
    return value, bound, fmt


def _meaning(row: Any, r: Result, lang: str) -> str:
    """The shadow price of one rule in words, in weighted euros of unmet need: what the
    rule's step costs at this row (``step_eur``, from the rule's own step)."""
    if not row.binding and row.rule != "budget":
        return label("not_binding", lang)
    y = abs(float(row.dual))

    def eur(value: float) -> str:
        return eur_text(value, lang)

    if row.rule == "budget":
        if r.next_million is not None:
            return r.next_million.sentence(lang, "explain_budget")
        return label("explain_budget", lang).format(value=eur((r.marginal_value or 0) * 1e6))
    if row.rule in ("coverage_low", "coverage_high"):
        return label("explain_low" if row.rule == "coverage_low" else "explain_high", lang)
    if row.rule == "cap":
        return label("explain_cap", lang).format(value=eur(y * 1000))
    if not pd.isna(row.step_eur):  # a rule's step (models.rules), priced at this row
        return label(f"explain_{row.rule}", lang).format(value=eur(float(row.step_eur)))
    if row.rule.startswith("shortfall_tier_"):
        return label("explain_tier", lang).format(value=f"{number(round(y, 2), lang)}×")
    return ""


def _unmet(ws: Worksheet, r: Result, lang: str) -> None:
    """Unmet need per cell and per region, in whole euros that add up, and as a share."""
    cells = r.figures.cells  # type: ignore[union-attr]
    needs = r.instance.needs
    net = cells["net_need_eur"].to_numpy(np.int64)
    given = cells["amount_eur"].to_numpy(np.int64)
    short = cells["unmet_eur"].to_numpy(np.int64)
    regions, goals = r.instance.regions["name"], r.instance.goals["name"]
    put(ws, 1, 1, label("per_cell", lang), bold=True)
    header(ws, 2, [label("region", lang), label("goal", lang), label("net_need", lang),
                    label("allocated", lang), label("unmet", lang), label("unmet_share", lang)])
    region_ids = needs["region"].astype(str).to_numpy()
    goal_ids = needs["goal"].astype(str).to_numpy()
    for i in range(len(needs)):
        row = i + 3
        put(ws, row, 1, str(regions[region_ids[i]]))
        put(ws, row, 2, str(goals[goal_ids[i]]))
        put(ws, row, 3, int(net[i]), EURO)
        put(ws, row, 4, int(given[i]), EURO)
        put(ws, row, 5, int(short[i]), EURO)
        put(ws, row, 6, float(short[i] / net[i]) if net[i] else None, PERCENT)
    last = len(needs) + 3
    put(ws, last, 1, label("total", lang), bold=True)
    for col, values in ((3, net), (4, given), (5, short)):
        put(ws, last, col, int(values.sum()), EURO, bold=True)
    # Per region, beside the cells: sums of the rounded cells, so both tables agree.
    frame = pd.DataFrame({"region": region_ids, "net": net, "given": given, "short": short})
    by_region = frame.groupby("region", sort=False)[["net", "given", "short"]].sum()
    left = 8
    put(ws, 1, left, label("per_region", lang), bold=True)
    for j, text in enumerate([label("region", lang), label("net_need", lang),
                              label("allocated", lang), label("unmet", lang),
                              label("unmet_share", lang)]):
        put(ws, 2, left + j, text, bold=True)
    for i, (region, row) in enumerate(by_region.iterrows(), start=3):
        put(ws, i, left, str(regions[region]))
        put(ws, i, left + 1, int(row["net"]), EURO)
        put(ws, i, left + 2, int(row["given"]), EURO)
        put(ws, i, left + 3, int(row["short"]), EURO)
        put(ws, i, left + 4, float(row["short"] / row["net"]) if row["net"] else None, PERCENT)
    _widths(ws)
    for letter in ("B", "H"):
        ws.column_dimensions[letter].width = 34


def _row_notes(frame: pd.DataFrame, figures: list[tuple[str, str]]) -> pd.DataFrame:
    """Per row, the status and source of the figures shown (``figures``: column and its
    label): one text where the figures agree, "label: text" for each where they do not,
    so a weight never shows its row's population status."""
    from allocator.inputs.instance import figure_note

    out = pd.DataFrame(index=frame.index)
    present = {name: frame[column].notna().to_numpy() for column, name in figures
               if column in frame}  # a cap left blank is no figure
    for note in ("status", "source"):
        per = {name: figure_note(frame, column, note) for column, name in figures
               if column in frame}
        texts = []
        for i in range(len(frame)):
            shown = [n for n in per if present[n][i]]
            given = {n: per[n][i] for n in shown if per[n][i] is not None}
            values = set(given.values())
            texts.append(None if not given else next(iter(values)) if len(values) == 1
                         and len(given) == len(shown) else "; ".join(
                             f"{n}: {v}" for n, v in given.items()))
        out[note] = texts
    return out


def _inputs(ws: Worksheet, r: Result, lang: str) -> None:
    """The validated inputs as read, with the status and source of each figure (the
    sheet Herkomst lists them one by one, with their alternatives)."""
    inst = r.instance
    row = 1

    def shown(frame: pd.DataFrame, columns: list[tuple[str, str, str | None]]
              ) -> pd.DataFrame:
        figures = [(c, text.lower()) for c, text, fmt in columns if fmt is not None]
        return pd.concat([frame, _row_notes(frame, figures)[["status", "source"]]
                          .set_axis(["_status", "_source"], axis=1)], axis=1)

    columns = [("region", label("id", lang), None), ("name", label("name", lang), None),
               ("population", label("population", lang), "#,##0"),
               ("weight", label("weight", lang), "0.00")]
    row = _block(ws, row, label("regions_title", lang),
                 shown(inst.regions.reset_index(), columns), columns,
                 ["_status", "_source"], lang)
    columns = [("goal", label("id", lang), None), ("name", label("name", lang), None),
               ("weight", label("weight", lang), "0.00"),
               ("min_share", label("min_share_col", lang), PERCENT),
               ("max_share", label("max_share_col", lang), PERCENT)]
    row = _block(ws, row, label("goals_title", lang),
                 shown(inst.goals.reset_index(), columns), columns,
                 ["_status", "_source"], lang)
    columns = [("region", label("region", lang), None), ("goal", label("goal", lang), None),
               ("need_eur", label("need", lang), EURO),
               ("existing_eur", label("existing", lang), EURO),
               ("cap_eur", label("cap_col", lang), EURO)]
    needs = inst.needs if len(inst.needs) <= MAX_INPUT_ROWS else inst.needs.iloc[:0]
    row = _block(ws, row, label("needs_title", lang), shown(needs, columns)
                 if len(inst.needs) <= MAX_INPUT_ROWS else inst.needs, columns,
                 ["_status", "_source"] if len(inst.needs) <= MAX_INPUT_ROWS else [], lang)
    policy = effective_policy(inst, lang)
    notes = [c for c in ("status", "source") if c in policy]
    row = _block(ws, row, label("policy_title", lang), policy,
                 [("key", label("key", lang), None), ("value", label("value", lang), None)],
                 notes, lang)
    legend = pd.DataFrame({"key": list(STATUSES),
                           "value": [label(f"status_{s.lower()}", lang) for s in STATUSES]})
    row = _block(ws, row, label("legend_title", lang), legend,
                 [("key", label("data_status", lang), None),
                  ("value", label("meaning", lang), None)], [], lang)
    if inst.sources is not None and len(inst.sources.columns) >= 2:
        # the instance's own sources table, less its legend rows (the four statuses above)
        notes = inst.sources.iloc[:, :2].set_axis(["key", "value"], axis=1)
        notes = notes[~notes["key"].astype(str).str.strip().str.upper().isin(
            [*STATUSES, "MARKER", "FIGURE", ""])]
        if len(notes):
            _block(ws, row, label("sources_title", lang), notes,
                   [("key", label("figure", lang), None),
                    ("value", label("data_source", lang), None)], [], lang)
    _widths(ws, first=28, rest=16)
    ws.column_dimensions["G"].width = 14
    ws.column_dimensions["H"].width = 100


def _provenance(ws: Worksheet, inst: Any, lang: str) -> None:
    """Every figure of the instance on a row of its own: table, id, column, value, status,
    source and alternative (docs/format.md#status-and-source)."""
    from allocator.inputs.names import shown_column, shown_table

    figures = inst.figures()
    put(ws, 1, 1, label("provenance_title", lang), bold=True)
    heads = ["prov_table", "id", "prov_column", "value", "data_status", "data_source",
             "alternative"]
    for j, key in enumerate(heads, start=1):
        put(ws, 2, j, label(key, lang), bold=True)
    if len(figures) > MAX_INPUT_ROWS:
        put(ws, 3, 1, label("too_large", lang).format(n=f"{len(figures):,}"))
        return
    for i, f in enumerate(figures.itertuples(index=False), start=3):
        put(ws, i, 1, shown_table(f.table, lang))
        put(ws, i, 2, str(f.id))
        put(ws, i, 3, shown_column(f.column, lang))
        for j, value in ((4, f.value), (5, f.status), (6, f.source), (7, f.alternative)):
            put(ws, i, j, _cell(value))
    for letter, width in zip("ABCDEFG", (14, 30, 18, 16, 12, 90, 16), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A3"
    print_setup(ws)


def effective_policy(inst: Any, lang: str) -> pd.DataFrame:
    """The policy this run applied (the sheet, then the preset, then the flags): every key
    the sheet gives or the run sets, its value as applied, and its status and source — the
    sheet's where the value is the sheet's, "set for this run" where a preset or a flag
    changed it."""
    from allocator.inputs.instance import POLICY_KEYS, Policy, format_tiers

    sheet = inst.policy_notes if inst.policy_notes is not None else pd.DataFrame(
        columns=["key", "value"])
    given = {str(k): i for i, k in enumerate(sheet["key"])} if len(sheet) else {}
    applied = inst.policy.model_dump()
    defaults = {k: f.default for k, f in Policy.model_fields.items()}
    rows = []
    for key in POLICY_KEYS:
        value = applied[key]
        if key not in given and value == defaults.get(key):
            continue
        shown: object = value
        if key == "shortfall_tiers" and value is not None:
            shown = format_tiers(value)
        elif isinstance(value, bool):
            shown = label("yes" if value else "no", lang)
        elif value is None:
            shown = label("none", lang)
        row = {"key": key, "value": shown}
        as_read = None
        if key in given:
            i = given[key]
            try:  # the sheet's own value, read as the policy reads it
                from allocator.inputs.validate import _policy_value

                as_read = _policy_value(key, sheet["value"].iat[i], None)
            except Exception:  # noqa: BLE001 - a value the sheet wrote differently
                as_read = None
            for note in ("status", "source"):
                if note in sheet:
                    row[note] = sheet[note].iat[i]
        same = key in given and (as_read == value or (
            isinstance(as_read, float) and isinstance(value, float)
            and math.isclose(as_read, value, rel_tol=1e-12)))
        if not same:
            row["status"] = label("set_for_run", lang)
            row["source"] = label("set_for_run_source", lang)
        rows.append(row)
    return pd.DataFrame(rows, columns=["key", "value", "status", "source"])


def _block(ws: Worksheet, row: int, title: str, frame: pd.DataFrame,
           columns: list[tuple[str, str, str | None]], notes: list[str], lang: str) -> int:
    """One titled table of the inputs sheet; returns the next free row."""
    put(ws, row, 1, title, bold=True)
    heads = [text for _, text, _ in columns] + [label(f"data_{n.strip('_')}", lang)
                                                for n in notes]
    # Status and source go to fixed columns G and H, so every block lines up.
    positions = list(range(1, len(columns) + 1)) + [7, 8][: len(notes)]
    for j, text in zip(positions, heads, strict=True):
        put(ws, row + 1, j, text, bold=True)
    if len(frame) > MAX_INPUT_ROWS:
        put(ws, row + 2, 1, label("too_large", lang).format(n=f"{len(frame):,}"))
        return row + 4
    data = {key: frame[key].tolist() for key, _, _ in columns if key in frame}
    data.update({n: frame[n].tolist() for n in notes})
    for i in range(len(frame)):
        for j, (key, _, fmt) in zip(positions, columns, strict=False):
            if key in data:
                put(ws, row + 2 + i, j, _cell(data[key][i]), fmt)
        for j, n in zip(positions[len(columns):], notes, strict=True):
            put(ws, row + 2 + i, j, _cell(data[n][i]))
    return row + 3 + len(frame)


def _cell(value: object) -> object:
    """A value as a cell takes it: NaN (an absent cap or share) stays empty."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value if isinstance(value, int | float | bool) or value is None else str(value)


def instance_digest(instance: Any) -> str:
    """A SHA-256 of what the instance says (its tables and its own policy sheet, as read and
    validated; a preset or a flag changes the policy in force, recorded beside it, not
    this): the same for the same instance however it arrived (a file, a folder, an
    upload). Each table is hashed as :func:`allocator.output.csv_bytes` writes it, its
    index a column of its own."""
    from allocator.output import csv_bytes

    h = hashlib.sha256()
    for table in (instance.regions, instance.goals, instance.needs, instance.policy_notes):
        if table is not None:
            h.update(csv_bytes(table.reset_index()))
    return h.hexdigest()


def _about(ws: Worksheet, r: Result, lang: str, command: str) -> None:
    from importlib.metadata import version  # not "import pyomo": it pulls in scipy.stats

    from allocator import __version__

    source = Path(r.instance.source)
    digest = ""
    if source.is_file():
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
    policy = r.instance.policy
    in_force = {"budget_eur": policy.budget_eur, **policy.rules_in_force()}
    rows = [
        (label("file", lang), source.name),
        (label("sha256", lang), digest),
        (label("instance_digest", lang), instance_digest(r.instance)),
        (label("policy_in_force", lang), "; ".join(f"{k} = {v}" for k, v in in_force.items())),
        (label("versions", lang),
         f"allocator {__version__}; Pyomo {version('pyomo')}; "
         f"HiGHS {r.solver.version}; Python {platform.python_version()}"),
        (label("solve_seconds", lang), round(r.solver.seconds, 3)),
        (label("created", lang), report_time().strftime("%Y-%m-%d %H:%M UTC")),
        (label("command", lang), command or " ".join(sys.argv)),
    ]
    for i, (name, value) in enumerate(rows, start=1):
        put(ws, i, 1, name, bold=True)
        put(ws, i, 2, value).alignment = WRAP
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 90
    print_setup(ws)
