"""The grid workbook, from a :class:`allocator.studies.grid.Grid`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.chart import Reference

from allocator.labels import label
from allocator.reports.terminal import shown_name
from allocator.reports.workbook import (
    EURO,
    euro_scatter,
    header,
    print_setup,
    put,
    save_workbook,
    straight_series,
)

if TYPE_CHECKING:
    from allocator.studies.grid import Grid


def write_grid_report(grid: Grid, path: str | Path, *, lang: str = "nl") -> Path:
    """The points as one table, and weighted unmet need against the budget as a chart with
    one line per (policy, needs) pair."""
    wb = Workbook()
    ws = wb.active
    ws.title = label("sheet_grid", lang)
    names = grid.instance.regions["name"]
    regions = list(names.index) if any(p.by_region_eur for p in grid.points) else []
    header(ws, 1, [label("policy_variant", lang), label("need_variant", lang),
                    label("budget", lang), label("status_col", lang),
                    label("unmet_after", lang), label("marginal_value", lang),
                    *[str(names[r]) for r in regions]])
    runs: dict[tuple[str, str], list[int]] = {}
    for i, p in enumerate(grid.points, start=2):
        put(ws, i, 1, shown_name(p.policy, lang))
        put(ws, i, 2, shown_name(p.needs, lang))
        put(ws, i, 3, round(p.budget_eur), EURO)
        put(ws, i, 4, label(p.status, lang))
        put(ws, i, 5, None if p.weighted_unmet_eur is None else round(p.weighted_unmet_eur),
            EURO)
        put(ws, i, 6, p.marginal_value, "0.0000")
        for j, region in enumerate(regions, start=7):
            if p.by_region_eur is not None:
                put(ws, i, j, p.by_region_eur.get(region, 0), EURO)
        runs.setdefault((p.policy, p.needs), []).append(i)
    for letter, width in zip("ABCDEF", (22, 22, 20, 20, 26, 16), strict=True):
        ws.column_dimensions[letter].width = width
    chart = euro_scatter(label("chart_grid", lang), label("budget", lang),
                         label("unmet_after", lang))
    for (policy, needs), rows in runs.items():
        if len(rows) >= 2:
            chart.series.append(straight_series(
                Reference(ws, min_col=5, min_row=rows[0], max_row=rows[-1]),
                Reference(ws, min_col=3, min_row=rows[0], max_row=rows[-1]),
                shown_name(policy, lang) if needs == "instance"
                else f"{shown_name(policy, lang)} / {needs}"))
    if chart.series:
        ws.add_chart(chart, f"A{len(grid.points) + 3}" if regions else "H2")
    print_setup(ws)
    return save_workbook(wb, path)
