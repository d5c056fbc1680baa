"""The sensitivity workbook, from a :class:`allocator.studies.sensitivity.Sensitivity`: each
region's range, and a tornado chart per region (the change of its allocation when each
assumption moves down and up)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from allocator.labels import label
from allocator.reports.workbook import EURO, PERCENT, header, print_setup, put, save_workbook
from allocator.studies.sensitivity import ALT

if TYPE_CHECKING:
    from allocator.studies.sensitivity import Sensitivity

#: Charts per row of the tornado sheet.
PER_ROW = 2
#: The assumptions each region's tornado shows: those that move it most.
TOP = 8


#: The label of each figure column an assumption can move.
FIGURE_WORDS = {"need_eur": "need", "existing_eur": "existing", "cap_eur": "cap",
                "population": "population", "weight": "weight"}


def assumption_name(name: str, names: dict[str, str], lang: str) -> str:
    """An assumption as a reader names it: a region's or goal's name, a policy rule's label,
    or for one at its alternative the figure (``Twente: inwoners``, ``behoefte (alle
    cellen)``)."""
    from allocator.inputs.names import shown_column

    def figure(column: str) -> str:  # a figure's name in words, not its column id
        key = FIGURE_WORDS.get(column)
        return label(key, lang).lower() if key else shown_column(column, lang)

    if name.startswith(ALT):
        parts = name.removeprefix(ALT).split(":")
        if parts[0] == "policy":
            return label(parts[1], lang)
        if parts[0] == "needs":
            return f"{figure(parts[1])} ({label('all_cells', lang)})"
        if parts[0] == "indicators":  # region/indicator: the region's measure
            region, _, measure = parts[1].partition("/")
            return f"{names.get(region, region)}: {measure.replace('_', ' ')}"
        if parts[0] == "existing_streams":  # stream/region/goal: the region's stream
            stream, region, goal = (parts[1].split("/") + ["", ""])[:3]
            where = names.get(region, region) + (f", {names.get(goal, goal)}" if goal else "")
            return f"{where}: {stream}"
        if parts[0] in ("regions", "goals") and parts[2] == "weight":  # as a move names it
            return assumption_name(f"{parts[0][:-1]}:{parts[1]}", names, lang)
        return f"{names.get(parts[1], parts[1])}: {figure(parts[2])}"
    kind, _, key = name.partition(":")
    if kind == "policy":
        return label(key, lang)
    # what moved is a weight: said so (not "Achterhoek +10%", which reads as its money)
    shown = names.get(key, key)
    if kind == "goal":
        return f"doelgewicht {shown}" if lang == "nl" else f"goal weight of {shown}"
    return f"gewicht {shown}" if lang == "nl" else f"weight of {shown}"


def run_name(name: str, factor: float, step: float, names: dict[str, str], lang: str) -> str:
    """A run as a reader names it: the assumption and its move (``Twente +10%``, or
    ``Twente: inwoners → alternatief``)."""
    from allocator.labels import percent

    what = assumption_name(name, names, lang)
    if name.startswith(ALT):
        return f"{what} → {label('sens_alternative', lang)}"
    return f"{what} {'+' if factor > 1 else '-'}{percent(step, lang, 0)}"


def _decisions(wb: Workbook, result: Sensitivity, names: dict[str, str], lang: str) -> None:
    """The cabinet's choices, each at its alternative, on a sheet of their own: decisions
    are not assumptions and stay out of the tornado."""
    from allocator.reports.terminal import decision_value, status_word

    table = result.decision_table()
    if not len(table):
        return
    ws = wb.create_sheet(label("sheet_decisions", lang))
    weighted = label("decision_weighted", lang)
    header(ws, 1, [label("decision", lang), label("decision_now", lang),
                   label("decision_alternative", lang), "status",
                   f"{weighted} ({label('decision_now', lang)})",
                   f"{weighted} ({label('decision_alternative', lang)})",
                   label("allocated", lang), label("decision_moved", lang), "€"])
    now = (result.base.figures.total["weighted_unmet_eur"]
           if result.base.figures is not None else None)
    for i, row in enumerate(table.itertuples(index=False), start=2):
        put(ws, i, 1, label(row.decision, lang))
        put(ws, i, 2, decision_value(row.decision, row.value, lang))
        put(ws, i, 3, decision_value(row.decision, row.alternative, lang))
        put(ws, i, 4, status_word(row.status, lang))
        if row.status != "optimal":
            continue
        put(ws, i, 5, int(now) if now is not None else None, EURO)
        put(ws, i, 6, int(row.weighted_unmet_eur), EURO)
        put(ws, i, 7, int(row.allocated_eur), EURO)
        if isinstance(row.region, str):
            put(ws, i, 8, names.get(row.region, row.region))
            put(ws, i, 9, round(float(row.moved_eur)), EURO)
    for letter, width in zip("ABCDEFGHI", (30, 22, 22, 12, 22, 22, 18, 26, 14), strict=True):
        ws.column_dimensions[letter].width = width
    print_setup(ws)


def write_sensitivity_report(result: Sensitivity, path: str | Path, *,
                             lang: str = "nl") -> Path:
    inst = result.instance
    names = {**inst.regions["name"].astype(str).to_dict(),
             **inst.goals["name"].astype(str).to_dict()}
    table = result.regions()
    wb = Workbook()
    ws = wb.active
    ws.title = label("sheet_sensitivity", lang)
    header(ws, 1, [label("region", lang), label("sens_base", lang), label("sens_low", lang),
                    label("sens_high", lang), label("sens_coverage", lang),
                    f"{label('sens_coverage', lang)} {label('sens_low', lang)}",
                    f"{label('sens_coverage', lang)} {label('sens_high', lang)}",
                    label("sens_most", lang), "€"])
    for i, (region, row) in enumerate(table.iterrows(), start=2):
        put(ws, i, 1, names.get(str(region), str(region)))
        for j, key in enumerate(("base_eur", "low_eur", "high_eur"), start=2):
            put(ws, i, j, round(float(row[key])), EURO)
        for j, key in enumerate(("coverage", "coverage_low", "coverage_high"), start=5):
            put(ws, i, j, float(row[key]), PERCENT)
        if isinstance(row["moved_most_by"], str):
            put(ws, i, 8, run_name(str(row["moved_most_by"]), float(row["factor"]),
                                   result.step, names, lang))
            put(ws, i, 9, round(float(row["moved_most_eur"])), EURO)
    for letter, width in zip("ABCDEFGHI", (26, 16, 16, 16, 12, 16, 16, 34, 14), strict=True):
        ws.column_dimensions[letter].width = width
    print_setup(ws)
    _decisions(wb, result, names, lang)

    # Tornado: per region, each assumption's change of the allocation, down and up.
    tw = wb.create_sheet(label("sheet_tornado", lang))
    runs = result.table()
    base = table["base_eur"]
    everyone = list(dict.fromkeys(runs["assumption"]))
    block = min(len(everyone), TOP) + 2
    alternative = any(str(n).startswith(ALT) for n in everyone)
    factors = (1.0,) if alternative else (1.0 - result.step, 1.0 + result.step)
    heads = ([label("sens_alternative", lang)] if alternative
             else [label("sens_down", lang), label("sens_up", lang)])
    for k, region in enumerate(table.index):
        top = 1 + k * block
        put(tw, top, 1, names.get(str(region), str(region)), bold=True)
        header(tw, top + 1, [label("sens_assumption", lang), *heads])
        change: dict[str, dict[float, float]] = {}
        for name in everyone:
            for factor in factors:
                hit = runs[(runs["assumption"] == name)
                           & ((runs["factor"] - factor).abs() < 1e-12)]
                if len(hit) and hit["status"].iloc[0] == "optimal":
                    change.setdefault(name, {})[factor] = round(
                        float(hit[str(region)].iloc[0] - base[region]))
        # a tornado: the largest moves on top (openpyxl draws the first category lowest)
        order = sorted(everyone, key=lambda n: max(map(abs, change.get(n, {0: 0}).values())),
                       reverse=True)[:TOP][::-1]
        for i, name in enumerate(order):
            row = top + 2 + i
            put(tw, row, 1, assumption_name(name, names, lang))
            for col, factor in enumerate(factors, start=2):
                if factor in change.get(name, {}):
                    put(tw, row, col, change[name][factor], EURO)
        chart = BarChart()
        chart.type = "bar"
        chart.grouping = "clustered"
        chart.overlap = 100
        chart.title = names.get(str(region), str(region))
        chart.x_axis.title = label("sens_assumption", lang)
        chart.y_axis.numFmt = EURO
        chart.x_axis.tickLblPos = "low"  # the names beside the chart, not over the bars
        chart.add_data(Reference(tw, min_col=2, max_col=1 + len(factors), min_row=top + 1,
                                 max_row=top + 1 + len(order)), titles_from_data=True)
        chart.set_categories(Reference(tw, min_col=1, min_row=top + 2,
                                       max_row=top + 1 + len(order)))
        chart.width, chart.height = 16, 9
        column = "E" if k % PER_ROW == 0 else "O"
        tw.add_chart(chart, f"{column}{1 + (k // PER_ROW) * 19}")
    tw.column_dimensions["A"].width = 28
    for letter in "BC":
        tw.column_dimensions[letter].width = 16
    return save_workbook(wb, path)
